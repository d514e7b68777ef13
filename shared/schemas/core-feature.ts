import { z } from 'zod';
import { propertyFilter } from './condition.ts';
import { key } from './milestone.ts';
import { storedText } from './stored-text.ts';

/** At most this many core features a workspace (Pendo caps core events at 10). */
export const maxCoreFeatures = 10;

/** An event that proves use of a feature: a `track` call named `event` whose properties pass every filter. */
export const featureEvent = z.object({
  event: storedText(z.string().trim().min(1, 'must not be empty').max(200)),
  where: z.array(propertyFilter).max(20).default([]),
});

/**
 * A core feature: one of the few things a healthy account's users do. Adoption (rate, breadth,
 * depth) and the health score's adoption measures read it.
 *
 * @example
 * { key: 'invoicing', name: 'Invoicing', events: [{ event: 'Invoice Sent' }] }
 */
export const coreFeatureInput = z.object({
  key,
  name: storedText(z.string().trim().min(1, 'must not be empty').max(120)),
  description: storedText(z.string().max(500)).default(''),
  events: z.array(featureEvent).min(1, 'name at least one event that proves use').max(5),
});
export type CoreFeatureInput = z.input<typeof coreFeatureInput>;
export type CoreFeatureDefinition = z.infer<typeof coreFeatureInput>;

export const coreFeature = coreFeatureInput.extend({
  id: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CoreFeature = z.infer<typeof coreFeature>;
