import { and, eq, type SQL, sql } from 'drizzle-orm';
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
 *
 * Summarized in the database (see summarizeInDatabase): only a row per group leaves it, whatever the
 * number of subjects. A segment trait the database cannot read as the report defines it (see
 * readableInDatabase) is summarized here from every subject instead (loadSubjects, summarize).
 */
export async function timeToValue(
  db: Database,
  workspaceId: string,
  valueMilestoneId: string,
  query: TtvQuery,
  now: number,
) {
  const trait = query.segment ? segmentOf(query.segment, query.subject)[1] : null;
  const summed =
    trait === null || readableInDatabase(trait)
      ? await summarizeInDatabase(db, workspaceId, valueMilestoneId, query, now)
      : null;
  if (summed) return summed;
  const subjects = await loadSubjects(db, workspaceId, valueMilestoneId, query);
  const result: TtvReport = { subject: query.subject, overall: summarize(subjects, now) };
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

interface TtvReport {
  subject: 'user' | 'account';
  overall: TtvSummary;
  cohorts?: Array<{ cohort: string } & TtvSummary>;
  segments?: Array<{ value: unknown } & TtvSummary>;
}

/**
 * Whether SQLite's JSON path reads a trait as `lookup` does (shared/conditions.ts): a name with a
 * quote, backslash or control character cannot be written as a path label, and a numeric part
 * (`tags.0`) indexes an array in `lookup` but not in a path label.
 */
const readableInDatabase = (trait: string): boolean =>
  !/["\\]/.test(trait) &&
  !Array.from(trait).some((char) => char.charCodeAt(0) < 32) &&
  !trait.split('.').some((part) => /^\d+$/.test(part));

/** The trait as JSON text, as `lookup` reads it: the whole name as one key first, else its dotted path. */
function traitJson(bag: SQL, trait: string): SQL {
  const whole = `$."${trait}"`;
  const path = `$${trait
    .split('.')
    .map((part) => `."${part}"`)
    .join('')}`;
  const read =
    whole === path
      ? sql`${bag} -> ${path}`
      : sql`CASE WHEN json_type(${bag}, ${whole}) IS NOT NULL
      THEN ${bag} -> ${whole} ELSE ${bag} -> ${path} END`;
  // A missing trait and a JSON null are one group (`lookup(...) ?? null`).
  return sql`nullif(${read}, 'null')`;
}

/**
 * The report summarized in one statement: each subject's first-seen and value times (the value goal
 * by primary key), grouped for the overall row, each cohort and each segment value; per group the
 * counts, the marks' counts, and the durations at the ranks the median and p90 lie between (see
 * percentile in ./stats.ts), numbered by a window over the group's durations in order. Null when two
 * segment values the database tells apart are one value to the report (`1.0` and `1`): the caller
 * then groups them itself.
 */
async function summarizeInDatabase(
  db: Database,
  workspaceId: string,
  valueMilestoneId: string,
  query: TtvQuery,
  now: number,
): Promise<TtvReport | null> {
  const subject = query.subject === 'user' ? users : accounts;
  const g = goalProgress;
  const [on, trait] = query.segment ? segmentOf(query.segment, query.subject) : [null, null];
  // A user's account traits come through their membership; an account is its own account.
  const viaAccount = query.subject === 'user' && on === 'account';
  const bag = viaAccount ? sql`${accounts.traits}` : sql`${subject.traits}`;
  const seconds = sql`${subject.firstSeen} / 1000.0, 'unixepoch'`;
  // ISO week: its Monday (back 6 days, then on to a Monday); month: YYYY-MM (cohortOf in ./stats.ts).
  const cohort =
    query.cohort === 'week'
      ? sql`date(${seconds}, '-6 days', 'weekday 1')`
      : query.cohort === 'month'
        ? sql`strftime('%Y-%m', ${seconds})`
        : sql`NULL`;
  const segment = trait === null ? sql`NULL` : traitJson(bag, trait);
  const groupings = [
    sql`SELECT 'overall' AS kind, NULL AS grp, f, r FROM s`,
    ...(query.cohort ? [sql`SELECT 'cohort', cohort, f, r FROM s`] : []),
    ...(trait === null ? [] : [sql`SELECT 'segment', segment, f, r FROM s`]),
  ];
  const markCounts = marks.map((days) => {
    const by = now - days * dayMs;
    return sql`, sum(f <= ${by}) AS ${sql.raw(`eligible${days}`)},
      sum(f <= ${by} AND r IS NOT NULL AND r - f <= ${days * dayMs}) AS ${sql.raw(`reached${days}`)}`;
  });
  const ranks = (p: number) =>
    sql`rank = CAST((n - 1) * ${p} AS INTEGER) OR rank = CAST((n - 1) * ${p} AS INTEGER) + 1`;
  const [row] = await db.reports.all<{ groups: string }>(sql`
    WITH s AS MATERIALIZED (
      SELECT ${subject.firstSeen} AS f, ${g.reachedAt} AS r, ${cohort} AS cohort, ${segment} AS segment
      FROM ${subject}
      LEFT JOIN ${g} ON ${g.workspaceId} = ${subject.workspaceId}
        AND ${g.goal} = ${goalId.milestone(valueMilestoneId)} AND ${g.subject} = ${query.subject}
        AND ${g.subjectId} = ${subject.id}
      ${viaAccount ? sql`LEFT JOIN ${accounts} ON ${accounts.workspaceId} = ${users.workspaceId} AND ${accounts.id} = ${users.accountId}` : sql``}
      WHERE ${subject.workspaceId} = ${workspaceId}
        ${query.from ? sql`AND ${subject.firstSeen} >= ${Date.parse(query.from)}` : sql``}
        ${query.to ? sql`AND ${subject.firstSeen} < ${Date.parse(query.to)}` : sql``}),
    k AS MATERIALIZED (${sql.join(groupings, sql` UNION ALL `)}),
    durations AS (
      SELECT kind, grp, max(0, r - f) AS took,
        row_number() OVER (PARTITION BY kind, grp ORDER BY max(0, r - f)) - 1 AS rank,
        count(*) OVER (PARTITION BY kind, grp) AS n
      FROM k WHERE r IS NOT NULL),
    picks AS (
      SELECT kind, grp, json_group_array(json_array(rank, took)) AS picks FROM durations
      WHERE ${ranks(0.5)} OR ${ranks(0.9)} GROUP BY kind, grp),
    counts AS (
      SELECT kind, grp, count(*) AS subjects, count(r) AS reached${sql.join(markCounts, sql``)}
      FROM k GROUP BY kind, grp)
    SELECT json_group_array(json_object('kind', counts.kind, 'group', counts.grp, 'subjects', subjects,
        'reached', reached${sql.join(
          marks.map(
            (days) =>
              sql`, ${`eligible${days}`}, ${sql.raw(`eligible${days}`)}, ${`reached${days}`}, ${sql.raw(`reached${days}`)}`,
          ),
          sql``,
        )}, 'picks', json(coalesce(picks.picks, '[]')))) AS groups
    FROM counts LEFT JOIN picks ON picks.kind = counts.kind AND picks.grp IS counts.grp`);
  const groups = JSON.parse(row?.groups ?? '[]') as Array<
    { kind: 'overall' | 'cohort' | 'segment'; group: string | null; picks: Array<[number, number]> } & Record<
      string,
      number
    >
  >;
  const summaryOf = (group: (typeof groups)[number]): TtvSummary => {
    const reached = group.reached ?? 0;
    const at = new Map(group.picks);
    const pick = (p: number) => {
      if (reached === 0) return null;
      const h = (reached - 1) * p;
      const a = at.get(Math.floor(h)) as number;
      const b = at.get(Math.ceil(h)) as number;
      return a + (b - a) * (h - Math.floor(h));
    };
    const reachedBy = {} as TtvSummary['reachedBy'];
    for (const days of marks) {
      const eligible = group[`eligible${days}`] ?? 0;
      const within = group[`reached${days}`] ?? 0;
      reachedBy[`day${days}`] = {
        eligible,
        reached: within,
        share: eligible === 0 ? null : within / eligible,
      };
    }
    return {
      subjects: group.subjects ?? 0,
      reached,
      neverReached: (group.subjects ?? 0) - reached,
      medianDays: toDays(pick(0.5)),
      p90Days: toDays(pick(0.9)),
      reachedBy,
    };
  };
  const overall = groups.find((group) => group.kind === 'overall');
  const result: TtvReport = {
    subject: query.subject,
    overall: overall ? summaryOf(overall) : summarize([], now),
  };
  if (query.cohort) {
    result.cohorts = groups
      .filter((group) => group.kind === 'cohort')
      .map((group) => ({ cohort: String(group.group), ...summaryOf(group) }))
      .sort((a, b) => a.cohort.localeCompare(b.cohort));
  }
  if (trait !== null) {
    const segments = groups
      .filter((group) => group.kind === 'segment')
      .map((group) => ({
        raw: group.group,
        value: group.group === null ? null : (JSON.parse(group.group) as unknown),
        summary: summaryOf(group),
      }));
    // Values the report groups as one (compared as JSON, see groupBy in ./stats.ts) must be one row.
    if (new Set(segments.map((s) => JSON.stringify(s.value))).size < segments.length) return null;
    result.segments = segments
      .sort(
        (a, b) =>
          String(a.value).localeCompare(String(b.value)) || String(a.raw).localeCompare(String(b.raw)),
      )
      .map(({ value, summary }) => ({ value, ...summary }));
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
