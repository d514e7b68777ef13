import { and, eq, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { accounts, goalProgress, milestones, ttvDays, ttvSubjects, users } from '../db/schema.ts';
import { goalIdSql } from '../goals/goal-id.ts';
import { dayMs, median, percentile, toDays } from './stats.ts';

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
    .regex(
      /^((user|account)\.)?[^."][^"]*$/,
      'must be a trait name without double quotes, optionally prefixed by user. or account.',
    )
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
}

/**
 * Time to first value: from a user's (or account's) first-seen time to the first time it reached the
 * value milestone. Median and p90 are over those who reached it; those who never did are counted.
 *
 * Read from the rollups kept by triggers (migration 0012), never from every subject: counts come from
 * `ttv_days` (subjects per first-seen day and whole days taken), the days a bound cuts through (the
 * window's ends, each mark's "first seen that many days ago") from those days' `ttv_subjects` rows,
 * and each percentile's two closest ranks are located in the day-buckets of durations and then read
 * from that bucket alone by the `ttv_subjects_took` index. A segment reads the current traits of the
 * subjects (or of their accounts): one pass over the window's `ttv_subjects` rows, each joined to its
 * owner by primary key.
 */
export async function timeToValue(
  db: Database,
  workspaceId: string,
  valueMilestoneId: string,
  query: TtvQuery,
  now: number,
) {
  const scope: Scope = {
    workspaceId,
    milestoneId: valueMilestoneId,
    subject: query.subject,
    from: query.from ? Date.parse(query.from) : Number.MIN_SAFE_INTEGER,
    to: query.to ? Date.parse(query.to) : Number.MAX_SAFE_INTEGER,
    cuts: marks.map((days) => now - days * dayMs),
  };
  const groups = await histograms(db, scope, query.cohort ?? null);
  const overall = sumOf([...groups.values()]);
  const result: {
    subject: 'user' | 'account';
    overall: TtvSummary;
    cohorts?: Array<{ cohort: string } & TtvSummary>;
    segments?: Array<{ value: unknown } & TtvSummary>;
  } = { subject: query.subject, overall: await summaryOf(db, scope, [{ histogram: overall }]).then(first) };
  if (query.cohort) {
    const period = query.cohort;
    const keys = [...groups.keys()].sort((a, b) => a.localeCompare(b));
    const summaries = await summaryOf(
      db,
      scope,
      keys.map((key) => ({
        histogram: groups.get(key) as Histogram,
        partition: { by: cohortKey(period), key },
      })),
    );
    result.cohorts = keys.map((cohort, i) => ({ cohort, ...(summaries[i] as TtvSummary) }));
  }
  if (query.segment) {
    const segments = await segmentHistograms(db, scope, segmentOf(query.segment, query.subject));
    const order = [...segments.groups].sort(
      (a, b) =>
        String(a.value).localeCompare(String(b.value)) ||
        JSON.stringify(a.value).localeCompare(JSON.stringify(b.value)),
    );
    const summaries = await summaryOf(
      db,
      scope,
      order.map((group) => ({
        histogram: group.histogram,
        partition: { by: segments.sql.key, join: segments.sql.join, key: group.key },
      })),
    );
    result.segments = order.map((group, i) => ({ value: group.value, ...(summaries[i] as TtvSummary) }));
  }
  return result;
}

const first = <T>(list: T[]): T => list[0] as T;

/** Whose time to value, and which subjects: first seen in [from, to), marks cut at `cuts`. */
interface Scope {
  workspaceId: string;
  milestoneId: string;
  subject: 'user' | 'account';
  from: number;
  to: number;
  /** now - 7, 14 and 30 days: a subject first seen at or before a cut is eligible for that mark. */
  cuts: number[];
}

/**
 * Subjects per whole days taken (`took_day`, -1: never reached), per eligibility class: how many
 * marks the subject is eligible for (3: first seen at least 30 days ago; eligible for the 7-day mark
 * from class 1, 14 from 2, 30 from 3, since the cuts are nested).
 */
type Histogram = Map<number, number[]>;

const add = (histogram: Histogram, tookDay: number, eligibleFor: number, n: number) => {
  const row = histogram.get(tookDay) ?? [0, 0, 0, 0];
  row[eligibleFor] = (row[eligibleFor] ?? 0) + n;
  histogram.set(tookDay, row);
};

function sumOf(histograms: readonly Histogram[]): Histogram {
  const total: Histogram = new Map();
  for (const histogram of histograms)
    for (const [tookDay, row] of histogram)
      row.forEach((n, c) => {
        add(total, tookDay, c, n);
      });
  return total;
}

/** The SQL of a subject's eligibility class from its first-seen time. */
const eligibleFor = (scope: Scope, firstSeen: SQL | typeof ttvSubjects.firstSeen) =>
  sql.join(
    scope.cuts.map((cut) => sql`(${firstSeen} <= ${cut})`),
    sql` + `,
  );

/**
 * The histogram of each cohort (one group, key '', without a cohort): the whole first-seen days
 * of the window from `ttv_days`, except the days a bound cuts through, whose subjects are read from
 * `ttv_subjects` by first-seen time (at most five days of subjects).
 */
async function histograms(db: Database, scope: Scope, cohort: 'week' | 'month' | null) {
  const t = ttvSubjects;
  const d = ttvDays;
  const cutDays = [scope.from, scope.to, ...scope.cuts].map((time) => Math.floor(time / dayMs));
  const wholeFrom = Math.ceil(scope.from / dayMs);
  const wholeTo = Math.floor(scope.to / dayMs);
  const cohortOfDay =
    cohort === 'month'
      ? sql`strftime('%Y-%m', ${d.firstDay} * 86400, 'unixepoch')`
      : cohort === 'week'
        ? sql`date(${d.firstDay} * 86400, 'unixepoch', '-6 days', 'weekday 1')`
        : sql`''`;
  const dayClass = sql.join(
    scope.cuts.map((cut) => sql`(${d.firstDay} < ${Math.floor(cut / dayMs)})`),
    sql` + `,
  );
  const cutRanges = [...new Set(cutDays)].flatMap((day) => {
    const from = Math.max(day * dayMs, scope.from);
    const to = Math.min((day + 1) * dayMs, scope.to);
    return from < to ? [sql`(t.first_seen >= ${from} AND t.first_seen < ${to})`] : [];
  });
  const [whole, cut] = await Promise.all([
    db.reports.all<{ cohort: string; tookDay: number; eligibleFor: number; n: number }>(sql`
      SELECT ${cohortOfDay} AS cohort, ${d.tookDay} AS tookDay, ${dayClass} AS eligibleFor, sum(${d.subjects}) AS n
      FROM ${d}
      WHERE ${d.workspaceId} = ${scope.workspaceId} AND ${d.milestoneId} = ${scope.milestoneId}
        AND ${d.subject} = ${scope.subject} AND ${d.firstDay} >= ${wholeFrom} AND ${d.firstDay} < ${wholeTo}
        AND ${d.firstDay} NOT IN (${sql.join(
          cutDays.map((day) => sql`${day}`),
          sql`, `,
        )})
      GROUP BY 1, 2, 3`),
    cutRanges.length === 0
      ? Promise.resolve([])
      : db.reports.all<{ cohort: string; tookDay: number; eligibleFor: number; n: number }>(sql`
          SELECT ${cohort ? cohortKey(cohort, 'cut') : sql`''`} AS cohort, cut.took_day AS tookDay,
            ${eligibleFor(scope, sql`cut.first_seen`)} AS eligibleFor, count(*) AS n
          FROM (${sql.join(
            cutRanges.map(
              (range) => sql`SELECT t.first_seen, t.took_day FROM ${t} AS t INDEXED BY ttv_subjects_first_seen
                WHERE t.workspace_id = ${scope.workspaceId} AND t.milestone_id = ${scope.milestoneId}
                  AND t.subject = ${scope.subject} AND ${range}`,
            ),
            sql` UNION ALL `,
          )}) AS cut
          GROUP BY 1, 2, 3`),
  ]);
  const groups = new Map<string, Histogram>();
  const groupOf = (key: string) => {
    const histogram = groups.get(key) ?? new Map();
    groups.set(key, histogram);
    return histogram;
  };
  for (const row of whole) add(groupOf(row.cohort), row.tookDay, row.eligibleFor, row.n);
  for (const row of cut) add(groupOf(row.cohort), row.tookDay, row.eligibleFor, row.n);
  if (!cohort) groupOf('');
  return groups;
}

/** Segments: each value of the trait with its histogram, and the SQL that tells a row's segment. */
interface Segments {
  sql: SegmentSql;
  groups: Array<{ value: unknown; histogram: Histogram; key: string }>;
}

/**
 * A segment in SQL: the join from a `ttv_subjects` row (`t`) to the traits it reads (`o`: its account,
 * or the user itself for a user trait), and the trait's current value there as JSON text, `'null'`
 * when missing. The value is read as `lookup` (shared/conditions.ts) reads it for audiences: an
 * exact key with dots wins over a path.
 */
interface SegmentSql {
  join: SQL;
  key: SQL;
}

function segmentSql(subject: 'user' | 'account', [on, trait]: ['user' | 'account', string]): SegmentSql {
  // An account's segment is always its own trait; a user's is theirs or their account's.
  const owners = subject === 'account' || on === 'account' ? accounts : users;
  const id = owners === accounts ? sql`t.account_id` : sql`t.subject_id`;
  // Each part names an object key or, when it is an index, an array element, as `lookup` reads it
  // (in the first four parts; deeper, as a key): every spelling is tried, the one that exists wins.
  let paths = [''];
  trait.split('.').forEach((part, i) => {
    const index = /^(0|[1-9]\d{0,8})$/.test(part) && i < 4 ? [`[${part}]`] : [];
    paths = paths.flatMap((path) => [`${path}."${part}"`, ...index.map((element) => path + element)]);
  });
  if (trait.includes('.')) paths.unshift(`."${trait}"`);
  const values = paths.map((path) => sql`o.traits -> ${`$${path}`}`);
  return {
    join: sql`LEFT JOIN ${owners} AS o ON o.workspace_id = t.workspace_id AND o.id = ${id}`,
    key: sql`coalesce(${sql.join(values, sql`, `)}, 'null')`,
  };
}

/**
 * Each segment's histogram: the window's `ttv_subjects` rows, each joined by primary key to its
 * owner's current traits and counted per value of the trait, in one statement.
 */
async function segmentHistograms(
  db: Database,
  scope: Scope,
  segment: ['user' | 'account', string],
): Promise<Segments> {
  const bySql = segmentSql(scope.subject, segment);
  const counts = await db.reports.all<{
    segment: string;
    tookDay: number;
    eligibleFor: number;
    n: number;
  }>(sql`
    SELECT ${bySql.key} AS segment, t.took_day AS tookDay,
      ${eligibleFor(scope, sql`t.first_seen`)} AS eligibleFor, count(*) AS n
    FROM ${ttvSubjects} AS t INDEXED BY ttv_subjects_first_seen ${bySql.join}
    WHERE t.workspace_id = ${scope.workspaceId} AND t.milestone_id = ${scope.milestoneId}
      AND t.subject = ${scope.subject} AND t.first_seen >= ${scope.from} AND t.first_seen < ${scope.to}
    GROUP BY 1, 2, 3`);
  const groups = new Map<string, Segments['groups'][number]>();
  for (const count of counts) {
    let group = groups.get(count.segment);
    if (!group) {
      group = { value: JSON.parse(count.segment) as unknown, histogram: new Map(), key: count.segment };
      groups.set(count.segment, group);
    }
    add(group.histogram, count.tookDay, count.eligibleFor, count.n);
  }
  return { sql: bySql, groups: [...groups.values()] };
}

/**
 * A group to summarize: its histogram, and how its subjects are told apart from the others in SQL
 * (for the percentiles' exact values): none for the whole window; a cohort or segment by its key.
 */
interface Group {
  histogram: Histogram;
  partition?: Partition;
}

interface Partition {
  /** The group key of a `ttv_subjects` row (`t`), with the join a segment needs. */
  by: SQL;
  join?: SQL;
  key: string | number;
}

/** The SQL of a row's cohort, as cohortOf gives it (UTC; a week from its Monday). */
const cohortKey = (period: 'week' | 'month', table = 't') =>
  period === 'month'
    ? sql`strftime('%Y-%m', ${sql.raw(table)}.first_seen / 1000, 'unixepoch')`
    : sql`date(${sql.raw(table)}.first_seen / 1000, 'unixepoch', '-6 days', 'weekday 1')`;

/**
 * Summaries of groups from their histograms; each percentile's two closest ranks are read by bucket
 * (`took_day`) and offset within it, every read of every group in one statement.
 */
async function summaryOf(db: Database, scope: Scope, groups: readonly Group[]): Promise<TtvSummary[]> {
  const lookups: Array<{ group: Group; tookDay: number; offset: number }> = [];
  const rank = (group: Group, k: number): number => {
    let below = 0;
    const days = [...group.histogram.keys()].filter((d) => d >= 0).sort((a, b) => a - b);
    for (const tookDay of days) {
      const n = total(group.histogram.get(tookDay));
      if (k < below + n) {
        lookups.push({ group, tookDay, offset: k - below });
        return lookups.length - 1;
      }
      below += n;
    }
    throw new Error(`rank ${k} is past the histogram`);
  };
  const plans = groups.map((group) => {
    const reached = [...group.histogram].reduce((sum, [d, row]) => sum + (d >= 0 ? total(row) : 0), 0);
    const percentiles = [0.5, 0.9].map((p) => {
      if (reached === 0) return null;
      const h = (reached - 1) * p;
      const lo = Math.floor(h);
      const hi = Math.ceil(h);
      return { h, lo, a: rank(group, lo), b: rank(group, hi) };
    });
    return { group, reached, percentiles };
  });
  const values = await exactValues(db, scope, lookups);
  return plans.map(({ group, reached, percentiles }) => {
    const subjects = [...group.histogram.values()].reduce((sum, row) => sum + total(row), 0);
    const reachedBy = {} as TtvSummary['reachedBy'];
    marks.forEach((days, i) => {
      let eligible = 0;
      let inTime = 0;
      for (const [tookDay, row] of group.histogram) {
        const n = row.slice(i + 1).reduce((sum, x) => sum + x, 0);
        eligible += n;
        if (tookDay >= 0 && tookDay <= days) inTime += n;
      }
      reachedBy[`day${days}`] = {
        eligible,
        reached: inTime,
        share: eligible === 0 ? null : inTime / eligible,
      };
    });
    const [median, p90] = percentiles.map((p) => {
      if (p === null) return null;
      const a = values[p.a] as number;
      const b = values[p.b] as number;
      return toDays(a + (b - a) * (p.h - p.lo));
    });
    return {
      subjects,
      reached,
      neverReached: subjects - reached,
      medianDays: median ?? null,
      p90Days: p90 ?? null,
      reachedBy,
    };
  });
}

const total = (row: number[] | undefined) => (row ?? []).reduce((sum, n) => sum + n, 0);

/**
 * The `offset`-th shortest time to value among a group's subjects that took `tookDay` whole days.
 * For the whole window, a walk of that one bucket of the `ttv_subjects_took` index in order of time
 * taken; for cohorts or segments, the buckets concerned ranked per group in one statement (one sort
 * of those buckets), every group's ranks picked from them.
 */
async function exactValues(
  db: Database,
  scope: Scope,
  lookups: ReadonlyArray<{ group: Group; tookDay: number; offset: number }>,
): Promise<number[]> {
  const values: number[] = [];
  const inBucket = (tookDay: number) => sql`FROM ${ttvSubjects} AS t INDEXED BY ttv_subjects_took
    WHERE t.workspace_id = ${scope.workspaceId} AND t.milestone_id = ${scope.milestoneId}
      AND t.subject = ${scope.subject} AND t.took_day = ${tookDay}
      AND t.first_seen >= ${scope.from} AND t.first_seen < ${scope.to}`;
  const whole = lookups.flatMap((lookup, i) => (lookup.group.partition ? [] : [{ ...lookup, i }]));
  const reads: Array<Promise<Array<{ i: number; took: number }>>> = [];
  if (whole.length > 0) {
    reads.push(
      db.reports.all(
        sql.join(
          whole.map(
            ({ i, tookDay, offset }) =>
              sql`SELECT ${i} AS i, (SELECT t.took ${inBucket(tookDay)} ORDER BY t.took LIMIT 1 OFFSET ${offset}) AS took`,
          ),
          sql` UNION ALL `,
        ),
      ),
    );
  }
  const partitioned = lookups.flatMap(({ group, tookDay, offset }, i) =>
    group.partition ? [{ i, tookDay, offset, partition: group.partition }] : [],
  );
  const first = partitioned[0];
  if (first) {
    const { by, join } = first.partition;
    const wanted = sql.join(
      partitioned.map(
        ({ i, tookDay, partition, offset }) => sql`(${i}, ${tookDay}, ${partition.key}, ${offset})`,
      ),
      sql`, `,
    );
    const tookDays = [...new Set(partitioned.map((lookup) => lookup.tookDay))];
    reads.push(
      db.reports.all(sql`
        WITH wanted (i, took_day, key, rank) AS (VALUES ${wanted}),
        ranked AS (SELECT t.took_day AS took_day, ${by} AS key, t.took AS took,
            row_number() OVER (PARTITION BY t.took_day, ${by} ORDER BY t.took) - 1 AS rank
          FROM ${ttvSubjects} AS t INDEXED BY ttv_subjects_took
          ${join ?? sql``}
          WHERE t.workspace_id = ${scope.workspaceId} AND t.milestone_id = ${scope.milestoneId}
            AND t.subject = ${scope.subject} AND t.took_day IN (${sql.join(
              tookDays.map((d) => sql`${d}`),
              sql`, `,
            )})
            AND t.first_seen >= ${scope.from} AND t.first_seen < ${scope.to})
        SELECT wanted.i AS i, ranked.took AS took FROM wanted JOIN ranked ON ranked.took_day = wanted.took_day
          AND ranked.key = wanted.key AND ranked.rank = wanted.rank`),
    );
  }
  for (const rows of await Promise.all(reads)) for (const row of rows) values[row.i] = row.took;
  return values;
}

/** One subject's time to value, for the user and account pages. */
export function subjectTtv(firstSeen: number, reachedAt: number | null) {
  return {
    reachedAt: reachedAt === null ? null : new Date(reachedAt).toISOString(),
    days: reachedAt === null ? null : toDays(Math.max(0, reachedAt - firstSeen)),
  };
}

interface Subject {
  firstSeen: number;
  reachedAt: number | null;
}

/** The summary of subjects in memory: the report's definition, for tests and single subjects. */
export function summarize(subjects: readonly Subject[], now: number): TtvSummary {
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
        eq(goalProgress.goal, goalIdSql.milestone(milestones.id)),
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
