import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeatureRollupBuilder, featureUsers } from '../../server/adoption/feature-days.ts';
import { createLogger } from '../../server/logger.ts';
import { matchesFilters } from '../../shared/conditions.ts';
import type { CoreFeature, CoreFeatureInput } from '../../shared/schemas/core-feature.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * Core-feature use per day (server/adoption/feature-days.ts) against a computation from scratch: the
 * stored events read back and matched in JavaScript with the widget's own filter code
 * (shared/conditions.ts), not with the SQL the rollup uses. Whatever arrives (duplicates, retried
 * batches, events out of order and days late, users moving between accounts) and whatever the
 * definitions become (created, edited, deleted, rebuilt in small chunks while events keep coming),
 * the rollup holds exactly those rows, and who used what in any period (mid-day ends included) is
 * what the events say.
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false }); // now = 2026-11-23T12:00Z
});
afterEach(async () => {
  await h.close();
});

const day = 86_400_000;
const hour = 3_600_000;
const now = Date.parse('2026-11-23T12:00:00.000Z');

const definitions: CoreFeatureInput[] = [
  { key: 'invoicing', name: 'Invoicing', events: [{ event: 'Invoice Sent' }] },
  {
    key: 'big-deals',
    name: 'Big deals',
    events: [
      // Two proofs of one name: an event matching both is one use.
      { event: 'Invoice Sent', where: [{ property: 'amount', op: 'gt', value: 500 }] },
      { event: 'Invoice Sent', where: [{ property: 'plan.tier', op: 'in', value: ['pro', 'enterprise'] }] },
      { event: 'Estimate Sent', where: [{ property: 'currency', op: 'equals', value: 'EUR' }] },
    ],
  },
  {
    key: 'reports',
    name: 'Reports',
    events: [
      { event: 'Report Viewed', where: [{ property: 'kind', op: 'notEquals', value: 'draft' }] },
      { event: 'Report Exported' },
    ],
  },
];

/** A deterministic history: product events with properties, group calls moving users, anonymous visitors. */
function history(seed: number, count: number, daysBack = 40) {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const messageId = `m${seed}-${i}`;
    const userId = `u${Math.floor(rand() * 10)}`;
    // Each event its own millisecond, so "the latest use" is never a tie.
    const timestamp = new Date(now - Math.floor(rand() * daysBack * 24) * hour - i).toISOString();
    if (rand() < 0.05) {
      return { type: 'group', messageId, userId, groupId: `acc${Math.floor(rand() * 3)}`, timestamp };
    }
    const who = rand() < 0.1 ? { anonymousId: `a${Math.floor(rand() * 3)}` } : { userId };
    const context = rand() < 0.5 ? { groupId: `acc${Math.floor(rand() * 3)}` } : {};
    const amount = Math.floor(rand() * 1000);
    const properties = {
      amount: rand() < 0.2 ? String(amount) : amount,
      plan: { tier: pick(['free', 'pro', 'enterprise', undefined]) },
      currency: pick(['EUR', 'USD']),
      kind: pick(['draft', 'final', undefined]),
    };
    const event = pick(['Invoice Sent', 'Estimate Sent', 'Report Viewed', 'Report Exported', 'Other']);
    return { type: 'track', messageId, ...who, event, properties, timestamp, context };
  });
}

/** Sent as a flaky client would (duplicates in a batch, retried batches): see the harness. */
const ingest = (events: unknown[], size = 37) => h.ingestLikeAClient(events, size);

async function features(): Promise<CoreFeature[]> {
  return (await h.adminJson('/core-features')).body.coreFeatures;
}

interface Stored {
  type: string;
  name: string | null;
  user_id: string | null;
  account_id: string | null;
  timestamp: number;
  properties: string;
}

async function storedUses(feature: CoreFeature) {
  const events = await h.db.read.all<Stored>(sql`
    SELECT type, name, user_id, account_id, timestamp, properties FROM events WHERE workspace_id = 'ws1'`);
  return events.filter(
    (e) =>
      e.type === 'track' &&
      e.user_id !== null &&
      e.account_id !== null &&
      feature.events.some(
        (p) => p.event === e.name && matchesFilters(JSON.parse(e.properties), p.where, now),
      ),
  ) as Array<Stored & { user_id: string; account_id: string }>;
}

/** `feature_days` as it must be: the matching stored events per feature, day, user and account. */
async function fromScratch() {
  const rows: Array<[string, number, string, string, number, number]> = [];
  for (const feature of await features()) {
    const cells = new Map<string, [string, number, string, string, number, number]>();
    for (const e of await storedUses(feature)) {
      const cellKey = `${Math.floor(e.timestamp / day)}|${e.user_id}|${e.account_id}`;
      const cell = cells.get(cellKey) ?? [
        feature.id,
        Math.floor(e.timestamp / day),
        e.user_id,
        e.account_id,
        0,
        0,
      ];
      cell[4]++;
      cell[5] = Math.max(cell[5], e.timestamp);
      cells.set(cellKey, cell);
    }
    rows.push(...cells.values());
  }
  return rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

async function rollup() {
  const rows = await h.db.read.all<{
    feature_id: string;
    day: number;
    user_id: string;
    account_id: string;
    events: number;
    last_at: number;
  }>(sql`SELECT * FROM feature_days WHERE workspace_id = 'ws1'`);
  return rows
    .map((r) => [r.feature_id, r.day, r.user_id, r.account_id, r.events, r.last_at])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Who used each feature in `[from, to)`, from the events: each user with the account of their latest use. */
async function usersFromScratch(from: number, to: number) {
  const out = new Map<string, Map<string, string>>();
  for (const feature of await features()) {
    const latest = new Map<string, { account: string; at: number }>();
    for (const e of await storedUses(feature)) {
      if (e.timestamp < from || e.timestamp >= to) continue;
      const seen = latest.get(e.user_id);
      if (!seen || e.timestamp > seen.at) latest.set(e.user_id, { account: e.account_id, at: e.timestamp });
    }
    out.set(feature.key, new Map([...latest].map(([user, use]) => [user, use.account])));
  }
  return out;
}

// Whole days, days with mid-day ends (a recompute "as of now"), one partial day.
const periods = [
  [now - 30 * day - 12 * hour, now - 12 * hour],
  [now - 30 * day, now],
  [now - 9 * day - 5 * hour, now - 2 * day + 7 * hour],
  [now - 3 * day + hour, now - 3 * day + 9 * hour],
] as const;

async function expectUsersFromScratch() {
  const list = await features();
  for (const [from, to] of periods) {
    expect(await featureUsers(h.db, 'ws1', list, from, to), `${from}..${to}`).toEqual(
      await usersFromScratch(from, to),
    );
  }
}

const rebuildsQueued = async () =>
  (await h.db.read.all<{ n: number }>(sql`SELECT count(*) AS n FROM feature_rebuilds`))[0]?.n ?? 0;

describe('core-feature use per day', () => {
  it('equals the matching events through duplicates, retries, late and out-of-order events', async () => {
    for (const definition of definitions) {
      expect((await h.adminJson('/core-features', 'POST', definition)).status).toBe(201);
    }
    await h.app.featureRollups.wake();
    expect(await rebuildsQueued()).toBe(0);
    await ingest(history(1, 500));
    // Days late, after newer events were stored.
    await ingest(history(2, 120, 60), 11);
    const expected = await fromScratch();
    expect(expected.length).toBeGreaterThan(100);
    expect(await rollup()).toEqual(expected);
    await expectUsersFromScratch();
  });

  it('is rebuilt exactly when a definition changes, while events keep arriving; answers are the same meanwhile', async () => {
    for (const definition of definitions) {
      expect((await h.adminJson('/core-features', 'POST', definition)).status).toBe(201);
    }
    await h.app.featureRollups.wake();
    await ingest(history(3, 400));
    const byKey = new Map((await features()).map((f) => [f.key, f]));
    const [invoicing, bigDeals, reports] = ['invoicing', 'big-deals', 'reports'].map((key) => byKey.get(key));

    // Changes wait for the builder: answers come from the events meanwhile.
    await h.app.featureRollups.stop();
    const edited = await h.adminJson(`/core-features/${bigDeals!.id}`, 'PUT', {
      ...definitions[1],
      events: [
        { event: 'Invoice Sent', where: [{ property: 'currency', op: 'equals', value: 'USD' }] },
        { event: 'Report Exported', where: [{ property: 'amount', op: 'lt', value: 300 }] },
      ],
    });
    expect(edited.status).toBe(200);
    expect((await h.adminJson(`/core-features/${reports!.id}`, 'DELETE')).status).toBe(204);
    const created = await h.adminJson('/core-features', 'POST', {
      key: 'estimates',
      name: 'Estimates',
      events: [{ event: 'Estimate Sent', where: [{ property: 'kind', op: 'exists' }] }],
    });
    expect(created.status).toBe(201);
    // A new name keeps the rollup: nothing to rebuild for it.
    expect(
      (await h.adminJson(`/core-features/${invoicing!.id}`, 'PUT', { ...definitions[0], name: 'Billing' }))
        .status,
    ).toBe(200);
    expect(await rebuildsQueued()).toBe(2);
    const deleted = await h.db.read.all(sql`SELECT 1 FROM feature_days WHERE feature_id = ${reports!.id}`);
    expect(deleted).toEqual([]);
    // Ingestion built with the old definitions fails its guard and is redone with the new ones.
    await ingest(history(4, 150));
    await expectUsersFromScratch();

    // Rebuilt seven events at a time while more events arrive, late ones among them.
    const builder = new FeatureRollupBuilder(h.db, createLogger('silent'), 7);
    await Promise.all([builder.wake(), ingest(history(5, 200, 60), 13)]);
    await builder.wake();
    expect(await rebuildsQueued()).toBe(0);
    expect(await rollup()).toEqual(await fromScratch());
    await expectUsersFromScratch();
    const rebuilt = await h.adminJson('/reports/adoption?days=30');
    // The same report read from the events (every feature marked as rebuilding) answers the same.
    await h.db.writer.batch(
      (await features()).map((f) => ({
        sql: `INSERT INTO feature_rebuilds (workspace_id, feature_id, generation, until_seq) VALUES ('ws1', ?, 'test', 0)`,
        args: [f.id],
      })),
    );
    expect((await h.adminJson('/reports/adoption?days=30')).body).toEqual(rebuilt.body);
    expect(rebuilt.body.features.map((f: { users: number }) => f.users)).not.toContain(0);
  });

  it('never rolls up a feature whose filter is relative to now: it is read from the events', async () => {
    const created = await h.adminJson('/core-features', 'POST', {
      key: 'fresh-invoices',
      name: 'Fresh invoices',
      events: [{ event: 'Invoice Sent', where: [{ property: 'dueAt', op: 'after', value: { daysAgo: 3 } }] }],
    });
    expect(created.status).toBe(201);
    await h.app.featureRollups.wake();
    await ingest(
      [5, 2, 1].map((daysAgo, i) => ({
        type: 'track',
        messageId: `d${i}`,
        userId: `u${i}`,
        event: 'Invoice Sent',
        properties: { dueAt: new Date(now - daysAgo * day).toISOString() },
        context: { groupId: 'acc1' },
        timestamp: new Date(now - hour).toISOString(),
      })),
    );
    expect(await rollup()).toEqual([]);
    const used = await featureUsers(h.db, 'ws1', await features(), now - 30 * day, now);
    expect(used.get('fresh-invoices')).toEqual(
      new Map([
        ['u1', 'acc1'],
        ['u2', 'acc1'],
      ]),
    );
  });
});
