/**
 * The load generator (its own process): `concurrency` keep-alive connections, each sending one
 * request after another (node:http, one in flight per connection) for a warm-up and then a measured
 * window. Two loads, one engine:
 * - ingestion (`LoadOptions`, run.ts and scale.ts): `POST /v1/batch` bodies of 20 events, built
 *   before timing starts; only their messageIds change per request (see bodies.ts), so no message is
 *   ever a duplicate. Every answer is read: what the server accepted is what the database must hold.
 * - any route (`RequestLoadOptions`, scale.ts): a GET without a body, or a POST of `bodies` in turn
 *   (built by the parent before timing starts); answers are counted, not read.
 *
 * Usage: `node --import tsx test/bench/load.ts '{"url":...,"writeKey":...,"concurrency":16,...}'`
 * (ingestion), or `'{"url":...,"method":"POST","bodies":[...],...}'` (a route: options with a
 * `method`). Writes `{"phase":"measure"}` and `{"phase":"drain"}` lines when the measured window
 * starts and ends (so the parent can sample the server's CPU time), then one line of JSON: the
 * LoadResult or RequestLoadResult.
 */
import { Agent, request } from 'node:http';
import type { BatchResult } from '../../shared/schemas/message.ts';
import { buildTemplates, eventsPerBatch, fillBody, type Person, runPrefix, userCount } from './bodies.ts';
import { percentile } from './children.ts';

/** The measured window, for both loads. */
interface Window {
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadOptions extends Window {
  url: string;
  writeKey: string;
  /** Who the bodies are from (default: bodies.ts's 200 bench users in 40 accounts). */
  people?: Person[];
}

export interface RequestLoadOptions extends Window {
  url: string;
  method: 'GET' | 'POST';
  /** POST bodies, sent in turn. */
  bodies?: string[];
  headers?: Record<string, string>;
}

/** What both loads report about the measured window. */
interface Measured {
  concurrency: number;
  /** Length of the measured window, in seconds. */
  seconds: number;
  /** 200 answers completed inside the measured window. */
  requests: number;
  requestsPerSecond: number;
  /** Latency of the measured requests, milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** The first failure seen (status and body, or a socket error), if any. */
  firstFailure: string | null;
  /** CPU time of this process over the measured window, as a share of one core. */
  loadCpu: number;
}

export interface LoadResult extends Measured {
  /** Events those answers acknowledged (`accepted`). */
  events: number;
  eventsPerSecond: number;
  /** Over the whole run, warm-up and drain included: what the database must hold. */
  total: {
    requests: number;
    sentEvents: number;
    accepted: number;
    duplicates: number;
    rejected: number;
    failures: number;
  };
}

export interface RequestLoadResult extends Measured {
  /** Answers that were not 200, or socket errors, over the whole run. */
  failures: number;
  /** Mean size of an answer's body as sent (compressed or not), bytes. */
  answerBytes: number;
}

interface Answer {
  status: number;
  /** The body's size as sent. */
  bytes: number;
  /** The body as text: every answer's when the load reads them, else a failure's only. */
  text: string;
}

/** What a load sends and makes of its answers; the engine (`drive`) does the rest. */
interface Load extends Window {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Keep the text of 200 answers too (for `answered`). */
  readAnswers: boolean;
  /** The body of the `n`th request (from 0), if any. */
  body(n: number): string | undefined;
  /** A 200 answer, `measured` when it completed inside the window; returns a failure to report, if any. */
  answered(answer: Answer, measured: boolean): string | undefined;
}

function send(agent: Agent, target: URL, load: Load, body: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: load.method,
        headers: {
          ...load.headers,
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (load.readAnswers || res.statusCode !== 200) chunks.push(chunk);
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

/**
 * Runs a load and returns what every load measures, with the count of requests sent and of
 * failures over the whole run; `onPhase` hears when the measured window starts and ends.
 */
async function drive(
  load: Load,
  onPhase: (phase: 'measure' | 'drain') => void,
): Promise<Measured & { sent: number; failures: number }> {
  const target = new URL(load.url);
  const agent = new Agent({ keepAlive: true, maxSockets: load.concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  let sequence = 0;

  const start = performance.now();
  const measureFrom = start + load.warmupSeconds * 1000;
  const measureTo = measureFrom + load.seconds * 1000;
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
      const body = load.body(sequence++);
      const sentAt = performance.now();
      let answer: Answer;
      try {
        answer = await send(agent, target, load, body);
      } catch (error) {
        failures++;
        firstFailure ??= `socket: ${(error as Error).message}`;
        // A server that is gone must not turn this loop into a busy spin.
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
      const measured = doneAt >= measureFrom && doneAt <= measureTo;
      const failure = load.answered(answer, measured);
      if (failure) firstFailure ??= failure;
      if (measured) latencies.push(doneAt - sentAt);
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, connection));
  advance(Math.max(performance.now(), measureTo));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  agent.destroy();

  const sorted = Float64Array.from(latencies).sort();
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    concurrency: load.concurrency,
    seconds: load.seconds,
    requests: latencies.length,
    requestsPerSecond: latencies.length / load.seconds,
    p50: round(percentile(sorted, 0.5)),
    p90: round(percentile(sorted, 0.9)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN),
    firstFailure,
    loadCpu: Math.round(cpuInWindow * 100) / 100,
    sent: sequence,
    failures,
  };
}

/** Ingestion: `POST /v1/batch` of 20-event bodies, each answer's counts added up. */
async function batchLoad(options: LoadOptions, onPhase: (phase: 'measure' | 'drain') => void) {
  const templates = buildTemplates(options.writeKey, userCount, Date.now(), options.people);
  const prefix = runPrefix();
  const total = { accepted: 0, duplicates: 0, rejected: 0 };
  let events = 0;
  const { sent, failures, ...measured } = await drive(
    {
      ...options,
      method: 'POST',
      // The widget posts text/plain (no CORS preflight); the key is in the body.
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      readAnswers: true,
      body: (n) => fillBody(templates[n % templates.length]!, `${prefix}-${n.toString(36)}`),
      answered(answer, inWindow) {
        const result = JSON.parse(answer.text) as BatchResult;
        total.accepted += result.accepted;
        total.duplicates += result.duplicates;
        total.rejected += result.rejectedCount;
        if (inWindow) events += result.accepted;
        return result.rejectedCount > 0 ? `rejected: ${answer.text.slice(0, 500)}` : undefined;
      },
    },
    onPhase,
  );
  const result: LoadResult = {
    ...measured,
    events,
    eventsPerSecond: events / options.seconds,
    total: { requests: sent, sentEvents: sent * eventsPerBatch, ...total, failures },
  };
  return result;
}

/** Any route: a GET, or a POST of `bodies` in turn; the answers' sizes added up. */
async function requestLoad(options: RequestLoadOptions, onPhase: (phase: 'measure' | 'drain') => void) {
  const bodies = options.bodies ?? [];
  let answerBytes = 0;
  const { sent: _, ...measured } = await drive(
    {
      ...options,
      headers: options.headers ?? {},
      readAnswers: false,
      body: (n) => (bodies.length > 0 ? bodies[n % bodies.length] : undefined),
      answered(answer, inWindow) {
        if (inWindow) answerBytes += answer.bytes;
        return undefined;
      },
    },
    onPhase,
  );
  const result: RequestLoadResult = {
    ...measured,
    answerBytes: measured.requests > 0 ? Math.round(answerBytes / measured.requests) : 0,
  };
  return result;
}

// This file is a child process's entry point (run.ts and scale.ts import its types only).
const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions | RequestLoadOptions;
const onPhase = (phase: 'measure' | 'drain') => process.stdout.write(`${JSON.stringify({ phase })}\n`);
const result = 'method' in options ? await requestLoad(options, onPhase) : await batchLoad(options, onPhase);
process.stdout.write(`${JSON.stringify({ result })}\n`);
