import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../server/auth/owners.ts';
import { addMember, teamUserByEmail } from '../../server/auth/team.ts';
import { measureNames } from '../../server/console/format.ts';
import { createWorkspace } from '../../server/workspaces/store.ts';
import type { MeasureId } from '../../shared/schemas/health-model.ts';
import { root } from '../server/processes.ts';
import { settled } from './axe.ts';
import { launchChromium, shotsDir, startEmptyWaymark, startWaymark, type Waymark } from './harness.ts';

// The console (/app) in Chromium on the seeded demo: a CS person signs in with the demo owner's
// printed credentials, finds the at-risk accounts and why, reads one account's story and the NPS
// results with their comments, exports CSV, and signs out. Every figure checked here is read from the
// admin API with the demo's secret key, not written into the test.
let waymark: Waymark;
let browser: Browser;

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});

/** The README's screenshots of the console (committed; see README, "Console"). */
const readmeShots = join(root, 'test', 'browser', 'screenshots');

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the admin API answers.
async function admin(path: string): Promise<any> {
  const res = await fetch(`${waymark.url}/v1/admin${path}`, {
    headers: { authorization: `Bearer ${waymark.keys.secretKey}` },
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return path.includes('.csv') ? res.text() : res.json();
}

async function newPage(options: { colorScheme?: 'light' | 'dark'; width?: number } = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Signs in through the API in this context (its cookie jar), as the sign-in form would. */
async function signInQuickly(context: BrowserContext, email: string, password: string) {
  const res = await context.request.post(`${waymark.url}/api/auth/sign-in/email`, {
    data: { email, password },
    headers: { origin: waymark.url },
  });
  expect(res.status(), await res.text()).toBe(200);
}

async function signInWithForm(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** No axe-core violation on the whole page. */
async function violations(page: Page) {
  await settled(page);
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target) }));
}

const rowsOf = (page: Page) => page.getByRole('region', { name: 'Accounts' }).locator('tbody tr');

describe('the console on the seeded demo', () => {
  it('signs the demo owner in (after a wrong password), lists the portfolio at risk first, filters and sorts it in the URL, and signs out', async () => {
    const { context, page, errors } = await newPage();
    const owner = waymark.owner;

    // A deep link while signed out: sign-in first, then back to it.
    await page.goto(`${waymark.url}/app/nps`);
    await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2Fnps/);
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await signInWithForm(page, owner.email, 'not the password');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid email or password/i);
    await signInWithForm(page, owner.email, owner.password);
    await page.waitForURL(/\/app\/nps$/);
    await page.getByRole('heading', { name: 'NPS', level: 1 }).waitFor();

    // The portfolio: the API's riskiest accounts first, with their scores and top drivers.
    await page.getByRole('link', { name: 'Portfolio' }).click();
    await page.getByRole('heading', { name: 'Portfolio' }).waitFor();
    const api = await admin('/health/accounts?sort=score&limit=25');
    expect(api.accounts.length).toBeGreaterThan(0);
    await expect.poll(() => rowsOf(page).count()).toBe(api.accounts.length);
    for (const [i, account] of api.accounts.slice(0, 5).entries()) {
      const row = rowsOf(page).nth(i);
      expect(await row.getByRole('rowheader').textContent()).toContain(account.name ?? account.accountId);
      if (account.score !== null)
        expect(await row.locator('.band strong').textContent()).toBe(String(account.score));
      if (account.topDriver)
        expect(await row.locator('td.driver').textContent()).toBe(
          measureNames[account.topDriver as MeasureId],
        );
    }
    expect(await page.getByRole('navigation', { name: 'Pages' }).textContent()).toContain(`of ${api.total}`);
    // Accounts per band, as the distribution counts them.
    const distribution = await admin('/health/distribution');
    const red = distribution.bands.find((b: { band: string }) => b.band === 'red');
    expect(red.accounts).toBeGreaterThan(0);
    const redCard = page.getByRole('button', { name: /At risk/ });
    expect(await redCard.textContent()).toContain(`${red.accounts} accounts`);

    // Filter by band: in the URL, and only those accounts.
    await redCard.click();
    await page.waitForURL(/band=red/);
    await expect.poll(() => rowsOf(page).count()).toBe(Math.min(25, red.accounts));
    expect(await rowsOf(page).locator('.band').allTextContents()).toEqual(
      Array(Math.min(25, red.accounts)).fill(expect.stringContaining('At risk')),
    );
    // Sort by ARR, largest first (a second click): the API's order, kept in the URL.
    await page.getByRole('button', { name: /^ARR/ }).click();
    await page.waitForURL(/sort=arr/);
    await page.getByRole('button', { name: /^ARR/ }).click();
    await page.waitForURL(/sort=-arr/);
    const byArr = await admin('/health/accounts?band=red&sort=-arr&limit=25');
    await expect
      .poll(() => rowsOf(page).first().getByRole('rowheader').textContent())
      .toContain(byArr.accounts[0].name ?? byArr.accounts[0].accountId);
    // The URL is a shareable link: a reload shows the same list.
    await page.reload();
    await expect
      .poll(() => rowsOf(page).first().getByRole('rowheader').textContent())
      .toContain(byArr.accounts[0].name ?? byArr.accounts[0].accountId);
    expect(await page.getByRole('combobox', { name: 'Band' }).inputValue()).toBe('red');

    // Sign out: back to sign-in, and the session is gone on the server too.
    const cookies = await context.cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/app\/sign-in/);
    const after = await fetch(`${waymark.url}/v1/console/session`, {
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    expect(after.status).toBe(401);
    await page.goto(`${waymark.url}/app/`);
    await page.waitForURL(/\/app\/sign-in/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens an at-risk account and tells its story: score, why, history, usage, milestones, NPS answers, members, events', async () => {
    const { context, page, errors } = await newPage();
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/?band=red`);
    const [worst] = (await admin('/health/accounts?band=red&limit=1')).accounts;
    await rowsOf(page).first().getByRole('link').click();
    await page.waitForURL(new RegExp(`/app/accounts/${worst.accountId}$`));
    // The demo seed builds its core features' rollups before the server starts: the first view shows
    // their figures, not "being counted again".
    const { features: seeded } = await admin(`/accounts/${worst.accountId}/overview`);
    expect(seeded.list.filter((f: { known: boolean }) => !f.known)).toEqual([]);

    const [health, overview] = await Promise.all([
      admin(`/health/accounts/${worst.accountId}`),
      admin(`/accounts/${worst.accountId}/overview`),
    ]);
    const { account, events, activity, features, checklists, responses } = overview;
    const name = account.traits.name ?? worst.accountId;
    await page.getByRole('heading', { level: 1, name: new RegExp(name) }).waitFor();
    expect(await page.locator('.headline-score .band').textContent()).toBe(`${health.score}At risk`);
    // Why: the drivers in words, as the API explains them.
    const drivers = page.getByRole('region', { name: 'Why this score' }).locator('ol.drivers li');
    expect(await drivers.count()).toBe(health.drivers.length);
    expect(await drivers.first().textContent()).toContain(health.drivers[0].text);
    // History: one point a day over 18 weeks.
    expect(await page.getByRole('img', { name: /^Health score from/ }).count()).toBe(1);
    // Usage against seats, milestones, members, events.
    const usage = await page.getByRole('region', { name: 'Usage and adoption' }).textContent();
    expect(usage).toContain(
      `${health.facts.activeUsers}${health.facts.seats === null ? '' : ` of ${health.facts.seats} seats`}`,
    );
    expect(usage).toContain(`${health.facts.milestonesReached} of ${health.facts.milestonesTotal} reached`);
    // Active users against seats: 126 days, the last 30 days' actives and the seats in words and legend.
    expect(activity.days).toHaveLength(126);
    const activeChart = page.getByRole('region', { name: 'Active users against seats' });
    const last = activity.days.at(-1);
    expect(await activeChart.getByRole('img').getAttribute('aria-label')).toContain(
      `${last.active30} active in the last 30 days${activity.seats === null ? '' : ` of ${activity.seats} seats`}`,
    );
    expect(await activeChart.locator('.legend').textContent()).toContain(
      `Active in 30 days: ${last.active30}`,
    );
    // Core features: one row each, used or not, with its users.
    const featureRows = page.getByRole('region', { name: 'Core features', exact: true }).locator('tbody tr');
    expect(await featureRows.count()).toBe(features.list.length);
    for (const [i, f] of features.list.entries()) {
      const text = await featureRows.nth(i).textContent();
      expect(text).toContain(f.name);
      if (f.known) expect(text).toContain(f.used ? '✓ yes' : 'no');
    }
    // Checklists: each published one's items, those done ticked.
    const checklistRegion = page.getByRole('region', { name: 'Checklists' });
    for (const c of checklists)
      expect(await checklistRegion.textContent()).toContain(
        `${c.requiredDone} of ${c.requiredTotal} required done`,
      );
    expect(await checklistRegion.locator('li.done').count()).toBe(
      checklists.reduce(
        (n: number, c: { items: Array<{ doneAt: string | null }> }) =>
          n + c.items.filter((item) => item.doneAt !== null).length,
        0,
      ),
    );
    expect(await page.getByRole('heading', { name: `Members (${account.users.length})` }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Latest events' }).locator('li').count()).toBe(
      events.length,
    );
    // NPS answers of its members, with their comments.
    const answers = page.getByRole('region', { name: 'NPS answers' }).locator('ul.verbatims li');
    expect(await answers.count()).toBe(responses.length);
    const commented = responses.find((r: { comment: string | null }) => r.comment);
    if (commented)
      expect(await page.getByRole('region', { name: 'NPS answers' }).textContent()).toContain(
        commented.comment,
      );
    await page.screenshot({ path: join(readmeShots, 'console-account.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reads the NPS results with their margin, split, distribution and trend; searches the comments; exports them as CSV', async () => {
    const { context, page, errors } = await newPage();
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/nps`);
    const [survey] = (await admin('/surveys')).surveys;
    const report = await admin(`/surveys/${survey.id}/results`);
    const { summary, rates } = report;
    expect(summary.responses).toBeGreaterThan(10);
    const stat = (label: string) =>
      page.locator('.stat').filter({ has: page.getByText(label, { exact: true }) });
    await expect
      .poll(() => stat('NPS').locator('.stat-value').textContent())
      .toBe(String(Math.round(summary.nps)));
    expect(await stat('NPS').textContent()).toContain(`± ${summary.marginOfError.toFixed(1)}`);
    expect(await stat('Responses').locator('.stat-value').textContent()).toBe(String(summary.responses));
    expect(await stat('Response rate').locator('.stat-value').textContent()).toBe(
      `${Math.round(rates.responseRate * 100)}%`,
    );
    expect(await stat('Dismissal rate').locator('.stat-value').textContent()).toBe(
      `${Math.round(rates.dismissalRate * 100)}%`,
    );
    expect(await page.getByRole('img', { name: /^Responses per score/ }).getAttribute('aria-label')).toBe(
      `Responses per score: ${summary.distribution.map((n: number, score: number) => `${score}: ${n}`).join(', ')}`,
    );
    expect(
      await page
        .getByRole('img', { name: /promoters, .* passives, .* detractors$/ })
        .getAttribute('aria-label'),
    ).toBe(`${summary.promoters} promoters, ${summary.passives} passives, ${summary.detractors} detractors`);
    expect(await page.getByRole('img', { name: /^NPS per month/ }).count()).toBe(1);
    await page.screenshot({ path: join(readmeShots, 'console-nps.png'), fullPage: true });

    // Verbatims: detractors with a comment, searched by a word of one of their comments.
    const verbatims = page.getByRole('region', { name: 'What they said' });
    await page.getByLabel('Group').selectOption('detractor');
    await page.waitForURL(/group=detractor/);
    await page.getByLabel('With a comment only').check();
    await page.waitForURL(/hasComment=true/);
    const detractors = await admin(
      `/surveys/${survey.id}/responses?group=detractor&hasComment=true&limit=20`,
    );
    expect(detractors.responses.length).toBeGreaterThan(0);
    await expect.poll(() => verbatims.locator('li').count()).toBe(detractors.responses.length);
    const word = (detractors.responses[0].comment as string).split(/\W+/).find((w) => w.length > 4)!;
    await page.getByLabel('Comment contains').fill(word);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(new RegExp(`q=${word}`));
    const found = await admin(
      `/surveys/${survey.id}/responses?group=detractor&hasComment=true&q=${word}&limit=20`,
    );
    await expect.poll(() => verbatims.locator('li').count()).toBe(found.responses.length);
    for (const text of await verbatims.locator('li p:first-child').allTextContents())
      expect(text.toLowerCase()).toContain(word.toLowerCase());
    const scores = await verbatims.locator('.score').allTextContents();
    expect(scores.every((s) => Number(s) <= 6)).toBe(true);

    // The CSV: what the filters show, every row, as the server writes it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      verbatims.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^nps-${survey.id}-.*\\.csv$`));
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toBe(
      await admin(`/surveys/${survey.id}/responses.csv?group=detractor&hasComment=true&q=${word}`),
    );
    expect(csv.trim().split('\r\n')).toHaveLength(found.responses.length + 1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('exports the portfolio as CSV, as filtered', async () => {
    const { context, page } = await newPage();
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/`);
    await rowsOf(page).first().waitFor();
    await page.screenshot({ path: join(readmeShots, 'console-portfolio.png') });
    await page.goto(`${waymark.url}/app/?segment=smb&sort=-arr`);
    await page.waitForFunction(
      () =>
        document.querySelectorAll('tbody tr').length > 0 && !document.body.textContent?.includes('Loading'),
    );
    await expect.poll(() => page.getByRole('combobox', { name: 'Segment' }).inputValue()).toBe('smb');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^portfolio-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const total = (await admin('/health/accounts?segment=smb')).total;
    expect(total).toBeGreaterThan(0);
    expect(csv.trim().split('\r\n')).toHaveLength(total + 1);
    expect(csv).toBe(await admin('/health/accounts.csv?segment=smb&sort=-arr'));
    await context.close();
  });

  /**
   * A person of the demo with something in every part of their page: a checklist shown to them, a
   * tour started, an NPS answer with a comment; and their overview as the API answers it.
   */
  async function personWithProgress() {
    const [survey] = (await admin('/surveys')).surveys;
    const { responses } = await admin(`/surveys/${survey.id}/responses?hasComment=true&limit=100`);
    for (const { userId } of responses) {
      const overview = await admin(`/users/${encodeURIComponent(userId)}/overview`);
      if (overview.checklists.length > 0 && overview.tours.length > 0) return overview;
    }
    throw new Error('no person of the demo with a checklist, a tour and a commented answer');
  }

  /** Every view of the console, with a real account and person of the demo. */
  async function everyView() {
    const [{ id: accountId }] = (await admin('/accounts?limit=1')).accounts;
    const userId = (await personWithProgress()).user.id;
    return [
      '/app/',
      `/app/accounts/${accountId}`,
      '/app/health',
      '/app/nps',
      '/app/onboarding',
      '/app/adoption',
      '/app/tours',
      '/app/users',
      `/app/users/${userId}`,
      '/app/events',
      '/app/settings',
      '/app/team',
    ];
  }

  it.each(['light', 'dark'] as const)(
    'has no axe-core violation on any view, in %s',
    async (colorScheme) => {
      const views = await everyView();
      {
        const { context, page, errors } = await newPage({ colorScheme });
        await page.goto(`${waymark.url}/app/sign-in`);
        await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(colorScheme);
        expect(await violations(page), `sign-in, ${colorScheme}`).toEqual([]);
        await signInQuickly(context, waymark.owner.email, waymark.owner.password);
        for (const view of views) {
          await page.goto(`${waymark.url}${view}`);
          await page.locator('main h1').waitFor();
          await page.waitForFunction(() => !document.querySelector('[role="status"] .spinner'));
          expect(await violations(page), `${view}, ${colorScheme}`).toEqual([]);
        }
        expect(errors).toEqual([]);
        await context.close();
      }
    },
    150_000,
  );

  it('remembers the dark-mode toggle over the system’s choice, and fits a 768 px tablet (and a person’s page a 375 px phone)', async () => {
    const views = await everyView();
    // The toggle overrides the system's choice, and is remembered.
    const { context, page } = await newPage({ colorScheme: 'light' });
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/`);
    await page.getByRole('button', { name: 'Dark mode' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.reload();
    await page.locator('main h1').waitFor();
    expect(await page.getByRole('button', { name: 'Dark mode' }).getAttribute('aria-pressed')).toBe('true');
    expect(await violations(page)).toEqual([]);
    // A tablet: nothing wider than the screen but the tables' own scroll boxes.
    await page.setViewportSize({ width: 768, height: 1024 });
    for (const view of views) {
      await page.goto(`${waymark.url}${view}`);
      await page.locator('main h1').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), view).toBeLessThanOrEqual(768);
    }
    await page.screenshot({ path: join(shotsDir, 'console-tablet-dark.png'), fullPage: true });
    // A phone: a person's page, its progress bars and events toggle, fits 375 px, in dark, with no violation.
    await page.setViewportSize({ width: 375, height: 800 });
    const person = views.find((view) => view.startsWith('/app/users/'))!;
    await page.goto(`${waymark.url}${person}?events=all`);
    await page.getByRole('heading', { name: 'Checklists' }).waitFor();
    expect(await page.getByLabel('Include Waymark’s own events').isChecked()).toBe(true);
    // The page's own parts (the shell's navigation above them is wider: not this page's to fit).
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll('main *')]
          .filter((e) => e.getBoundingClientRect().right > 375)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
      ),
    ).toEqual([]);
    expect(await violations(page)).toEqual([]);
    await context.close();
  });

  it('is usable with the keyboard alone: skip link, sections, sorting', async () => {
    const { context, page } = await newPage();
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/`);
    await rowsOf(page).first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => location.hash)).toBe('#main');
    // Tab reaches the ARR header's button, and Enter sorts by it.
    for (let n = 0; n < 40; n++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent ?? '')).startsWith('ARR')) break;
    }
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=arr/);
    await context.close();
  });

  it('renders the other views from the seeded figures: health, onboarding, adoption, tours, people, events', async () => {
    const { context, page, errors } = await newPage();
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    const main = () => page.locator('main').textContent();
    const settle = () => page.waitForFunction(() => !document.querySelector('main [role="status"] .spinner'));

    // Health: accounts per band, the week's movers, the alert inbox.
    const [distribution, alerts] = await Promise.all([
      admin('/health/distribution'),
      admin('/alerts?limit=20'),
    ]);
    await page.goto(`${waymark.url}/app/health`);
    await page.getByRole('heading', { name: 'Alert inbox' }).waitFor();
    await settle();
    for (const b of distribution.bands) expect(await main()).toContain(`${b.accounts} accounts`);
    if (distribution.movers.falling[0])
      expect(await main()).toContain(distribution.movers.falling[0].accountId);
    expect(alerts.alerts.length).toBeGreaterThan(0);
    expect(await main()).toContain(alerts.alerts[0].text);

    // Onboarding: the checklist's funnel and time to value.
    const [checklist] = (await admin('/checklists')).checklists;
    const [funnel] = (await admin(`/checklists/${checklist.id}/funnel`)).funnels;
    const ttv = await admin('/reports/time-to-value?subject=account&cohort=month');
    await page.goto(`${waymark.url}/app/onboarding`);
    await page.getByRole('heading', { name: `${checklist.name}, version ${funnel.version}` }).waitFor();
    const funnelTable = page.getByRole('region', {
      name: `Funnel of ${checklist.name}, version ${funnel.version}`,
    });
    expect(await funnelTable.getByRole('row', { name: /^Shown/ }).textContent()).toContain(
      String(funnel.shown),
    );
    expect(await funnelTable.getByRole('row', { name: /^Completed/ }).textContent()).toContain(
      String(funnel.completed),
    );
    expect(
      await page.locator('.stat').filter({ hasText: 'Median' }).locator('.stat-value').textContent(),
    ).toBe(`${ttv.overall.medianDays.toFixed(1)} days`);

    // Adoption: active users and stickiness.
    const adoption = await admin('/reports/adoption?days=30');
    await page.goto(`${waymark.url}/app/adoption`);
    const mau = page.locator('.stat').filter({ hasText: 'Monthly active users' }).locator('.stat-value');
    await expect.poll(() => mau.textContent()).toBe(adoption.activeUsers.mau.toLocaleString('en-US'));
    expect(
      await page.locator('.stat').filter({ hasText: 'Stickiness' }).locator('.stat-value').textContent(),
    ).toBe(`${Math.round(adoption.stickiness * 100)}%`);

    // Adoption over time: the daily chart, then the weekly one from its toggle (kept in the URL), and
    // stickiness, each ending on the series' last day.
    const { series } = await admin('/reports/adoption?days=30&include=series');
    const last = series.at(-1);
    const chart = (name: RegExp) =>
      page.locator('figure.time-chart').filter({ has: page.getByRole('img', { name }) });
    expect(
      await chart(/^Active that day \(DAU\)/)
        .locator('.legend')
        .textContent(),
    ).toBe(`Active that day (DAU): ${last.dau}`);
    await page.getByRole('button', { name: 'Weekly' }).click();
    await page.waitForURL(/active=weekly/);
    expect(
      await chart(/^Active in the 7 days ending that day/)
        .locator('.legend')
        .textContent(),
    ).toBe(`Active in the 7 days ending that day (WAU): ${last.wau}`);
    expect(
      await chart(/^Stickiness/)
        .locator('.legend')
        .textContent(),
    ).toBe(`DAU ÷ MAU (the 30 days ending each day): ${(last.stickiness * 100).toFixed(0)}%`);

    // Core features by account: most active accounts first, each cell its share and users as text.
    const byAccount = await admin('/reports/adoption/accounts?days=30&sort=-activeUsers&limit=25');
    expect(byAccount.features.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: /^Active users/ }).click();
    await page.waitForURL(/sort=activeUsers/);
    await page.getByRole('button', { name: /^Active users/ }).click();
    await page.waitForURL(/sort=-activeUsers/);
    await settle();
    const heatRows = page
      .getByRole('region', { name: 'Heatmap of core features by account' })
      .locator('tbody tr');
    await expect.poll(() => heatRows.count()).toBe(byAccount.accounts.length);
    const top = byAccount.accounts[0];
    const cells = await heatRows.first().locator('th, td').allTextContents();
    expect(cells).toEqual([
      top.name ? `${top.name}${top.accountId}` : top.accountId,
      top.activeUsers.toLocaleString('en-US'),
      ...top.features.map((f: { users: number; share: number | null }) =>
        f.share === null ? `– (${f.users})` : `${(f.share * 100).toFixed(0)}% (${f.users})`,
      ),
    ]);
    expect(await page.getByRole('columnheader', { name: /Active users/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    // The CSV link carries the same window and order.
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(
      '/v1/admin/reports/adoption/accounts.csv?days=30&sort=-activeUsers',
    );
    // A search, answered by the server.
    await page.getByLabel('Account id or name starts with').fill(top.accountId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=/);
    const searched = await admin(
      `/reports/adoption/accounts?days=30&sort=-activeUsers&q=${encodeURIComponent(top.accountId)}`,
    );
    await expect.poll(() => heatRows.count()).toBe(searched.accounts.length);
    expect(await heatRows.first().locator('th').textContent()).toContain(top.accountId);
    // On a 375 px phone the heatmap scrolls in its box; the page itself does not.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${waymark.url}/app/adoption`);
    await expect.poll(() => heatRows.count()).toBeGreaterThan(0);
    const widths = await page.evaluate(() => {
      const box = document.querySelector('[aria-label="Heatmap of core features by account"]');
      return {
        page: document.documentElement.scrollWidth,
        box: box?.scrollWidth ?? 0,
        shown: box?.clientWidth ?? 0,
      };
    });
    expect(widths.page).toBeLessThanOrEqual(375);
    expect(widths.box).toBeGreaterThan(widths.shown);
    await page.setViewportSize({ width: 1280, height: 900 });

    // Tours: the step funnel and the broken targets to fix.
    const tours = (await admin('/spotlights')).spotlights.filter(
      (t: { publishedVersion: number | null }) => t.publishedVersion,
    );
    const withMisses = (
      await Promise.all(tours.map((t: { id: string }) => admin(`/spotlights/${t.id}/funnel`)))
    )
      .flatMap((f) => f.funnels)
      .find((f) => f.targetNotFound.length > 0);
    await page.goto(`${waymark.url}/app/tours`);
    await page.getByRole('heading', { name: 'Tours and spotlights' }).waitFor();
    await settle();
    expect(withMisses).toBeDefined();
    expect(await main()).toContain(withMisses.targetNotFound[0].selector);
    expect(await main()).toContain(`Shown to ${withMisses.shown.toLocaleString('en-US')}`);

    // People: the list and one person's page.
    const users = await admin('/users?search=a&limit=50');
    await page.goto(`${waymark.url}/app/users`);
    await page.getByLabel('Id, name or email starts with').fill('a');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/search=a/);
    await expect
      .poll(() => page.getByRole('region', { name: 'People' }).locator('tbody tr').count())
      .toBe(users.users.length);
    const person = users.users[0];
    await page.getByRole('link', { name: person.name ?? person.id }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(person.name ?? person.id) }).waitFor();
    const detail = await admin(`/users/${person.id}`);
    for (const m of detail.milestones) expect(await main()).toContain(m.name);

    // A person's checklist and tour progress, their NPS answer, their events with and without the widget's.
    const overview = await personWithProgress();
    await page.goto(`${waymark.url}/app/users/${encodeURIComponent(overview.user.id)}`);
    await page.getByRole('heading', { name: 'Checklists' }).waitFor();
    const [shown] = overview.checklists;
    const done = shown.items.filter((item: { doneAt: string | null }) => item.doneAt !== null).length;
    const words = `${done} of ${shown.items.length} done`;
    expect(await page.getByRole('progressbar', { name: `${shown.title}: ${words}` }).count()).toBe(1);
    expect(await main()).toContain(words);
    const [tour] = overview.tours;
    expect(await main()).toContain(`${tour.stepsViewed} of ${tour.steps.length} steps viewed`);
    const [answer] = overview.responses;
    const verbatim = page.locator('.verbatims li').filter({ hasText: answer.comment });
    expect(await verbatim.locator('.score').textContent()).toBe(String(answer.score));
    const timeline = page.locator('ol.timeline');
    expect(await timeline.textContent()).not.toContain('$waymark.');
    expect(await timeline.locator('li').count()).toBe(overview.events.length);
    await page.getByLabel('Include Waymark’s own events').check();
    await page.waitForURL(/events=all/);
    const all = await admin(`/users/${encodeURIComponent(overview.user.id)}/overview?events=all`);
    await expect.poll(() => timeline.locator('li').count()).toBe(all.events.length);
    expect(await timeline.textContent()).toContain('$waymark.');

    // Live events: the newest event, and a filter.
    const events = await admin('/events?type=track&limit=50');
    await page.goto(`${waymark.url}/app/events?type=track`);
    const rows = page.getByRole('region', { name: 'Events' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(events.events.length);
    expect(await rows.first().getByRole('rowheader').textContent()).toBe(events.events[0].name);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switches between two workspaces and shows nothing of the other', async () => {
    // A second workspace the demo owner also owns, with one account of its own.
    const other = await createWorkspace(waymark.db, { id: 'northwind', name: 'Northwind' }, Date.now());
    const owner = await teamUserByEmail(waymark.db, waymark.owner.email);
    await addMember(waymark.db, owner!.id, ['northwind'], 'owner', Date.now());
    const time = new Date(Date.now() - 3_600_000).toISOString();
    const sent = await fetch(`${waymark.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          {
            type: 'group',
            messageId: 'nw-1',
            userId: 'nw-u1',
            groupId: 'zephyr',
            traits: { name: 'Zephyr Freight', arr: 48_000, seats: 6 },
            timestamp: time,
          },
          { type: 'track', messageId: 'nw-2', userId: 'nw-u1', event: 'Invoice Sent', timestamp: time },
        ],
      }),
    });
    expect(sent.status).toBe(200);
    const recomputed = await fetch(`${waymark.url}/v1/admin/health/recompute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.secretKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(recomputed.status).toBe(200);

    const { context, page, errors } = await newPage();
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/`);
    const demoNames = (await admin('/health/accounts?limit=500')).accounts.map(
      (a: { name: string }) => a.name,
    );
    await expect.poll(() => rowsOf(page).count()).toBe(25);
    const switcher = page.getByRole('combobox', { name: 'Workspace' });
    await switcher.selectOption({ label: 'Northwind' });
    await expect.poll(() => rowsOf(page).count()).toBe(1);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Zephyr Freight');
    for (const name of demoNames) expect(text).not.toContain(name);
    // The other workspace's account pages are not reachable from this one.
    await page.goto(`${waymark.url}/app/accounts/${(await admin('/accounts?limit=1')).accounts[0].id}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/Not found|switch workspace/);
    // And back: the demo's accounts, none of Northwind's.
    await page.goto(`${waymark.url}/app/`);
    await page.getByRole('combobox', { name: 'Workspace' }).selectOption({ label: 'Ledgerly (demo)' });
    await expect.poll(() => rowsOf(page).count()).toBe(25);
    expect(await page.locator('main').textContent()).not.toContain('Zephyr Freight');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('offers a viewer no change, and the server refuses one; an owner is offered it', async () => {
    const viewer = { name: 'Vera Viewer', email: 'vera@ledgerly.test', password: 'only-looking-1' };
    await createMember(
      { db: waymark.db, auth: waymark.app.auth, now: Date.now() },
      viewer,
      ['demo'],
      'viewer',
    );
    const [account] = (await admin('/health/accounts?limit=1')).accounts;

    const { context, page } = await newPage();
    await signInQuickly(context, viewer.email, viewer.password);
    await page.goto(`${waymark.url}/app/accounts/${account.accountId}`);
    await page.getByRole('heading', { name: 'Why this score' }).waitFor();
    expect(await page.locator('.role').textContent()).toBe('viewer');
    expect(await page.getByRole('button', { name: 'Recompute the score now' }).count()).toBe(0);
    // Reading works; the change the owner is offered is refused to the viewer's session.
    const refused = await context.request.post(`${waymark.url}/v1/admin/health/recompute`, {
      data: { accountId: account.accountId },
      headers: { origin: waymark.url },
    });
    expect(refused.status()).toBe(403);
    // Keys and identity: read, never changed.
    const keys = (await admin('/keys')).keys;
    await page.goto(`${waymark.url}/app/settings`);
    await page.getByRole('heading', { name: 'Keys and identity' }).waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: 'Keys of this workspace' }).locator('tbody tr').count())
      .toBe(keys.length);
    expect(await page.locator('main button').count()).toBe(0);
    const patch = await context.request.patch(`${waymark.url}/v1/admin/workspace`, {
      data: { identityVerification: 'enforce' },
      headers: { origin: waymark.url },
    });
    expect(patch.status()).toBe(403);
    await context.close();

    const owner = await newPage();
    await signInQuickly(owner.context, waymark.owner.email, waymark.owner.password);
    await owner.page.goto(`${waymark.url}/app/accounts/${account.accountId}`);
    await owner.page.getByRole('button', { name: 'Recompute the score now' }).click();
    await owner.page.getByRole('status').filter({ hasText: 'Recomputed now.' }).waitFor();
    // An owner rotates the publishable key from the keys page, and sees the new one.
    await owner.page.goto(`${waymark.url}/app/settings`);
    await owner.page.getByRole('button', { name: 'New publishable key' }).click();
    await owner.page.getByRole('status').filter({ hasText: 'A new publishable key' }).waitFor();
    const shown = await owner.page.locator('.state code').textContent();
    expect(shown).toMatch(/^pk_/);
    expect((await admin('/keys')).keys.some((k: { key?: string }) => k.key === shown)).toBe(true);
    await owner.context.close();
  });
});

describe('team members in the console', () => {
  it('an invited person creates an account from the link and joins the workspace with the role given', async () => {
    // The owner invites from the team page, which shows the link to hand over.
    const owner = await newPage();
    await signInQuickly(owner.context, waymark.owner.email, waymark.owner.password);
    await owner.page.goto(`${waymark.url}/app/team`);
    await owner.page.getByRole('heading', { name: 'Team' }).waitFor();
    const members = owner.page.getByRole('region', { name: 'Members' });
    expect(await members.textContent()).toContain(waymark.owner.email);
    const invite = owner.page.getByRole('form', { name: 'Invite someone' });
    await invite.getByLabel('Email').fill('nora@ledgerly.test');
    await invite.getByLabel('Role').selectOption('editor');
    await invite.getByRole('button', { name: 'Send the invitation' }).click();
    const shownLink = await owner.page.getByRole('status').locator('code').textContent();
    expect(shownLink).toMatch(/\/app\/invitations\//);
    await owner.context.close();
    const mail = waymark.mails.findLast((m) => m.to === 'nora@ledgerly.test');
    expect(mail?.link).toBe(shownLink);

    const { context, page, errors } = await newPage();
    await page.goto(`${waymark.url}${new URL(mail!.link).pathname}`);
    await page.getByRole('heading', { name: 'You are invited to a Waymark workspace' }).waitFor();
    expect(await violations(page)).toEqual([]);
    await page.getByLabel('Your name').fill('Nora Editor');
    await page.getByLabel('Email').fill('nora@ledgerly.test');
    await page.getByLabel(/^Password/).fill('editing-all-day');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByRole('heading', { name: 'Join Ledgerly (demo)' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('invited you as an editor');
    await page.getByRole('button', { name: 'Join Ledgerly (demo)' }).click();
    await page.getByRole('heading', { name: 'Portfolio' }).waitFor();
    expect(await page.locator('.role').textContent()).toBe('editor');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('resets a forgotten password from the emailed link', async () => {
    const member = { name: 'Reza Reset', email: 'reza@ledgerly.test', password: 'first-password-1' };
    await createMember(
      { db: waymark.db, auth: waymark.app.auth, now: Date.now() },
      member,
      ['demo'],
      'viewer',
    );
    const { context, page } = await newPage();
    await page.goto(`${waymark.url}/app/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('status').filter({ hasText: 'is on its way' }).waitFor();
    await expect.poll(() => waymark.mails.some((m) => m.to === member.email)).toBe(true);
    const link = waymark.mails.findLast((m) => m.to === member.email)!.link;
    await page.goto(link);
    await page.waitForURL(/\/app\/reset-password\?token=/);
    await page.getByLabel(/^New password/).fill('second-password-2');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInWithForm(page, member.email, 'second-password-2');
    await page.getByRole('heading', { name: 'Portfolio' }).waitFor();
    await context.close();
  });

  it('an owner changes a member’s role and removes a member from the team page; an admin cannot touch an owner', async () => {
    const tools = { db: waymark.db, auth: waymark.app.auth, now: Date.now() };
    const viewer = { name: 'Vic Viewer', email: 'vic@ledgerly.test', password: 'viewing-all-day' };
    const leaving = { name: 'Lea Leaving', email: 'lea@ledgerly.test', password: 'leaving-today-1' };
    const admin = { name: 'Ada Admin', email: 'ada@ledgerly.test', password: 'administering-1' };
    await createMember(tools, viewer, ['demo'], 'viewer');
    await createMember(tools, leaving, ['demo'], 'viewer');
    await createMember(tools, admin, ['demo'], 'admin');
    /** Each member's role as the server has it, read with this context's session. */
    const rolesOnServer = async (context: BrowserContext) => {
      const res = await context.request.get(`${waymark.url}/v1/console/workspaces/demo/members`);
      expect(res.status()).toBe(200);
      const body = (await res.json()) as { members: Array<{ email: string; role: string }> };
      return Object.fromEntries(body.members.map((m) => [m.email, m.role]));
    };

    const { context, page, errors } = await newPage();
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/team`);
    const role = page.getByLabel(`Role of ${viewer.name}`);
    await role.selectOption('editor');
    await page
      .getByRole('status')
      .filter({ hasText: `${viewer.name} is now editor.` })
      .waitFor();
    expect((await rolesOnServer(context))[viewer.email]).toBe('editor');
    await page.reload();
    expect(await page.getByLabel(`Role of ${viewer.name}`).inputValue()).toBe('editor');

    // Removing asks first; keeping changes nothing.
    await page.getByRole('button', { name: `Remove ${leaving.name}` }).click();
    await page.getByRole('button', { name: 'Keep' }).click();
    expect((await rolesOnServer(context))[leaving.email]).toBe('viewer');
    await page.getByRole('button', { name: `Remove ${leaving.name}` }).click();
    await page.getByRole('button', { name: `Yes, remove ${leaving.name}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${leaving.name} is no longer a member` })
      .waitFor();
    expect((await rolesOnServer(context))[leaving.email]).toBeUndefined();
    await expect
      .poll(() => page.getByRole('region', { name: 'Members' }).textContent())
      .not.toContain(leaving.email);
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();

    // An admin manages editors and viewers, but is offered no change to an owner, nor the owner role.
    const second = await newPage();
    await signInQuickly(second.context, admin.email, admin.password);
    await second.page.goto(`${waymark.url}/app/team`);
    const editorRole = second.page.getByLabel(`Role of ${viewer.name}`);
    await editorRole.waitFor();
    expect(await editorRole.locator('option').allTextContents()).toEqual(['viewer', 'editor', 'admin']);
    const listed = await second.context.request.get(`${waymark.url}/v1/console/workspaces/demo/members`);
    const ownerMember = (
      (await listed.json()) as { members: Array<{ id: string; name: string; role: string }> }
    ).members.find((m) => m.role === 'owner')!;
    expect(await second.page.getByLabel(`Role of ${ownerMember.name}`).count()).toBe(0);
    expect(await second.page.getByRole('button', { name: `Remove ${ownerMember.name}` }).count()).toBe(0);
    const demote = await second.context.request.patch(
      `${waymark.url}/v1/console/workspaces/demo/members/${ownerMember.id}`,
      { data: { role: 'viewer' }, headers: { origin: waymark.url } },
    );
    expect(demote.status()).toBe(403);
    await second.context.close();
  });

  it('sends a member whose session ended back to sign-in, and then to the page they asked for', async () => {
    const { context, page } = await newPage();
    await signInQuickly(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/`);
    await rowsOf(page).first().waitFor();
    // The session ends on the server (expired, or signed out on another device).
    await waymark.db.writer.batch([{ sql: 'DELETE FROM team_sessions', args: [] }]);
    await page.getByRole('link', { name: 'NPS' }).click();
    await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2Fnps/);
    await signInWithForm(page, waymark.owner.email, waymark.owner.password);
    await page.waitForURL(/\/app\/nps$/);
    await page.getByRole('heading', { name: 'NPS', level: 1 }).waitFor();
    await context.close();
  });
});

describe('the console on a fresh install', () => {
  it('creates the first owner and workspace from the browser, shows the keys once, and opens the empty portfolio', async () => {
    const fresh = await startEmptyWaymark();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      await page.goto(`${fresh.url}/app/`);
      await page.waitForURL(/\/app\/setup$/);
      await page.getByRole('heading', { name: 'Set up Waymark' }).waitFor();
      expect(await violations(page)).toEqual([]);
      await page.getByLabel('Your name').fill('Ana Lima');
      await page.getByLabel('Email').fill('ana@acme.test');
      await page.getByLabel('Password (at least 8 characters)').fill('correct horse battery');
      await page.getByLabel('Workspace name (your product or company)').fill('Acme');
      await page.getByRole('button', { name: 'Create the workspace' }).click();
      await page.getByRole('heading', { name: 'Your workspace is ready' }).waitFor();
      const keys = await page.locator('.keys code').allTextContents();
      expect(keys[0]).toMatch(/^pk_/);
      expect(keys[1]).toMatch(/^sk_/);
      // The secret key shown is a working key of the new workspace.
      const workspace = await fetch(`${fresh.url}/v1/admin/workspace`, {
        headers: { authorization: `Bearer ${keys[1]}` },
      });
      expect((await workspace.json()).name).toBe('Acme');
      await page.getByRole('button', { name: 'Open the console' }).click();
      await page.getByRole('heading', { name: 'Portfolio' }).waitFor();
      await page.getByText('No account has a health score yet.').waitFor();
      expect(await page.getByRole('combobox', { name: 'Workspace' }).inputValue()).toBeTruthy();
      expect(await page.locator('.who').textContent()).toContain('Ana Lima');
      // Install: the snippet carries this workspace's publishable key (never the secret one), and the
      // live indicator waits until the app's first event arrives, then shows it.
      await page.getByRole('link', { name: 'Install' }).first().click();
      await page.getByRole('heading', { name: 'Install', level: 1 }).waitFor();
      const install = (await page.locator('main').textContent()) ?? '';
      expect(install).toContain(keys[0]);
      expect(install).not.toContain(keys[1]);
      await page.getByText('Waiting for the first event…').waitFor();
      expect(await violations(page)).toEqual([]);
      const sent = await fetch(`${fresh.url}/v1/track`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[1]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'first-user', event: 'Install check' }),
      });
      expect(sent.status).toBe(200);
      await page.getByText('Receiving events from your app').waitFor();
      await page
        .getByRole('region', { name: 'Latest events from your app' })
        .getByText('Install check')
        .waitFor();
      // Setup is over: the page is gone, and sign-in is what a signed-out visitor gets.
      expect(await (await fetch(`${fresh.url}/v1/setup`)).json()).toEqual({ needsOwner: false });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(`${fresh.url}/app/setup`);
      await page.waitForURL(/\/app\/sign-in/);
      await signInWithForm(page, 'ana@acme.test', 'correct horse battery');
      await page.getByRole('heading', { name: 'Portfolio' }).waitFor();
      await context.close();
    } finally {
      await fresh.close();
    }
  });
});
