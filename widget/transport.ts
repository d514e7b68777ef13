import type { limits, MessageInput } from '../shared/schemas/message.ts';
import type { Env } from './env.ts';
import type { Logger } from './logger.ts';
import { safeCall } from './safe-call.ts';
import type { Store } from './storage.ts';

/** A message ready to send: the widget always sets its id and timestamp. */
export type OutgoingMessage = MessageInput & { messageId: string; timestamp: string };

export interface TransportOptions {
  /** `${apiOrigin}/v1/batch` */
  url: string;
  writeKey: string;
  /** Storage prefix of this write key; messages live under `${prefix}:m:<messageId>`. */
  prefix: string;
  env: Env;
  store: Store;
  logger: Logger;
  /** Called with the ids of each batch the server acknowledged (the content client confirms local ticks). */
  onDelivered?: (messageIds: string[]) => void;
}

export interface Transport {
  /** Stores the message and schedules its sending. */
  enqueue(message: OutgoingMessage): void;
  /** Sends now (one request at a time), unless waiting for a retry or for the network. */
  flush(): void;
  /** Removes listeners and timers (tests, or a second instance replacing this one). */
  stop(): void;
}

/**
 * limits.messageBytes, pinned by its literal type: importing the value would bundle zod, because
 * message.ts builds its schemas at module level. tsc fails here if the shared limit changes.
 */
const messageBytes: (typeof limits)['messageBytes'] = 32 * 1024;
/** Unsent messages that trigger a send at once. */
const batchCount = 20;
/** How long the first unsent message waits for others. */
const batchDelayMs = 1000;
/** Per request; a backlog (after a reload or an outage) drains in several. */
const maxBatchCount = 100;
/** Under limits.requestBytes (500 KB), with room for the envelope. */
const maxRequestBytes = 450 * 1024;
/** Browsers refuse keepalive and beacon bodies once 64 KB are in flight for the page. */
const keepaliveBytes = 60 * 1024;
/** Stored messages beyond this drop the oldest: a visitor offline for days must not fill storage. */
const maxStored = 1000;
/** A request body's size without its messages, rounded up: `{"batch":[],"sentAt":…,"writeKey":…}`. */
const envelopeBytes = 200;
const backoffBaseMs = 1000;
const backoffCapMs = 60_000;

interface Entry {
  id: string;
  json: string;
  bytes: number;
  timestamp: string;
  /** Whether storage holds a copy: only then may a beacon leave the message to the next page load. */
  stored: boolean;
}

/**
 * Batches messages to `POST /v1/batch`: persisted per message until acknowledged, retried with
 * backoff, flushed by beacon when the page goes away. Delivery is at-least-once; the server
 * de-duplicates by messageId, so resending (another tab, a beacon that did arrive) is harmless.
 *
 * @example
 * const transport = createTransport({ url: `${origin}/v1/batch`, writeKey, prefix, env, store, logger })
 * transport.enqueue({ type: 'track', event: 'Signed Up', messageId, timestamp, anonymousId })
 */
export function createTransport({
  url,
  writeKey,
  prefix,
  env,
  store,
  logger,
  onDelivered,
}: TransportOptions): Transport {
  const keyPrefix = `${prefix}:m:`;
  const pending = new Map<string, Entry>();
  let timer: unknown;
  /** A retry or the `online` event is due: new messages do not trigger a send before it. */
  let waiting = false;
  /** The messages of the request out (one at a time); empty when none is. */
  let inFlight: Entry[] = [];
  let attempt = 0;

  const add = (entry: Entry) => {
    pending.set(entry.id, entry);
    // One in, one out: the first in the map is the oldest (adopted messages are added in order).
    const [oldest] = pending.values();
    if (pending.size > maxStored && oldest) {
      logger.log('unsent messages over the limit; dropped the oldest', oldest.json);
      remove(oldest);
    }
  };
  const remove = (entry: Entry) => {
    pending.delete(entry.id);
    store.remove(keyPrefix + entry.id);
  };
  const unsent = () => [...pending.values()].filter((entry) => !inFlight.includes(entry)).sort(byTimestamp);
  const later = (ms: number) => {
    env.clearTimeout(timer);
    timer = env.setTimeout(safeCall(logger, flush), ms);
  };
  /** Sends nothing before `ms` have passed (or the `online` event), whatever is enqueued meanwhile. */
  const wait = (ms: number) => {
    waiting = true;
    later(ms);
  };
  const envelope = (entries: Entry[]) =>
    JSON.stringify({
      batch: entries.map((entry) => JSON.parse(entry.json)),
      sentAt: new Date(env.now()).toISOString(),
      writeKey,
    });

  // Adopt what earlier page loads (or other tabs) stored and the server never acknowledged.
  const adopted: Entry[] = [];
  for (const key of store.keys(keyPrefix)) {
    const json = store.get(key) ?? '';
    const timestamp = readTimestamp(json);
    if (timestamp) adopted.push(entry(key.slice(keyPrefix.length), json, timestamp));
    else store.remove(key);
  }
  adopted.sort(byTimestamp).forEach(add);

  function kick() {
    if (inFlight.length || waiting) return;
    if (pending.size >= batchCount) flush();
    else if (pending.size && timer === undefined) later(batchDelayMs);
  }

  function flush() {
    env.clearTimeout(timer);
    timer = undefined;
    waiting = false;
    if (inFlight.length || !pending.size) return;
    // Offline: the `online` event resumes; the long timer covers a browser that never fires it.
    if (!env.online()) return wait(backoffCapMs);
    const batch = chunks(unsent(), maxRequestBytes, maxBatchCount)[0] ?? [];
    inFlight = batch;
    const body = envelope(batch);
    post(env, url, body, byteLength(body) < keepaliveBytes)
      .then(
        (response) => settle(batch, response),
        (error: unknown) => settle(batch, undefined, error),
      )
      .catch((error: unknown) => logger.log('internal error', error));
  }

  function settle(batch: Entry[], response?: Response, error?: unknown) {
    inFlight = [];
    const status = response?.status ?? 0;
    if (!response || status === 408 || status === 429 || status >= 500) {
      logger.log('send failed; will retry', status || error);
      // Offline: as in flush(), the `online` event resumes (and starts the backoff over).
      if (!response && !env.online()) return wait(backoffCapMs);
      const exponential = Math.min(backoffCapMs, backoffBaseMs * 2 ** attempt++);
      // Full jitter (a uniform delay up to the exponential bound) spreads out tabs that failed together.
      return wait(
        retryAfterMs(response?.headers.get('Retry-After'), env.now()) ?? env.random() * exponential,
      );
    }
    // Delivered, or refused (400, 401, 403, 413...: the same request would never succeed).
    attempt = 0;
    batch.forEach(remove);
    if (response.ok) {
      if (logger.on) {
        response
          .json()
          .then((body: { rejected?: unknown }) => {
            if (Array.isArray(body.rejected) && body.rejected.length)
              logger.log('the server rejected messages', body.rejected);
          })
          .catch(() => undefined);
      }
      onDelivered?.(batch.map((entry) => entry.id));
    } else {
      logger.log(`dropped ${batch.length} messages: HTTP ${status}`, batch);
      if (logger.on) reason(response).then((text) => logger.log(text));
    }
    kick();
  }

  /** The page may be going away: hand what is unsent to the browser, which delivers it after unload. */
  function flushOnExit() {
    for (const batch of chunks(unsent(), keepaliveBytes, Number.POSITIVE_INFINITY)) {
      const body = envelope(batch);
      if (!env.sendBeacon(url, new Blob([body], { type: textPlain }))) {
        post(env, url, body, true).catch(() => undefined);
      }
      // A beacon's fate is unknown. Stored messages stay stored for the next page load to resend (the
      // server de-duplicates them); messages only held in memory stay there in case this page lives on.
      for (const entry of batch) if (entry.stored) pending.delete(entry.id);
    }
  }

  const unlisten = [
    env.listen(
      'window',
      'online',
      safeCall(logger, () => {
        attempt = 0;
        flush();
      }),
    ),
    env.listen('window', 'pagehide', safeCall(logger, flushOnExit)),
    env.listen(
      'document',
      'visibilitychange',
      safeCall(logger, () => env.hidden() && flushOnExit()),
    ),
  ];
  kick();

  return {
    enqueue(message) {
      const added = entry(message.messageId, JSON.stringify(message), message.timestamp);
      if (added.bytes > messageBytes) {
        logger.log(`message over the ${messageBytes}-byte limit; dropped`, message);
        return;
      }
      added.stored = store.set(keyPrefix + added.id, added.json);
      if (!added.stored) logger.log('storage unavailable; message kept in memory only');
      add(added);
      kick();
    },
    flush,
    stop() {
      env.clearTimeout(timer);
      for (const remove of unlisten) remove();
    },
  };
}

/** The type of every body the widget sends: text/plain keeps a request CORS-simple (no preflight). */
const textPlain = 'text/plain;charset=UTF-8';

/**
 * `POST`s `body` to the Waymark server (the key travels in the body), without cookies. A synchronous
 * throw of a patched fetch becomes a rejection. Also content.ts's request.
 *
 * @example
 * post(env, `${origin}/v1/batch`, body, true).then((response) => response.ok)
 */
export function post(env: Env, url: string, body: string, keepalive = false): Promise<Response> {
  return new Promise((resolve) =>
    resolve(
      env.fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': textPlain },
        body,
        credentials: 'omit',
        keepalive,
      }),
    ),
  );
}

/**
 * Why the server refused a request, for the debug log: its problem's `detail` (such as "origin
 * https://app.acme.com is not in this workspace's allowed origins"), else the status. Never rejects.
 */
export function reason(response: Response): Promise<string> {
  return response.json().then(
    (problem: { detail?: unknown } | null) =>
      typeof problem?.detail === 'string' ? problem.detail : `HTTP ${response.status}`,
    () => `HTTP ${response.status}`,
  );
}

/** A message as stored (enqueue() corrects `stored` when storage refused it). */
function entry(id: string, json: string, timestamp: string): Entry {
  return { id, json, bytes: byteLength(json), timestamp, stored: true };
}

/** Stable, so messages of the same millisecond keep their call order. */
function byTimestamp(a: Entry, b: Entry): number {
  return a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Splits entries into runs of at most `maxBytes` (envelope included) and `maxCount` messages. */
function chunks(entries: Entry[], maxBytes: number, maxCount: number): Entry[][] {
  const runs: Entry[][] = [];
  let run: Entry[] = [];
  /** The run's body so far: the envelope, then each message and a comma. */
  let bytes = envelopeBytes;
  for (const entry of entries) {
    bytes += entry.bytes + 1;
    if (run.length && (run.length >= maxCount || bytes > maxBytes)) {
      runs.push(run);
      run = [];
      bytes = envelopeBytes + entry.bytes + 1;
    }
    run.push(entry);
  }
  if (run.length) runs.push(run);
  return runs;
}

function readTimestamp(json: string): string | undefined {
  try {
    const timestamp: unknown = JSON.parse(json).timestamp;
    return typeof timestamp === 'string' ? timestamp : undefined;
  } catch {
    return undefined;
  }
}

/** `Retry-After` is seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isNaN(seconds) ? Date.parse(header) - now : seconds * 1000;
  return ms >= 0 ? ms : undefined;
}
