import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateEvents } from '../../server/content/content-state.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { migrationsFolder } from '../../server/paths.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * `user_content_state`: each user's latest widget event per content and name, kept in the commit that
 * stores the events, is what a page view reads instead of the user's events (README, "Scale").
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const t0 = Date.parse('2026-11-23T12:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

const widget = (messageId: string, seconds: number, name: string, properties: Record<string, unknown>) => ({
  type: 'track',
  messageId,
  timestamp: at(seconds),
  userId: 'u1',
  event: `$waymark.${name}`,
  properties,
});
async function rows() {
  return h.db.read.all<{ content_id: string; name: string; last_at: number; step_id: string | null }>(
    sql`SELECT content_id, name, last_at, step_id FROM user_content_state
      WHERE workspace_id = 'ws1' AND user_id = 'u1' ORDER BY content_id, name`,
  );
}

async function publishedTourAndChecklist() {
  const tour = await h.adminJson('/spotlights', 'POST', {
    name: 'Tour',
    content: {
      steps: ['a', 'b', 'c'].map((id) => ({
        id,
        kind: 'tooltip',
        title: id,
        anchor: { selector: `#${id}` },
      })),
    },
  });
  expect(tour.status, JSON.stringify(tour.body)).toBe(201);
  await h.adminJson(`/spotlights/${tour.body.id}/publish`, 'POST');
  const checklist = await h.adminJson('/checklists', 'POST', {
    name: 'Onboarding',
    content: { title: 'Start', items: [{ id: 'x', title: 'X', completion: { kind: 'manual' } }] },
  });
  expect(checklist.status, JSON.stringify(checklist.body)).toBe(201);
  await h.adminJson(`/checklists/${checklist.body.id}/publish`, 'POST');
  return { tour: tour.body.id as string, checklist: checklist.body.id as string };
}

/** Events that arrive out of order, in three commits, one of them retried with other content. */
async function outOfOrderHistory(tour: string, checklist: string) {
  const ref = (contentId: string) => ({ contentId, version: 1 });
  await h.ingest([
    widget('c', 30, 'spotlight_step_viewed', { ...ref(tour), stepId: 'c', stepIndex: 2 }),
    widget('opened', 20, 'checklist_opened', ref(checklist)),
  ]);
  // Late: older than what is stored, so they change no latest time (the step stays c).
  await h.ingest([
    widget('shown', 10, 'spotlight_shown', ref(tour)),
    widget('b', 25, 'spotlight_step_viewed', { ...ref(tour), stepId: 'b', stepIndex: 1 }),
    widget('dismissed', 15, 'checklist_dismissed', ref(checklist)),
    widget('seen', 5, 'checklist_shown', ref(checklist)),
    // The host app's own event and another user's: not this user's content state.
    { type: 'track', messageId: 'own', timestamp: at(40), userId: 'u1', event: 'Invoice Sent' },
    { ...widget('other', 50, 'spotlight_shown', ref(tour)), userId: 'u2' },
  ]);
  // A retry of message "c" with another time and step: the stored message counts, once.
  const retried = await h.ingest([
    widget('c', 90, 'spotlight_step_viewed', { ...ref(tour), stepId: 'a', stepIndex: 0 }),
  ]);
  expect(retried.duplicates).toBe(1);
}

describe('user content state', () => {
  it('is kept by a trigger on events that lists exactly the names a page view reads', async () => {
    const [trigger] = await h.db.read.all<{ sql: string }>(
      sql`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_user_content_state'`,
    );
    const listed = [...(trigger?.sql ?? '').matchAll(/'\$waymark\.(\w+)'/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...stateEvents].sort());
  });

  it("keeps each user's latest widget event per content, whatever order the events arrive in, a retry counted once", async () => {
    const { tour, checklist } = await publishedTourAndChecklist();
    await outOfOrderHistory(tour, checklist);
    const expected = [
      { content_id: checklist, name: '$waymark.checklist_dismissed', last_at: t0 + 15_000, step_id: null },
      { content_id: checklist, name: '$waymark.checklist_opened', last_at: t0 + 20_000, step_id: null },
      { content_id: checklist, name: '$waymark.checklist_shown', last_at: t0 + 5_000, step_id: null },
      { content_id: tour, name: '$waymark.spotlight_shown', last_at: t0 + 10_000, step_id: null },
      { content_id: tour, name: '$waymark.spotlight_step_viewed', last_at: t0 + 30_000, step_id: 'c' },
    ].sort((a, b) => (a.content_id + a.name < b.content_id + b.name ? -1 : 1));
    expect(await rows()).toEqual(expected);

    // What the page view makes of it, 10 minutes later: the tour resumes at c (its latest step
    // view), the checklist was seen and reopened after its dismissal.
    h.clock.now = t0 + 600_000;
    const delivered = await h.content('u1');
    expect(delivered.spotlights.map((s) => [s.id, s.resumeAt])).toEqual([[tour, 'c']]);
    expect(delivered.checklists.map((c) => [c.id, c.seen, c.dismissed])).toEqual([[checklist, true, false]]);
    expect(delivered.lastPromptAt).toBe(at(10));
  });

  it('is rebuilt from the events already stored when migration 0006 runs on an older database', async () => {
    // A database as release 0005 left it: its migrations only, events written before the table existed.
    const url = `file:${join(h.dir, 'old.db')}`;
    const older = join(h.dir, 'migrations-0005');
    cpSync(migrationsFolder, older, { recursive: true });
    const journalFile = join(older, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number }> };
    journal.entries = journal.entries.filter((entry) => entry.idx <= 5);
    writeFileSync(journalFile, JSON.stringify(journal));
    const client = createClient({ url });
    await migrate(drizzle(client), { migrationsFolder: older });
    const row = (messageId: string, seconds: number, name: string, properties: object, userId = 'u1') => ({
      sql: `INSERT INTO events (workspace_id, message_id, type, name, user_id, timestamp, received_at, properties)
        VALUES ('ws1', ?, 'track', ?, ?, ?, ?, ?)`,
      args: [messageId, name, userId, t0 + seconds * 1000, t0, JSON.stringify(properties)],
    });
    const ref = (contentId: string) => ({ contentId, version: 1 });
    await client.batch([
      row('1', 30, '$waymark.spotlight_step_viewed', { ...ref('sp_1'), stepId: 'c', stepIndex: 2 }),
      row('2', 25, '$waymark.spotlight_step_viewed', { ...ref('sp_1'), stepId: 'b', stepIndex: 1 }),
      row('3', 10, '$waymark.spotlight_shown', ref('sp_1')),
      row('4', 12, '$waymark.spotlight_shown', ref('sp_1')),
      row('5', 15, '$waymark.checklist_dismissed', ref('cl_1')),
      row('6', 50, '$waymark.spotlight_shown', ref('sp_1'), 'u2'),
      row('7', 40, 'Invoice Sent', {}),
      // Each display is read from the events themselves (the back-off counts them).
      row('8', 45, '$waymark.survey_shown', ref('sv_1')),
    ]);
    client.close();

    const migrated = await openDatabase({ url, logger: createLogger('silent') });
    try {
      const states = await migrated.read.all(
        sql`SELECT user_id, content_id, name, last_at, step_id FROM user_content_state ORDER BY user_id, name`,
      );
      expect(states).toEqual([
        {
          user_id: 'u1',
          content_id: 'cl_1',
          name: '$waymark.checklist_dismissed',
          last_at: t0 + 15_000,
          step_id: null,
        },
        {
          user_id: 'u1',
          content_id: 'sp_1',
          name: '$waymark.spotlight_shown',
          last_at: t0 + 12_000,
          step_id: null,
        },
        {
          user_id: 'u1',
          content_id: 'sp_1',
          name: '$waymark.spotlight_step_viewed',
          last_at: t0 + 30_000,
          step_id: 'c',
        },
        {
          user_id: 'u2',
          content_id: 'sp_1',
          name: '$waymark.spotlight_shown',
          last_at: t0 + 50_000,
          step_id: null,
        },
      ]);
    } finally {
      await migrated.close();
    }
  });
});
