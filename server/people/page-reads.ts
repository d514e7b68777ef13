import { sql } from 'drizzle-orm';
import type { ChecklistContent } from '../../shared/schemas/checklist.ts';
import { internalPrefix } from '../../shared/schemas/internal-event.ts';
import { npsGroupOf } from '../../shared/schemas/survey.ts';
import { dayMs } from '../../shared/time.ts';
import { storedChecklists } from '../checklists/stored.ts';
import { milestonesByKey } from '../content/milestones.ts';
import { publishedContent } from '../content/versioned.ts';
import type { Database } from '../db/client.ts';
import { goalId } from '../goals/goal-id.ts';

export { dayMs };

/** `YYYY-MM-DD` of an epoch day. */
export const isoDay = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10);

const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

/** Whose survey answers a page reads: one user, or the current members of an account. */
export type Whose = { userId: string } | { accountId: string };

/**
 * The NPS answers of a user, or of an account's current members given while in it, newest first:
 * one read of each person's answers by the user index (`survey_responses_user`).
 */
export async function npsAnswers(db: Database, workspaceId: string, whose: Whose, limit = 50) {
  const rows = await db.reports.all<{
    id: string;
    survey_id: string;
    survey: string | null;
    user_id: string;
    score: number;
    comment: string | null;
    responded_at: number;
  }>(
    'userId' in whose
      ? sql`
          SELECT r.id, r.survey_id, c.name AS survey, r.user_id, r.score, r.comment, r.responded_at
          FROM survey_responses r INDEXED BY survey_responses_user
          LEFT JOIN contents c ON c.workspace_id = r.workspace_id AND c.id = r.survey_id
          WHERE r.workspace_id = ${workspaceId} AND r.user_id = ${whose.userId}
          ORDER BY r.responded_at DESC, r.id LIMIT ${limit}`
      : sql`
          SELECT r.id, r.survey_id, c.name AS survey, r.user_id, r.score, r.comment, r.responded_at
          FROM users u INDEXED BY users_account
          CROSS JOIN survey_responses r INDEXED BY survey_responses_user
            ON r.workspace_id = u.workspace_id AND r.user_id = u.id
          LEFT JOIN contents c ON c.workspace_id = r.workspace_id AND c.id = r.survey_id
          WHERE u.workspace_id = ${workspaceId} AND u.account_id = ${whose.accountId}
            AND r.account_id = ${whose.accountId}
          ORDER BY r.responded_at DESC, r.id LIMIT ${limit}`,
  );
  return rows.map((row) => ({
    id: row.id,
    surveyId: row.survey_id,
    survey: row.survey ?? row.survey_id,
    userId: row.user_id,
    score: row.score,
    group: npsGroupOf(row.score),
    comment: row.comment,
    respondedAt: new Date(row.responded_at).toISOString(),
  }));
}

/**
 * Which events a page lists: `product`, the product's own (identify, page, track...: every event but
 * the widget's `$waymark.*` ones, which would crowd them out); `all`, the widget's too.
 */
export type EventsShown = 'product' | 'all';

/**
 * The latest events of a user or an account, newest first: one read of its time index
 * (`events_user_time`, `events_account_time`), newest first, stopping at `limit`. Leaving the
 * widget's events out filters that same walk (a GLOB on the prefix: `name` is not in the time order),
 * so it reads past the subject's recent widget events, never a scan or a sort.
 */
export async function latestEvents(
  db: Database,
  workspaceId: string,
  whose: Whose,
  shown: EventsShown = 'product',
  limit = 25,
) {
  const product =
    shown === 'product' ? sql`AND (name IS NULL OR name NOT GLOB ${`${internalPrefix}*`})` : sql``;
  const rows = await db.reports.all<{
    seq: number;
    type: 'identify' | 'track' | 'page' | 'screen' | 'group';
    name: string | null;
    user_id: string | null;
    anonymous_id: string | null;
    account_id: string | null;
    timestamp: number;
  }>(
    'userId' in whose
      ? sql`
          SELECT seq, type, name, user_id, anonymous_id, account_id, timestamp FROM events
          INDEXED BY events_user_time
          WHERE workspace_id = ${workspaceId} AND user_id = ${whose.userId} ${product}
          ORDER BY timestamp DESC, seq DESC LIMIT ${limit}`
      : sql`
          SELECT seq, type, name, user_id, anonymous_id, account_id, timestamp FROM events
          INDEXED BY events_account_time
          WHERE workspace_id = ${workspaceId} AND account_id = ${whose.accountId} ${product}
          ORDER BY timestamp DESC, seq DESC LIMIT ${limit}`,
  );
  return rows.map((row) => ({
    seq: row.seq,
    type: row.type,
    name: row.name,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    accountId: row.account_id,
    timestamp: new Date(row.timestamp).toISOString(),
  }));
}

/**
 * Each published checklist's items, done or not for a user or an account (README, "Onboarding"):
 * see `checklistItemsDone`.
 */
export async function checklistProgress(
  db: Database,
  workspaceId: string,
  subject: { user: string | null; account: string | null },
) {
  return checklistItemsDone(
    db,
    workspaceId,
    subject,
    await publishedContent(db, workspaceId, storedChecklists),
  );
}

/**
 * These checklist versions' items, done or not for a user or an account (README, "Onboarding"):
 * an item is done when its goal (`item:<checklist>:<item>`, or the milestone it names) has a
 * `goal_progress` row for the subject. A user's account-wide checklist reads the account's progress,
 * as the widget does. One read of each subject's goals (`goal_progress_subject`).
 */
export async function checklistItemsDone(
  db: Database,
  workspaceId: string,
  subject: { user: string | null; account: string | null },
  checklists: ReadonlyArray<{ id: string; version: number; content: ChecklistContent }>,
) {
  const [milestones, reached] = await Promise.all([
    milestonesByKey(db, workspaceId),
    db.reports.all<{ subject: 'user' | 'account'; goal: string; reached_at: number }>(sql`
      SELECT subject, goal, reached_at FROM goal_progress
      WHERE workspace_id = ${workspaceId} AND subject = 'user' AND subject_id = ${subject.user ?? ''}
      UNION ALL
      SELECT subject, goal, reached_at FROM goal_progress
      WHERE workspace_id = ${workspaceId} AND subject = 'account' AND subject_id = ${subject.account ?? ''}`),
  ]);
  const doneAt = new Map(reached.map((row) => [`${row.subject}:${row.goal}`, row.reached_at]));
  return checklists.map((row) => {
    const { content } = row;
    // The widget's rule: an account-wide checklist of a user with no account is theirs alone.
    const whose =
      subject.user === null || (content.scope === 'account' && subject.account !== null) ? 'account' : 'user';
    const items = content.items.map((item) => {
      const goal =
        item.completion.kind === 'milestone'
          ? goalId.milestone(milestones.get(item.completion.milestone)?.id ?? '')
          : goalId.item(row.id, item.id);
      const at = doneAt.get(`${whose}:${goal}`);
      return { id: item.id, title: item.title, required: item.required, doneAt: iso(at ?? null) };
    });
    const required = items.filter((item) => item.required);
    return {
      id: row.id,
      version: row.version,
      title: content.title,
      scope: content.scope,
      items,
      requiredDone: required.filter((item) => item.doneAt !== null).length,
      requiredTotal: required.length,
    };
  });
}
