import type { z } from 'zod';
import type { InternalEventName, internalEvents } from '../../shared/schemas/internal-event.ts';

/** Every property an internal event carries, by the names its schema gives (shared/schemas/internal-event.ts). */
export type InternalProperty = {
  [N in InternalEventName]: keyof z.infer<(typeof internalEvents)[N]> & string;
}[InternalEventName];

/**
 * SQL that reads one property of a stored internal event: the one place that spells the JSON paths,
 * so a property renamed in the schema fails the type check of its readers instead of reading NULL.
 * Internal events refuse NUL and lone surrogates in their text (storedText), so json_extract reads
 * them safely.
 *
 * @example
 * internalProperty('contentId', 'e.properties') // "json_extract(e.properties, '$.contentId')"
 */
export const internalProperty = (property: InternalProperty, column = 'properties'): string =>
  `json_extract(${column}, '$.${property}')`;
