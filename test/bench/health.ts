/**
 * `npx tsx test/bench/health.ts <database url> [workspace]`: account health at the size of a
 * database made by `npm run seed:large` (workspace `synthetic` by default).
 *
 * 0. The core-feature rollups migration 0011 queued (features defined before it), built as a server
 *    start builds them, timed.
 * 1. The daily run for yesterday, as the scheduler starts it (every account scored and written, the
 *    alert rules checked), timed end to end, then a re-run (answers "already done").
 * 2. The admin reads a CS person starts from, in-process through the real app (a fresh secret key,
 *    added with an overlap so the workspace's own keys keep working): p50 and p95 of 30 calls each.
 *
 * Prints one JSON line per figure and a summary table. Writes to the database it is given: use a copy.
 */
import { sql } from 'drizzle-orm';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/db/client.ts';
import { dayOf, runHealthDay } from '../../server/health/run.ts';
import { createLogger } from '../../server/logger.ts';
import { rotateKey } from '../../server/workspaces/api-keys.ts';

const [url, workspaceId = 'synthetic'] = process.argv.slice(2);
if (!url) throw new Error('usage: tsx test/bench/health.ts <database url> [workspace]');
const logger = createLogger('error');
const db = await openDatabase({ url, logger });
const now = Date.now();
const app = createApp({ db, logger, rateLimits: false });

const [sizes] = (await db.read.all(sql`
  SELECT (SELECT count(*) FROM events WHERE workspace_id = ${workspaceId}) AS events,
    (SELECT count(*) FROM accounts WHERE workspace_id = ${workspaceId}) AS accounts,
    (SELECT count(*) FROM users WHERE workspace_id = ${workspaceId}) AS users`)) as Array<{
  events: number;
  accounts: number;
  users: number;
}>;
if (!sizes) throw new Error('no counts');
console.log(JSON.stringify({ workspaceId, ...sizes }));

// Core-feature rollups queued by migration 0011 (features defined before it), built as a server start does.
const build0 = performance.now();
const queued = (await db.read.all(sql`SELECT count(*) AS n FROM feature_rebuilds`)) as Array<{ n: number }>;
await app.featureRollups.wake();
console.log(
  JSON.stringify({
    featureRollupBuild: { features: queued[0]?.n ?? 0, ms: Math.round(performance.now() - build0) },
  }),
);

const day = dayOf(now - 86_400_000);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const outcome = await runHealthDay({ ...app.healthDeps, instanceId: 'bench' }, workspaceId, day);
const runMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const t1 = performance.now();
const again = await runHealthDay({ ...app.healthDeps, instanceId: 'bench' }, workspaceId, day);
const rerunMs = performance.now() - t1;
console.log(
  JSON.stringify({
    dailyRun: { day, outcome, ms: Math.round(runMs), cpuMs: Math.round((cpu.user + cpu.system) / 1000) },
    rerun: { outcome: again, ms: Math.round(rerunMs) },
  }),
);

const { key } = await rotateKey(db, workspaceId, { kind: 'secret', overlapHours: 24 * 365 }, now);
const [worst] = (await db.read.all(sql`
  SELECT account_id FROM account_health_current WHERE workspace_id = ${workspaceId} ORDER BY score LIMIT 1`)) as Array<{
  account_id: string;
}>;
const paths = [
  '/v1/admin/health/accounts?sort=score&limit=50',
  '/v1/admin/health/accounts?band=red&sort=-arr&limit=50',
  '/v1/admin/health/accounts?sort=-trend7&offset=1000&limit=50',
  `/v1/admin/health/accounts/${encodeURIComponent(worst?.account_id ?? 'none')}`,
  '/v1/admin/health/distribution',
  '/v1/admin/alerts?limit=50',
  '/v1/admin/accounts?search=acc_0001&limit=50',
  '/v1/admin/reports/adoption?days=30',
];
const rows: Array<{ path: string; p50: number; p95: number; bytes: number }> = [];
for (const path of paths) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    const res = await app.request(path, { headers: { authorization: `Bearer ${key}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
    times.push(performance.now() - start);
    bytes = text.length;
  }
  times.sort((a, b) => a - b);
  const row = { path, p50: times[14]!, p95: times[28]!, bytes };
  rows.push(row);
  console.log(JSON.stringify(row));
}
console.table(rows.map((r) => ({ ...r, p50: r.p50.toFixed(1), p95: r.p95.toFixed(1) })));
await app.close();
await db.close();
