import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, widgetViolations } from './axe.ts';
import { launchChromium, shotsDir, startWaymark, type Waymark } from './harness.ts';

// Where the widget's layers sit on the seeded demo's pages, in Chromium: the open checklist panel
// leaves the host's primary action and header usable, shows that it scrolls, becomes a bottom sheet
// over a backdrop on phones, and stacks above the hotspot beacon (one order, widget/view/layers.ts).
let waymark: Waymark;
let browser: Browser;

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});

const title = 'Get paid with Ledgerly';
const widgetRules = ['aria-dialog-name', 'button-name', 'color-contrast', 'label', 'list', 'listitem'];
const widget = (page: Page) => page.locator('waymark-widget');
const panel = (page: Page) => widget(page).getByRole('dialog', { name: title });
const launcher = (page: Page) => widget(page).getByRole('button', { name: new RegExp(`^${title}, `) });

let people = 0;
/** A new person at the demo, on the Invoices page, the checklist's panel open (first view). */
async function signedIn(
  viewport: { width: number; height: number },
  colorScheme: 'light' | 'dark',
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, colorScheme });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const n = ++people;
  await page.goto(`${waymark.url}/demo/signin`);
  await page.getByLabel('Full name').fill(`Layout Tester ${n}`);
  await page.getByLabel('Work email').fill(`layout${n}@example.test`);
  await page.getByLabel('Company name').fill(`Layout Co ${n}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.includes('signin'));
  await panel(page).waitFor();
  await page.evaluate(() => history.pushState({}, '', '/demo/invoices'));
  await page.evaluate(() => window.dispatchEvent(new PopStateEvent('popstate')));
  await page.getByRole('button', { name: 'Export CSV' }).waitFor();
  // The demo's workspace theme is light; a host whose app follows the system says so (waymark.theme).
  await page.evaluate((auto) => {
    if (auto) (window as unknown as { waymark: { theme(mode: string): void } }).waymark.theme('auto');
  }, colorScheme === 'dark');
  const background = await panel(page).evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(background).toBe(colorScheme === 'dark' ? 'rgb(31, 41, 55)' : 'rgb(255, 255, 255)');
  return { context, page, errors };
}

/** The element of the checklist's shadow tree at a point (another layer's host if that is on top). */
const checklistHit = (page: Page, x: number, y: number) =>
  page.evaluate(
    ([px, py]) => {
      const roots = [...document.querySelectorAll('waymark-widget')].map((h) => h.shadowRoot);
      const root = roots.find((r) => r?.querySelector('.panel'));
      const hit = root?.elementFromPoint(px, py);
      if (!hit) return 'nothing';
      if (hit.closest('.panel')) return 'panel';
      if (hit.closest('.scrim')) return 'backdrop';
      return hit.tagName.toLowerCase();
    },
    [x, y] as const,
  );

const centre = (box: { x: number; y: number; width: number; height: number }) =>
  [box.x + box.width / 2, box.y + box.height / 2] as const;

async function expectInside(page: Page, viewport: { width: number; height: number }) {
  await settled(page); // its opening animation moves it up 8 px
  const box = (await panel(page).boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width + 0.5);
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height + 0.5);
  return box;
}

/** The panel's scrolling part: what it says it hides (`data-more`) and the shadow drawn for it. */
const scrollState = (page: Page) =>
  page.evaluate(() => {
    const root = [...document.querySelectorAll('waymark-widget')]
      .map((h) => h.shadowRoot)
      .find((r) => r?.querySelector('.panel'));
    const scroll = root!.querySelector<HTMLElement>('.scroll')!;
    return {
      taller: scroll.scrollHeight > scroll.clientHeight + 1,
      more: scroll.dataset.more ?? null,
      shadow: getComputedStyle(scroll).boxShadow,
    };
  });
const scrollTo = (page: Page, where: 'top' | 'bottom') =>
  page.evaluate((to) => {
    const root = [...document.querySelectorAll('waymark-widget')]
      .map((h) => h.shadowRoot)
      .find((r) => r?.querySelector('.panel'));
    const scroll = root!.querySelector<HTMLElement>('.scroll')!;
    scroll.scrollTop = to === 'top' ? 0 : scroll.scrollHeight;
    return new Promise((resolve) => requestAnimationFrame(resolve));
  }, where);

describe('the checklist panel on a desktop (1280 x 800)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: fits the window, leaves "New invoice" clickable, shows that it scrolls`, async () => {
      const viewport = { width: 1280, height: 800 };
      const { context, page, errors } = await signedIn(viewport, scheme);
      await expectInside(page, viewport);

      const newInvoice = page.getByRole('link', { name: 'New invoice' });
      const [x, y] = centre((await newInvoice.boundingBox())!);
      const hit = await page.evaluate(
        ([px, py]) => document.elementFromPoint(px, py)?.closest('a')?.textContent?.trim() ?? null,
        [x, y] as const,
      );
      expect(hit).toBe('New invoice');

      // The items are taller than the panel: a shadow at the bottom edge says there is more.
      const top = await scrollState(page);
      expect(top.taller).toBe(true);
      expect(top.more?.trim()).toBe('down');
      expect(top.shadow).toMatch(/-12px/);
      await scrollTo(page, 'bottom');
      const bottom = await scrollState(page);
      expect(bottom.more?.trim()).toBe('up');
      expect(bottom.shadow).toMatch(/ 12px/);
      expect(bottom.shadow).not.toMatch(/-12px/);

      expect(await widgetViolations(page, widgetRules)).toEqual([]);
      await page.screenshot({ path: join(shotsDir, `panel-1280-${scheme}.png`) });
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('stacks above the hotspot beacon: points inside the panel hit the panel, even over the beacon', async () => {
    const viewport = { width: 1280, height: 800 };
    const { context, page, errors } = await signedIn(viewport, 'light');
    const box = await expectInside(page, viewport);
    // The hotspot's target, moved under the open panel: its beacon follows it there.
    await page.addStyleTag({
      content: `[data-tour="export"]{position:fixed!important;right:${viewport.width - box.x - 200}px;top:${box.y + 100}px}`,
    });
    const beacon = widget(page).getByRole('button', { name: /Export/ });
    await page.waitForFunction(
      ([left, top]) => {
        const root = [...document.querySelectorAll('waymark-widget')]
          .map((h) => h.shadowRoot)
          .find((r) => r?.querySelector('.beacon'));
        const rect = root?.querySelector('.beacon')?.getBoundingClientRect();
        return !!rect && rect.x > left && rect.y > top;
      },
      [box.x, box.y] as const,
    );
    const [bx, by] = centre((await beacon.boundingBox())!);
    expect(bx).toBeGreaterThan(box.x);
    expect(by).toBeLessThan(box.y + box.height);
    expect(await checklistHit(page, bx, by)).toBe('panel');
    for (const [fx, fy] of [
      [0.1, 0.1],
      [0.5, 0.5],
      [0.9, 0.9],
    ] as const) {
      expect(await checklistHit(page, box.x + box.width * fx, box.y + box.height * fy)).toBe('panel');
    }
    // A click there is the panel's: the hotspot's tip does not open.
    await page.mouse.click(bx, by);
    expect(await beacon.getAttribute('aria-expanded')).toBe('false');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the checklist panel on a phone: a bottom sheet over a backdrop', () => {
  for (const width of [320, 375]) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${width} px, ${scheme}: inside the screen; the backdrop and Escape close it, focus on the launcher`, async () => {
        const viewport = { width, height: width === 320 ? 568 : 700 };
        const { context, page, errors } = await signedIn(viewport, scheme);
        const box = await expectInside(page, viewport);
        expect(box.x).toBe(0);
        expect(box.width).toBe(width);
        expect(box.y + box.height).toBeCloseTo(viewport.height, 0);

        // The host's header (sign-out included) is behind the backdrop, which takes the tap.
        const signOut = page.locator('[data-tour="sign-out"]');
        const [sx, sy] = centre((await signOut.boundingBox())!);
        expect(await checklistHit(page, sx, sy)).toBe('backdrop');
        expect(await widgetViolations(page, widgetRules)).toEqual([]);
        await page.screenshot({ path: join(shotsDir, `panel-${width}-${scheme}.png`) });
        await page.mouse.click(sx, sy);
        await panel(page).waitFor({ state: 'hidden' });
        expect(await launcher(page).evaluate((el) => el.matches(':focus'))).toBe(true);
        expect(page.url()).toContain('/demo/invoices'); // the tap did not sign out

        await launcher(page).click();
        await panel(page).waitFor();
        await page.keyboard.press('Escape');
        await panel(page).waitFor({ state: 'hidden' });
        expect(await launcher(page).evaluate((el) => el.matches(':focus'))).toBe(true);
        // Without the panel, the header is the host's again.
        expect(await checklistHit(page, sx, sy)).not.toMatch(/panel|backdrop/);
        expect(errors).toEqual([]);
        await context.close();
      });
    }
  }
});
