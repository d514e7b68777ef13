import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import type { CoreFeatureService } from './core-features.ts';
import { featureUsers } from './feature-days.ts';

const dayMs = 86_400_000;

export const adoptionQuery = z.object({
  /** The window, in whole UTC days ending with today's (default 30). */
  days: z.coerce.number().int().min(7).max(90).default(30),
});

/** Pendo's frequency bands of active days in the window (defined on 30 days): 1-4, 5-12, 13+. */
const bands = [
  { band: '1-4', from: 1, to: 4 },
  { band: '5-12', from: 5, to: 12 },
  { band: '13+', from: 13, to: Number.POSITIVE_INFINITY },
] as const;

/**
 * Product adoption over a window (README, "Account health, adoption and alerts"):
 * - active users from the daily rollup (`user_days`: active on a day with any event): MAU (distinct
 *   users in the window), WAU (in its last 7 days), DAU (the window's mean), stickiness = DAU ÷ MAU,
 *   active days per active user, and users per frequency band;
 * - per core feature: users and accounts that used it, adoption rate = users ÷ active users (and
 *   accounts ÷ active accounts), depth = share of the window before's adopters who used it again;
 * - breadth: the mean share of core features used by active accounts.
 */
export async function adoptionReport(
  db: Database,
  features: CoreFeatureService,
  workspaceId: string,
  query: z.infer<typeof adoptionQuery>,
  now: number,
) {
  const end = Math.floor(now / dayMs) + 1; // exclusive: today counts
  const start = end - query.days;
  const [active, weekly, definitions] = await Promise.all([
    // The window's days by their index, counted per user before the join: left to itself the planner
    // walks the workspace's every user-day (all history) in user order to skip a sort. One JSON
    // array: tens of thousands of rows cross from the read worker as one string.
    db.reports.all<{ rows: string }>(sql`
      SELECT json_group_array(json_array(active.user_id, active.days, u.account_id)) AS rows FROM (
        SELECT user_id, count(*) AS days FROM user_days INDEXED BY user_days_day
        WHERE workspace_id = ${workspaceId} AND day >= ${start} AND day < ${end}
        GROUP BY user_id
      ) active LEFT JOIN users u ON u.workspace_id = ${workspaceId} AND u.id = active.user_id`),
    db.reports.all<{ n: number }>(sql`
      SELECT count(DISTINCT user_id) AS n FROM user_days
      WHERE workspace_id = ${workspaceId} AND day >= ${end - 7} AND day < ${end}`),
    features.list(workspaceId),
  ]);
  const perUser = (JSON.parse(active[0]?.rows ?? '[]') as Array<[string, number, string | null]>).map(
    ([user_id, days, account_id]) => ({ user_id, days, account_id }),
  );
  const mau = perUser.length;
  const userDays = perUser.reduce((sum, row) => sum + row.days, 0);
  const dau = userDays / query.days;
  const activeAccounts = new Set(perUser.flatMap((row) => (row.account_id === null ? [] : [row.account_id])));

  const windowMs = query.days * dayMs;
  const [now_, before] = await Promise.all([
    featureUsers(db, workspaceId, definitions, start * dayMs, end * dayMs),
    featureUsers(db, workspaceId, definitions, start * dayMs - windowMs, start * dayMs),
  ]);
  const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  const usedBy = new Map<string, Set<string>>();
  const perFeature = definitions.map((feature) => {
    const users = now_.get(feature.key) ?? new Map<string, string>();
    const earlier = before.get(feature.key) ?? new Map<string, string>();
    const accounts = new Set(users.values());
    for (const account of accounts) {
      const used = usedBy.get(account) ?? new Set<string>();
      used.add(feature.key);
      usedBy.set(account, used);
    }
    const returning = [...earlier.keys()].filter((user) => users.has(user)).length;
    return {
      key: feature.key,
      name: feature.name,
      users: users.size,
      accounts: accounts.size,
      adoptionRate: share(users.size, mau),
      accountAdoptionRate: share(accounts.size, activeAccounts.size),
      previousUsers: earlier.size,
      depth: share(returning, earlier.size),
    };
  });
  const breadth =
    definitions.length === 0 || activeAccounts.size === 0
      ? null
      : [...activeAccounts].reduce((sum, account) => sum + (usedBy.get(account)?.size ?? 0), 0) /
        (activeAccounts.size * definitions.length);

  return {
    window: {
      days: query.days,
      from: new Date(start * dayMs).toISOString().slice(0, 10),
      to: new Date((end - 1) * dayMs).toISOString().slice(0, 10),
    },
    activeUsers: { dau, wau: weekly[0]?.n ?? 0, mau },
    stickiness: share(dau, mau),
    activeDaysPerActiveUser: share(userDays, mau),
    frequency: bands.map(({ band, from, to }) => ({
      band,
      users: perUser.filter((row) => row.days >= from && row.days <= to).length,
    })),
    activeAccounts: activeAccounts.size,
    breadth,
    features: perFeature,
  };
}
