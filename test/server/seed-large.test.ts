import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { runSeedLarge, type SeedLargeDeps } from '../../server/seed-large.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'waymark-seed-large-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = ['--accounts', '12', '--users', '60', '--events', '2000', '--now', '2026-12-01T00:00:00Z'];

/** Runs the command on the database file `name`; answers its exit code, what it printed, and the database. */
async function run(name: string, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const databases: Database[] = [];
  const deps: SeedLargeDeps = {
    openDb: async (url) => {
      const db = await openDatabase({ url, logger: createLogger('silent') });
      databases.push(db);
      return db;
    },
    defaultDb: `file:${join(dir, name)}`,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    now: () => Date.parse('2026-12-05T00:00:00Z'),
    serverUrl: 'http://localhost:8787',
  };
  const code = await runSeedLarge(args, deps);
  return { code, out: out.join('\n'), err: err.join('\n'), opened: databases.length };
}

/** The workspace's events as a digest of their ids, kinds, people and times, and their count. */
async function digest(name: string, workspace = 'synthetic') {
  const db = await openDatabase({ url: `file:${join(dir, name)}`, logger: createLogger('silent') });
  try {
    const rows = await db.read.all<Record<string, unknown>>(
      sql`SELECT message_id, type, name, user_id, account_id, timestamp FROM events
        WHERE workspace_id = ${workspace} ORDER BY message_id`,
    );
    const accounts = await db.read.all<{ traits: string }>(
      sql`SELECT traits FROM accounts WHERE workspace_id = ${workspace}`,
    );
    return {
      count: rows.length,
      digest: createHash('sha256').update(JSON.stringify(rows)).digest('hex'),
      accounts: accounts.map((a) => JSON.parse(a.traits) as Record<string, unknown>),
    };
  } finally {
    await db.close();
  }
}

describe('npm run seed:large', () => {
  it('writes the same history for the same seed, another for another seed', async () => {
    const first = await run('a.db', [...small, '--seed', '7']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Stored [\d,]+ events \(0 duplicates\) in [\d.]+ s: [\d,]+ events\/s/);
    expect(first.out).toMatch(/secret key: +sk_\w+/);
    expect((await run('b.db', [...small, '--seed', '7'])).code).toBe(0);
    expect((await run('c.db', [...small, '--seed', '8'])).code).toBe(0);

    const [a, b, c] = await Promise.all([digest('a.db'), digest('b.db'), digest('c.db')]);
    expect(a.count).toBeGreaterThan(2000);
    expect(b).toEqual(a);
    expect(c.digest).not.toBe(a.digest);
    // What health scores will read: the traits CS and billing tools send, on every account.
    expect(a.accounts).toHaveLength(12);
    for (const traits of a.accounts) {
      expect(Object.keys(traits)).toEqual(
        expect.arrayContaining(['plan', 'arr', 'seats', 'renewalDate', 'openTickets', 'paymentStatus']),
      );
    }
  }, 120_000);

  it('refuses a workspace id that is taken, and bad numbers, naming the option', async () => {
    expect((await run('e.db', [...small, '--events', '0'])).code).toBe(0);
    const again = await run('e.db', small);
    expect(again).toMatchObject({ code: 1, err: expect.stringContaining('"synthetic" exists already') });
    const bad = await run('d.db', ['--accounts', 'many']);
    expect(bad).toMatchObject({
      code: 2,
      opened: 0,
      err: expect.stringContaining('--accounts: must be a whole number'),
    });
    const few = await run('d.db', ['--accounts', '10', '--users', '5']);
    expect(few).toMatchObject({
      code: 2,
      opened: 0,
      err: expect.stringContaining('--users: must be at least'),
    });
    const when = await run('d.db', ['--now', 'yesterday']);
    expect(when).toMatchObject({
      code: 2,
      opened: 0,
      err: expect.stringContaining('--now: must be an ISO 8601'),
    });
    const unknown = await run('d.db', ['--acounts', '10']);
    expect(unknown).toMatchObject({
      code: 2,
      opened: 0,
      err: expect.stringContaining("Unknown option '--acounts'"),
    });
  }, 60_000);
});
