/**
 * `npm run bench`: Waymark's ingestion throughput against the storage engine's own limit, on this
 * machine, in one run on 127.0.0.1.
 *
 * 1. Storage limit (in this process, no other part of the benchmark running): plain multi-row `INSERT`s of the very
 *    event rows the server would write (the benchmark bodies through the server's own parseBatch) into
 *    `events` of a fresh database made by openDatabase (migrations, WAL), autocommit, 20 / 100 / 400
 *    rows per statement; the best rows/s counts.
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
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Client, createClient, type InValue } from '@libsql/client';
import { openDatabase } from '../../server/db/client.ts';
import { type IngestEvent, parseBatch } from '../../server/ingest/parse-batch.ts';
import { createLogger } from '../../server/logger.ts';
import { createWorkspace, WorkspaceDirectory } from '../../server/workspaces/store.ts';
import { accountCount, buildTemplates, eventsPerBatch, fillBody, userCount } from './bodies.ts';
import type { LoadOptions, LoadResult } from './load.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmupSeconds = Math.min(1, seconds / 2);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const storageBatchSizes = [20, 100, 400];
const profileDir = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : null;
if (!(seconds > 0) || concurrencies.some((c) => !(c > 0))) {
  throw new Error('BENCH_SECONDS must be > 0 and BENCH_CONCURRENCY a list of positive integers');
}

const logger = createLogger('error');
const children = new Set<ChildProcess>();

// ---------------------------------------------------------------------------------------------------
// Child processes

interface Spawned {
  child: ChildProcess;
  /** The next line the child writes to stdout, parsed as JSON. */
  next(): Promise<Record<string, unknown>>;
  stderr(): string;
}

function spawnChild(
  file: string,
  args: string[],
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
) {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', join(here, file), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const spawned: Spawned = {
    child,
    stderr: () => stderr,
    async next() {
      const { value, done } = await lines.next();
      if (done) throw new Error(`${file} ended without answering:\n${stderr}`);
      try {
        return JSON.parse(value) as Record<string, unknown>;
      } catch {
        throw new Error(`${file} wrote something that is not JSON: ${value}\n${stderr}`);
      }
    },
  };
  return spawned;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 8000).unref();
  });
}

async function startServer(file: string, env: Record<string, string> = {}, nodeFlags: string[] = []) {
  const spawned = spawnChild(file, [], env, nodeFlags);
  const { port } = (await spawned.next()) as { port: number };
  return { ...spawned, url: `http://127.0.0.1:${port}/v1/batch` };
}

// CPU time (user + system) of a process, in seconds, from /proc (Linux).
const ticksPerSecond = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU time of the whole machine (all cores, all processes), in seconds, from /proc/stat. */
function machineCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait.
    const busy = fields.slice(0, 8).reduce((sum, n, i) => (i === 3 || i === 4 ? sum : sum + n), 0);
    return busy / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

interface Measured extends LoadResult {
  /** CPU time of the server process over the measured window, as a share of one core. */
  serverCpu: number;
  /** CPU time of every other process on the machine over the window (noise), in cores. */
  othersCpu: number;
}

async function load(url: string, writeKey: string, concurrency: number, serverPid?: number) {
  const options: LoadOptions = { url, writeKey, concurrency, warmupSeconds, seconds };
  const generator = spawnChild('load.ts', [JSON.stringify(options)]);
  let cpuFrom = Number.NaN;
  let machineFrom = Number.NaN;
  let serverCpu = Number.NaN;
  let machineCpu = Number.NaN;
  try {
    for (;;) {
      const line = await generator.next();
      if (line.phase === 'measure') {
        cpuFrom = cpuSeconds(serverPid);
        machineFrom = machineCpuSeconds();
      } else if (line.phase === 'drain') {
        serverCpu = (cpuSeconds(serverPid) - cpuFrom) / seconds;
        machineCpu = (machineCpuSeconds() - machineFrom) / seconds;
      } else if (line.result) {
        const result = line.result as LoadResult;
        const othersCpu = Math.max(0, machineCpu - serverCpu - result.loadCpu);
        return { ...result, serverCpu, othersCpu } satisfies Measured;
      }
    }
  } finally {
    await stop(generator.child);
  }
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
  rows: number;
  rowsPerSecond: number;
  statementsPerSecond: number;
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
    if (parsed.events.length !== eventsPerBatch) throw new Error('a benchmark body failed validation');
    return parsed.events.map(rowOf);
  });

  const client: Client = createClient({ url, timeout: 5000 });
  const results: StorageResult[] = [];
  let unique = 0;
  try {
    for (const size of storageBatchSizes) {
      const placeholders = `(${eventColumns.map(() => '?').join(', ')})`;
      const sql = `INSERT INTO events (${eventColumns.join(', ')}) VALUES ${Array(size).fill(placeholders).join(', ')}`;
      const args: InValue[] = [];
      for (let i = 0; i < size; i++) args.push(...pool[i % pool.length]!);
      const insert = async () => {
        // Same rows every time but for the messageId, which must be new (unique index).
        for (let i = 0; i < size; i++) args[i * eventColumns.length + 1] = `s-${unique++}`;
        await client.execute({ sql, args });
      };
      const warmUntil = performance.now() + warmupSeconds * 500;
      while (performance.now() < warmUntil) await insert();
      let statements = 0;
      const cpuFrom = process.cpuUsage();
      const machineFrom = machineCpuSeconds();
      const start = performance.now();
      const end = start + seconds * 1000;
      while (performance.now() < end) {
        await insert();
        statements++;
      }
      const elapsed = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuFrom);
      const ownCpu = (cpu.user + cpu.system) / 1e6 / elapsed;
      const machineCpu = (machineCpuSeconds() - machineFrom) / elapsed;
      results.push({
        rowsPerStatement: size,
        rows: statements * size,
        rowsPerSecond: (statements * size) / elapsed,
        statementsPerSecond: statements / elapsed,
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
      runs.push(await load(server.url, publishableKey, concurrency, server.child.pid));
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
      runs.push(await load(server.url, 'pk_unused', concurrency, server.child.pid));
    }
  } finally {
    await stop(server.child);
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '-';
const pct = (share: number) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : '-');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
    .join('\n');
}

function machine(): string {
  const kernel = (() => {
    try {
      return execSync('uname -r', { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  return `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, Linux ${kernel}`;
}

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
          'storage INSERT',
          `${s.rowsPerStatement} rows/stmt`,
          fmt(s.statementsPerSecond),
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
    const bestStorage = storage.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
    const bestBare = bare.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const ratio = bestIngest.eventsPerSecond / bestStorage.rowsPerSecond;
    const v = ingest.verification;
    console.log(
      `\ningest ÷ storage: ${fmt(bestIngest.eventsPerSecond)} events/s (${bestIngest.concurrency} connections) ÷ ` +
        `${fmt(bestStorage.rowsPerSecond)} rows/s (${bestStorage.rowsPerStatement} rows/stmt) = ` +
        `${ratio.toFixed(2)} (goal ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
    );
    // Other processes on a shared machine take CPU from both sides unevenly; throughput per CPU-second
    // used is far less sensitive to them (but ignores I/O waits, which only the storage side has).
    const ingestPerCpu = Math.max(
      ...ingest.runs.map((r) => r.eventsPerSecond / r.serverCpu).filter(Number.isFinite),
    );
    const storagePerCpu = Math.max(...storage.map((s) => s.rowsPerSecond / s.cpu).filter(Number.isFinite));
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
    const failure = [...ingest.runs, ...bare].find((r) => r.firstFailure)?.firstFailure;
    if (failure) console.log(`first failure: ${failure}`);
    if (profileDir) console.log(`server CPU profile written to ${profileDir}`);
    console.log(
      `(total ${fmt((performance.now() - started) / 1000, 1)} s; load average ${load()} at the start, ` +
        `${loadNow()} at the end)`,
    );
    if (!intact) process.exitCode = 1;
  } finally {
    await Promise.all([...children].map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
