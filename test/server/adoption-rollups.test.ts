import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeatureRollupBuilder } from '../../server/adoption/feature-days.ts';
import { createLogger } from '../../server/logger.ts';
import { matchesFilters } from '../../shared/conditions.ts';
import type { CoreFeature, CoreFeatureInput } from '../../shared/schemas/core-feature.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * The adoption report's rollups (migration 0013: `activity_days`, `user_activity`,
 * `account_activity`, `feature_gaps`, `feature_users`, `feature_accounts`, `feature_account_days`,
 * kept by triggers) against
 * computations from scratch: each table against the same definition over the tables it follows
 * (`user_days`, `users`, `feature_days`), and the whole report against one computed in JavaScript
 * from the stored events and the users' current accounts, matched with the widget's own filter code.
 * Through duplicates, retried batches, events days late and out of order, users moving between
 * accounts, core features created, redefined and deleted (rebuilt in small chunks while events keep
 * coming), windows of 7, 30 and 90 days, days passing, and an event dated tomorrow.
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
const start = Date.parse('2026-11-23T12:00:00.000Z');

const definitions: CoreFeatureInput[] = [
  { key: 'invoicing', name: 'Invoicing', events: [{ event: 'Invoice Sent' }] },
  {
    key: 'big-deals',
    name: 'Big deals',
    events: [
      { event: 'Invoice Sent', where: [{ property: 'amount', op: 'gt', value: 500 }] },
      { event: 'Estimate Sent', where: [{ property: 'currency', op: 'equals', value: 'EUR' }] },
    ],
  },
  { key: 'reports', name: 'Reports', events: [{ event: 'Report Viewed' }, { event: 'Report Exported' }] },
];

/**
 * A deterministic history over `daysBack` days before `now`: product events of 20 users, some named
 * under an account, group calls moving users between 4 accounts, anonymous visitors.
 */
function history(seed: number, count: number, now: number, daysBack = 120) {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const messageId = `m${seed}-${i}`;
    // Some users far busier than others, so that every frequency band has users.
    const userId = `u${Math.floor(rand() ** 3 * 20)}`;
    // Each event its own millisecond, so "the latest use" is never a tie.
    const timestamp = new Date(
      now - Math.floor(rand() * daysBack * 24) * hour - seed * 1000 - i,
    ).toISOString();
    if (rand() < 0.06) {
      return { type: 'group', messageId, userId, groupId: `acc${Math.floor(rand() * 4)}`, timestamp };
    }
    const who = rand() < 0.08 ? { anonymousId: `a${Math.floor(rand() * 3)}` } : { userId };
    const context = rand() < 0.6 ? { groupId: `acc${Math.floor(rand() * 4)}` } : {};
    const properties = { amount: Math.floor(rand() * 1000), currency: pick(['EUR', 'USD']) };
    const event = pick(['Invoice Sent', 'Estimate Sent', 'Report Viewed', 'Report Exported', 'Other']);
    return { type: 'track', messageId, ...who, event, properties, timestamp, context };
  });
}

/** Sent as a flaky client would (duplicates in a batch, retried batches): see the harness. */
const ingest = (events: unknown[], size = 41) => h.ingestLikeAClient(events, size);

const features = async (): Promise<CoreFeature[]> => (await h.adminJson('/core-features')).body.coreFeatures;

const rows = (query: ReturnType<typeof sql>) =>
  h.db.read.all<Record<string, unknown>>(query).then((list) => list.map((row) => JSON.stringify(row)).sort());

/** Each rollup table equals its definition over the tables it follows. */
async function expectTablesFromScratch() {
  expect(await rows(sql`SELECT user_id, latest, fifth, thirteenth FROM user_activity`)).toEqual(
    await rows(sql`
      SELECT user_id, max(CASE WHEN n = 1 THEN day END) AS latest, max(CASE WHEN n = 5 THEN day END) AS fifth,
        max(CASE WHEN n = 13 THEN day END) AS thirteenth
      FROM (SELECT user_id, day, row_number() OVER (PARTITION BY user_id ORDER BY day DESC) AS n FROM user_days)
      GROUP BY user_id`),
  );
  const counted = (column: string) =>
    sql.raw(
      `SELECT ${column} AS day, count(*) AS n FROM ${
        column === 'day' ? 'user_days' : 'user_activity'
      } WHERE ${column} IS NOT NULL GROUP BY 1`,
    );
  for (const column of ['latest', 'fifth', 'thirteenth']) {
    expect(
      await rows(sql`SELECT day, ${sql.raw(column)} AS n FROM activity_days WHERE ${sql.raw(column)} > 0`),
      column,
    ).toEqual(await rows(counted(column)));
  }
  expect(await rows(sql`SELECT day, active AS n FROM activity_days WHERE active > 0`)).toEqual(
    await rows(counted('day')),
  );
  expect(await rows(sql`SELECT account_id, latest FROM account_activity WHERE latest IS NOT NULL`)).toEqual(
    await rows(sql`
      SELECT u.account_id, max(d.day) AS latest FROM users u JOIN user_days d ON d.user_id = u.id
      WHERE u.account_id IS NOT NULL GROUP BY u.account_id`),
  );
  expect(await rows(sql`SELECT day, accounts AS n FROM activity_days WHERE accounts > 0`)).toEqual(
    await rows(
      sql`SELECT latest AS day, count(*) AS n FROM account_activity WHERE latest IS NOT NULL GROUP BY 1`,
    ),
  );
  expect(
    await rows(
      sql`SELECT feature_id, day, accounts, active FROM feature_account_days WHERE accounts > 0 OR active > 0`,
    ),
  ).toEqual(
    await rows(sql`
      SELECT feature_id, day, sum(accounts) AS accounts, sum(active) AS active FROM (
        SELECT feature_id, day, 1 AS accounts, 0 AS active FROM feature_accounts
        UNION ALL SELECT f.feature_id, min(f.day, a.latest), 0, 1 FROM feature_accounts f
          JOIN account_activity a ON a.account_id = f.account_id WHERE a.latest IS NOT NULL)
      GROUP BY 1, 2`),
  );
  expect(await rows(sql`SELECT feature_id, day, gap, users FROM feature_gaps WHERE users > 0`)).toEqual(
    await rows(sql`
      SELECT feature_id, day, min(coalesce(day - previous, 200), 200) AS gap, count(*) AS users
      FROM (SELECT feature_id, day, lag(day) OVER (PARTITION BY feature_id, user_id ORDER BY day) AS previous
        FROM (SELECT DISTINCT feature_id, user_id, day FROM feature_days))
      GROUP BY 1, 2, 3`),
  );
  expect(await rows(sql`SELECT feature_id, user_id, account_id, day, last_at FROM feature_users`)).toEqual(
    await rows(sql`
      SELECT feature_id, user_id, account_id, day, max(last_at) AS last_at FROM feature_days
      GROUP BY feature_id, user_id`),
  );
  expect(await rows(sql`SELECT feature_id, account_id, day FROM feature_accounts`)).toEqual(
    await rows(sql`
      SELECT feature_id, account_id, max(day) AS day FROM (
        SELECT feature_id, user_id, account_id, day, max(last_at) FROM feature_days GROUP BY feature_id, user_id)
      GROUP BY feature_id, account_id`),
  );
}

interface Stored {
  type: string;
  name: string | null;
  user_id: string | null;
  account_id: string | null;
  timestamp: number;
  properties: string;
}

/** The report as the README defines it, from the stored events and the users' current accounts. */
async function reportFromScratch(days: number, now: number) {
  const events = await h.db.read.all<Stored>(
    sql`SELECT type, name, user_id, account_id, timestamp, properties FROM events WHERE workspace_id = 'ws1'`,
  );
  const accountOf = new Map(
    (
      await h.db.read.all<{ id: string; account_id: string | null }>(sql`SELECT id, account_id FROM users`)
    ).map((u) => [u.id, u.account_id]),
  );
  const end = Math.floor(now / day) + 1;
  const from = end - days;
  const activeDays = new Map<string, Set<number>>();
  for (const e of events) {
    const d = Math.floor(e.timestamp / day);
    if (e.user_id === null || d < from || d >= end) continue;
    activeDays.set(e.user_id, (activeDays.get(e.user_id) ?? new Set()).add(d));
  }
  const mau = activeDays.size;
  const userDays = [...activeDays.values()].reduce((sum, set) => sum + set.size, 0);
  const wau = [...activeDays.values()].filter((set) => [...set].some((d) => d >= end - 7)).length;
  const activeAccounts = new Set(
    [...activeDays.keys()].flatMap((user) => {
      const account = accountOf.get(user);
      return account ? [account] : [];
    }),
  );
  const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  const list = await features();
  const usersIn = (feature: CoreFeature, fromDay: number, toDay: number) => {
    const latest = new Map<string, { account: string; at: number }>();
    for (const e of events) {
      const d = Math.floor(e.timestamp / day);
      if (e.type !== 'track' || e.user_id === null || e.account_id === null || d < fromDay || d >= toDay)
        continue;
      if (
        !feature.events.some(
          (p) => p.event === e.name && matchesFilters(JSON.parse(e.properties), p.where, now),
        )
      )
        continue;
      const seen = latest.get(e.user_id);
      if (!seen || e.timestamp > seen.at) latest.set(e.user_id, { account: e.account_id, at: e.timestamp });
    }
    return new Map([...latest].map(([user, use]) => [user, use.account]));
  };
  let used = 0;
  const perFeature = list.map((feature) => {
    const users = usersIn(feature, from, end);
    const earlier = usersIn(feature, from - days, from);
    const accounts = new Set(users.values());
    used += [...accounts].filter((account) => activeAccounts.has(account)).length;
    const returning = [...earlier.keys()].filter((user) => users.has(user)).length;
    return {
      key: feature.key,
      name: feature.name,
      users: users.size,
      accounts: accounts.size,
      adoptionRate: share(users.size, mau),
      accountAdoptionRate: share(accounts.size, activeAccounts.size),
      previousUsers: earlier.size,
      depth: share(returning, earlier.size),
    };
  });
  const atLeast = (n: number) => [...activeDays.values()].filter((set) => set.size >= n).length;
  return {
    window: {
      days,
      from: new Date(from * day).toISOString().slice(0, 10),
      to: new Date((end - 1) * day).toISOString().slice(0, 10),
    },
    activeUsers: { dau: userDays / days, wau, mau },
    stickiness: share(userDays / days, mau),
    activeDaysPerActiveUser: share(userDays, mau),
    frequency: [
      { band: '1-4', users: atLeast(1) - atLeast(5) },
      { band: '5-12', users: atLeast(5) - atLeast(13) },
      { band: '13+', users: atLeast(13) },
    ],
    activeAccounts: activeAccounts.size,
    breadth:
      list.length === 0 || activeAccounts.size === 0 ? null : used / (activeAccounts.size * list.length),
    features: perFeature,
  };
}

async function expectReportsFromScratch() {
  for (const days of [7, 30, 90]) {
    const { status, body } = await h.adminJson(`/reports/adoption?days=${days}`);
    expect(status).toBe(200);
    expect(body, `${days} days`).toEqual(await reportFromScratch(days, h.clock.now));
  }
}

const rebuildsQueued = async () =>
  (await h.db.read.all<{ n: number }>(sql`SELECT count(*) AS n FROM feature_rebuilds`))[0]?.n ?? 0;

describe('adoption rollups', () => {
  it('equal their definitions and the report from the events through duplicates, late events and moves', async () => {
    for (const definition of definitions) {
      expect((await h.adminJson('/core-features', 'POST', definition)).status).toBe(201);
    }
    await h.app.featureRollups.wake();
    await ingest(history(1, 900, start));
    // Days late, after newer events were stored, and out of order.
    await ingest(history(2, 300, start - 20 * day, 100).reverse(), 17);
    await expectTablesFromScratch();
    const report = await reportFromScratch(30, start);
    // The history exercises what the report counts: every band, returning users, several accounts.
    expect(report.frequency.every((band) => band.users > 0)).toBe(true);
    expect(report.features.every((f) => f.users > 0 && f.previousUsers > 0 && (f.depth ?? 0) > 0)).toBe(true);
    expect(report.activeAccounts).toBeGreaterThan(1);
    await expectReportsFromScratch();

    // Days pass: the same rows answer a later window.
    h.clock.now = start + 9 * day;
    await ingest(history(3, 200, h.clock.now, 12));
    await expectTablesFromScratch();
    await expectReportsFromScratch();
  });

  it('follow a core feature redefined, deleted or created while events arrive', async () => {
    for (const definition of definitions) {
      expect((await h.adminJson('/core-features', 'POST', definition)).status).toBe(201);
    }
    await h.app.featureRollups.wake();
    await ingest(history(4, 700, start));
    const byKey = new Map((await features()).map((f) => [f.key, f]));
    await h.app.featureRollups.stop();
    const edited = await h.adminJson(`/core-features/${byKey.get('big-deals')!.id}`, 'PUT', {
      ...definitions[1],
      events: [
        { event: 'Invoice Sent', where: [{ property: 'currency', op: 'equals', value: 'USD' }] },
        { event: 'Report Exported' },
      ],
    });
    expect(edited.status).toBe(200);
    expect((await h.adminJson(`/core-features/${byKey.get('reports')!.id}`, 'DELETE')).status).toBe(204);
    const created = await h.adminJson('/core-features', 'POST', {
      key: 'estimates',
      name: 'Estimates',
      events: [{ event: 'Estimate Sent' }],
    });
    expect(created.status).toBe(201);
    // Until rebuilt, a changed feature is read from the events: same answers.
    await ingest(history(5, 150, start));
    await expectReportsFromScratch();
    // Rebuilt nine events at a time while more (late) events arrive.
    const builder = new FeatureRollupBuilder(h.db, createLogger('silent'), 9);
    await Promise.all([builder.wake(), ingest(history(6, 250, start, 60), 13)]);
    await builder.wake();
    expect(await rebuildsQueued()).toBe(0);
    await expectTablesFromScratch();
    await expectReportsFromScratch();
    const removed = await h.db.read.all(
      sql`SELECT 1 FROM feature_gaps WHERE feature_id = ${byKey.get('reports')!.id}
        UNION ALL SELECT 1 FROM feature_users WHERE feature_id = ${byKey.get('reports')!.id}
        UNION ALL SELECT 1 FROM feature_accounts WHERE feature_id = ${byKey.get('reports')!.id}`,
    );
    expect(removed).toEqual([]);
  });

  it('answers the same while an event dated tomorrow is stored, and once tomorrow is today', async () => {
    for (const definition of definitions) {
      expect((await h.adminJson('/core-features', 'POST', definition)).status).toBe(201);
    }
    await h.app.featureRollups.wake();
    await ingest(history(7, 600, start));
    // A client clock 14 hours ahead (accepted: within a day's skew): its day is tomorrow's.
    await ingest(
      ['u1', 'u2', 'u3', 'u99'].map((userId, i) => ({
        type: 'track',
        messageId: `ahead-${i}`,
        userId,
        event: 'Invoice Sent',
        properties: { amount: 900, currency: 'EUR' },
        context: { groupId: `acc${i}` },
        timestamp: new Date(start + 14 * hour + i).toISOString(),
      })),
    );
    const [ahead] = await h.db.read.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM user_days WHERE day > ${Math.floor(start / day)}`,
    );
    expect(ahead?.n).toBe(4);
    await expectTablesFromScratch();
    await expectReportsFromScratch();
    h.clock.now = start + day;
    await expectReportsFromScratch();
  });
});
