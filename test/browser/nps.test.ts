import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoWorkspaceId } from '../../server/seed.ts';
import { widgetViolations } from './axe.ts';
import { launchChromium, shotsDir, startWaymark, type Waymark } from './harness.ts';

/** Rules axe must have checked on the prompt, so that a pass is not a look at nothing. */
const widgetRules = [
  'aria-allowed-attr',
  'aria-valid-attr-value',
  'button-name',
  'color-contrast',
  'landmark-unique',
  'nested-interactive',
];

// The demo's seeded NPS survey ("Ledgerly NPS": first asked 30 days after sign-up, 2 s after the
// page loads) in Chromium, as a long-time user meets it who has just joined a company new to Ledgerly
// (so the company's onboarding checklist shows too): after the checklist's panel, never with it;
// answered with the keyboard alone; accessible; stored once; not asked again. (A returning customer
// whose company is as old as they are gets no checklist: test/browser/demo.test.ts.)
let waymark: Waymark;
let browser: Browser;

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});

const question = 'How likely are you to recommend Ledgerly to a friend or colleague?';
const widget = (page: Page) => page.locator('waymark-widget');
const prompt = (page: Page) => widget(page).getByRole('region', { name: 'Quick survey' });
const checklistPanel = (page: Page) => widget(page).getByRole('dialog', { name: 'Get paid with Ledgerly' });

/** The element focused inside the widget's shadow root, as `role name` (or the tag outside it). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const inner = document.querySelector('waymark-widget')?.shadowRoot?.activeElement as HTMLElement | null;
    if (!inner) return document.activeElement?.tagName ?? '';
    const name = inner.getAttribute('aria-label') ?? inner.textContent ?? '';
    return `${inner.getAttribute('role') ?? inner.tagName.toLowerCase()} ${name}`.trim();
  });

/** Presses Tab until `target` has focus (at most `max` times); returns how many presses it took. */
async function tabTo(page: Page, target: Locator, max = 40): Promise<number> {
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el.getRootNode() instanceof ShadowRoot && el.matches(':focus')))
      return n;
  }
  throw new Error(`Tab never reached the target; focus is on ${await focused(page)}`);
}

describe('the NPS prompt in the demo', () => {
  it('a long-time user at a new company gets it after the checklist’s panel, answers it with the keyboard alone, once', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // A colleague signs the company up today, in this browser (the demo keeps companies per browser);
    // then Walter, a Ledgerly user for 60 days, joins it.
    await page.goto(`${waymark.url}/`);
    await page.waitForURL(/\/demo\/signin/);
    await page.getByLabel('Full name').fill('Alvin Kersh');
    await page.getByLabel('Work email').fill('alvin@fbi.test');
    await page.getByLabel('Company name').fill('Hoover Building Supplies');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.includes('signin'));
    await checklistPanel(page).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/demo\/signin/);
    await page.getByLabel('Full name').fill('Walter Skinner');
    await page.getByLabel('Work email').fill('walter@fbi.test');
    await page.getByLabel('Company name').fill('Hoover Building Supplies');
    await page.getByLabel('Customer since').selectOption({ label: '60 days ago (returning customer)' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.includes('signin'));

    // First view: the onboarding checklist opens by itself and holds the screen, past the survey's delay.
    await checklistPanel(page).waitFor();
    await page.waitForTimeout(3500);
    expect(await prompt(page).count()).toBe(0);
    await checklistPanel(page).getByRole('button', { name: 'Close', exact: true }).click();

    // Then the survey, at once (its delay is over), without taking focus (the launcher keeps it).
    await prompt(page).waitFor();
    expect(await focused(page)).toMatch(/^button Get paid with Ledgerly/);
    const group = prompt(page).getByRole('radiogroup', { name: question });
    expect(await group.getByRole('radio').count()).toBe(11);
    await group.getByRole('radio', { name: '0, Not at all likely' }).waitFor();
    await group.getByRole('radio', { name: '10, Extremely likely' }).waitFor();
    // A corner card above the launcher, not over it.
    const card = await prompt(page).boundingBox();
    const launcher = await widget(page)
      .getByRole('button', { name: /^Get paid with Ledgerly, \d of 4 done$/ })
      .boundingBox();
    expect(card && launcher && card.y + card.height <= launcher.y).toBe(true);
    expect(card && card.x + card.width).toBeGreaterThan(1280 - 40);
    expect(await widgetViolations(page, widgetRules)).toEqual([]);
    await page.screenshot({ path: join(shotsDir, 'nps-prompt.png') });

    // The keyboard alone: Tab into the group (its first radio), arrows pick, Tab on to the comment.
    await tabTo(page, group.getByRole('radio', { name: '0, Not at all likely' }));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    expect(await focused(page)).toBe('radio 9');
    await group.getByRole('radio', { name: '9', checked: true }).waitFor();
    const comment = prompt(page).getByRole('textbox', {
      name: 'Wonderful! What do you like most about Ledgerly?',
    });
    await comment.waitFor();
    expect(await widgetViolations(page, widgetRules)).toEqual([]);
    await page.screenshot({ path: join(shotsDir, 'nps-follow-up.png') }); // with the focus ring on 9
    await page.keyboard.press('Tab');
    expect(await comment.evaluate((el) => el.matches(':focus'))).toBe(true);
    await page.keyboard.type('Reminders chase late payers for me.');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button Submit');
    await page.keyboard.press('Enter');
    await prompt(page).getByText('Thank you: the Ledgerly team reads every answer.').waitFor();

    // Stored: one response, the score and the comment under one response id.
    const userId = await page.evaluate(
      () => JSON.parse(localStorage.getItem('ledgerly:session') ?? '{}').userId,
    );
    const stored = async () =>
      waymark.db.read.all<{ id: string; score: number; comment: string | null }>(
        sql`SELECT id, score, comment FROM survey_responses WHERE workspace_id = ${demoWorkspaceId} AND user_id = ${userId}`,
      );
    const deadline = Date.now() + 15_000;
    let rows = await stored();
    while (rows[0]?.comment == null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      rows = await stored();
    }
    expect(rows).toEqual([
      {
        id: expect.stringMatching(/^[\w-]{8,64}$/),
        score: 9,
        comment: 'Reminders chase late payers for me.',
      },
    ]);
    // The scores passed with the arrows (1, 2, 10) were never sent: only the settled 9, twice (alone
    // when focus moved on to the comment, then with it).
    const answered = (await waymark.events())
      .filter((e) => e.user_id === userId && e.name === '$waymark.survey_answered')
      .map((e) => JSON.parse(e.properties ?? '{}') as { score: number; comment?: string });
    expect(answered.map((a) => [a.score, a.comment])).toEqual([
      [9, undefined],
      [9, 'Reminders chase late payers for me.'],
    ]);
    const names = (await waymark.events()).filter((e) => e.user_id === userId).map((e) => e.name);
    expect(names.filter((n) => n === '$waymark.survey_shown')).toHaveLength(1);
    expect(names).not.toContain('$waymark.survey_dismissed');

    // It closes by itself; the next page load does not ask again.
    await prompt(page).waitFor({ state: 'detached', timeout: 10_000 });
    await page.reload();
    await widget(page)
      .getByRole('button', { name: /^Get paid with Ledgerly/ })
      .waitFor();
    await page.waitForTimeout(4000);
    expect(await prompt(page).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('at 320 px: one row of eleven, the end labels under 0 and 10, inside the screen; arrows then Space pick', async () => {
    const viewport = { width: 320, height: 640 };
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${waymark.url}/demo/signin`);
    await page.getByLabel('Full name').fill('Monica Reyes');
    await page.getByLabel('Work email').fill('monica@fbi.test');
    await page.getByLabel('Company name').fill('Reyes Consulting');
    await page.getByLabel('Customer since').selectOption({ label: '60 days ago (returning customer)' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.includes('signin'));
    // A returning customer whose company is as old as they are: no checklist, the prompt comes first.
    await prompt(page).waitFor();
    await page.evaluate(() => {
      const root = document.querySelector('waymark-widget')?.shadowRoot;
      return Promise.all((root?.getAnimations() ?? []).map((animation) => animation.finished));
    });

    const card = (await prompt(page).boundingBox())!;
    expect(card.x).toBeGreaterThanOrEqual(0);
    expect(card.y).toBeGreaterThanOrEqual(0);
    expect(card.x + card.width).toBeLessThanOrEqual(viewport.width);
    expect(card.y + card.height).toBeLessThanOrEqual(viewport.height);
    const radios = prompt(page).getByRole('radio');
    const boxes = await Promise.all(
      [...Array(11).keys()].map(async (n) => (await radios.nth(n).boundingBox())!),
    );
    expect(new Set(boxes.map((b) => Math.round(b.y))).size).toBe(1);
    for (const [n, box] of boxes.entries()) {
      expect(box.height, `radio ${n}`).toBeGreaterThanOrEqual(44);
      if (n > 0) expect(box.x, `radio ${n}`).toBeGreaterThan(boxes[n - 1]!.x + boxes[n - 1]!.width - 0.5);
    }
    const [low, high] = await Promise.all(
      [0, 1].map(async (n) => (await prompt(page).locator('.ends span').nth(n).boundingBox())!),
    );
    const first = boxes[0]!;
    const last = boxes[10]!;
    expect(Math.abs(low!.x - first.x)).toBeLessThan(1);
    expect(low!.x + low!.width).toBeLessThan(viewport.width / 2);
    expect(Math.abs(high!.x + high!.width - (last.x + last.width))).toBeLessThan(1);
    expect(high!.x).toBeGreaterThan(viewport.width / 2);
    expect(high!.y).toBeGreaterThan(first.y + first.height);
    expect(await widgetViolations(page, widgetRules)).toEqual([]);
    await page.screenshot({ path: join(shotsDir, 'nps-320.png') });

    // Arrows pass 1 to 4 and Space picks 4: one answer, of 4.
    await radios.nth(0).focus();
    for (const _ of [1, 2, 3, 4]) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    const userId = await page.evaluate(
      () => JSON.parse(localStorage.getItem('ledgerly:session') ?? '{}').userId,
    );
    const rows = await waymark.waitForEvents((r) =>
      r.some((e) => e.user_id === userId && e.name === '$waymark.survey_answered'),
    );
    await page.waitForTimeout(500);
    const answered = (await waymark.events())
      .filter((e) => e.user_id === userId && e.name === '$waymark.survey_answered')
      .map((e) => JSON.parse(e.properties ?? '{}').score);
    expect(rows.length).toBeGreaterThan(0);
    expect(answered).toEqual([4]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
