import { type SQL, sql } from 'drizzle-orm';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import { dayMs, splitByDays } from '../analytics/stats.ts';
import type { Database } from '../db/client.ts';
import { events, surveyPromptDays, userDayGaps, userDays } from '../db/schema.ts';
import { internalProperty } from '../ingest/internal-property.ts';
import type { Period } from './periods.ts';

/** How often a survey was shown, answered and dismissed, against the active users (README, "NPS surveys"). */
export interface SurveyRates {
  /** `survey_shown` events in the period (every version). */
  displays: number;
  /** Distinct users it was shown to. */
  usersShown: number;
  /** `survey_dismissed` events: closed without a score. */
  dismissals: number;
  usersDismissed: number;
  /** Distinct users with any event in the period. */
  activeUsers: number;
}

/**
 * The widget's display and dismissal counts for a survey, and the active users, in the period: the
 * whole UTC days of the period from the rollups kept at ingestion (survey_prompt_days, user_days),
 * and the partial days at either end, if any, from those hours' events (an index range of at most
 * two days' events, whatever the length of history).
 */
export async function surveyRates(
  db: Database,
  workspaceId: string,
  surveyId: string,
  range: Period,
): Promise<SurveyRates> {
  const { days, edges } = splitByDays(range);
  const shown = internalEvent('survey_shown');
  const dismissed = internalEvent('survey_dismissed');
  const edgeEvents = (columns: SQL, where: SQL) =>
    edges.map(
      (edge) => sql`SELECT ${columns} FROM ${events}
        WHERE ${events.workspaceId} = ${workspaceId} AND ${where}
          AND ${events.timestamp} >= ${edge.from} AND ${events.timestamp} < ${edge.to}`,
    );
  const union = (parts: SQL[]) => sql.join(parts, sql` UNION ALL `);
  const p = surveyPromptDays;
  // Whole days: one range of the rollup. A person's first row in the period is the one whose
  // previous day (kept by a trigger, migration 0010) is before it: counting those counts each
  // person once, with no DISTINCT over the period's rows.
  const wholeDays = (name: string) =>
    days === null
      ? sql`SELECT 0 AS n, 0 AS people`
      : sql`SELECT coalesce(sum(${p.events}), 0) AS n,
          coalesce(sum(${p.anonymous} = 0 AND coalesce(${p.previousDay}, -1) < ${days.from}), 0) AS people
        FROM ${p}
        WHERE ${p.workspaceId} = ${workspaceId} AND ${p.surveyId} = ${surveyId} AND ${p.name} = ${name}
          AND ${p.day} >= ${days.from} AND ${p.day} < ${days.to}`;
  const edgeWhere = (name: string) =>
    sql`${events.name} = ${name} AND ${events.type} = 'track'
      AND ${sql.raw(internalProperty('contentId', 'events.properties'))} = ${surveyId}`;
  // The partial days' people not already counted in the whole days (a probe of their own days).
  const edgePeople = (name: string) =>
    sql`SELECT count(DISTINCT id) FROM (${union(
      edgeEvents(sql`${events.userId} AS id`, sql`${edgeWhere(name)} AND ${events.userId} IS NOT NULL`),
    )}) AS edge
      ${
        days === null
          ? sql``
          : sql`WHERE NOT EXISTS (SELECT 1 FROM ${p}
        WHERE ${p.workspaceId} = ${workspaceId} AND ${p.surveyId} = ${surveyId} AND ${p.name} = ${name}
          AND ${p.anonymous} = 0 AND ${p.subjectId} = edge.id AND ${p.day} >= ${days.from} AND ${p.day} < ${days.to})`
      }`;
  const prompts = async (name: string) => {
    const edgeCount =
      edges.length === 0
        ? sql`0`
        : sql`(SELECT count(*) FROM (${union(edgeEvents(sql`1`, edgeWhere(name)))}))`;
    const edgeUsers = edges.length === 0 ? sql`0` : sql`(${edgePeople(name)})`;
    const [row] = await db.reports.all<{ count: number; users: number }>(sql`
      SELECT days.n + ${edgeCount} AS count, days.people + ${edgeUsers} AS users
      FROM (${wholeDays(name)}) AS days`);
    return { count: row?.count ?? 0, users: row?.users ?? 0 };
  };
  // Each active user once: the whole days from `user_day_gaps` (a user's first active day of the
  // period is the one whose previous active day is before it: one range of at most days^2 rows, kept
  // by a trigger, migration 0012), then the users of each partial day (that day's `user_days` rows)
  // with an event in its hours and no whole day of the period: bounded by two days of traffic.
  const active = async () => {
    const gaps = userDayGaps;
    const d = userDays;
    const whole =
      days === null
        ? sql`0`
        : sql`(SELECT coalesce(sum(${gaps.users}), 0) FROM ${gaps}
            WHERE ${gaps.workspaceId} = ${workspaceId} AND ${gaps.day} >= ${days.from} AND ${gaps.day} < ${days.to}
              AND ${gaps.previousDay} < ${days.from})`;
    const edgeUsers = edges.map((edge) => {
      const day = Math.floor(edge.from / dayMs);
      return sql`SELECT ${d.userId} AS id FROM ${d} INDEXED BY user_days_day
        WHERE ${d.workspaceId} = ${workspaceId} AND ${d.day} = ${day}
          AND EXISTS (SELECT 1 FROM ${events} WHERE ${events.workspaceId} = ${workspaceId}
            AND ${events.userId} = ${d.userId} AND ${events.timestamp} >= ${edge.from} AND ${events.timestamp} < ${edge.to})
          ${
            days === null
              ? sql``
              : sql`AND NOT EXISTS (SELECT 1 FROM ${userDays} AS w WHERE w.workspace_id = ${workspaceId}
              AND w.user_id = ${d.userId} AND w.day >= ${days.from} AND w.day < ${days.to})`
          }`;
    });
    const partial =
      edgeUsers.length === 0 ? sql`0` : sql`(SELECT count(*) FROM (${sql.join(edgeUsers, sql` UNION `)}))`;
    const [row] = await db.reports.all<{ users: number }>(sql`SELECT ${whole} + ${partial} AS users`);
    return row?.users ?? 0;
  };
  const [displays, dismissals, activeUsers] = await Promise.all([
    prompts(shown),
    prompts(dismissed),
    active(),
  ]);
  return {
    displays: displays.count,
    usersShown: displays.users,
    dismissals: dismissals.count,
    usersDismissed: dismissals.users,
    activeUsers,
  };
}

/**
 * - `responseRate`: respondents / users shown (above 1 if answers arrive without displays, e.g. sent
 *   from a server);
 * - `dismissalRate`: users who dismissed / users shown;
 * - `displayRate`: users shown / active users.
 * Each is null when its denominator is 0.
 */
export function ratesOf(rates: SurveyRates, respondents: number) {
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    responseRate: ratio(respondents, rates.usersShown),
    dismissalRate: ratio(rates.usersDismissed, rates.usersShown),
    displayRate: ratio(rates.usersShown, rates.activeUsers),
  };
}
