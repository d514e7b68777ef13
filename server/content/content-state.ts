import { type InternalEventName, internalEvent } from '../../shared/schemas/internal-event.ts';
import type { PromptEvent } from './prompts.ts';

/**
 * The widget events whose latest time per user and content is all a page view needs of them
 * (`user_content_state`): whether a checklist was seen, opened, dismissed; when a survey was last
 * dismissed; when a tour was last shown, ended, and which step it was last on. A survey's displays are
 * counted one by one (server/surveys/eligibility.ts), so `survey_shown` is read from the user's events.
 *
 * The table is kept by a trigger on `events` (migration 0006, which lists these names again): in the
 * transaction that stores the event, for a row really inserted only (a duplicate message changes
 * nothing), keeping the latest time whatever order events arrive in. Whatever writes events, the
 * ingest commit or a backfill, the table follows.
 */
export const stateEvents = [
  'checklist_shown',
  'checklist_opened',
  'checklist_dismissed',
  'survey_dismissed',
  'spotlight_shown',
  'spotlight_step_viewed',
  'spotlight_step_reached',
  'spotlight_completed',
  'spotlight_dismissed',
] as const satisfies readonly InternalEventName[];

const byName = new Map<string, InternalEventName>(stateEvents.map((name) => [internalEvent(name), name]));

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
