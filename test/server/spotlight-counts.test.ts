import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

/**
 * The spotlight funnel's counts (`content_counts`, migration 0013, kept by triggers on
 * content_users) against computations from scratch: the table against the same aggregate of
 * content_users, and the funnel against one computed in JavaScript from the stored events. Through
 * duplicates, retried batches, late events (a completion stored before its display), anonymous
 * visitors and displays under a step.
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false });
});
afterEach(async () => {
  await h.close();
});

const hour = 3_600_000;
const step = (id: string) => ({ id, kind: 'tooltip', title: `Step ${id}`, anchor: { selector: `#${id}` } });
const names = ['shown', 'step_viewed', 'completed', 'dismissed'] as const;

async function published(steps: string[]) {
  const created = await h.adminJson('/spotlights', 'POST', {
    name: 'Tour',
    content: { steps: steps.map(step) },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await h.adminJson(`/spotlights/${created.body.id}/publish`, 'POST');
  return created.body.id as string;
}

function history(seed: number, count: number, tours: string[]) {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const who =
      rand() < 0.1
        ? { anonymousId: `a${Math.floor(rand() * 4)}` }
        : { userId: `u${Math.floor(rand() * 25)}` };
    const name = pick(names);
    const stepId = pick(['a', 'b', 'c']);
    // Displays mostly without a step, as the widget sends them; now and then under one.
    const withStep = name !== 'shown' || rand() < 0.1;
    return {
      type: 'track',
      messageId: `m${seed}-${i}`,
      ...who,
      event: `$waymark.spotlight_${name}`,
      properties: { contentId: pick(tours), version: 1, ...(withStep && { stepId }) },
      timestamp: new Date(h.clock.now - Math.floor(rand() * 200) * hour - i).toISOString(),
    };
  });
}

/** Sent as a flaky client would (duplicates in a batch, retried batches): see the harness. */
const ingest = (events: unknown[], size = 23) => h.ingestLikeAClient(events, size);

const rows = (query: ReturnType<typeof sql>) =>
  h.db.read.all<Record<string, unknown>>(query).then((list) => list.map((row) => JSON.stringify(row)).sort());

/** The funnel as defined (README, "Spotlights and tours"), from the stored events. */
async function funnelFromScratch(tour: string) {
  const events = await h.db.read.all<{ name: string; user_id: string | null; properties: string }>(
    sql`SELECT name, user_id, properties FROM events WHERE type = 'track' AND name LIKE '$waymark.spotlight_%'`,
  );
  const groups = new Map<string, Set<string>>();
  for (const e of events) {
    const p = JSON.parse(e.properties) as { contentId: string; version: number; stepId?: string };
    if (e.user_id === null || p.contentId !== tour || p.version !== 1) continue;
    const key = `${e.name}|${p.stepId ?? ''}`;
    groups.set(key, (groups.get(key) ?? new Set()).add(e.user_id));
  }
  const shownTo = new Set(
    [...groups].flatMap(([key, users]) => (key.startsWith('$waymark.spotlight_shown|') ? [...users] : [])),
  );
  const counted = [...groups]
    .map(([key, users]) => {
      const [name = '', stepId = ''] = key.split('|');
      const n = name.endsWith('_completed') ? [...users].filter((u) => shownTo.has(u)).length : users.size;
      return { name, stepId, n };
    })
    .filter((row) => row.n > 0)
    .sort((x, y) => (x.name + x.stepId < y.name + y.stepId ? -1 : 1));
  const first = (name: string, stepId?: string) =>
    counted.find(
      (r) => r.name === `$waymark.spotlight_${name}` && (stepId === undefined || r.stepId === stepId),
    )?.n ?? 0;
  const shown = first('shown');
  return {
    shown,
    steps: ['a', 'b', 'c'].map((id) => ({
      id,
      viewed: first('step_viewed', id),
      dismissedHere: first('dismissed', id),
    })),
    completed: first('completed'),
    dismissed: counted
      .filter((r) => r.name === '$waymark.spotlight_dismissed')
      .reduce((sum, r) => sum + r.n, 0),
    completionRate: shown === 0 ? null : Math.round((first('completed') / shown) * 10_000) / 10_000,
  };
}

async function expectFromScratch(tours: string[]) {
  expect(
    await rows(sql`SELECT content_id, version, name, step_id, users, shown FROM content_counts`),
  ).toEqual(
    await rows(sql`
      SELECT c.content_id, c.version, c.name, c.step_id, count(*) AS users,
        sum(EXISTS (SELECT 1 FROM content_users s WHERE s.content_id = c.content_id AND s.version = c.version
          AND s.subject_id = c.subject_id AND s.anonymous = 0 AND s.name = '$waymark.spotlight_shown')) AS shown
      FROM content_users c WHERE c.anonymous = 0 AND c.name LIKE '$waymark.spotlight_%'
        AND c.name <> '$waymark.spotlight_target_not_found'
      GROUP BY 1, 2, 3, 4`),
  );
  for (const tour of tours) {
    const { status, body } = await h.adminJson(`/spotlights/${tour}/funnel`);
    expect(status).toBe(200);
    expect(body.funnels[0]).toMatchObject(await funnelFromScratch(tour));
  }
}

describe('spotlight funnel counts', () => {
  it('equal the stored events through duplicates, retries and late displays', async () => {
    const tours = [await published(['a', 'b', 'c']), await published(['a', 'b', 'c'])];
    await ingest(history(1, 400, tours));
    // Older events arriving after newer ones, completions before their displays among them.
    await ingest(history(2, 250, tours).reverse(), 7);
    const funnel = await funnelFromScratch(tours[0]!);
    expect(funnel.shown).toBeGreaterThan(5);
    expect(funnel.completed).toBeGreaterThan(0);
    await expectFromScratch(tours);
  });
});
