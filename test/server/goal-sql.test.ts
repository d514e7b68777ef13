import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateGoal } from '../../server/goals/compile.ts';
import { compare, matchesUrl } from '../../shared/conditions.ts';
import { type Comparison, urlRule } from '../../shared/schemas/condition.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * The server evaluates event filters and URL rules in SQL; the widget and audiences evaluate them in
 * JavaScript (shared/conditions.ts). Both must agree: every comparison on every value, both ways.
 */
let h: Harness;
const now = Date.parse('2026-11-23T12:00:00.000Z');
const values: unknown[] = [
  'pro',
  'Pro team',
  '42',
  42,
  42.5,
  0,
  true,
  false,
  null,
  ['alpha', 'pro'],
  '2026-01-15T00:00:00Z',
  Date.parse('2026-03-01T00:00:00Z'),
  'not a date',
  { nested: 1 },
];
const comparisons: Comparison[] = [
  { op: 'equals', value: 'pro' },
  { op: 'equals', value: 42 },
  { op: 'equals', value: '42' },
  { op: 'equals', value: true },
  { op: 'notEquals', value: 'pro' },
  { op: 'contains', value: 'PRO' },
  { op: 'gt', value: 41 },
  { op: 'lt', value: 1 },
  { op: 'before', value: '2026-02-01T00:00:00Z' },
  { op: 'after', value: { daysAgo: 365 } },
  { op: 'exists' },
  { op: 'notExists' },
  { op: 'in', value: ['pro', 42] },
  { op: 'notIn', value: ['pro', 42] },
];

beforeAll(async () => {
  h = await createHarness();
  // One user per value, and a user whose event lacks the property.
  const batch = [...values, undefined].map((value, i) => ({
    type: 'track',
    event: 'Probe',
    userId: `v${i}`,
    messageId: `probe-${i}`,
    properties: value === undefined ? {} : { p: value },
  }));
  expect((await h.post({ batch })).status).toBe(200);
});
afterAll(async () => {
  await h.close();
});

async function reachedBy(goalId: string, statement: ReturnType<typeof evaluateGoal>) {
  await h.db.writer.batch([statement]);
  const rows = await h.db.read.all<{ subject_id: string }>(
    sql`SELECT subject_id FROM goal_progress WHERE goal = ${goalId} AND subject = 'user'`,
  );
  return new Set(rows.map((r) => r.subject_id));
}

describe('SQL filters agree with shared/conditions.ts', () => {
  it.each(comparisons.map((c, i) => [i, c] as const))('comparison %i: %j', async (i, comparison) => {
    const goal = {
      id: `probe:${i}`,
      workspaceId: 'ws1',
      on: { type: 'track' as const, event: 'Probe', where: [{ property: 'p', ...comparison }] },
      count: 1,
    };
    const reached = await reachedBy(goal.id, evaluateGoal(goal, 'user', 'all', now));
    const expected = [...values, undefined].flatMap((value, v) =>
      compare(value, comparison, now) ? [`v${v}`] : [],
    );
    expect([...reached].sort()).toEqual(expected.sort());
  });
});

describe('SQL URL rules agree with shared/conditions.ts', () => {
  const paths = ['/', '/invoices', '/invoices/', '/invoices/inv_1', '/invoices/inv_1/edit', '/settings/bank'];
  beforeAll(async () => {
    const batch = paths.map((path, i) => ({
      type: 'page',
      userId: `p${i}`,
      messageId: `page-${i}`,
      context: { page: { path, search: i === 1 ? '?status=draft' : '' } },
    }));
    expect((await h.post({ batch })).status).toBe(200);
  });
  it.each([
    ['exact', '/invoices', false],
    ['exact', '/', false],
    ['prefix', '/invoices/', false],
    ['glob', '/invoices/*', false],
    ['glob', '/invoices/**', false],
    ['exact', '/invoices?status=draft', true],
  ] as const)('%s %s (with query: %s)', async (match, pattern, withQuery) => {
    const rule = urlRule.parse({ match, pattern, withQuery });
    const goal = {
      id: `url:${match}:${pattern}`,
      workspaceId: 'ws1',
      on: { type: 'page' as const, url: rule },
      count: 1,
    };
    const reached = await reachedBy(goal.id, evaluateGoal(goal, 'user', 'all', now));
    const expected = paths.flatMap((path, i) =>
      matchesUrl(rule, path, i === 1 ? '?status=draft' : '') ? [`p${i}`] : [],
    );
    expect([...reached].sort()).toEqual(expected.sort());
  });
});
