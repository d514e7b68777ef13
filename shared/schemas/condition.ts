import { z } from 'zod';
import { regexHazard } from '../regex-hazard.ts';
import { storedText } from './stored-text.ts';

/**
 * The conditions every kind of content shares: property filters on events, trait conditions on
 * users and accounts, URL rules, and the audience that combines them. Evaluated by
 * shared/conditions.ts (widget and server alike) and, for event filters, compiled to SQL by the server.
 */

const scalar = z.union([z.string().max(500), z.number(), z.boolean()]);
const name = storedText(z.string().trim().min(1, 'must not be empty').max(200));

/**
 * One comparison of a value (an event property or a trait) with a constant.
 * - `equals`, `notEquals`: strict, except that a number and its decimal string are equal.
 * - `contains`: substring of a string (case-insensitive), or member of an array.
 * - `gt`, `lt`: numbers.
 * - `before`, `after`: dates (ISO 8601 strings or epoch milliseconds), compared with a date, or with
 *   `{daysAgo: n}` measured from evaluation time.
 * - `exists`, `notExists`: present and not null.
 * - `in`, `notIn`: one of a list.
 */
export const comparison = z.discriminatedUnion('op', [
  z.object({ op: z.enum(['equals', 'notEquals']), value: scalar }),
  z.object({ op: z.literal('contains'), value: z.string().min(1).max(500) }),
  z.object({ op: z.enum(['gt', 'lt']), value: z.number() }),
  z.object({
    op: z.enum(['before', 'after']),
    value: z.union([
      z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }),
      z.iso.date(),
      z.object({ daysAgo: z.number().int().min(0).max(36500) }),
    ]),
  }),
  z.object({ op: z.enum(['exists', 'notExists']) }),
  z.object({ op: z.enum(['in', 'notIn']), value: z.array(scalar).min(1).max(100) }),
]);
export type Comparison = z.infer<typeof comparison>;
export const operators = [
  'equals',
  'notEquals',
  'contains',
  'gt',
  'lt',
  'before',
  'after',
  'exists',
  'notExists',
  'in',
  'notIn',
] as const;

/** A condition on an event property; `property` may be a dotted path (`plan.tier`). */
export const propertyFilter = z.intersection(
  z.object({ property: name.regex(/^[^"]*$/, 'must not contain "') }),
  comparison,
);
export type PropertyFilter = z.infer<typeof propertyFilter>;

/** A condition on a trait of the user or of the user's account. */
export const traitCondition = z.intersection(
  z.object({ on: z.enum(['user', 'account']), trait: name }),
  comparison,
);
export type TraitCondition = z.infer<typeof traitCondition>;

/**
 * A URL rule, on the path or on path + query string (`/invoices?status=draft`).
 * `glob`: `*` matches within one path segment, `**` across segments. `regex`: a JavaScript pattern
 * (no flags), tested against the first 1,000 characters, and refused when it could backtrack for
 * long in an end user's browser (shared/regex-hazard.ts says which: no backreferences, lookarounds
 * or repeated groups that hold a repetition or a choice, at most two `*`/`+` after `^`).
 *
 * @example urlRule.parse({ match: 'regex', pattern: '^/invoices/[^/]+/edit$' })
 */
export const urlRule = z
  .object({
    match: z.enum(['exact', 'prefix', 'glob', 'regex']),
    pattern: z.string().min(1).max(500),
    /** Match against the path with its query string rather than the path alone. */
    withQuery: z.boolean().default(false),
  })
  .superRefine((rule, ctx) => {
    if (rule.match !== 'regex') return;
    try {
      new RegExp(rule.pattern);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'is not a valid regular expression' });
      return;
    }
    const hazard = regexHazard(rule.pattern);
    if (hazard) ctx.addIssue({ code: 'custom', path: ['pattern'], message: hazard });
  });
export type UrlRule = z.infer<typeof urlRule>;
export type UrlRuleInput = z.input<typeof urlRule>;

/**
 * Who sees a piece of content. Trait conditions combine with `match` (all or any); URL rules, when
 * present, must have at least one match for the current page (`exclude` rules must have none).
 */
export const audience = z.object({
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(traitCondition).max(50).default([]),
  urls: z.array(urlRule).max(50).default([]),
  excludeUrls: z.array(urlRule).max(50).default([]),
});
export type Audience = z.infer<typeof audience>;
export type AudienceInput = z.input<typeof audience>;
