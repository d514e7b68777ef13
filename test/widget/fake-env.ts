import { vi } from 'vitest';
import { message } from '../../shared/schemas/message.ts';
import type { Env, PageContext } from '../../widget/env.ts';

/**
 * A browser for the widget made of parts the test controls: an in-memory localStorage, a scripted
 * server behind `fetch`, recorded beacons, a fake history and location, and listeners the test fires.
 * Timers and the clock are vitest's fake ones (call `vi.useFakeTimers()` first).
 */

export const origin = 'https://waymark.test';
export const batchUrl = `${origin}/v1/batch`;
export const writeKey = 'pk_test_0123456789abcdef';
/** What createWaymark derives from writeKey: `waymark:${writeKey.slice(0, 16)}`. */
export const prefix = `waymark:${writeKey.slice(0, 16)}`;
export const start = Date.parse('2026-11-23T10:00:00.000Z');

/** localStorage in memory, keeping insertion order like browsers do. */
export class MemoryStorage implements Storage {
  readonly map = new Map<string, string>();
  [name: string]: unknown;
  get length() {
    return this.map.size;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, String(value));
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  clear() {
    this.map.clear();
  }
}

/** Storage that throws on every call and property read, like a disabled or sandboxed one. */
export function throwingStorage(): Storage {
  return new Proxy({} as Storage, {
    get() {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    },
  });
}

/** Storage that reads fine but is full: every write throws QuotaExceededError. */
export class FullStorage extends MemoryStorage {
  override setItem(): void {
    throw new DOMException('Storage is full', 'QuotaExceededError');
  }
}

/** One scripted answer of the fake server. */
export type Reply = Response | Error | (() => Response | Promise<Response>);

export interface SentRequest {
  url: string;
  init: RequestInit;
  body: { batch: Array<Record<string, unknown>>; sentAt: string; writeKey: string };
}

export interface Beacon {
  url: string;
  type: string;
  body: SentRequest['body'];
}

export interface FakeEnv extends Env {
  localStorage: Storage;
  /** Answers for the next requests, in order; when empty, every request gets `ok()`. */
  replies: Reply[];
  requests: SentRequest[];
  beacons: Beacon[];
  /** Whether navigator.sendBeacon accepts the body. */
  beaconAccepts: boolean;
  isOnline: boolean;
  isHidden: boolean;
  location: PageContext;
  fakeHistory: History;
  /** Dispatches an event to the listeners the widget added through `listen`. */
  fire(target: 'window' | 'document', type: string): void;
  listenerCount(): number;
  /** Ids of the messages of every request, in order. */
  sentIds(): string[][];
  /** `uuid()` returns `id-1`, `id-2`, ... */
  uuids: number;
}

export function ok(body: unknown = { success: true, accepted: 1, duplicates: 0, rejected: [] }): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

export function status(code: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ code: 'x' }), { status: code, headers });
}

export function fakeEnv(overrides: Partial<Env> & { localStorage?: Storage } = {}): FakeEnv {
  const listeners = new Map<string, Set<(event: Event) => void>>();
  const setPath = (url: string | URL | null | undefined) => {
    if (url == null) return;
    const next = new URL(String(url), env.location.url);
    env.location = {
      ...env.location,
      path: next.pathname,
      search: next.search,
      url: next.href,
    };
  };
  const fakeHistory = {
    length: 1,
    scrollRestoration: 'auto',
    state: null,
    back() {},
    forward() {},
    go() {},
    pushState(_data: unknown, _unused: string, url?: string | URL | null) {
      setPath(url);
    },
    replaceState(_data: unknown, _unused: string, url?: string | URL | null) {
      setPath(url);
    },
  } as History;

  const env: FakeEnv = {
    localStorage: overrides.localStorage ?? new MemoryStorage(),
    replies: [],
    requests: [],
    beacons: [],
    beaconAccepts: true,
    isOnline: true,
    isHidden: false,
    uuids: 0,
    location: {
      path: '/start',
      url: 'https://app.example.com/start?x=1',
      title: 'Start',
      referrer: 'https://google.com/',
      search: '?x=1',
    },
    fakeHistory,
    now: () => Date.now(),
    random: () => 0.5,
    uuid: () => `id-${++env.uuids}`,
    setTimeout: vi.fn((callback: () => void, ms: number) => setTimeout(callback, ms)),
    clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
    fetch: vi.fn(async (url: string, init: RequestInit) => {
      env.requests.push({ url, init, body: JSON.parse(String(init.body)) });
      const reply = env.replies.shift() ?? ok();
      if (reply instanceof Error) throw reply;
      return typeof reply === 'function' ? reply() : reply;
    }),
    sendBeacon: vi.fn((url: string, body: Blob) => {
      if (!env.beaconAccepts) return false;
      // Blob.text() is async; the tests read `beacons` after awaiting `tick()`.
      void body.text().then((text) => env.beacons.push({ url, type: body.type, body: JSON.parse(text) }));
      return true;
    }),
    online: () => env.isOnline,
    hidden: () => env.isHidden,
    storage: () => env.localStorage,
    history: () => fakeHistory,
    listen(target, type, listener) {
      const key = `${target}:${type}`;
      const set = listeners.get(key) ?? new Set();
      listeners.set(key, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    page: () => ({ ...env.location }),
    locale: () => 'en-GB',
    userAgent: () => 'FakeBrowser/1.0',
    fire(target, type) {
      for (const listener of [...(listeners.get(`${target}:${type}`) ?? [])]) listener(new Event(type));
    },
    listenerCount: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0),
    sentIds: () => env.requests.map((request) => request.body.batch.map((m) => String(m.messageId))),
    ...overrides,
  };
  return env;
}

/** Lets pending promise callbacks (fetch answers, Blob reads) run without moving the clock. */
export async function tick(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Moves the fake clock, running timers and the promise callbacks they start. */
export async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await tick();
}

/** The zod issues of every message that is not valid Segment format (empty when all are). */
export function invalidMessages(messages: unknown[]): unknown[] {
  return messages.flatMap((m) => {
    const result = message.safeParse(m);
    return result.success ? [] : [{ message: m, issues: result.error.issues }];
  });
}

/** Keys of the messages stored under `prefix` (`${prefix}:m:<messageId>`), as message ids. */
export function storedIds(storage: Storage, keyPrefix = prefix): string[] {
  const ids: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(`${keyPrefix}:m:`)) ids.push(key.slice(`${keyPrefix}:m:`.length));
  }
  return ids;
}
