/**
 * What the benchmarks share (run.ts, scale.ts): child processes that answer in JSON lines, CPU time
 * of a process and of the whole machine from /proc, a measured load window with the CPU each side
 * used, the machine's description and a plain text table.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const benchDir = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(benchDir, '../..');
const children = new Set<ChildProcess>();

export interface Spawned {
  child: ChildProcess;
  /** The next line the child writes to stdout, parsed as JSON. */
  next(): Promise<Record<string, unknown>>;
  stderr(): string;
}

/** Runs `test/bench/<file>` under tsx in its own process; its stdout is read as JSON lines. */
export function spawnChild(
  file: string,
  args: string[],
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Spawned {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', join(benchDir, file), ...args], {
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
  return {
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
}

/** SIGTERM, then SIGKILL after 8 s; resolves once the child has exited. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 8000).unref();
  });
}

/** Stops every child this process started and has not stopped yet. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stop));
}

/** A server child (server.ts, bare-server.ts) that prints `{"port": N}` once listening. */
export async function startServer(file: string, env: Record<string, string> = {}, nodeFlags: string[] = []) {
  const spawned = spawnChild(file, [], env, nodeFlags);
  const { port } = (await spawned.next()) as { port: number };
  return { ...spawned, origin: `http://127.0.0.1:${port}` };
}

// CPU time (user + system) of a process, in seconds, from /proc (Linux).
const ticksPerSecond = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export function cpuSeconds(pid: number | undefined): number {
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
export function machineCpuSeconds(): number {
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

/**
 * CPU used over a stretch of time: by the processes named (`pids`, each a share of one core), by this
 * process, and by everything else on the machine (`othersCpu`, in cores: the noise of a shared machine).
 *
 * @example
 * const meter = cpuMeter([server.pid]); await work(); meter.read() // { pids: [0.93], own: 0.1, othersCpu: 0.05, seconds: 5 }
 */
export function cpuMeter(pids: Array<number | undefined>) {
  const from = pids.map(cpuSeconds);
  const ownFrom = process.cpuUsage();
  const machineFrom = machineCpuSeconds();
  const start = performance.now();
  return {
    read(extraCores = 0) {
      const seconds = (performance.now() - start) / 1000;
      const used = pids.map((pid, i) => (cpuSeconds(pid) - from[i]!) / seconds);
      const ownUsage = process.cpuUsage(ownFrom);
      const own = (ownUsage.user + ownUsage.system) / 1e6 / seconds;
      const machine = (machineCpuSeconds() - machineFrom) / seconds;
      const known = used.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) + own + extraCores;
      return { pids: used, own, othersCpu: Math.max(0, machine - known), seconds };
    },
  };
}

/** What a load generator child reports: its own CPU over the measured window, as a share of one core. */
interface GeneratorResult {
  loadCpu: number;
}

/**
 * Runs one load generator child (`file`, options as its one JSON argument) and samples the CPU of
 * `serverPids` and of the machine over its measured window, between its `{"phase":"measure"}` and
 * `{"phase":"drain"}` lines. `serverCpu` is the first server's share of a core; `othersCpu` what every
 * process but those servers and the generator used (in cores).
 */
export async function measureWindow<R extends GeneratorResult>(
  file: string,
  options: object,
  serverPids: Array<number | undefined>,
): Promise<R & { serverCpu: number; serverCpus: number[]; othersCpu: number }> {
  const generator = spawnChild(file, [JSON.stringify(options)]);
  let meter: ReturnType<typeof cpuMeter> | null = null;
  let reading: ReturnType<ReturnType<typeof cpuMeter>['read']> | null = null;
  let machineInWindow = Number.NaN;
  try {
    for (;;) {
      const line = await generator.next();
      if (line.phase === 'measure') meter = cpuMeter(serverPids);
      else if (line.phase === 'drain' && meter) {
        reading = meter.read();
        machineInWindow = reading.othersCpu + reading.pids.reduce((a, b) => a + b, 0) + reading.own;
      } else if (line.result) {
        const result = line.result as R;
        const serverCpus = reading?.pids ?? serverPids.map(() => Number.NaN);
        // The generator's CPU is known only now: take it out of what "others" used in the window.
        const othersCpu = Math.max(
          0,
          machineInWindow - serverCpus.reduce((a, b) => a + b, 0) - result.loadCpu - (reading?.own ?? 0),
        );
        return { ...result, serverCpu: serverCpus[0] ?? Number.NaN, serverCpus, othersCpu };
      }
    }
  } finally {
    await stop(generator.child);
  }
}

// ---------------------------------------------------------------------------------------------------
// Printing

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '-';
export const pct = (share: number): string => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : '-');

/** Rows as aligned columns: the first `leftColumns` padded on the right, the others (numbers) on the left. */
export function table(rows: string[][], leftColumns = 2): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** CPUs, their model, memory, Node and the kernel: the first line of every benchmark's output. */
export function machine(): string {
  const kernel = (() => {
    try {
      return execSync('uname -r', { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  const memory = Math.round(totalmem() / 2 ** 30);
  return `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${memory} GB RAM, Node ${process.version}, Linux ${kernel}`;
}

/** Percentile by nearest rank of sorted values (`p` in 0..1). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index]!;
}
