import { sql } from 'drizzle-orm';
import type { ChecklistVersion } from '../../shared/schemas/checklist.ts';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import { milestonesByKey } from '../content/milestones.ts';
import type { Database } from '../db/client.ts';
import { contentUsers, goalProgress, users } from '../db/schema.ts';
import { goalId } from '../goals/catalog.ts';
import { median, toDays } from './stats.ts';

/**
 * A checklist version's funnel, over the users it was shown to (the widget's `checklist_shown`):
 * - `started`: of them, users with at least one item done;
 * - `items`: per item, users with it done (in account scope, done by anyone in their account);
 * - `completed`: users with every required item done, and the median time from first shown to the
 *   last required item (0 when everything was done before it was shown);
 * - `dismissed`: users who dismissed this version.
 */
export async function checklistFunnel(db: Database, workspaceId: string, version: ChecklistVersion) {
  const { contentId: checklistId, content } = version;
  // Where each item's completion is recorded: its own goal, or its milestone's.
  const milestoneByKey = await milestonesByKey(db, workspaceId);
  const goals = content.items.map((item) =>
    item.completion.kind === 'milestone'
      ? goalId.milestone(milestoneByKey.get(item.completion.milestone)?.id ?? '')
      : goalId.item(checklistId, item.id),
  );

  // Who it was shown to (first time) and who dismissed it come from the content_users rollup kept
  // at ingestion (server/ingest/rollups.ts); item times from goal_progress by primary key, once per
  // subject: the viewer, or their account when the checklist is account-wide (all its viewers share
  // its items). One statement, whose answer leaves the database as one JSON array: the client builds
  // an object per row, which for tens of thousands of rows costs more than the query.
  const c = contentUsers;
  const ofVersion = (
    name: string,
  ) => sql`${c.workspaceId} = ${workspaceId} AND ${c.contentId} = ${checklistId}
    AND ${c.version} = ${version.version} AND ${c.name} = ${name} AND ${c.stepId} = '' AND ${c.anonymous} = 0`;
  const byAccount = content.scope === 'account';
  const subject = byAccount
    ? sql`CASE WHEN ${users.accountId} IS NULL THEN 'user' ELSE 'account' END`
    : sql`'user'`;
  const subjectId = byAccount ? sql`coalesce(${users.accountId}, ${c.subjectId})` : sql`${c.subjectId}`;
  const itemTimes = goals.map(
    (goal) => sql`, (SELECT ${goalProgress.reachedAt} FROM ${goalProgress}
      WHERE ${goalProgress.workspaceId} = ${workspaceId} AND ${goalProgress.goal} = ${goal}
        AND ${goalProgress.subject} = viewers.subject AND ${goalProgress.subjectId} = viewers.subject_id)`,
  );
  const [row] = await db.reports.all<{ subjects: string; dismissed: number }>(sql`
    SELECT
      (SELECT json_group_array(json_array(json(viewers.shown)${sql.join(itemTimes, sql``)}))
        FROM (SELECT ${subject} AS subject, ${subjectId} AS subject_id, json_group_array(${c.firstAt}) AS shown
          FROM ${c}
          ${byAccount ? sql`LEFT JOIN ${users} ON ${users.workspaceId} = ${c.workspaceId} AND ${users.id} = ${c.subjectId}` : sql``}
          WHERE ${ofVersion(internalEvent('checklist_shown'))}
          GROUP BY 1, 2) AS viewers) AS subjects,
      (SELECT count(*) FROM ${c} WHERE ${ofVersion(internalEvent('checklist_dismissed'))}) AS dismissed`);
  /** Per subject: when it was first shown to each of its viewers, then each item's time or null. */
  const subjects = JSON.parse(row?.subjects ?? '[]') as Array<[number[], ...Array<number | null>]>;
  const viewers = subjects.flatMap(([shown, ...times]) => shown.map((shownAt) => ({ shownAt, times })));

  const itemCounts = content.items.map(() => 0);
  let started = 0;
  const completionTimes: number[] = [];
  for (const { shownAt, times } of viewers) {
    times.forEach((time, index) => {
      if (time !== null) itemCounts[index] = (itemCounts[index] ?? 0) + 1;
    });
    if (times.some((time) => time !== null)) started++;
    const required = times.filter((_, index) => content.items[index]?.required);
    if (required.every((time) => time !== null)) {
      const last = Math.max(...(required as number[]));
      completionTimes.push(Math.max(0, last - shownAt));
    }
  }
  return {
    checklistId,
    version: version.version,
    shown: viewers.length,
    started,
    items: content.items.map((item, index) => ({
      id: item.id,
      title: item.title,
      required: item.required,
      completed: itemCounts[index] ?? 0,
    })),
    completed: completionTimes.length,
    dismissed: row?.dismissed ?? 0,
    medianDaysToComplete: toDays(median(completionTimes)),
  };
}
