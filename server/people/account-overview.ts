import { sql } from 'drizzle-orm';
import { errorCodes } from '../../shared/problem.ts';
import type { AccountOverview } from '../../shared/schemas/people-detail.ts';
import type { CoreFeatureService } from '../adoption/core-features.ts';
import { isRollable } from '../adoption/feature-days.ts';
import { subjectProgress } from '../analytics/time-to-value.ts';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/api-error.ts';
import {
  checklistProgress,
  dayMs,
  type EventsShown,
  isoDay,
  latestEvents,
  npsAnswers,
} from './page-reads.ts';

/** The days the account page's activity covers: the 18 weeks of the score's history (README, "Console"). */
export const activityDays = 126;
/** The window of "used" on the account page: the health score's (README, "Account health"). */
export const featureWindowDays = 30;

const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

/**
 * Everything an account's page draws but its health score (README, "Console"), each part one short
 * indexed read: the account and its members, milestones and time to value; its current members'
 * active days (`user_days`, by primary key per member) as active users per day and per 30 days
 * ending each day, against the `seats` trait; their use of each core feature under this account
 * (`feature_days_user`, per member and feature); each published checklist's progress; the members'
 * NPS answers given in the account; its latest events (the product's own unless `shown` is `all`).
 *
 * @example
 * const page = await accountOverview(db, features, 'demo', 'acme', 'product', Date.now())
 */
export async function accountOverview(
  db: Database,
  features: CoreFeatureService,
  workspaceId: string,
  accountId: string,
  shown: EventsShown,
  now: number,
): Promise<AccountOverview> {
  const [account] = await db.reports.all<{ traits: string; first_seen: number; last_seen: number }>(sql`
    SELECT traits, first_seen, last_seen FROM accounts WHERE workspace_id = ${workspaceId} AND id = ${accountId}`);
  if (!account)
    throw new ApiError(404, errorCodes.notFound, 'Not found', 'No account with this id in this workspace.');
  const traits = JSON.parse(account.traits) as Record<string, unknown>;
  const today = Math.floor(now / dayMs);
  const first = today - activityDays + 1;

  const [members, progress, activeDays, featureUse, checklists, responses, events] = await Promise.all([
    db.reports.all<{
      id: string;
      traits: string;
      first_seen: number;
      last_seen: number;
    }>(sql`
      SELECT id, traits, first_seen, last_seen FROM users INDEXED BY users_account
      WHERE workspace_id = ${workspaceId} AND account_id = ${accountId}`),
    subjectProgress(db, workspaceId, 'account', accountId, account.first_seen),
    // The 29 days before the first too: the 30 days ending the first day.
    db.reports.all<{ user_id: string; day: number }>(sql`
      SELECT d.user_id, d.day FROM users u INDEXED BY users_account
      CROSS JOIN user_days d ON d.workspace_id = u.workspace_id AND d.user_id = u.id
        AND d.day >= ${first - 29} AND d.day <= ${today}
      WHERE u.workspace_id = ${workspaceId} AND u.account_id = ${accountId}`),
    featureUseOf(db, features, workspaceId, accountId, today - featureWindowDays + 1),
    checklistProgress(db, workspaceId, { user: null, account: accountId }),
    npsAnswers(db, workspaceId, { accountId }),
    latestEvents(db, workspaceId, { accountId }, shown),
  ]);

  // Per day: the members active that day, and the members whose last active day so far is within 29 days.
  const byDay = new Map<number, string[]>();
  for (const row of activeDays) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row.user_id]);
  const lastActive = new Map<string, number>();
  const days: AccountOverview['activity']['days'] = [];
  for (let day = first - 29; day <= today; day++) {
    const active = byDay.get(day) ?? [];
    for (const user of active) lastActive.set(user, day);
    if (day < first) continue;
    let active30 = 0;
    for (const last of lastActive.values()) if (last > day - 30) active30++;
    days.push({ day: isoDay(day), active: active.length, active30 });
  }

  return {
    account: {
      id: accountId,
      traits,
      firstSeen: new Date(account.first_seen).toISOString(),
      lastSeen: new Date(account.last_seen).toISOString(),
      ...progress,
      users: members.map((m) => ({
        id: m.id,
        accountId,
        traits: JSON.parse(m.traits) as Record<string, unknown>,
        firstSeen: new Date(m.first_seen).toISOString(),
        lastSeen: new Date(m.last_seen).toISOString(),
      })),
    },
    activity: {
      from: isoDay(first),
      to: isoDay(today),
      seats: typeof traits.seats === 'number' && Number.isFinite(traits.seats) ? traits.seats : null,
      days,
    },
    features: { days: featureWindowDays, from: isoDay(today - featureWindowDays + 1), list: featureUse },
    checklists,
    responses,
    events,
  };
}

/**
 * Each core feature's use by the account's current members under this account: first use, last use,
 * users ever and users in the window from `start` (an epoch day). Read from the `feature_days`
 * rollup by its user index, one range per member and feature; a feature whose rollup is being
 * rebuilt, or which matches relative to now, is not in the rollup and is reported as not known.
 */
async function featureUseOf(
  db: Database,
  features: CoreFeatureService,
  workspaceId: string,
  accountId: string,
  start: number,
): Promise<AccountOverview['features']['list']> {
  const [definitions, rebuilding] = await Promise.all([
    features.list(workspaceId),
    db.reports.all<{ feature_id: string }>(
      sql`SELECT feature_id FROM feature_rebuilds WHERE workspace_id = ${workspaceId}`,
    ),
  ]);
  const busy = new Set(rebuilding.map((row) => row.feature_id));
  const rolled = definitions.filter((f) => !busy.has(f.id) && isRollable(f.events));
  const rows =
    rolled.length === 0
      ? []
      : await db.reports.all<{
          feature_id: string;
          first_day: number;
          last_at: number;
          users_ever: number;
          users_window: number;
        }>(sql`
          SELECT f.feature_id, min(f.day) AS first_day, max(f.last_at) AS last_at,
            count(DISTINCT f.user_id) AS users_ever,
            count(DISTINCT CASE WHEN f.day >= ${start} THEN f.user_id END) AS users_window
          FROM users u INDEXED BY users_account
          CROSS JOIN feature_days f INDEXED BY feature_days_user
            ON f.workspace_id = u.workspace_id AND f.user_id = u.id
              AND f.feature_id IN (${sql.join(
                rolled.map((f) => sql`${f.id}`),
                sql`, `,
              )})
          WHERE u.workspace_id = ${workspaceId} AND u.account_id = ${accountId} AND f.account_id = ${accountId}
          GROUP BY f.feature_id`);
  const byId = new Map(rows.map((row) => [row.feature_id, row]));
  return definitions.map((feature) => {
    const known = rolled.includes(feature);
    const row = known ? byId.get(feature.id) : undefined;
    return {
      key: feature.key,
      name: feature.name,
      known,
      used: (row?.users_window ?? 0) > 0,
      firstUse: row ? isoDay(row.first_day) : null,
      lastUse: iso(row?.last_at ?? null),
      usersInWindow: row?.users_window ?? 0,
      usersEver: row?.users_ever ?? 0,
    };
  });
}
