import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { lookup } from '../../shared/conditions.ts';
import type { Database } from '../db/client.ts';
import { accounts, goalProgress, milestones, users } from '../db/schema.ts';
import { goalId } from '../goals/catalog.ts';
import { cohortOf, dayMs, groupBy, median, percentile, toDays } from './stats.ts';

export const ttvQuery = z.object({
  subject: z.enum(['user', 'account']).default('user'),
  /** Only subjects first seen in [from, to): a signup window. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cohort: z.enum(['week', 'month']).optional(),
  /** A trait to split by: `plan` (the subject's own), or `account.plan` / `user.role`. */
  segment: z
    .string()
    .max(200)
    .regex(/^((user|account)\.)?[^.].*$/, 'must be a trait name, optionally prefixed by user. or account.')
    .optional(),
});
export type TtvQuery = z.infer<typeof ttvQuery>;

const marks = [7, 14, 30] as const;

export interface TtvSummary {
  /** Subjects in the population, reached or not. */
  subjects: number;
  reached: number;
  neverReached: number;
  medianDays: number | null;
  p90Days: number | null;
  /**
   * Per mark: of the subjects first seen at least that many days ago (`eligible`: the others have
   * not had the time yet), how many reached value within it.
   */
  reachedBy: Record<
    `day${(typeof marks)[number]}`,
    { eligible: number; reached: number; share: number | null }
  >;
}

interface Subject {
  firstSeen: number;
  reachedAt: number | null;
  /** The traits the segment reads (the subject's own, or its account's); null without a segment. */
  bag: Record<string, unknown> | null;
}

/**
 * Time to first value: from a user's (or account's) first-seen time to the first time it reached the
 * value milestone. Median and p90 are over those who reached it; those who never did are counted.
 */
export async function timeToValue(
  db: Database,
  workspaceId: string,
  valueMilestoneId: string,
  query: TtvQuery,
  now: number,
) {
  const subjects = await loadSubjects(db, workspaceId, valueMilestoneId, query);
  const result: {
    subject: 'user' | 'account';
    overall: TtvSummary;
    cohorts?: Array<{ cohort: string } & TtvSummary>;
    segments?: Array<{ value: unknown } & TtvSummary>;
  } = { subject: query.subject, overall: summarize(subjects, now) };
  if (query.cohort) {
    const period = query.cohort;
    result.cohorts = groupBy(subjects, (s) => cohortOf(s.firstSeen, period))
      .sort(([a], [b]) => String(a).localeCompare(String(b)))
      .map(([cohort, members]) => ({ cohort: String(cohort), ...summarize(members, now) }));
  }
  if (query.segment) {
    const [, trait] = segmentOf(query.segment, query.subject);
    result.segments = groupBy(subjects, (s) => lookup(s.bag ?? {}, trait) ?? null)
      .sort(([a], [b]) => String(a).localeCompare(String(b)))
      .map(([value, members]) => ({ value, ...summarize(members, now) }));
  }
  return result;
}

/** One subject's time to value, for the user and account pages. */
export function subjectTtv(firstSeen: number, reachedAt: number | null) {
  return {
    reachedAt: reachedAt === null ? null : new Date(reachedAt).toISOString(),
    days: reachedAt === null ? null : toDays(Math.max(0, reachedAt - firstSeen)),
  };
}

export function summarize(
  subjects: readonly Pick<Subject, 'firstSeen' | 'reachedAt'>[],
  now: number,
): TtvSummary {
  const durations = subjects.flatMap((s) =>
    s.reachedAt === null ? [] : [Math.max(0, s.reachedAt - s.firstSeen)],
  );
  const reachedBy = {} as TtvSummary['reachedBy'];
  for (const days of marks) {
    const eligible = subjects.filter((s) => s.firstSeen <= now - days * dayMs);
    const reached = eligible.filter(
      (s) => s.reachedAt !== null && s.reachedAt - s.firstSeen <= days * dayMs,
    ).length;
    reachedBy[`day${days}`] = {
      eligible: eligible.length,
      reached,
      share: eligible.length === 0 ? null : reached / eligible.length,
    };
  }
  return {
    subjects: subjects.length,
    reached: durations.length,
    neverReached: subjects.length - durations.length,
    medianDays: toDays(median(durations)),
    p90Days: toDays(percentile(durations, 0.9)),
    reachedBy,
  };
}

function segmentOf(segment: string, subject: 'user' | 'account'): ['user' | 'account', string] {
  const match = /^(user|account)\.(.+)$/.exec(segment);
  if (match) return [match[1] as 'user' | 'account', match[2] as string];
  return [subject, segment];
}

/**
 * Each subject's first-seen time and value time, in one read joined in SQL (the value goal's progress
 * by its primary key); traits leave the database only when a segment reads them, and only the side
 * it reads. A summary needs every subject's duration, so this reads one row per subject in the
 * window, and they leave the database as one JSON array: the client builds an object per row, which
 * for tens of thousands of rows costs more than the query.
 */
async function loadSubjects(
  db: Database,
  workspaceId: string,
  valueMilestoneId: string,
  query: TtvQuery,
): Promise<Subject[]> {
  const subject = query.subject === 'user' ? users : accounts;
  const on = query.segment ? segmentOf(query.segment, query.subject)[0] : null;
  // A user's account traits come through their membership; an account is its own account.
  const viaAccount = query.subject === 'user' && on === 'account';
  // Account traits go out once per account, not once per member.
  const bag = on === null ? sql`NULL` : viaAccount ? sql`${users.accountId}` : sql`json(${subject.traits})`;
  const g = goalProgress;
  const [row] = await db.reports.all<{ subjects: string | null }>(sql`
    SELECT json_group_array(json_array(${subject.firstSeen}, ${g.reachedAt}, ${bag})) AS subjects
    FROM ${subject}
    LEFT JOIN ${g} ON ${g.workspaceId} = ${subject.workspaceId}
      AND ${g.goal} = ${goalId.milestone(valueMilestoneId)} AND ${g.subject} = ${query.subject}
      AND ${g.subjectId} = ${subject.id}
    WHERE ${subject.workspaceId} = ${workspaceId}
      ${query.from ? sql`AND ${subject.firstSeen} >= ${Date.parse(query.from)}` : sql``}
      ${query.to ? sql`AND ${subject.firstSeen} < ${Date.parse(query.to)}` : sql``}`);
  const rows = JSON.parse(row?.subjects ?? '[]') as Array<
    [number, number | null, Record<string, unknown> | string | null]
  >;
  const accountTraits = new Map<string, Record<string, unknown>>();
  if (viaAccount) {
    const [all] = await db.reports.all<{ traits: string | null }>(sql`
      SELECT json_group_object(${accounts.id}, json(${accounts.traits})) AS traits FROM ${accounts}
      WHERE ${accounts.workspaceId} = ${workspaceId}`);
    const byId = JSON.parse(all?.traits ?? '{}') as Record<string, Record<string, unknown>>;
    for (const [id, traits] of Object.entries(byId)) accountTraits.set(id, traits);
  }
  return rows.map(([firstSeen, reachedAt, traits]) => ({
    firstSeen,
    reachedAt,
    bag: on === null ? null : typeof traits === 'string' ? (accountTraits.get(traits) ?? {}) : (traits ?? {}),
  }));
}

/** The milestones a user or account reached, and its time to value, for the user and account pages. */
export async function subjectProgress(
  db: Database,
  workspaceId: string,
  subject: 'user' | 'account',
  subjectId: string,
  firstSeen: number,
) {
  const rows = await db.reports
    .select({
      id: milestones.id,
      key: milestones.key,
      name: milestones.name,
      isValue: milestones.isValue,
      reachedAt: goalProgress.reachedAt,
    })
    .from(milestones)
    .leftJoin(
      goalProgress,
      and(
        eq(goalProgress.workspaceId, milestones.workspaceId),
        eq(goalProgress.goal, sql`'milestone:' || ${milestones.id}`),
        eq(goalProgress.subject, subject),
        eq(goalProgress.subjectId, subjectId),
      ),
    )
    .where(eq(milestones.workspaceId, workspaceId));
  const value = rows.find((row) => row.isValue);
  return {
    milestones: rows.map((row) => ({
      key: row.key,
      name: row.name,
      reachedAt: row.reachedAt === null ? null : new Date(row.reachedAt).toISOString(),
    })),
    timeToValue: value ? { milestone: value.key, ...subjectTtv(firstSeen, value.reachedAt) } : null,
  };
}
