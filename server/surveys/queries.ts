import { z } from 'zod';
import { storedText } from '../../shared/schemas/stored-text.ts';
import { npsGroups } from '../../shared/schemas/survey.ts';
import { endOf, periodOf, startOf } from './periods.ts';
import { cursor, type ResponseFilter } from './verbatims.ts';

/** The query parameters of the survey reports' routes (README, "NPS surveys"). */

/** A report period's bounds as query parameters: a date (`2026-10-01`) or a date-time with offset. */
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be an ISO 8601 date or date-time with a time zone',
});
const period = {
  /** Start of the period, inclusive. Default: 90 days before `to`. */
  from: instant.optional(),
  /** End of the period, exclusive; a date alone means the end of that day (UTC). Default: now. */
  to: instant.optional(),
};
const fromBeforeTo = (
  query: { from?: string | undefined; to?: string | undefined },
  ctx: z.RefinementCtx,
) => {
  if (query.from === undefined || query.to === undefined) return;
  if (startOf(query.from) >= endOf(query.to))
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
};

/**
 * A trait to split or filter by: `plan` or `user.plan` (the respondent's), or `account.plan` (their
 * response's account's). Dots go down into nested objects; read as a JSON path, hence no quote,
 * backslash, nor NUL (SQLite ends text there: the path would be cut short and the query fail).
 */
const segment = storedText(
  z
    .string()
    .max(200)
    .regex(
      /^((user|account)\.)?[^."\\]+(\.[^."\\]+)*$/,
      'must be a trait name, optionally prefixed by user. or account.',
    ),
);

export const npsResultsQuery = z
  .object({
    ...period,
    /** Trend buckets: ISO weeks (starting Monday, UTC) or calendar months (UTC). */
    interval: z.enum(['week', 'month']).default('month'),
    segment: segment.optional(),
    /**
     * Split a numeric trait into bands at these bounds (ascending, comma-separated), as CS teams
     * segment by ARR: `segment=account.arr&bands=10000,50000` gives < 10000, 10000-50000, >= 50000.
     */
    bands: z
      .string()
      .regex(/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?)*$/, 'must be numbers separated by commas')
      .transform((text) => text.split(',').map(Number))
      .refine((bounds) => bounds.every((b, i) => i === 0 || b > (bounds[i - 1] as number)), 'must ascend')
      .optional(),
    /**
     * How many accounts `accounts` lists (those with the most responses first; `accountCount` says
     * how many have any): the answer stays the size of what a view draws, whatever the customer base.
     */
    accountLimit: z.coerce.number().int().min(0).max(1000).default(25),
  })
  .superRefine(fromBeforeTo)
  .superRefine((query, ctx) => {
    if (query.bands && !query.segment)
      ctx.addIssue({ code: 'custom', path: ['bands'], message: 'needs segment: the numeric trait to band' });
  });
export type NpsResultsQuery = z.infer<typeof npsResultsQuery>;

const responseFilters = z.object({
  ...period,
  group: z.enum(npsGroups).optional(),
  /** With `value`: only responses whose trait has that value; without it: those where it is missing. */
  segment: segment.optional(),
  /** A string, or a number or boolean as written in JSON (`3`, `true`). */
  value: z.string().max(200).optional(),
  accountId: z.string().max(200).optional(),
  /** Text the comment contains, ignoring case (ASCII letters only: SQLite's LIKE); empty: any. */
  q: z.string().trim().max(200).optional(),
  /** true: only responses with a comment; false: only those without. */
  hasComment: z.stringbool().optional(),
});
const filterRules = (query: z.infer<typeof responseFilters>, ctx: z.RefinementCtx) => {
  fromBeforeTo(query, ctx);
  if (query.value !== undefined && query.segment === undefined)
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'needs segment: the trait it is a value of' });
};
/** The CSV export's filters: the verbatims' without paging. */
export const npsExportQuery = responseFilters.superRefine(filterRules);
export type NpsExportQuery = z.infer<typeof npsExportQuery>;
export const npsResponsesQuery = responseFilters
  .extend({ limit: z.coerce.number().int().min(1).max(500).default(50), cursor: cursor.optional() })
  .superRefine(filterRules);
export type NpsResponsesQuery = z.infer<typeof npsResponsesQuery>;

export const npsSignalsQuery = z.object({
  /** Detractor responses since then. Default: 30 days ago. */
  since: instant.optional(),
  /** NPS points an account must have lost between the two windows to be listed. */
  minDrop: z.coerce.number().min(0).max(200).default(10),
  /** Responses (people) an account needs in each window for its NPS to be compared. */
  minResponses: z.coerce.number().int().min(1).max(1000).default(1),
  /** Length of the current window and of the previous one it is compared with. */
  windowDays: z.coerce.number().int().min(1).max(365).default(90),
});
export type NpsSignalsQuery = z.infer<typeof npsSignalsQuery>;

/** A query's filters, for one survey. */
export const responseFilterOf = (surveyId: string, query: NpsExportQuery, now: number): ResponseFilter => ({
  surveyId,
  range: periodOf(query, now),
  group: query.group,
  segment: query.segment === undefined ? undefined : { trait: query.segment, value: query.value ?? null },
  accountId: query.accountId,
  q: query.q,
  hasComment: query.hasComment,
});
