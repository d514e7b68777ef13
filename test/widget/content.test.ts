import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Waymark } from '../../widget/waymark.ts';
import { checklist, response } from './checklist-fixture.ts';
import { answer, bootWith, type ContentEnv, contentEnv, contentUrl, fakeViewModule } from './content-fake.ts';
import { prefix, start, tick, writeKey } from './fake-env.ts';

let env: ContentEnv;
const instances: Waymark[] = [];
const boot = (...args: Parameters<typeof bootWith> extends [unknown, ...infer R] ? R : never) => {
  const instance = bootWith(env, ...args);
  instances.push(instance);
  return instance;
};
const cacheKeys = () => [...env.localStorage.map.keys()].filter((key) => key.includes(':content:'));
/** Lets promise callbacks run without moving the clock (no timer fires). */
const microtasks = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  env = contentEnv();
});
afterEach(() => {
  for (const instance of instances.splice(0)) instance.stop();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('POST /v1/content', () => {
  it('asks once after boot, as a text/plain simple request carrying the key, ids, traits and locale', async () => {
    boot({
      queue: [
        ['identify', ['u1', { name: 'Ann', locale: 'fr-CA' }, { userHash: 'f00d' }], start],
        ['group', ['acme', { plan: 'growth' }, { groupHash: 'beef' }], start],
      ],
    });
    await tick();

    expect(env.contentRequests).toHaveLength(1);
    const [request] = env.contentRequests;
    expect(request!.url).toBe(contentUrl);
    expect(request!.init).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      credentials: 'omit',
    });
    expect(request!.body).toEqual({
      writeKey,
      anonymousId: 'id-1',
      userId: 'u1',
      groupId: 'acme',
      userHash: 'f00d',
      groupHash: 'beef',
      traits: { name: 'Ann', locale: 'fr-CA' },
      groupTraits: { plan: 'growth' },
      locale: 'fr-CA',
    });
  });

  it("uses the browser's language without a locale trait, and names an anonymous visitor by anonymousId", async () => {
    boot();
    await tick();

    expect(env.contentRequests[0]!.body).toEqual({
      writeKey,
      anonymousId: 'id-1',
      traits: {},
      groupTraits: {},
      locale: 'en-GB',
    });
  });

  it("sends a preview link's token, and keeps it for the next pages and reloads", async () => {
    env.location = {
      ...env.location,
      search: '?tab=1&waymark_preview=abc.def',
      url: 'https://app.example.com/start?tab=1&waymark_preview=abc.def',
    };
    boot();
    await tick();
    expect(env.contentRequests[0]!.body).toMatchObject({ preview: 'abc.def' });

    for (const instance of instances.splice(0)) instance.stop();
    env.location = { ...env.location, search: '', url: 'https://app.example.com/start' };
    boot();
    await tick();
    expect(env.contentRequests.at(-1)!.body).toMatchObject({ preview: 'abc.def' });
  });

  it("reset() forgets a preview link's token: later requests and page loads send none", async () => {
    env.location = {
      ...env.location,
      search: '?waymark_preview=abc.def',
      url: 'https://app.example.com/start?waymark_preview=abc.def',
    };
    const { api } = boot();
    await tick();
    expect(env.contentRequests[0]!.body).toMatchObject({ preview: 'abc.def' });

    api.reset();
    await tick();
    expect(env.contentRequests.length).toBeGreaterThan(1);
    expect(env.contentRequests.at(-1)!.body).not.toHaveProperty('preview');
    expect(env.localStorage.getItem(`${prefix}:preview`)).toBeNull();

    for (const instance of instances.splice(0)) instance.stop();
    env.location = { ...env.location, search: '', url: 'https://app.example.com/start' };
    boot();
    await tick();
    expect(env.contentRequests.at(-1)!.body).not.toHaveProperty('preview');
  });

  it('is not made at all without a view to show content in (the core on its own)', async () => {
    boot({ loadView: undefined });
    await tick();

    expect(env.contentRequests).toHaveLength(0);
  });
});

describe('the cached copy', () => {
  it('renders at once on the next visit, with no round trip, then revalidates in the background', async () => {
    boot({ queue: [['identify', ['u1'], start]] });
    await tick();
    expect(cacheKeys()).toEqual([`${prefix}:content:2:u:u1`]);
    instances.pop()!.stop();

    // Next page load: a changed answer waits on the server.
    const done = response({
      checklists: [
        checklist({ items: checklist().items.map((i) => ({ ...i, doneAt: '2026-11-23T09:00:00.000Z' })) }),
      ],
      servedAt: '2026-11-23T10:00:01.000Z',
    });
    env.contentReplies.push(answer(done));
    const { view, load } = fakeViewModule();
    boot({ queue: [['identify', ['u1'], start]], loadView: load });
    await microtasks();

    expect(env.contentRequests).toHaveLength(1); // only the first visit's
    expect(view.updates).toHaveLength(1);
    expect(view.last()!.response).toEqual(response());
    expect(view.last()!.user).toBe('u1');

    await tick();
    expect(env.contentRequests).toHaveLength(2);
    expect(view.updates).toHaveLength(2);
    expect(view.last()!.response).toEqual(done);
  });

  it('does not redraw when revalidation brings the same content (only servedAt changed)', async () => {
    boot({ queue: [['identify', ['u1'], start]] });
    await tick();
    instances.pop()!.stop();

    env.contentReplies.push(answer(response({ servedAt: '2026-11-23T10:00:05.000Z' })));
    const { view, load } = fakeViewModule();
    boot({ queue: [['identify', ['u1'], start]], loadView: load });
    await tick();

    expect(env.contentRequests).toHaveLength(2);
    expect(view.updates).toHaveLength(1);
  });

  it('ignores a copy cached in an earlier shape (plain-text titles), and removes it with the next answer', async () => {
    const older = { ...response(), checklists: [{ ...checklist(), title: 'Set up Ledgerly' }] };
    env.localStorage.map.set(`${prefix}:content:u:u1`, JSON.stringify(older));
    const { view, load } = fakeViewModule();
    boot({ queue: [['identify', ['u1'], start]], loadView: load });
    await microtasks();
    expect(view.updates).toHaveLength(0);

    await tick();
    expect(view.last()!.response).toEqual(response());
    expect(cacheKeys()).toEqual([`${prefix}:content:2:u:u1`]);
  });

  it('ignores a copy cached by a server that sent no widget strings, and waits for a fresh answer', async () => {
    const { strings: _, ...older } = response();
    env.localStorage.map.set(`${prefix}:content:2:u:u1`, JSON.stringify(older));
    const { view, load } = fakeViewModule();
    boot({ queue: [['identify', ['u1'], start]], loadView: load });
    await microtasks();
    expect(view.updates).toHaveLength(0);

    await tick();
    expect(env.contentRequests).toHaveLength(1);
    expect(view.last()!.response).toEqual(response());
  });

  it('keeps a copy for the current user only, never shows one user another user’s copy', async () => {
    const { view, load } = fakeViewModule();
    const { api } = boot({ queue: [['identify', ['u1'], start]], loadView: load });
    await tick();
    expect(view.last()!.user).toBe('u1');

    const theirs = response({ checklists: [checklist({ id: 'cl_u2', title: 'For u2' })] });
    let resolve!: (r: Response) => void;
    env.contentReplies.push(() => new Promise<Response>((r) => (resolve = r)));
    api.identify('u2');

    // At once: nothing for u2 (no cached copy of theirs), not u1's checklist.
    expect(view.last()).toBeUndefined();
    await tick();
    expect(env.contentRequests.at(-1)!.body.userId).toBe('u2');
    resolve(answer(theirs));
    await tick();

    expect(view.last()!.response).toEqual(theirs);
    expect(view.last()!.user).toBe('u2');
    expect(cacheKeys()).toEqual([`${prefix}:content:2:u:u2`]);
  });

  it('reset() (logout) forgets the user’s copy and asks again for the new anonymous visitor', async () => {
    const { view, load } = fakeViewModule();
    const { api } = boot({ queue: [['identify', ['u1'], start]], loadView: load });
    await tick();
    expect(cacheKeys()).toHaveLength(1);

    env.contentReplies.push(answer(response({ checklists: [] })));
    api.reset();

    expect(cacheKeys()).toEqual([]);
    expect(view.last()).toBeUndefined();
    await tick();
    const body = env.contentRequests.at(-1)!.body;
    expect(body.userId).toBeUndefined();
    expect(body.anonymousId).not.toBe('id-1');
    expect(body.anonymousId).toBe(env.localStorage.getItem(`${prefix}:anonymousId`));
  });

  it('drops an answer meant for the previous user', async () => {
    const { load } = fakeViewModule();
    let resolveFirst!: (r: Response) => void;
    env.contentReplies.push(() => new Promise<Response>((r) => (resolveFirst = r)));
    const { api } = boot({ queue: [['identify', ['u1'], start]], loadView: load });
    await tick();
    expect(env.contentRequests).toHaveLength(1);

    env.contentReplies.push(answer(response({ checklists: [] })));
    api.identify('u2');
    resolveFirst(answer(response()));
    await tick();

    expect(load).not.toHaveBeenCalled(); // u1's checklist was never shown to u2
    expect(env.contentRequests.map((r) => r.body.userId)).toEqual(['u1', 'u2']);
    expect(cacheKeys()).toEqual([`${prefix}:content:2:u:u2`]);
  });

  it('ignores an answer older than the copy it already has', async () => {
    const newer = response({ servedAt: '2026-11-23T12:00:00.000Z' });
    env.localStorage.setItem(`${prefix}:content:2:a:id-1`, JSON.stringify(newer));
    env.contentReplies.push(answer(response({ checklists: [], servedAt: '2026-11-23T11:00:00.000Z' })));
    const { view, load } = fakeViewModule();
    boot({ loadView: load });
    await tick();

    expect(view.updates).toHaveLength(1);
    expect(view.last()!.response).toEqual(newer);
  });
});

describe('no request storm', () => {
  it('identify() with the same user, even with new traits, asks nothing more', async () => {
    const { api } = boot({ queue: [['identify', ['u1'], start]] });
    await tick();
    for (let i = 0; i < 10; i++) api.identify('u1', { visits: i });
    await tick();

    expect(env.contentRequests).toHaveLength(1);
  });

  it('identify() with a new locale asks again: the widget’s strings come in it', async () => {
    const { api } = boot({ queue: [['identify', ['u1', { locale: 'en' }], start]] });
    await tick();
    api.identify('u1', { locale: 'fr-CA' });
    await tick();

    expect(env.contentRequests).toHaveLength(2);
    expect(env.contentRequests[1]!.body).toMatchObject({ locale: 'fr-CA' });
  });

  it('asks again when the account gets its groupHash: the server may have refused it without one', async () => {
    const { api } = boot({ queue: [['identify', ['u1', {}, { userHash: 'f00d' }], start]] });
    api.group('acme');
    await tick();
    api.group('acme', {}, { groupHash: 'beef' });
    await tick();

    expect(env.contentRequests.map((r) => r.body.groupHash)).toEqual([undefined, 'beef']);
  });

  it('identify() and group() made together share one request', async () => {
    const { api } = boot();
    await tick();
    api.identify('u2');
    api.group('g2', { plan: 'pro' });
    await tick();

    expect(env.contentRequests).toHaveLength(2);
    expect(env.contentRequests[1]!.body).toMatchObject({
      userId: 'u2',
      groupId: 'g2',
      groupTraits: { plan: 'pro' },
    });
  });

  it('changes while a request is out make one more request afterwards, with the latest identity', async () => {
    let resolve!: (r: Response) => void;
    env.contentReplies.push(() => new Promise<Response>((r) => (resolve = r)));
    const { api } = boot();
    await tick();
    api.identify('u3');
    await tick();
    api.group('g3');
    await tick();
    api.identify('u4');
    await tick();
    expect(env.contentRequests).toHaveLength(1);

    resolve(answer());
    await tick();
    await vi.advanceTimersByTimeAsync(60_000);

    expect(env.contentRequests).toHaveLength(2);
    expect(env.contentRequests[1]!.body.userId).toBe('u4');
    expect(env.contentRequests[1]!.body).not.toHaveProperty('groupId'); // a new user leaves the old account
  });

  it.each([
    ['an HTTP error', () => new Response('{}', { status: 500 })],
    ['a network error', () => new TypeError('Failed to fetch')],
    ['a body that is not JSON', () => new Response('<html>', { status: 200 })],
    ['JSON of another shape', () => answer({ hello: 'world' })],
  ])('after %s: logs, shows nothing, does not retry, throws nothing', async (_name, reply) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const made = reply();
    env.contentReplies.push(made instanceof Error ? made : () => made);
    const { load } = fakeViewModule();
    const { api } = boot({ loadView: load, debug: true });
    await tick();
    await vi.advanceTimersByTimeAsync(120_000);

    expect(env.contentRequests).toHaveLength(1);
    expect(load).not.toHaveBeenCalled();
    expect(
      warn.mock.calls.some(([, what]) => /content re(quest failed|sponse not understood)/.test(String(what))),
    ).toBe(true);
    expect(() => api.track('Still works')).not.toThrow();
  });
});

describe('the UI chunk', () => {
  it('is downloaded only when an answer has a checklist that is not dismissed', async () => {
    env.contentReplies.push(answer(response({ checklists: [] })));
    const empty = fakeViewModule();
    boot({ loadView: empty.load });
    await tick();
    expect(empty.load).not.toHaveBeenCalled();
    instances.pop()!.stop();

    env.localStorage.clear();
    env.contentReplies.push(answer(response({ checklists: [checklist({ dismissed: true })] })));
    const dismissed = fakeViewModule();
    const { api } = boot({ loadView: dismissed.load });
    await tick();
    expect(dismissed.load).not.toHaveBeenCalled();

    api.open();
    await tick();
    expect(dismissed.load).toHaveBeenCalledTimes(1);
    expect(dismissed.view.calls.filter(([method]) => method === 'open')).toEqual([['open', undefined]]);
  });

  it('is downloaded once, and a failed download is logged and leaves the page alone', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const load = vi.fn(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module')));
    const before = document.body.innerHTML;
    const { api } = boot({ loadView: load, debug: true });
    await tick();
    api.identify('u9'); // another answer with a checklist
    await tick();

    expect(load).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('[waymark]', 'could not load the view', expect.any(TypeError));
    expect(document.body.innerHTML).toBe(before);
    api.track('Still works');
    await vi.advanceTimersByTimeAsync(1000);
    expect(env.messages().map((m) => m.event ?? m.type)).toContain('Still works');
  });

  it('hands the view the response, the user and their locale, and the host’s navigation', async () => {
    const { view, load } = fakeViewModule();
    boot({ queue: [['identify', ['u1', { locale: 'de' }], start]], loadView: load });
    await tick();

    expect(view.last()).toEqual({ response: response(), deliveredBefore: 0, locale: 'de', user: 'u1' });
    const updates = view.updates.length;
    env.fakeHistory.pushState(null, '', '/elsewhere');
    expect(view.updates).toHaveLength(updates + 1);
  });
});
