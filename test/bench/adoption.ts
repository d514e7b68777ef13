/**
 * `npx tsx test/bench/adoption.ts <database file> [workspace] [calls]`: the adoption report alone, in
 * process, on a copy of a `seed:large` database (the source is only read): how long opening it takes
 * (migrations included), building the demo's core features when it has none, then p50/p95 of the
 * report over 7, 30 and 90 days. Smaller and quicker than `bench:scale`, for before/after figures.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { CoreFeatureService } from '../../server/adoption/core-features.ts';
import { FeatureRollupBuilder } from '../../server/adoption/feature-days.ts';
import { adoptionReport } from '../../server/adoption/report.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { addDemoCoreFeatures } from '../../server/seed/demo-health.ts';

const [source, workspaceId = 'synthetic', callsArg = '20'] = process.argv.slice(2);
if (!source) {
  console.error('usage: npx tsx test/bench/adoption.ts <database file> [workspace] [calls]');
  process.exit(2);
}
const calls = Number(callsArg);
const dir = mkdtempSync(join(tmpdir(), 'waymark-adoption-'));
const say = (line: string) => console.log(line);
const since = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;
try {
  say(`load average ${loadavg()[0]?.toFixed(2)} at the start`);
  let started = performance.now();
  copyFileSync(source, join(dir, 'copy.db'));
  say(`copied in ${since(started)}`);
  const logger = createLogger('silent');
  started = performance.now();
  const db = await openDatabase({ url: `file:${join(dir, 'copy.db')}`, logger });
  say(`opened (migrations included) in ${since(started)}`);
  const now = Date.now();
  const builder = new FeatureRollupBuilder(db, logger);
  const features = new CoreFeatureService(db, () => now, builder);
  if ((await features.list(workspaceId)).length === 0) {
    await addDemoCoreFeatures(features, workspaceId);
  }
  started = performance.now();
  await builder.wake();
  say(`core-feature rollups built in ${since(started)}`);
  const [size] = await db.read.all<{ events: number }>(
    sql`SELECT count(*) AS events FROM events WHERE workspace_id = ${workspaceId}`,
  );
  say(`${size?.events.toLocaleString('en')} events`);
  for (const days of [7, 30, 90]) {
    const times: number[] = [];
    let answer = '';
    for (let i = 0; i < calls + 2; i++) {
      const t = performance.now();
      answer = JSON.stringify(await adoptionReport(db, features, workspaceId, { days }, now));
      if (i >= 2) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]?.toFixed(1);
    say(`adoption report, ${days} days: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms over ${calls} calls`);
    if (days === 30) say(`  answer: ${answer}`);
  }
  say(`load average ${loadavg()[0]?.toFixed(2)} at the end`);
  await builder.stop();
  // Closing the read workers can outlive the event loop; the copy is removed either way.
  await Promise.race([db.close(), new Promise((resolve) => setTimeout(resolve, 5_000))]);
} finally {
  // ADOPTION_KEEP=1 leaves the prepared copy for a closer look (remove it afterwards).
  if (process.env.ADOPTION_KEEP === '1') say(`kept ${dir}/copy.db`);
  else rmSync(dir, { recursive: true, force: true });
}
