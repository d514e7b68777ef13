import { sql } from 'drizzle-orm';
import type { CoreFeature } from '../../shared/schemas/core-feature.ts';
import type { HealthModel, MeasureId } from '../../shared/schemas/health-model.ts';
import { featureUsers } from '../adoption/feature-days.ts';
import type { Database } from '../db/client.ts';
import { goalId } from '../goals/goal-id.ts';
import { accountNps } from '../surveys/signals.ts';
import type { Profile, RawValues } from './score.ts';

/**
 * Every account's raw measure values as of one moment, read for a whole workspace at once (a few
 * range reads bounded by the model's windows, never a pass over all history): the inputs of
 * score.ts. The README ("Account health") defines each measure; the comments here say how it is read.
 */

const dayMs = 86_400_000;

export const lifecycleStages = ['onboarding', 'adoption', 'valueRealization', 'expansion'] as const;
export type LifecycleStage = (typeof lifecycleStages)[number];
export type Segment = 'enterprise' | 'midMarket' | 'smb';

/** What the score is computed from, and what a CS person reads beside it. */
export interface AccountFacts {
  accountId: string;
  /** The `name` trait, or the id when there is none. */
  name: string;
  raw: RawValues;
  profile: Profile;
  stage: LifecycleStage;
  segment: Segment | null;
  ageDays: number;
  seats: number | null;
  activeUsers: number;
  /** Active users in the window before (for "was 9" in explanations). */
  previousActiveUsers: number;
  arr: number | null;
  renewalDate: string | null;
  /** Core features used in the window, by key. */
  featuresUsed: string[];
  milestonesReached: number;
  milestonesTotal: number;
  npsResponses: number;
  /** The highest latest-per-person score in the NPS window: advocacy (10 with green health is a champion). */
  bestNpsScore: number | null;
}

export interface WorkspaceInputs {
  model: HealthModel;
  coreFeatures: ReadonlyArray<Pick<CoreFeature, 'id' | 'key' | 'events'>>;
  milestones: ReadonlyArray<{ id: string; isValue: boolean }>;
}

interface Activity {
  users: number;
  userDays: number;
}

/**
 * Active users and active user-days per account over the whole UTC days from `from` to `to` (a day
 * counts when `to` falls in it), from the daily rollup kept at ingestion (`user_days`: a user is
 * active on a day they sent any event), for the users now in each account: one range read of the
 * window's days, whatever the size of history.
 */
export async function activityByAccount(db: Database, workspaceId: string, from: number, to: number) {
  const [first, end] = [Math.ceil(from / dayMs), Math.ceil(to / dayMs)];
  const rows = await db.reports.all<{ account_id: string; users: number; user_days: number }>(sql`
    SELECT u.account_id, count(*) AS users, sum(d.days) AS user_days FROM (
      SELECT user_id, count(*) AS days FROM user_days
      WHERE workspace_id = ${workspaceId} AND day >= ${first} AND day < ${end}
      GROUP BY user_id
    ) d JOIN users u ON u.workspace_id = ${workspaceId} AND u.id = d.user_id
    WHERE u.account_id IS NOT NULL
    GROUP BY u.account_id`);
  return new Map<string, Activity>(
    rows.map((r) => [r.account_id, { users: r.users, userDays: r.user_days }]),
  );
}

/** Per account, the core features used in `[from, to)` and the users who used any. */
async function featureUse(
  db: Database,
  workspaceId: string,
  features: WorkspaceInputs['coreFeatures'],
  from: number,
  to: number,
) {
  const byAccount = new Map<string, { features: Set<string>; users: Set<string> }>();
  for (const [key, users] of await featureUsers(db, workspaceId, features, from, to)) {
    for (const [userId, accountId] of users) {
      const entry = byAccount.get(accountId) ?? { features: new Set(), users: new Set() };
      entry.features.add(key);
      entry.users.add(userId);
      byAccount.set(accountId, entry);
    }
  }
  return byAccount;
}

const numberTrait = (value: unknown): number | null => {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

/**
 * Every account's facts and raw values as of `at` (epoch ms): accounts first seen before `at`, their
 * current traits (trait history is not kept, so a backfilled day uses today's traits), activity and
 * feature use in the model's window before `at`, milestones reached before `at`, and the latest NPS
 * answer of each member within the NPS measure's window.
 */
export async function accountFacts(db: Database, workspaceId: string, inputs: WorkspaceInputs, at: number) {
  const { model } = inputs;
  const window = model.windowDays * dayMs;
  const config = new Map(model.groups.flatMap((g) => g.measures.map((m) => [m.measure, m] as const)));
  const npsWindow = (config.get('accountNps')?.windowDays ?? 180) * dayMs;
  const npsMinimum = config.get('accountNps')?.minResponses ?? 3;

  const milestoneGoals = inputs.milestones.map((m) => goalId.milestone(m.id));
  const valueGoal = inputs.milestones.find((m) => m.isValue);
  const [accounts, current, previous, features, goals, nps] = await Promise.all([
    db.reports.all<{ id: string; first_seen: number; traits: string }>(sql`
      SELECT id, first_seen, traits FROM accounts WHERE workspace_id = ${workspaceId} AND first_seen < ${at}
      ORDER BY id`),
    activityByAccount(db, workspaceId, at - window, at),
    activityByAccount(db, workspaceId, at - 2 * window, at - window),
    featureUse(db, workspaceId, inputs.coreFeatures, at - window, at),
    milestoneGoals.length === 0
      ? Promise.resolve([])
      : db.reports.all<{ subject_id: string; goal: string; reached_at: number }>(sql`
          SELECT subject_id, goal, reached_at FROM goal_progress
          WHERE workspace_id = ${workspaceId} AND subject = 'account' AND reached_at < ${at}
            AND goal IN (${sql.join(
              milestoneGoals.map((g) => sql`${g}`),
              sql`, `,
            )})`),
    accountNps(db, workspaceId, { from: at - npsWindow, to: at }),
  ]);

  const reached = new Map<string, Map<string, number>>();
  for (const row of goals) {
    const entry = reached.get(row.subject_id) ?? new Map<string, number>();
    entry.set(row.goal, row.reached_at);
    reached.set(row.subject_id, entry);
  }

  return accounts.map((account): AccountFacts => {
    let traits: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(account.traits);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        traits = parsed as Record<string, unknown>;
    } catch {
      // Stored traits are always JSON objects; an unreadable one counts as no traits.
    }
    const ageDays = (at - account.first_seen) / dayMs;
    const activity = current.get(account.id) ?? { users: 0, userDays: 0 };
    const before = previous.get(account.id) ?? { users: 0, userDays: 0 };
    const seats = numberTrait(traits.seats);
    const used = features.get(account.id);
    const goalsReached = reached.get(account.id) ?? new Map<string, number>();
    const milestonesReached = milestoneGoals.filter((g) => goalsReached.has(g)).length;
    const valueAt = valueGoal ? goalsReached.get(goalId.milestone(valueGoal.id)) : undefined;
    const answered = nps.get(account.id);

    const raw: Partial<Record<MeasureId, number | string | null>> = {
      activeSeats: seats !== null && seats > 0 ? activity.users / seats : null,
      activeDays: activity.users > 0 ? activity.userDays / activity.users : null,
      // Only against a window that had activity: a new account has no trend yet.
      usageTrend:
        before.userDays > 0 && ageDays >= 2 * model.windowDays
          ? (activity.userDays - before.userDays) / before.userDays
          : null,
      adoptionBreadth:
        inputs.coreFeatures.length > 0 ? (used?.features.size ?? 0) / inputs.coreFeatures.length : null,
      coreUsers:
        inputs.coreFeatures.length > 0 && activity.users > 0
          ? Math.min(1, (used?.users.size ?? 0) / activity.users)
          : null,
      milestonesReached: milestoneGoals.length > 0 ? milestonesReached / milestoneGoals.length : null,
      // Days from first seen to the value milestone; not reached by day 30 scores as never (Infinity).
      timeToValue: !valueGoal
        ? null
        : valueAt !== undefined
          ? Math.max(0, (valueAt - account.first_seen) / dayMs)
          : ageDays >= 30
            ? Number.POSITIVE_INFINITY
            : null,
      accountNps:
        answered && answered.n >= npsMinimum
          ? (100 * (answered.promoters - answered.detractors)) / answered.n
          : null,
      openTickets: numberTrait(traits.openTickets),
      paymentStatus: typeof traits.paymentStatus === 'string' ? traits.paymentStatus : null,
    };

    const milestonesIncomplete = milestoneGoals.length > 0 && milestonesReached < milestoneGoals.length;
    const profile: Profile =
      ageDays < model.onboarding.maxAgeDays ||
      (model.onboarding.untilMilestonesComplete && milestonesIncomplete)
        ? 'onboarding'
        : 'default';
    const arr = numberTrait(traits.arr);
    return {
      accountId: account.id,
      name: typeof traits.name === 'string' && traits.name.trim() !== '' ? traits.name : account.id,
      raw,
      profile,
      stage: stageOf(ageDays, valueGoal !== undefined, valueAt !== undefined),
      segment:
        arr === null
          ? null
          : arr >= model.segments.enterpriseFrom
            ? 'enterprise'
            : arr >= model.segments.midMarketFrom
              ? 'midMarket'
              : 'smb',
      ageDays,
      seats,
      activeUsers: activity.users,
      previousActiveUsers: before.users,
      arr,
      renewalDate: typeof traits.renewalDate === 'string' ? traits.renewalDate : null,
      featuresUsed: [...(used?.features ?? [])].sort(),
      milestonesReached,
      milestonesTotal: milestoneGoals.length,
      npsResponses: answered?.n ?? 0,
      bestNpsScore: answered ? answered.best : null,
    };
  });
}

/**
 * The lifecycle stage from account age and the value milestone: onboarding for the first 30 days and
 * until first value; adoption to day 90; value realization to day 365; expansion after.
 */
export function stageOf(ageDays: number, hasValueMilestone: boolean, reachedValue: boolean): LifecycleStage {
  if (ageDays < 30 || (hasValueMilestone && !reachedValue)) return 'onboarding';
  if (ageDays < 90) return 'adoption';
  if (ageDays < 365) return 'valueRealization';
  return 'expansion';
}
