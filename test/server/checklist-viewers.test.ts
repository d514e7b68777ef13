import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

/**
 * The checklist funnel reads checklist_viewers, kept by triggers (migration 0010). Whatever arrives
 * (events out of order and retried, users moving between accounts, a milestone's rule changed and
 * its progress recomputed), each stored row equals the row computed from scratch, and the funnel
 * equals the one computed in this file from the widget's events and the goals reached.
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false });
});
afterEach(async () => {
  await h.close();
});

const day = 86_400_000;
const t0 = Date.parse('2026-10-01T00:00:00.000Z');
const at = (days: number) => new Date(t0 + days * day).toISOString();

const items = [
  { id: 'customer', title: 'Add a customer', completion: { kind: 'event', event: 'Customer Created' } },
  { id: 'invoice', title: 'Send an invoice', completion: { kind: 'milestone', milestone: 'invoice_sent' } },
  { id: 'guide', title: 'Read the guide', completion: { kind: 'manual' }, required: false },
  {
    id: 'team',
    title: 'Invite a teammate',
    completion: { kind: 'event', event: 'Teammate Invited', count: 2 },
  },
];

async function publish(scope: 'user' | 'account'): Promise<string> {
  const created = await h.adminJson('/checklists', 'POST', {
    name: `Onboarding (${scope})`,
    content: { title: 'Get started', scope, items },
  });
  expect(created.status).toBe(201);
  expect((await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST')).status).toBe(201);
  return created.body.id as string;
}

/** A deterministic history: 12 users in 3 accounts (some move), two checklists, every kind of event. */
function history(seed: number, count: number, checklists: readonly string[]) {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const userId = `u${Math.floor(rand() * 12)}`;
    const messageId = `m${seed}-${i}`;
    // Any time in 30 days: batches arrive out of time order.
    const timestamp = at(rand() * 30);
    const ref = { contentId: pick(checklists), version: 1 };
    switch (
      pick(['group', 'shown', 'shown', 'dismissed', 'checked', 'product', 'product', 'product'] as const)
    ) {
      case 'group':
        return { type: 'group', messageId, userId, groupId: `acc${Math.floor(rand() * 3)}`, timestamp };
      case 'shown':
        return {
          type: 'track',
          messageId,
          userId,
          event: '$waymark.checklist_shown',
          properties: ref,
          timestamp,
        };
      case 'dismissed':
        return {
          type: 'track',
          messageId,
          userId,
          event: '$waymark.checklist_dismissed',
          properties: ref,
          timestamp,
        };
      case 'checked':
        return {
          type: 'track',
          messageId,
          userId,
          event: '$waymark.checklist_item_checked',
          properties: { ...ref, itemId: 'guide' },
          timestamp,
        };
      default:
        return {
          type: 'track',
          messageId,
          userId,
          event: pick(['Customer Created', 'Invoice Sent', 'Invoice Sent', 'Teammate Invited']),
          properties: {},
          timestamp,
        };
    }
  });
}

async function post(batch: unknown[]) {
  const res = await h.post({ batch });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.rejected ?? [], JSON.stringify(body.rejected?.slice(0, 2))).toEqual([]);
}

/** The funnel as it is defined (README, "Checklists"), from content_users, users and goal_progress. */
async function funnelFromScratch(checklistId: string, scope: 'user' | 'account') {
  const rows = <T>(query: ReturnType<typeof sql>) => h.db.read.all<T>(query);
  const viewers = await rows<{ user: string; shownAt: number; account: string | null }>(sql`
    SELECT c.subject_id AS user, c.first_at AS shownAt, u.account_id AS account FROM content_users c
    LEFT JOIN users u ON u.workspace_id = c.workspace_id AND u.id = c.subject_id
    WHERE c.content_id = ${checklistId} AND c.version = 1 AND c.name = '$waymark.checklist_shown'
      AND c.step_id = '' AND c.anonymous = 0`);
  const [milestone] = await rows<{ id: string }>(sql`SELECT id FROM milestones WHERE key = 'invoice_sent'`);
  const goals = items.map((item) =>
    item.completion.kind === 'milestone' ? `milestone:${milestone?.id}` : `item:${checklistId}:${item.id}`,
  );
  const progress = await rows<{ goal: string; subject: string; subjectId: string; reachedAt: number }>(
    sql`SELECT goal, subject, subject_id AS subjectId, reached_at AS reachedAt FROM goal_progress`,
  );
  const reached = new Map(progress.map((p) => [`${p.goal}|${p.subject}|${p.subjectId}`, p.reachedAt]));
  const [dismissed] = await rows<{ n: number }>(sql`SELECT count(*) AS n FROM content_users
    WHERE content_id = ${checklistId} AND version = 1 AND name = '$waymark.checklist_dismissed'
      AND step_id = '' AND anonymous = 0`);
  const counts = items.map(() => 0);
  let started = 0;
  const took: number[] = [];
  for (const viewer of viewers) {
    const [subject, id] =
      scope === 'account' && viewer.account !== null ? ['account', viewer.account] : ['user', viewer.user];
    const times = goals.map((goal) => reached.get(`${goal}|${subject}|${id}`) ?? null);
    times.forEach((time, i) => {
      if (time !== null) counts[i] = (counts[i] ?? 0) + 1;
    });
    if (times.some((time) => time !== null)) started++;
    const required = times.filter((_, i) => items[i]?.required !== false);
    if (required.every((time) => time !== null))
      took.push(Math.max(0, Math.max(...(required as number[])) - viewer.shownAt));
  }
  took.sort((a, b) => a - b);
  const middle = (took.length - 1) / 2;
  const median =
    took.length === 0
      ? null
      : (took[Math.floor(middle)] as number) +
        ((took[Math.ceil(middle)] as number) - (took[Math.floor(middle)] as number)) * (middle % 1);
  return {
    shown: viewers.length,
    started,
    items: items.map((item, i) => ({ id: item.id, completed: counts[i] })),
    completed: took.length,
    dismissed: dismissed?.n ?? 0,
    medianDaysToComplete: median === null ? null : Math.round((median / day) * 100) / 100,
  };
}

async function expectExact(checklists: ReadonlyArray<readonly [string, 'user' | 'account']>) {
  const stored = await h.db.read.all(sql`SELECT * FROM checklist_viewers ORDER BY 1, 2, 3, 4`);
  const computed = await h.db.read.all(sql`SELECT * FROM checklist_viewer_state ORDER BY 1, 2, 3, 4`);
  expect(stored).toEqual(computed);
  // The funnel's counts (migration 0016) equal the viewers counted from scratch.
  const counts = await h.db.read.all(sql`SELECT checklist_id, version, item, users FROM checklist_counts
    WHERE users <> 0 ORDER BY 1, 2, 3`);
  const counted = await h.db.read.all(sql`
    SELECT checklist_id, version, item, count(*) AS users FROM (
      SELECT checklist_id, version, -1 AS item FROM checklist_viewer_state
      UNION ALL SELECT checklist_id, version, -2 FROM checklist_viewer_state WHERE done <> 0
      UNION ALL SELECT checklist_id, version, -3 FROM checklist_viewer_state WHERE took IS NOT NULL
      UNION ALL SELECT s.checklist_id, s.version, b.value FROM checklist_viewer_state AS s,
        json_each('[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]') AS b WHERE (s.done >> b.value) & 1)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  expect(counts).toEqual(counted);
  for (const [id, scope] of checklists) {
    const { body } = await h.adminJson(`/checklists/${id}/funnel?version=1`);
    expect(body.funnels[0], scope).toMatchObject(await funnelFromScratch(id, scope));
  }
  return stored.length;
}

describe('checklist viewers', () => {
  it('stay exact through late, retried events, account moves and a milestone recomputed', async () => {
    const milestone = await h.adminJson('/milestones', 'POST', {
      key: 'invoice_sent',
      name: 'Sent an invoice',
      rule: { event: 'Invoice Sent' },
    });
    const checklists = [
      [await publish('account'), 'account'],
      [await publish('user'), 'user'],
    ] as const;
    const ids = checklists.map(([id]) => id);

    // Small batches, each checked: a row a trigger missed would be caught before a later one fixes it.
    const first = history(1, 300, ids);
    for (let i = 0; i < first.length; i += 30) {
      await post(first.slice(i, i + 30));
      await expectExact(checklists);
    }
    // Everything again (a retry after a lost answer), then an older history.
    await post(first);
    await post(history(2, 300, ids));
    expect(await expectExact(checklists)).toBeGreaterThan(12);

    // Users move to another account (or into one), with no other event: their rows follow.
    const [mover] = await h.db.read.all<{ user_id: string; account_id: string | null }>(sql`
      SELECT w.user_id, u.account_id FROM checklist_viewers w JOIN users u ON u.id = w.user_id
      WHERE w.checklist_id = ${ids[0]} ORDER BY w.done LIMIT 1`);
    for (const groupId of ['acc-new', 'acc0', 'acc1', 'acc2']) {
      await post([{ type: 'group', messageId: `move-${groupId}`, userId: mover?.user_id, groupId }]);
      await expectExact(checklists);
    }

    // Shown a version before it is published (the widget's event names it; the server keeps it).
    await post([
      {
        type: 'track',
        messageId: 'early',
        userId: 'u1',
        event: '$waymark.checklist_shown',
        properties: { contentId: ids[1], version: 2 },
        timestamp: at(12),
      },
    ]);
    const next = { name: 'Onboarding (user)', content: { title: 'Get going', scope: 'user', items } };
    expect((await h.adminJson(`/checklists/${ids[1]}`, 'PUT', next)).status).toBe(200);
    expect((await h.adminJson(`/checklists/${ids[1]}/publish`, 'POST')).status).toBe(201);
    const [early] = await h.db.read.all(sql`SELECT user_id FROM checklist_viewers WHERE version = 2`);
    expect(early).toEqual({ user_id: 'u1' });
    await expectExact(checklists);

    // The milestone's rule changes: its progress is cleared and recomputed from the events, first to
    // one nobody has reached, then back.
    for (const rule of [{ event: 'Invoice Paid' }, { event: 'Invoice Sent', count: 3 }]) {
      const changed = await h.adminJson(`/milestones/${milestone.body.id}`, 'PUT', {
        key: 'invoice_sent',
        name: 'Sent an invoice',
        rule,
      });
      expect(changed.status).toBe(200);
      await expectExact(checklists);
    }
    const [completed] = await h.db.read.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM checklist_viewers WHERE took IS NOT NULL`,
    );
    expect(completed?.n).toBeGreaterThan(0);

    // Once no live checklist uses it, the milestone may be renamed (the versions shown lose the
    // item's progress), deleted, and added again under its old key (they find the new one's).
    for (const [id] of checklists)
      expect((await h.adminJson(`/checklists/${id}/archive`, 'POST')).status).toBe(200);
    const definition = { name: 'Sent an invoice', rule: { event: 'Invoice Sent', count: 3 } };
    const renamed = await h.adminJson(`/milestones/${milestone.body.id}`, 'PUT', {
      key: 'invoiced',
      ...definition,
    });
    expect(renamed.status).toBe(200);
    await expectExact(checklists);
    expect((await h.adminJson(`/milestones/${milestone.body.id}`, 'DELETE')).status).toBe(204);
    await expectExact(checklists);
    expect((await h.adminJson('/milestones', 'POST', { key: 'invoice_sent', ...definition })).status).toBe(
      201,
    );
    await expectExact(checklists);
  });
});
