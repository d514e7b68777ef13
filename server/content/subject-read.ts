import type { EventRule } from '../../shared/schemas/milestone.ts';
import type { Database } from '../db/client.ts';
import type { AccountRow, UserRow } from '../db/schema.ts';
import { progressKey } from '../goals/goal-id.ts';
import { internalProperty } from '../ingest/internal-property.ts';
import type { ContentStateRow } from './content-state.ts';

/** Everything a page view reads about one user and their account (see `readSubject`). */
export interface SubjectRead {
  /** The workspace's content revision (published content is cached per revision); -1 if none. */
  revision: number;
  user: Pick<UserRow, 'accountId' | 'traits' | 'firstSeen'> | null;
  account: Pick<AccountRow, 'traits'> | null;
  /** The user's `user_content_state` rows: the latest of each widget event per content. */
  states: ContentStateRow[];
  /** Each time a survey was shown to the user (its back-off counts displays one by one). */
  surveyDisplays: Array<{ contentId: string; at: number }>;
  /** `user:<goal>` and `account:<goal>` to the time it was reached. */
  progress: Map<string, number>;
  /** The workspace's milestones by key (checklist items name them by key). */
  milestoneByKey: Map<string, { id: string; rule: EventRule }>;
  /** The user's survey responses. */
  surveyResponses: Array<{ surveyId: string; at: number }>;
}

// ?1 workspace, ?2 user, ?3 the account the request names (else the user's stored one is used).
const account = `coalesce(?3, (SELECT account_id FROM users WHERE workspace_id = ?1 AND id = ?2))`;
const surveyShown = `'$waymark.survey_shown'`;

/**
 * The one statement behind `readSubject`: a row of scalar subqueries, each a primary-key or short
 * index range read by the workspace's, the user's or the account's keys (plans pinned in
 * test/server/query-plans.test.ts). Lists come back as JSON arrays.
 */
export const subjectSql = `SELECT
  (SELECT content_revision FROM workspaces WHERE id = ?1) AS revision,
  (SELECT json_object('accountId', account_id, 'traits', json(traits), 'firstSeen', first_seen)
    FROM users WHERE workspace_id = ?1 AND id = ?2) AS user,
  (SELECT json_object('traits', json(traits)) FROM accounts WHERE workspace_id = ?1 AND id = ${account}) AS account,
  (SELECT json_group_array(json_array(content_id, name, last_at, step_id))
    FROM user_content_state WHERE workspace_id = ?1 AND user_id = ?2) AS states,
  (SELECT json_group_array(json_array(${internalProperty('contentId')}, timestamp))
    FROM events WHERE workspace_id = ?1 AND user_id = ?2 AND name = ${surveyShown} AND type = 'track') AS displays,
  (SELECT json_group_array(json_array(goal, reached_at))
    FROM goal_progress WHERE workspace_id = ?1 AND subject = 'user' AND subject_id = ?2) AS user_progress,
  (SELECT json_group_array(json_array(goal, reached_at))
    FROM goal_progress WHERE workspace_id = ?1 AND subject = 'account' AND subject_id = ${account}) AS account_progress,
  (SELECT json_group_array(json_array(id, key, json(rule))) FROM milestones WHERE workspace_id = ?1) AS milestones,
  (SELECT json_group_array(json_array(survey_id, responded_at))
    FROM survey_responses WHERE workspace_id = ?1 AND user_id = ?2) AS responses`;

/**
 * Everything a page view reads about one user, in ONE statement: its cost follows what this user
 * and their account have, never the size of the workspace's history. One statement rather than one
 * query per table because, at these sizes, each query's fixed cost (the client preparing it, the
 * query builder, the row mapping) is most of the work: twelve queries made a page view cost several
 * times a bare route.
 *
 * @example
 * const read = await readSubject(db, 'ws_1', 'u_1', request.groupId ?? null)
 * read.progress.get('account:milestone:ms_1') // when the account reached it
 */
export async function readSubject(
  db: Database,
  workspaceId: string,
  userId: string,
  groupId: string | null,
): Promise<SubjectRead> {
  const result = await db.read.$client.execute({ sql: subjectSql, args: [workspaceId, userId, groupId] });
  const row = result.rows[0];
  const json = <T>(column: string, fallback: T): T => {
    const value = row?.[column];
    return typeof value === 'string' ? (JSON.parse(value) as T) : fallback;
  };
  const progress = new Map<string, number>();
  for (const [subject, column] of [
    ['user', 'user_progress'],
    ['account', 'account_progress'],
  ] as const) {
    for (const [goal, at] of json<Array<[string, number]>>(column, []))
      progress.set(progressKey(subject, goal), at);
  }
  return {
    revision: typeof row?.revision === 'number' ? row.revision : -1,
    user: json<SubjectRead['user']>('user', null),
    account: json<SubjectRead['account']>('account', null),
    states: json<Array<[string, string, number, string | null]>>('states', []).map(
      ([contentId, name, lastAt, stepId]) => ({ contentId, name, lastAt, stepId }),
    ),
    surveyDisplays: json<Array<[string, number]>>('displays', []).map(([contentId, at]) => ({
      contentId,
      at,
    })),
    progress,
    milestoneByKey: new Map(
      json<Array<[string, string, EventRule]>>('milestones', []).map(([id, key, rule]) => [
        key,
        { id, rule },
      ]),
    ),
    surveyResponses: json<Array<[string, number]>>('responses', []).map(([surveyId, at]) => ({
      surveyId,
      at,
    })),
  };
}
