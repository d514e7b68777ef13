import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import { storedText } from '../../shared/schemas/stored-text.ts';
import { type NpsGroup, npsGroupOf, npsGroups } from '../../shared/schemas/survey.ts';
import type { Database } from '../db/client.ts';
import {
  accounts,
  events,
  surveyPromptDays,
  surveyResponses,
  userDayGaps,
  userDays,
  users,
} from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { cohortOf, dayMs, groupBy, npsInterval, splitByDays } from './stats.ts';

/**
 * NPS results for CS teams (README, "NPS surveys"): the score with its 95% interval, the
 * 0-10 distribution, response and dismissal rates, a trend, segments, accounts and verbatims.
 * A period counts each person's latest response in it once; dismissals are shown, never counted
 * as responses.
 */

/**
 * Below this many responses the interval is too wide to act on (n = 20 can be +/-34 points, and
 * the normal approximation behind the interval gets poor), so the UI greys the score out.
 */
export const lowSampleThreshold = 30;

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

/** A position in the verbatims, newest first: opaque to clients (base64url of `[respondedAt, id]`). */
const cursor = z.string().transform((text, ctx) => {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && typeof id === 'string') return { respondedAt: at, id };
  } catch {
    // Not base64url JSON: reported below like any other wrong shape.
  }
  ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
  return z.NEVER;
});
export type Cursor = z.output<typeof cursor>;

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

// --- The math: pure functions of scores ---------------------------------------------------------

export interface NpsSummary {
  /** n: responses counted (each person once). Dismissals are never here. */
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Each group's share of the responses (0-1); null when there are none. */
  shares: { promoters: number | null; passives: number | null; detractors: number | null };
  /** 100 x (promoters - detractors) / n, from -100 to 100 (rounded to 0.01); null when n = 0. */
  nps: number | null;
  /**
   * Half-width of the 95% interval in NPS points (adjusted Wald, see npsInterval in ./stats.ts),
   * before clipping; null when n = 0.
   */
  marginOfError: number | null;
  /**
   * The 95% interval, clipped to [-100, 100]: centred on the adjusted estimate (see npsInterval),
   * so not always [nps - margin, nps + margin]; null when n = 0.
   */
  interval: [number, number] | null;
  /** n < lowSampleThreshold (30): too few responses to act on, shown greyed out. */
  lowSample: boolean;
  /** Responses per score, index 0 to 10. */
  distribution: number[];
}

/** Reports show NPS points to 0.01. */
const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The NPS of a list of 0-10 scores, one per person: counts, shares, score, interval, distribution.
 *
 * @example
 * npsSummary([10, 9, 7, 3]) // { responses: 4, promoters: 2, passives: 1, detractors: 1, nps: 25, ... }
 */
export function npsSummary(scores: readonly number[]): NpsSummary {
  const distribution = Array.from({ length: 11 }, () => 0);
  for (const score of scores) distribution[score] = (distribution[score] ?? 0) + 1;
  return npsSummaryOf(distribution);
}

/**
 * The NPS of a distribution: how many people gave each score, 0 to 10 (what SQL counts).
 *
 * @example
 * npsSummaryOf([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 2]) // the same as npsSummary([10, 10, 7, 3])
 */
export function npsSummaryOf(distribution: readonly number[]): NpsSummary {
  const counts: Record<NpsGroup, number> = { detractor: 0, passive: 0, promoter: 0 };
  distribution.forEach((count, score) => {
    counts[npsGroupOf(score)] += count;
  });
  const n = counts.detractor + counts.passive + counts.promoter;
  const share = (count: number) => (n === 0 ? null : count / n);
  const p = n === 0 ? 0 : counts.promoter / n;
  const d = n === 0 ? 0 : counts.detractor / n;
  const nps = 100 * (p - d);
  const ci = npsInterval(counts.promoter, counts.detractor, n);
  return {
    responses: n,
    promoters: counts.promoter,
    passives: counts.passive,
    detractors: counts.detractor,
    shares: {
      promoters: share(counts.promoter),
      passives: share(counts.passive),
      detractors: share(counts.detractor),
    },
    nps: n === 0 ? null : round2(nps),
    marginOfError: ci === null ? null : round2(ci.marginOfError),
    interval: ci === null ? null : [round2(ci.interval[0]), round2(ci.interval[1])],
    lowSample: n < lowSampleThreshold,
    distribution: [...distribution],
  };
}

/** Counts of people per score (rows of a SQL `GROUP BY score`) as a summary. */
function summaryOfCounts(rows: ReadonlyArray<{ score: number; n: number }>): NpsSummary {
  const distribution = Array.from({ length: 11 }, () => 0);
  for (const row of rows) distribution[row.score] = (distribution[row.score] ?? 0) + row.n;
  return npsSummaryOf(distribution);
}

/**
 * Each person's latest response: by `respondedAt`, ties broken by the greater response id. The
 * reports apply the same rule in SQL (see latestCounts); this is for responses already in memory,
 * e.g. one account's history.
 *
 * @example
 * latestPerPerson([{ id: 'a', userId: 'u1', respondedAt: 1 }, { id: 'b', userId: 'u1', respondedAt: 2 }]) // [b]
 */
export function latestPerPerson<R extends { id: string; userId: string; respondedAt: number }>(
  responses: readonly R[],
): R[] {
  const latest = new Map<string, R>();
  for (const response of responses) {
    const kept = latest.get(response.userId);
    if (
      !kept ||
      response.respondedAt > kept.respondedAt ||
      (response.respondedAt === kept.respondedAt && response.id > kept.id)
    )
      latest.set(response.userId, response);
  }
  return [...latest.values()];
}

// --- Periods, traits and groups -----------------------------------------------------------------

export interface Period {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

const isDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text);
const startOf = (text: string): number => Date.parse(isDate(text) ? `${text}T00:00:00Z` : text);
const endOf = (text: string): number => startOf(text) + (isDate(text) ? dayMs : 0);

/**
 * The period a query names: `from` to `to`, by default the `days` before now.
 *
 * @example
 * periodOf({ from: '2026-10-01', to: '2026-10-31' }, now) // Oct 1 00:00Z to Nov 1 00:00Z
 */
export function periodOf(
  query: { from?: string | undefined; to?: string | undefined },
  now: number,
  days = 90,
): Period {
  const to = query.to === undefined ? now : endOf(query.to);
  return { from: query.from === undefined ? to - days * dayMs : startOf(query.from), to };
}

interface Trait {
  on: 'user' | 'account';
  /** SQLite JSON path, e.g. `$."plan"`. */
  path: string;
}

/** `account.plan` as the account's `plan`; an unprefixed name is the user's. */
function traitOf(name: string): Trait {
  const match = /^(user|account)\.(.+)$/.exec(name);
  const [on, trait] = match ? [match[1] as Trait['on'], match[2] as string] : (['user', name] as const);
  const labels = trait.split('.').map((part) => `."${part}"`);
  return { on, path: `$${labels.join('')}` };
}

/**
 * The trait as JSON text (`"pro"`, `3`, `true`), NULL when it is missing, from the users and
 * accounts rows joined to the responses (see latestCounts and listResponses).
 */
const traitJson = (trait: Trait): SQL<string | null> =>
  sql`${trait.on === 'user' ? users.traits : accounts.traits} -> ${trait.path}`;

/** A trait value as a segment's label, which is also what `value` filters the verbatims by. */
const labelOf = (value: unknown): string | null =>
  value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);

/** A time window responses are counted in: `[start, stop)`, epoch ms. */
interface Bucket {
  key: string;
  start: number;
  stop: number;
}

/**
 * Every trend bucket the period touches, in order, empty ones included (a chart needs the gaps);
 * the first and last are cut to the period.
 */
function bucketsOf(range: Period, interval: 'week' | 'month'): Bucket[] {
  const keys = new Set<string>();
  // No week or month is shorter than the step, so stepping by it lands in every one.
  const step = (interval === 'week' ? 7 : 28) * dayMs;
  for (let t = range.from; t < range.to; t += step) keys.add(cohortOf(t, interval));
  if (range.to > range.from) keys.add(cohortOf(range.to - 1, interval));
  // A cohort's key is its first day (`2026-10-05`) or month (`2026-10`): Date.parse reads both as UTC.
  const starts = [...keys].map((key) => Date.parse(key));
  return [...keys].map((key, i) => ({
    key,
    start: i === 0 ? range.from : (starts[i] as number),
    stop: starts[i + 1] ?? range.to,
  }));
}

// --- Results ------------------------------------------------------------------------------------

/** People per score, among each person's latest response in a bucket. */
interface LatestCount {
  bucket: string;
  /**
   * The account of the person's latest response, and its `name` trait as JSON text (null without
   * `detail`): read as JSON, since json_extract would hand an unpaired surrogate in a trait to
   * libSQL as bytes that are not UTF-8, on which its client aborts the process.
   */
  accountId: string | null;
  accountName: string | null;
  /** The segment trait of the person or account, as JSON text; null when missing. */
  segment: string | null;
  score: number;
  n: number;
}

/**
 * Counts each person once per bucket, by their latest response in it (`row_number() over
 * (partition by bucket, user_id order by responded_at desc, id desc) = 1`), per score; with
 * `detail`, also per account and per value of `trait`. Every survey of the workspace when
 * `surveyId` is null. Only the counts leave the database, however many responses there are.
 */
async function latestCounts(
  db: Database,
  workspaceId: string,
  surveyId: string | null,
  buckets: readonly Bucket[],
  options: { detail: boolean; trait?: Trait | null },
): Promise<LatestCount[]> {
  if (buckets.length === 0) return [];
  const r = surveyResponses;
  const detail = (column: SQL | typeof r.accountId) => (options.detail ? column : sql`NULL`);
  const values = sql.join(
    buckets.map((b) => sql`(${b.key}, ${b.start}, ${b.stop})`),
    sql`, `,
  );
  return db.reports.all<LatestCount>(sql`
    WITH bucket(key, start, stop) AS (VALUES ${values}),
    ranked AS (
      SELECT bucket.key AS bucket, ${detail(r.accountId)} AS account_id,
        ${detail(sql`${accounts.traits} -> '$.name'`)} AS account_name,
        ${options.trait ? traitJson(options.trait) : sql`NULL`} AS segment, ${r.score} AS score,
        row_number() OVER (
          PARTITION BY bucket.key, ${r.userId} ORDER BY ${r.respondedAt} DESC, ${r.id} DESC
        ) AS rank
      FROM ${r}
      JOIN bucket ON ${r.respondedAt} >= bucket.start AND ${r.respondedAt} < bucket.stop
      LEFT JOIN ${users} ON ${users.workspaceId} = ${r.workspaceId} AND ${users.id} = ${r.userId}
      LEFT JOIN ${accounts} ON ${accounts.workspaceId} = ${r.workspaceId} AND ${accounts.id} = ${r.accountId}
      WHERE ${r.workspaceId} = ${workspaceId} ${surveyId === null ? sql`` : sql`AND ${r.surveyId} = ${surveyId}`}
        AND ${r.respondedAt} >= ${buckets[0]?.start} AND ${r.respondedAt} < ${buckets.at(-1)?.stop}
    )
    SELECT bucket, account_id AS accountId, max(account_name) AS accountName, segment, score, count(*) AS n
    FROM ranked WHERE rank = 1
    GROUP BY bucket, account_id, segment, score`);
}

/** The longest period results cover (its trend buckets are bound SQL parameters): about 5 years. */
export const maxResultsDays = 1830;

/**
 * A survey's NPS over a period (see NpsSummary; each person's latest response in it counts once):
 * - `summary`: over the whole period;
 * - `rates`: how often it was shown, answered and dismissed (see surveyRates);
 * - `trend`: per week or month, each person's latest response within that bucket;
 * - `segments` (when `segment` is given): per value of the trait, `null` where it is missing;
 * - `accounts`: per account of the counted responses, with the account's `name` trait: the
 *   `accountLimit` with the most responses, of `accountCount` (an account's verbatims are
 *   `responses?accountId=`).
 */
export async function npsResults(
  db: Database,
  workspaceId: string,
  surveyId: string,
  query: NpsResultsQuery,
  now: number,
) {
  const range = periodOf(query, now);
  if (range.to - range.from > maxResultsDays * dayMs) {
    throw new ApiError(400, errorCodes.validationFailed, 'Invalid request', undefined, [
      { pointer: '/from', detail: `the period may be at most ${maxResultsDays} days long` },
    ]);
  }
  const trait = query.segment === undefined ? null : traitOf(query.segment);
  const buckets = bucketsOf(range, query.interval);
  const period: Bucket = { key: 'period', start: range.from, stop: range.to };
  const [counts, trendCounts, bySegment, accountCounts, rates] = await Promise.all([
    periodCounts(db, workspaceId, surveyId, [period]),
    periodCounts(db, workspaceId, surveyId, buckets),
    trait ? segmentCounts(db, workspaceId, surveyId, period, trait, query.bands ?? null) : [],
    topAccountCounts(db, workspaceId, surveyId, period, query.accountLimit),
    surveyRates(db, workspaceId, surveyId, range),
  ]);
  const summary = summaryOfCounts(counts);
  const byBucket = new Map(groupBy(trendCounts, (row) => row.bucket));
  return {
    period: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
    interval: query.interval,
    summary,
    rates: { ...rates, respondents: summary.responses, ...ratesOf(rates, summary.responses) },
    trend: buckets.map(({ key }) => ({ bucket: key, ...summaryOfCounts(byBucket.get(key) ?? []) })),
    segments: trait ? (query.bands ? bandsOf(bySegment, query.bands) : segmentsOf(bySegment)) : undefined,
    accountCount: accountCounts.accountCount,
    accounts: accountsOf(accountCounts.rows).slice(0, query.accountLimit),
  };
}

/**
 * The responses of a survey that are their person's latest in a bucket: in the bucket, and the
 * person's next response (`next_at`, kept by triggers, migration 0012) is not. One range of the
 * `survey_responses_latest` index, no ranking and no sort, whatever the number of responses.
 */
const latestIn = (workspaceId: string, surveyId: string, bucket: Bucket, columns: SQL) => {
  const r = surveyResponses;
  return sql`SELECT ${columns} FROM ${r} INDEXED BY survey_responses_latest
    WHERE ${r.workspaceId} = ${workspaceId} AND ${r.surveyId} = ${surveyId}
      AND ${r.respondedAt} >= ${bucket.start} AND ${r.respondedAt} < ${bucket.stop}
      AND (${r.nextAt} IS NULL OR ${r.nextAt} >= ${bucket.stop})`;
};

/** People per score in each bucket, by their latest response in it. */
function periodCounts(
  db: Database,
  workspaceId: string,
  surveyId: string,
  buckets: readonly Bucket[],
): Promise<Array<{ bucket: string; score: number; n: number }>> {
  if (buckets.length === 0) return Promise.resolve([]);
  const r = surveyResponses;
  const parts = buckets.map(
    (bucket) =>
      sql`SELECT ${bucket.key} AS bucket, score, count(*) AS n FROM (${latestIn(workspaceId, surveyId, bucket, sql`${r.score} AS score`)}) GROUP BY score`,
  );
  return db.reports.all(sql.join(parts, sql` UNION ALL `));
}

/**
 * People per score and value of a trait (its JSON text; NULL when missing), among the latest
 * responses of the period. An account trait is read once per account, after counting per account.
 * With `bands`, a trait that is a JSON number comes back as its band's index (`band`: how many
 * bounds it is at or above), so an ARR per account is not a row per account.
 */
function segmentCounts(
  db: Database,
  workspaceId: string,
  surveyId: string,
  period: Bucket,
  trait: Trait,
  bands: readonly number[] | null,
): Promise<SegmentCount[]> {
  const r = surveyResponses;
  const table = trait.on === 'user' ? users : accounts;
  const key = trait.on === 'user' ? r.userId : r.accountId;
  const value = sql`${table.traits} -> ${trait.path}`;
  const band =
    bands === null
      ? sql`NULL`
      : sql`CASE WHEN json_type(${table.traits}, ${trait.path}) IN ('integer', 'real')
          THEN ${sql.join(
            bands.map((bound) => sql`(${table.traits} ->> ${trait.path} >= ${bound})`),
            sql` + `,
          )} END`;
  return db.reports.all<SegmentCount>(sql`
    SELECT CASE WHEN band IS NULL THEN segment END AS segment, band, score, sum(n) AS n FROM (
      SELECT ${value} AS segment, ${band} AS band, per.score AS score, per.n AS n
      FROM (SELECT subject_id, score, count(*) AS n
        FROM (${latestIn(workspaceId, surveyId, period, sql`${key} AS subject_id, ${r.score} AS score`)})
        GROUP BY subject_id, score) AS per
      LEFT JOIN ${table} ON ${table.workspaceId} = ${workspaceId} AND ${table.id} = per.subject_id)
    GROUP BY 1, 2, 3`);
}

interface SegmentCount {
  segment: string | null;
  band: number | null;
  score: number;
  n: number;
}

/**
 * The accounts with the most latest responses in the period, per score, and how many accounts have
 * any: every account at or above the `limit`-th one's count comes back (ties are ordered by id in
 * accountsOf), with its `name` trait as JSON text.
 */
async function topAccountCounts(
  db: Database,
  workspaceId: string,
  surveyId: string,
  period: Bucket,
  limit: number,
) {
  const r = surveyResponses;
  const rows = await db.reports.all<AccountCount & { accountCount: number }>(sql`
    WITH latest AS MATERIALIZED (${latestIn(
      workspaceId,
      surveyId,
      period,
      sql`${r.accountId} AS account_id, ${r.score} AS score`,
    )} AND ${r.accountId} IS NOT NULL),
    totals AS MATERIALIZED (SELECT account_id, count(*) AS total FROM latest GROUP BY account_id),
    cut AS (SELECT ${
      limit === 0
        ? sql`NULL`
        : sql`coalesce((SELECT total FROM totals ORDER BY total DESC LIMIT 1 OFFSET ${limit - 1}), 0)`
    } AS total)
    SELECT (SELECT count(*) FROM totals) AS accountCount, top.account_id AS accountId,
      (SELECT ${accounts.traits} -> '$.name' FROM ${accounts}
        WHERE ${accounts.workspaceId} = ${workspaceId} AND ${accounts.id} = top.account_id) AS accountName,
      latest.score AS score, count(*) AS n
    FROM (SELECT 1) LEFT JOIN (SELECT account_id FROM totals WHERE total >= (SELECT total FROM cut)) AS top
    LEFT JOIN latest ON latest.account_id = top.account_id
    GROUP BY top.account_id, latest.score`);
  return {
    accountCount: rows[0]?.accountCount ?? 0,
    rows: rows.flatMap((row) => (row.accountId === null ? [] : [row])),
  };
}

interface AccountCount {
  accountId: string | null;
  accountName: string | null;
  score: number;
  n: number;
}

/** Per value of the segment trait, by its label; the group without it (`null`) last. */
function segmentsOf(counts: readonly SegmentCount[]) {
  const valued = counts.map((row) => ({
    ...row,
    value: row.segment === null ? null : (JSON.parse(row.segment) as unknown),
  }));
  return [...groupBy(valued, (row) => labelOf(row.value))]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([label, rows]) => ({
      value: rows[0]?.value ?? null,
      label: label ?? '(not set)',
      ...summaryOfCounts(rows),
    }));
}

/**
 * Per band of a numeric trait (`[from, to)`; numeric strings count), in ascending order; values that
 * are not numbers, or missing, in the `(not set)` group, last.
 */
function bandsOf(counts: readonly SegmentCount[], bounds: readonly number[]) {
  const bandOf = (row: SegmentCount): number | null => {
    if (row.band !== null) return row.band;
    const value = row.segment === null ? null : (JSON.parse(row.segment) as unknown);
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim()
          ? Number(value)
          : Number.NaN;
    return Number.isFinite(n) ? bounds.filter((bound) => n >= bound).length : null;
  };
  return [...groupBy(counts, bandOf)]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a - b))
    .map(([band, rows]) => {
      const from = band === null || band === 0 ? null : (bounds[band - 1] as number);
      const to = band === null || band === bounds.length ? null : (bounds[band] as number);
      const label =
        band === null
          ? '(not set)'
          : from === null
            ? `< ${to}`
            : to === null
              ? `>= ${from}`
              : `${from}-${to}`;
      return { value: band === null ? null : { from, to }, label, ...summaryOfCounts(rows) };
    });
}

/** An account's `name` trait from its JSON text: null unless it is a string. */
function accountNameOf(json: string | null | undefined): string | null {
  const name: unknown = json == null ? null : JSON.parse(json);
  return typeof name === 'string' ? name : null;
}

/** Per account, most responses first; responses without an account are only in the summary. */
function accountsOf(counts: readonly AccountCount[]) {
  return [...groupBy(counts, (row) => row.accountId)]
    .flatMap(([accountId, rows]) => {
      if (accountId === null) return [];
      return [{ accountId, name: accountNameOf(rows[0]?.accountName), ...summaryOfCounts(rows) }];
    })
    .sort((a, b) => b.responses - a.responses || a.accountId.localeCompare(b.accountId));
}

interface SurveyRates {
  /** `survey_shown` events in the period (every version). */
  displays: number;
  /** Distinct users it was shown to. */
  usersShown: number;
  /** `survey_dismissed` events: closed without a score. */
  dismissals: number;
  usersDismissed: number;
  /** Distinct users with any event in the period. */
  activeUsers: number;
}

/**
 * The widget's display and dismissal counts for a survey, and the active users, in the period: the
 * whole UTC days of the period from the rollups kept at ingestion (survey_prompt_days, user_days),
 * and the partial days at either end, if any, from those hours' events (an index range of at most
 * two days' events, whatever the length of history).
 */
async function surveyRates(
  db: Database,
  workspaceId: string,
  surveyId: string,
  range: Period,
): Promise<SurveyRates> {
  const { days, edges } = splitByDays(range);
  const shown = internalEvent('survey_shown');
  const dismissed = internalEvent('survey_dismissed');
  const edgeEvents = (columns: SQL, where: SQL) =>
    edges.map(
      (edge) => sql`SELECT ${columns} FROM ${events}
        WHERE ${events.workspaceId} = ${workspaceId} AND ${where}
          AND ${events.timestamp} >= ${edge.from} AND ${events.timestamp} < ${edge.to}`,
    );
  const union = (parts: SQL[]) => sql.join(parts, sql` UNION ALL `);
  const p = surveyPromptDays;
  // Whole days: one range of the rollup. A person's first row in the period is the one whose
  // previous day (kept by a trigger, migration 0010) is before it: counting those counts each
  // person once, with no DISTINCT over the period's rows.
  const wholeDays = (name: string) =>
    days === null
      ? sql`SELECT 0 AS n, 0 AS people`
      : sql`SELECT coalesce(sum(${p.events}), 0) AS n,
          coalesce(sum(${p.anonymous} = 0 AND coalesce(${p.previousDay}, -1) < ${days.from}), 0) AS people
        FROM ${p}
        WHERE ${p.workspaceId} = ${workspaceId} AND ${p.surveyId} = ${surveyId} AND ${p.name} = ${name}
          AND ${p.day} >= ${days.from} AND ${p.day} < ${days.to}`;
  const edgeWhere = (name: string) =>
    sql`${events.name} = ${name} AND ${events.type} = 'track'
      AND json_extract(${events.properties}, '$.contentId') = ${surveyId}`;
  // The partial days' people not already counted in the whole days (a probe of their own days).
  const edgePeople = (name: string) =>
    sql`SELECT count(DISTINCT id) FROM (${union(
      edgeEvents(sql`${events.userId} AS id`, sql`${edgeWhere(name)} AND ${events.userId} IS NOT NULL`),
    )}) AS edge
      ${
        days === null
          ? sql``
          : sql`WHERE NOT EXISTS (SELECT 1 FROM ${p}
        WHERE ${p.workspaceId} = ${workspaceId} AND ${p.surveyId} = ${surveyId} AND ${p.name} = ${name}
          AND ${p.anonymous} = 0 AND ${p.subjectId} = edge.id AND ${p.day} >= ${days.from} AND ${p.day} < ${days.to})`
      }`;
  const prompts = async (name: string) => {
    const edgeCount =
      edges.length === 0
        ? sql`0`
        : sql`(SELECT count(*) FROM (${union(edgeEvents(sql`1`, edgeWhere(name)))}))`;
    const edgeUsers = edges.length === 0 ? sql`0` : sql`(${edgePeople(name)})`;
    const [row] = await db.reports.all<{ count: number; users: number }>(sql`
      SELECT days.n + ${edgeCount} AS count, days.people + ${edgeUsers} AS users
      FROM (${wholeDays(name)}) AS days`);
    return { count: row?.count ?? 0, users: row?.users ?? 0 };
  };
  // Each active user once: the whole days from `user_day_gaps` (a user's first active day of the
  // period is the one whose previous active day is before it: one range of at most days^2 rows, kept
  // by a trigger, migration 0012), then the users of each partial day (that day's `user_days` rows)
  // with an event in its hours and no whole day of the period: bounded by two days of traffic.
  const active = async () => {
    const gaps = userDayGaps;
    const d = userDays;
    const whole =
      days === null
        ? sql`0`
        : sql`(SELECT coalesce(sum(${gaps.users}), 0) FROM ${gaps}
            WHERE ${gaps.workspaceId} = ${workspaceId} AND ${gaps.day} >= ${days.from} AND ${gaps.day} < ${days.to}
              AND ${gaps.previousDay} < ${days.from})`;
    const edgeUsers = edges.map((edge) => {
      const day = Math.floor(edge.from / dayMs);
      return sql`SELECT ${d.userId} AS id FROM ${d} INDEXED BY user_days_day
        WHERE ${d.workspaceId} = ${workspaceId} AND ${d.day} = ${day}
          AND EXISTS (SELECT 1 FROM ${events} WHERE ${events.workspaceId} = ${workspaceId}
            AND ${events.userId} = ${d.userId} AND ${events.timestamp} >= ${edge.from} AND ${events.timestamp} < ${edge.to})
          ${
            days === null
              ? sql``
              : sql`AND NOT EXISTS (SELECT 1 FROM ${userDays} AS w WHERE w.workspace_id = ${workspaceId}
              AND w.user_id = ${d.userId} AND w.day >= ${days.from} AND w.day < ${days.to})`
          }`;
    });
    const partial =
      edgeUsers.length === 0 ? sql`0` : sql`(SELECT count(*) FROM (${sql.join(edgeUsers, sql` UNION `)}))`;
    const [row] = await db.reports.all<{ users: number }>(sql`SELECT ${whole} + ${partial} AS users`);
    return row?.users ?? 0;
  };
  const [displays, dismissals, activeUsers] = await Promise.all([
    prompts(shown),
    prompts(dismissed),
    active(),
  ]);
  return {
    displays: displays.count,
    usersShown: displays.users,
    dismissals: dismissals.count,
    usersDismissed: dismissals.users,
    activeUsers,
  };
}

/**
 * - `responseRate`: respondents / users shown (above 1 if answers arrive without displays, e.g. sent
 *   from a server);
 * - `dismissalRate`: users who dismissed / users shown;
 * - `displayRate`: users shown / active users.
 * Each is null when its denominator is 0.
 */
function ratesOf(rates: SurveyRates, respondents: number) {
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    responseRate: ratio(respondents, rates.usersShown),
    dismissalRate: ratio(rates.usersDismissed, rates.usersShown),
    displayRate: ratio(rates.usersShown, rates.activeUsers),
  };
}

// --- Verbatims ----------------------------------------------------------------------------------

/** What the verbatims, the CSV export and the detractor signal select responses by. */
export interface ResponseFilter {
  /** One survey; every survey of the workspace when absent. */
  surveyId?: string;
  range: Period;
  group?: NpsGroup | undefined;
  /** A trait and the label of its value (null: the trait is missing). */
  segment?: { trait: string; value: string | null } | undefined;
  accountId?: string | undefined;
  q?: string | undefined;
  hasComment?: boolean | undefined;
}

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

export interface Verbatim {
  id: string;
  surveyId: string;
  version: number;
  userId: string;
  accountId: string | null;
  score: number;
  group: NpsGroup;
  comment: string | null;
  /** ISO 8601: when the score was first given. */
  respondedAt: string;
}

/** `100%` as a LIKE pattern that matches the text `100%` anywhere (escape character: `\`). */
const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filterConditions(workspaceId: string, filter: ResponseFilter): Array<SQL | undefined> {
  const { segment } = filter;
  const trait = segment ? traitJson(traitOf(segment.trait)) : null;
  return [
    eq(surveyResponses.workspaceId, workspaceId),
    filter.surveyId === undefined ? undefined : eq(surveyResponses.surveyId, filter.surveyId),
    gte(surveyResponses.respondedAt, filter.range.from),
    lt(surveyResponses.respondedAt, filter.range.to),
    filter.group === undefined
      ? undefined
      : inArray(
          surveyResponses.score,
          scores.filter((score) => npsGroupOf(score) === filter.group),
        ),
    filter.accountId === undefined ? undefined : eq(surveyResponses.accountId, filter.accountId),
    !filter.q ? undefined : sql`${surveyResponses.comment} LIKE ${containsPattern(filter.q)} ESCAPE '\\'`,
    filter.hasComment === undefined
      ? undefined
      : filter.hasComment
        ? isNotNull(surveyResponses.comment)
        : isNull(surveyResponses.comment),
    // The label is the JSON text of a number or boolean (`3`, `true`), or a string as it is.
    !segment || !trait
      ? undefined
      : segment.value === null
        ? or(isNull(trait), eq(trait, 'null'))
        : or(eq(trait, segment.value), eq(trait, sql`json_quote(${segment.value})`)),
  ];
}

const scores = Array.from({ length: 11 }, (_, score) => score);

/**
 * Responses matching a filter, newest first (by `respondedAt`, then id), from just after `after`:
 * every response, not only each person's latest.
 */
export async function listResponses(
  db: Database,
  workspaceId: string,
  filter: ResponseFilter,
  page: { limit?: number; after?: Cursor | undefined } = {},
): Promise<Verbatim[]> {
  const { after } = page;
  let query = db.reports
    .select({
      id: surveyResponses.id,
      surveyId: surveyResponses.surveyId,
      version: surveyResponses.version,
      userId: surveyResponses.userId,
      accountId: surveyResponses.accountId,
      score: surveyResponses.score,
      comment: surveyResponses.comment,
      respondedAt: surveyResponses.respondedAt,
    })
    .from(surveyResponses)
    .leftJoin(
      users,
      and(eq(users.workspaceId, surveyResponses.workspaceId), eq(users.id, surveyResponses.userId)),
    )
    .leftJoin(
      accounts,
      and(eq(accounts.workspaceId, surveyResponses.workspaceId), eq(accounts.id, surveyResponses.accountId)),
    )
    .where(
      and(
        ...filterConditions(workspaceId, filter),
        after === undefined
          ? undefined
          : sql`(${surveyResponses.respondedAt}, ${surveyResponses.id}) < (${after.respondedAt}, ${after.id})`,
      ),
    )
    .orderBy(desc(surveyResponses.respondedAt), desc(surveyResponses.id))
    .$dynamic();
  if (page.limit !== undefined) query = query.limit(page.limit);
  const rows = await query;
  return rows.map((row) => ({
    ...row,
    group: npsGroupOf(row.score),
    respondedAt: new Date(row.respondedAt).toISOString(),
  }));
}

/** The cursor that continues after this response. */
const cursorAfter = (response: Verbatim): string =>
  Buffer.from(JSON.stringify([Date.parse(response.respondedAt), response.id])).toString('base64url');

/**
 * One page of verbatims, and `next`: the `cursor` query parameter of the page after it (null on
 * the last page).
 *
 * @example
 * const { responses, next } = await responsesPage(db, ws, filter, { limit: 50 })
 */
export async function responsesPage(
  db: Database,
  workspaceId: string,
  filter: ResponseFilter,
  page: { limit: number; after?: Cursor | undefined },
) {
  const rows = await listResponses(db, workspaceId, filter, { limit: page.limit + 1, after: page.after });
  const responses = rows.slice(0, page.limit);
  const last = responses.at(-1);
  return { responses, next: rows.length > page.limit && last ? cursorAfter(last) : null };
}

// --- CSV export ---------------------------------------------------------------------------------

export const csvHeader = [
  'response_id',
  'survey_id',
  'version',
  'user_id',
  'account_id',
  'score',
  'group',
  'comment',
  'responded_at',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
 * is prefixed with `'` first (OWASP's advice against CSV injection).
 *
 * @example
 * csvField('=HYPERLINK("x")') // "'=HYPERLINK(""x"")"  (quoted, since it holds quotes)
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A CSV record, CRLF-terminated as RFC 4180 has it. */
const csvRecord = (fields: ReadonlyArray<string | number | null>): string =>
  `${fields.map(csvField).join(',')}\r\n`;

const csvPageSize = 5000;

/**
 * Every response matching the filter as CSV (header first), streamed a page at a time so a large
 * export never sits in memory whole.
 */
export function responsesCsv(
  db: Database,
  workspaceId: string,
  filter: ResponseFilter,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: Cursor | undefined;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRecord(csvHeader)));
    },
    async pull(controller) {
      if (done) return;
      const rows = await listResponses(db, workspaceId, filter, { limit: csvPageSize, after });
      const last = rows.at(-1);
      if (last) {
        after = { respondedAt: Date.parse(last.respondedAt), id: last.id };
        const lines = rows.map((r) =>
          csvRecord([
            r.id,
            r.surveyId,
            r.version,
            r.userId,
            r.accountId,
            r.score,
            r.group,
            r.comment,
            r.respondedAt,
          ]),
        );
        controller.enqueue(encoder.encode(lines.join('')));
      }
      if (rows.length < csvPageSize) {
        done = true;
        controller.close();
      }
    },
  });
}

// --- Signals for account health -----------------------------------------------------------------

/**
 * Every detractor response (score 0-6) of any survey since `since` (epoch ms), newest first: a
 * playbook trigger of its own (README, "Account health, adoption and alerts").
 *
 * @example
 * await detractorResponses(db, 'ws1', now - 30 * dayMs) // [{ userId, accountId, score: 3, comment, ... }]
 */
export function detractorResponses(db: Database, workspaceId: string, since: number): Promise<Verbatim[]> {
  return listResponses(db, workspaceId, {
    range: { from: since, to: Number.MAX_SAFE_INTEGER },
    group: 'detractor',
  });
}

/**
 * What account health reads from NPS: detractor responses since `since` (default 30 days ago) and
 * accounts whose NPS dropped (see accountNpsDrops).
 */
export async function npsSignals(db: Database, workspaceId: string, query: NpsSignalsQuery, now: number) {
  const since = query.since === undefined ? now - 30 * dayMs : startOf(query.since);
  const [detractors, accountDrops] = await Promise.all([
    detractorResponses(db, workspaceId, since),
    accountNpsDrops(db, workspaceId, {
      now,
      windowDays: query.windowDays,
      minDrop: query.minDrop,
      minResponses: query.minResponses,
    }),
  ]);
  return { since: new Date(since).toISOString(), detractors, accountDrops };
}

export interface AccountNpsDrop {
  accountId: string;
  /** The account's `name` trait, if it has one. */
  name: string | null;
  current: { nps: number; responses: number };
  previous: { nps: number; responses: number };
  /** previous.nps - current.nps, in points. */
  drop: number;
}

/**
 * Accounts whose NPS fell by at least `minDrop` points from the previous window to the current one
 * (each `windowDays` long, the current ending at `now`): each person's latest response in a window,
 * across every survey, counts for the account of that response. Both windows need `minResponses`.
 * Largest drop first.
 *
 * @example
 * await accountNpsDrops(db, 'ws1', { now }) // [{ accountId: 'acme', current: { nps: -50, responses: 2 }, ... }]
 */
export async function accountNpsDrops(
  db: Database,
  workspaceId: string,
  options: { now: number; windowDays?: number; minDrop?: number; minResponses?: number },
): Promise<AccountNpsDrop[]> {
  const { now, windowDays = 90, minDrop = 10, minResponses = 1 } = options;
  const split = now - windowDays * dayMs;
  const counts = await latestCounts(
    db,
    workspaceId,
    null,
    [
      { key: 'previous', start: split - windowDays * dayMs, stop: split },
      { key: 'current', start: split, stop: now },
    ],
    { detail: true },
  );
  const drops: AccountNpsDrop[] = [];
  for (const [accountId, rows] of groupBy(counts, (row) => row.accountId)) {
    if (accountId === null) continue;
    const current = summaryOfCounts(rows.filter((row) => row.bucket === 'current'));
    const previous = summaryOfCounts(rows.filter((row) => row.bucket === 'previous'));
    if (current.nps === null || previous.nps === null) continue;
    if (Math.min(current.responses, previous.responses) < minResponses) continue;
    const drop = round2(previous.nps - current.nps);
    if (drop < minDrop) continue;
    drops.push({
      accountId,
      name: accountNameOf(rows[0]?.accountName),
      current: { nps: current.nps, responses: current.responses },
      previous: { nps: previous.nps, responses: previous.responses },
      drop,
    });
  }
  return drops.sort((a, b) => b.drop - a.drop || a.accountId.localeCompare(b.accountId));
}
