import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { watchNavigation } from '../../widget/auto-page.ts';
import { browserEnv } from '../../widget/env.ts';
import type { Logger } from '../../widget/logger.ts';
import { createWaymark, type Waymark } from '../../widget/waymark.ts';
import { advance, type FakeEnv, fakeEnv, origin, start, writeKey } from './fake-env.ts';

let env: FakeEnv;
let logger: Logger & { log: Mock<(...details: unknown[]) => void> };
let onNavigate: ReturnType<typeof vi.fn<() => void>>;
const stops: Array<() => void> = [];

function watch() {
  const stop = watchNavigation(env, logger, onNavigate);
  stops.push(stop);
  return stop;
}

beforeEach(() => {
  env = fakeEnv();
  logger = { on: true, log: vi.fn<(...details: unknown[]) => void>() };
  onNavigate = vi.fn<() => void>();
});
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe('watchNavigation', () => {
  it('reports each pushState or replaceState that changes the path or the query', () => {
    const history = env.fakeHistory;
    watch();

    history.pushState(null, '', '/invoices');
    expect(onNavigate).toHaveBeenCalledTimes(1);
    history.replaceState(null, '', '/invoices?page=2');
    expect(onNavigate).toHaveBeenCalledTimes(2);
    history.pushState(null, '', '/customers?page=2');
    expect(onNavigate).toHaveBeenCalledTimes(3);
  });

  it('ignores history calls that leave the URL as it is, or change only the #hash', () => {
    const history = env.fakeHistory;
    watch();

    history.pushState({ some: 'state' }, '', '/start?x=1');
    history.replaceState({ other: 'state' }, '');
    history.pushState(null, '', '/start?x=1#section');
    history.replaceState(null, '', '#another');

    expect(onNavigate).not.toHaveBeenCalled();
  });

  it('reports popstate only when the URL changed since the last page view', () => {
    watch();
    env.fire('window', 'popstate');
    expect(onNavigate).not.toHaveBeenCalled();

    env.location = { ...env.location, path: '/back', search: '' };
    env.fire('window', 'popstate');
    env.fire('window', 'popstate');
    expect(onNavigate).toHaveBeenCalledTimes(1);
  });

  it('runs the host’s function first, on the same history, and hands back its result', () => {
    const history = env.fakeHistory;
    const seen: string[] = [];
    const original = vi.fn(function (
      this: History,
      _data: unknown,
      _unused: string,
      url?: string | URL | null,
    ) {
      seen.push(`host ${String(url)} this=${this === history}`);
      env.location = { ...env.location, path: String(url) };
      return 'host result';
    });
    history.pushState = original as unknown as History['pushState'];
    onNavigate.mockImplementation(() => seen.push(`page ${env.location.path}`));
    watch();

    const result = (history.pushState as unknown as (...args: unknown[]) => unknown)({ a: 1 }, '', '/next');
    expect(result).toBe('host result');
    expect(original).toHaveBeenCalledWith({ a: 1 }, '', '/next');
    expect(seen).toEqual(['host /next this=true', 'page /next']);
  });

  it('lets the host’s own exception through unchanged, and reports no page view for it', () => {
    const history = env.fakeHistory;
    const error = new DOMException('The operation is insecure.', 'SecurityError');
    history.replaceState = () => {
      throw error;
    };
    watch();

    expect(() => history.replaceState(null, '', 'https://elsewhere.example/')).toThrow(error);
    expect(onNavigate).not.toHaveBeenCalled();
  });

  it('never throws into the host’s router when the page view fails', () => {
    onNavigate.mockImplementation(() => {
      throw new Error('widget bug');
    });
    watch();

    expect(() => env.fakeHistory.pushState(null, '', '/next')).not.toThrow();
    expect(() => {
      env.location = { ...env.location, path: '/popped' };
      env.fire('window', 'popstate');
    }).not.toThrow();
    expect(logger.log).toHaveBeenCalledWith('internal error', expect.any(Error));
  });

  it('stop() puts the host’s functions back and stops listening to popstate', () => {
    const history = env.fakeHistory;
    const { pushState, replaceState } = history;
    const stop = watch();
    expect(history.pushState).not.toBe(pushState);
    stop();

    expect(history.pushState).toBe(pushState);
    expect(history.replaceState).toBe(replaceState);
    expect(env.listenerCount()).toBe(0);
    history.pushState(null, '', '/after');
    env.fire('window', 'popstate');
    expect(onNavigate).not.toHaveBeenCalled();
  });

  it('stop() leaves in place a wrapper another script added after ours', () => {
    const history = env.fakeHistory;
    const stop = watch();
    const ours = history.pushState;
    const theirs = function (this: History, ...args: Parameters<History['pushState']>) {
      return ours.apply(this, args);
    };
    history.pushState = theirs;
    stop();

    expect(history.pushState).toBe(theirs);
  });
});

describe('automatic page views in a real (happy-dom) history', () => {
  let waymark: Waymark | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ now: start });
    window.history.replaceState(null, '', '/home');
  });
  afterEach(() => {
    waymark?.stop();
    window.history.replaceState(null, '', '/');
    vi.useRealTimers();
  });

  it('sends a page view for each navigation of a single-page app, with the new location', async () => {
    const real = browserEnv();
    env = fakeEnv({ history: real.history, page: real.page, listen: real.listen });
    document.title = 'Ledgerly';
    waymark = createWaymark({ writeKey, apiOrigin: origin, env });

    window.history.pushState({}, '', '/invoices?status=open');
    window.history.replaceState({}, '', '/invoices?status=open#row-3');
    window.dispatchEvent(new Event('popstate'));
    window.history.replaceState({}, '', '/invoices/42');
    await advance(1000);

    const pages = env.requests
      .flatMap((r) => r.body.batch)
      .map((m) => m.context as { page: { path: string } });
    expect(pages.map((c) => c.page)).toEqual([
      {
        path: '/home',
        url: 'http://localhost:3000/home',
        title: 'Ledgerly',
        referrer: document.referrer,
        search: '',
      },
      {
        path: '/invoices',
        url: 'http://localhost:3000/invoices?status=open',
        title: 'Ledgerly',
        referrer: document.referrer,
        search: '?status=open',
      },
      {
        path: '/invoices/42',
        url: 'http://localhost:3000/invoices/42',
        title: 'Ledgerly',
        referrer: document.referrer,
        search: '',
      },
    ]);
  });

  it('gives the host its own history functions back on stop()', () => {
    const real = browserEnv();
    env = fakeEnv({ history: real.history, page: real.page, listen: real.listen });
    const before = [window.history.pushState, window.history.replaceState];
    waymark = createWaymark({ writeKey, apiOrigin: origin, env });
    expect(window.history.pushState).not.toBe(before[0]);
    waymark.stop();

    expect([window.history.pushState, window.history.replaceState]).toEqual(before);
  });
});
