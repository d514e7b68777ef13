import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { snippet } from '../../shared/install-snippet.ts';
import { launchChromium, startWaymark, type Waymark } from './harness.ts';

// The built widget.js on host pages we write ourselves, served from the Waymark origin through
// Playwright's router, each proving one promise the script makes to the page that embeds it.
let waymark: Waymark;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
// A fresh server and database per test, so that each test sees only its own events.
beforeEach(async () => {
  waymark = await startWaymark();
  context = await browser.newContext();
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
});
afterEach(async () => {
  await context.close();
  await waymark.close();
});

/** Serves `body` (inside a host page with the snippet and the one tag) at `path` on the Waymark origin. */
async function hostPage(path: string, body: string, head = '') {
  await context.route(`${waymark.url}${path}`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><title>Host</title>${head}${snippet}
<script async src="${waymark.url}/widget.js" data-key="${waymark.keys.publishableKey}"></script></head>
<body>${body}</body></html>`,
    }),
  );
  await page.goto(`${waymark.url}${path}`);
  await page.waitForFunction(
    () => typeof (window as unknown as { waymark?: { version?: string } }).waymark?.version === 'string',
  );
}

/** The host page's own track calls (the widget's `$waymark.` interaction events left out). */
const tracks = (rows: Array<{ type: string; name: string | null }>) =>
  rows.filter((r) => r.type === 'track' && !r.name?.startsWith('$waymark.')).map((r) => r.name);

describe('widget on a host page', () => {
  it('replays calls made before it loaded, in order, and attributes them to the identified account', async () => {
    await hostPage(
      '/host/queue',
      '<p>host</p>',
      `<script>${snippet.replace(/<\/?script>/g, '')}
waymark.identify('queued-user', { name: 'Q' }); waymark.group('queued-co', { plan: 'pro' });
waymark.track('First'); waymark.track('Second');</script>`,
    );
    const rows = await waymark.waitForEvents((r) => tracks(r).length === 2);
    expect(tracks(rows)).toEqual(['First', 'Second']);
    const first = rows.find((r) => r.name === 'First');
    expect(first).toMatchObject({ user_id: 'queued-user', account_id: 'queued-co' });
    expect(pageErrors).toEqual([]);
  });

  it('adds no global but waymark, and no style to the page', async () => {
    await context.addInitScript(() => {
      (window as unknown as { __before: string[] }).__before = Object.keys(window);
    });
    await hostPage('/host/globals', '<p>host</p>');
    const added = await page.evaluate(() =>
      Object.keys(window).filter(
        (k) => k !== '__before' && !(window as unknown as { __before: string[] }).__before.includes(k),
      ),
    );
    expect(added).toEqual(['waymark']);
    expect(await page.evaluate(() => document.querySelectorAll('style, link[rel=stylesheet]').length)).toBe(
      0,
    );
  });

  it('sends page views on pushState and popstate, and leaves the host router working', async () => {
    await hostPage('/host/spa', '<p>spa</p>');
    const pushed = await page.evaluate(() => {
      history.pushState({ step: 1 }, '', '/host/spa/next?tab=2');
      return history.state;
    });
    expect(pushed).toEqual({ step: 1 });
    await page.evaluate(() => history.back());
    const rows = await waymark.waitForEvents((r) => r.filter((e) => e.type === 'page').length >= 3);
    const paths = rows.filter((r) => r.type === 'page').map((r) => JSON.parse(r.context ?? '{}').page?.path);
    expect(paths).toEqual(['/host/spa', '/host/spa/next', '/host/spa']);
  });

  it('keeps events through an offline spell and sends them when the network is back', async () => {
    await hostPage('/host/offline', '<p>offline</p>');
    await waymark.waitForEvents((r) => r.some((e) => e.type === 'page'));
    await context.setOffline(true);
    await page.evaluate(() =>
      (window as unknown as { waymark: { track(e: string): void } }).waymark.track('While Offline'),
    );
    await page.waitForTimeout(1500);
    expect(tracks(await waymark.events())).toEqual([]);
    await context.setOffline(false);
    const rows = await waymark.waitForEvents((r) => tracks(r).includes('While Offline'));
    expect(tracks(rows)).toEqual(['While Offline']);
  });

  it('loses nothing when the page reloads while events are still queued', async () => {
    await hostPage('/host/reload', '<p>reload</p>');
    // The server answers 503 to everything, the page-leave beacon included: events wait in localStorage.
    waymark.setIngestDown(true);
    await page.evaluate(() => {
      const w = (window as unknown as { waymark: { track(e: string, p: object): void } }).waymark;
      for (let i = 0; i < 5; i++) w.track('Queued Before Reload', { i });
    });
    await page.waitForTimeout(1200);
    const stored = await page.evaluate(() =>
      Object.keys(localStorage).filter((k) =>
        (localStorage.getItem(k) ?? '').includes('Queued Before Reload'),
      ),
    );
    expect(stored).toHaveLength(5);
    await page.reload();
    await page.waitForTimeout(500);
    expect(tracks(await waymark.events())).toEqual([]);
    waymark.setIngestDown(false);
    const rows = await waymark.waitForEvents((r) => tracks(r).length >= 5);
    expect(tracks(rows)).toEqual(Array(5).fill('Queued Before Reload'));
    expect(
      rows
        .filter((r) => r.name === 'Queued Before Reload')
        .map((r) => JSON.parse(r.properties ?? '{}').i)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
  });

  it('works, from memory, on a page whose localStorage throws', async () => {
    await context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('denied', 'SecurityError');
        },
      });
    });
    await hostPage('/host/no-storage', '<button id="b">b</button>');
    await page.evaluate(() =>
      (window as unknown as { waymark: { track(e: string): void } }).waymark.track('Without Storage'),
    );
    await waymark.waitForEvents((r) => tracks(r).includes('Without Storage'));
    expect(pageErrors).toEqual([]);
  });

  it('does not throw into the page when called with nonsense', async () => {
    await hostPage('/host/nonsense', '<p>x</p>');
    const threw = await page.evaluate(() => {
      const w = (window as unknown as { waymark: Record<string, (...args: unknown[]) => unknown> }).waymark;
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      try {
        w.track?.(undefined as unknown as string, circular);
        w.identify?.({} as unknown as string, 5);
        w.group?.(null);
        w.page?.(Symbol('x') as unknown as string);
        return false;
      } catch {
        return true;
      }
    });
    expect(threw).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('sends what is pending with a beacon when the page is left', async () => {
    await hostPage('/host/leave', '<p>leave</p>');
    await page.evaluate(() =>
      (window as unknown as { waymark: { track(e: string): void } }).waymark.track('Just Before Leaving'),
    );
    // Leaving at once, well before the batching timer: only the pagehide beacon can carry it.
    await page.goto(`${waymark.url}/health`);
    await waymark.waitForEvents((r) => tracks(r).includes('Just Before Leaving'));
  });
});

describe('widget on a page whose origin the workspace does not allow', () => {
  it('reads the 403, logs why with data-debug, and does not retry', async () => {
    // A host of its own on another port: another origin, and one the workspace's (empty) list leaves out.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><html><head><title>Elsewhere</title>${snippet}
<script async src="${waymark.url}/widget.js" data-key="${waymark.keys.publishableKey}" data-debug></script>
</head><body><script>waymark.track('From Elsewhere')</script></body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const logs: string[] = [];
      page.on('console', (message) => logs.push(message.text()));
      let batches = 0;
      page.on('request', (request) => {
        if (request.url().endsWith('/v1/batch')) batches++;
      });
      await page.goto(`${origin}/`);
      const reason = `origin ${origin} is not in this workspace's allowed origins`;
      await expect.poll(() => logs.some((line) => line.includes(reason)), { timeout: 10_000 }).toBe(true);
      // Backoff would have tried again within seconds (the first retry comes within 1 s).
      await page.waitForTimeout(5000);
      expect(batches).toBe(1);
      expect(logs.filter((line) => line.includes('Failed to fetch'))).toEqual([]);
      expect(tracks(await waymark.events())).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
