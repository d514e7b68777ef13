import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cohortOf, groupBy } from '../../server/analytics/stats.ts';
import { summarize } from '../../server/analytics/time-to-value.ts';
import { lookup } from '../../shared/conditions.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * The time-to-value report as its definition gives it. Over a varied population (traits of every JSON type, nested and dotted names, users without an account,
 * subjects who never reached value), every combination of subject, cohort, segment and signup window
 * answers what the report's definition gives when computed here from every subject.
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false }); // now = 2026-11-23T12:00Z
});
afterEach(async () => {
  await h.close();
});

const day = 86_400_000;
const now = Date.parse('2026-11-23T12:00:00.000Z');
const at = (t: number) => new Date(t).toISOString();

const plans: unknown[] = ['pro', 'free', 'Pro', 3, 3.5, true, null, { tier: 1 }, ['a', 'b'], '3'];

/** A deterministic population: 60 users in 8 accounts (and none), first seen over 120 days. */
function population(seed: number) {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const batch: unknown[] = [];
  for (let i = 0; i < 60; i++) {
    const userId = `u${i}`;
    const first = now - Math.floor(rand() * 120 * day);
    const traits: Record<string, unknown> = { role: pick(['admin', 'member']), tags: [pick(['x', 'y'])] };
    if (rand() < 0.85) traits.plan = pick(plans);
    if (rand() < 0.5) traits.billing = { plan: pick(['monthly', 'yearly', 12]) };
    if (rand() < 0.3) traits['billing.plan'] = 'dotted';
    batch.push({ type: 'identify', messageId: `i${i}`, userId, traits, timestamp: at(first) });
    if (rand() < 0.9) {
      const groupId = `acc${Math.floor(rand() * 8)}`;
      const accountTraits = { plan: pick(plans), arr: pick([1000, 25_000, 90_000, '40000']) };
      batch.push({
        type: 'group',
        messageId: `g${i}`,
        userId,
        groupId,
        traits: accountTraits,
        timestamp: at(first),
      });
    }
    // Value reached by most, a few more than 30 days after they were first seen; several on the
    // same day as others (ties in the durations).
    if (rand() < 0.75) {
      const after = Math.floor(rand() * 40) * day + (rand() < 0.3 ? 0 : Math.floor(rand() * day));
      batch.push({
        type: 'track',
        messageId: `v${i}`,
        userId,
        event: 'Invoice Sent',
        timestamp: at(Math.min(now - 1, first + after)),
      });
    }
  }
  return batch;
}

/** The report as defined (README, "Time to value"), computed from every subject. */
async function fromScratch(query: Record<string, string>) {
  const subject = query.subject === 'account' ? 'account' : 'user';
  const match = query.segment ? /^(user|account)\.(.+)$/.exec(query.segment) : null;
  const [on, trait] = match ? [match[1], match[2] as string] : [subject, query.segment];
  const table = subject === 'user' ? sql`users` : sql`accounts`;
  const rows = await h.db.read.all<{ id: string; first: number; traits: string; account: string | null }>(
    sql`SELECT id, first_seen AS first, traits, ${subject === 'user' ? sql`account_id` : sql`NULL`} AS account
      FROM ${table}`,
  );
  const accountTraits = new Map(
    (await h.db.read.all<{ id: string; traits: string }>(sql`SELECT id, traits FROM accounts`)).map((a) => [
      a.id,
      JSON.parse(a.traits) as Record<string, unknown>,
    ]),
  );
  const reached = new Map(
    (
      await h.db.read.all<{ id: string; at: number }>(sql`SELECT subject_id AS id, reached_at AS at
        FROM goal_progress WHERE goal LIKE 'milestone:%' AND subject = ${subject}`)
    ).map((r) => [r.id, r.at]),
  );
  const subjects = rows
    .filter(
      (r) =>
        (!query.from || r.first >= Date.parse(query.from)) && (!query.to || r.first < Date.parse(query.to)),
    )
    .map((r) => ({
      firstSeen: r.first,
      reachedAt: reached.get(r.id) ?? null,
      bag:
        subject === 'user' && on === 'account'
          ? (accountTraits.get(r.account ?? '') ?? {})
          : (JSON.parse(r.traits) as Record<string, unknown>),
    }));
  return {
    overall: summarize(subjects, now),
    ...(query.cohort
      ? {
          cohorts: groupBy(subjects, (s) => cohortOf(s.firstSeen, query.cohort as 'week' | 'month'))
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([cohort, members]) => ({ cohort, ...summarize(members, now) })),
        }
      : {}),
    ...(trait
      ? {
          segments: groupBy(subjects, (s) => lookup(s.bag, trait) ?? null)
            .sort(
              ([a], [b]) =>
                String(a).localeCompare(String(b)) || JSON.stringify(a).localeCompare(JSON.stringify(b)),
            )
            .map(([value, members]) => ({ value, ...summarize(members, now) })),
        }
      : {}),
  };
}

describe('time to value', () => {
  it('equals the report computed from every subject, for every grouping', async () => {
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
    const res = await h.post({ batch: population(7) });
    expect(res.status).toBe(200);
    const queries: Array<Record<string, string>> = [];
    for (const subject of ['user', 'account'])
      for (const cohort of [undefined, 'week', 'month'])
        for (const segment of [
          undefined,
          'plan',
          'account.plan',
          'user.plan',
          'billing.plan',
          'account.arr',
          'tags.0',
        ])
          queries.push({
            subject,
            ...(cohort ? { cohort } : {}),
            ...(segment ? { segment } : {}),
          });
    queries.push({ subject: 'user', cohort: 'week', from: at(now - 60 * day), to: at(now - 10 * day) });
    queries.push({ subject: 'account', segment: 'plan', from: at(now - 200 * day), to: at(now - 100 * day) });
    for (const query of queries) {
      const { status, body } = await h.adminJson(`/reports/time-to-value?${new URLSearchParams(query)}`);
      expect(status, JSON.stringify(body)).toBe(200);
      const { milestone: _, subject: __, ...report } = body;
      expect(report, JSON.stringify(query)).toEqual(await fromScratch(query));
    }
    // The population has what the comparison is about: groups of every kind, medians between ranks.
    const { body } = await h.adminJson('/reports/time-to-value?segment=plan&cohort=week');
    expect(body.segments.length).toBeGreaterThan(8);
    expect(body.cohorts.length).toBeGreaterThan(12);
    expect(body.overall.reached).toBeGreaterThan(30);
    expect(body.overall.neverReached).toBeGreaterThan(5);
  });
});
