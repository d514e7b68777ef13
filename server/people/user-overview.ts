import { sql } from 'drizzle-orm';
import { errorCodes } from '../../shared/problem.ts';
import type { ChecklistContent } from '../../shared/schemas/checklist.ts';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import type { UserOverview } from '../../shared/schemas/people-detail.ts';
import type { SpotlightContent } from '../../shared/schemas/spotlight.ts';
import { subjectProgress } from '../analytics/time-to-value.ts';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/api-error.ts';
import { checklistItemsDone, type EventsShown, latestEvents, npsAnswers } from './page-reads.ts';

const iso = (at: number | null | undefined): string | null =>
  at === null || at === undefined ? null : new Date(at).toISOString();

/** The widget's events a tour's or spotlight's progress is read from (README, "Spotlights and tours"). */
const spotlightEvents = {
  shown: internalEvent('spotlight_shown'),
  step: internalEvent('spotlight_step_viewed'),
  completed: internalEvent('spotlight_completed'),
  dismissed: internalEvent('spotlight_dismissed'),
};

/**
 * Everything a person's page draws (README, "Console"), each part one short indexed read: the user
 * and their account (name, current health band and score when scored); milestones and time to value;
 * each checklist version they were shown (`checklist_viewers` by user) with its items done, when it
 * was started, completed and dismissed; each tour or spotlight version they were shown (the
 * `content_users` rollup, found through `user_content_state` by user) with the steps they viewed;
 * their NPS answers; their latest events, the product's own unless `events` is `all`.
 *
 * @example
 * const page = await userOverview(db, 'demo', 'usr_1', 'product')
 */
export async function userOverview(
  db: Database,
  workspaceId: string,
  userId: string,
  events: EventsShown,
): Promise<UserOverview> {
  const [user] = await db.reports.all<{
    account_id: string | null;
    traits: string;
    first_seen: number;
    last_seen: number;
  }>(sql`
    SELECT account_id, traits, first_seen, last_seen FROM users WHERE workspace_id = ${workspaceId} AND id = ${userId}`);
  if (!user)
    throw new ApiError(404, errorCodes.notFound, 'Not found', 'No user with this id in this workspace.');
  const accountId = user.account_id;

  const [progress, account, checklists, tours, responses, latest] = await Promise.all([
    subjectProgress(db, workspaceId, 'user', userId, user.first_seen),
    accountId === null ? null : accountOf(db, workspaceId, accountId),
    checklistsSeen(db, workspaceId, userId, accountId),
    toursSeen(db, workspaceId, userId),
    npsAnswers(db, workspaceId, { userId }),
    latestEvents(db, workspaceId, { userId }, events),
  ]);
  return {
    user: {
      id: userId,
      accountId,
      traits: JSON.parse(user.traits) as Record<string, unknown>,
      firstSeen: new Date(user.first_seen).toISOString(),
      lastSeen: new Date(user.last_seen).toISOString(),
      ...progress,
    },
    account,
    checklists,
    tours,
    responses,
    events: latest,
  };
}

/** The user's account: its name trait and its current health (one row each, by primary key). */
async function accountOf(
  db: Database,
  workspaceId: string,
  accountId: string,
): Promise<UserOverview['account']> {
  const [row] = await db.reports.all<{
    traits: string | null;
    score: number | null;
    band: string | null;
  }>(sql`
    SELECT a.traits, h.score, h.band FROM accounts a
    LEFT JOIN account_health_current h ON h.workspace_id = a.workspace_id AND h.account_id = a.id
    WHERE a.workspace_id = ${workspaceId} AND a.id = ${accountId}`);
  const traits = row?.traits ? (JSON.parse(row.traits) as Record<string, unknown>) : {};
  return {
    id: accountId,
    name: typeof traits.name === 'string' ? traits.name : null,
    health: row?.band ? { score: row.score, band: row.band } : null,
  };
}

/**
 * Each checklist version shown to the user, the latest shown first: the `checklist_viewers` row (when
 * first shown; `took`, from then to the last required item), the version's content, and the
 * dismissal in the `content_users` rollup; items done as the account page reads them.
 */
async function checklistsSeen(
  db: Database,
  workspaceId: string,
  userId: string,
  accountId: string | null,
): Promise<UserOverview['checklists']> {
  const rows = await db.reports.all<{
    checklist_id: string;
    version: number;
    shown_at: number;
    took: number | null;
    content: string;
    dismissed_at: number | null;
  }>(sql`
    SELECT v.checklist_id, v.version, v.shown_at, v.took, cv.content, d.first_at AS dismissed_at
    FROM checklist_viewers v INDEXED BY checklist_viewers_user
    JOIN content_versions cv
      ON cv.workspace_id = v.workspace_id AND cv.content_id = v.checklist_id AND cv.version = v.version
    LEFT JOIN content_users d
      ON d.workspace_id = v.workspace_id AND d.content_id = v.checklist_id AND d.version = v.version
        AND d.name = ${internalEvent('checklist_dismissed')} AND d.step_id = '' AND d.anonymous = 0
        AND d.subject_id = v.user_id
    WHERE v.workspace_id = ${workspaceId} AND v.user_id = ${userId}`);
  rows.sort((a, b) => b.shown_at - a.shown_at || a.checklist_id.localeCompare(b.checklist_id));
  const versions = rows.map((row) => ({
    id: row.checklist_id,
    version: row.version,
    content: JSON.parse(row.content) as ChecklistContent,
  }));
  const done = await checklistItemsDone(db, workspaceId, { user: userId, account: accountId }, versions);
  return done.map((checklist, i) => {
    const { shown_at, took, dismissed_at } = rows[i] as (typeof rows)[number];
    const times = checklist.items.flatMap((item) => (item.doneAt === null ? [] : [item.doneAt]));
    return {
      ...checklist,
      shownAt: new Date(shown_at).toISOString(),
      startedAt: times.length === 0 ? null : times.reduce((a, b) => (a < b ? a : b)),
      completedAt: took === null ? null : new Date(shown_at + took).toISOString(),
      dismissedAt: iso(dismissed_at),
    };
  });
}

/**
 * Each tour or spotlight version shown to the user (or whose steps they viewed), the latest first:
 * the contents they met, from `user_content_state` by user; their rows of each version in the
 * `content_users` rollup (first and last time per event and step), by `content_users_subject`.
 */
async function toursSeen(db: Database, workspaceId: string, userId: string): Promise<UserOverview['tours']> {
  const names = Object.values(spotlightEvents);
  const among = sql.join(
    names.map((name) => sql`${name}`),
    sql`, `,
  );
  const rows = await db.reports.all<{
    content_id: string;
    version: number;
    name: string;
    step_id: string;
    first_at: number;
    last_at: number;
    title: string;
    content: string;
  }>(sql`
    SELECT cu.content_id, cu.version, cu.name, cu.step_id, cu.first_at, cu.last_at, c.name AS title, cv.content
    FROM (SELECT DISTINCT content_id FROM user_content_state
      WHERE workspace_id = ${workspaceId} AND user_id = ${userId} AND name IN (${among})) s
    CROSS JOIN content_versions cv ON cv.workspace_id = ${workspaceId} AND cv.content_id = s.content_id
    CROSS JOIN content_users cu INDEXED BY content_users_subject
      ON cu.workspace_id = cv.workspace_id AND cu.content_id = cv.content_id AND cu.version = cv.version
        AND cu.subject_id = ${userId} AND cu.anonymous = 0
    JOIN contents c ON c.workspace_id = cv.workspace_id AND c.id = cv.content_id
    WHERE cu.name IN (${among})`);

  const byVersion = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.content_id}\u0000${row.version}`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), row]);
  }
  const tours = [...byVersion.values()].map((of) => {
    const [first] = of as [(typeof rows)[number]];
    const content = JSON.parse(first.content) as SpotlightContent;
    const named = (name: string) => of.filter((row) => row.name === name);
    const viewed = new Map(named(spotlightEvents.step).map((row) => [row.step_id, row]));
    const last = [...viewed.values()].reduce<(typeof rows)[number] | null>(
      (latest, row) => (latest === null || row.last_at > latest.last_at ? row : latest),
      null,
    );
    const dismissed = named(spotlightEvents.dismissed).reduce<(typeof rows)[number] | null>(
      (latest, row) => (latest === null || row.last_at > latest.last_at ? row : latest),
      null,
    );
    const steps = content.steps.map((step) => ({
      id: step.id,
      title: step.title,
      viewedAt: iso(viewed.get(step.id)?.first_at),
    }));
    // A step since renamed away keeps its id as its title.
    const titleOf = (id: string) => content.steps.find((step) => step.id === id)?.title ?? id;
    return {
      id: first.content_id,
      version: first.version,
      name: first.title,
      shownAt: iso(named(spotlightEvents.shown)[0]?.first_at),
      steps,
      stepsViewed: steps.filter((step) => step.viewedAt !== null).length,
      lastStep: last
        ? { id: last.step_id, title: titleOf(last.step_id), at: new Date(last.last_at).toISOString() }
        : null,
      completedAt: iso(named(spotlightEvents.completed)[0]?.first_at),
      dismissed: dismissed
        ? {
            stepId: dismissed.step_id,
            stepTitle: titleOf(dismissed.step_id),
            at: new Date(dismissed.last_at).toISOString(),
          }
        : null,
    };
  });
  const latest = (t: (typeof tours)[number]) => t.shownAt ?? t.lastStep?.at ?? '';
  return tours.sort((a, b) => (latest(a) < latest(b) ? 1 : latest(a) > latest(b) ? -1 : 0));
}
