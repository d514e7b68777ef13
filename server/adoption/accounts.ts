import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import type { AdoptionAccounts } from '../../shared/schemas/adoption.ts';
import { storedText } from '../../shared/schemas/stored-text.ts';
import { dayMs } from '../../shared/time.ts';
import type { Database } from '../db/client.ts';
import { jsonTextString } from '../db/json-text.ts';
import { ApiError } from '../http/api-error.ts';
import { pagedCsv } from '../http/csv.ts';
import type { CoreFeatureService } from './core-features.ts';
import { isRollable } from './feature-days.ts';
import { adoptionQuery } from './report.ts';

const isoDay = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);

/** The heatmap's filters and order, as its CSV export takes them (every matching account). */
export const adoptionAccountsExportQuery = adoptionQuery.extend({
  /** Accounts whose id, or name (any case), starts with this text. */
  q: storedText(z.string().trim().min(1, 'must not be empty').max(200)).optional(),
  /** `account` (its id), `activeUsers` or `feature.<key>` (the share of active users), `-` first for descending. */
  sort: z
    .string()
    .regex(
      /^-?(account|activeUsers|feature\.[a-z0-9][a-z0-9_-]*)$/,
      'must be account, activeUsers or feature.<key>, with - for descending',
    )
    .default('account'),
});

/** A page of the heatmap. */
export const adoptionAccountsQuery = adoptionAccountsExportQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(25),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

type ExportQuery = z.infer<typeof adoptionAccountsExportQuery>;
type Row = AdoptionAccounts['accounts'][number];

/** SQLite's `lower()` folds ASCII letters only: a search must fold the same way to meet the index. */
const lowerAscii = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
/** Above every text that starts with a prefix (byte order: U+10FFFF is the greatest UTF-8 sequence). */
const above = (prefix: string) => `${prefix}\u{10FFFF}`;

/**
 * Core features by account (README, "Adoption"): each account's active users in the window (its
 * current members with a `user_days` day in it) and, per core feature, how many of them used it
 * under this account there (`feature_days`), with that share. A feature being rebuilt, or matching
 * relative to now, is not in the rollup: its cells are null and its column says so (`known`).
 *
 * Ordered by account id, a page reads its accounts from the primary key (a search by id or name
 * prefix from its index), then its members' days and uses by key: a short read whatever the size
 * of the workspace. Ordered by a number, every account is ranked first: the window's user-days by
 * their day index, each joined to its user, and the sorted feature's days in the window: linear in
 * the window's traffic, like the report's fallback, never the events.
 *
 * @example
 * const heatmap = await adoptionAccounts(db, features, 'demo', { days: 30, sort: '-activeUsers' }, Date.now())
 * const [rows, total] = await Promise.all([heatmap.page(25, 0), heatmap.count()])
 */
export async function adoptionAccounts(
  db: Database,
  features: CoreFeatureService,
  workspaceId: string,
  query: ExportQuery,
  now: number,
) {
  const end = Math.floor(now / dayMs) + 1; // exclusive: today counts
  const start = end - query.days;
  const [definitions, rebuilding] = await Promise.all([
    features.list(workspaceId),
    db.reports.all<{ feature_id: string }>(
      sql`SELECT feature_id FROM feature_rebuilds WHERE workspace_id = ${workspaceId}`,
    ),
  ]);
  const busy = new Set(rebuilding.map((row) => row.feature_id));
  const columns = definitions.map((feature) => ({
    feature,
    known: !busy.has(feature.id) && isRollable(feature.events),
  }));

  const descending = query.sort.startsWith('-');
  const sortKey = query.sort.replace(/^-/, '');
  const sortFeature = sortKey.startsWith('feature.')
    ? columns.find((c) => `feature.${c.feature.key}` === sortKey)
    : undefined;
  if (sortKey.startsWith('feature.') && !sortFeature)
    throw new ApiError(400, errorCodes.validationFailed, 'Invalid request', undefined, [
      { pointer: '/sort', detail: 'no core feature has this key' },
    ]);

  // The accounts listed: every one, or those whose id or name starts with the search, each prefix
  // one range of its index (a UNION, so neither is walked in full to apply the other). Every account
  // is read from the primary key's index (the table's own, named by SQLite), never a scan of the table,
  // which statistics of a one-workspace database would prefer.
  const listed =
    query.q === undefined
      ? sql`accounts a INDEXED BY sqlite_autoindex_accounts_1 WHERE a.workspace_id = ${workspaceId}`
      : sql`(SELECT id FROM accounts WHERE workspace_id = ${workspaceId}
            AND id >= ${query.q} AND id < ${above(query.q)}
          UNION SELECT id FROM accounts INDEXED BY accounts_name WHERE workspace_id = ${workspaceId}
            AND lower(json_extract(traits, '$.name')) >= ${lowerAscii(query.q)}
            AND lower(json_extract(traits, '$.name')) < ${above(lowerAscii(query.q))}) matched
        CROSS JOIN accounts a ON a.workspace_id = ${workspaceId} AND a.id = matched.id`;

  /** The accounts of a page, in order: by id from the index, or ranked by a number over every account. */
  const ordered = (limit: number, offset: number) => {
    if (sortKey === 'account')
      return db.reports.all<{ id: string; name: string | null }>(sql`
        SELECT a.id, a.traits -> '$.name' AS name FROM ${listed}
        ORDER BY a.id ${descending ? sql`DESC` : sql`ASC`} LIMIT ${limit} OFFSET ${offset}`);
    // Active users per account: the window's active users (each once) by their current account.
    const active = sql`SELECT u.account_id, count(*) AS users FROM (
        SELECT DISTINCT user_id FROM user_days INDEXED BY user_days_day
        WHERE workspace_id = ${workspaceId} AND day >= ${start} AND day < ${end}
      ) active_users CROSS JOIN users u ON u.workspace_id = ${workspaceId} AND u.id = active_users.user_id
      WHERE u.account_id IS NOT NULL GROUP BY u.account_id`;
    // A feature's users per account: its days in the window under the account its user is now in.
    const used =
      sortFeature?.known === true
        ? sql`SELECT f.account_id, count(DISTINCT f.user_id) AS users FROM feature_days f
            CROSS JOIN users u ON u.workspace_id = f.workspace_id AND u.id = f.user_id AND u.account_id = f.account_id
            WHERE f.workspace_id = ${workspaceId} AND f.feature_id = ${sortFeature.feature.id}
              AND f.day >= ${start} AND f.day < ${end}
            GROUP BY f.account_id`
        : sql`SELECT NULL AS account_id, NULL AS users WHERE 0`;
    const value: SQL =
      sortFeature === undefined
        ? sql`active`
        : sortFeature.known
          ? sql`CASE WHEN active > 0 THEN used * 1.0 / active END`
          : sql`NULL`;
    // The listed accounts and the two counts brought together by one GROUP BY (a join would probe a
    // count per account, with no index to probe it by); no value (nobody active, a feature that
    // cannot be counted) last either way, then by id.
    return db.reports.all<{ id: string; name: string | null }>(sql`
      SELECT id, name FROM (
        SELECT id, max(name) AS name, max(listed) AS listed, sum(active) AS active, sum(used) AS used FROM (
          SELECT a.id, a.traits -> '$.name' AS name, 1 AS listed, 0 AS active, 0 AS used FROM ${listed}
          UNION ALL SELECT account_id, NULL, 0, users, 0 FROM (${active})
          UNION ALL SELECT account_id, NULL, 0, 0, users FROM (${used})
        ) GROUP BY id
      ) WHERE listed = 1
      ORDER BY ${value} IS NULL, ${value} ${descending ? sql`DESC` : sql`ASC`}, id
      LIMIT ${limit} OFFSET ${offset}`);
  };

  /** The page's cells: its accounts' current members active in the window, and their uses, by key. */
  const cells = async (page: Array<{ id: string; name: string | null }>): Promise<Row[]> => {
    if (page.length === 0) return [];
    const rolled = columns.filter((c) => c.known);
    const uses = rolled.map(
      (c, i) => sql`, sum(EXISTS (SELECT 1 FROM feature_days f INDEXED BY feature_days_user
          WHERE f.workspace_id = u.workspace_id AND f.feature_id = ${c.feature.id} AND f.user_id = u.id
            AND f.day >= ${start} AND f.day < ${end} AND f.account_id = u.account_id)) AS ${sql.raw(`f${i}`)}`,
    );
    const rows = await db.reports.all<Record<string, number> & { account_id: string; active: number }>(sql`
      SELECT u.account_id, count(*) AS active ${sql.join(uses, sql``)}
      FROM users u INDEXED BY users_account
      WHERE u.workspace_id = ${workspaceId} AND u.account_id IN (${sql.join(
        page.map((a) => sql`${a.id}`),
        sql`, `,
      )})
        AND EXISTS (SELECT 1 FROM user_days d WHERE d.workspace_id = u.workspace_id AND d.user_id = u.id
          AND d.day >= ${start} AND d.day < ${end})
      GROUP BY u.account_id`);
    const byAccount = new Map(rows.map((row) => [row.account_id, row]));
    return page.map((account) => {
      const row = byAccount.get(account.id);
      const activeUsers = row?.active ?? 0;
      return {
        accountId: account.id,
        name: jsonTextString(account.name),
        activeUsers,
        features: columns.map((c) => {
          if (!c.known) return { key: c.feature.key, users: null, share: null };
          const users = Number(row?.[`f${rolled.indexOf(c)}`] ?? 0);
          return { key: c.feature.key, users, share: activeUsers === 0 ? null : users / activeUsers };
        }),
      };
    });
  };

  return {
    window: { days: query.days, from: isoDay(start), to: isoDay(end - 1) },
    features: columns.map((c) => ({ key: c.feature.key, name: c.feature.name, known: c.known })),
    /** `limit` accounts from `offset`, in order, with their cells. */
    page: async (limit: number, offset: number) => cells(await ordered(limit, offset)),
    /** How many accounts match the search. */
    count: async () =>
      (await db.reports.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${listed}`))[0]?.n ?? 0,
  };
}

/** The heatmap's CSV columns before the features': then `<key>_users` and `<key>_share` per feature. */
const csvColumns = ['account_id', 'name', 'active_users'] as const;

/**
 * The heatmap as CSV records (README, "Console": RFC 4180, formula-safe), header first, read a page
 * at a time so a large book never sits in memory whole.
 */
export function adoptionAccountsCsv(
  heatmap: Awaited<ReturnType<typeof adoptionAccounts>>,
): ReadableStream<Uint8Array> {
  const featureColumns = heatmap.features.flatMap((f) => [`${f.key}_users`, `${f.key}_share`]);
  return pagedCsv([...csvColumns, ...featureColumns], heatmap.page, (r) => [
    r.accountId,
    r.name,
    r.activeUsers,
    ...r.features.flatMap((f) => [f.users, f.share]),
  ]);
}
