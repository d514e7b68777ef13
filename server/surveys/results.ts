import { type SQL, sql } from 'drizzle-orm';
import { errorCodes } from '../../shared/problem.ts';
import { dayMs, groupBy } from '../analytics/stats.ts';
import type { Database } from '../db/client.ts';
import { accounts, surveyResponses, users } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { summaryOfCounts } from './nps-score.ts';
import { type Bucket, bucketsOf, periodOf } from './periods.ts';
import type { NpsResultsQuery } from './queries.ts';
import { ratesOf, surveyRates } from './rates.ts';
import { accountNameOf, labelOf, type Trait, traitOf } from './traits.ts';

/**
 * NPS results for CS teams (README, "NPS surveys"): the score with its 95% interval, the
 * 0-10 distribution, response and dismissal rates, a trend, segments, accounts and verbatims.
 * A period counts each person's latest response in it once; dismissals are shown, never counted
 * as responses.
 */
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

/** Per account, most responses first; responses without an account are only in the summary. */
function accountsOf(counts: readonly AccountCount[]) {
  return [...groupBy(counts, (row) => row.accountId)]
    .flatMap(([accountId, rows]) => {
      if (accountId === null) return [];
      return [{ accountId, name: accountNameOf(rows[0]?.accountName), ...summaryOfCounts(rows) }];
    })
    .sort((a, b) => b.responses - a.responses || a.accountId.localeCompare(b.accountId));
}
