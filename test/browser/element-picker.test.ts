import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Picked } from '../../shared/schemas/picker.ts';
import { root } from '../server/processes.ts';
import { launchChromium, startWaymark, type Waymark } from './harness.ts';

// The element picker (README, "Element picker") on the demo's pages: a console-like opener page, at
// the server's origin as the console is, runs the console's real `pickElement` (server/console/pick.ts,
// bundled here as the console's build would) with a preview link of a spotlight draft; the author
// points at an element in the tab it opens, and the opener receives the selector.
let waymark: Waymark;
let browser: Browser;
let context: BrowserContext;
/** server/console/pick.ts as a classic script defining `window.waymarkPick`. */
let pickScript: string;
let seq = 0;

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the admin API answers.
async function admin(path: string, method = 'GET', body?: unknown): Promise<any> {
  const res = await fetch(`${waymark.url}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${waymark.keys.secretKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
  // The demo's own content stays out of the way: its checklist would open on first view.
  for (const c of (await admin('/checklists')).checklists) await admin(`/checklists/${c.id}/archive`, 'POST');
  for (const s of (await admin('/spotlights')).spotlights) await admin(`/spotlights/${s.id}/archive`, 'POST');
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      lib: { entry: join(root, 'server/console/pick.ts'), formats: ['iife'], name: 'waymarkPick' },
    },
  });
  const chunk = (Array.isArray(output) ? output : [output])
    .flatMap((o) => ('output' in o ? o.output : []))
    .find((file) => file.type === 'chunk');
  if (chunk?.type !== 'chunk') throw new Error('server/console/pick.ts did not build');
  pickScript = chunk.code;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});
afterEach(async () => {
  await context?.close();
});

/** A spotlight draft (never published) on the invoice list, and a preview link of it on that page. */
async function previewLink(): Promise<string> {
  const created = await admin('/spotlights', 'POST', {
    name: `Draft ${++seq}`,
    content: {
      steps: [
        {
          id: 'filters',
          kind: 'hotspot',
          title: 'Filter by status',
          anchor: { selector: '[data-tour="invoice-filters"]' },
        },
      ],
    },
  });
  const link = await admin(`/spotlights/${created.id}/preview`, 'POST', {
    url: `${waymark.url}/demo/invoices`,
  });
  return link.url;
}

/** A demo user signed in (the demo's pages need one), and an opener page at the console's origin. */
async function signedIn(): Promise<{ opener: Page; errors: string[] }> {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  context.setDefaultTimeout(10_000);
  const errors: string[] = [];
  context.on('page', (page) => page.on('pageerror', (error) => errors.push(error.message)));
  const page = await context.newPage();
  await page.goto(`${waymark.url}/demo/`);
  await page.waitForURL(/\/demo\/signin/);
  await page.getByLabel('Full name').fill(`Dana Scully ${seq}`);
  await page.getByLabel('Work email').fill(`scully${seq}-${Date.now()}@fbi.test`);
  await page.getByLabel('Company name').fill(`X-Files ${seq} ${Date.now()}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.includes('signin'));
  // The console's own page: the opener is where the console is.
  await page.goto(`${waymark.url}/app/`);
  await page.evaluate(pickScript);
  return { opener: page, errors };
}

/** The picker's panel in the page (Playwright's locators go through open shadow roots). */
const panel = (page: Page) => page.getByRole('dialog', { name: 'Pick an element' });
const selectorField = (page: Page) => panel(page).getByLabel('Selector');

/** The picker's highlight box, as the page lays it out. */
const highlight = (page: Page) =>
  page.evaluate(() => {
    for (const host of document.querySelectorAll('waymark-widget')) {
      const box = host.shadowRoot?.querySelector<HTMLElement>('.box');
      if (box && box.style.display === 'block') {
        const r = box.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      }
    }
    return null;
  });

describe('the element picker', () => {
  it('highlights what the author points at, proposes a selector that finds it, and sends it to the console that opened the tab', async () => {
    const { opener, errors } = await signedIn();
    const link = await previewLink();
    const popupOpened = context.waitForEvent('page');
    const picking = opener.evaluate(
      (url) =>
        (
          window as unknown as { waymarkPick: { pickElement(u: string): Promise<unknown> } }
        ).waymarkPick.pickElement(url),
      link,
    ) as Promise<Picked | null>;
    const popup = await popupOpened;
    expect(new URL(popup.url()).searchParams.get('waymark_pick')).toBe(waymark.url);
    await panel(popup).waitFor();
    // The page's own handlers never hear the picker's clicks.
    await popup.evaluate(() => {
      const counts = { button: 0, document: 0 };
      (window as unknown as { clicks: typeof counts }).clicks = counts;
      document.querySelector('[data-tour="export"]')!.addEventListener('click', () => counts.button++);
      document.addEventListener('click', () => counts.document++);
    });

    const exportButton = popup.locator('[data-tour="export"]');
    const target = (await exportButton.boundingBox())!;
    await popup.mouse.move(target.x + target.width / 2, target.y + target.height / 2);
    await expect.poll(() => highlight(popup)).toEqual(target);
    await popup.mouse.click(target.x + target.width / 2, target.y + target.height / 2);
    await expect.poll(() => selectorField(popup).inputValue()).toBe('[data-tour="export"]');
    await expect.poll(() => panel(popup).textContent()).toContain('It matches 1 element on this page');
    const proposed = await selectorField(popup).inputValue();
    expect(
      await popup.evaluate(
        (selector) => document.querySelector(selector) === document.querySelector('[data-tour="export"]'),
        proposed,
      ),
    ).toBe(true);
    expect(await popup.evaluate(() => (window as unknown as { clicks: unknown }).clicks)).toEqual({
      button: 0,
      document: 0,
    });
    await popup.screenshot({ path: join(root, 'test', 'browser', 'screenshots', 'element-picker.png') });

    // By keyboard: pick again, point at the menu's Invoices label, up to its link, Enter.
    await panel(popup).getByRole('button', { name: 'Pick again' }).click();
    const label = (await popup.locator('[data-tour="nav-invoices"] span').boundingBox())!;
    await popup.mouse.move(label.x + label.width / 2, label.y + label.height / 2);
    await popup.keyboard.press('ArrowUp');
    await popup.keyboard.press('Enter');
    await expect.poll(() => selectorField(popup).inputValue()).toBe('[data-tour="nav-invoices"]');
    // Escape goes back to pointing; clicking the export button again chooses it.
    await popup.keyboard.press('Escape');
    await expect.poll(() => selectorField(popup).isVisible()).toBe(false);
    await popup.mouse.click(target.x + target.width / 2, target.y + target.height / 2);
    await expect.poll(() => selectorField(popup).inputValue()).toBe('[data-tour="export"]');

    // What the console ignores: a message of the wrong shape from the tab (a style rule, not a
    // selector), and a well-formed one from any other window (here the console's own).
    await popup.evaluate(
      (origin) =>
        window.opener.postMessage(
          { type: 'waymark:picked', selector: 'a{}', matches: 1, url: location.href },
          origin,
        ),
      waymark.url,
    );
    await opener.evaluate(() =>
      window.postMessage(
        { type: 'waymark:picked', selector: '#forged', matches: 1, url: location.href },
        '*',
      ),
    );
    const closed = popup.waitForEvent('close');
    await panel(popup).getByRole('button', { name: 'Use this' }).click();
    const picked = await picking;
    expect(picked).toEqual({
      type: 'waymark:picked',
      selector: '[data-tour="export"]',
      matches: 1,
      url: expect.stringContaining(`${waymark.url}/demo/invoices?`),
    });
    await closed; // the picker closes the tab it was opened in
    expect(errors).toEqual([]);
  });

  it('narrows by text when the author asks, and the opener hears null when the tab is closed', async () => {
    const { opener } = await signedIn();
    const link = await previewLink();
    const popupOpened = context.waitForEvent('page');
    const picking = opener.evaluate(
      (url) =>
        (
          window as unknown as { waymarkPick: { pickElement(u: string): Promise<unknown> } }
        ).waymarkPick.pickElement(url),
      link,
    ) as Promise<Picked | null>;
    const popup = await popupOpened;
    await panel(popup).waitFor();
    const exportButton = (await popup.locator('[data-tour="export"]').boundingBox())!;
    await popup.mouse.click(
      exportButton.x + exportButton.width / 2,
      exportButton.y + exportButton.height / 2,
    );
    // The author widens the selector to every button, then narrows it by the button's text.
    await selectorField(popup).fill('button');
    await expect.poll(() => panel(popup).textContent()).toMatch(/a spotlight would not point at the element/);
    await expect(panel(popup).getByRole('button', { name: 'Use this' }).isDisabled()).resolves.toBe(true);
    await panel(popup).getByRole('checkbox', { name: 'Narrow by visible text' }).check();
    await expect
      .poll(() => panel(popup).getByRole('textbox', { name: 'Text it contains' }).inputValue())
      .toBe('Export CSV');
    await expect.poll(() => panel(popup).textContent()).toContain('It matches 1 element on this page');
    // A text that matches nothing is refused too.
    await panel(popup).getByRole('textbox', { name: 'Text it contains' }).fill('no such text');
    await expect(panel(popup).getByRole('button', { name: 'Use this' }).isDisabled()).resolves.toBe(true);
    await panel(popup).getByRole('textbox', { name: 'Text it contains' }).fill('export csv');
    await expect(panel(popup).getByRole('button', { name: 'Use this' }).isDisabled()).resolves.toBe(false);
    await popup.close();
    expect(await picking).toBeNull();
  });

  it('is never downloaded by a page without a preview token, nor by a preview link opened without an opener', async () => {
    const { opener } = await signedIn();
    const requested: string[] = [];
    context.on('request', (request) => {
      if (/\/widget\/picker-[\w-]+\.js$/.test(request.url())) requested.push(request.url());
    });
    // Opened by the console's page, with waymark_pick but no preview token.
    const popupOpened = context.waitForEvent('page');
    await opener.evaluate(
      ([url, origin]) => void window.open(`${url}/demo/invoices?waymark_pick=${encodeURIComponent(origin!)}`),
      [waymark.url, waymark.url],
    );
    const popup = await popupOpened;
    await popup.waitForLoadState('networkidle');
    await expect
      .poll(() =>
        popup.evaluate(() => typeof (window as { waymark?: { version?: unknown } }).waymark?.version),
      )
      .toBe('string');
    // A preview link with waymark_pick typed into the address bar: no opener.
    const direct = await context.newPage();
    const link = new URL(await previewLink());
    link.searchParams.set('waymark_pick', waymark.url);
    await direct.goto(link.href);
    await direct.waitForLoadState('networkidle');
    await expect
      .poll(() =>
        direct.evaluate(() => typeof (window as { waymark?: { version?: unknown } }).waymark?.version),
      )
      .toBe('string');
    // The draft's hotspot shows there: the widget did read the preview token.
    await direct.locator('waymark-widget .beacon').first().waitFor();
    expect(await panel(popup).count()).toBe(0);
    expect(await panel(direct).count()).toBe(0);
    expect(requested).toEqual([]);

    // The same preview link, opened by the console: the chunk is requested (the test above would see it).
    const pickerOpened = context.waitForEvent('page');
    await opener.evaluate((url) => void window.open(url), link.href);
    const picker = await pickerOpened;
    await panel(picker).waitFor();
    expect(requested).toHaveLength(1);
  });
});
