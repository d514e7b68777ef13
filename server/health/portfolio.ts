import { and, asc, desc, eq, gte, like, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { jsonTextString } from '../db/json-text.ts';
import { accountHealth, accountHealthCurrent, accounts } from '../db/schema.ts';
import { pagedCsv } from '../http/csv.ts';

/** The columns the portfolio sorts by (`sort`, `-` first for descending). */
export const sortable = {
  score: accountHealthCurrent.score,
  trend7: accountHealthCurrent.trend7,
  trend30: accountHealthCurrent.trend30,
  arr: accountHealthCurrent.arr,
  renewalDate: accountHealthCurrent.renewalDate,
  accountId: accountHealthCurrent.accountId,
} as const;

/** What the portfolio is filtered and sorted by (routes/health.ts validates it). */
export interface PortfolioFilter {
  band?: 'red' | 'yellow' | 'green' | 'insufficient' | undefined;
  segment?: string | undefined;
  stage?: string | undefined;
  /** Accounts whose id starts with this text. */
  search?: string | undefined;
  /** A key of `sortable`, `-` first for descending. */
  sort: string;
}

/**
 * The portfolio's accounts (each one's newest snapshot) matching the filters, in the order asked:
 * a page of them for the list, pages of them for the CSV export, and how many there are.
 */
export function portfolioOf(db: Database, workspaceId: string, q: PortfolioFilter) {
  const t = accountHealthCurrent;
  const where = and(
    eq(t.workspaceId, workspaceId),
    q.band === undefined ? undefined : eq(t.band, q.band),
    q.segment === undefined ? undefined : eq(t.segment, q.segment),
    q.stage === undefined ? undefined : eq(t.stage, q.stage),
    q.search === undefined ? undefined : like(t.accountId, `${q.search.replace(/[\\%_]/g, '\\$&')}%`),
  );
  const descending = q.sort.startsWith('-');
  const column = sortable[q.sort.replace('-', '') as keyof typeof sortable];
  // Nulls (no score, no ARR) last either way, then a stable tie-break.
  const order = [sql`${column} IS NULL`, descending ? desc(column) : asc(column), asc(t.accountId)];
  return {
    page: (limit: number, offset: number) =>
      db.reports
        .select({
          accountId: t.accountId,
          // As JSON text, parsed here (server/db/json-text.ts says why).
          name: sql<string | null>`(SELECT a.traits -> '$.name' FROM accounts a
            WHERE a.workspace_id = ${t.workspaceId} AND a.id = ${t.accountId})`.mapWith(jsonTextString),
          day: t.day,
          score: t.score,
          band: t.band,
          coverage: t.coverage,
          trend7: t.trend7,
          trend30: t.trend30,
          arr: t.arr,
          renewalDate: t.renewalDate,
          stage: t.stage,
          segment: t.segment,
          topDriver: t.topDriver,
          modelVersion: t.modelVersion,
        })
        .from(t)
        .where(where)
        .orderBy(...order)
        .limit(limit)
        .offset(offset),
    count: async () =>
      (await db.reports.select({ n: sql<number>`count(*)` }).from(t).where(where))[0]?.n ?? 0,
  };
}

const portfolioCsvColumns = [
  'account_id',
  'name',
  'score',
  'band',
  'trend_7d',
  'trend_30d',
  'coverage',
  'arr',
  'renewal_date',
  'stage',
  'segment',
  'top_driver',
  'day',
] as const;

/** The portfolio as CSV (README, "Console": RFC 4180, formula-safe), read a page at a time. */
export function portfolioCsv(portfolio: ReturnType<typeof portfolioOf>): ReadableStream<Uint8Array> {
  return pagedCsv(portfolioCsvColumns, portfolio.page, (r) => [
    r.accountId,
    r.name,
    r.score,
    r.band,
    r.trend7,
    r.trend30,
    r.coverage,
    r.arr,
    r.renewalDate,
    r.stage,
    r.segment,
    r.topDriver,
    r.day,
  ]);
}

/** The five accounts whose score moved most against 7 days before, in one direction. */
export function movers(db: Database, workspaceId: string, direction: 'falling' | 'rising') {
  const t = accountHealthCurrent;
  return db.reports
    .select({
      accountId: t.accountId,
      score: t.score,
      band: t.band,
      trend7: t.trend7,
      topDriver: t.topDriver,
    })
    .from(t)
    .where(
      and(
        eq(t.workspaceId, workspaceId),
        direction === 'falling' ? sql`${t.trend7} < 0` : sql`${t.trend7} > 0`,
      ),
    )
    .orderBy(direction === 'falling' ? asc(t.trend7) : desc(t.trend7), asc(t.accountId))
    .limit(5);
}

/** An account's daily snapshots from `fromDay` (YYYY-MM-DD) on, oldest first. */
export function healthHistory(db: Database, workspaceId: string, accountId: string, fromDay: string) {
  return db.reports
    .select({
      day: accountHealth.day,
      score: accountHealth.score,
      band: accountHealth.band,
      detail: accountHealth.detail,
      modelVersion: accountHealth.modelVersion,
      profile: accountHealth.profile,
      stage: accountHealth.stage,
      segment: accountHealth.segment,
      coverage: accountHealth.coverage,
    })
    .from(accountHealth)
    .where(
      and(
        eq(accountHealth.workspaceId, workspaceId),
        eq(accountHealth.accountId, accountId),
        gte(accountHealth.day, fromDay),
      ),
    )
    .orderBy(asc(accountHealth.day));
}

/** An account's traits and when it was first and last seen, or undefined when it is not known. */
export async function accountTraits(db: Database, workspaceId: string, accountId: string) {
  const [account] = await db.read
    .select({ traits: accounts.traits, firstSeen: accounts.firstSeen, lastSeen: accounts.lastSeen })
    .from(accounts)
    .where(and(eq(accounts.workspaceId, workspaceId), eq(accounts.id, accountId)));
  return account;
}

/** How many accounts, and how much ARR, each band holds now. */
export function bandTotals(db: Database, workspaceId: string) {
  const t = accountHealthCurrent;
  return db.reports
    .select({
      band: t.band,
      accounts: sql<number>`count(*)`,
      arr: sql<number>`coalesce(sum(${t.arr}), 0)`,
    })
    .from(t)
    .where(eq(t.workspaceId, workspaceId))
    .groupBy(t.band);
}
