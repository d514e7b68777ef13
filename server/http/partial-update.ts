import type { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import { ApiError } from './api-error.ts';
import { parse } from './parse.ts';

type Json = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `current` with `changes` merged in: nested objects field by field, anything else (arrays
 * included) replaced whole.
 *
 * @example
 * mergeFields({ theme: { mode: 'light', radius: 4 } }, { theme: { mode: 'auto' } })
 * // { theme: { mode: 'auto', radius: 4 } }
 */
export function mergeFields(current: Json, changes: Json): Json {
  const merged: Json = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    const before = merged[key];
    merged[key] = isPlainObject(before) && isPlainObject(value) ? mergeFields(before, value) : value;
  }
  return merged;
}

/**
 * A PATCH body applied to the current settings: only the fields it names change (nested objects
 * such as the theme deeply), and the result is checked with the complete schema, so a partial update
 * can neither reset a field it does not name nor leave the whole invalid. The merged value has the
 * body's shape, so each error's pointer names a field of the body. Returns the top-level fields the
 * body names, with their merged, parsed values: what to write.
 *
 * @example
 * parsePatch(settings, { theme: { brandColor: '#0f766e', radius: 4 } }, { theme: { mode: 'auto' } })
 * // { theme: { brandColor: '#0f766e', radius: 4, mode: 'auto', font: ... } }
 */
export function parsePatch<T extends Json>(schema: z.ZodType<T>, current: Json, body: unknown): Partial<T> {
  if (!isPlainObject(body)) {
    throw new ApiError(400, errorCodes.validationFailed, 'Invalid request', undefined, [
      { pointer: '', detail: 'must be a JSON object of the fields to change' },
    ]);
  }
  const parsed = parse(schema, mergeFields(current, body));
  const named: Partial<T> = {};
  for (const key of Object.keys(body) as Array<keyof T>) named[key] = parsed[key];
  return named;
}
