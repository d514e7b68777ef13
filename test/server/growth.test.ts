import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreFeatureService } from '../../server/adoption/core-features.ts';
import { createApp, type WaymarkApp } from '../../server/app.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { HealthModelStore } from '../../server/health/model-store.ts';
import { dayOf, runHealthDay } from '../../server/health/run.ts';
import { createLogger } from '../../server/logger.ts';
import { addDemoCoreFeatures } from '../../server/seed/demo-health.ts';
import { runSeedLarge } from '../../server/seed-large.ts';
import { rotateKey } from '../../server/workspaces/api-keys.ts';
import { currentPublishableKey } from '../../server/workspaces/store.ts';
import { type ConsoleCall, consoleCalls, consoleIds, pageViewBodies } from '../bench/console.ts';

/**
 * Growth: the cost of every console read and of a page view must not grow with the data. Two
 * databases from the same generator as `npm run seed:large` (server/seed/synthetic.ts), the large one
 * five times the small one in accounts, users and events, are built in this run; each endpoint's
 * median time at the large size is compared with the small size's, in the same process, calls of the
 * two sizes interleaved so that other work on the machine weighs on both alike. A bounded answer read
 * by index or from a rollup stays about flat; a scan of the events or of every user grows about 5x.
 * Ratios in one run, never absolute times: the test holds on a slow or busy machine.
 */

const logger = createLogger('silent');
const now = Date.parse('2026-12-01T00:00:00Z');
const day = 86_400_000;
const workspaceId = 'synthetic';

/** The data grows 5x; an endpoint fails when its median grows more than this. */
const maxGrowth = 2.5;
/** Medians under this count as this (ms), so that sub-millisecond noise cannot make a ratio. */
const floorMs = 2;
/** Timed calls per endpoint and size, after one warm-up round. */
const rounds = 15;

const small = { accounts: 30, users: 300, events: 30_000 };
const large = { accounts: 150, users: 1_500, events: 150_000 };

interface Sized {
  db: Database;
  app: WaymarkApp;
  secretKey: string;
  calls: ConsoleCall[];
  pageViews: string[];
  events: number;
}

let dir: string;
const built: Sized[] = [];

async function build(name: string, size: typeof small): Promise<Sized> {
  const url = `file:${join(dir, name)}`;
  const args = ['--accounts', `${size.accounts}`, '--users', `${size.users}`, '--events', `${size.events}`];
  const code = await runSeedLarge([...args, '--seed', '42', '--now', new Date(now).toISOString()], {
    openDb: (u) => openDatabase({ url: u, logger }),
    defaultDb: url,
    out: () => {},
    err: (text) => {
      throw new Error(text);
    },
    now: () => now,
    serverUrl: 'http://localhost:8787',
  });
  if (code !== 0) throw new Error(`seed:large exited ${code}`);
  const db = await openDatabase({ url, logger });
  // The portfolio and the adoption report need core features and a daily run, as an install has them.
  const clock = () => now;
  const health = {
    db,
    clock,
    logger,
    models: new HealthModelStore(db, clock),
    features: new CoreFeatureService(db, clock),
  };
  await addDemoCoreFeatures(health.features, workspaceId);
  await runHealthDay(health, workspaceId, dayOf(now - day));
  const { key: secretKey } = await rotateKey(db, workspaceId, { kind: 'secret', overlapHours: 24 }, now);
  const publishableKey = await currentPublishableKey(db, workspaceId, now);
  if (!publishableKey) throw new Error('no publishable key');
  const [count] = await db.read.all<{ events: number }>(sql`SELECT count(*) AS events FROM events`);
  const app = createApp({ db, logger, clock, rateLimits: false, distDir: join(dir, 'dist') });
  // The core features' rollups are built from their events once, as a running server does after start.
  await app.featureRollups.wake();
  return {
    db,
    app,
    secretKey,
    calls: consoleCalls(await consoleIds(db, workspaceId)),
    pageViews: await pageViewBodies(db, workspaceId, publishableKey, 50),
    events: count?.events ?? 0,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'waymark-growth-'));
  built.push(await build('small.db', small));
  built.push(await build('large.db', large));
}, 240_000);

afterAll(async () => {
  for (const s of built) {
    await s.app.close();
    await s.db.close();
  }
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** One call's time in ms; throws unless it answers 200. */
async function timed(s: Sized, index: number, round: number): Promise<number> {
  const call = s.calls[index];
  const started = performance.now();
  const res = call
    ? await s.app.request(`/v1/admin${call.path}`, { headers: { authorization: `Bearer ${s.secretKey}` } })
    : await s.app.request('/v1/content', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: s.pageViews[(round + 1) % s.pageViews.length],
      });
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200)
    throw new Error(`${call?.path ?? '/v1/content'}: ${res.status} ${text.slice(0, 200)}`);
  return ms;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

describe('growth: endpoint cost between two data sizes (5x), same run', () => {
  it(`no console read nor POST /v1/content grows more than ${maxGrowth}x`, async () => {
    const [a, b] = built as [Sized, Sized];
    expect(b.events).toBeGreaterThan(4 * a.events);
    const names = [...a.calls.map((c) => c.name), 'POST /v1/content'];
    expect(b.calls.map((c) => c.name)).toEqual(a.calls.map((c) => c.name));
    const times = names.map(() => ({ small: [] as number[], large: [] as number[] }));
    for (let round = -1; round < rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        // Alternate which size goes first, so neither always follows the other's cache misses.
        const order = round % 2 === 0 ? ([a, b] as const) : ([b, a] as const);
        for (const s of order) {
          const ms = await timed(s, i, round);
          if (round >= 0) times[i]![s === a ? 'small' : 'large'].push(ms);
        }
      }
    }
    const rows = names.map((name, i) => {
      const smallMs = median(times[i]!.small);
      const largeMs = median(times[i]!.large);
      const ratio = Math.max(largeMs, floorMs) / Math.max(smallMs, floorMs);
      return { name, smallMs: +smallMs.toFixed(2), largeMs: +largeMs.toFixed(2), ratio: +ratio.toFixed(2) };
    });
    console.log(
      `growth ${a.events} -> ${b.events} events (medians of ${rounds} calls, ms; floor ${floorMs} ms)\n` +
        rows.map((r) => `${r.name.padEnd(38)} ${r.smallMs} -> ${r.largeMs}  x${r.ratio}`).join('\n'),
    );
    const grown = rows
      .filter((r) => r.ratio > maxGrowth)
      .map((r) => `${r.name}: x${r.ratio} (${r.smallMs} -> ${r.largeMs} ms)`);
    expect(grown).toEqual([]);
  }, 150_000);
});
