import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../server/db/group-commit.ts';
import { isBusy, StorageBusyError, Writer } from '../../server/db/writer.ts';
import { createLogger } from '../../server/logger.ts';

let dir: string;
let url: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'waymark-writer-'));
  url = `file:${join(dir, 'w.db')}`;
  const setup = createClient({ url });
  await setup.execute('PRAGMA journal_mode = WAL');
  await setup.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  setup.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const count = async () => {
  const fresh = createClient({ url });
  const { rows } = await fresh.execute('SELECT count(*) AS n FROM t');
  fresh.close();
  return Number(rows[0]?.n);
};

it('replaces a connection that met SQLITE_BUSY, and every write it acknowledged after that is committed', async () => {
  // Another "process" holds the write lock for a while.
  const other = createClient({ url });
  const lock = await other.transaction('write');
  await lock.execute("INSERT INTO t (v) VALUES ('other')");

  const writer = new Writer(() => createClient({ url, timeout: 20 }), createLogger('silent'), 6);
  const first = writer.batch([{ sql: 'INSERT INTO t (v) VALUES (?)', args: ['first'] }]);
  setTimeout(() => void lock.commit().then(() => other.close()), 150);
  await first;
  expect(writer.replacements).toBeGreaterThan(0);

  // The trap: on the old connection these would "succeed" and vanish when it closed.
  for (let i = 0; i < 3; i++)
    await writer.batch([{ sql: 'INSERT INTO t (v) VALUES (?)', args: [`after-${i}`] }]);
  await writer.close();
  expect(await count()).toBe(5);
});

it('gives up with StorageBusyError, having written nothing, when the lock is never released', async () => {
  const other = createClient({ url });
  const lock = await other.transaction('write');
  const writer = new Writer(() => createClient({ url, timeout: 10 }), createLogger('silent'), 2);
  await expect(writer.batch([{ sql: "INSERT INTO t (v) VALUES ('x')", args: [] }])).rejects.toBeInstanceOf(
    StorageBusyError,
  );
  await lock.rollback();
  other.close();
  await writer.close();
  expect(await count()).toBe(0);
});

it('runs batches one at a time, in submission order', async () => {
  const writer = new Writer(() => createClient({ url }), createLogger('silent'));
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      writer.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [i + 1, `v${i}`] }]),
    ),
  );
  const fresh = createClient({ url });
  const { rows } = await fresh.execute('SELECT id FROM t ORDER BY rowid');
  fresh.close();
  await writer.close();
  expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
});

it('recognises BUSY errors by code and by message', () => {
  expect(isBusy(Object.assign(new Error('x'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true);
  expect(isBusy(new Error('SQLITE_BUSY: database is locked'))).toBe(true);
  expect(isBusy(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT' }))).toBe(
    false,
  );
});

it('group commit: submissions made during a commit share the next one, each answered with its own result', async () => {
  const commits: number[][] = [];
  const group = new GroupCommit<number, string>(async (items) => {
    commits.push(items);
    await new Promise((r) => setTimeout(r, 10));
    return items.map((i) => `done-${i}`);
  });
  const first = group.submit(1);
  const rest = [2, 3, 4].map((i) => group.submit(i));
  expect(await Promise.all([first, ...rest])).toEqual(['done-1', 'done-2', 'done-3', 'done-4']);
  expect(commits).toEqual([[1], [2, 3, 4]]);
});

it('group commit: one failing item does not fail the others committed with it', async () => {
  const group = new GroupCommit<number, number>(async (items) => {
    if (items.includes(3)) throw new Error('bad item 3');
    return items.map((i) => i * 10);
  });
  const first = group.submit(1);
  const results = await Promise.allSettled([first, group.submit(2), group.submit(3), group.submit(4)]);
  expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
    10,
    20,
    'bad item 3',
    40,
  ]);
});

describe('group commit: a failing group is bisected', () => {
  /** A commit that fails whenever its group holds a bad item, recording every group it is given. */
  function recording(bad: (item: number) => boolean) {
    const calls: number[][] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const group = new GroupCommit<number, number>(async (items) => {
      calls.push(items);
      if (items.includes(-1)) await gate;
      if (items.some(bad)) throw new Error('bad item');
      return items.map((i) => i * 10);
    });
    return { group, calls, open };
  }

  it('finds one failing item among 64 in 13 commits (1 + 2 x log2 64) and stores the 63 others', async () => {
    const { group, calls, open } = recording((i) => i === 37);
    // The first submission holds the commit open while the 64 others queue up: they form one group.
    const held = group.submit(-1);
    const submitted = Array.from({ length: 64 }, (_, i) => group.submit(i));
    open();
    await held;
    const results = await Promise.allSettled(submitted);
    expect(calls.length - 1).toBe(13);
    expect(calls[1]).toHaveLength(64);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results[37]).toEqual({ status: 'rejected', reason: new Error('bad item') });
    expect(results[36]).toEqual({ status: 'fulfilled', value: 360 });
    expect(results[63]).toEqual({ status: 'fulfilled', value: 630 });
  });

  it('fails a whole group at once on an error that says nothing about its items', async () => {
    const calls: number[][] = [];
    const group = new GroupCommit<number, number>(
      async (items) => {
        calls.push(items);
        throw new Error('database busy');
      },
      { splits: () => false },
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => group.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    // [1] alone (the drain starts on the first submission), then [2, 3, 4] once, not split.
    expect(calls).toEqual([[1], [2, 3, 4]]);
  });
});
