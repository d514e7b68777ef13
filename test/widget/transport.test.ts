import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import type { Logger } from '../../widget/logger.ts';
import { createStore } from '../../widget/storage.ts';
import { createTransport, type OutgoingMessage, type Transport } from '../../widget/transport.ts';
import {
  advance,
  batchUrl,
  type FakeEnv,
  FullStorage,
  fakeEnv,
  invalidMessages,
  type MemoryStorage,
  ok,
  prefix,
  start,
  status,
  storedIds,
  throwingStorage,
  tick,
  writeKey,
} from './fake-env.ts';

let env: FakeEnv;
let logger: Logger & { log: Mock<(...details: unknown[]) => void> };
const transports: Transport[] = [];
let counter = 0;

function transport(on: FakeEnv = env): Transport {
  const created = createTransport({
    url: batchUrl,
    writeKey,
    prefix,
    env: on,
    store: createStore(on.storage),
    logger,
  });
  transports.push(created);
  return created;
}

/** A valid track message stamped with the fake clock's time. */
function msg(extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  counter += 1;
  return {
    type: 'track',
    event: `Event ${counter}`,
    messageId: `m${counter}`,
    anonymousId: 'anon-1',
    timestamp: new Date(Date.now()).toISOString(),
    ...extra,
  } as OutgoingMessage;
}

function many(count: number, extra: Partial<OutgoingMessage> = {}): OutgoingMessage[] {
  return Array.from({ length: count }, () => msg(extra));
}

function deferred() {
  let resolve!: (response: Response) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<Response>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The delays the transport asked for, in order. */
const delays = () => vi.mocked(env.setTimeout).mock.calls.map((call) => call[1]);
const ids = (messages: OutgoingMessage[]) => messages.map((m) => m.messageId);
const logged = () => logger.log.mock.calls.map((call) => String(call[0]));

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  env = fakeEnv();
  logger = { on: true, log: vi.fn<(...details: unknown[]) => void>() };
  counter = 0;
});
afterEach(() => {
  for (const t of transports.splice(0)) t.stop();
  vi.useRealTimers();
});

describe('batching', () => {
  it('waits 1 s after the first message, then sends everything queued as one POST', async () => {
    const t = transport();
    const first = msg();
    t.enqueue(first);
    await advance(500);
    const second = msg();
    t.enqueue(second);
    await advance(499);
    expect(env.requests).toHaveLength(0);

    await advance(1);
    expect(env.requests).toHaveLength(1);
    const [request] = env.requests;
    expect(request!.url).toBe(batchUrl);
    expect(request!.init).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      credentials: 'omit',
      keepalive: true,
    });
    expect(request!.body).toEqual({
      batch: [first, second],
      sentAt: new Date(start + 1000).toISOString(),
      writeKey,
    });
    expect(invalidMessages(request!.body.batch)).toEqual([]);
  });

  it('sends at once when 20 messages are waiting, without waiting for the timer', async () => {
    const t = transport();
    const messages = many(20);
    for (const m of messages.slice(0, 19)) t.enqueue(m);
    await tick();
    expect(env.requests).toHaveLength(0);

    t.enqueue(messages[19]!);
    await tick();
    expect(env.sentIds()).toEqual([ids(messages)]);
  });

  it('has one request in flight at a time: a full batch arriving meanwhile goes out right after the answer', async () => {
    const answer = deferred();
    env.replies.push(() => answer.promise);
    const t = transport();
    const first = many(20);
    first.forEach(t.enqueue);
    await tick();
    const second = many(20);
    second.forEach(t.enqueue);
    await advance(5000);
    expect(env.requests).toHaveLength(1);

    answer.resolve(ok());
    await tick();
    expect(env.sentIds()).toEqual([ids(first), ids(second)]);
  });

  it('after an answer, a few leftover messages wait for the batch timer again', async () => {
    const answer = deferred();
    env.replies.push(() => answer.promise);
    const t = transport();
    many(20).forEach(t.enqueue);
    await tick();
    const leftovers = many(3);
    leftovers.forEach(t.enqueue);
    answer.resolve(ok());
    await tick();
    expect(env.requests).toHaveLength(1);

    await advance(999);
    expect(env.requests).toHaveLength(1);
    await advance(1);
    expect(env.sentIds()[1]).toEqual(ids(leftovers));
  });

  it('sends messages oldest first, whatever order they were queued in', async () => {
    const t = transport();
    const newer = msg({ timestamp: new Date(start + 5).toISOString() });
    const older = msg({ timestamp: new Date(start - 5).toISOString() });
    const same1 = msg();
    const same2 = msg();
    [newer, same1, older, same2].forEach(t.enqueue);
    await advance(1000);

    expect(env.sentIds()).toEqual([ids([older, same1, same2, newer])]);
  });

  it('drains a backlog in requests of at most 100 messages, oldest first', async () => {
    const backlog = Array.from({ length: 250 }, (_, i) =>
      msg({ timestamp: new Date(start - 250_000 + i).toISOString() }),
    );
    // Stored newest first: the order of storage keys must not matter.
    for (const m of [...backlog].reverse())
      env.localStorage.setItem(`${prefix}:m:${m.messageId}`, JSON.stringify(m));
    transport();
    await advance(1000);

    expect(env.sentIds().map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(env.sentIds().flat()).toEqual(ids(backlog));
    expect(storedIds(env.localStorage)).toEqual([]);
  });

  it('keeps each request under 450 KB, and sends bodies over 60 KB without keepalive', async () => {
    const t = transport();
    const big = many(20, { properties: { blob: 'x'.repeat(30 * 1024) } } as Partial<OutgoingMessage>);
    big.forEach(t.enqueue);
    await advance(1000);

    expect(env.requests.length).toBeGreaterThan(1);
    for (const request of env.requests) {
      expect(new TextEncoder().encode(String(request.init.body)).length).toBeLessThanOrEqual(450 * 1024);
      expect(request.init.keepalive).toBe(false);
    }
    expect(env.sentIds().flat()).toEqual(ids(big));
  });

  it('drops a message over 32 KB instead of storing or sending it, and logs why', async () => {
    const t = transport();
    const huge = msg({ properties: { blob: 'x'.repeat(33 * 1024) } } as Partial<OutgoingMessage>);
    const normal = msg();
    t.enqueue(huge);
    t.enqueue(normal);
    expect(storedIds(env.localStorage)).toEqual([normal.messageId]);
    await advance(1000);

    expect(env.sentIds()).toEqual([[normal.messageId]]);
    expect(logged()).toContainEqual(expect.stringMatching(/over the 32768-byte limit; dropped/));
  });
});

describe('persistence until acknowledged', () => {
  it('stores each message under its id until the server acknowledges it', async () => {
    const answer = deferred();
    env.replies.push(() => answer.promise);
    const t = transport();
    const m = msg();
    t.enqueue(m);
    expect(env.localStorage.getItem(`${prefix}:m:${m.messageId}`)).toBe(JSON.stringify(m));

    await advance(1000);
    expect(env.requests).toHaveLength(1);
    expect(storedIds(env.localStorage)).toEqual([m.messageId]);

    answer.resolve(ok());
    await tick();
    expect(storedIds(env.localStorage)).toEqual([]);
  });

  it('a new instance on the same storage sends what the previous one left, in timestamp order', async () => {
    const old = transport();
    const left: OutgoingMessage[] = [];
    for (let i = 0; i < 3; i++) {
      left.push(msg());
      old.enqueue(left[i]!);
      vi.setSystemTime(Date.now() + 10);
    }
    old.stop(); // the page unloads before the batch timer fires
    await advance(5000);
    expect(env.requests).toHaveLength(0);

    transport();
    await advance(1000);
    expect(env.requests.map((r) => r.body.batch)).toEqual([left]);
    expect(storedIds(env.localStorage)).toEqual([]);
  });

  it('keeps messages stored after a failed send, so the next page load sends them', async () => {
    env.replies.push(status(503), status(503));
    const old = transport();
    const m = msg();
    old.enqueue(m);
    await advance(1000);
    expect(env.requests).toHaveLength(1);
    old.stop();

    transport();
    await advance(1000);
    expect(env.sentIds()).toEqual([[m.messageId], [m.messageId]]);
  });

  it('deletes stored entries that are not messages, and leaves other keys and write keys alone', async () => {
    const good = msg();
    const other = msg();
    const storage = env.localStorage;
    storage.setItem(`${prefix}:m:${good.messageId}`, JSON.stringify(good));
    storage.setItem(`${prefix}:m:broken`, '{not json');
    storage.setItem(`${prefix}:m:untimed`, JSON.stringify({ type: 'track', event: 'x', anonymousId: 'a' }));
    storage.setItem(`${prefix}:anonymousId`, 'anon-1');
    storage.setItem(`waymark:pk_other_key_0000:m:${other.messageId}`, JSON.stringify(other));
    storage.setItem('host-app:setting', 'kept');
    transport();

    expect([...(storage as MemoryStorage).map.keys()].sort()).toEqual(
      [
        `${prefix}:m:${good.messageId}`,
        `${prefix}:anonymousId`,
        `waymark:pk_other_key_0000:m:${other.messageId}`,
        'host-app:setting',
      ].sort(),
    );
    await advance(1000);
    expect(env.sentIds()).toEqual([[good.messageId]]);
  });

  it('keeps at most 1000 unsent messages, dropping the oldest', async () => {
    env.isOnline = false;
    const t = transport();
    const messages = many(1005);
    messages.forEach(t.enqueue);
    expect(storedIds(env.localStorage)).toHaveLength(1000);
    expect(storedIds(env.localStorage)).not.toContain('m1');

    env.isOnline = true;
    env.fire('window', 'online');
    await tick();
    expect(env.sentIds().flat()).toEqual(ids(messages.slice(5)));
  });

  it.each([
    ['throws on every call', throwingStorage],
    ['is full', () => new FullStorage()],
  ])('sends from memory when localStorage %s', async (_, storage) => {
    env = fakeEnv({ localStorage: storage() });
    const t = transport();
    const m = msg();
    expect(() => t.enqueue(m)).not.toThrow();
    await advance(1000);

    expect(env.requests.map((r) => r.body.batch)).toEqual([[m]]);
    expect(logged()).toContain('storage unavailable; message kept in memory only');
  });

  it('sends from memory when there is no localStorage at all', async () => {
    env = fakeEnv({
      storage: () => {
        throw new ReferenceError('localStorage is not defined');
      },
    });
    const t = transport();
    const m = msg();
    t.enqueue(m);
    await advance(1000);
    expect(env.sentIds()).toEqual([[m.messageId]]);
  });
});

describe('retries', () => {
  it('retries network errors with exponential backoff and full jitter (random 0.5: 0.5 s, 1 s, 2 s, 4 s, 8 s)', async () => {
    env.replies.push(...Array.from({ length: 5 }, () => new TypeError('Failed to fetch')));
    const t = transport();
    const m = msg();
    t.enqueue(m);
    await advance(1000);
    expect(env.requests).toHaveLength(1);

    for (const delay of [500, 1000, 2000, 4000, 8000]) {
      const before = env.requests.length;
      await advance(delay - 1);
      expect(env.requests).toHaveLength(before);
      await advance(1);
      expect(env.requests).toHaveLength(before + 1);
    }
    expect(env.sentIds()).toEqual(Array.from({ length: 6 }, () => [m.messageId]));
    expect(storedIds(env.localStorage)).toEqual([]);
    await advance(120_000);
    expect(env.requests).toHaveLength(6);
  });

  it('draws each delay uniformly below 1 s, 2 s, 4 s, … capped at 60 s', async () => {
    const draws = [0.999, 0, 0.25, 0.999, 0.999, 0.999, 0.999, 0.999, 0.5, 0.999];
    env.random = vi.fn(() => draws.shift() ?? 0.999);
    env.replies.push(...Array.from({ length: 10 }, () => status(500)));
    transport().enqueue(msg());
    await advance(1000);
    for (let i = 0; i < 10; i++) await advance(60_000);

    expect(env.requests).toHaveLength(11);
    const bounds = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000];
    const expected = [0.999, 0, 0.25, 0.999, 0.999, 0.999, 0.999, 0.999, 0.5, 0.999].map(
      (draw, i) => draw * bounds[i]!,
    );
    expect(delays().slice(1)).toEqual(expected);
  });

  it.each([500, 502, 503, 504, 429, 408])('retries a batch answered with HTTP %i', async (code) => {
    env.replies.push(status(code));
    const t = transport();
    const m = msg();
    t.enqueue(m);
    await advance(1000);
    expect(storedIds(env.localStorage)).toEqual([m.messageId]);

    await advance(500);
    expect(env.sentIds()).toEqual([[m.messageId], [m.messageId]]);
    expect(storedIds(env.localStorage)).toEqual([]);
    expect(logged()).toContain('send failed; will retry');
  });

  it('waits as long as a Retry-After in seconds says', async () => {
    env.replies.push(status(429, { 'Retry-After': '7' }));
    transport().enqueue(msg());
    await advance(1000);
    await advance(6999);
    expect(env.requests).toHaveLength(1);
    await advance(1);
    expect(env.requests).toHaveLength(2);
  });

  it('waits until a Retry-After HTTP date', async () => {
    env.replies.push(() => status(503, { 'Retry-After': new Date(Date.now() + 5000).toUTCString() }));
    transport().enqueue(msg());
    await advance(1000);
    await advance(4999);
    expect(env.requests).toHaveLength(1);
    await advance(1);
    expect(env.requests).toHaveLength(2);
  });

  it('falls back to backoff when Retry-After is unreadable or in the past', async () => {
    env.replies.push(status(503, { 'Retry-After': 'soon' }), status(503, { 'Retry-After': '-3' }));
    transport().enqueue(msg());
    await advance(1000);
    await advance(500);
    expect(env.requests).toHaveLength(2);
    await advance(1000);
    expect(env.requests).toHaveLength(3);
    expect(delays().slice(1)).toEqual([500, 1000]);
  });

  it.each([400, 401, 403, 404, 413, 422])(
    'drops a batch answered with HTTP %i, logs it and never retries',
    async (code) => {
      env.replies.push(status(code));
      const t = transport();
      const dropped = many(2);
      dropped.forEach(t.enqueue);
      await advance(1000);
      expect(storedIds(env.localStorage)).toEqual([]);
      expect(logged()).toContain(`dropped 2 messages: HTTP ${code}`);

      await advance(120_000);
      expect(env.requests).toHaveLength(1);
      const next = msg();
      t.enqueue(next);
      await advance(1000);
      expect(env.sentIds()).toEqual([ids(dropped), [next.messageId]]);
    },
  );

  it('logs why a refused origin was refused (the 403 problem’s detail) and never retries it', async () => {
    const detail = "origin https://app.acme.test is not in this workspace's allowed origins";
    env.replies.push(
      new Response(JSON.stringify({ status: 403, code: 'origin_not_allowed', detail }), {
        status: 403,
        headers: { 'Content-Type': 'application/problem+json' },
      }),
    );
    transport().enqueue(msg());
    await advance(1000);
    expect(logged()).toContain(detail);
    await advance(120_000);
    expect(env.requests).toHaveLength(1);
  });

  it('on a 200 with success:false, keeps the accepted messages acknowledged and drops the rejected ones without retrying', async () => {
    const rejected = [{ index: 1, errors: [{ pointer: '/batch/1/event', detail: 'Required' }] }];
    env.replies.push(ok({ success: false, accepted: 2, duplicates: 0, rejected }));
    const t = transport();
    const batch = many(3);
    batch.forEach(t.enqueue);
    await advance(1000);

    expect(storedIds(env.localStorage)).toEqual([]);
    expect(logger.log).toHaveBeenCalledWith('the server rejected messages', rejected);
    await advance(120_000);
    expect(env.requests).toHaveLength(1);
    const next = msg();
    t.enqueue(next);
    await advance(1000);
    expect(env.sentIds()).toEqual([ids(batch), [next.messageId]]);
  });

  it('starts the backoff over after a success', async () => {
    env.replies.push(status(500), status(500), ok(), status(500));
    const t = transport();
    t.enqueue(msg());
    await advance(1000); // fails
    await advance(500); // fails
    await advance(1000); // succeeds
    t.enqueue(msg());
    await advance(1000); // fails
    await advance(500); // succeeds
    expect(env.requests).toHaveLength(5);
    expect(delays()).toEqual([1000, 500, 1000, 1000, 500]);
  });

  it('does not let new messages cut a backoff short; the retry carries them too', async () => {
    env.replies.push(status(503));
    const t = transport();
    const first = msg();
    t.enqueue(first);
    await advance(1000);
    const more = many(25);
    more.forEach(t.enqueue);
    await advance(499);
    expect(env.requests).toHaveLength(1);

    await advance(1);
    expect(env.sentIds()).toEqual([[first.messageId], ids([first, ...more])]);
  });

  it('treats a fetch that throws synchronously as a network error', async () => {
    let calls = 0;
    env.fetch = vi.fn((url: string, init: RequestInit) => {
      calls += 1;
      if (calls === 1) throw new TypeError('fetch is patched badly');
      return Promise.resolve(ok()).then((r) => {
        env.requests.push({ url, init, body: JSON.parse(String(init.body)) });
        return r;
      });
    });
    const t = transport();
    const m = msg();
    expect(() => t.enqueue(m)).not.toThrow();
    await advance(1000);
    expect(calls).toBe(1);
    await advance(500);
    expect(env.sentIds()).toEqual([[m.messageId]]);
  });
});

describe('offline', () => {
  it('waits for the online event instead of sending while offline', async () => {
    env.isOnline = false;
    const t = transport();
    const m = msg();
    t.enqueue(m);
    await advance(30_000);
    expect(env.requests).toHaveLength(0);

    env.isOnline = true;
    env.fire('window', 'online');
    await tick();
    expect(env.sentIds()).toEqual([[m.messageId]]);
  });

  it('tries again after 60 s when the online event never comes', async () => {
    env.isOnline = false;
    transport().enqueue(msg());
    await advance(1000);
    env.isOnline = true;
    await advance(59_999);
    expect(env.requests).toHaveLength(0);
    await advance(1);
    expect(env.requests).toHaveLength(1);
  });

  it('after a network error while offline, waits for the online event, which retries at once', async () => {
    env.replies.push(() => {
      env.isOnline = false;
      throw new TypeError('Failed to fetch');
    });
    const t = transport();
    t.enqueue(msg());
    await advance(1000);
    await advance(30_000);
    expect(env.requests).toHaveLength(1);

    env.isOnline = true;
    env.fire('window', 'online');
    await tick();
    expect(env.requests).toHaveLength(2);
    expect(storedIds(env.localStorage)).toEqual([]);
  });

  it('after a network error while offline, tries again 60 s later when no online event comes', async () => {
    env.replies.push(() => {
      env.isOnline = false;
      throw new TypeError('Failed to fetch');
    });
    transport().enqueue(msg());
    await advance(1000);
    env.isOnline = true;
    await advance(59_999);
    expect(env.requests).toHaveLength(1);
    await advance(1);
    expect(env.requests).toHaveLength(2);
  });

  it('the online event starts the backoff over', async () => {
    env.replies.push(...Array.from({ length: 5 }, () => status(503)));
    transport().enqueue(msg());
    await advance(1000);
    await advance(500);
    await advance(1000);
    await advance(2000);
    expect(env.requests).toHaveLength(4);

    env.fire('window', 'online'); // sends at once, and fails
    await tick();
    expect(env.requests).toHaveLength(5);
    await advance(500);
    expect(env.requests).toHaveLength(6);
    expect(delays().slice(1)).toEqual([500, 1000, 2000, 4000, 500]);
  });
});

describe('leaving the page', () => {
  it('on pagehide, hands unsent messages to sendBeacon as one text/plain batch and keeps them stored', async () => {
    const t = transport();
    const messages = many(3);
    messages.forEach(t.enqueue);
    env.fire('window', 'pagehide');
    await tick();

    expect(env.sendBeacon).toHaveBeenCalledTimes(1);
    expect(env.beacons).toEqual([
      {
        url: batchUrl,
        type: 'text/plain;charset=utf-8',
        body: { batch: messages, sentAt: new Date(start).toISOString(), writeKey },
      },
    ]);
    await advance(5000);
    expect(env.requests).toHaveLength(0);
    // A beacon's fate is unknown: the next page load sends them again (the server de-duplicates).
    expect(storedIds(env.localStorage)).toEqual(ids(messages));
    transport();
    await advance(1000);
    expect(env.sentIds()).toEqual([ids(messages)]);
  });

  it('falls back to fetch with keepalive when sendBeacon refuses the body', async () => {
    env.beaconAccepts = false;
    const t = transport();
    const messages = many(2);
    messages.forEach(t.enqueue);
    env.fire('window', 'pagehide');
    await tick();

    expect(env.requests).toHaveLength(1);
    expect(env.requests[0]!.init.keepalive).toBe(true);
    expect(env.requests[0]!.body.batch).toEqual(messages);
  });

  it('splits what it hands over at pagehide into bodies under 60 KB', async () => {
    const t = transport();
    const messages = many(10, { properties: { blob: 'y'.repeat(20 * 1024) } } as Partial<OutgoingMessage>);
    messages.forEach(t.enqueue);
    env.fire('window', 'pagehide');
    await tick();

    expect(env.beacons.length).toBeGreaterThan(1);
    for (const call of vi.mocked(env.sendBeacon).mock.calls)
      expect(call[1].size).toBeLessThanOrEqual(60 * 1024);
    expect(env.beacons.flatMap((b) => b.body.batch.map((m) => m.messageId))).toEqual(ids(messages));
  });

  it('flushes when the document becomes hidden, not when it becomes visible', async () => {
    const t = transport();
    t.enqueue(msg());
    env.fire('document', 'visibilitychange');
    await tick();
    expect(env.sendBeacon).not.toHaveBeenCalled();

    env.isHidden = true;
    env.fire('document', 'visibilitychange');
    await tick();
    expect(env.beacons.map((b) => b.body.batch.length)).toEqual([1]);
  });

  it('does not hand over messages already in flight', async () => {
    env.replies.push(() => deferred().promise);
    const t = transport();
    many(20).forEach(t.enqueue);
    await tick();
    const late = msg();
    t.enqueue(late);
    env.fire('window', 'pagehide');
    await tick();
    expect(env.beacons.map((b) => b.body.batch.map((m) => m.messageId))).toEqual([[late.messageId]]);
  });

  it('sends messages held only in memory again if the page lives on after pagehide', async () => {
    env = fakeEnv({ localStorage: new FullStorage() });
    const t = transport();
    const m = msg();
    t.enqueue(m);
    env.fire('window', 'pagehide');
    await tick();
    expect(env.beacons).toHaveLength(1);

    await advance(1000);
    expect(env.sentIds()).toEqual([[m.messageId]]);
  });

  it('pagehide with nothing unsent sends nothing', async () => {
    transport();
    env.fire('window', 'pagehide');
    await tick();
    expect(env.sendBeacon).not.toHaveBeenCalled();
    expect(env.fetch).not.toHaveBeenCalled();
  });
});

describe('stop', () => {
  it('removes its listeners and cancels the pending send', async () => {
    const t = transport();
    expect(env.listenerCount()).toBe(3);
    t.enqueue(msg());
    t.stop();
    expect(env.listenerCount()).toBe(0);
    await advance(5000);
    expect(env.fetch).not.toHaveBeenCalled();
  });
});

describe('envelope', () => {
  it('stamps sentAt with the time of sending, leaving each timestamp as it was', async () => {
    const t = transport();
    const m = msg();
    t.enqueue(m);
    env.replies.push(status(500));
    await advance(1000);
    await advance(500);
    expect(env.requests.map((r) => r.body.sentAt)).toEqual([
      new Date(start + 1000).toISOString(),
      new Date(start + 1500).toISOString(),
    ]);
    expect(env.requests.map((r) => r.body.batch[0]!.timestamp)).toEqual([m.timestamp, m.timestamp]);
  });
});
