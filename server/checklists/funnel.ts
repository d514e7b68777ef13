import { sql } from 'drizzle-orm';
import type { ChecklistVersion } from '../../shared/schemas/checklist.ts';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import { median, toDays } from '../analytics/stats.ts';
import type { Database } from '../db/client.ts';
import { checklistCounts, checklistViewers, contentUsers } from '../db/schema.ts';

/** The `item` of checklist_counts' rows that are not an item's (migration 0016). */
const counted = { shown: -1, started: -2, completed: -3 } as const;

/**
 * A checklist version's funnel, over the users it was shown to (the widget's `checklist_shown`):
 * - `started`: of them, users with at least one item done;
 * - `items`: per item, users with it done (in account scope, done by anyone in their account);
 * - `completed`: users with every required item done, and the median time from first shown to the
 *   last required item (0 when everything was done before it was shown);
 * - `dismissed`: users who dismissed this version.
 *
 * Counts from checklist_counts, a few rows per version kept by triggers on checklist_viewers (one row
 * per user it was shown to with the items done and the time to complete, itself kept by triggers as
 * events, goals, accounts and milestones change; migrations 0010 and 0016); the median from two rows
 * of checklist_viewers' `took` index in order. Dismissals from the content_users rollup kept at
 * ingestion (server/ingest/rollups.ts).
 */
export async function checklistFunnel(db: Database, workspaceId: string, version: ChecklistVersion) {
  const { contentId: checklistId, content } = version;
  const v = checklistViewers;
  const n = checklistCounts;
  const c = contentUsers;
  const [row] = await db.reports.all<{ counts: string; middle: string; dismissed: number }>(sql`
    SELECT
      (SELECT json_group_object(${n.item}, ${n.users}) FROM ${n} WHERE ${n.workspaceId} = ${workspaceId}
        AND ${n.checklistId} = ${checklistId} AND ${n.version} = ${version.version}) AS counts,
      (SELECT json_group_array(took) FROM (SELECT ${v.took} AS took FROM ${v}
        WHERE ${v.workspaceId} = ${workspaceId} AND ${v.checklistId} = ${checklistId}
          AND ${v.version} = ${version.version} AND ${v.took} IS NOT NULL ORDER BY ${v.took}
        LIMIT 2 OFFSET coalesce((SELECT (${n.users} - 1) / 2 FROM ${n} WHERE ${n.workspaceId} = ${workspaceId}
          AND ${n.checklistId} = ${checklistId} AND ${n.version} = ${version.version}
          AND ${n.item} = ${counted.completed}), 0))) AS middle,
      (SELECT count(*) FROM ${c} WHERE ${c.workspaceId} = ${workspaceId} AND ${c.contentId} = ${checklistId}
        AND ${c.version} = ${version.version} AND ${c.name} = ${internalEvent('checklist_dismissed')}
        AND ${c.stepId} = '' AND ${c.anonymous} = 0) AS dismissed`);
  const counts = JSON.parse(row?.counts ?? '{}') as Record<string, number>;
  const count = (item: number) => counts[item] ?? 0;
  const completed = count(counted.completed);
  // The one or two times the median lies at or between (see median in ./stats.ts).
  const [lower = 0, upper = lower] = JSON.parse(row?.middle ?? '[]') as number[];
  return {
    checklistId,
    version: version.version,
    shown: count(counted.shown),
    started: count(counted.started),
    items: content.items.map((item, index) => ({
      id: item.id,
      title: item.title,
      required: item.required,
      completed: count(index),
    })),
    completed,
    dismissed: row?.dismissed ?? 0,
    medianDaysToComplete: toDays(
      completed === 0 ? null : median(completed % 2 === 1 ? [lower] : [lower, upper]),
    ),
  };
}
