import type { InternalEventName } from '../../shared/schemas/internal-event.ts';
import { type ContentStateRow, statePromptEvents } from './content-state.ts';

/** One of the widget's survey or spotlight events for a user. */
export interface PromptEvent {
  name: InternalEventName;
  contentId: string;
  stepId: string | null;
  at: number;
}

/**
 * What a user has been shown and done with surveys and spotlights: the history that frequency,
 * recurrence and the workspace cooldown are decided from (server/content/subject-read.ts reads it).
 * Each survey display, and the latest time of every other prompt event per content (all that the
 * decisions read of those).
 */
export function promptHistory(
  displays: ReadonlyArray<{ contentId: string; at: number }>,
  states: readonly ContentStateRow[],
): PromptEvent[] {
  return [
    ...displays.map((row) => ({
      name: 'survey_shown' as const,
      contentId: row.contentId,
      stepId: null,
      at: row.at,
    })),
    ...statePromptEvents(states),
  ];
}

/**
 * The latest time a prompt that opens by itself was shown, other than `except`: any survey, and
 * spotlights for which `opensByItself` holds (a hotspot's beacon or a tour the user started by
 * clicking does not interrupt anyone). Unknown content counts, to be safe.
 */
export function lastPromptAt(
  history: readonly PromptEvent[],
  opensByItself: (spotlightId: string) => boolean,
  except?: string,
): number | null {
  let latest: number | null = null;
  for (const event of history) {
    if (event.contentId === except) continue;
    const counts =
      event.name === 'survey_shown' || (event.name === 'spotlight_shown' && opensByItself(event.contentId));
    if (counts && (latest === null || event.at > latest)) latest = event.at;
  }
  return latest;
}
