import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness } from './harness.ts';
import { queryPlans, type Statement, statementsOfGets } from './plans.ts';

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

/**
 * Each statement's plan reads by index: no table scanned, no search by workspace alone. Answers the
 * plans, by statement.
 */
async function expectIndexedReads(statements: Statement[]) {
  expect(statements.length).toBeGreaterThan(5);
  const plans = await queryPlans(h, statements);
  for (const { plan, where } of plans) {
    expect(plan, where).not.toMatch(
      /SCAN (events|survey_responses|r|users|u|accounts|a|user_days|d|feature_days|f|goal_progress|contents|c|checklist_viewers|v|content_versions|cv|content_users|cu|user_content_state|account_health_current|h)\b/,
    );
    expect(plan, where).not.toMatch(
      /SEARCH (events|survey_responses|r|users|u|user_days|d|feature_days|f|goal_progress|checklist_viewers|v|content_users|cu|user_content_state) USING [A-Z ]*INDEX \w+ \(workspace_id=\?\)/,
    );
  }
  return plans;
}

/**
 * A page answers 200 with either events option, every statement an indexed read, and its latest
 * events listed by `eventsPlan`: newest first straight off one subject's time index, the widget's
 * events filtered on the way, no sort.
 */
async function expectIndexedPage(path: string, eventsPlan: string) {
  for (const events of ['product', 'all']) {
    const plans = await expectIndexedReads(await statementsOfGets(h, [`${path}?events=${events}`]));
    expect(plans.filter((p) => /FROM events\s/.test(p.sql)).map((p) => p.plan)).toEqual([eventsPlan]);
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

  it("lists the product's own events by default, and the widget's too with events=all", async () => {
    await history();
    const names = (events: Array<{ type: string; name: string | null; userId: string }>) =>
      events.map((e) => `${e.name ?? e.type} ${e.userId}`);
    // Acme's events newest first (the same time: the later stored first): the answers of u1 (Nov 20)
    // and u2 (Nov 21) are the widget's, left out; the identify and group calls of Jun 1 are the
    // product's (stored under the account their batch put the user in).
    const product = [
      'Invoice Sent u1',
      'Report Viewed u2',
      'Invoice Sent u1',
      'Invoice Sent u1',
      'Other u2',
      'group u3',
      'group u2',
      'group u1',
      'identify u3',
      'identify u2',
      'identify u1',
    ];
    expect(names((await h.adminJson('/accounts/acme/overview')).body.events)).toEqual(product);
    expect(names((await h.adminJson('/accounts/acme/overview?events=product')).body.events)).toEqual(product);
    expect(names((await h.adminJson('/accounts/acme/overview?events=all')).body.events)).toEqual([
      'Invoice Sent u1',
      'Report Viewed u2',
      'Invoice Sent u1',
      '$waymark.survey_answered u2',
      '$waymark.survey_answered u1',
      'Invoice Sent u1',
      'Other u2',
      'group u3',
      'group u2',
      'group u1',
      'identify u3',
      'identify u2',
      'identify u1',
    ]);
    const bad = await h.adminJson('/accounts/acme/overview?events=widget');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('/events');
  });

  it('answers 404 for an unknown account, and reads by index only', async () => {
    await history();
    expect((await h.adminJson('/accounts/nobody/overview')).status).toBe(404);
    await expectIndexedPage(
      '/accounts/acme/overview',
      'SEARCH events USING INDEX events_account_time (workspace_id=? AND account_id=?)',
    );
  });
});

describe('GET /v1/admin/users/{id}/overview', () => {
  /**
   * The history above, and for u1 (first seen Jun 1, 11:00; Acme): the value milestone "First
   * invoice"; the checklist shown Nov 10, its manual item ticked Nov 11, dismissed Nov 12 at 9:00, a
   * report exported Nov 15 (its last required item); a three-step tour shown Nov 12 at 10:00, step a
   * viewed then, b at 11:00, dismissed at b at 12:00.
   */
  async function userHistory() {
    expect(
      (
        await h.adminJson('/milestones', 'POST', {
          key: 'first-invoice',
          name: 'First invoice',
          rule: { event: 'Invoice Sent' },
          isValue: true,
        })
      ).status,
    ).toBe(201);
    const { checklist, survey } = await history();
    const created = await h.adminJson('/spotlights', 'POST', {
      name: 'Welcome tour',
      content: {
        steps: ['a', 'b', 'c'].map((id) => ({
          id,
          kind: 'tooltip',
          title: `Step ${id}`,
          anchor: { selector: `#${id}` },
        })),
      },
    });
    expect(created.status).toBe(201);
    expect((await h.adminJson(`/spotlights/${created.body.id}/publish`, 'POST')).status).toBe(201);
    const tour = created.body.id as string;
    const widget = (event: string, date: string, hour: number, properties: object) =>
      h.msg({
        type: 'track',
        userId: 'u1',
        event: `$waymark.${event}`,
        timestamp: at(date, hour),
        context: { groupId: 'acme' },
        properties: { version: 1, ...properties },
      });
    await h.ingest([
      widget('checklist_shown', '2026-11-10', 11, { contentId: checklist }),
      widget('checklist_item_checked', '2026-11-11', 11, { contentId: checklist, itemId: 'guide' }),
      widget('checklist_dismissed', '2026-11-12', 9, { contentId: checklist }),
      widget('spotlight_shown', '2026-11-12', 10, { contentId: tour }),
      widget('spotlight_step_viewed', '2026-11-12', 10, { contentId: tour, stepId: 'a', stepIndex: 0 }),
      widget('spotlight_step_viewed', '2026-11-12', 11, { contentId: tour, stepId: 'b', stepIndex: 1 }),
      widget('spotlight_dismissed', '2026-11-12', 12, { contentId: tour, stepId: 'b' }),
      h.msg({
        type: 'track',
        userId: 'u1',
        event: 'Report Exported',
        timestamp: at('2026-11-15'),
        context: { groupId: 'acme' },
      }),
    ]);
    return { checklist, survey, tour };
  }

  it("answers a person's page: traits, account, milestones, checklist and tour progress, answers, events", async () => {
    const { checklist, survey, tour } = await userHistory();
    // Acme's health as the health API has it, once scored.
    expect((await h.adminJson('/health/recompute', 'POST', { accountId: 'acme' })).status).toBe(200);
    const health = (await h.adminJson('/health/accounts/acme')).body;
    const { status, body } = await h.adminJson('/users/u1/overview');
    expect(status).toBe(200);
    expect(body.user).toEqual({
      id: 'u1',
      accountId: 'acme',
      traits: { name: 'User u1' },
      firstSeen: at('2026-06-01'),
      lastSeen: at('2026-11-23'),
      milestones: [{ key: 'first-invoice', name: 'First invoice', reachedAt: at('2026-11-01') }],
      // Jun 1 to Nov 1, both at 11:00: 30 + 31 + 31 + 30 + 31 days.
      timeToValue: { milestone: 'first-invoice', reachedAt: at('2026-11-01'), days: 153 },
    });
    expect(body.account).toEqual({
      id: 'acme',
      name: 'Acme',
      health: { score: health.score, band: health.band },
    });
    expect(['red', 'yellow', 'green', 'insufficient']).toContain(body.account.health.band);

    expect(body.checklists).toEqual([
      {
        id: checklist,
        version: 1,
        title: 'Get started',
        scope: 'user',
        items: [
          { id: 'invoice', title: 'Send an invoice', required: true, doneAt: at('2026-11-01') },
          { id: 'export', title: 'Export a report', required: true, doneAt: at('2026-11-15') },
          { id: 'guide', title: 'Read the guide', required: false, doneAt: at('2026-11-11') },
        ],
        requiredDone: 2,
        requiredTotal: 2,
        shownAt: at('2026-11-10'),
        // The invoice, sent before the checklist was shown.
        startedAt: at('2026-11-01'),
        // The export, the last required item: 5 days after it was shown.
        completedAt: at('2026-11-15'),
        dismissedAt: at('2026-11-12', 9),
      },
    ]);

    expect(body.tours).toEqual([
      {
        id: tour,
        version: 1,
        name: 'Welcome tour',
        shownAt: at('2026-11-12', 10),
        steps: [
          { id: 'a', title: 'Step a', viewedAt: at('2026-11-12', 10) },
          { id: 'b', title: 'Step b', viewedAt: at('2026-11-12', 11) },
          { id: 'c', title: 'Step c', viewedAt: null },
        ],
        stepsViewed: 2,
        lastStep: { id: 'b', title: 'Step b', at: at('2026-11-12', 11) },
        completedAt: null,
        dismissed: { stepId: 'b', stepTitle: 'Step b', at: at('2026-11-12', 12) },
      },
    ]);

    expect(body.responses).toEqual([
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

    // The product's own events, newest first (the same time: the later stored first).
    const events = (list: Array<{ type: string; name: string | null; timestamp: string }>) =>
      list.map((e) => `${e.name ?? e.type} ${e.timestamp}`);
    expect(events(body.events)).toEqual([
      `Invoice Sent ${at('2026-11-23')}`,
      `Invoice Sent ${at('2026-11-22')}`,
      `Report Exported ${at('2026-11-15')}`,
      `Invoice Sent ${at('2026-11-01')}`,
      `group ${at('2026-06-01')}`,
      `identify ${at('2026-06-01')}`,
    ]);
    expect(body.events[0]).toEqual({
      seq: body.events[0].seq,
      type: 'track',
      name: 'Invoice Sent',
      userId: 'u1',
      anonymousId: null,
      accountId: 'acme',
      timestamp: at('2026-11-23'),
    });
    // With the widget's own.
    const all = (await h.adminJson('/users/u1/overview?events=all')).body;
    expect(events(all.events)).toEqual([
      `Invoice Sent ${at('2026-11-23')}`,
      `Invoice Sent ${at('2026-11-22')}`,
      `$waymark.survey_answered ${at('2026-11-20')}`,
      `Report Exported ${at('2026-11-15')}`,
      `$waymark.spotlight_dismissed ${at('2026-11-12', 12)}`,
      `$waymark.spotlight_step_viewed ${at('2026-11-12', 11)}`,
      `$waymark.spotlight_step_viewed ${at('2026-11-12', 10)}`,
      `$waymark.spotlight_shown ${at('2026-11-12', 10)}`,
      `$waymark.checklist_dismissed ${at('2026-11-12', 9)}`,
      `$waymark.checklist_item_checked ${at('2026-11-11')}`,
      `$waymark.checklist_shown ${at('2026-11-10')}`,
      `Invoice Sent ${at('2026-11-01')}`,
      `group ${at('2026-06-01')}`,
      `identify ${at('2026-06-01')}`,
    ]);
  });

  it('shows a person with no account, checklist, tour or answer as such', async () => {
    await history();
    await h.ingest([h.msg({ type: 'identify', userId: 'u5', timestamp: at('2026-11-02'), traits: {} })]);
    const { status, body } = await h.adminJson('/users/u5/overview');
    expect(status).toBe(200);
    expect(body).toEqual({
      user: {
        id: 'u5',
        accountId: null,
        traits: {},
        firstSeen: at('2026-11-02'),
        lastSeen: at('2026-11-02'),
        milestones: [],
        timeToValue: null,
      },
      account: null,
      checklists: [],
      tours: [],
      responses: [],
      events: [
        {
          seq: body.events[0].seq,
          type: 'identify',
          name: null,
          userId: 'u5',
          anonymousId: null,
          accountId: null,
          timestamp: at('2026-11-02'),
        },
      ],
    });
    // u4's account, Beta, has no score: no health.
    expect((await h.adminJson('/users/u4/overview')).body.account).toEqual({
      id: 'beta',
      name: null,
      health: null,
    });
  });

  it('answers 404 with a problem for an unknown user, 400 for an unknown events option, and reads by index only', async () => {
    await userHistory();
    const missing = await h.adminJson('/users/nobody/overview');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: 'No user with this id in this workspace.',
    });
    const bad = await h.adminJson('/users/u1/overview?events=everything');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('/events');
    await expectIndexedPage(
      '/users/u1/overview',
      'SEARCH events USING INDEX events_user_time (workspace_id=? AND user_id=?)',
    );
  });
});
