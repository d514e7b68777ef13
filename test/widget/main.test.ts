import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { version } from '../../package.json';
import { snippet } from '../../shared/install-snippet.ts';
import { invalidMessages, ok, start } from './fake-env.ts';

type Call = (...args: unknown[]) => void;
type Global = { waymark?: { version?: string; q?: unknown[]; identify: Call; track: Call } };
const global = window as unknown as Global;
let fetchMock: ReturnType<typeof vi.fn>;
const { pushState, replaceState } = window.history;

/**
 * The widget's tag. `type="text/plain"` keeps happy-dom from fetching the src; the widget only reads
 * the tag's attributes, and its selector does not look at the type.
 */
function tag(attributes: string) {
  document.head.innerHTML = `<script type="text/plain" src="https://waymark.test/widget.js" ${attributes}></script>`;
}

/** Runs the snippet as the host page's inline script does. */
function installSnippet() {
  new Function(snippet.replace(/<\/?script>/g, ''))();
}

/** Runs widget.js as if the tag just loaded it. */
async function load() {
  vi.resetModules();
  await import('../../widget/main.ts');
}

/** The `POST /v1/batch` requests (the widget may also ask `/v1/content` what to show). */
const batches = () =>
  (fetchMock.mock.calls as Array<[string, RequestInit]>).filter(([url]) => url.endsWith('/v1/batch'));
const sent = () =>
  batches().flatMap(
    ([, init]) => (JSON.parse(String(init.body)) as { batch: Array<Record<string, unknown>> }).batch,
  );

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  localStorage.clear();
  fetchMock = vi.fn(async () => ok());
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  delete global.waymark;
  document.head.innerHTML = '';
  window.history.pushState = pushState;
  window.history.replaceState = replaceState;
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('widget.js loaded by a script tag', () => {
  it('replays the snippet’s queue, installs window.waymark, and sends to its own origin with data-key', async () => {
    installSnippet();
    global.waymark!.identify('u1', { name: 'Ann' });
    vi.setSystemTime(start + 10);
    global.waymark!.track('Queued');
    vi.setSystemTime(start + 500);
    tag('data-key="pk_main_test"');
    await load();

    expect(global.waymark!.version).toBe(version);
    global.waymark!.track('After load');
    await vi.advanceTimersByTimeAsync(1000);

    expect(batches()).toHaveLength(1);
    const [url, init] = batches()[0]!;
    expect(url).toBe('https://waymark.test/v1/batch');
    expect(JSON.parse(String(init.body)).writeKey).toBe('pk_main_test');
    const messages = sent();
    expect(messages.map((m) => [m.type, m.event ?? null, m.timestamp, m.userId])).toEqual([
      ['identify', null, new Date(start).toISOString(), 'u1'],
      ['track', 'Queued', new Date(start + 10).toISOString(), 'u1'],
      ['page', null, new Date(start + 500).toISOString(), 'u1'],
      ['track', 'After load', new Date(start + 500).toISOString(), 'u1'],
    ]);
    expect(invalidMessages(messages)).toEqual([]);
    expect(localStorage.getItem('waymark:pk_main_test:anonymousId')).toBe(messages[0]!.anonymousId);
  });

  it('sends no page view at load with data-auto-page="false", and logs with data-debug', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    tag('data-key="pk_main_test" data-auto-page="false" data-debug');
    await load();
    global.waymark!.track(42);
    await vi.advanceTimersByTimeAsync(5000);

    expect(batches()).toEqual([]);
    expect(warn).toHaveBeenCalledWith('[waymark]', 'track() needs an event name', 42);
  });

  it('stays silent with data-debug="false"', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    tag('data-key="pk_main_test" data-debug="false"');
    await load();
    global.waymark!.track(42);

    expect(warn).not.toHaveBeenCalled();
  });

  it('a second copy of the script leaves the first one’s API in place and sends nothing more', async () => {
    tag('data-key="pk_main_test"');
    await load();
    const first = global.waymark;
    await load();
    await vi.advanceTimersByTimeAsync(1000);

    expect(global.waymark).toBe(first);
    expect(sent().map((m) => m.type)).toEqual(['page']);
  });

  it('installs nothing without data-key, leaving the snippet’s queue as it was', async () => {
    installSnippet();
    global.waymark!.track('Queued');
    const stub = global.waymark;
    tag('');
    await load();
    await vi.advanceTimersByTimeAsync(5000);

    expect(global.waymark).toBe(stub);
    expect(stub!.q).toHaveLength(1);
    expect(batches()).toEqual([]);
  });

  it('boots without throwing when localStorage is unavailable', async () => {
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    tag('data-key="pk_main_test"');
    await load();
    global.waymark!.track('Still works');
    await vi.advanceTimersByTimeAsync(1000);

    expect(sent().map((m) => m.event ?? m.type)).toEqual(['page', 'Still works']);
  });
});
