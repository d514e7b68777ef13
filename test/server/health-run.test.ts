import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/db/client.ts';
import { runHealthDay } from '../../server/health/run.ts';
import { createLogger } from '../../server/logger.ts';
import { createHarness, type Harness } from './harness.ts';

// One account, its events and traits chosen so that every measure is worked out by hand below.
let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const day = 86_400_000;
const hour = 3_600_000;
const at = (daysAgo: number) => new Date(h.clock.now - daysAgo * day - hour).toISOString();

/** Changes acme's traits through the CSV import: `columns\nvalues`, with the id column added. */
async function importTraits(csv: string) {
  const [header, row] = csv.split('\n');
  const res = await h.admin('/accounts/import', {
    method: 'POST',
    body: `id,${header}\nacme,${row}`,
    headers: { 'content-type': 'text/csv' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function seedAccount(traits: Record<string, unknown>) {
  expect(
    (
      await h.adminJson('/milestones', 'POST', {
        key: 'invoice_sent',
        name: 'Sent an invoice',
        rule: { event: 'Invoice Sent' },
        isValue: true,
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await h.adminJson('/milestones', 'POST', {
        key: 'invited',
        name: 'Invited a teammate',
        rule: { event: 'Teammate Invited' },
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await h.adminJson('/core-features', 'POST', {
        key: 'invoicing',
        name: 'Invoicing',
        events: [{ event: 'Invoice Sent' }],
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await h.adminJson('/core-features', 'POST', {
        key: 'reports',
        name: 'Reports',
        events: [{ event: 'Report Viewed' }],
      })
    ).status,
  ).toBe(201);
  const batch: unknown[] = [];
  const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
  // The account is 120 days old; its first invoice came 5 days in, a teammate invite 10 days in.
  for (const userId of users)
    batch.push(h.msg({ type: 'group', userId, groupId: 'acme', timestamp: at(120), traits }));
  batch.push(h.msg({ type: 'track', userId: 'u1', event: 'Invoice Sent', timestamp: at(115) }));
  batch.push(h.msg({ type: 'track', userId: 'u1', event: 'Teammate Invited', timestamp: at(110) }));
  // Previous 30 days: all six users active on 5 days each = 30 user-days.
  for (const userId of users)
    for (let d = 31; d <= 35; d++)
      batch.push(h.msg({ type: 'page', userId, name: 'Home', timestamp: at(d) }));
  // Last 30 days: u1 on 10 days, u2 on 8, u3 on 4, u4 on 2 = 4 active users, 24 user-days.
  const activeDays = { u1: 10, u2: 8, u3: 4, u4: 2 };
  for (const [userId, n] of Object.entries(activeDays))
    for (let d = 1; d <= n; d++) batch.push(h.msg({ type: 'page', userId, name: 'Home', timestamp: at(d) }));
  // Core features in the window: u1 and u2 send invoices; nobody views reports.
  batch.push(h.msg({ type: 'track', userId: 'u1', event: 'Invoice Sent', timestamp: at(3) }));
  batch.push(h.msg({ type: 'track', userId: 'u2', event: 'Invoice Sent', timestamp: at(2) }));
  await h.ingest(batch);
}

// usage: 4 of 10 seats (0.4 -> 0), 24/4 = 6 active days ((6-4)/9 -> 22.22), trend (24-30)/30 = -20% (-> 33.33): 18.52
// adoption: breadth 1 of 2 = 0.5 (-> 75), core users 2 of 4 = 0.5 (-> 50): 62.5
// onboarding: both milestones (-> 100), value after 5 days (-> 100): 100; sentiment: no answers (redistributed)
// support: 3 tickets (-> 50); commercial: current (-> 100). Age 120 days and milestones done: default profile.
// overall = (30*18.519 + 20*62.5 + 15*100 + 10*50 + 10*100) / 85 = 4805.56 / 85 = 56.54 -> 57, yellow
const traits = {
  name: 'Acme',
  seats: 10,
  openTickets: 3,
  paymentStatus: 'current',
  arr: 50_000,
  renewalDate: '2027-02-01',
};

describe('account health from stored data', () => {
  it('scores an account as hand-computed, and moves with its traits', async () => {
    await seedAccount(traits);
    const recomputed = await h.adminJson('/health/recompute', 'POST', {});
    expect(recomputed).toMatchObject({ status: 200, body: { accounts: 1 } });
    const { body } = await h.adminJson('/health/accounts/acme');
    expect(body.profile).toBe('default');
    expect(body.stage).toBe('valueRealization');
    expect(body.segment).toBe('midMarket');
    const raw = Object.fromEntries(
      body.measures.map((m: { measure: string; raw: unknown }) => [m.measure, m.raw]),
    );
    expect(raw).toMatchObject({
      activeSeats: 0.4,
      activeDays: 6,
      usageTrend: -0.2,
      adoptionBreadth: 0.5,
      coreUsers: 0.5,
      milestonesReached: 1,
      openTickets: 3,
      paymentStatus: 'current',
      accountNps: null,
    });
    expect(raw.timeToValue).toBeCloseTo(5, 6);
    expect(body.score).toBe(57);
    expect(body.band).toBe('yellow');
    expect(body.coverage).toBeCloseTo(0.85, 9);
    expect(body.drivers[0]).toMatchObject({ measure: 'activeSeats', text: 'Usage: 4 of 10 seats active' });

    // Tickets closed: support 100, overall (4805.56 + 500) / 85 = 62.42 -> 62.
    // Traits as CS or billing would change them (a CSV import is not activity; a group call would be).
    await importTraits('openTickets\n0');
    await h.adminJson('/health/recompute', 'POST', { accountId: 'acme' });
    expect((await h.adminJson('/health/accounts/acme')).body.score).toBe(62);
    // Payment past due: commercial 25, overall (5305.56 - 750) / 85 = 53.59 -> 54.
    await importTraits('paymentStatus\npast_due');
    await h.adminJson('/health/recompute', 'POST', { accountId: 'acme' });
    expect((await h.adminJson('/health/accounts/acme')).body).toMatchObject({ score: 54, band: 'yellow' });
    // Payment failed: critical, capped to red whatever the score (5305.56 - 1000) / 85 = 50.65 -> 51 would be yellow.
    await importTraits('paymentStatus\nfailed');
    await h.adminJson('/health/recompute', 'POST', { accountId: 'acme' });
    expect((await h.adminJson('/health/accounts/acme')).body).toMatchObject({
      score: 51,
      band: 'red',
      cappedBy: 'paymentStatus',
    });
  });

  it('backfills history and explains the change against 7 days before in words', async () => {
    await seedAccount(traits);
    const today = new Date(h.clock.now).toISOString().slice(0, 10);
    const weekAgo = new Date(h.clock.now - 7 * day).toISOString().slice(0, 10);
    expect((await h.adminJson('/health/backfill', 'POST', { from: weekAgo, to: today })).body).toEqual({
      days: 8,
    });
    const { body } = await h.adminJson('/health/accounts/acme');
    expect(body.history).toHaveLength(8);
    expect(body.against7.day).toBe(weekAgo);
    // A week ago (as of the end of that day) the last 30 days held u1..u6's 5 days each plus... the
    // exact numbers differ; what is checked is that every change has a sentence and adds up.
    const sum = body.against7.changes.reduce((s: number, c: { points: number }) => s + c.points, 0);
    for (const change of body.against7.changes) expect(change.text).toMatch(/ (rose|fell): .*, was /);
    expect(Math.abs(sum - body.against7.change)).toBeLessThan(1.5);
    const portfolio = await h.adminJson('/health/accounts?sort=-score');
    expect(portfolio.body).toMatchObject({
      total: 1,
      next: null,
      accounts: [{ accountId: 'acme', name: 'Acme', band: 'yellow', score: 57, arr: 50_000 }],
    });
    expect(portfolio.body.accounts[0].trend7).toBe(body.against7.change);
  });

  it('runs a day once with two instances on one database, and a re-run changes nothing', async () => {
    await seedAccount(traits);
    const yesterday = new Date(h.clock.now - day).toISOString().slice(0, 10);
    // A second server instance: its own connections to the same database file.
    const otherDb = await openDatabase({ url: `file:${h.dir}/test.db`, logger: createLogger('silent') });
    const other = {
      db: otherDb,
      app: createApp({ db: otherDb, logger: createLogger('silent'), clock: () => h.clock.now }),
    };
    try {
      const results = await Promise.all([
        runHealthDay({ ...h.app.healthDeps, instanceId: 'a' }, 'ws1', yesterday),
        runHealthDay({ ...other.app.healthDeps, instanceId: 'b' }, 'ws1', yesterday),
      ]);
      expect(results.sort()).toEqual(['done', 'running elsewhere']);
      expect(await runHealthDay({ ...h.app.healthDeps, instanceId: 'c' }, 'ws1', yesterday)).toBe(
        'already done',
      );
      const rows = await h.db.read.all<{ n: number }>(
        sql`SELECT count(*) AS n FROM account_health WHERE day = ${yesterday}`,
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await other.app.close();
      await other.db.close();
    }
  });

  it('rejects an invalid model with field paths and keeps the one in force', async () => {
    const before = await h.adminJson('/health/model');
    expect(before.body.version).toBe(0);
    const model = structuredClone(before.body.model);
    model.groups[0].measures[0].healthy = 0.1;
    model.groups[1].measures[0].measure = 'vibes';
    const bad = await h.adminJson('/health/model', 'PUT', model);
    expect(bad.status).toBe(400);
    const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toContain('/groups/1/measures/0/measure');
    expect((await h.adminJson('/health/model')).body.version).toBe(0);
    model.groups[1].measures[0].measure = 'adoptionBreadth';
    model.groups[0].measures[0].healthy = 0.9;
    const saved = await h.adminJson('/health/model', 'PUT', model);
    expect(saved.body.version).toBe(1);
    expect(
      (await h.adminJson('/health/model/versions')).body.versions.map((v: { version: number }) => v.version),
    ).toEqual([1, 0]);
  });

  it('fires playbook alerts once: a downgrade, a failed payment, a renewal at risk; cooldowns and switches hold', async () => {
    await seedAccount(traits);
    const dayAgo = (n: number) => new Date(h.clock.now - n * day).toISOString().slice(0, 10);
    await h.adminJson('/health/backfill', 'POST', { from: dayAgo(2), to: dayAgo(2) });
    expect((await h.adminJson('/health/accounts/acme')).body.band).toBe('yellow');
    const patched = await h.adminJson('/alerts/rules', 'PATCH', {
      lowAdoption: { enabled: false },
      renewalAtRisk: { withinDays: 80 },
    });
    expect(patched.body.renewalAtRisk).toEqual({ enabled: true, cooldownDays: 30, withinDays: 80 });
    expect(patched.body.lowAdoption).toEqual({ enabled: false, cooldownDays: 30, afterDays: 60, below: 0.3 });
    const bad = await h.adminJson('/alerts/rules', 'PATCH', { scoreDrop: { points: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('/scoreDrop/points');

    await h.ingest([
      h.msg({ type: 'group', userId: 'u1', groupId: 'acme', traits: { paymentStatus: 'failed' } }),
    ]);
    expect(await runHealthDay({ ...h.app.healthDeps, instanceId: 'a' }, 'ws1', dayAgo(1))).toBe('done');
    const inbox = (await h.adminJson('/alerts')).body.alerts;
    expect(inbox.map((a: { rule: string }) => a.rule).sort()).toEqual([
      'bandDowngrade',
      'paymentPastDue',
      'renewalAtRisk',
    ]);
    const downgrade = inbox.find((a: { rule: string }) => a.rule === 'bandDowngrade');
    expect(downgrade).toMatchObject({ accountId: 'acme', band: 'red', previousBand: 'yellow' });
    expect(downgrade.text).toBe(
      `Acme turned red (was yellow): score ${downgrade.score}, was ${downgrade.previousScore}. ${downgrade.drivers[0].text}`,
    );
    // 2026-11-22 to the renewal on 2027-02-01: 71 days, within 80.
    expect(inbox.find((a: { rule: string }) => a.rule === 'renewalAtRisk').text).toBe(
      `Acme renews on 2027-02-01 (in 71 days) and is red. ${downgrade.drivers[0].text}`,
    );

    // The next day: still red (no downgrade), payment still failed but within its 30-day cooldown.
    h.clock.now += day;
    expect(await runHealthDay({ ...h.app.healthDeps, instanceId: 'a' }, 'ws1', dayAgo(1))).toBe('done');
    expect((await h.adminJson('/alerts')).body.alerts).toHaveLength(3);
  });

  it('sends a downgrade to a webhook once, signed, with two instances running the day', async () => {
    // A receiver on loopback: allowed as in development (WEBHOOK_ALLOW_PRIVATE_URLS).
    await h.close();
    h = await createHarness(undefined, { webhooks: { allowPrivate: true } });
    const received: Array<{ body: string; signature: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['waymark-signature']) });
        res.end('ok');
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const otherDb = await openDatabase({ url: `file:${h.dir}/test.db`, logger: createLogger('silent') });
    const other = createApp({
      db: otherDb,
      logger: createLogger('silent'),
      clock: () => h.clock.now,
      webhooks: { allowPrivate: true },
    });
    try {
      const port = (receiver.address() as { port: number }).port;
      const endpoint = await h.adminJson('/webhooks', 'POST', {
        url: `http://127.0.0.1:${port}/hook`,
        eventTypes: ['alert.created'],
      });
      expect(endpoint.status).toBe(201);
      await seedAccount(traits);
      const dayAgo = (n: number) => new Date(h.clock.now - n * day).toISOString().slice(0, 10);
      await h.adminJson('/health/backfill', 'POST', { from: dayAgo(2), to: dayAgo(2) });
      await h.adminJson('/alerts/rules', 'PATCH', { renewalAtRisk: { enabled: false } });
      await h.ingest([
        h.msg({ type: 'group', userId: 'u1', groupId: 'acme', traits: { paymentStatus: 'failed' } }),
      ]);
      const outcomes = await Promise.all([
        runHealthDay({ ...h.app.healthDeps, instanceId: 'a' }, 'ws1', dayAgo(1)),
        runHealthDay({ ...other.healthDeps, instanceId: 'b' }, 'ws1', dayAgo(1)),
      ]);
      expect(outcomes.sort()).toEqual(['done', 'running elsewhere']);
      await Promise.all([h.app.webhooks.runOnce(), other.webhooks.runOnce()]);
      await Promise.all([h.app.webhooks.runOnce(), other.webhooks.runOnce()]);
      const types = received.map(
        (r) =>
          JSON.parse(r.body) as {
            type: string;
            text: string;
            data: { alert: { rule: string; band: string; previousBand: string } };
          },
      );
      expect(types.map((t) => t.data.alert.rule).sort()).toEqual(['bandDowngrade', 'paymentPastDue']);
      const downgrade = types.find((t) => t.data.alert.rule === 'bandDowngrade')!;
      expect(downgrade).toMatchObject({
        type: 'alert.created',
        data: { alert: { band: 'red', previousBand: 'yellow' } },
      });
      expect(downgrade.text).toMatch(/^Acme turned red \(was yellow\)/);
      // Signed as the README says: HMAC-SHA256(secret, "<t>.<body>") in hex.
      for (const { body, signature } of received) {
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
        expect(v1).toBe(createHmac('sha256', endpoint.body.secret).update(`${t}.${body}`).digest('hex'));
      }
    } finally {
      await other.close();
      await otherDb.close();
      await new Promise((done) => receiver.close(done));
    }
  });

  it('reports adoption as counted by hand: active users, stickiness, bands, feature rate, depth, breadth', async () => {
    await seedAccount(traits);
    // In the 30 days before: u1 and u3 sent invoices (adopters then); u1 did again in the window.
    await h.ingest([
      h.msg({ type: 'track', userId: 'u1', event: 'Invoice Sent', timestamp: at(40) }),
      h.msg({ type: 'track', userId: 'u3', event: 'Invoice Sent', timestamp: at(45) }),
    ]);
    const { status, body } = await h.adminJson('/reports/adoption');
    expect(status).toBe(200);
    // Window: the 30 UTC days to today. Active: u1 10 days, u2 8, u3 4, u4 2 = 4 users, 24 user-days.
    expect(body.activeUsers).toEqual({ dau: 24 / 30, wau: 4, mau: 4 });
    expect(body.stickiness).toBeCloseTo(0.2, 9); // 0.8 / 4
    expect(body.activeDaysPerActiveUser).toBe(6);
    expect(body.frequency).toEqual([
      { band: '1-4', users: 2 },
      { band: '5-12', users: 2 },
      { band: '13+', users: 0 },
    ]);
    expect(body.activeAccounts).toBe(1);
    expect(body.breadth).toBe(0.5); // acme uses 1 of 2 core features
    expect(body.features).toEqual([
      {
        key: 'invoicing',
        name: 'Invoicing',
        users: 2,
        accounts: 1,
        adoptionRate: 0.5,
        accountAdoptionRate: 1,
        previousUsers: 2,
        depth: 0.5,
      },
      {
        key: 'reports',
        name: 'Reports',
        users: 0,
        accounts: 0,
        adoptionRate: 0,
        accountAdoptionRate: 0,
        previousUsers: 0,
        depth: null,
      },
    ]);
  });
});
