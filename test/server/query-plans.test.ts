import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * The hot queries' plans, pinned: what a page view reads about its user, and how ingestion finds a
 * goal's count-th event, must be short index reads whatever the planner knows (before and after
 * `ANALYZE`): no scan of events or of a workspace's progress, no temporary B-tree over events. A
 * change to a query or an index that loses this fails here, not at 5 million events.
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false });
});
afterEach(async () => {
  await h.close();
});

const hot: Array<{ name: string; sql: string; args: unknown[]; uses: RegExp }> = [
  {
    name: "a user's prompt history (frequency, cooldown, tour resume)",
    sql: `SELECT name, json_extract(properties, '$.contentId'), timestamp FROM events
      WHERE workspace_id = ? AND user_id = ? AND type = 'track' AND name IN (?, ?, ?)`,
    args: ['ws1', 'u1', '$waymark.survey_shown', '$waymark.spotlight_shown', '$waymark.spotlight_dismissed'],
    uses: /USING INDEX events_user_name/,
  },
  {
    name: "a user's goal progress",
    sql: `SELECT goal, reached_at FROM goal_progress WHERE workspace_id = ? AND subject = ? AND subject_id = ?`,
    args: ['ws1', 'user', 'u1'],
    uses: /USING (COVERING )?INDEX (goal_progress_subject|sqlite_autoindex_goal_progress_1)/,
  },
  {
    name: "a user's survey responses",
    sql: 'SELECT survey_id, responded_at FROM survey_responses WHERE workspace_id = ? AND user_id = ?',
    args: ['ws1', 'u1'],
    uses: /USING INDEX survey_responses_user/,
  },
  {
    name: "an account's count-th matching event (ingestion)",
    sql: `SELECT e.timestamp FROM events e WHERE e.workspace_id = ? AND e.account_id = ? AND e.type = 'track'
      AND e.name = ? ORDER BY e.timestamp, e.seq LIMIT 1 OFFSET 2`,
    args: ['ws1', 'acme', 'Invoice Sent'],
    uses: /USING INDEX events_account_name/,
  },
  ...(
    [
      ['', [], /USING INDEX events_time/],
      ['AND user_id = ?', ['u1'], /USING INDEX events_user_time/],
      ['AND account_id = ?', ['acme'], /USING INDEX events_account_time/],
      ['AND name = ?', ['Invoice Sent'], /USING INDEX events_name_time/],
    ] as const
  ).map(([filter, args, uses]) => ({
    name: `the admin events list ${filter || 'unfiltered'}`,
    sql: `SELECT * FROM events WHERE workspace_id = ? ${filter}
      AND (timestamp < ? OR (timestamp = ? AND seq < ?)) ORDER BY timestamp DESC, seq DESC LIMIT 50`,
    args: ['ws1', ...args, 9e12, 9e12, 1e9],
    uses,
  })),
  // Every instance's webhook worker, every second: delivered and failed rows must not be read.
  {
    name: 'the webhook worker looking for due deliveries',
    sql: `SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
      AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1`,
    args: [9e12, 9e12],
    uses: /USING INDEX webhook_deliveries_due/,
  },
  {
    name: 'the webhook worker claiming due deliveries',
    sql: `SELECT d.id FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.workspace_id = d.workspace_id AND e.id = d.endpoint_id AND e.enabled = 1
      WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
      ORDER BY d.next_attempt_at LIMIT 10`,
    args: [9e12, 9e12],
    uses: /SEARCH d USING INDEX webhook_deliveries_due/,
  },
];

async function plans(analyzed: boolean) {
  const client = createClient({ url: `file:${join(h.dir, 'test.db')}` });
  try {
    if (analyzed) await client.execute('ANALYZE');
    const out: Array<{ name: string; plan: string; uses: RegExp }> = [];
    for (const query of hot) {
      const rows = await client.execute({
        sql: `EXPLAIN QUERY PLAN ${query.sql}`,
        args: query.args as never,
      });
      out.push({
        name: query.name,
        plan: rows.rows.map((r) => String(r.detail)).join(' | '),
        uses: query.uses,
      });
    }
    return out;
  } finally {
    client.close();
  }
}

describe('hot query plans', () => {
  for (const analyzed of [false, true]) {
    it(`are index reads ${analyzed ? 'after' : 'before'} ANALYZE`, async () => {
      // Some data, so that ANALYZE has statistics to mislead with: many users, one busy account.
      const batch = Array.from({ length: 300 }, (_, i) => ({
        type: 'track',
        userId: `u${i % 60}`,
        event: i % 3 === 0 ? 'Invoice Sent' : '$waymark.survey_shown',
        properties: { contentId: 's1', version: 1 },
        context: { groupId: i % 2 === 0 ? 'acme' : `co${i % 7}` },
        messageId: `m${i}`,
      }));
      const res = await h.post({ batch });
      expect((await res.json()).accepted).toBeGreaterThan(0);
      for (const { name, plan, uses } of await plans(analyzed)) {
        expect(plan, name).toMatch(uses);
        expect(plan, name).not.toMatch(
          /SCAN (events|e|d|goal_progress|survey_responses|webhook_deliveries)\b/,
        );
        expect(plan, name).not.toMatch(/TEMP B-TREE/);
      }
    });
  }
});

describe('published content, cached per revision', () => {
  it('reaches another instance on the same database at its next request', async () => {
    const other = await openDatabase({
      url: `file:${join(h.dir, 'test.db')}`,
      logger: createLogger('silent'),
    });
    const b = createApp({
      db: other,
      logger: createLogger('silent'),
      clock: () => h.clock.now,
      rateLimits: false,
    });
    try {
      const contentOnB = async () => {
        const res = await b.request('/v1/content', {
          method: 'POST',
          body: JSON.stringify({ writeKey: h.ws.publishableKey, userId: 'u1' }),
        });
        return (await res.json()).checklists.map((c: { version: number }) => c.version);
      };
      const created = await h.adminJson('/checklists', 'POST', {
        name: 'Onboarding',
        content: { title: 'Start', items: [{ id: 'a', title: 'A', completion: { kind: 'manual' } }] },
      });
      expect(created.status).toBe(201);
      expect(await contentOnB()).toEqual([]);
      await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST');
      expect(await contentOnB()).toEqual([1]);
      await h.adminJson(`/checklists/${created.body.id}`, 'PUT', {
        name: 'Onboarding',
        content: { title: 'Start again', items: [{ id: 'a', title: 'A', completion: { kind: 'manual' } }] },
      });
      await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST');
      expect(await contentOnB()).toEqual([2]);
      await h.adminJson(`/checklists/${created.body.id}/archive`, 'POST');
      expect(await contentOnB()).toEqual([]);
    } finally {
      await b.close();
      await other.close();
    }
  });
});
