/**
 * `npm run bench`: Waymark's ingestion throughput against the storage engine's own limit, on this
 * machine, in one run on 127.0.0.1.
 *
 * 1. Storage limit (in this process, no other part of the benchmark running): plain multi-row `INSERT`s of the very
 *    event rows the server would write (the benchmark bodies through the server's own parseBatch) into
 *    `events` of a fresh database made by openDatabase (migrations, WAL), autocommit, 20 / 100 / 400
 *    rows per statement; the best rows/s counts. Then the same 400-row statements 25 to a transaction
 *    (10,000 rows a commit): the engine's rate when the fsync per commit no longer dominates. All of it
 *    with the durability setting the server runs with (`PRAGMA synchronous`, printed).
 * 2. Ingestion: the real server (server.ts, its own process) on a fresh database with a workspace made
 *    by createWorkspace; the load generator (load.ts, its own process) posts 20-event batches at
 *    each concurrency level. Then the database must hold exactly the events that were acknowledged.
 * 3. HTTP ceiling: the same load generator against a bare Hono route (bare-server.ts).
 *
 * Prints a table, the ratio best ingestion events/s ÷ best storage rows/s (goal ≥ 0.5), the same
 * ratio per CPU-second used (steadier on a machine shared with other work), the HTTP ceiling, and the
 * data check; exits 1 if the database does not hold exactly the acknowledged events. `BENCH_SECONDS` (default 5) is each measured window; `BENCH_CONCURRENCY` (default
 * `1,16,64`) the connection counts; `BENCH_PROFILE=<dir>` runs the Waymark server under `--cpu-prof`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Client, createClient, type InValue } from '@libsql/client';
import { openDatabase } from '../../server/db/client.ts';
import { type IngestEvent, parseBatch } from '../../server/ingest/parse-batch.ts';
import { createLogger } from '../../server/logger.ts';
import { createWorkspace, WorkspaceDirectory } from '../../server/workspaces/store.ts';
import { accountCount, buildTemplates, eventsPerBatch, fillBody, userCount } from './bodies.ts';
import {
  fmt,
  machine,
  machineCpuSeconds,
  measureWindow,
  pct,
  startServer,
  stop,
  stopAll,
  table,
} from './children.ts';
import { durability } from './durability.ts';
import type { LoadOptions, LoadResult } from './load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmupSeconds = Math.min(1, seconds / 2);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
/** Rows per INSERT statement, and statements per transaction (1: autocommit, a commit per statement). */
const storageShapes = [
  { rows: 20, statements: 1 },
  { rows: 100, statements: 1 },
  { rows: 400, statements: 1 },
  { rows: 400, statements: 25 },
];
const profileDir = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : null;
if (!(seconds > 0) || concurrencies.some((c) => !(c > 0))) {
  throw new Error('BENCH_SECONDS must be > 0 and BENCH_CONCURRENCY a list of positive integers');
}

const logger = createLogger('error');

interface Measured extends LoadResult {
  /** CPU time of the server process over the measured window, as a share of one core. */
  serverCpu: number;
  /** CPU time of every other process on the machine over the window (noise), in cores. */
  othersCpu: number;
}

async function load(
  url: string,
  writeKey: string,
  concurrency: number,
  serverPid?: number,
): Promise<Measured> {
  const options: LoadOptions = { url, writeKey, concurrency, warmupSeconds, seconds };
  return measureWindow<LoadResult>('load.ts', options, [serverPid]);
}

// ---------------------------------------------------------------------------------------------------
// 1. The storage engine's own limit

const eventColumns = [
  'workspace_id',
  'message_id',
  'type',
  'name',
  'user_id',
  'anonymous_id',
  'account_id',
  'timestamp',
  'received_at',
  'properties',
  'traits',
  'context',
  'identity',
] as const;
const rowOf = (e: IngestEvent): InValue[] => [
  e.workspaceId,
  e.messageId,
  e.type,
  e.name,
  e.userId,
  e.anonymousId,
  e.accountId,
  e.timestamp,
  e.receivedAt,
  e.properties,
  e.traits,
  e.context,
  e.identity,
];

interface StorageResult {
  rowsPerStatement: number;
  /** 1 in autocommit; more when that many statements share one transaction (one commit, one fsync). */
  statementsPerTransaction: number;
  rows: number;
  rowsPerSecond: number;
  /** Transactions committed a second (in autocommit, statements a second). */
  commitsPerSecond: number;
  /** CPU time of this process while inserting, as a share of one core. */
  cpu: number;
  /** CPU time of every other process on the machine meanwhile (noise), in cores. */
  othersCpu: number;
}

async function measureStorage(dir: string): Promise<StorageResult[]> {
  const url = `file:${join(dir, 'storage.db')}`;
  const db = await openDatabase({ url, logger });
  const created = await createWorkspace(db, { id: 'bench', name: 'Bench' }, Date.now());
  const tenant = await new WorkspaceDirectory(db, Date.now).byKey(created.publishableKey);
  await db.close();
  if (!tenant) throw new Error('the benchmark workspace has no publishable key');
  // The rows the server would store for the benchmark's bodies: its own parseBatch on them.
  const receivedAt = Date.now();
  const pool: InValue[][] = buildTemplates(created.publishableKey).flatMap((template) => {
    const body = fillBody(template, 'x');
    const parsed = parseBatch(JSON.parse(body), { tenant, receivedAt, bodyBytes: Buffer.byteLength(body) });
    if (parsed.messages.length !== eventsPerBatch) throw new Error('a benchmark body failed validation');
    return parsed.messages.map(({ event }) => rowOf(event));
  });

  const client: Client = createClient({ url, timeout: 5000 });
  const results: StorageResult[] = [];
  let unique = 0;
  try {
    for (const shape of storageShapes) {
      const size = shape.rows;
      const placeholders = `(${eventColumns.map(() => '?').join(', ')})`;
      const sql = `INSERT INTO events (${eventColumns.join(', ')}) VALUES ${Array(size).fill(placeholders).join(', ')}`;
      const argsOf = () => {
        const args: InValue[] = [];
        for (let i = 0; i < size; i++) args.push(...pool[i % pool.length]!);
        return args;
      };
      const statementArgs = Array.from({ length: shape.statements }, argsOf);
      const insert = async () => {
        // Same rows every time but for the messageId, which must be new (unique index).
        for (const args of statementArgs) {
          for (let i = 0; i < size; i++) args[i * eventColumns.length + 1] = `s-${unique++}`;
        }
        if (shape.statements === 1) await client.execute({ sql, args: statementArgs[0]! });
        else
          await client.batch(
            statementArgs.map((args) => ({ sql, args })),
            'write',
          );
      };
      const warmUntil = performance.now() + warmupSeconds * 500;
      while (performance.now() < warmUntil) await insert();
      let commits = 0;
      const cpuFrom = process.cpuUsage();
      const machineFrom = machineCpuSeconds();
      const start = performance.now();
      const end = start + seconds * 1000;
      while (performance.now() < end) {
        await insert();
        commits++;
      }
      const elapsed = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuFrom);
      const ownCpu = (cpu.user + cpu.system) / 1e6 / elapsed;
      const machineCpu = (machineCpuSeconds() - machineFrom) / elapsed;
      results.push({
        rowsPerStatement: size,
        statementsPerTransaction: shape.statements,
        rows: commits * size * shape.statements,
        rowsPerSecond: (commits * size * shape.statements) / elapsed,
        commitsPerSecond: commits / elapsed,
        cpu: ownCpu,
        othersCpu: Math.max(0, machineCpu - ownCpu),
      });
    }
    const [{ n }] = (await client.execute('SELECT count(*) AS n FROM events')).rows as unknown as [
      { n: number },
    ];
    if (Number(n) !== unique) throw new Error(`storage: ${n} rows in the table, ${unique} inserted`);
  } finally {
    client.close();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------
// 2. Ingestion through the real server, and 3. the bare HTTP stack

async function measureIngest(dir: string) {
  const url = `file:${join(dir, 'ingest.db')}`;
  const db = await openDatabase({ url, logger });
  const { publishableKey } = await createWorkspace(db, { id: 'bench', name: 'Bench' }, Date.now());
  await db.close();

  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = await startServer('server.ts', { BENCH_DATABASE_URL: url }, flags);
  const runs: Measured[] = [];
  try {
    for (const concurrency of concurrencies) {
      runs.push(await load(`${server.origin}/v1/batch`, publishableKey, concurrency, server.child.pid));
    }
  } finally {
    await stop(server.child);
  }
  if (server.stderr().trim()) console.error(`server stderr:\n${server.stderr()}`);

  // A benchmark that loses data is worthless: the file must hold exactly what was acknowledged.
  const client = createClient({ url });
  try {
    const count = async (sql: string) => Number((await client.execute(sql)).rows[0]?.[0]);
    const verification = {
      acknowledged: runs.reduce((sum, r) => sum + r.total.accepted, 0),
      sent: runs.reduce((sum, r) => sum + r.total.sentEvents, 0),
      duplicates: runs.reduce((sum, r) => sum + r.total.duplicates, 0),
      rejected: runs.reduce((sum, r) => sum + r.total.rejected, 0),
      failures: runs.reduce((sum, r) => sum + r.total.failures, 0),
      rows: await count('SELECT count(*) FROM events'),
      distinctMessageIds: await count('SELECT count(DISTINCT message_id) FROM events'),
      users: await count('SELECT count(*) FROM users'),
      accounts: await count('SELECT count(*) FROM accounts'),
      usersWithAccount: await count('SELECT count(*) FROM users WHERE account_id IS NOT NULL'),
    };
    return { runs, verification };
  } finally {
    client.close();
  }
}

async function measureBare() {
  const server = await startServer('bare-server.ts');
  const runs: Measured[] = [];
  try {
    for (const concurrency of concurrencies) {
      runs.push(await load(`${server.origin}/v1/batch`, 'pk_unused', concurrency, server.child.pid));
    }
  } finally {
    await stop(server.child);
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------
// Report

const loadNow = () => loadavg()[0]!.toFixed(2);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-'));
  const started = performance.now();
  const load = (() => {
    const at = loadNow();
    return () => at;
  })();
  try {
    console.log(`waymark bench: ${machine()}`);
    const bodies = buildTemplates(`pk_${'x'.repeat(24)}`).map((t) =>
      Buffer.byteLength(fillBody(t, 'x'.repeat(21))),
    );
    console.log(
      `${seconds} s measured after ${warmupSeconds} s warm-up; ${eventsPerBatch} events a request ` +
        `(~${fmt(bodies.reduce((a, b) => a + b, 0) / bodies.length / 1024, 1)} KB), ` +
        `${userCount} users in ${accountCount} accounts; connections ${concurrencies.join(', ')}\n`,
    );
    console.log('storage limit (plain multi-row INSERT, autocommit, no HTTP) ...');
    const storage = await measureStorage(dir);
    console.log('ingestion (real server, POST /v1/batch) ...');
    const ingest = await measureIngest(dir);
    console.log('HTTP ceiling (bare Hono POST route) ...\n');
    const bare = await measureBare();

    const header = [
      'what',
      'conn / rows',
      'req/s',
      'events/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'server CPU',
      'loadgen CPU',
      'others CPU',
    ];
    const httpRow = (label: string, r: Measured) => [
      label,
      String(r.concurrency),
      fmt(r.requestsPerSecond),
      fmt(r.eventsPerSecond),
      fmt(r.p50, 2),
      fmt(r.p99, 2),
      fmt(r.max, 1),
      pct(r.serverCpu),
      pct(r.loadCpu),
      pct(r.othersCpu),
    ];
    console.log(
      table([
        header,
        ...ingest.runs.map((r) => httpRow('ingest POST /v1/batch', r)),
        ...storage.map((s) => [
          s.statementsPerTransaction === 1 ? 'storage INSERT' : 'storage INSERT, 1 tx',
          s.statementsPerTransaction === 1
            ? `${s.rowsPerStatement} rows/stmt`
            : `${fmt(s.rowsPerStatement * s.statementsPerTransaction)} rows/tx`,
          fmt(s.commitsPerSecond),
          fmt(s.rowsPerSecond),
          '',
          '',
          '',
          pct(s.cpu),
          '',
          pct(s.othersCpu),
        ]),
        ...bare.map((r) => httpRow('bare Hono POST', r)),
      ]),
    );

    console.log(
      'CPU: share of one core used during the measured window by the server process (for storage rows: ' +
        'the process running the INSERTs), by the load generator, and by all other processes of the ' +
        `machine (noise; ${cpus().length} cores in all).`,
    );
    const bestIngest = ingest.runs.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
    // The goal is set against autocommit INSERTs (a commit per statement, as the server's group commit
    // commits per group); the large transactions show what the engine does once fsync is amortized.
    const autocommit = storage.filter((s) => s.statementsPerTransaction === 1);
    const bestStorage = autocommit.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
    const batched = storage.find((s) => s.statementsPerTransaction > 1);
    const bestBare = bare.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const ratio = bestIngest.eventsPerSecond / bestStorage.rowsPerSecond;
    const v = ingest.verification;
    console.log(
      `\ningest ÷ storage: ${fmt(bestIngest.eventsPerSecond)} events/s (${bestIngest.concurrency} connections) ÷ ` +
        `${fmt(bestStorage.rowsPerSecond)} rows/s (${bestStorage.rowsPerStatement} rows/stmt) = ` +
        `${ratio.toFixed(2)} (goal ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
    );
    if (batched) {
      console.log(
        `ingest ÷ storage in ${fmt(batched.rowsPerStatement * batched.statementsPerTransaction)}-row transactions: ` +
          `${fmt(bestIngest.eventsPerSecond)} ÷ ${fmt(batched.rowsPerSecond)} rows/s = ` +
          `${(bestIngest.eventsPerSecond / batched.rowsPerSecond).toFixed(2)} (the engine with fsync amortized)`,
      );
    }
    // Other processes on a shared machine take CPU from both sides unevenly; throughput per CPU-second
    // used is far less sensitive to them (but ignores I/O waits, which only the storage side has).
    const ingestPerCpu = Math.max(
      ...ingest.runs.map((r) => r.eventsPerSecond / r.serverCpu).filter(Number.isFinite),
    );
    const storagePerCpu = Math.max(...autocommit.map((s) => s.rowsPerSecond / s.cpu).filter(Number.isFinite));
    console.log(
      `per CPU-second (less sensitive to other processes): ${fmt(ingestPerCpu)} events per server CPU-s ÷ ` +
        `${fmt(storagePerCpu)} rows per CPU-s = ${(ingestPerCpu / storagePerCpu).toFixed(2)}`,
    );
    console.log(
      `HTTP ceiling: ${fmt(bestBare.requestsPerSecond)} requests/s = ${fmt(bestBare.eventsPerSecond)} events/s ` +
        `(${bestBare.concurrency} connections); ingestion reaches ` +
        `${pct(bestIngest.requestsPerSecond / bestBare.requestsPerSecond)} of it`,
    );
    const intact =
      v.rows === v.acknowledged &&
      v.distinctMessageIds === v.rows &&
      v.duplicates === 0 &&
      v.rejected === 0 &&
      v.failures === 0;
    console.log(
      `data check: ${fmt(v.rows)} rows in events, ${fmt(v.acknowledged)} events acknowledged ` +
        `(${fmt(v.sent)} sent, ${v.duplicates} duplicates, ${v.rejected} rejected, ${v.failures} failed requests); ` +
        `${v.users} users (${v.usersWithAccount} with an account), ${v.accounts} accounts: ${intact ? 'OK' : 'MISMATCH'}`,
    );
    console.log(
      `durability (the server's and the storage rows'): ${await durability(`file:${join(dir, 'ingest.db')}`)}`,
    );
    const failure = [...ingest.runs, ...bare].find((r) => r.firstFailure)?.firstFailure;
    if (failure) console.log(`first failure: ${failure}`);
    if (profileDir) console.log(`server CPU profile written to ${profileDir}`);
    console.log(
      `(total ${fmt((performance.now() - started) / 1000, 1)} s; load average ${load()} at the start, ` +
        `${loadNow()} at the end)`,
    );
    if (!intact) process.exitCode = 1;
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
