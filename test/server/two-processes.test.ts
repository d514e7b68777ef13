import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { createWorkspace } from '../../server/workspaces/store.ts';
import { startServer, stop } from './processes.ts';

// Two server processes write into ONE database file under concurrent load, and clients retry
// batches against the other process (as a load balancer would send them). Every message a server
// acknowledged must be in the file exactly once after both processes are gone.
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function scenario(busyTimeoutMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-two-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const url = `file:${join(dir, 'shared.db')}`;
  const db = await openDatabase({ url, logger: createLogger('silent') });
  const key = (await createWorkspace(db, { id: 'ws', name: 'Two' }, Date.now())).publishableKey;
  await db.close();
  const env = { DATABASE_URL: url, DATABASE_BUSY_TIMEOUT_MS: String(busyTimeoutMs) };
  const servers = await Promise.all([startServer(env), startServer(env)]);
  cleanups.unshift(() => Promise.all(servers.map((s) => stop(s.process))).then(() => undefined));

  const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const batches = Array.from({ length: 240 }, (_, b) =>
    Array.from({ length: 20 }, (_, i) => ({
      type: i === 0 ? 'identify' : 'track',
      event: 'Invoice Sent',
      userId: `u${(b * 7 + i) % 50}`,
      messageId: `b${b}-m${i}`,
      traits: { batch: b },
      properties: { i },
    })),
  );
  const acknowledged = new Set<string>();
  let accepted = 0;
  let unavailable = 0;
  // A client as the widget behaves: a 503 (storage busy, nothing written) is retried.
  const send = async (target: string, batch: (typeof batches)[number]) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const res = await fetch(`${target}/v1/batch`, {
        method: 'POST',
        headers: { authorization: auth },
        body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
      });
      if (res.status === 503) {
        unavailable++;
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
        continue;
      }
      expect(res.status).toBe(200);
      const body = (await res.json()) as { accepted: number; duplicates: number };
      expect(body.accepted + body.duplicates).toBe(batch.length);
      accepted += body.accepted;
      for (const m of batch) acknowledged.add(m.messageId);
      return;
    }
  };

  // 8 concurrent clients; each batch goes to one process, and every third is retried on the other.
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const n = next++;
      const batch = batches[n]!;
      const [first, second] = n % 2 === 0 ? servers : [servers[1], servers[0]];
      await send(first!.url, batch);
      if (n % 3 === 0) await send(second!.url, batch);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const health = await Promise.all(servers.map((s) => fetch(`${s.url}/health`).then((r) => r.json())));
  const busyReplacements = health.reduce(
    (sum, h: { busyReplacements: number }) => sum + h.busyReplacements,
    0,
  );
  await Promise.all(servers.map((s) => stop(s.process)));

  const check = await openDatabase({ url, logger: createLogger('silent') });
  const rows = await check.read.all<{ message_id: string }>(sql`SELECT message_id FROM events`);
  await check.close();
  return { stored: rows.map((r) => r.message_id), acknowledged, accepted, unavailable, busyReplacements };
}

it('stores every acknowledged message exactly once with two server processes on one file', async () => {
  const { stored, acknowledged, accepted } = await scenario(5000);
  expect(acknowledged.size).toBe(240 * 20);
  expect(new Set(stored).size).toBe(stored.length);
  expect(stored.filter((id) => acknowledged.has(id))).toHaveLength(acknowledged.size);
  // Exactly-once accounting across processes: the acceptances reported add up to the rows stored.
  expect(accepted).toBe(stored.length);
}, 120_000);

it('loses nothing acknowledged when the processes keep meeting SQLITE_BUSY (1 ms busy timeout)', async () => {
  const { stored, acknowledged, accepted, unavailable, busyReplacements } = await scenario(1);
  // The scenario really met BUSY: connections were replaced.
  expect(busyReplacements).toBeGreaterThan(0);
  expect(acknowledged.size).toBe(240 * 20);
  expect(stored.filter((id) => acknowledged.has(id))).toHaveLength(acknowledged.size);
  expect(accepted).toBe(stored.length);
  // Informational: how often a process gave up and answered 503 (then the client retried).
  console.log(`connections replaced after BUSY: ${busyReplacements}; 503 answers: ${unavailable}`);
}, 120_000);
