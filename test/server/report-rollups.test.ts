import { type SQL, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness } from './harness.ts';
import { analyze, queryPlans, statementsOfGets } from './plans.ts';

/**
 * The rollups the time-to-value and NPS reports read (migration 0012) against the same figures
 * computed from scratch from what they summarize: whatever arrives (duplicates, a retried batch,
 * events days late and out of order, users moving between accounts, answers whose first event
 * arrives last, milestones created after the events and deleted), `user_day_gaps` equals the gaps
 * between each user's active days, `survey_responses.next_at` each person's next response,
 * `ttv_subjects` the view it is kept from, and `ttv_days` the count of `ttv_subjects`. Then the plans
 * of every statement the reports run: no scan of a workspace's events, responses, users or subjects.
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false }); // now = 2026-11-23T12:00Z
});
afterEach(async () => {
  await h.close();
});

const hour = 3_600_000;
const day = 24 * hour;
const now = Date.parse('2026-11-23T12:00:00.000Z');
const at = (t: number) => new Date(t).toISOString();

async function post(batch: unknown[]) {
  const res = await h.post({ batch });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.rejected ?? [], JSON.stringify(body.rejected?.slice(0, 2))).toEqual([]);
  return body as { accepted: number; duplicates?: number };
}

async function publishedSurvey(): Promise<string> {
  const created = await h.adminJson('/surveys', 'POST', {
    name: 'NPS',
    content: { productName: 'Acme', ...defaultSurveyText },
  });
  const surveyId = created.body.id as string;
  expect((await h.adminJson(`/surveys/${surveyId}/publish`, 'POST')).status).toBe(201);
  return surveyId;
}

/**
 * A deterministic history over 60 days: users who move between accounts (group calls), product
 * events, value events, survey answers (a score then a comment under one response id, sometimes the
 * comment first) and widget events, each batch shuffled out of time order.
 */
function history(seed: number, count: number, survey: string) {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const events: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const userId = `u${Math.floor(rand() * 15)}`;
    const timestamp = now - Math.floor(rand() * 60 * 24) * hour - Math.floor(rand() * hour);
    const messageId = `m${seed}-${i}`;
    const kind = rand();
    if (kind < 0.15) {
      events.push({
        type: 'group',
        messageId,
        userId,
        groupId: `acc${Math.floor(rand() * 4)}`,
        traits: { plan: ['pro', 'free'][Math.floor(rand() * 2)] },
        timestamp: at(timestamp),
      });
    } else if (kind < 0.3) {
      events.push({ type: 'track', messageId, userId, event: 'Invoice Sent', timestamp: at(timestamp) });
    } else if (kind < 0.45) {
      const responseId = `resp-${Math.floor(rand() * 25)}-${userId}`;
      const properties = { contentId: survey, version: 1, responseId, score: Math.floor(rand() * 11) };
      events.push({
        type: 'track',
        messageId,
        userId,
        event: '$waymark.survey_answered',
        properties,
        timestamp: at(timestamp),
      });
      // The comment of the same response, sometimes stamped before the score (clocks disagree).
      if (rand() < 0.5)
        events.push({
          type: 'track',
          messageId: `${messageId}c`,
          userId,
          event: '$waymark.survey_answered',
          properties: { ...properties, comment: 'ok' },
          timestamp: at(timestamp + Math.floor((rand() - 0.3) * 2 * day)),
        });
    } else {
      events.push({ type: 'page', messageId, userId, name: 'Home', timestamp: at(timestamp) });
    }
  }
  return events.sort(() => rand() - 0.5);
}

/** Every rollup of migration 0012 against its from-scratch computation; returns the rows compared. */
async function expectRollupsExact() {
  const rows = <T>(query: SQL) => h.db.read.all<T>(query);
  const gaps = await rows(
    sql`SELECT day, previous_day AS previousDay, users FROM user_day_gaps ORDER BY 1, 2`,
  );
  const gapsFromScratch = await rows(sql`
    SELECT day, previous_day AS previousDay, count(*) AS users FROM (SELECT day,
        coalesce(lag(day) OVER (PARTITION BY workspace_id, user_id ORDER BY day), -1) AS previous_day
      FROM user_days) GROUP BY 1, 2 ORDER BY 1, 2`);
  expect(gaps).toEqual(gapsFromScratch);
  const next = await rows(sql`SELECT id, next_at AS nextAt FROM survey_responses ORDER BY id`);
  const nextFromScratch = await rows(sql`
    SELECT id, lead(responded_at) OVER (PARTITION BY workspace_id, survey_id, user_id ORDER BY responded_at, id) AS nextAt
    FROM survey_responses ORDER BY id`);
  expect(next).toEqual(nextFromScratch);
  const subjects = await rows(sql`SELECT * FROM ttv_subjects ORDER BY 1, 2, 3, 4`);
  // From the tables themselves, as the README defines time to value (not through the view).
  const subjectsFromScratch = await rows(sql`
    SELECT m.workspace_id, m.id AS milestone_id, s.subject, s.id AS subject_id, s.first_seen,
      CASE WHEN g.reached_at IS NULL THEN NULL WHEN g.reached_at < s.first_seen THEN 0 ELSE g.reached_at - s.first_seen END AS took,
      CASE WHEN g.reached_at IS NULL THEN -1 ELSE CAST(ceil(max(0, g.reached_at - s.first_seen) / 86400000.0) AS INTEGER) END AS took_day,
      s.account_id
    FROM milestones m
    JOIN (SELECT workspace_id, 'user' AS subject, id, first_seen, account_id FROM users
      UNION ALL SELECT workspace_id, 'account', id, first_seen, id FROM accounts) AS s ON s.workspace_id = m.workspace_id
    LEFT JOIN goal_progress g ON g.workspace_id = m.workspace_id AND g.goal = 'milestone:' || m.id
      AND g.subject = s.subject AND g.subject_id = s.id
    ORDER BY 1, 2, 3, 4`);
  expect(subjects).toEqual(subjectsFromScratch);
  const days = await rows(sql`SELECT * FROM ttv_days ORDER BY 1, 2, 3, 4, 5`);
  const daysFromScratch = await rows(sql`
    SELECT workspace_id, milestone_id, subject, first_seen / 86400000 AS first_day, took_day, count(*) AS subjects
    FROM ttv_subjects GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`);
  expect(days).toEqual(daysFromScratch);
  return { gaps: gaps.length, responses: next.length, subjects: subjects.length };
}

/** Distinct users with an event in [from, to), from the events themselves. */
async function activeFromEvents(from: number, to: number) {
  const [row] = await h.db.read.all<{ n: number }>(sql`
    SELECT count(DISTINCT user_id) AS n FROM events WHERE user_id IS NOT NULL AND timestamp >= ${from} AND timestamp < ${to}`);
  return row?.n ?? 0;
}

describe('report rollups (migration 0012)', () => {
  it('equal their from-scratch computation through duplicates, retries, late events, moves and milestone changes', async () => {
    const survey = await publishedSurvey();
    const create = await h.adminJson('/milestones', 'POST', {
      key: 'invoice_sent',
      name: 'Sent an invoice',
      rule: { event: 'Invoice Sent' },
      isValue: true,
    });
    expect(create.status).toBe(201);
    const first = history(1, 300, survey);
    // Duplicates inside one batch, then the whole batch retried: nothing counted twice.
    await post([...first.slice(0, 150), ...first.slice(0, 20)]);
    expect((await post(first.slice(0, 150))).accepted).toBe(0);
    await post(first.slice(150));
    await expectRollupsExact();
    // Days late: events older than anything stored (users first seen earlier, days slotting in
    // between, answers whose first event arrives after their comment), and users changing account.
    const late = history(2, 250, survey).map((event) => ({
      ...(event as Record<string, unknown>),
      timestamp: at(Date.parse((event as { timestamp: string }).timestamp) - 20 * day),
    }));
    for (let i = 0; i < late.length; i += 50) await post(late.slice(i, i + 50));
    await post(history(3, 200, survey));
    // A milestone created after its events (backfilled), another deleted.
    const later = await h.adminJson('/milestones', 'POST', {
      key: 'invoices_2',
      name: 'Sent two invoices',
      rule: { event: 'Invoice Sent', count: 2 },
    });
    expect(later.status, JSON.stringify(later.body)).toBe(201);
    const gone = await h.adminJson('/milestones', 'POST', {
      key: 'gone',
      name: 'Gone',
      rule: { event: 'Invoice Sent' },
    });
    expect((await h.adminJson(`/milestones/${gone.body.id}`, 'DELETE')).status).toBe(204);
    const counted = await expectRollupsExact();
    // The fixture has what the comparison is about: gaps of many lengths, people with several
    // responses, subjects per milestone.
    expect(counted.gaps).toBeGreaterThan(100);
    expect(counted.responses).toBeGreaterThan(40);
    const [several] = await h.db.read.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM survey_responses WHERE next_at IS NOT NULL`,
    );
    expect(several?.n).toBeGreaterThan(10);
    const [moved] = await h.db.read.all<{ n: number }>(
      sql`SELECT count(DISTINCT account_id) AS n FROM ttv_subjects WHERE subject = 'user'`,
    );
    expect(moved?.n).toBe(4);

    // The NPS display rate's active users, read from user_day_gaps and the partial days, equal the
    // distinct users of the events, for periods that start and end mid-day or on a day boundary.
    for (const [from, to] of [
      [now - 90 * day, now],
      [now - 30 * day - 5 * hour, now - 2 * day + 3 * hour],
      [Date.UTC(2026, 9, 1), Date.UTC(2026, 10, 1)],
      [now - 3 * hour, now],
    ] as const) {
      const { status, body } = await h.adminJson(`/surveys/${survey}/results?from=${at(from)}&to=${at(to)}`);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.rates.activeUsers, `${at(from)} to ${at(to)}`).toBe(await activeFromEvents(from, to));
    }
  });
});

/**
 * What the triggers of migration 0012 read for one changed row (in every ingestion commit): a
 * subject's state per milestone, a user's neighbouring active days, a person's next response. Each
 * is a probe by key, whatever the size of the workspace.
 */
const triggerReads = [
  {
    sql: `SELECT * FROM ttv_subject_state WHERE workspace_id = ? AND subject = ? AND subject_id = ?`,
    args: ['ws1', 'user', 'u1'],
    uses: /SEARCH u USING INDEX sqlite_autoindex_users_1 \(workspace_id=\? AND id=\?\).*SEARCH g USING INDEX sqlite_autoindex_goal_progress_1 \(workspace_id=\? AND goal=\? AND subject=\? AND subject_id=\?\).*SEARCH a USING INDEX sqlite_autoindex_accounts_1 \(workspace_id=\? AND id=\?\)/,
  },
  {
    sql: `SELECT * FROM ttv_subject_state WHERE workspace_id = ? AND milestone_id = ? AND subject = ? AND subject_id = ?`,
    args: ['ws1', 'm1', 'account', 'a1'],
    uses: /SEARCH a USING INDEX sqlite_autoindex_accounts_1 \(workspace_id=\? AND id=\?\)/,
  },
  ...[
    'min(d.day) FROM user_days AS d WHERE d.workspace_id = ? AND d.user_id = ? AND d.day > ?',
    'max(d.day) FROM user_days AS d WHERE d.workspace_id = ? AND d.user_id = ? AND d.day < ?',
  ].map((read) => ({
    sql: `SELECT ${read}`,
    args: ['ws1', 'u1', 20000],
    uses: /SEARCH d USING (COVERING INDEX|PRIMARY KEY).*\(workspace_id=\? AND user_id=\? AND day[<>]\?\)/,
  })),
  {
    sql: `SELECT n.responded_at FROM survey_responses AS n INDEXED BY survey_responses_user WHERE n.workspace_id = ? AND n.user_id = ? AND n.survey_id = ?
      AND (n.responded_at, n.id) > (?, ?) ORDER BY n.responded_at, n.id LIMIT 1`,
    args: ['ws1', 'u1', 's1', 1.7e12, 'r1'],
    uses: /SEARCH n USING INDEX survey_responses_user \(workspace_id=\? AND user_id=\?\)/,
  },
  {
    sql: `UPDATE survey_responses SET next_at = 1 WHERE workspace_id = ? AND user_id = ? AND +survey_id = ?`,
    args: ['ws1', 'u1', 's1'],
    uses: /SEARCH survey_responses USING INDEX survey_responses_user \(workspace_id=\? AND user_id=\?\)/,
  },
];

describe('report rollup triggers', () => {
  it('probe by key', async () => {
    const plans = await queryPlans(
      h,
      triggerReads.map((read) => ({ path: 'trigger', sql: read.sql, params: read.args })),
    );
    plans.forEach(({ plan, sql: text }, i) => {
      expect(plan, text).toMatch(triggerReads[i]?.uses ?? /never/);
      expect(plan, text).not.toMatch(/SCAN (u|a|g|d|n|m)\b/);
    });
  });
});

describe('report plans', () => {
  for (const analyzed of [false, true]) {
    it(`read rollups and index ranges, never a workspace's events, responses or subjects, ${analyzed ? 'after' : 'before'} ANALYZE`, async () => {
      const survey = await publishedSurvey();
      await h.adminJson('/milestones', 'POST', {
        key: 'invoice_sent',
        name: 'Sent an invoice',
        rule: { event: 'Invoice Sent' },
        isValue: true,
      });
      // Enough rows for ANALYZE to have statistics to mislead with.
      await post(history(4, 400, survey));
      const ttv = '/reports/time-to-value';
      const paths = [
        `${ttv}?subject=user`,
        `${ttv}?subject=user&cohort=month&segment=account.plan`,
        `${ttv}?subject=user&cohort=week&segment=plan&from=${at(now - 40 * day - 5 * hour)}&to=${at(now - 3 * hour)}`,
        `${ttv}?subject=account&cohort=week&segment=plan`,
        `/surveys/${survey}/results`,
        `/surveys/${survey}/results?interval=week&segment=account.plan`,
        `/surveys/${survey}/results?segment=account.arr&bands=10000,50000`,
        `/surveys/${survey}/results?segment=plan`,
        `/surveys/${survey}/responses?limit=50`,
      ];
      if (analyzed) await analyze(h);
      const statements = await statementsOfGets(h, paths);
      expect(statements.length).toBeGreaterThan(30);
      for (const { sql: text, plan, where } of await queryPlans(h, statements)) {
        // A scan of a table (not of a CTE, a VALUES list or json_each) reads a whole workspace; a
        // segment's owners (`o`) are joined by primary key.
        expect(plan, where).not.toMatch(
          /SCAN (events|survey_responses|r|users|u|accounts|a|o|user_days|d|ttv_subjects|t|ttv_days|goal_progress|g|user_day_gaps|survey_prompt_days|p)\b/,
        );
        // Nor does a search by workspace alone.
        expect(plan, where).not.toMatch(
          /SEARCH (events|e|survey_responses|r|users|u|accounts|a|o|user_days|d) USING [A-Z ]*INDEX \w+ \(workspace_id=\?\)/,
        );
        // Sorting is allowed over rollup rows, a period's latest responses and one bucket of
        // durations; over events, only the people of a partial day (their DISTINCT, their UNION).
        if (/from "?events"?/i.test(text))
          for (const step of plan.split(' | ').filter((step) => step.includes('TEMP B-TREE')))
            expect(step, where).toMatch(/TEMP B-TREE FOR count\(DISTINCT\)|UNION USING TEMP B-TREE/);
      }
    });
  }
});
