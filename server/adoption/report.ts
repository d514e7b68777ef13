import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { CoreFeature } from '../../shared/schemas/core-feature.ts';
import type { Database } from '../db/client.ts';
import type { CoreFeatureService } from './core-features.ts';
import { featureUsers, isRollable } from './feature-days.ts';
import { adoptionSeries } from './series.ts';

const dayMs = 86_400_000;

export const adoptionQuery = z.object({
  /** The window, in whole UTC days ending with today's (default 30). */
  days: z.coerce.number().int().min(7).max(90).default(30),
  /** `series`: also each day's DAU, WAU, MAU and stickiness (the console's chart, in the same answer). */
  include: z.literal('series', { error: 'must be series' }).optional(),
});

/**
 * Pendo's frequency bands of active days in the window (defined on 30 days): 1-4, 5-12, 13+, each
 * from its least number of days (`activity_days` counts users by their 1st, 5th and 13th most recent day).
 */
const bands = [
  { band: '1-4', from: 1 },
  { band: '5-12', from: 5 },
  { band: '13+', from: 13 },
] as const;

/** One core feature's use: in the window, in the window before, and both (returning users). */
interface FeatureCounts {
  users: number;
  accounts: number;
  previousUsers: number;
  returning: number;
  /** The accounts that used it and are active (current members active in the window). */
  activeAccounts: number;
}

/** What the report is made of, whichever way it was counted. */
interface Counts {
  mau: number;
  wau: number;
  userDays: number;
  /** Active users with at least each band's least number of active days in the window, band by band. */
  atLeast: number[];
  activeAccounts: number;
  features: Map<string, FeatureCounts>;
}

interface Window {
  workspaceId: string;
  days: number;
  /** First day (epoch days) and the day after the last (today's). */
  start: number;
  end: number;
  definitions: CoreFeature[];
}

/**
 * Product adoption over a window (README, "Account health, adoption and alerts"):
 * - active users: MAU (distinct users in the window), WAU (in its last 7 days), DAU (the window's
 *   mean), stickiness = DAU ÷ MAU, active days per active user, and users per frequency band;
 * - per core feature: users and accounts that used it, adoption rate = users ÷ active users (and
 *   accounts ÷ active accounts), depth = share of the window before's adopters who used it again;
 * - breadth: the mean share of core features used by active accounts;
 * - with `include=series`, each day's DAU, WAU, MAU and stickiness (server/adoption/series.ts).
 * Counted from the rollups of migration 0013, a few rows per day and core feature; while an
 * event dated after today is stored (a client clock ahead, within the accepted skew) those rollups
 * also see it, and the report counts from the window's user-days instead, as exactly.
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
  const [definitions, [ahead], series] = await Promise.all([
    features.list(workspaceId),
    db.reports.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM activity_days WHERE workspace_id = ${workspaceId} AND day >= ${end}`,
    ),
    query.include === 'series' ? adoptionSeries(db, workspaceId, query.days, now) : undefined,
  ]);
  const window: Window = { workspaceId, days: query.days, start, end, definitions };
  const counts = (ahead?.n ?? 0) > 0 ? await fromUserDays(db, window) : await fromRollups(db, window);

  const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  const dau = counts.userDays / query.days;
  const perFeature = definitions.map((feature) => {
    const used = counts.features.get(feature.key);
    return {
      key: feature.key,
      name: feature.name,
      users: used?.users ?? 0,
      accounts: used?.accounts ?? 0,
      adoptionRate: share(used?.users ?? 0, counts.mau),
      accountAdoptionRate: share(used?.accounts ?? 0, counts.activeAccounts),
      previousUsers: used?.previousUsers ?? 0,
      depth: share(used?.returning ?? 0, used?.previousUsers ?? 0),
    };
  });
  const breadth =
    definitions.length === 0 || counts.activeAccounts === 0
      ? null
      : [...counts.features.values()].reduce((sum, used) => sum + used.activeAccounts, 0) /
        (counts.activeAccounts * definitions.length);

  return {
    window: {
      days: query.days,
      from: new Date(start * dayMs).toISOString().slice(0, 10),
      to: new Date((end - 1) * dayMs).toISOString().slice(0, 10),
    },
    activeUsers: { dau, wau: counts.wau, mau: counts.mau },
    stickiness: share(dau, counts.mau),
    activeDaysPerActiveUser: share(counts.userDays, counts.mau),
    frequency: bands.map(({ band }, i) => ({
      band,
      users: (counts.atLeast[i] ?? 0) - (counts.atLeast[i + 1] ?? 0),
    })),
    activeAccounts: counts.activeAccounts,
    breadth,
    features: perFeature,
    ...(series === undefined ? {} : { series: series.days }),
  };
}

/**
 * The counts from the rollups, for a window ending today with nothing stored after it:
 * - a user has at least k active days in it when their k-th most recent active day is in it
 *   (`activity_days` counts users by their 1st, 5th and 13th most recent day), and its user-days
 *   are its days' active users;
 * - an account is active when its current members' latest active day is in it (`account_activity`,
 *   counted per day in `activity_days`);
 * - a user used a feature in a run of days when one of their uses there follows their previous one
 *   by more days than the run had before it (`feature_gaps`: one such row per user; a first use, or
 *   one 200 days or more after the previous, is stored as 200, beyond the reach of two 90-day
 *   windows), and came back when a use in the window follows one in the window before; a user's account is that of their
 *   latest use (`feature_users`), and an account used the feature when the latest of those is in
 *   the window (`feature_accounts`), and an active account that used it when the earlier of that
 *   day and its latest active day is (both counted per day in `feature_account_days`).
 * Features being rebuilt, or matching relative to now, are read as `featureUsers` reads them.
 */
async function fromRollups(db: Database, window: Window): Promise<Counts> {
  const { workspaceId, days, start, end, definitions } = window;
  const rolled = await rolledUp(db, workspaceId, definitions);
  const ids = sql.join(
    [...rolled].map((feature) => sql`${feature.id}`),
    sql`, `,
  );
  const [[activity], gaps, adopters] = await Promise.all([
    db.reports.all<{
      user_days: number;
      mau: number;
      wau: number;
      fifth: number;
      thirteenth: number;
      accounts: number;
    }>(sql`
      SELECT coalesce(sum(active), 0) AS user_days, coalesce(sum(latest), 0) AS mau,
        coalesce(sum(CASE WHEN day >= ${end - 7} THEN latest END), 0) AS wau,
        coalesce(sum(fifth), 0) AS fifth, coalesce(sum(thirteenth), 0) AS thirteenth,
        coalesce(sum(accounts), 0) AS accounts
      FROM activity_days WHERE workspace_id = ${workspaceId} AND day >= ${start} AND day < ${end}`),
    rolled.size === 0
      ? []
      : db.reports.all<{ feature_id: string; users: number; previous: number; came_back: number }>(sql`
          SELECT feature_id,
            coalesce(sum(CASE WHEN day >= ${start} AND gap > day - ${start} THEN users END), 0) AS users,
            coalesce(sum(CASE WHEN day < ${start} AND gap > day - ${start - days} THEN users END), 0) AS previous,
            coalesce(sum(CASE WHEN day >= ${start} AND gap > day - ${start}
              AND gap <= day - ${start - days} THEN users END), 0) AS came_back
          FROM feature_gaps
          WHERE workspace_id = ${workspaceId} AND feature_id IN (${ids}) AND day >= ${start - days} AND day < ${end}
          GROUP BY feature_id`),
    rolled.size === 0
      ? []
      : db.reports.all<{ feature_id: string; accounts: number; active: number }>(sql`
          SELECT feature_id, sum(accounts) AS accounts, sum(active) AS active FROM feature_account_days
          WHERE workspace_id = ${workspaceId} AND feature_id IN (${ids}) AND day >= ${start} AND day < ${end}
          GROUP BY feature_id`),
  ]);
  const gapsOf = new Map(gaps.map((row) => [row.feature_id, row]));
  const adoptersOf = new Map(adopters.map((row) => [row.feature_id, row]));
  const counted = new Map<string, FeatureCounts>(
    [...rolled].map((feature) => {
      const gap = gapsOf.get(feature.id);
      const adopter = adoptersOf.get(feature.id);
      return [
        feature.key,
        {
          users: gap?.users ?? 0,
          accounts: adopter?.accounts ?? 0,
          previousUsers: gap?.previous ?? 0,
          returning: gap?.came_back ?? 0,
          activeAccounts: adopter?.active ?? 0,
        },
      ];
    }),
  );
  const rest = definitions.filter((feature) => !rolled.has(feature));
  if (rest.length > 0) {
    const active = await db.reports.all<{ account_id: string }>(sql`
      SELECT account_id FROM account_activity WHERE workspace_id = ${workspaceId} AND latest >= ${start}`);
    const read = await fromEvents(
      db,
      { ...window, definitions: rest },
      new Set(active.map((a) => a.account_id)),
    );
    for (const [key, used] of read) counted.set(key, used);
  }
  return {
    mau: activity?.mau ?? 0,
    wau: activity?.wau ?? 0,
    userDays: activity?.user_days ?? 0,
    atLeast: [activity?.mau ?? 0, activity?.fifth ?? 0, activity?.thirteenth ?? 0],
    activeAccounts: activity?.accounts ?? 0,
    features: counted,
  };
}

/** The features whose rollups are complete (not being rebuilt, and not matching relative to now). */
async function rolledUp(db: Database, workspaceId: string, definitions: CoreFeature[]) {
  if (definitions.length === 0) return new Set<CoreFeature>();
  const rebuilding = new Set(
    (
      await db.reports.all<{ feature_id: string }>(
        sql`SELECT feature_id FROM feature_rebuilds WHERE workspace_id = ${workspaceId}`,
      )
    ).map((row) => row.feature_id),
  );
  return new Set(definitions.filter((f) => !rebuilding.has(f.id) && isRollable(f.events)));
}

/**
 * The counts from the window's user-days (each active user with their active days and current
 * account) and the features' users per period as `featureUsers` reads them: linear in the window's
 * users, so only while the rollups cannot answer (an event stored for a day after today).
 */
async function fromUserDays(db: Database, window: Window): Promise<Counts> {
  const { workspaceId, start, end } = window;
  const [active, weekly] = await Promise.all([
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
  ]);
  const perUser = (JSON.parse(active[0]?.rows ?? '[]') as Array<[string, number, string | null]>).map(
    ([user_id, days, account_id]) => ({ user_id, days, account_id }),
  );
  const activeAccounts = new Set(perUser.flatMap((row) => (row.account_id === null ? [] : [row.account_id])));

  return {
    mau: perUser.length,
    wau: weekly[0]?.n ?? 0,
    userDays: perUser.reduce((sum, row) => sum + row.days, 0),
    atLeast: bands.map(({ from }) => perUser.filter((row) => row.days >= from).length),
    activeAccounts: activeAccounts.size,
    features: await fromEvents(db, window, activeAccounts),
  };
}

/** The features' use per user as `featureUsers` reads it (rollup or events), counted per feature. */
async function fromEvents(
  db: Database,
  { workspaceId, days, start, end, definitions }: Window,
  activeAccounts: ReadonlySet<string>,
): Promise<Map<string, FeatureCounts>> {
  const [now_, before] = await Promise.all([
    featureUsers(db, workspaceId, definitions, start * dayMs, end * dayMs),
    featureUsers(db, workspaceId, definitions, (start - days) * dayMs, start * dayMs),
  ]);
  return new Map(
    definitions.map((feature) => {
      const users = now_.get(feature.key) ?? new Map<string, string>();
      const earlier = before.get(feature.key) ?? new Map<string, string>();
      const accounts = new Set(users.values());
      return [
        feature.key,
        {
          users: users.size,
          accounts: accounts.size,
          previousUsers: earlier.size,
          returning: [...earlier.keys()].filter((user) => users.has(user)).length,
          activeAccounts: [...accounts].filter((account) => activeAccounts.has(account)).length,
        },
      ];
    }),
  );
}
