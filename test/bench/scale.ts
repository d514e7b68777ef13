/**
 * `npx tsx test/bench/scale.ts <database url> [workspace]` (or `npm run bench:scale -- <url>`): the
 * issue's targets at scale, in one run, on a database made by `npm run seed:large` (workspace
 * `synthetic` by default), against the real server over HTTP on 127.0.0.1.
 *
 * It writes (keys, the daily health run, ingested events), so it never opens the database it is given:
 * it copies the file (and its WAL) into a temp directory, works on the copy and removes it at the end.
 * The source must not be written meanwhile.
 *
 * 1. Console reads: every admin read the console will call (console.ts), `SCALE_CALLS` (30) timed
 *    calls each after 2 warm-up calls, one at a time, or fewer once `SCALE_BUDGET_SECONDS` (20) have
 *    gone: p50, p95, answer size, CPU.
 * 2. Page views: `POST /v1/content` for real users (as the widget sends it) against the same server's
 *    bare `/health`, 16 connections, in alternating windows: req/s, p50, p99, the ratio (target ≥ 0.25).
 * 3. Isolation: `/health` and `/v1/content` p99 at 1 and 16 connections, idle and while the heaviest
 *    console read of step 1 runs in a loop (target: within a small factor).
 * 4. Ingestion: `POST /v1/batch` (bench bodies from the database's real users) at 16 connections,
 *    alternately into the full copy and into an empty database with the same content (same generator,
 *    no history): events/s (target: full within 20% of empty), then the data check (acknowledged ==
 *    stored, on both).
 * Each window prints the CPU the server, the load generator and every other process used.
 * `SCALE_SECONDS` (default 5) sets each load window, `SCALE_CALLS` the calls per console read.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { CoreFeatureService } from '../../server/adoption/core-features.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { HealthModelStore } from '../../server/health/model-store.ts';
import { dayOf, runHealthDay } from '../../server/health/run.ts';
import { createLogger } from '../../server/logger.ts';
import { addDemoCoreFeatures, demoCoreFeatures } from '../../server/seed/demo-health.ts';
import { seedDemoContent } from '../../server/seed.ts';
import { rotateKey } from '../../server/workspaces/api-keys.ts';
import { createWorkspace, currentPublishableKey } from '../../server/workspaces/store.ts';
import type { Person } from './bodies.ts';
import {
  cpuMeter,
  fmt,
  machine,
  measureWindow,
  pct,
  percentile,
  startServer,
  stop,
  stopAll,
  table,
} from './children.ts';
import { type ConsoleCall, consoleCalls, consoleIds, pageViewBodies } from './console.ts';
import { durability } from './durability.ts';
import type { LoadOptions, LoadResult, RequestLoadOptions, RequestLoadResult } from './load.ts';

const [source, workspaceId = 'synthetic'] = process.argv.slice(2);
if (!source?.startsWith('file:')) {
  console.error('usage: npx tsx test/bench/scale.ts file:<database made by npm run seed:large> [workspace]');
  process.exit(2);
}
const seconds = Number(process.env.SCALE_SECONDS ?? 5);
const warmupSeconds = 1;
const calls = Number(process.env.SCALE_CALLS ?? 30);
/** A read slower than this in all (seconds) stops early with the calls it made (`calls` column). */
const budgetSeconds = Number(process.env.SCALE_BUDGET_SECONDS ?? 20);
const connections = 16;
const day = 86_400_000;
const logger = createLogger('error');

const say = (text: string) => console.log(text);
const loadNow = () => loadavg()[0]!.toFixed(2);
const ms = (n: number) => fmt(n, n < 10 ? 2 : 1);

// ---------------------------------------------------------------------------------------------------
// Preparation, on the copy

interface Prepared {
  sizes: { events: number; users: number; accounts: number; bytes: number };
  maxSeq: number;
  secretKey: string;
  publishableKey: string;
  calls: ConsoleCall[];
  pageViews: string[];
  people: Person[];
}

async function prepare(db: Database, bytes: number): Promise<Prepared> {
  const now = Date.now();
  const [sizes] = await db.read.all<{ events: number; users: number; accounts: number; maxSeq: number }>(sql`
    SELECT (SELECT count(*) FROM events WHERE workspace_id = ${workspaceId}) AS events,
      (SELECT count(*) FROM users WHERE workspace_id = ${workspaceId}) AS users,
      (SELECT count(*) FROM accounts WHERE workspace_id = ${workspaceId}) AS accounts,
      (SELECT coalesce(max(seq), 0) FROM events) AS maxSeq`);
  if (!sizes || sizes.events === 0) throw new Error(`workspace ${workspaceId} holds no events`);
  const { key: secretKey } = await rotateKey(
    db,
    workspaceId,
    { kind: 'secret', overlapHours: 24 * 365 },
    now,
  );
  const publishableKey = await currentPublishableKey(db, workspaceId, now);
  if (!publishableKey) throw new Error(`workspace ${workspaceId} has no live publishable key`);

  // The portfolio and the adoption report read core features and yesterday's snapshots; seed:large
  // makes neither, so a workspace without them gets the demo's features and one daily run.
  const clock = () => now;
  const health = {
    db,
    clock,
    logger,
    models: new HealthModelStore(db, clock),
    features: new CoreFeatureService(db, clock),
    instanceId: 'scale-bench',
  };
  if ((await health.features.list(workspaceId)).length === 0) {
    await addDemoCoreFeatures(health.features, workspaceId);
    say(`  added the demo's ${demoCoreFeatures.length} core features (the workspace had none)`);
  }
  const [snapshots] = await db.read.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM account_health_current WHERE workspace_id = ${workspaceId}`,
  );
  if (!snapshots?.n) {
    const started = performance.now();
    await runHealthDay(health, workspaceId, dayOf(now - day));
    say(
      `  daily health run for yesterday (the workspace had no snapshot): ${fmt((performance.now() - started) / 1000, 1)} s`,
    );
  }

  const ids = await consoleIds(db, workspaceId);
  const pageViews = await pageViewBodies(db, workspaceId, publishableKey, 200);
  const people = pageViews.map((body) => {
    const { userId, groupId } = JSON.parse(body) as { userId: string; groupId?: string };
    return { userId, accountId: groupId ?? ids.account };
  });
  say(
    `  ids: checklist ${ids.checklist}, spotlight ${ids.spotlight}, survey ${ids.survey}, ` +
      `biggest account ${ids.account}, its busiest user ${ids.user}`,
  );
  return {
    sizes: { events: sizes.events, users: sizes.users, accounts: sizes.accounts, bytes },
    maxSeq: sizes.maxSeq,
    secretKey,
    publishableKey,
    calls: consoleCalls(ids),
    pageViews,
    people,
  };
}

/** A database with the workspace and its content as seed:large makes them, and no history. */
async function prepareEmpty(url: string): Promise<string> {
  const db = await openDatabase({ url, logger });
  try {
    const now = Date.now();
    const created = await createWorkspace(db, { id: workspaceId, name: 'Ledgerly (empty)' }, now);
    await seedDemoContent(db, workspaceId, now);
    return created.publishableKey;
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// 1. Console reads

interface ReadRow {
  call: ConsoleCall;
  status: number;
  calls: number;
  p50: number;
  p95: number;
  max: number;
  bytes: number;
  serverCpu: number;
  othersCpu: number;
}

async function consoleReads(origin: string, prepared: Prepared, serverPid: number | undefined) {
  const headers = { authorization: `Bearer ${prepared.secretKey}`, 'accept-encoding': 'gzip' };
  const rows: ReadRow[] = [];
  for (const call of prepared.calls) {
    const get = async () => {
      const started = performance.now();
      const res = await fetch(`${origin}/v1/admin${call.path}`, { headers });
      const text = await res.text();
      return { status: res.status, ms: performance.now() - started, bytes: Buffer.byteLength(text) };
    };
    await get();
    await get();
    const meter = cpuMeter([serverPid]);
    const times: number[] = [];
    let last = { status: 0, ms: 0, bytes: 0 };
    const until = performance.now() + budgetSeconds * 1000;
    for (let i = 0; i < calls && performance.now() < until; i++) {
      last = await get();
      if (last.status !== 200) break;
      times.push(last.ms);
    }
    const cpu = meter.read();
    times.sort((a, b) => a - b);
    rows.push({
      call,
      status: last.status,
      calls: times.length,
      p50: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      max: times.at(-1) ?? Number.NaN,
      bytes: last.bytes,
      serverCpu: cpu.pids[0]!,
      othersCpu: cpu.othersCpu,
    });
    // Progress, on stderr (the table follows on stdout): a slow read at 5M takes minutes.
    console.error(`  ${call.name}: p50 ${ms(rows.at(-1)!.p50)} ms over ${times.length} calls`);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// 2 and 3. Page views against the bare route, and isolation

type Window = RequestLoadResult & { serverCpu: number; othersCpu: number; label: string };

async function routeWindow(
  label: string,
  origin: string,
  route: 'health' | 'content',
  prepared: Prepared,
  concurrency: number,
  serverPid: number | undefined,
): Promise<Window> {
  const options: RequestLoadOptions =
    route === 'health'
      ? { url: `${origin}/health`, method: 'GET', concurrency, warmupSeconds, seconds }
      : {
          url: `${origin}/v1/content`,
          method: 'POST',
          bodies: prepared.pageViews,
          headers: { 'content-type': 'text/plain;charset=UTF-8', 'accept-encoding': 'gzip' },
          concurrency,
          warmupSeconds,
          seconds,
        };
  const result = await measureWindow<RequestLoadResult>('load.ts', options, [serverPid]);
  return { ...result, label };
}

/** The heaviest console read in a loop, one call at a time, until `stop()`: what a CS person clicking can do. */
function heavyLoop(origin: string, prepared: Prepared, call: ConsoleCall) {
  let running = true;
  const times: number[] = [];
  let failures = 0;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${origin}/v1/admin${call.path}`, {
        headers: { authorization: `Bearer ${prepared.secretKey}` },
      });
      await res.arrayBuffer();
      if (res.status === 200) times.push(performance.now() - started);
      else failures++;
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      times.sort((a, b) => a - b);
      return { calls: times.length, failures, p50: percentile(times, 0.5) };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// 4. Ingestion

type IngestWindow = LoadResult & { serverCpu: number; othersCpu: number; label: string };

async function ingestWindow(
  label: string,
  origin: string,
  writeKey: string,
  people: Person[],
  serverPid: number | undefined,
): Promise<IngestWindow> {
  const options: LoadOptions = {
    url: `${origin}/v1/batch`,
    writeKey,
    concurrency: connections,
    warmupSeconds,
    seconds,
    people,
  };
  return { ...(await measureWindow<LoadResult>('load.ts', options, [serverPid])), label };
}

async function dataCheck(url: string, afterSeq: number, runs: IngestWindow[]) {
  const db = await openDatabase({ url, logger });
  try {
    const [row] = await db.read.all<{ stored: number; distinctIds: number }>(sql`
      SELECT count(*) AS stored, count(DISTINCT message_id) AS distinctIds FROM events WHERE seq > ${afterSeq}`);
    const acknowledged = runs.reduce((sum, r) => sum + r.total.accepted, 0);
    const problems = runs.reduce(
      (sum, r) => sum + r.total.duplicates + r.total.rejected + r.total.failures,
      0,
    );
    const stored = row?.stored ?? 0;
    const ok = stored === acknowledged && row?.distinctIds === stored && problems === 0;
    return { acknowledged, stored, problems, ok };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadNow();
  const sourcePath = source!.slice('file:'.length).split('?')[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'waymark-scale-'));
  const fullUrl = `file:${join(dir, 'full.db')}`;
  const emptyUrl = `file:${join(dir, 'empty.db')}`;
  say(`waymark scale bench: ${machine()}`);
  say(`load average ${loadAtStart} at the start (${cpus().length} cores)`);
  say(
    `\n!! This benchmark WRITES (a secret key, core features and a health run if missing, ingested events).\n` +
      `!! It works on a COPY of ${sourcePath} in ${dir} and removes it at the end; the source is only read.\n`,
  );
  try {
    const copyStarted = performance.now();
    copyFileSync(sourcePath, join(dir, 'full.db'));
    const wal = `${sourcePath}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) copyFileSync(wal, join(dir, 'full.db-wal'));
    const bytes = statSync(sourcePath).size + (existsSync(wal) ? statSync(wal).size : 0);
    say(
      `copied ${fmt(bytes / 2 ** 20)} MB in ${fmt((performance.now() - copyStarted) / 1000, 1)} s; preparing the copy ...`,
    );

    const db = await openDatabase({ url: fullUrl, logger });
    let prepared: Prepared;
    try {
      prepared = await prepare(db, bytes);
    } finally {
      await db.close();
    }
    const emptyKey = await prepareEmpty(emptyUrl);
    const { sizes } = prepared;
    say(
      `\nsize of workspace ${workspaceId}: ${fmt(sizes.events)} events, ${fmt(sizes.users)} users, ` +
        `${fmt(sizes.accounts)} accounts; database file ${fmt(sizes.bytes / 2 ** 20)} MB`,
    );
    say(`durability: ${await durability(fullUrl)}`);

    const full = await startServer('server.ts', { BENCH_DATABASE_URL: fullUrl, BENCH_STATISTICS: '1' });
    const empty = await startServer('server.ts', { BENCH_DATABASE_URL: emptyUrl, BENCH_STATISTICS: '1' });
    const fullPid = full.child.pid;

    // 1.
    say(`\n1. console reads: ${calls} calls each after 2 warm-up calls, one at a time, over HTTP ...`);
    const reads = await consoleReads(full.origin, prepared, fullPid);
    say(
      table(
        [
          [
            'endpoint',
            'path',
            'status',
            'calls',
            'p50 ms',
            'p95 ms',
            'max ms',
            'answer KB',
            'server CPU',
            'others CPU',
          ],
          ...reads.map((r) => [
            r.call.name,
            r.call.path.length > 60 ? `${r.call.path.slice(0, 57)}...` : r.call.path,
            String(r.status),
            String(r.calls),
            ms(r.p50),
            ms(r.p95),
            ms(r.max),
            fmt(r.bytes / 1024, 1),
            pct(r.serverCpu),
            pct(r.othersCpu),
          ]),
        ],
        3,
      ),
    );
    const over = reads.filter((r) => !(r.p95 < 100));
    say(
      `p95 under 100 ms: ${reads.length - over.length} of ${reads.length}` +
        (over.length > 0 ? `; over: ${over.map((r) => `${r.call.name} ${ms(r.p95)} ms`).join(', ')}` : ''),
    );

    // 2.
    say(
      `\n2. POST /v1/content (200 real users) against GET /health, ${connections} connections, alternating ...`,
    );
    const pairs: Array<[Window, Window]> = [];
    for (let i = 1; i <= 3; i++) {
      const health = await routeWindow(
        `/health #${i}`,
        full.origin,
        'health',
        prepared,
        connections,
        fullPid,
      );
      const content = await routeWindow(
        `/v1/content #${i}`,
        full.origin,
        'content',
        prepared,
        connections,
        fullPid,
      );
      pairs.push([health, content]);
    }
    const windowRows = (windows: Window[]) =>
      windows.map((w) => [
        w.label,
        String(w.concurrency),
        fmt(w.requestsPerSecond),
        ms(w.p50),
        ms(w.p99),
        ms(w.max),
        fmt(w.answerBytes),
        pct(w.serverCpu),
        pct(w.loadCpu),
        pct(w.othersCpu),
        String(w.failures),
      ]);
    const windowHeader = [
      'window',
      'conn',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'bytes',
      'server CPU',
      'loadgen CPU',
      'others CPU',
      'failed',
    ];
    say(table([windowHeader, ...windowRows(pairs.flat())], 1));
    const sum = (ws: Window[]) => ws.reduce((a, w) => a + w.requests, 0);
    const ratio = sum(pairs.map((p) => p[1])) / sum(pairs.map((p) => p[0]));
    say(
      `content ÷ /health per pair: ${pairs.map(([h, c]) => (c.requestsPerSecond / h.requestsPerSecond).toFixed(3)).join(', ')}; ` +
        `over the run ${ratio.toFixed(3)} (target ≥ 0.25: ${ratio >= 0.25 ? 'met' : 'NOT met'})`,
    );

    // 3.
    const heaviest = reads.filter((r) => r.status === 200).reduce((a, b) => (b.p50 > a.p50 ? b : a));
    say(
      `\n3. isolation: /health and /v1/content idle, then while "${heaviest.call.name}" runs in a loop ...`,
    );
    const isolation: Array<{ idle: Window; loaded: Window }> = [];
    let heavy = { calls: 0, failures: 0, p50: Number.NaN };
    for (const concurrency of [1, connections]) {
      const idle = [
        await routeWindow(`/health idle`, full.origin, 'health', prepared, concurrency, fullPid),
        await routeWindow(`/v1/content idle`, full.origin, 'content', prepared, concurrency, fullPid),
      ];
      const loop = heavyLoop(full.origin, prepared, heaviest.call);
      const loaded = [
        await routeWindow(`/health + report`, full.origin, 'health', prepared, concurrency, fullPid),
        await routeWindow(`/v1/content + report`, full.origin, 'content', prepared, concurrency, fullPid),
      ];
      const stats = await loop.stop();
      heavy = {
        calls: heavy.calls + stats.calls,
        failures: heavy.failures + stats.failures,
        p50: Number.isNaN(heavy.p50) ? stats.p50 : Math.max(heavy.p50, stats.p50),
      };
      isolation.push({ idle: idle[0]!, loaded: loaded[0]! }, { idle: idle[1]!, loaded: loaded[1]! });
    }
    say(table([windowHeader, ...windowRows(isolation.flatMap((i) => [i.idle, i.loaded]))], 1));
    say(
      table(
        [
          ['route', 'conn', 'idle p99 ms', 'loaded p99 ms', 'factor', 'idle req/s', 'loaded req/s'],
          ...isolation.map(({ idle, loaded }) => [
            idle.label.replace(' idle', ''),
            String(idle.concurrency),
            ms(idle.p99),
            ms(loaded.p99),
            `${(loaded.p99 / idle.p99).toFixed(1)}x`,
            fmt(idle.requestsPerSecond),
            fmt(loaded.requestsPerSecond),
          ]),
        ],
        1,
      ),
    );
    say(
      `the report ran ${heavy.calls} times meanwhile (p50 up to ${ms(heavy.p50)} ms, ${heavy.failures} failed)`,
    );

    // 4.
    say(
      `\n4. ingestion, POST /v1/batch of 20 events from the database's real users, ${connections} connections, alternating full and empty ...`,
    );
    const fullRuns: IngestWindow[] = [];
    const emptyRuns: IngestWindow[] = [];
    for (let i = 1; i <= 2; i++) {
      fullRuns.push(
        await ingestWindow(`full #${i}`, full.origin, prepared.publishableKey, prepared.people, fullPid),
      );
      emptyRuns.push(
        await ingestWindow(`empty #${i}`, empty.origin, emptyKey, prepared.people, empty.child.pid),
      );
    }
    await stop(full.child);
    await stop(empty.child);
    say(
      table(
        [
          [
            'database',
            'conn',
            'req/s',
            'events/s',
            'p50 ms',
            'p99 ms',
            'max ms',
            'server CPU',
            'loadgen CPU',
            'others CPU',
          ],
          ...[fullRuns[0]!, emptyRuns[0]!, fullRuns[1]!, emptyRuns[1]!].map((r) => [
            r.label,
            String(r.concurrency),
            fmt(r.requestsPerSecond),
            fmt(r.eventsPerSecond),
            ms(r.p50),
            ms(r.p99),
            ms(r.max),
            pct(r.serverCpu),
            pct(r.loadCpu),
            pct(r.othersCpu),
          ]),
        ],
        1,
      ),
    );
    const rate = (runs: IngestWindow[]) => runs.reduce((a, r) => a + r.eventsPerSecond, 0) / runs.length;
    const perCpu = (runs: IngestWindow[]) =>
      runs.reduce((a, r) => a + r.eventsPerSecond / r.serverCpu, 0) / runs.length;
    const ingestRatio = rate(fullRuns) / rate(emptyRuns);
    say(
      `full ÷ empty: ${fmt(rate(fullRuns))} ÷ ${fmt(rate(emptyRuns))} events/s = ${ingestRatio.toFixed(2)} ` +
        `(target ≥ 0.8: ${ingestRatio >= 0.8 ? 'met' : 'NOT met'}); per server CPU-second ` +
        `${fmt(perCpu(fullRuns))} ÷ ${fmt(perCpu(emptyRuns))} = ${(perCpu(fullRuns) / perCpu(emptyRuns)).toFixed(2)}`,
    );
    const checks = [
      { name: 'full', ...(await dataCheck(fullUrl, prepared.maxSeq, fullRuns)) },
      { name: 'empty', ...(await dataCheck(emptyUrl, 0, emptyRuns)) },
    ];
    for (const c of checks) {
      say(
        `data check (${c.name}): ${fmt(c.stored)} events stored, ${fmt(c.acknowledged)} acknowledged, ` +
          `${c.problems} duplicates, rejections or failed requests: ${c.ok ? 'OK' : 'MISMATCH'}`,
      );
    }
    const failure = [...pairs.flat(), ...isolation.flatMap((i) => [i.idle, i.loaded])].find(
      (w) => w.firstFailure,
    )?.firstFailure;
    const ingestFailure = [...fullRuns, ...emptyRuns].find((r) => r.firstFailure)?.firstFailure;
    if (failure ?? ingestFailure) say(`first failure: ${failure ?? ingestFailure}`);
    for (const server of [full, empty]) {
      if (server.stderr().trim()) console.error(`server stderr:\n${server.stderr()}`);
    }
    say(
      `\n(total ${fmt((performance.now() - started) / 1000, 1)} s; load average ${loadAtStart} at the start, ` +
        `${loadNow()} at the end)`,
    );
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
    say(`removed ${dir}`);
  }
}

await main();
