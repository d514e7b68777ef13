import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReadPool } from '../../server/db/read-pool.ts';
import { milestones, workspaces } from '../../server/db/schema.ts';
import { createLogger } from '../../server/logger.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false });
});
afterEach(async () => {
  await h.close();
});

// A query that keeps SQLite busy for a while: a recursive count, no table needed.
const busy = sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)
  SELECT count(*) AS c FROM n`;

/** The longest gap between ticks of a 5 ms timer while `work` runs: how long the event loop was held. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

describe('the report pool', () => {
  it('answers as the main connection does: typed rows, JSON columns, raw rows by column name', async () => {
    await h.adminJson('/milestones', 'POST', { key: 'sent', name: 'Sent', rule: { event: 'Sent' } });
    const main = await h.db.read.select().from(milestones);
    const pooled = await h.db.reports.select().from(milestones);
    expect(pooled).toEqual(main);
    expect(pooled[0]?.rule).toEqual({ event: 'Sent', where: [], count: 1 });
    const [one] = await h.db.reports.select({ id: workspaces.id }).from(workspaces).limit(1);
    expect(one).toEqual({ id: 'ws1' });
    const raw = await h.db.reports.all<{ n: number; s: string }>(sql`SELECT 41 + 1 AS n, 'x' AS s`);
    expect(raw[0]?.n).toBe(42);
    expect(raw[0]?.s).toBe('x');
    expect(await h.db.reports.select().from(milestones).where(sql`0`).get()).toBeUndefined();
  });

  it('passes errors on', async () => {
    await expect(h.db.reports.all(sql`SELECT * FROM no_such_table`)).rejects.toThrow(/no_such_table/);
  });

  it('keeps the event loop free while a long report runs, where the main connection holds it', async () => {
    await h.db.reports.all(sql`SELECT 1`); // the worker is started
    const onMain = await longestStall(() => h.db.read.all(busy));
    const inPool = await longestStall(() => h.db.reports.all(busy));
    // Ratios in one run (the machine is shared): the main thread is held for the whole query there.
    expect(onMain).toBeGreaterThan(5 * inPool);
  });
});

describe('closing the report pool', () => {
  it('lets a report in flight finish, then ends its workers by themselves', async () => {
    // Ending a worker thread from outside while it holds a SQLite connection can crash the process;
    // closing waits for the worker to close its connection and exit instead.
    const pool = new ReadPool({ url: `file:${join(h.dir, 'test.db')}`, logger: createLogger('silent') });
    await pool.db.all(sql`SELECT 1`);
    const inFlight = Promise.resolve(pool.db.all<{ c: number }>(busy)); // drizzle starts it on then()
    await new Promise((resolve) => setTimeout(resolve, 20)); // posted to the worker
    await pool.close();
    expect((await inFlight)[0]?.c).toBe(3_000_000);
    await expect(pool.db.all(sql`SELECT 1`)).rejects.toMatchObject({
      cause: { message: 'the read pool is closed' },
    });
  });
});
