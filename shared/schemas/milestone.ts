import { z } from 'zod';
import { propertyFilter } from './condition.ts';
import { storedText } from './stored-text.ts';

/** A stable, URL-safe key chosen by the author (`invoice_sent`), referenced by checklist items. */
export const key = z
  .string()
  .min(1, 'must not be empty')
  .max(64)
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'must be lowercase letters, digits, _ or -, starting with a letter or digit',
  );

/**
 * Evidence from tracked events: at least `count` `track` calls named `event` whose properties pass
 * every filter, optionally only those within `withinDays` of the subject's first-seen time.
 */
export const eventRule = z.object({
  event: storedText(z.string().trim().min(1, 'must not be empty').max(200)),
  where: z.array(propertyFilter).max(20).default([]),
  count: z.number().int().min(1).max(100_000).default(1),
  withinDays: z.number().int().min(1).max(3650).optional(),
});
export type EventRule = z.infer<typeof eventRule>;
export type EventRuleInput = z.input<typeof eventRule>;

/**
 * A named adoption milestone. One per workspace may be the value milestone: time to first value is
 * measured to it. Reached per user, and per account (counting the events of all its members).
 *
 * @example
 * { key: 'invoice_sent', name: 'Sent an invoice', rule: { event: 'Invoice Sent' }, isValue: true }
 */
export const milestoneInput = z.object({
  key,
  // Stored as SQL text, where NUL would cut them short: see storedText.
  name: storedText(z.string().trim().min(1, 'must not be empty').max(120)),
  description: storedText(z.string().max(500)).default(''),
  rule: eventRule,
  isValue: z.boolean().default(false),
});
export type MilestoneInput = z.input<typeof milestoneInput>;
export type MilestoneDefinition = z.infer<typeof milestoneInput>;

export const milestone = milestoneInput.extend({
  id: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Milestone = z.infer<typeof milestone>;
