import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { type SQL, sql } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * The console's page answers (README, "Console"): an account's and a person's page, each one call,
 * against a small history whose every figure is counted by hand below; and every statement they run
 * is an indexed read (no scan of events, users, user days, feature days, answers or goals).
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false }); // now = 2026-11-23T12:00Z
});
afterEach(async () => {
  await h.close();
});

const at = (date: string, hour = 11) => `${date}T${String(hour).padStart(2, '0')}:00:00.000Z`;

async function coreFeatures() {
  for (const feature of [
    { key: 'invoicing', name: 'Invoicing', events: [{ event: 'Invoice Sent' }] },
    { key: 'reports', name: 'Reports', events: [{ event: 'Report Viewed' }] },
    { key: 'exports', name: 'Exports', events: [{ event: 'Report Exported' }] },
  ])
    expect((await h.adminJson('/core-features', 'POST', feature)).status).toBe(201);
  // Created before any event: wait for their (empty) rebuilds to end, so the rollups answer.
  for (let i = 0; i < 200; i++) {
    const [busy] = await h.db.read.all<{ n: number }>(sql`SELECT count(*) AS n FROM feature_rebuilds`);
    if (busy?.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('feature rebuilds did not end');
}

async function publish(kind: 'checklists' | 'surveys', body: unknown): Promise<string> {
  const created = await h.adminJson(`/${kind}`, 'POST', body);
  expect(created.status).toBe(201);
  expect((await h.adminJson(`/${kind}/${created.body.id}/publish`, 'POST')).status).toBe(201);
  return created.body.id as string;
}

/**
 * Acme (5 seats): u1, u2, u3; Beta: u4. u1 sends invoices on Nov 1, 22 and 23; u2 views a report on
 * Nov 22 and was active on Sep 1; u3 only on Jun 1 (before the 18 weeks); u4 sends one under Beta.
 */
async function history() {
  await coreFeatures();
  const checklist = await publish('checklists', {
    name: 'Onboarding',
    content: {
      title: 'Get started',
      items: [
        { id: 'invoice', title: 'Send an invoice', completion: { kind: 'event', event: 'Invoice Sent' } },
        { id: 'export', title: 'Export a report', completion: { kind: 'event', event: 'Report Exported' } },
        { id: 'guide', title: 'Read the guide', completion: { kind: 'manual' }, required: false },
      ],
    },
  });
  const survey = await publish('surveys', {
    name: 'NPS',
    content: { productName: 'Acme', ...defaultSurveyText },
  });
  const acme = { groupId: 'acme' };
  const track = (userId: string, event: string, date: string, context: object, properties: object = {}) =>
    h.msg({ type: 'track', userId, event, timestamp: at(date), context, properties });
  const answer = (userId: string, score: number, date: string, context: object, comment?: string) =>
    track(userId, '$waymark.survey_answered', date, context, {
      contentId: survey,
      version: 1,
      responseId: `r-${userId}-${date}`,
      score,
      ...(comment ? { comment } : {}),
    });
  await h.ingest([
    ...['u1', 'u2', 'u3', 'u4'].map((userId) =>
      h.msg({ type: 'identify', userId, timestamp: at('2026-06-01'), traits: { name: `User ${userId}` } }),
    ),
    h.msg({
      type: 'group',
      userId: 'u1',
      groupId: 'acme',
      timestamp: at('2026-06-01'),
      traits: { name: 'Acme', seats: 5 },
    }),
    ...['u2', 'u3'].map((userId) =>
      h.msg({ type: 'group', userId, groupId: 'acme', timestamp: at('2026-06-01') }),
    ),
    h.msg({ type: 'group', userId: 'u4', groupId: 'beta', timestamp: at('2026-06-01') }),
    track('u1', 'Invoice Sent', '2026-11-01', acme),
    track('u1', 'Invoice Sent', '2026-11-22', acme),
    track('u1', 'Invoice Sent', '2026-11-23', acme),
    track('u2', 'Report Viewed', '2026-11-22', acme),
    track('u2', 'Other', '2026-09-01', acme),
    track('u4', 'Invoice Sent', '2026-11-23', { groupId: 'beta' }),
    answer('u1', 9, '2026-11-20', acme, 'Invoices are quick'),
    answer('u2', 6, '2026-11-21', acme),
    answer('u4', 3, '2026-11-21', { groupId: 'beta' }, 'Slow'),
  ]);
  return { checklist, survey };
}

/** Every statement the reports pool runs while `run` runs, as SQL text and arguments. */
async function statementsOf(run: () => Promise<unknown>) {
  const dialect = new SQLiteSyncDialect();
  const captured: Array<{ sql: string; params: unknown[] }> = [];
  const reports = h.db.reports as { all: (query: SQL) => Promise<unknown[]> };
  const all = reports.all.bind(reports);
  reports.all = (query: SQL) => {
    captured.push(dialect.sqlToQuery(query));
    return all(query);
  };
  try {
    await run();
  } finally {
    reports.all = all;
  }
  return captured;
}

/** Each statement's plan reads by index: no table scanned, no search by workspace alone. */
async function expectIndexedReads(statements: Array<{ sql: string; params: unknown[] }>) {
  expect(statements.length).toBeGreaterThan(5);
  const client = createClient({ url: `file:${join(h.dir, 'test.db')}` });
  try {
    for (const statement of statements) {
      const result = await client.execute({
        sql: `EXPLAIN QUERY PLAN ${statement.sql}`,
        args: statement.params as never,
      });
      const plan = result.rows.map((row) => String(row.detail)).join(' | ');
      const where = `${statement.sql.slice(0, 300)}\n${plan}`;
      expect(plan, where).not.toMatch(
        /SCAN (events|survey_responses|r|users|u|accounts|user_days|d|feature_days|f|goal_progress|contents|c)\b/,
      );
      expect(plan, where).not.toMatch(
        /SEARCH (events|survey_responses|r|users|u|user_days|d|feature_days|f|goal_progress) USING [A-Z ]*INDEX \w+ \(workspace_id=\?\)/,
      );
    }
  } finally {
    client.close();
  }
}

describe('GET /v1/admin/accounts/{id}/overview', () => {
  it('answers the account page: active users per day against seats, core features, checklists, answers, events', async () => {
    const { checklist, survey } = await history();
    const { status, body } = await h.adminJson('/accounts/acme/overview');
    expect(status).toBe(200);
    expect(body.account.id).toBe('acme');
    expect(body.account.users.map((u: { id: string }) => u.id).sort()).toEqual(['u1', 'u2', 'u3']);

    // 126 days, Jul 21 to Nov 23; seats from the trait.
    expect(body.activity.from).toBe('2026-07-21');
    expect(body.activity.to).toBe('2026-11-23');
    expect(body.activity.seats).toBe(5);
    expect(body.activity.days).toHaveLength(126);
    const dayOf = (day: string) => body.activity.days.find((d: { day: string }) => d.day === day);
    expect(dayOf('2026-11-23')).toEqual({ day: '2026-11-23', active: 1, active30: 2 }); // u1; u1 and u2
    expect(dayOf('2026-11-22')).toEqual({ day: '2026-11-22', active: 2, active30: 2 });
    expect(dayOf('2026-11-01')).toEqual({ day: '2026-11-01', active: 1, active30: 1 }); // u2's Sep 1 is 61 days back
    expect(dayOf('2026-09-01')).toEqual({ day: '2026-09-01', active: 1, active30: 1 });
    expect(dayOf('2026-09-30')).toEqual({ day: '2026-09-30', active: 0, active30: 1 }); // Sep 1 is the 30th day
    expect(dayOf('2026-10-01')).toEqual({ day: '2026-10-01', active: 0, active30: 0 });
    // u1: Nov 1, 20 (answer), 22, 23; u2: Sep 1, Nov 21 (answer), 22. u3's Jun 1 is before the 18
    // weeks, and u4 is Beta's: 7 member-days in all.
    expect(body.activity.days.reduce((n: number, d: { active: number }) => n + d.active, 0)).toBe(7);

    expect(body.features.days).toBe(30);
    expect(body.features.from).toBe('2026-10-25');
    // In the order the features were created, then by key (all three at once here).
    expect(body.features.list).toEqual([
      {
        key: 'exports',
        name: 'Exports',
        known: true,
        used: false,
        firstUse: null,
        lastUse: null,
        usersInWindow: 0,
        usersEver: 0,
      },
      {
        key: 'invoicing',
        name: 'Invoicing',
        known: true,
        used: true,
        firstUse: '2026-11-01',
        lastUse: at('2026-11-23'),
        usersInWindow: 1,
        usersEver: 1,
      },
      {
        key: 'reports',
        name: 'Reports',
        known: true,
        used: true,
        firstUse: '2026-11-22',
        lastUse: at('2026-11-22'),
        usersInWindow: 1,
        usersEver: 1,
      },
    ]);

    expect(body.checklists).toEqual([
      {
        id: checklist,
        version: 1,
        title: 'Get started',
        scope: 'user',
        items: [
          { id: 'invoice', title: 'Send an invoice', required: true, doneAt: at('2026-11-01') },
          { id: 'export', title: 'Export a report', required: true, doneAt: null },
          { id: 'guide', title: 'Read the guide', required: false, doneAt: null },
        ],
        requiredDone: 1,
        requiredTotal: 2,
      },
    ]);

    // Acme's members' answers, newest first; not u4's (Beta).
    expect(body.responses).toEqual([
      {
        id: 'r-u2-2026-11-21',
        surveyId: survey,
        survey: 'NPS',
        userId: 'u2',
        score: 6,
        group: 'detractor',
        comment: null,
        respondedAt: at('2026-11-21'),
      },
      {
        id: 'r-u1-2026-11-20',
        surveyId: survey,
        survey: 'NPS',
        userId: 'u1',
        score: 9,
        group: 'promoter',
        comment: 'Invoices are quick',
        respondedAt: at('2026-11-20'),
      },
    ]);

    expect(body.events[0]).toMatchObject({
      type: 'track',
      name: 'Invoice Sent',
      userId: 'u1',
      accountId: 'acme',
    });
    expect(body.events[0].timestamp).toBe(at('2026-11-23'));
    expect(body.events.every((e: { accountId: string }) => e.accountId === 'acme')).toBe(true);
  });

  it('answers 404 for an unknown account, and reads by index only', async () => {
    await history();
    expect((await h.adminJson('/accounts/nobody/overview')).status).toBe(404);
    await expectIndexedReads(
      await statementsOf(async () => {
        expect((await h.adminJson('/accounts/acme/overview')).status).toBe(200);
      }),
    );
  });
});
