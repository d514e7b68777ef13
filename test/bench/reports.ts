/**
 * `npx tsx test/bench/reports.ts <database url> [workspace]`: times the report reads of the console
 * (time to value, survey results, verbatims: console.ts) in process, on a database made by
 * `npm run seed:large`. It writes a secret key into that database: give it a copy. `REPORT_CALLS`
 * (20) timed calls per read after 2 warm-up calls; prints p50, p95 and the answer's size.
 */
import { loadavg } from 'node:os';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { rotateKey } from '../../server/workspaces/api-keys.ts';
import { consoleCalls, consoleIds } from './console.ts';

const [url, workspaceId = 'synthetic'] = process.argv.slice(2);
if (!url?.startsWith('file:')) {
  console.error('usage: npx tsx test/bench/reports.ts file:<copy of a seed:large database> [workspace]');
  process.exit(2);
}
const calls = Number(process.env.REPORT_CALLS ?? 20);
const logger = createLogger('silent');
const started = performance.now();
const db = await openDatabase({ url, logger });
console.log(`opened (migrations applied) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const now = Date.now();
const { key } = await rotateKey(db, workspaceId, { kind: 'secret', overlapHours: 24 }, now);
const app = createApp({ db, logger, clock: () => now, rateLimits: false, distDir: '/nonexistent' });
const reports = consoleCalls(await consoleIds(db, workspaceId)).filter((call) =>
  /^(TTV|survey results|verbatims)/.test(call.name),
);
const at = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const call of reports) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = -2; i < calls; i++) {
    const t = performance.now();
    const res = await app.request(`/v1/admin${call.path}`, { headers: { authorization: `Bearer ${key}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${call.path}: ${res.status} ${text.slice(0, 300)}`);
    if (i >= 0) times.push(performance.now() - t);
    bytes = text.length;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${call.name.padEnd(40)} p50 ${at(times, 0.5).toFixed(1).padStart(8)} ms  p95 ${at(times, 0.95).toFixed(1).padStart(8)} ms  ${(bytes / 1024).toFixed(1)} KB`,
  );
}
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await app.close();
await db.close();
