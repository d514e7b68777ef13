/**
 * The load generator (its own process): `concurrency` keep-alive connections, each sending
 * `POST /v1/batch` bodies of 20 events back to back (node:http, one request in flight per connection)
 * for a warm-up and then a measured window. Bodies are built before timing starts; only their
 * messageIds change per request (see bodies.ts), so no message is ever a duplicate.
 *
 * Usage: `node --import tsx test/bench/load.ts '{"url":...,"writeKey":...,"concurrency":16,...}'`.
 * Writes `{"phase":"measure"}` and `{"phase":"drain"}` lines when the measured window starts and
 * ends (so the parent can sample the server's CPU time), then one line of JSON: the LoadResult.
 */
import { Agent, request } from 'node:http';
import type { BatchResult } from '../../shared/schemas/message.ts';
import { buildTemplates, eventsPerBatch, fillBody, type Person, runPrefix, userCount } from './bodies.ts';

export interface LoadOptions {
  url: string;
  writeKey: string;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** Who the bodies are from (default: bodies.ts's 200 bench users in 40 accounts). */
  people?: Person[];
}

export interface LoadResult {
  concurrency: number;
  /** Length of the measured window, in seconds. */
  seconds: number;
  /** 200 answers completed inside the measured window. */
  requests: number;
  /** Events those answers acknowledged (`accepted`). */
  events: number;
  requestsPerSecond: number;
  eventsPerSecond: number;
  /** Latency of the measured requests, milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Over the whole run, warm-up and drain included: what the database must hold. */
  total: {
    requests: number;
    sentEvents: number;
    accepted: number;
    duplicates: number;
    rejected: number;
    failures: number;
  };
  /** The first failure seen (status and body, or a socket error), if any. */
  firstFailure: string | null;
  /** CPU time of this process over the measured window, as a share of one core. */
  loadCpu: number;
}

interface Answer {
  status: number;
  body: string;
}

function post(agent: Agent, target: URL, body: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index]!;
}

/** Runs the load and returns its figures; `onPhase` hears when the measured window starts and ends. */
async function runLoad(
  options: LoadOptions,
  onPhase: (phase: 'measure' | 'drain') => void = () => {},
): Promise<LoadResult> {
  const target = new URL(options.url);
  const templates = buildTemplates(options.writeKey, userCount, Date.now(), options.people);
  const prefix = runPrefix();
  // The widget posts text/plain (no CORS preflight); the key is in the body.
  const headers = { 'content-type': 'text/plain;charset=UTF-8' };
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });

  const latencies: number[] = [];
  let measuredRequests = 0;
  let measuredEvents = 0;
  const total = { requests: 0, sentEvents: 0, accepted: 0, duplicates: 0, rejected: 0, failures: 0 };
  let firstFailure: string | null = null;
  let sequence = 0;

  const start = performance.now();
  const measureFrom = start + options.warmupSeconds * 1000;
  const measureTo = measureFrom + options.seconds * 1000;
  // Phases change on a timer, or on the first completion that sees the time is up (a busy event
  // loop may run the I/O callbacks that end the run before the timer's own callback).
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
      const n = sequence++;
      const template = templates[n % templates.length]!;
      const body = fillBody(template, `${prefix}-${n.toString(36)}`);
      const sentAt = performance.now();
      total.requests++;
      total.sentEvents += eventsPerBatch;
      let answer: Answer;
      try {
        answer = await post(agent, target, body, headers);
      } catch (error) {
        total.failures++;
        firstFailure ??= `socket: ${(error as Error).message}`;
        // A server that is gone must not turn this loop into a busy spin.
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const doneAt = performance.now();
      advance(doneAt);
      if (answer.status !== 200) {
        total.failures++;
        firstFailure ??= `${answer.status}: ${answer.body.slice(0, 500)}`;
        continue;
      }
      const result = JSON.parse(answer.body) as BatchResult;
      total.accepted += result.accepted;
      total.duplicates += result.duplicates;
      total.rejected += result.rejectedCount;
      if (result.rejectedCount > 0) firstFailure ??= `rejected: ${answer.body.slice(0, 500)}`;
      if (doneAt >= measureFrom && doneAt <= measureTo) {
        measuredRequests++;
        measuredEvents += result.accepted;
        latencies.push(doneAt - sentAt);
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
    requests: measuredRequests,
    events: measuredEvents,
    requestsPerSecond: measuredRequests / options.seconds,
    eventsPerSecond: measuredEvents / options.seconds,
    p50: round(percentile(sorted, 0.5)),
    p90: round(percentile(sorted, 0.9)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN),
    total,
    firstFailure,
    loadCpu: Math.round(cpuInWindow * 100) / 100,
  };
}

// This file is a child process's entry point (run.ts imports its types only).
const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const result = await runLoad(options, (phase) => process.stdout.write(`${JSON.stringify({ phase })}\n`));
process.stdout.write(`${JSON.stringify({ result })}\n`);
