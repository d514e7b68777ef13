import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EventRow, launchChromium, shotsDir, startWaymark, type Waymark } from './harness.ts';

// The demo's seeded spotlights (server/seed.ts) as a newcomer meets them: the three-step tour from
// the dashboard to the invoice list, and the hotspot on the invoice list's CSV export.
let waymark: Waymark;
let browser: Browser;
let context: BrowserContext;
let seq = 0;

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});
afterEach(async () => {
  await context?.close();
});

/** A new user of a new company, signed in, with the onboarding checklist (open on first view) closed. */
async function newUser(viewport = { width: 1280, height: 800 }): Promise<Page> {
  // A fresh context and context.newPage(), as AxeBuilder requires.
  context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${waymark.url}/`);
  await page.waitForURL(/\/demo\/signin/);
  const n = ++seq;
  await page.getByLabel('Full name').fill(`Walter Skinner ${n}`);
  await page.getByLabel('Work email').fill(`skinner${n}-${Date.now()}@fbi.test`);
  await page.getByLabel('Company name').fill(`FBI ${n} ${Date.now()}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.includes('signin'));
  await widget(page).getByRole('button', { name: 'Close', exact: true }).click();
  expect(errors).toEqual([]);
  return page;
}

const widget = (page: Page) => page.locator('waymark-widget');
/** The spotlight's tooltip: a non-modal dialog named by its title. */
const tip = (page: Page, title: string) => widget(page).getByRole('dialog', { name: title });

describe('the demo’s tour and hotspot', () => {
  it('walks a new user from the dashboard to the invoice list, the second step advancing on their click', async () => {
    const page = await newUser();
    const user = await page.evaluate(() => {
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i) ?? '';
        if (key.endsWith(':userId')) return localStorage.getItem(key);
      }
      return null;
    });
    expect(new URL(page.url()).pathname).toBe('/demo/');
    const first = tip(page, 'Start here');
    await first.waitFor();
    await expect.poll(() => first.getAttribute('data-side')).toBe('bottom');
    await expect.poll(() => first.textContent()).toContain('Step 1 of 3');
    await page.screenshot({ path: join(shotsDir, 'tour-step-1.png') });

    await first.getByRole('button', { name: 'Next' }).click();
    const second = tip(page, 'All your invoices');
    await second.waitFor();
    expect(await second.getByRole('button', { name: 'Next' }).count()).toBe(0); // the nav link is the way on
    await page.locator('[data-tour="nav-invoices"]').click();
    await page.waitForURL(/\/demo\/invoices$/);
    const third = tip(page, 'See what is overdue');
    await third.waitFor();
    await expect.poll(() => third.textContent()).toContain('Step 3 of 3');
    await third.getByRole('button', { name: 'Done' }).click();
    await third.waitFor({ state: 'detached' });

    // This user's events of the tour (the invoice list also showed them the export hotspot's beacon).
    const props = (e: EventRow | undefined) => JSON.parse(e?.properties ?? '{}');
    const mine = (rows: EventRow[]) =>
      rows.filter((e) => e.user_id === user && e.name?.startsWith('$waymark.spotlight'));
    const all = mine(
      await waymark.waitForEvents((r) => mine(r).some((e) => e.name === '$waymark.spotlight_completed')),
    );
    const tour = props(all.find((e) => props(e).stepId === 'new_invoice')).contentId;
    const rows = all.filter((e) => props(e).contentId === tour);
    expect(rows.map((e) => [e.name, props(e).stepId])).toEqual([
      ['$waymark.spotlight_shown', undefined],
      ['$waymark.spotlight_step_viewed', 'new_invoice'],
      ['$waymark.spotlight_step_reached', 'invoices_nav'],
      ['$waymark.spotlight_step_viewed', 'invoices_nav'],
      ['$waymark.spotlight_step_reached', 'filters'],
      ['$waymark.spotlight_step_viewed', 'filters'],
      ['$waymark.spotlight_completed', undefined],
    ]);
  });

  it('resumes at the second step after a reload', async () => {
    const page = await newUser();
    await tip(page, 'Start here').getByRole('button', { name: 'Next' }).click();
    await tip(page, 'All your invoices').waitFor();
    await page.reload();
    await tip(page, 'All your invoices').waitFor();
    expect(await tip(page, 'Start here').count()).toBe(0);
  });

  it('takes a phone user (375 px) through the tour, its second step centred while its link is in the closed menu', async () => {
    const page = await newUser({ width: 375, height: 667 });
    /** The card that shows: its title, side and box against the viewport. */
    const card = () =>
      page.evaluate(() => {
        for (const host of document.querySelectorAll('waymark-widget')) {
          const el = host.shadowRoot?.querySelector<HTMLElement>('.tip[data-side]');
          if (!el) continue;
          const r = el.getBoundingClientRect();
          const { clientWidth, clientHeight } = document.documentElement;
          const inside = r.left >= 0 && r.top >= 0 && r.right <= clientWidth && r.bottom <= clientHeight;
          return { title: el.querySelector('h2')?.textContent, side: el.dataset.side, inside };
        }
        return null;
      });
    await tip(page, 'Start here').waitFor();
    await expect.poll(card).toMatchObject({ title: 'Start here', inside: true });
    await tip(page, 'Start here').getByRole('button', { name: 'Next' }).click();
    // The Invoices link is in the collapsed menu: the step shows in the middle of the screen.
    await expect.poll(card).toEqual({ title: 'All your invoices', side: 'center', inside: true });
    await page.screenshot({ path: join(shotsDir, 'tour-step-2-375-centred.png') });
    // The user opens the menu: the tooltip moves to the link, whole on screen.
    await page.getByRole('button', { name: 'Menu' }).click();
    await expect
      .poll(async () => (await card())?.side, { timeout: 5000 })
      .toMatch(/^(top|right|bottom|left|dock)$/);
    expect(await card()).toMatchObject({ title: 'All your invoices', inside: true });
    await page.screenshot({ path: join(shotsDir, 'tour-step-2-375-menu.png') });
    await page.locator('[data-tour="nav-invoices"]').click();
    await page.waitForURL(/\/demo\/invoices$/);
    await expect.poll(card).toMatchObject({ title: 'See what is overdue', inside: true });
    await tip(page, 'See what is overdue').getByRole('button', { name: 'Done' }).click();
    await tip(page, 'See what is overdue').waitFor({ state: 'detached' });
  });

  it('opens the export hotspot with the keyboard, and its tooltip passes axe', async () => {
    const page = await newUser();
    // Out of the tour's way (dismissed), then to the invoice list.
    await tip(page, 'Start here').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('link', { name: 'Invoices' }).click();
    await page.waitForURL(/\/demo\/invoices$/);
    const beacon = widget(page).getByRole('button', { name: 'Open tip: Export for your accountant' });
    await beacon.waitFor();
    expect(await beacon.getAttribute('aria-expanded')).toBe('false');
    await beacon.focus();
    await page.keyboard.press('Enter');
    const hotspot = tip(page, 'Export for your accountant');
    await hotspot.waitFor();
    expect(await beacon.getAttribute('aria-expanded')).toBe('true');
    // Focus moved into the tip (the user opened it): Tab stays on its buttons, Escape folds it back.
    const focused = () =>
      page.evaluate(() => {
        for (const host of document.querySelectorAll('waymark-widget')) {
          const active = host.shadowRoot?.activeElement;
          if (active) return active.textContent || active.getAttribute('aria-label');
        }
        return null;
      });
    expect(await focused()).toBe('Done');
    await expect.poll(() => hotspot.getAttribute('data-side')).toBeTruthy();
    await page.screenshot({ path: join(shotsDir, 'hotspot.png') });

    const results = await new AxeBuilder({ page }).include('waymark-widget').analyze();
    expect(results.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target) }))).toEqual([]);
    const checked = results.passes.map((rule) => rule.id);
    expect(checked).toEqual(expect.arrayContaining(['aria-dialog-name', 'button-name']));

    await page.keyboard.press('Escape');
    await hotspot.waitFor({ state: 'detached' });
    expect(await focused()).toBe('Open tip: Export for your accountant'); // back on the beacon
    expect(await beacon.getAttribute('aria-expanded')).toBe('false');
  });
});
