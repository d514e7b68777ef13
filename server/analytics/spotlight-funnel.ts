import { and, eq, exists, inArray, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import type { SpotlightVersion } from '../../shared/schemas/spotlight.ts';
import type { Database } from '../db/client.ts';
import { events } from '../db/schema.ts';

/** The same table again, for the users a version was shown to. */
const seen = alias(events, 'seen');

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
  const contentId = sql<string>`json_extract(${events.properties}, '$.contentId')`;
  const stepId = sql<string | null>`json_extract(${events.properties}, '$.stepId')`;
  const scope = and(
    eq(events.workspaceId, workspaceId),
    eq(events.type, 'track'),
    eq(contentId, version.contentId),
    eq(sql`json_extract(${events.properties}, '$.version')`, version.version),
  );
  const counts = await db.reports
    .select({ name: events.name, stepId, users: sql<number>`count(DISTINCT ${events.userId})` })
    .from(events)
    .where(
      and(
        scope,
        inArray(events.name, [names.shown, names.step, names.completed, names.dismissed]),
        // A completion counts for a user it was shown to (a correlated subquery on the same scope).
        or(
          ne(events.name, names.completed),
          exists(
            db.reports
              .select({ one: sql`1` })
              .from(seen)
              .where(
                and(
                  eq(seen.workspaceId, workspaceId),
                  eq(seen.type, 'track'),
                  eq(seen.name, names.shown),
                  eq(seen.userId, events.userId),
                  eq(sql`json_extract(${seen.properties}, '$.contentId')`, version.contentId),
                  eq(sql`json_extract(${seen.properties}, '$.version')`, version.version),
                ),
              ),
          ),
        ),
      ),
    )
    .groupBy(events.name, stepId);
  const users = (name: string, step: string | null = null) =>
    counts.find((row) => row.name === name && (step === null || row.stepId === step))?.users ?? 0;
  const total = (name: string) =>
    counts.filter((row) => row.name === name).reduce((sum, row) => sum + row.users, 0);

  const missing = await db.reports
    .select({
      stepId,
      selector: sql<string>`json_extract(${events.properties}, '$.selector')`,
      url: sql<string>`json_extract(${events.properties}, '$.url')`,
      events: sql<number>`count(*)`,
      users: sql<number>`count(DISTINCT coalesce(${events.userId}, ${events.anonymousId}))`,
      lastAt: sql<number>`max(${events.timestamp})`,
    })
    .from(events)
    .where(and(scope, eq(events.name, names.missing)))
    .groupBy(
      stepId,
      sql`json_extract(${events.properties}, '$.selector')`,
      sql`json_extract(${events.properties}, '$.url')`,
    )
    .orderBy(sql`count(*) DESC`);

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
