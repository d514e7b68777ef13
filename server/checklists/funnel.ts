import { sql } from 'drizzle-orm';
import type { ChecklistVersion } from '../../shared/schemas/checklist.ts';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import { median, toDays } from '../analytics/stats.ts';
import type { Database } from '../db/client.ts';
import { checklistViewers, contentUsers } from '../db/schema.ts';

/**
 * A checklist version's funnel, over the users it was shown to (the widget's `checklist_shown`):
 * - `started`: of them, users with at least one item done;
 * - `items`: per item, users with it done (in account scope, done by anyone in their account);
 * - `completed`: users with every required item done, and the median time from first shown to the
 *   last required item (0 when everything was done before it was shown);
 * - `dismissed`: users who dismissed this version.
 *
 * Read from checklist_viewers, one row per user it was shown to with the items done and the time to
 * complete, kept by triggers as events, goals, accounts and milestones change (migration 0010): one
 * aggregate over the version's rows, the median two rows of an index in order. Dismissals from the
 * content_users rollup kept at ingestion (server/ingest/rollups.ts).
 */
export async function checklistFunnel(db: Database, workspaceId: string, version: ChecklistVersion) {
  const { contentId: checklistId, content } = version;
  const v = checklistViewers;
  const ofVersion = sql`${v.workspaceId} = ${workspaceId} AND ${v.checklistId} = ${checklistId}
    AND ${v.version} = ${version.version}`;
  const c = contentUsers;
  // Item i is bit i of `done`.
  const itemCounts = content.items.map((_, i) => sql`, sum((${v.done} >> ${sql.raw(String(i))}) & 1)`);
  const [row] = await db.reports.all<{
    shown: number;
    started: number | null;
    items: string;
    completed: number;
    middle: string;
    dismissed: number;
  }>(sql`
    SELECT count(*) AS shown, sum(${v.done} <> 0) AS started,
      json_array(0${sql.join(itemCounts, sql``)}) AS items, count(${v.took}) AS completed,
      (SELECT json_group_array(took) FROM (SELECT ${v.took} AS took FROM ${v}
        WHERE ${ofVersion} AND ${v.took} IS NOT NULL ORDER BY ${v.took}
        LIMIT 2 OFFSET (SELECT (count(${v.took}) - 1) / 2 FROM ${v} WHERE ${ofVersion}))) AS middle,
      (SELECT count(*) FROM ${c} WHERE ${c.workspaceId} = ${workspaceId} AND ${c.contentId} = ${checklistId}
        AND ${c.version} = ${version.version} AND ${c.name} = ${internalEvent('checklist_dismissed')}
        AND ${c.stepId} = '' AND ${c.anonymous} = 0) AS dismissed
    FROM ${v} WHERE ${ofVersion}`);
  const completed = row?.completed ?? 0;
  // The one or two times the median lies at or between (see median in ./stats.ts).
  const [lower = 0, upper = lower] = JSON.parse(row?.middle ?? '[]') as number[];
  const [, ...items] = JSON.parse(row?.items ?? '[]') as Array<number | null>;
  return {
    checklistId,
    version: version.version,
    shown: row?.shown ?? 0,
    started: row?.started ?? 0,
    items: content.items.map((item, index) => ({
      id: item.id,
      title: item.title,
      required: item.required,
      completed: items[index] ?? 0,
    })),
    completed,
    dismissed: row?.dismissed ?? 0,
    medianDaysToComplete: toDays(
      completed === 0 ? null : median(completed % 2 === 1 ? [lower] : [lower, upper]),
    ),
  };
}
