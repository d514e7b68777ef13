import { and, eq, inArray, sql } from 'drizzle-orm';
import { type InternalEventName, internalEvent } from '../../shared/schemas/internal-event.ts';
import type { Database } from '../db/client.ts';
import { events } from '../db/schema.ts';

/** One of the widget's survey or spotlight events for a user. */
export interface PromptEvent {
  name: InternalEventName;
  contentId: string;
  stepId: string | null;
  at: number;
}

const promptEvents = [
  'survey_shown',
  'survey_dismissed',
  'spotlight_shown',
  'spotlight_step_viewed',
  'spotlight_step_reached',
  'spotlight_completed',
  'spotlight_dismissed',
] as const satisfies readonly InternalEventName[];

/**
 * What a user has been shown and done with surveys and spotlights, from the widget's own events:
 * the history that frequency, recurrence and the workspace cooldown are decided from.
 */
export async function promptHistory(
  db: Database,
  workspaceId: string,
  userId: string,
): Promise<PromptEvent[]> {
  const names = new Map<string, InternalEventName>(promptEvents.map((name) => [internalEvent(name), name]));
  const rows = await db.read
    .select({
      name: events.name,
      contentId: sql<string>`json_extract(${events.properties}, '$.contentId')`,
      stepId: sql<string | null>`json_extract(${events.properties}, '$.stepId')`,
      at: events.timestamp,
    })
    .from(events)
    .where(
      and(
        eq(events.workspaceId, workspaceId),
        eq(events.userId, userId),
        eq(events.type, 'track'),
        inArray(events.name, [...names.keys()]),
      ),
    );
  return rows.map((row) => ({
    name: names.get(row.name ?? '') as InternalEventName,
    contentId: row.contentId,
    stepId: row.stepId,
    at: row.at,
  }));
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
