import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { version } from '../../package.json';
import { snippet } from '../../shared/install-snippet.ts';
import { message } from '../../shared/schemas/message.ts';
import { createWaymark, type Waymark, type WaymarkApi, type WaymarkOptions } from '../../widget/waymark.ts';
import {
  advance,
  type FakeEnv,
  FullStorage,
  fakeEnv,
  invalidMessages,
  MemoryStorage,
  origin,
  prefix,
  start,
  throwingStorage,
  tick,
  writeKey,
} from './fake-env.ts';

let env: FakeEnv;
const instances: Waymark[] = [];

function boot(options: Partial<WaymarkOptions> = {}): WaymarkApi {
  const waymark = createWaymark({ writeKey, apiOrigin: origin, env, autoPage: false, ...options });
  instances.push(waymark);
  return waymark.api;
}

/** Lets the batch timer fire and returns every message sent so far, in order. */
async function sent(): Promise<Array<Record<string, unknown>>> {
  await advance(1000);
  return env.requests.flatMap((request) => request.body.batch);
}

/** The call as a loose function, to pass what TypeScript would refuse. */
function loose(api: WaymarkApi, method: keyof WaymarkApi): (...args: unknown[]) => unknown {
  return api[method] as (...args: unknown[]) => unknown;
}

const iso = (ms: number) => new Date(ms).toISOString();
const context = (extra: Record<string, unknown> = {}) => ({
  page: env.page(),
  locale: 'en-GB',
  userAgent: 'FakeBrowser/1.0',
  library: { name: 'waymark.js', version },
  ...extra,
});

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  env = fakeEnv();
});
afterEach(() => {
  for (const waymark of instances.splice(0)) waymark.stop();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('messages', () => {
  it('track sends a Segment track message with ids, timestamp and context', async () => {
    const api = boot();
    vi.setSystemTime(start + 250);
    api.track('Invoice Sent', { amount: 120 });

    const messages = await sent();
    expect(messages).toEqual([
      {
        type: 'track',
        event: 'Invoice Sent',
        properties: { amount: 120 },
        messageId: 'id-2',
        anonymousId: 'id-1',
        timestamp: iso(start + 250),
        context: context(),
      },
    ]);
    expect(invalidMessages(messages)).toEqual([]);
    expect(env.requests[0]!.url).toBe(`${origin}/v1/batch`);
    expect(env.requests[0]!.body.writeKey).toBe(writeKey);
  });

  it('every public method sends a message that is valid against the shared schema', async () => {
    const api = boot();
    api.identify('u1', { name: 'Ann' }, { userHash: 'a1b2' });
    api.group('acme', { plan: 'pro' });
    api.track('Clicked', { button: 'save' });
    api.page('Pricing', { variant: 'b' });

    const messages = await sent();
    expect(messages.map((m) => m.type)).toEqual(['identify', 'group', 'track', 'page']);
    expect(invalidMessages(messages)).toEqual([]);
    expect(messages.map((m) => message.parse(m).userId)).toEqual(['u1', 'u1', 'u1', 'u1']);
  });

  it('identify names the user on its message and every later one; a numeric id becomes a string', async () => {
    const api = boot();
    api.track('Before');
    api.identify(42, { name: 'Ann' }, { userHash: 'abc' });
    api.track('After');

    const [before, identify, after] = await sent();
    expect(before).not.toHaveProperty('userId');
    expect(identify).toMatchObject({
      type: 'identify',
      userId: '42',
      anonymousId: 'id-1',
      traits: { name: 'Ann' },
      context: { userHash: 'abc' },
    });
    expect(after).toMatchObject({ userId: '42', anonymousId: 'id-1', context: { userHash: 'abc' } });
  });

  it('group names the account on its message and as context.groupId on later messages', async () => {
    const api = boot();
    api.group(7, { plan: 'pro' });
    api.track('After');

    const [group, after] = await sent();
    expect(group).toMatchObject({
      type: 'group',
      groupId: '7',
      traits: { plan: 'pro' },
      context: { groupId: '7' },
    });
    expect(after).toMatchObject({ type: 'track', context: { groupId: '7' } });
  });

  it('group sends its groupHash as context.groupHash, on its message and every later one of that account', async () => {
    const api = boot();
    api.identify('u1', {}, { userHash: 'u1-hash' });
    api.group('acme', { plan: 'pro' }, { groupHash: 'acme-hash' });
    api.track('Signed');
    api.group('globex');
    api.track('Other account');
    api.group('acme', {}, { groupHash: 'acme-hash' });
    api.reset();
    api.track('After logout');

    const [, group, signed, globex, other, , afterReset] = await sent();
    const both = { userHash: 'u1-hash', groupId: 'acme', groupHash: 'acme-hash' };
    expect(group).toMatchObject({ type: 'group', groupId: 'acme', context: both });
    expect(group).not.toHaveProperty('groupHash'); // one place for it, as for userHash
    expect(signed).toMatchObject({ type: 'track', context: both });
    // Another account without a hash of its own: the old one is not sent for it.
    expect(globex!.context).toMatchObject({ groupId: 'globex' });
    expect(globex!.context).not.toHaveProperty('groupHash');
    expect(other!.context).not.toHaveProperty('groupHash');
    expect(afterReset!.context).toEqual(context());
  });

  it('page sends the name, the properties and where the visitor is', async () => {
    const api = boot();
    api.page('Pricing', { variant: 'b' });
    api.page();

    const [named, bare] = await sent();
    expect(named).toMatchObject({
      type: 'page',
      name: 'Pricing',
      properties: { variant: 'b' },
      context: { page: env.location },
    });
    expect(bare).not.toHaveProperty('name');
    expect(bare).not.toHaveProperty('properties');
    expect(bare!.context).toEqual(context());
  });

  it('reset() starts a new anonymous visitor: later messages carry no userId, account or hash', async () => {
    const api = boot();
    api.identify('u1', { name: 'Ann' }, { userHash: 'abc' });
    api.group('acme');
    api.reset();
    api.track('After logout');

    const messages = await sent();
    expect(messages).toHaveLength(3); // reset sends nothing
    const after = messages[2]!;
    expect(after).not.toHaveProperty('userId');
    expect(after.anonymousId).not.toBe(messages[0]!.anonymousId);
    expect(after.context).toEqual(context());
    expect(invalidMessages(messages)).toEqual([]);
  });

  it('after reset(), the next page load still is the new anonymous visitor', async () => {
    const first = boot();
    first.identify('u1');
    first.reset();
    first.track('A');
    const [, a] = await sent();

    boot().track('B');
    const [, , b] = await sent();
    expect(b).not.toHaveProperty('userId');
    expect(b!.anonymousId).toBe(a!.anonymousId);
  });

  it('keeps the anonymousId and the user across page loads on the same storage', async () => {
    const first = boot();
    first.identify('u1', {}, { userHash: 'h' });
    first.group('acme');
    instances.pop()!.stop();

    boot().track('Reloaded');
    const [identify, , reloaded] = await sent();
    expect(reloaded).toMatchObject({
      anonymousId: identify!.anonymousId,
      userId: 'u1',
      context: { groupId: 'acme', userHash: 'h' },
    });
  });

  it('a new page load sends what the previous one left unsent, with the original ids and timestamps', async () => {
    const first = boot();
    first.track('Before reload');
    env.beaconAccepts = false;
    env.replies.push(new TypeError('Failed to fetch')); // the keepalive fetch at pagehide is lost
    env.fire('window', 'pagehide');
    await tick();
    const lost = env.requests[0]!.body.batch[0]!;
    instances.pop()!.stop();
    env.requests.length = 0;

    vi.setSystemTime(start + 10_000);
    boot().track('After reload');
    const messages = await sent();
    expect(messages.map((m) => m.event)).toEqual(['Before reload', 'After reload']);
    expect(messages[0]).toEqual(lost);
    expect(messages[0]!.timestamp).toBe(iso(start));
  });

  it('exposes the package version and exactly the methods the pre-load snippet queues', () => {
    const api = boot();
    const queued = snippet.match(/"([a-z ]+)"\.split/)![1]!.split(' ');

    expect(api.version).toBe(version);
    expect(
      Object.keys(api)
        .filter((key) => key !== 'version')
        .sort(),
    ).toEqual([...queued].sort());
  });

  it('keeps two write keys apart: own visitor, own storage, own key on the wire', async () => {
    const other = 'pk_other_fedcba9876543210';
    boot().track('A');
    boot({ writeKey: other }).track('B');
    await sent();

    expect(env.requests.map((r) => [r.body.writeKey, r.body.batch.map((m) => m.event)]).sort()).toEqual([
      [other, ['B']],
      [writeKey, ['A']],
    ]);
    const [a, b] = env.requests.map((r) => r.body.batch[0]!.anonymousId);
    expect(a).not.toBe(b);
    expect(env.localStorage.getItem(`${prefix}:anonymousId`)).toBeTruthy();
    expect(env.localStorage.getItem(`waymark:${other.slice(0, 16)}:anonymousId`)).toBeTruthy();
  });
});

describe('automatic page views', () => {
  it('sends one page view at load', async () => {
    boot({ autoPage: true });

    const messages = await sent();
    expect(messages).toEqual([
      {
        type: 'page',
        messageId: 'id-2',
        anonymousId: 'id-1',
        timestamp: iso(start),
        context: context(),
      },
    ]);
  });

  it('sends none with autoPage false', async () => {
    boot({ autoPage: false });
    env.fakeHistory.pushState(null, '', '/elsewhere');

    expect(await sent()).toEqual([]);
  });

  it('sends a page view, with the new location, when the app navigates', async () => {
    boot({ autoPage: true });
    vi.setSystemTime(start + 100);
    env.fakeHistory.pushState(null, '', '/invoices?page=2');

    const [, navigation] = await sent();
    expect(navigation).toMatchObject({
      type: 'page',
      timestamp: iso(start + 100),
      context: {
        page: { path: '/invoices', search: '?page=2', url: 'https://app.example.com/invoices?page=2' },
      },
    });
  });

  it('stop() unhooks navigation: later pushState sends nothing', async () => {
    boot({ autoPage: true });
    instances.pop()!.stop();
    env.fakeHistory.pushState(null, '', '/after-stop');
    await advance(5000);

    expect(env.requests).toHaveLength(0);
    expect(env.listenerCount()).toBe(0);
  });
});

describe('calls queued before the widget loaded', () => {
  it('are replayed in order with their original timestamps, before the automatic page view', async () => {
    boot({
      autoPage: true,
      queue: [
        ['identify', ['u1', { name: 'Ann' }], start - 3000],
        ['group', ['acme'], start - 2000],
        ['track', ['Clicked', { a: 1 }], start - 1000],
      ],
    });

    const messages = await sent();
    expect(messages.map((m) => [m.type, m.timestamp, m.userId])).toEqual([
      ['identify', iso(start - 3000), 'u1'],
      ['group', iso(start - 2000), 'u1'],
      ['track', iso(start - 1000), 'u1'],
      ['page', iso(start), 'u1'],
    ]);
    expect(messages[2]).toMatchObject({
      event: 'Clicked',
      properties: { a: 1 },
      context: { groupId: 'acme' },
    });
    expect(invalidMessages(messages)).toEqual([]);
  });

  it('a page() queued before load is that load’s page view: no second one', async () => {
    boot({ autoPage: true, queue: [['page', ['Home'], start - 500]] });

    const messages = await sent();
    expect(messages.map((m) => [m.type, m.name, m.timestamp])).toEqual([['page', 'Home', iso(start - 500)]]);
  });

  it('applies a queued reset() between the calls around it', async () => {
    boot({
      queue: [
        ['identify', ['u1'], start - 300],
        ['track', ['Before'], start - 200],
        ['reset', [], start - 100],
        ['track', ['After'], start - 50],
      ],
    });

    const [, before, after] = await sent();
    expect(before).toMatchObject({ event: 'Before', userId: 'u1' });
    expect(after!.event).toBe('After');
    expect(after).not.toHaveProperty('userId');
    expect(after!.anonymousId).not.toBe(before!.anonymousId);
  });

  it('skips unknown methods and malformed entries, logging them when a queued debug() turned logging on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    boot({
      queue: [
        ['debug', [true], start - 40],
        ['explode', [], start - 30],
        ['toString', [], start - 25],
        ['track', [], start - 20],
        'garbage',
        ['track', ['Bad time'], Number.NaN],
        ['track', ['Kept'], start - 10],
      ],
    });

    // Whether a call with a time that is no date is sent (at load time) or skipped is left open.
    expect((await sent()).map((m) => m.event).filter((event) => event !== 'Bad time')).toEqual(['Kept']);
    expect(warn).toHaveBeenCalledWith('[waymark]', 'unknown method', 'explode');
    expect(warn).toHaveBeenCalledWith('[waymark]', 'unknown method', 'toString');
    expect(warn).toHaveBeenCalledWith('[waymark]', 'track() needs an event name', undefined);
  });
});

describe('never throws into the host page', () => {
  it('ignores calls without a usable id or event name, sending nothing', async () => {
    const api = boot();
    const nonsense: Array<[keyof WaymarkApi, unknown[]]> = [
      ['track', []],
      ['track', ['']],
      ['track', ['   ']],
      ['track', [42]],
      ['track', [null]],
      ['track', [{}]],
      ['track', [['Event']]],
      ['track', [Symbol('x')]],
      ['identify', []],
      ['identify', ['']],
      ['identify', ['  ']],
      ['identify', [Number.NaN]],
      ['identify', [Number.POSITIVE_INFINITY]],
      ['identify', [{}]],
      ['identify', [null, { name: 'x' }]],
      ['identify', [true]],
      ['group', []],
      ['group', ['']],
      ['group', [Number.NaN]],
      ['group', [[1]]],
      ['reset', ['x', 1, {}]],
      ['debug', [{}, 'x']],
    ];
    for (const [method, args] of nonsense) expect(() => loose(api, method)(...args), method).not.toThrow();

    expect(await sent()).toEqual([]);
    expect(env.localStorage.getItem(`${prefix}:userId`)).toBeNull();
    expect(env.localStorage.getItem(`${prefix}:groupId`)).toBeNull();
  });

  it('leaves out arguments of the wrong type and sends the rest', async () => {
    const api = boot();
    loose(api, 'track')('A', 'not an object');
    loose(api, 'track')('B', [1, 2]);
    loose(api, 'track')('C', null);
    loose(api, 'identify')('u1', 'traits?', 'options?');
    loose(api, 'identify')('u1', [1], { userHash: 5 });
    loose(api, 'group')('g1', 42, { groupHash: 7 });
    loose(api, 'page')(5, 'x');
    loose(api, 'page')({ name: 'x' }, [1]);

    const messages = await sent();
    expect(messages.map((m) => [m.type, m.event ?? m.groupId ?? m.name ?? null])).toEqual([
      ['track', 'A'],
      ['track', 'B'],
      ['track', 'C'],
      ['identify', null],
      ['identify', null],
      ['group', 'g1'],
      ['page', null],
      ['page', null],
    ]);
    for (const m of messages) {
      expect(m).not.toHaveProperty('properties');
      expect(m).not.toHaveProperty('traits');
      expect(m.context).not.toHaveProperty('userHash');
      expect(m.context).not.toHaveProperty('groupHash');
    }
    expect(invalidMessages(messages)).toEqual([]);
  });

  it('properties JSON cannot hold (a cycle, a BigInt, a throwing toJSON) cost only that call', async () => {
    const api = boot();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => api.track('Cycle', cycle)).not.toThrow();
    expect(() => api.track('BigInt', { n: 10n })).not.toThrow();
    expect(() =>
      api.track('Throws', {
        toJSON() {
          throw new Error('nope');
        },
      }),
    ).not.toThrow();
    api.track('Fine');

    expect((await sent()).map((m) => m.event)).toEqual(['Fine']);
  });

  it('after identify() with traits JSON cannot hold, later identify() calls still send and store traits', async () => {
    const api = boot();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => api.identify('u1', { cycle })).not.toThrow();
    api.identify('u1', { plan: 'pro' });

    const messages = await sent();
    expect(messages.map((m) => [m.type, m.userId, m.traits])).toEqual([['identify', 'u1', { plan: 'pro' }]]);
    expect(JSON.parse(env.localStorage.getItem(`${prefix}:traits`)!)).toEqual({ plan: 'pro' });
  });

  it.each([
    ['throws on every call', () => fakeEnv({ localStorage: throwingStorage() })],
    ['is full', () => fakeEnv({ localStorage: new FullStorage() })],
    [
      'is missing',
      () =>
        fakeEnv({
          storage: () => {
            throw new ReferenceError('localStorage is not defined');
          },
        }),
    ],
  ])('works from memory when localStorage %s', async (_, makeEnv) => {
    env = makeEnv();
    let api: WaymarkApi | undefined;
    expect(() => {
      api = boot({ autoPage: true });
    }).not.toThrow();
    expect(() => {
      api!.identify('u1', { name: 'Ann' });
      api!.group('acme');
      api!.track('Clicked');
      api!.reset();
      api!.page('After');
      api!.debug(false);
    }).not.toThrow();
    env.fakeHistory.pushState(null, '', '/next');

    const messages = await sent();
    expect(messages.map((m) => m.type)).toEqual(['page', 'identify', 'group', 'track', 'page', 'page']);
    expect(invalidMessages(messages)).toEqual([]);
    const visitors = messages.map((m) => m.anonymousId);
    expect(new Set(visitors.slice(0, 4)).size).toBe(1);
    expect(visitors[4]).not.toBe(visitors[0]);
    expect(messages[3]).toMatchObject({ userId: 'u1', context: { groupId: 'acme' } });
    expect(messages[4]).not.toHaveProperty('userId');
  });

  it('public methods swallow failures of the browser underneath (ids, location, timers)', () => {
    const api = boot();
    env.uuid = () => {
      throw new Error('crypto unavailable');
    };
    env.page = () => {
      throw new Error('location blocked');
    };
    env.setTimeout = () => {
      throw new Error('timers blocked');
    };

    expect(() => api.track('X')).not.toThrow();
    expect(() => api.identify('u1')).not.toThrow();
    expect(() => api.page()).not.toThrow();
    expect(() => api.reset()).not.toThrow();
  });
});

describe('debug', () => {
  it('is silent by default, logs to console.warn after debug(true), and is silent again after debug(false)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const api = boot();
    api.track('');
    expect(warn).not.toHaveBeenCalled();

    api.debug(true);
    api.track('');
    expect(warn).toHaveBeenCalledWith('[waymark]', 'track() needs an event name', '');

    warn.mockClear();
    api.debug(false);
    api.track('');
    expect(warn).not.toHaveBeenCalled();
  });

  it('debug() with no argument turns logging on, and the debug option starts with it on', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    boot().debug();
    instances[0]!.api.group('');
    boot({ debug: true }).identify('');

    expect(warn.mock.calls.map((call) => call[1])).toEqual([
      'group() needs a groupId',
      'identify() needs a userId',
    ]);
  });

  it('survives a console.warn that throws', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {
      throw new Error('console replaced');
    });
    const api = boot({ debug: true });

    expect(() => api.track('')).not.toThrow();
  });
});

describe('storage layout', () => {
  it('stores the visitor under the write key prefix', () => {
    const storage = new MemoryStorage();
    env = fakeEnv({ localStorage: storage });
    boot().identify('u1', { a: 1 });

    expect(storage.getItem(`${prefix}:anonymousId`)).toBe('id-1');
    expect(storage.getItem(`${prefix}:userId`)).toBe('u1');
    expect(storage.getItem(`${prefix}:traits`)).toBe('{"a":1}');
  });
});
