import { and, eq, inArray, sql } from 'drizzle-orm';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import type { SpotlightVersion } from '../../shared/schemas/spotlight.ts';
import type { Database } from '../db/client.ts';
import { contentCounts, spotlightMisses } from '../db/schema.ts';

const names = {
  shown: internalEvent('spotlight_shown'),
  step: internalEvent('spotlight_step_viewed'),
  completed: internalEvent('spotlight_completed'),
  dismissed: internalEvent('spotlight_dismissed'),
  missing: internalEvent('spotlight_target_not_found'),
};

/**
 * A spotlight or tour version's funnel, in distinct users (the widget's own events):
 * - `shown`: users it started for; `steps`: per step, users who viewed it, and users who dismissed
 *   the tour at it; `completed`: users it was shown to who finished the last step (a spotlight none
 *   of whose steps ever showed, every target missing and skipped, is not completed: older widgets
 *   sent `spotlight_completed` for it); `completionRate` = completed / shown (null when shown is 0);
 * - `targetNotFound`: per step, selector and page, how often the target was missing (events and
 *   users) and when last, so a broken selector shows up for the author.
 */
export async function spotlightFunnel(db: Database, workspaceId: string, version: SpotlightVersion) {
  // Per event and step, the users counted by the triggers of migration 0013 (`content_counts`, from
  // the per-person rollup content_users kept at ingestion): a few rows whatever the number of people.
  // A completion counts for a user the spotlight was shown to (skipped is not completed).
  const c = contentCounts;
  const rows = await db.reports
    .select({ name: c.name, stepId: c.stepId, users: c.users, shown: c.shown })
    .from(c)
    .where(
      and(
        eq(c.workspaceId, workspaceId),
        eq(c.contentId, version.contentId),
        eq(c.version, version.version),
        inArray(c.name, [names.shown, names.step, names.completed, names.dismissed]),
      ),
    )
    .orderBy(c.name, c.stepId);
  const counts = rows
    .map((row) => ({ ...row, users: row.name === names.completed ? row.shown : row.users }))
    .filter((row) => row.users > 0);
  const users = (name: string, step: string | null = null) =>
    counts.find((row) => row.name === name && (step === null || row.stepId === step))?.users ?? 0;
  const total = (name: string) =>
    counts.filter((row) => row.name === name).reduce((sum, row) => sum + row.users, 0);

  const m = spotlightMisses;
  const missing = await db.reports
    .select({
      stepId: m.stepId,
      selector: m.selector,
      url: m.url,
      events: sql<number>`sum(${m.events})`,
      users: sql<number>`count(*)`,
      lastAt: sql<number>`max(${m.lastAt})`,
    })
    .from(m)
    .where(
      and(eq(m.workspaceId, workspaceId), eq(m.contentId, version.contentId), eq(m.version, version.version)),
    )
    .groupBy(m.stepId, m.selector, m.url)
    .orderBy(sql`sum(${m.events}) DESC`);

  const shown = users(names.shown);
  const completed = users(names.completed);
  return {
    spotlightId: version.contentId,
    version: version.version,
    shown,
    steps: version.content.steps.map((step, index) => ({
      id: step.id,
      index,
      title: step.title,
      viewed: users(names.step, step.id),
      dismissedHere: users(names.dismissed, step.id),
    })),
    completed,
    dismissed: total(names.dismissed),
    completionRate: shown === 0 ? null : Math.round((completed / shown) * 10_000) / 10_000,
    targetNotFound: missing.map((row) => ({ ...row, lastAt: new Date(row.lastAt).toISOString() })),
  };
}
