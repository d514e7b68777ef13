import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../server/auth/owners.ts';
import { settled } from './axe.ts';
import { launchChromium, startWaymark, type Waymark } from './harness.ts';

// Authoring in the console (README, "Console"): a product team member builds an NPS survey and a
// tour in forms, publishes them, and a person using the demo product meets them. Ids and versions are
// read back from the admin API with the demo's secret key, never written into the test.
let waymark: Waymark;
let browser: Browser;

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the admin API answers.
async function admin(path: string): Promise<any> {
  const res = await fetch(`${waymark.url}/v1/admin${path}`, {
    headers: { authorization: `Bearer ${waymark.keys.secretKey}` },
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function newPage(options: { colorScheme?: 'light' | 'dark'; width?: number } = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

async function signIn(
  context: BrowserContext,
  email: string = waymark.owner.email,
  password: string = waymark.owner.password,
) {
  const res = await context.request.post(`${waymark.url}/api/auth/sign-in/email`, {
    data: { email, password },
    headers: { origin: waymark.url },
  });
  expect(res.status(), await res.text()).toBe(200);
}

async function violations(page: Page) {
  await settled(page);
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target) }));
}

/** The builder's status line under its heading. */
const statusLine = (page: Page) => page.locator('main .lead');
/** The message an action leaves (saved, published, archived). */
const said = (page: Page, text: string | RegExp) =>
  page.getByRole('status').filter({ hasText: text }).waitFor();

/** The description a control carries (aria-describedby), as a screen reader reads it. */
const descriptionOf = (page: Page, label: string) =>
  page.getByLabel(label, { exact: true }).evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' | '),
  );

/** A person new to this browser signs in to the demo product (a company of the same age as them). */
async function demoUser(page: Page, who: { name: string; company: string; since?: string }) {
  await page.goto(`${waymark.url}/`);
  await page.waitForURL(/\/demo\/signin/);
  await page.getByLabel('Full name').fill(who.name);
  await page.getByLabel('Work email').fill(`${who.name.split(' ')[0]?.toLowerCase()}-${Date.now()}@fbi.test`);
  await page.getByLabel('Company name').fill(who.company);
  if (who.since) await page.getByLabel('Customer since').selectOption({ label: who.since });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.includes('signin'));
}

describe('the NPS survey builder', () => {
  it('publishes a new survey as it starts (the defaults), which an eligible person of the demo is then asked', async () => {
    const { context, page, errors } = await newPage();
    await signIn(context);

    // The seeded survey is archived from its builder, so that the new one is the only one to ask.
    const seeded = (await admin('/surveys')).surveys.find((s: { name: string }) => s.name === 'Ledgerly NPS');
    await page.goto(`${waymark.url}/app/content/surveys/${seeded.id}`);
    await page.getByRole('heading', { name: 'Ledgerly NPS' }).waitFor();
    expect(await page.getByLabel('Question', { exact: true }).inputValue()).toBe(
      'How likely are you to recommend {product} to a friend or colleague?',
    );
    await page.getByRole('button', { name: 'Archive' }).click();
    await said(page, 'Archived');
    await expect.poll(() => statusLine(page).textContent()).toContain('Archived');
    expect((await admin(`/surveys/${seeded.id}`)).status).toBe('archived');

    // A new survey: its defaults fill the form, and it publishes as it is.
    await page.goto(`${waymark.url}/app/content/surveys/new`);
    await page.getByRole('heading', { name: 'New NPS survey' }).waitFor();
    expect(await page.getByLabel('Name (for your team)').inputValue()).toBe('NPS survey');
    expect(await page.getByLabel('First ask, days after sign-up').inputValue()).toBe('30');
    expect(await page.getByLabel('Share of eligible people asked (0 to 1)').inputValue()).toBe('1');
    expect(await page.getByLabel('Question', { exact: true }).getAttribute('placeholder')).toBe(
      'How likely are you to recommend {product} to a friend or colleague?',
    );
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Publish' }).click();
    await said(page, 'Published as version 1.');
    await page.waitForURL(/\/app\/content\/surveys\/(?!new)[^/]+$/);
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    const record = await admin(`/surveys/${id}`);
    expect(record).toMatchObject({ name: 'NPS survey', status: 'active', publishedVersion: 1 });
    expect(record.draft.sampling.firstAskAfterDays).toBe(30);
    expect(record.draft.question).toBeUndefined();

    // A person it applies to: a customer for 60 days (first asked 30 days after sign-up), at a company
    // as old (no onboarding checklist, no tour), new to the product's browser.
    const demo = await newPage();
    // What the server delivered to the signed-in person (the sign-in page asks as an anonymous visitor).
    const delivered: Array<{ surveys: Array<{ id: string; version: number }> }> = [];
    demo.page.on('response', async (res) => {
      if (!res.url().endsWith('/v1/content') || res.request().method() !== 'POST') return;
      if (JSON.parse(res.request().postData() ?? '{}').userId) delivered.push(await res.json());
    });
    await demoUser(demo.page, {
      name: 'Monica Reyes',
      company: 'New Orleans Field Office',
      since: '60 days ago (returning customer)',
    });
    const prompt = demo.page.locator('waymark-widget').getByRole('region', { name: 'Quick survey' });
    await prompt
      .getByRole('radiogroup', {
        name: 'How likely are you to recommend Ledgerly (demo) to a friend or colleague?',
      })
      .waitFor();
    expect(delivered.at(-1)?.surveys.map((s) => [s.id, s.version])).toEqual([[id, 1]]);
    expect(demo.errors).toEqual([]);
    await demo.context.close();

    // Errors at their field as typed, by the schema the server uses; nothing saved while they stand.
    await page.getByLabel('Share of eligible people asked (0 to 1)').fill('2');
    await page.getByLabel('Question', { exact: true }).fill('How likely are you to recommend us?');
    const rate = page.getByLabel('Share of eligible people asked (0 to 1)');
    expect(await rate.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(page, 'Share of eligible people asked (0 to 1)')).toContain(
      'Sampling › rate must be at most 1',
    );
    expect(await descriptionOf(page, 'Question')).toContain(
      'should name the product: use {product} or the product name',
    );
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved: fix the fields marked below.' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-content-question');
    expect((await admin(`/surveys/${id}`)).draft.sampling.rate).toBe(1);

    // Fixed, saved and published again: the history says what changed, field by field.
    await rate.fill('0.5');
    await page.getByLabel('Question', { exact: true }).fill('Would you recommend {product} to a colleague?');
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Publish' }).click();
    await said(page, 'Published as version 2.');
    const versions = (await admin(`/surveys/${id}/versions`)).versions;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const diff = page.getByRole('region', { name: 'Differences, field by field' });
    const rows = await diff
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent?.trim())),
      );
    expect(rows).toEqual([
      ['Question', '(none)', 'Would you recommend {product} to a colleague?'],
      ['Sampling › rate', '1', '0.5'],
    ]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows the server’s refusal at the field it names', async () => {
    const { context, page } = await newPage();
    await signIn(context);
    await page.goto(`${waymark.url}/app/content/surveys/new`);
    await page.getByRole('heading', { name: 'New NPS survey' }).waitFor();
    // The form checks what the server checks, so the server is made to see a rate the form never
    // held: the request is changed on its way (as an outdated console would send it), and the real
    // server's problem+json comes back, naming /content/sampling/rate.
    await page.route('**/v1/admin/surveys', async (route) => {
      const body = route.request().postDataJSON();
      body.content.sampling.rate = 5;
      await route.continue({ postData: JSON.stringify(body) });
    });
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    const rate = page.getByLabel('Share of eligible people asked (0 to 1)');
    expect(await rate.inputValue()).toBe('1');
    expect(await rate.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(page, 'Share of eligible people asked (0 to 1)')).toMatch(
      /^1 asks everyone.* \| Sampling › rate .*1/,
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-content-sampling-rate');
    expect(
      (await admin('/surveys')).surveys.some(
        (s: { draft: { sampling: { rate: number } } }) => s.draft.sampling.rate === 5,
      ),
    ).toBe(false);
    await context.close();
  });
});

describe('the tour builder', () => {
  it('builds a two-step tour with typed selectors (an invalid one refused at its field), reorders by keyboard, publishes it, and a new demo user walks it', async () => {
    // The seeded tour would go first (its priority is higher): it is archived, with the secret key.
    for (const s of (await admin('/spotlights')).spotlights)
      if (s.draft.steps.length > 1) {
        const res = await fetch(`${waymark.url}/v1/admin/spotlights/${s.id}/archive`, {
          method: 'POST',
          headers: { authorization: `Bearer ${waymark.keys.secretKey}` },
        });
        expect(res.status).toBe(200);
      }
    const { context, page, errors } = await newPage();
    await signIn(context);
    await page.goto(`${waymark.url}/app/content/spotlights/new`);
    await page.getByRole('heading', { name: 'New tour' }).waitFor();
    await page.getByLabel('Name (for your team)').fill('Invoices and sign-out');
    await page.getByLabel('Step 1: title').fill('Make an invoice');
    await page.getByLabel('Step 1: element (CSS selector)').fill('[data-tour="create-invoice"]');
    // Picking needs the page of the product to pick on first.
    const pick = page.getByRole('button', { name: 'Pick the element of step 1 on your product' });
    expect(await pick.isDisabled()).toBe(true);
    expect(await pick.getAttribute('title')).toBe(
      'Enter the page of your product to pick on (above the steps) first.',
    );

    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByLabel('Step 2: title').fill('Sign out here');
    const second = page.getByLabel('Step 2: element (CSS selector)');
    await second.fill('[data-tour="sign-out"');
    expect(await second.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(page, 'Step 2: element (CSS selector)')).toContain(
      'Steps 2 › anchor › selector must be a valid CSS selector',
    );
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved: fix the fields marked below.' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(
      'field-content-steps-1-anchor-selector',
    );
    expect(new URL(page.url()).pathname).toBe('/app/content/spotlights/new');
    await second.fill('[data-tour="sign-out"]');
    expect(await second.getAttribute('aria-invalid')).toBeNull();

    // Reordered with the keyboard, announced; and back.
    await page.getByRole('button', { name: 'Move step 2 up' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('[aria-live="polite"]').textContent())
      .toBe('Step “Sign out here” moved to position 1 of 2.');
    expect(await page.getByLabel('Step 1: title').inputValue()).toBe('Sign out here');
    await page.getByRole('button', { name: 'Move step 1 down' }).click();
    expect(await page.getByLabel('Step 1: title').inputValue()).toBe('Make an invoice');

    await page.getByRole('button', { name: 'Publish' }).click();
    await said(page, 'Published as version 1.');
    await page.waitForURL(/\/app\/content\/spotlights\/(?!new)[^/]+$/);
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    const record = await admin(`/spotlights/${id}`);
    expect(
      record.draft.steps.map((s: { id: string; anchor: { selector: string } }) => [s.id, s.anchor.selector]),
    ).toEqual([
      ['step-1', '[data-tour="create-invoice"]'],
      ['step-2', '[data-tour="sign-out"]'],
    ]);
    expect(errors).toEqual([]);
    await context.close();

    // A new user of a new company: the onboarding checklist first, then the tour, walked to its end.
    const demo = await newPage();
    await demoUser(demo.page, { name: 'John Doggett', company: `Doggett Security ${Date.now()}` });
    const widget = demo.page.locator('waymark-widget');
    await widget.getByRole('button', { name: 'Close', exact: true }).click();
    const first = widget.getByRole('dialog', { name: 'Make an invoice' });
    await first.waitFor();
    await expect.poll(() => first.textContent()).toContain('Step 1 of 2');
    await first.getByRole('button', { name: 'Next' }).click();
    const last = widget.getByRole('dialog', { name: 'Sign out here' });
    await last.waitFor();
    await last.getByRole('button', { name: 'Done' }).click();
    await last.waitFor({ state: 'detached' });
    await waymark.waitForEvents((rows) =>
      rows.some(
        (e) => e.name === '$waymark.spotlight_completed' && JSON.parse(e.properties ?? '{}').contentId === id,
      ),
    );
    expect(demo.errors).toEqual([]);
    await demo.context.close();
  }, 120_000);

  it('builds a two-step tour whose elements are picked by clicking on the demo’s page (no selector typed), and a new demo user walks it', async () => {
    // Every tour with several steps (the seeded one, the one above) is archived, so this one runs.
    for (const s of (await admin('/spotlights')).spotlights)
      if (s.draft.steps.length > 1 && s.status !== 'archived') {
        const res = await fetch(`${waymark.url}/v1/admin/spotlights/${s.id}/archive`, {
          method: 'POST',
          headers: { authorization: `Bearer ${waymark.keys.secretKey}` },
        });
        expect(res.status).toBe(200);
      }
    const { context, page, errors } = await newPage();
    // The author is signed in to their own product in this browser (the demo's pages need a user).
    await demoUser(page, { name: 'Monica Reyes', company: `Reyes Consulting ${Date.now()}` });
    await signIn(context);
    await page.goto(`${waymark.url}/app/content/spotlights/new`);
    await page.getByRole('heading', { name: 'New tour' }).waitFor();
    await page.getByLabel('Name (for your team)').fill('Picked on the dashboard');
    await page.getByLabel('Page of your product to pick elements on').fill(`${waymark.url}/demo/`);
    await page.getByLabel('Step 1: title').fill('Make an invoice');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByLabel('Step 2: title').fill('Sign out here');

    for (const [step, target] of [
      [1, 'create-invoice'],
      [2, 'sign-out'],
    ] as const) {
      const opened = context.waitForEvent('page');
      await page.getByRole('button', { name: `Pick the element of step ${step} on your product` }).click();
      const tab = await opened;
      const picker = tab.getByRole('dialog', { name: 'Pick an element' });
      await picker.waitFor();
      const box = (await tab.locator(`[data-tour="${target}"]`).first().boundingBox())!;
      // On the button's padding, beside its icon and label (which the picker would offer instead).
      await tab.mouse.move(box.x + 3, box.y + box.height / 2);
      await tab.mouse.click(box.x + 3, box.y + box.height / 2);
      await expect.poll(() => picker.getByLabel('Selector').inputValue()).toBe(`[data-tour="${target}"]`);
      await picker.getByRole('button', { name: 'Use this' }).click();
      const field = page.getByLabel(`Step ${step}: element (CSS selector)`);
      await expect.poll(() => field.inputValue()).toBe(`[data-tour="${target}"]`);
      await said(page, `Picked [data-tour="${target}"]: it matches 1 element on that page.`);
    }
    await page.getByRole('button', { name: 'Publish' }).click();
    await said(page, 'Published as version 1.');
    await page.waitForURL(/\/app\/content\/spotlights\/(?!new)[^/]+$/);
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    const record = await admin(`/spotlights/${id}`);
    expect(record.draft.steps.map((s: { anchor: { selector: string } }) => s.anchor.selector)).toEqual([
      '[data-tour="create-invoice"]',
      '[data-tour="sign-out"]',
    ]);
    expect(errors).toEqual([]);
    await context.close();

    const demo = await newPage();
    await demoUser(demo.page, { name: 'Liz Reyes', company: `Reyes Security ${Date.now()}` });
    const widget = demo.page.locator('waymark-widget');
    await widget.getByRole('button', { name: 'Close', exact: true }).click();
    const first = widget.getByRole('dialog', { name: 'Make an invoice' });
    await first.waitFor();
    await first.getByRole('button', { name: 'Next' }).click();
    const last = widget.getByRole('dialog', { name: 'Sign out here' });
    await last.waitFor();
    await last.getByRole('button', { name: 'Done' }).click();
    await waymark.waitForEvents((rows) =>
      rows.some(
        (e) => e.name === '$waymark.spotlight_completed' && JSON.parse(e.properties ?? '{}').contentId === id,
      ),
    );
    expect(demo.errors).toEqual([]);
    await demo.context.close();
  }, 120_000);
});

describe('what a viewer is offered', () => {
  it('a viewer reads a survey in its builder, every change disabled with the reason', async () => {
    const viewer = { name: 'Vera Viewer', email: 'vera.builder@ledgerly.test', password: 'only-looking-1' };
    await createMember(
      { db: waymark.db, auth: waymark.app.auth, now: Date.now() },
      viewer,
      ['demo'],
      'viewer',
    );
    const { id } = (await admin('/surveys')).surveys[0];
    const { context, page } = await newPage();
    await signIn(context, viewer.email, viewer.password);
    await page.goto(`${waymark.url}/app/content/surveys/${id}`);
    await page.getByText('You are a viewer in this workspace').waitFor();
    expect(await page.getByLabel('Name (for your team)').isDisabled()).toBe(true);
    for (const name of ['Save draft', 'Publish'])
      expect(await page.getByRole('button', { name }).isDisabled(), name).toBe(true);
    expect(await page.getByRole('button', { name: 'Save draft' }).getAttribute('aria-describedby')).toBe(
      'builder-read-only',
    );
    await context.close();
  });
});

describe('the builders’ accessibility', () => {
  it.each(['light', 'dark'] as const)(
    'has no axe-core violation in %s, nor at 375 px',
    async (colorScheme) => {
      // Every survey: the seeded one (with a translation) and the first test's (with a history).
      const ids: string[] = (await admin('/surveys')).surveys.map((s: { id: string }) => s.id);
      const { context, page, errors } = await newPage({ colorScheme });
      await signIn(context);
      const tours: string[] = (await admin('/spotlights')).spotlights.map((s: { id: string }) => s.id);
      for (const path of [
        '/app/content/surveys/new',
        ...ids.map((id) => `/app/content/surveys/${id}`),
        '/app/content/spotlights/new',
        ...tours.map((id) => `/app/content/spotlights/${id}`),
      ]) {
        for (const width of [1280, 375]) {
          await page.setViewportSize({ width, height: 900 });
          await page.goto(`${waymark.url}${path}`);
          await page.getByLabel('Name (for your team)').waitFor();
          expect(await violations(page), `${path}, ${colorScheme}, ${width} px`).toEqual([]);
          if (width === 375)
            expect(
              await page.evaluate(() =>
                [...document.querySelectorAll('main *')]
                  .filter((e) => e.getBoundingClientRect().right > 375)
                  .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
              ),
              path,
            ).toEqual([]);
        }
      }
      expect(errors).toEqual([]);
      await context.close();
    },
    90_000,
  );
});
