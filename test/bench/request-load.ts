/**
 * A load generator for any route (its own process), as load.ts is for `POST /v1/batch`: `concurrency`
 * keep-alive connections, each sending one request after another (node:http, one in flight per
 * connection) for a warm-up and then a measured window. A GET without a body, or a POST of `bodies`
 * in turn (built by the parent before timing starts).
 *
 * Usage: `node --import tsx test/bench/request-load.ts '{"url":...,"method":"POST","bodies":[...],...}'`.
 * Writes `{"phase":"measure"}` and `{"phase":"drain"}` lines when the measured window starts and
 * ends (so the parent can sample the server's CPU time), then one line of JSON: the RequestLoadResult.
 */
import { Agent, request } from 'node:http';
import { percentile } from './children.ts';

export interface RequestLoadOptions {
  url: string;
  method: 'GET' | 'POST';
  /** POST bodies, sent in turn. */
  bodies?: string[];
  headers?: Record<string, string>;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
}

export interface RequestLoadResult {
  concurrency: number;
  seconds: number;
  /** 200 answers completed inside the measured window. */
  requests: number;
  requestsPerSecond: number;
  /** Latency of the measured requests, milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answers that were not 200, or socket errors, over the whole run. */
  failures: number;
  firstFailure: string | null;
  /** Mean size of an answer's body as sent (compressed or not), bytes. */
  answerBytes: number;
  /** CPU time of this process over the measured window, as a share of one core. */
  loadCpu: number;
}

function send(agent: Agent, target: URL, options: RequestLoadOptions, body: string | undefined) {
  return new Promise<{ status: number; bytes: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method,
        headers: {
          ...options.headers,
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (res.statusCode !== 200) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, bytes, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function runLoad(
  options: RequestLoadOptions,
  onPhase: (phase: 'measure' | 'drain') => void,
): Promise<RequestLoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const bodies = options.bodies ?? [];
  const latencies: number[] = [];
  let answerBytes = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let sequence = 0;

  const start = performance.now();
  const measureFrom = start + options.warmupSeconds * 1000;
  const measureTo = measureFrom + options.seconds * 1000;
  let phase: 'warmup' | 'measure' | 'drain' = 'warmup';
  let cpuAtStart = process.cpuUsage();
  let cpuInWindow = Number.NaN;
  const advance = (now: number) => {
    if (phase === 'warmup' && now >= measureFrom) {
      phase = 'measure';
      cpuAtStart = process.cpuUsage();
      onPhase('measure');
    }
    if (phase === 'measure' && now >= measureTo) {
      phase = 'drain';
      const used = process.cpuUsage(cpuAtStart);
      cpuInWindow = (used.user + used.system) / 1000 / (now - measureFrom);
      onPhase('drain');
    }
  };
  const startTimer = setTimeout(() => advance(performance.now()), measureFrom - performance.now());
  const endTimer = setTimeout(() => advance(performance.now()), measureTo - performance.now());

  const connection = async (): Promise<void> => {
    while (performance.now() < measureTo) {
      const body = bodies.length > 0 ? bodies[sequence++ % bodies.length] : undefined;
      const sentAt = performance.now();
      let answer: Awaited<ReturnType<typeof send>>;
      try {
        answer = await send(agent, target, options, body);
      } catch (error) {
        failures++;
        firstFailure ??= `socket: ${(error as Error).message}`;
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const doneAt = performance.now();
      advance(doneAt);
      if (answer.status !== 200) {
        failures++;
        firstFailure ??= `${answer.status}: ${answer.text.slice(0, 500)}`;
        continue;
      }
      if (doneAt >= measureFrom && doneAt <= measureTo) {
        latencies.push(doneAt - sentAt);
        answerBytes += answer.bytes;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, connection));
  advance(Math.max(performance.now(), measureTo));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  agent.destroy();

  const sorted = Float64Array.from(latencies).sort();
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    concurrency: options.concurrency,
    seconds: options.seconds,
    requests: latencies.length,
    requestsPerSecond: latencies.length / options.seconds,
    p50: round(percentile(sorted, 0.5)),
    p90: round(percentile(sorted, 0.9)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN),
    failures,
    firstFailure,
    answerBytes: latencies.length > 0 ? Math.round(answerBytes / latencies.length) : 0,
    loadCpu: Math.round(cpuInWindow * 100) / 100,
  };
}

// This file is a child process's entry point (scale.ts imports its types only).
const options = JSON.parse(process.argv[2] ?? '{}') as RequestLoadOptions;
const result = await runLoad(options, (phase) => process.stdout.write(`${JSON.stringify({ phase })}\n`));
process.stdout.write(`${JSON.stringify({ result })}\n`);
