import { and, eq, inArray } from 'drizzle-orm';
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
  // Who it was shown to (first time) and who dismissed it: the content_users rollup, one row per
  // person, kept at ingestion (server/ingest/rollups.ts).
  const interactions = await db.reports
    .select({ userId: contentUsers.subjectId, name: contentUsers.name, at: contentUsers.firstAt })
    .from(contentUsers)
    .where(
      and(
        eq(contentUsers.workspaceId, workspaceId),
        eq(contentUsers.contentId, checklistId),
        eq(contentUsers.version, version.version),
        inArray(contentUsers.name, [internalEvent('checklist_shown'), internalEvent('checklist_dismissed')]),
        eq(contentUsers.stepId, ''),
        eq(contentUsers.anonymous, 0),
      ),
    );
  const shown = new Map<string, number>();
  const dismissed = new Set<string>();
  for (const row of interactions) {
    if (row.name === internalEvent('checklist_shown')) shown.set(row.userId, row.at);
    else dismissed.add(row.userId);
  }
  const viewers = [...shown.keys()];

  // Where each item's completion is recorded: its own goal, or its milestone's.
  const milestoneByKey = await milestonesByKey(db, workspaceId);
  const goals = content.items.map((item) =>
    item.completion.kind === 'milestone'
      ? goalId.milestone(milestoneByKey.get(item.completion.milestone)?.id ?? '')
      : goalId.item(checklistId, item.id),
  );
  const accountOf = new Map<string, string | null>();
  if (content.scope === 'account' && viewers.length > 0) {
    // Joined in SQL rather than passed as a list: the viewers may be more than a statement can bind.
    const rows = await db.reports
      .select({ id: users.id, accountId: users.accountId })
      .from(contentUsers)
      .innerJoin(
        users,
        and(eq(users.workspaceId, contentUsers.workspaceId), eq(users.id, contentUsers.subjectId)),
      )
      .where(
        and(
          eq(contentUsers.workspaceId, workspaceId),
          eq(contentUsers.contentId, checklistId),
          eq(contentUsers.version, version.version),
          eq(contentUsers.name, internalEvent('checklist_shown')),
          eq(contentUsers.stepId, ''),
          eq(contentUsers.anonymous, 0),
        ),
      );
    for (const row of rows) accountOf.set(row.id, row.accountId);
  }
  const progress = await db.reports
    .select({
      goal: goalProgress.goal,
      subject: goalProgress.subject,
      subjectId: goalProgress.subjectId,
      reachedAt: goalProgress.reachedAt,
    })
    .from(goalProgress)
    .where(and(eq(goalProgress.workspaceId, workspaceId), inArray(goalProgress.goal, goals)));
  const done = new Map(progress.map((row) => [`${row.subject}:${row.subjectId}:${row.goal}`, row.reachedAt]));
  const doneAt = (userId: string, goal: string): number | null => {
    const account = accountOf.get(userId);
    if (content.scope === 'account' && account) return done.get(`account:${account}:${goal}`) ?? null;
    return done.get(`user:${userId}:${goal}`) ?? null;
  };

  const itemCounts = content.items.map(() => 0);
  let started = 0;
  const completionTimes: number[] = [];
  for (const userId of viewers) {
    const times = goals.map((goal) => doneAt(userId, goal));
    times.forEach((time, index) => {
      if (time !== null) itemCounts[index] = (itemCounts[index] ?? 0) + 1;
    });
    if (times.some((time) => time !== null)) started++;
    const required = times.filter((_, index) => content.items[index]?.required);
    if (required.every((time) => time !== null)) {
      const last = Math.max(...(required as number[]));
      completionTimes.push(Math.max(0, last - (shown.get(userId) as number)));
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
    dismissed: dismissed.size,
    medianDaysToComplete: toDays(median(completionTimes)),
  };
}
