import { type SQL, sql } from 'drizzle-orm';
import { dayMs, groupBy } from '../analytics/stats.ts';
import type { Database } from '../db/client.ts';
import { accounts, surveyResponses, users } from '../db/schema.ts';
import { round2, summaryOfCounts } from './nps-score.ts';
import { type Bucket, type Period, startOf } from './periods.ts';
import type { NpsSignalsQuery } from './queries.ts';
import { accountNameOf, type Trait, traitJson } from './traits.ts';
import { listResponses, type Verbatim } from './verbatims.ts';

/**
 * What account health reads from NPS (README, "Account health, adoption and alerts"): detractor
 * responses, accounts whose NPS dropped, and each account's NPS and detractors as health's
 * measures and alerts count them.
 */

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
export async function latestCounts(
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

/**
 * Per account, the NPS counts of its members' latest answers in `range` (each person once, by their
 * latest answer of any survey, counted for that answer's account): what health's `accountNps`
 * measure scores and its advocacy fact reads (`best`: the highest score).
 *
 * @example
 * await accountNps(db, 'ws1', { from: now - 180 * dayMs, to: now }) // Map { 'acme' => { n: 2, promoters: 1, detractors: 1, best: 10 } }
 */
export async function accountNps(db: Database, workspaceId: string, range: Period) {
  const answers = await db.reports.all<{ user_id: string; account_id: string; score: number }>(sql`
      SELECT user_id, account_id, score FROM survey_responses
      WHERE workspace_id = ${workspaceId} AND account_id IS NOT NULL
        AND responded_at >= ${range.from} AND responded_at < ${range.to}
      ORDER BY responded_at, id`);
  // Latest answer per person (later rows overwrite earlier ones), then counted per account.
  const latest = new Map<string, { account: string; score: number }>();
  for (const row of answers) latest.set(row.user_id, { account: row.account_id, score: row.score });
  const nps = new Map<string, { n: number; promoters: number; detractors: number; best: number }>();
  for (const { account, score } of latest.values()) {
    const entry = nps.get(account) ?? { n: 0, promoters: 0, detractors: 0, best: 0 };
    entry.n++;
    if (score >= 9) entry.promoters++;
    else if (score <= 6) entry.detractors++;
    entry.best = Math.max(entry.best, score);
    nps.set(account, entry);
  }
  return nps;
}

/**
 * Per account, its members' detractor answers (0-6) given in `range`: how many and the lowest score,
 * what health's alerts fire on for a day.
 *
 * @example
 * await accountDetractors(db, 'ws1', { from: dayStart, to: dayStart + dayMs }) // Map { 'acme' => { count: 1, lowest: 3 } }
 */
export async function accountDetractors(db: Database, workspaceId: string, range: Period) {
  const rows = await db.reports.all<{ account_id: string; count: number; lowest: number }>(sql`
    SELECT account_id, count(*) AS count, min(score) AS lowest FROM survey_responses
    WHERE workspace_id = ${workspaceId} AND account_id IS NOT NULL AND score <= 6
      AND responded_at >= ${range.from} AND responded_at < ${range.to}
    GROUP BY account_id`);
  return new Map(rows.map((r) => [r.account_id, { count: r.count, lowest: r.lowest }]));
}
