import type { InStatement } from '@libsql/client';
import { type InternalEventName, internalEvent } from '../../shared/schemas/internal-event.ts';
import type { IngestEvent } from '../ingest/parse-batch.ts';
import type { PromptEvent } from './prompts.ts';

/**
 * The widget events whose latest time per user and content is all a page view needs of them
 * (`user_content_state`): whether a checklist was seen, opened, dismissed; when a survey was last
 * dismissed; when a tour was last shown, ended, and which step it was last on. A survey's displays are
 * counted one by one (server/surveys/eligibility.ts), so `survey_shown` is read from the user's events.
 */
export const stateEvents = [
  'checklist_shown',
  'checklist_opened',
  'checklist_dismissed',
  'survey_dismissed',
  'spotlight_shown',
  'spotlight_step_viewed',
  'spotlight_completed',
  'spotlight_dismissed',
] as const satisfies readonly InternalEventName[];

const byName = new Map<string, InternalEventName>(stateEvents.map((name) => [internalEvent(name), name]));

// SQLite allows 32766 bound values per statement.
const idsPerStatement = 400;

/**
 * The statements that fold a commit's widget events into `user_content_state`, for the same
 * transaction as the events (after their INSERTs). They read the rows as stored, by message id, so a
 * duplicate message counts with what was stored the first time; and `max` makes replaying one, or a
 * late event arriving after newer ones, leave the latest time in place: the row is always the
 * latest event of the user's history, whatever order the events came in.
 *
 * @example
 * await writer.batch([...eventInserts, ...contentStateUpdates(events)])
 */
export function contentStateUpdates(events: readonly IngestEvent[]): InStatement[] {
  const byWorkspace = new Map<string, string[]>();
  for (const event of events) {
    if (event.type !== 'track' || event.userId === null || !byName.has(event.name ?? '')) continue;
    const ids = byWorkspace.get(event.workspaceId) ?? [];
    ids.push(event.messageId);
    byWorkspace.set(event.workspaceId, ids);
  }
  const names = [...byName.keys()];
  const statements: InStatement[] = [];
  for (const [workspaceId, messageIds] of byWorkspace) {
    for (let i = 0; i < messageIds.length; i += idsPerStatement) {
      const chunk = messageIds.slice(i, i + idsPerStatement);
      statements.push({
        // Row by row (no GROUP BY, so no temporary B-tree): the upsert keeps the latest of them.
        sql: `INSERT INTO user_content_state (workspace_id, user_id, content_id, name, last_at, step_id)
          SELECT workspace_id, user_id, json_extract(properties, '$.contentId'), name, timestamp,
            json_extract(properties, '$.stepId')
          FROM events
          WHERE workspace_id = ? AND message_id IN (${chunk.map(() => '?').join(', ')})
            AND type = 'track' AND user_id IS NOT NULL AND name IN (${names.map(() => '?').join(', ')})
            AND json_type(properties, '$.contentId') = 'text'
          ON CONFLICT (workspace_id, user_id, content_id, name) DO UPDATE SET
            step_id = CASE WHEN excluded.last_at >= user_content_state.last_at
              THEN excluded.step_id ELSE user_content_state.step_id END,
            last_at = max(user_content_state.last_at, excluded.last_at)`,
        args: [workspaceId, ...chunk, ...names],
      });
    }
  }
  return statements;
}

/** One row of `user_content_state` as a page view reads it (server/content/subject-read.ts). */
export interface ContentStateRow {
  contentId: string;
  name: string;
  lastAt: number;
  stepId: string | null;
}

/** The rows as prompt history: each (content, event) once, at its latest time (server/content/prompts.ts). */
export function statePromptEvents(rows: readonly ContentStateRow[]): PromptEvent[] {
  return rows.flatMap((row) => {
    const name = byName.get(row.name);
    if (!name || name.startsWith('checklist_')) return [];
    return [{ name, contentId: row.contentId, stepId: row.stepId, at: row.lastAt }];
  });
}

/** The latest shown / opened / dismissed time of each checklist the user has met. */
export function checklistStates(
  rows: readonly ContentStateRow[],
): Map<string, { shown?: number; opened?: number; dismissed?: number }> {
  const keys: Partial<Record<InternalEventName, 'shown' | 'opened' | 'dismissed'>> = {
    checklist_shown: 'shown',
    checklist_opened: 'opened',
    checklist_dismissed: 'dismissed',
  };
  const states = new Map<string, { shown?: number; opened?: number; dismissed?: number }>();
  for (const row of rows) {
    const key = keys[byName.get(row.name) ?? 'survey_shown'];
    if (!key) continue;
    const state = states.get(row.contentId) ?? {};
    state[key] = row.lastAt;
    states.set(row.contentId, state);
  }
  return states;
}
