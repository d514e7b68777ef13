import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { featureDaysUpdates, rebuildChunkStatements } from '../../server/adoption/feature-days.ts';
import { createApp } from '../../server/app.ts';
import { subjectSql } from '../../server/content/subject-read.ts';
import { openDatabase } from '../../server/db/client.ts';
import { rollupUpdates } from '../../server/ingest/rollups.ts';
import { createLogger } from '../../server/logger.ts';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * The hot queries' plans, pinned: what a page view reads about its user (one statement, each of its
 * subqueries an index read), and how ingestion finds a goal's count-th event, must be short index reads whatever the planner knows (before and after
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

// Every index a statement must read by (each of its subqueries one of them).
const all = (...names: string[]) =>
  new RegExp(names.map((name) => `(?=[\\s\\S]*USING (COVERING )?INDEX ${name}\\b)`).join(''));
const hot: Array<{ name: string; sql: string; args: unknown[]; uses: RegExp }> = [
  ...[null, 'acme'].map((groupId) => ({
    name: `what a page view reads about its user, one statement (account ${groupId ? 'named' : 'stored'})`,
    sql: subjectSql,
    args: ['ws1', 'u1', groupId],
    uses: all(
      'sqlite_autoindex_users_1',
      'sqlite_autoindex_accounts_1',
      'sqlite_autoindex_user_content_state_1',
      'events_user_name',
      'goal_progress_subject',
      '(milestones_key|sqlite_autoindex_milestones_1)',
      'survey_responses_user',
    ),
  })),
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

/**
 * The reports' reads (funnels, NPS rates, time to value) and the ingestion commit's rollup updates.
 * `temp` is the one temporary B-tree a query may build, over rows it has already narrowed to a small
 * range (a period's user-days, the commit's own events), never over a workspace's events.
 */
const featureProofs = [
  { event: 'Invoice Sent', where: [{ property: 'amount', op: 'gt' as const, value: 500 }] },
  { event: 'Invoice Sent', where: [] },
];
const reports: Array<{ name: string; sql: string; args: unknown[]; uses: RegExp; temp?: RegExp }> = [
  ...rollupUpdates.map((update, i) => ({
    name: `rollup update ${i + 1} reads only the commit's new events`,
    sql: update.sql,
    args: [],
    uses: /SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)/,
    temp: /USE TEMP B-TREE FOR GROUP BY/,
  })),
  ...featureDaysUpdates('ws1', [{ id: 'cf1', events: featureProofs }], new Set(['Invoice Sent'])).map(
    (update) => ({
      name: "core-feature use update reads only the commit's new events",
      sql: update.sql,
      args: update.args,
      uses: /SEARCH e USING INTEGER PRIMARY KEY \(rowid>\?\)/,
      temp: /USE TEMP B-TREE FOR GROUP BY/,
    }),
  ),
  ...[{ timestamp: 1.7e12 + 3_600_000, seq: 900 }, null].map((end) => {
    const [insert] = rebuildChunkStatements(
      {
        workspace_id: 'ws1',
        feature_id: 'cf1',
        generation: 'g',
        until_seq: 1000,
        name_index: 0,
        after_timestamp: 1.7e12,
        after_seq: 10,
      },
      featureProofs,
      'Invoice Sent',
      end,
    );
    return {
      name: `a core-feature rebuild chunk (${end ? 'bounded' : 'the rest of a name'}): one name-and-time range`,
      sql: insert!.sql,
      args: insert!.args,
      uses: end
        ? /SEARCH e USING INDEX events_name_time \(workspace_id=\? AND name=\? AND timestamp>\? AND timestamp<\?\).*SEARCH feature_rebuilds USING INDEX sqlite_autoindex_feature_rebuilds_1/
        : /SEARCH e USING INDEX events_name_time \(workspace_id=\? AND name=\? AND timestamp>\?\).*SEARCH feature_rebuilds USING INDEX sqlite_autoindex_feature_rebuilds_1/,
      temp: /USE TEMP B-TREE FOR GROUP BY/,
    };
  }),
  {
    name: "a core feature's users over whole days (adoption report, health run)",
    sql: `SELECT json_group_array(json_array(user_id, account_id, last_at)) FROM (
      SELECT user_id, account_id, max(last_at) AS last_at FROM feature_days
      WHERE workspace_id = ? AND feature_id = ? AND day >= ? AND day < ? GROUP BY user_id)`,
    args: ['ws1', 'cf1', 20000, 20090],
    uses: /SEARCH feature_days USING PRIMARY KEY \(workspace_id=\? AND feature_id=\? AND day>\? AND day<\?\)/,
    temp: /USE TEMP B-TREE FOR GROUP BY/,
  },
  {
    name: "a core feature's users on a partial day, from the events",
    sql: `SELECT json_group_array(json_array(user_id, account_id, last_at)) FROM (
      SELECT e.user_id, e.account_id, max(e.timestamp) AS last_at FROM events e
      WHERE e.workspace_id = ? AND e.timestamp >= ? AND e.timestamp < ? AND e.account_id IS NOT NULL
        AND e.user_id IS NOT NULL AND e.type = 'track' AND e.name = ? GROUP BY e.user_id)`,
    args: ['ws1', 1.7e12, 1.7e12 + 3_600_000, 'Invoice Sent'],
    uses: /SEARCH e USING INDEX events_name_time \(workspace_id=\? AND name=\? AND timestamp>\? AND timestamp<\?\)/,
    temp: /USE TEMP B-TREE FOR GROUP BY/,
  },
  {
    name: 'active users of the adoption window, each with its active days and account',
    sql: `SELECT json_group_array(json_array(active.user_id, active.days, u.account_id)) FROM (
        SELECT user_id, count(*) AS days FROM user_days INDEXED BY user_days_day
        WHERE workspace_id = ? AND day >= ? AND day < ? GROUP BY user_id
      ) active LEFT JOIN users u ON u.workspace_id = ? AND u.id = active.user_id`,
    args: ['ws1', 20000, 20030, 'ws1'],
    uses: /SEARCH user_days USING COVERING INDEX user_days_day \(workspace_id=\? AND day>\? AND day<\?\).*SEARCH u USING INDEX sqlite_autoindex_users_1/,
    temp: /USE TEMP B-TREE FOR GROUP BY/,
  },
  {
    name: "adoption trigger: an account's latest day among its users' latest uses of a feature",
    sql: `SELECT max(u.day) FROM feature_users AS u WHERE u.workspace_id = ? AND u.feature_id = ? AND u.account_id = ?`,
    args: ['ws1', 'cf1', 'acme'],
    uses: /SEARCH u USING COVERING INDEX feature_users_account/,
  },
  {
    name: "a survey's displays on a partial day",
    sql: `SELECT count(*) FROM events WHERE workspace_id = ? AND name = ? AND type = 'track'
      AND json_extract(properties, '$.contentId') = ? AND timestamp >= ? AND timestamp < ?`,
    args: ['ws1', '$waymark.survey_shown', 's1', 1.7e12, 1.7e12 + 3_600_000],
    uses: /USING INDEX events_name_time/,
  },
  {
    name: "a survey's displays and people over whole days: one range, no DISTINCT",
    sql: `SELECT coalesce(sum(events), 0),
        coalesce(sum(anonymous = 0 AND coalesce(previous_day, -1) < ?), 0) FROM survey_prompt_days
      WHERE workspace_id = ? AND survey_id = ? AND name = ? AND day >= ? AND day < ?`,
    args: [20000, 'ws1', 's1', '$waymark.survey_shown', 20000, 20090],
    uses: /SEARCH survey_prompt_days USING PRIMARY KEY \(workspace_id=\? AND survey_id=\? AND name=\? AND day>\? AND day<\?\)/,
  },
  {
    name: "a partial day's people not seen on the period's whole days",
    sql: `SELECT count(DISTINCT id) FROM (SELECT user_id AS id FROM events WHERE workspace_id = ? AND name = ?
        AND type = 'track' AND json_extract(properties, '$.contentId') = ? AND user_id IS NOT NULL
        AND timestamp >= ? AND timestamp < ?) AS edge
      WHERE NOT EXISTS (SELECT 1 FROM survey_prompt_days p WHERE p.workspace_id = ? AND p.survey_id = ?
        AND p.name = ? AND p.anonymous = 0 AND p.subject_id = edge.id AND p.day >= ? AND p.day < ?)`,
    args: [
      'ws1',
      '$waymark.survey_shown',
      's1',
      1.7e12,
      1.7e12 + 3_600_000,
      'ws1',
      's1',
      '$waymark.survey_shown',
      20000,
      20090,
    ],
    uses: all('events_name_time', 'survey_prompt_days_subject'),
    temp: /USE TEMP B-TREE FOR count\(DISTINCT\)/,
  },
  ...(['max(day) FROM survey_prompt_days p WHERE', 'min(day) FROM survey_prompt_days p WHERE'] as const).map(
    (read) => ({
      name: `a new survey day's neighbour (the trigger of migration 0010): ${read.slice(0, 8)}`,
      sql: `SELECT ${read} p.workspace_id = ? AND p.survey_id = ? AND p.name = ? AND p.anonymous = ?
        AND p.subject_id = ? AND p.day ${read.startsWith('max') ? '<' : '>'} ?`,
      args: ['ws1', 's1', '$waymark.survey_shown', 0, 'u1', 20000],
      uses: /SEARCH p USING COVERING INDEX survey_prompt_days_subject/,
    }),
  ),
  {
    name: 'a spotlight funnel',
    sql: `SELECT name, step_id, count(*) FROM content_users WHERE workspace_id = ? AND content_id = ?
      AND version = ? AND name IN (?, ?) AND anonymous = 0 GROUP BY name, step_id`,
    args: ['ws1', 'sp1', 1, '$waymark.spotlight_shown', '$waymark.spotlight_step_viewed'],
    uses: /SEARCH content_users USING PRIMARY KEY/,
    temp: /USE TEMP B-TREE FOR GROUP BY/,
  },
  {
    name: 'a checklist funnel: one range of its viewers, the median two rows of an index in order',
    sql: `SELECT count(*), sum(done <> 0), json_array(0, sum((done >> 0) & 1), sum((done >> 1) & 1)), count(took),
      (SELECT json_group_array(took) FROM (SELECT took FROM checklist_viewers
        WHERE workspace_id = ? AND checklist_id = ? AND version = ? AND took IS NOT NULL ORDER BY took
        LIMIT 2 OFFSET (SELECT (count(took) - 1) / 2 FROM checklist_viewers
          WHERE workspace_id = ? AND checklist_id = ? AND version = ?)))
      FROM checklist_viewers WHERE workspace_id = ? AND checklist_id = ? AND version = ?`,
    args: ['ws1', 'cl1', 1, 'ws1', 'cl1', 1, 'ws1', 'cl1', 1],
    uses: /^(?!.*TEMP B-TREE).*(SEARCH checklist_viewers USING (PRIMARY KEY|COVERING INDEX checklist_viewers_took))/,
  },
  {
    name: "a goal reached: its subject's checklist viewers recomputed (migration 0010's trigger)",
    sql: `UPDATE checklist_viewers SET (shown_at, done, took) = (SELECT s.shown_at, s.done, s.took
        FROM checklist_viewer_state AS s WHERE s.workspace_id = checklist_viewers.workspace_id
          AND s.checklist_id = checklist_viewers.checklist_id AND s.version = checklist_viewers.version
          AND s.user_id = checklist_viewers.user_id)
      WHERE workspace_id = ? AND user_id IN (SELECT ? WHERE ? = 'user'
        UNION ALL SELECT u.id FROM users AS u WHERE u.workspace_id = ? AND u.account_id = ? AND ? = 'account')`,
    args: ['ws1', 'acme', 'account', 'ws1', 'acme', 'account'],
    uses: /^SEARCH checklist_viewers USING COVERING INDEX checklist_viewers_user.*SEARCH u USING INDEX users_account.*SEARCH c USING PRIMARY KEY \(workspace_id=\? AND content_id=\? AND version=\? AND name=\? AND step_id=\? AND anonymous=\? AND subject_id=\?\).*SEARCH g USING (COVERING )?INDEX/,
  },
  {
    name: "a checklist shown to a user: their row computed (migration 0010's trigger)",
    sql: `SELECT * FROM checklist_viewer_state WHERE workspace_id = ? AND checklist_id = ? AND version = ?
      AND user_id = ?`,
    args: ['ws1', 'cl1', 1, 'u1'],
    uses: /^SEARCH c USING PRIMARY KEY \(workspace_id=\? AND content_id=\? AND version=\? AND name=\? AND step_id=\? AND anonymous=\? AND subject_id=\?\)/,
  },
  {
    name: 'a spotlight funnel: completions of users shown it, the users shown read once into a list',
    sql: `SELECT name, step_id, count(*) FROM content_users c WHERE workspace_id = ? AND content_id = ?
      AND version = ? AND name IN (?, ?, ?, ?) AND anonymous = 0
      AND (name <> ? OR subject_id IN (SELECT subject_id FROM content_users s WHERE workspace_id = ?
        AND content_id = ? AND version = ? AND name = ? AND anonymous = 0))
      GROUP BY name, step_id`,
    args: [
      'ws1',
      'sp1',
      1,
      '$waymark.spotlight_shown',
      '$waymark.spotlight_step_viewed',
      '$waymark.spotlight_completed',
      '$waymark.spotlight_dismissed',
      '$waymark.spotlight_completed',
      'ws1',
      'sp1',
      1,
      '$waymark.spotlight_shown',
    ],
    // Not a correlated probe per completion: it cannot reach a person by key (step_id comes first).
    uses: /^(?!.*CORRELATED).*SEARCH c USING PRIMARY KEY.*LIST SUBQUERY/,
    temp: /USE TEMP B-TREE FOR GROUP BY/,
  },
  {
    name: "a spotlight's missing targets",
    sql: `SELECT step_id, selector, url, sum(events), count(*) FROM spotlight_misses
      WHERE workspace_id = ? AND content_id = ? AND version = ? GROUP BY step_id, selector, url`,
    args: ['ws1', 'sp1', 1],
    uses: /SEARCH spotlight_misses USING PRIMARY KEY/,
  },
  {
    name: 'time to value: each user with its value time',
    sql: `SELECT json_group_array(json_array(u.first_seen, g.reached_at)) FROM users u
      LEFT JOIN goal_progress g ON g.workspace_id = u.workspace_id AND g.goal = ? AND g.subject = 'user'
        AND g.subject_id = u.id
      WHERE u.workspace_id = ?`,
    args: ['milestone:m1', 'ws1'],
    // Every user of the workspace is read: by an index of the workspace, or the table itself (the
    // planner's choice once it knows there is one workspace); the goals by primary key, never scanned.
    uses: /(SCAN u|SEARCH u USING (COVERING )?INDEX (sqlite_autoindex_users_1|users_account|users_name|users_email) \(workspace_id=\?\)) \| SEARCH g USING (COVERING )?INDEX sqlite_autoindex_goal_progress_1/,
  },
  {
    name: "a goal's progress (funnel items, time to value)",
    sql: 'SELECT subject_id, reached_at FROM goal_progress WHERE workspace_id = ? AND goal = ? AND subject = ?',
    args: ['ws1', 'milestone:m1', 'user'],
    uses: /SEARCH goal_progress USING (COVERING )?INDEX sqlite_autoindex_goal_progress_1/,
  },
];

async function plans(analyzed: boolean, queries = hot) {
  const client = createClient({ url: `file:${join(h.dir, 'test.db')}` });
  try {
    if (analyzed) await client.execute('ANALYZE');
    const out: Array<{ name: string; plan: string; uses: RegExp; temp?: RegExp | undefined }> = [];
    for (const query of queries) {
      const rows = await client.execute({
        sql: `EXPLAIN QUERY PLAN ${query.sql}`,
        args: query.args as never,
      });
      out.push({
        name: query.name,
        plan: rows.rows.map((r) => String(r.detail)).join(' | '),
        uses: query.uses,
        temp: 'temp' in query ? (query.temp as RegExp | undefined) : undefined,
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
          /SCAN (events|e|d|goal_progress|survey_responses|webhook_deliveries|user_content_state|users|accounts|milestones)\b/,
        );
        expect(plan, name).not.toMatch(/TEMP B-TREE/);
      }
    });
  }
});

describe('report and rollup query plans', () => {
  for (const analyzed of [false, true]) {
    it(`read rollups and index ranges ${analyzed ? 'after' : 'before'} ANALYZE`, async () => {
      const created = await h.adminJson('/surveys', 'POST', {
        name: 'NPS',
        content: { productName: 'Acme', ...defaultSurveyText },
      });
      await h.adminJson(`/surveys/${created.body.id}/publish`, 'POST');
      const ref = { contentId: created.body.id, version: 1 };
      // Enough rows in every rollup for ANALYZE to have statistics to mislead with.
      const batch = Array.from({ length: 400 }, (_, i) => ({
        type: 'track',
        userId: `u${i % 80}`,
        event: ['Invoice Sent', '$waymark.survey_shown', '$waymark.spotlight_shown'][i % 3],
        properties: i % 3 === 2 ? { contentId: 'sp1', version: 1 } : ref,
        timestamp: new Date(h.clock.now - (i % 40) * 86_400_000).toISOString(),
        context: { groupId: i % 2 === 0 ? 'acme' : `co${i % 7}` },
        messageId: `m${i}`,
      }));
      const res = await h.post({ batch });
      expect((await res.json()).accepted).toBe(400);
      for (const { name, plan, uses, temp } of await plans(analyzed, reports)) {
        expect(plan, name).toMatch(uses);
        expect(plan, name).not.toMatch(
          /SCAN (events|e|goal_progress|g|survey_responses|user_days|d|content_users|c|survey_prompt_days|spotlight_misses|checklist_viewers|w|cv|activity_days|account_activity|feature_gaps|feature_accounts|feature_users|feature_days|feature_account_days|content_counts|f|a|p|n)\b/,
        );
        const temps = plan.split(' | ').filter((step) => step.includes('TEMP B-TREE'));
        for (const step of temps) expect(step, name).toMatch(temp ?? /^$/);
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
