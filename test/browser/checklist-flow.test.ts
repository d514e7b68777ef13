import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, widgetViolations } from './axe.ts';
import { type EventRow, launchChromium, shotsDir, startWaymark, type Waymark } from './harness.ts';

/** Rules axe must have checked on the open panel, so that a pass is not a look at nothing. */
const widgetRules = ['aria-dialog-name', 'button-name', 'color-contrast', 'label', 'list', 'listitem'];

// The demo's seeded onboarding checklist ("Get paid with Ledgerly", account scope, server/seed.ts)
// as its users meet it in Chromium: ticked off by really using the app, kept across a reload,
// celebrated, accessible, shared with a teammate of the same company, and then counted by the admin
// API's reports exactly as the stored events say.
let waymark: Waymark;
let browser: Browser;
const sessions: Session[] = [];
/** After the seeded demo history (all of it at least a minute old), before anyone signs in. */
let testStart: number;

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
  testStart = Date.now();
});
afterAll(async () => {
  for (const session of sessions) await session.context.close();
  await browser?.close();
  await waymark?.close();
});

const company = 'Lone Gunmen Press';
const owner = { name: 'Dana Scully', email: 'dana@lonegunmen.test' };
const teammate = { name: 'Fox Mulder', email: 'fox@lonegunmen.test' };

const checklistTitle = 'Get paid with Ledgerly';
/** The seeded items in order, and what does each: an app event, or for the optional one a tick by hand. */
const items = [
  { id: 'create_customer', title: 'Add your first customer', required: true, event: 'Customer Created' },
  { id: 'send_invoice', title: 'Send an invoice', required: true, event: 'Invoice Sent' },
  { id: 'invite_teammate', title: 'Invite a teammate', required: true, event: 'Teammate Invited' },
  { id: 'connect_bank', title: 'Connect a bank account', required: true, event: 'Bank Account Connected' },
  { id: 'read_guide', title: 'Read the invoicing guide', required: false, event: null },
] as const;
const [customerItem, invoiceItem, inviteItem, bankItem, guideItem] = items;
const required = items.filter((item) => item.required);

const shown = '$waymark.checklist_shown';
const completedEvent = '$waymark.checklist_completed';
const checkedEvent = '$waymark.checklist_item_checked';
const dismissedEvent = '$waymark.checklist_dismissed';

/** One person's browser: a context of their own (own storage), its page, and what the page threw. */
interface Session {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

async function openSession(): Promise<Session> {
  // A fresh context and context.newPage(), as AxeBuilder requires.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const session = { context, page, errors: [] as string[] };
  page.on('pageerror', (error) => session.errors.push(error.message));
  sessions.push(session);
  return session;
}

/** Signs in at the demo; the company name is the account (two people typing it share one). */
async function signIn(page: Page, person: { name: string; email: string }) {
  await page.goto(`${waymark.url}/`);
  await page.waitForURL(/\/demo\/signin/);
  await page.getByLabel('Full name').fill(person.name);
  await page.getByLabel('Work email').fill(person.email);
  await page.getByLabel('Company name').fill(company);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.includes('signin'));
}

// Everything the widget draws is in the open shadow root of <waymark-widget>; Playwright's locators
// pierce it, so these are the roles and names a screen reader meets.
const widget = (page: Page) => page.locator('waymark-widget');
const panel = (page: Page) => widget(page).getByRole('dialog', { name: checklistTitle });
/** The launcher: its name carries the progress ("Get paid with Ledgerly, 2 of 4 done"), its text "2 of 4". */
const launcher = (page: Page, done?: number) =>
  widget(page).getByRole('button', {
    name:
      done === undefined
        ? new RegExp(`^${checklistTitle}, \\d of 4 done$`)
        : `${checklistTitle}, ${done} of 4 done`,
    exact: true,
  });
const checkbox = (page: Page, title: string, checked?: boolean) =>
  panel(page).getByRole('checkbox', { name: title, ...(checked === undefined ? {} : { checked }) });
const celebration = (page: Page) => panel(page).getByRole('heading', { name: 'All done!', level: 3 });

async function openPanel(page: Page) {
  if (await panel(page).isVisible()) return;
  await launcher(page).click();
  await panel(page).waitFor();
}

/** Waits until exactly the required items in `done` are ticked, with the launcher and panel counting them. */
async function expectProgress(page: Page, done: ReadonlyArray<{ title: string }>) {
  const n = done.length;
  await launcher(page, n).waitFor();
  expect(await launcher(page, n).textContent()).toContain(`${n} of 4`);
  await openPanel(page);
  await panel(page).getByText(`${n} of 4 done`, { exact: true }).waitFor();
  for (const { title } of required)
    await checkbox(
      page,
      title,
      done.some((d) => d.title === title),
    ).waitFor();
}

/** Follows an item's "Start": the widget routes the app there (no reload) and closes its panel. */
async function start(page: Page, title: string, path: string) {
  await openPanel(page);
  await panel(page)
    .getByRole('listitem')
    .filter({ hasText: title })
    .getByRole('button', { name: 'Start' })
    .click();
  await page.waitForURL((url) => url.pathname === path);
  await panel(page).waitFor({ state: 'hidden' });
}

// Reading the stored events, for the reports' expected figures.
const byName = (rows: EventRow[], name: string) => rows.filter((r) => r.type === 'track' && r.name === name);
const props = (row: EventRow) => JSON.parse(row.properties ?? '{}') as Record<string, unknown>;
const earliest = (rows: EventRow[]) => (rows.length ? Math.min(...rows.map((r) => r.timestamp)) : null);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
/** Reports give durations in days, rounded to 0.01 day. */
const days = (ms: number) => Math.round((ms / 86_400_000) * 100) / 100;
const medianOf = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(mid)] as number) + (sorted[Math.ceil(mid)] as number)) / 2;
};

async function admin(path: string) {
  const res = await fetch(`${waymark.url}/v1/admin${path}`, {
    headers: { authorization: `Bearer ${waymark.keys.secretKey}` },
  });
  expect(res.status, `GET ${path}`).toBe(200);
  return res.json();
}

describe('the demo’s onboarding checklist', () => {
  let first: Session;

  it('greets a new user, opened on first view, nothing done yet', async () => {
    first = await openSession();
    const { page } = first;
    await signIn(page, owner);

    await panel(page).waitFor();
    await widget(page).getByRole('heading', { name: checklistTitle, level: 2 }).waitFor();
    await expectProgress(page, []);
    // The app ticks its steps itself (their boxes are not the user's to tick); the optional one is manual.
    for (const { title } of required) expect(await checkbox(page, title).isDisabled()).toBe(true);
    expect(await checkbox(page, guideItem.title, false).isEnabled()).toBe(true);
    expect(await checkbox(page, `${guideItem.title} (Optional)`).count()).toBe(1);
  });

  it('ticks each step off as the user really does it in the app', async () => {
    const { page } = first;

    await start(page, customerItem.title, '/demo/customers');
    await page.locator('[data-tour="new-customer"]').click();
    await page.getByLabel('Customer name').fill('Skinner Consulting');
    await page.getByLabel('Billing email').fill('ap@skinner.test');
    await page.locator('[data-tour="save-customer"]').click();
    await launcher(page, 1).waitFor();
    // The polite live region tells a screen reader what just got done.
    await widget(page)
      .getByRole('status')
      .filter({ hasText: `${customerItem.title} done. 1 of 4 complete.` })
      .waitFor({ state: 'attached' });
    await expectProgress(page, [customerItem]);

    await start(page, invoiceItem.title, '/demo/invoices/new');
    await page.getByLabel('Customer', { exact: true }).selectOption({ label: 'Skinner Consulting' });
    await page.getByLabel('Item 1 description').fill('Surveillance review, March');
    await page.getByLabel('Item 1 unit price (USD)').fill('1200');
    await page.locator('[data-tour="save-invoice"]').click(); // a draft: nothing to tick yet
    await page.locator('[data-tour="send-invoice"]').click();
    await page.locator('[data-tour="mark-paid"]').waitFor();
    await expectProgress(page, [customerItem, invoiceItem]);

    await start(page, inviteItem.title, '/demo/team');
    await page.getByLabel('Email address').fill(teammate.email);
    await page.locator('[data-tour="invite-submit"]').click();
    await expectProgress(page, [customerItem, invoiceItem, inviteItem]);
  });

  it('shows the same progress after a reload, from the first frame on', async () => {
    const { page } = first;
    // Every launcher label painted after the reload (rAF runs before each paint), until the server answered.
    await page.addInitScript(() => {
      const labels: string[] = [];
      Object.assign(window, { launcherLabels: labels });
      const record = () => {
        const label = document
          .querySelector('waymark-widget')
          ?.shadowRoot?.querySelector('.launcher')
          ?.getAttribute('aria-label');
        if (label && labels.at(-1) !== label) labels.push(label);
        if (labels.length < 20 && performance.now() < 10_000) requestAnimationFrame(record);
      };
      requestAnimationFrame(record);
    });
    const answered = page.waitForResponse((r) => r.url().endsWith('/v1/content') && r.ok());
    await page.reload();
    await answered;
    await expectProgress(page, [customerItem, invoiceItem, inviteItem]);
    expect(
      await page.evaluate(() => (window as unknown as { launcherLabels: string[] }).launcherLabels),
    ).toEqual([`${checklistTitle}, 3 of 4 done`]);
    // Nothing was announced as newly done: nothing was.
    expect(await widget(page).getByRole('status').textContent()).toBe('');

    await settled(page);
    await page.screenshot({ path: join(shotsDir, 'checklist-progress.png') });
    expect(await widgetViolations(page, widgetRules)).toEqual([]);
  });

  it('celebrates once every required step is done', async () => {
    const { page } = first;
    await start(page, bankItem.title, '/demo/settings');
    await page.locator('[data-tour="connect-bank"]').click();
    await page.locator('[data-tour="bank-chase"]').click();
    await page.getByLabel('Account number').fill('000123456789');
    await page.locator('[data-tour="confirm-bank"]').click();
    await page.getByText('Chase •••• 6789').waitFor();

    await expectProgress(page, required);
    await celebration(page).waitFor();
    await panel(page).getByText('You have completed every step. Nice work.').waitFor();
    await widget(page)
      .getByRole('status')
      .filter({ hasText: `${bankItem.title} done. 4 of 4 complete.` })
      .waitFor({ state: 'attached' });
    // The optional step is still open: it never held the celebration back.
    await checkbox(page, guideItem.title, false).waitFor();
    await settled(page);
    await page.screenshot({ path: join(shotsDir, 'checklist-celebration.png') });
    expect(await widgetViolations(page, widgetRules)).toEqual([]);
    expect(first.errors).toEqual([]);
  });

  it('shows a teammate who joins the company the account’s steps already done', async () => {
    const { page, errors } = await openSession();
    // The invited teammate, on their own computer, signs in with the company's name: same account.
    await signIn(page, teammate);
    await panel(page).waitFor(); // their first view
    await expectProgress(page, required);
    await celebration(page).waitFor();

    // They tick the optional step by hand; the server keeps it for the account: the owner, whose
    // browser never ticked it, sees it ticked on their next page load.
    await checkbox(page, guideItem.title).check();
    await checkbox(page, guideItem.title, true).waitFor();
    await settled(page);
    await page.screenshot({ path: join(shotsDir, 'checklist-teammate.png') });
    await waymark.waitForEvents((rows) => byName(rows, checkedEvent).length === 1);
    await first.page.reload();
    await openPanel(first.page);
    await checkbox(first.page, guideItem.title, true).waitFor();
    expect(errors).toEqual([]);
    expect(first.errors).toEqual([]);
  });

  it('reports time to value and the checklist funnel as the stored events say', async () => {
    // Each user saw the checklist once and completed it once (the widget remembers on the device).
    const rows = await waymark.waitForEvents(
      (r) => byName(r, shown).length === 2 && byName(r, completedEvent).length === 2,
    );
    const userOf = (email: string) =>
      rows.find((r) => r.type === 'identify' && JSON.parse(r.traits ?? '{}').email === email)?.user_id;
    const [ownerId, teammateId] = [userOf(owner.email), userOf(teammate.email)];
    const accountOf = (userId: string | null | undefined) =>
      rows.findLast((r) => r.type === 'group' && r.user_id === userId)?.account_id;
    const accountId = accountOf(ownerId);
    expect(ownerId).toBeTruthy();
    expect(teammateId).toBeTruthy();
    expect(teammateId).not.toBe(ownerId);
    expect(accountId).toBeTruthy();
    expect(accountOf(teammateId)).toBe(accountId);

    const ofAccount = (account: string | null | undefined) => rows.filter((r) => r.account_id === account);
    const ofUser = (userId: string | null | undefined) => rows.filter((r) => r.user_id === userId);
    // An account is first seen at the first message that named it (a group call, or an event sent
    // with it as context.groupId). The sign-in's identify went just before the group call: stored in
    // the same batch, its row is filed under the account too, but it did not name it.
    const namesAccount = (r: EventRow) =>
      r.type === 'group' ? r.account_id === accountId : JSON.parse(r.context ?? '{}').groupId === accountId;
    const accountFirstSeen = earliest(rows.filter(namesAccount)) as number;
    const accountValueAt = earliest(byName(ofAccount(accountId), invoiceItem.event)) as number;
    const ownerFirstSeen = earliest(ofUser(ownerId)) as number;
    const ownerValueAt = earliest(byName(ofUser(ownerId), invoiceItem.event)) as number;
    expect(accountValueAt).toBeGreaterThan(accountFirstSeen);

    // The account's time to value: from then to its first "Invoice Sent" (the value milestone), and
    // each milestone at the first event of its rule by anyone in the account.
    const account = await admin(`/accounts/${accountId}`);
    expect(account.firstSeen).toBe(iso(accountFirstSeen));
    expect(account.timeToValue).toEqual({
      milestone: 'invoice_sent',
      reachedAt: iso(accountValueAt),
      days: days(accountValueAt - accountFirstSeen),
    });
    const milestoneEvents: Record<string, string> = {
      customer_created: customerItem.event,
      invoice_sent: invoiceItem.event,
      teammate_invited: inviteItem.event,
      bank_connected: bankItem.event,
    };
    expect(
      Object.fromEntries(
        account.milestones.map((m: { key: string; reachedAt: string }) => [m.key, m.reachedAt]),
      ),
    ).toEqual(
      Object.fromEntries(
        Object.entries(milestoneEvents).map(([key, event]) => [
          key,
          iso(earliest(byName(ofAccount(accountId), event))),
        ]),
      ),
    );
    // The teammate as a user never sent an invoice: their account reached value, they did not.
    expect((await admin(`/users/${teammateId}`)).timeToValue).toEqual({
      milestone: 'invoice_sent',
      reachedAt: null,
      days: null,
    });

    // Of the subjects first seen at least d days ago, those that reached value within d days.
    const now = Date.now();
    const reachedBy = (subjects: Array<{ firstSeen: number; ttv: number | null }>) =>
      Object.fromEntries(
        [7, 14, 30].map((d) => {
          const eligible = subjects.filter((s) => s.firstSeen <= now - d * 86_400_000);
          const reached = eligible.filter((s) => s.ttv !== null && s.ttv <= d * 86_400_000).length;
          const share = eligible.length ? reached / eligible.length : null;
          return [`day${d}`, { eligible: eligible.length, reached, share }];
        }),
      );
    // The reports cover the whole workspace (the demo is seeded with months of history): a signup
    // window from the start of this test holds exactly this test's account and two users.
    const ours = rows.filter((r) => r.timestamp >= testStart);
    expect(new Set(ours.flatMap((r) => r.account_id ?? []))).toEqual(new Set([accountId]));
    expect(new Set(ours.flatMap((r) => r.user_id ?? []))).toEqual(new Set([ownerId, teammateId]));
    const since = `from=${encodeURIComponent(new Date(testStart).toISOString())}`;
    const accountTtv = accountValueAt - accountFirstSeen;
    expect((await admin(`/reports/time-to-value?subject=account&${since}`)).overall).toEqual({
      subjects: 1,
      reached: 1,
      neverReached: 0,
      medianDays: days(accountTtv),
      p90Days: days(accountTtv),
      reachedBy: reachedBy([{ firstSeen: accountFirstSeen, ttv: accountTtv }]),
    });
    const ownerTtv = ownerValueAt - ownerFirstSeen;
    const teammateFirstSeen = earliest(ofUser(teammateId)) as number;
    expect((await admin(`/reports/time-to-value?subject=user&${since}`)).overall).toEqual({
      subjects: 2,
      reached: 1,
      neverReached: 1,
      medianDays: days(ownerTtv),
      p90Days: days(ownerTtv),
      reachedBy: reachedBy([
        { firstSeen: ownerFirstSeen, ttv: ownerTtv },
        { firstSeen: teammateFirstSeen, ttv: null },
      ]),
    });

    // The funnel of the version the users saw, from its `shown`, item and `dismissed` events: those of
    // this test's users and of the seeded history's (the demo's months of customers saw it too).
    const everything = await waymark.allEvents();
    const accountOfAnyone = (userId: string) =>
      everything.findLast((r) => r.type === 'group' && r.user_id === userId)?.account_id;
    const byAccount = new Map<string | null, EventRow[]>();
    for (const r of everything) {
      const list = byAccount.get(r.account_id);
      if (list) list.push(r);
      else byAccount.set(r.account_id, [r]);
    }
    const shownRows = byName(everything, shown);
    const seenByUs = byName(rows, shown)[0] as EventRow;
    const checklistId = props(seenByUs).contentId as string;
    const version = props(seenByUs).version as number;
    const ofVersion = (r: EventRow) => props(r).contentId === checklistId && props(r).version === version;
    const viewers = [...new Set(shownRows.filter(ofVersion).map((r) => r.user_id as string))];
    const shownAt = (userId: string) => earliest(shownRows.filter((r) => r.user_id === userId)) as number;
    /** In account scope an item is done for a viewer once anyone in their account did it. */
    const doneAt = (item: (typeof items)[number], userId: string) => {
      const inAccount = byAccount.get(accountOfAnyone(userId) ?? null) ?? [];
      return earliest(
        item.event
          ? byName(inAccount, item.event)
          : byName(inAccount, checkedEvent).filter((r) => ofVersion(r) && props(r).itemId === item.id),
      );
    };
    const finished = viewers.filter((v) => required.every((item) => doneAt(item, v) !== null));
    const toComplete = finished.map((v) =>
      Math.max(0, Math.max(...required.map((item) => doneAt(item, v) as number)) - shownAt(v)),
    );
    const { funnels } = await admin(`/checklists/${checklistId}/funnel?version=${version}`);
    expect(funnels).toEqual([
      {
        checklistId,
        version,
        shown: viewers.length,
        started: viewers.filter((v) => items.some((item) => doneAt(item, v) !== null)).length,
        items: items.map((item) => ({
          id: item.id,
          title: item.title,
          required: item.required,
          completed: viewers.filter((v) => doneAt(item, v) !== null).length,
        })),
        completed: finished.length,
        dismissed: new Set(
          byName(everything, dismissedEvent)
            .filter(ofVersion)
            .map((r) => r.user_id),
        ).size,
        medianDaysToComplete: days(medianOf(toComplete)),
      },
    ]);
    // What the test did, in those numbers: two viewers of one account, each with every item done.
    expect(viewers).toEqual(expect.arrayContaining([ownerId, teammateId]));
    expect(finished).toEqual(expect.arrayContaining([ownerId, teammateId]));
    for (const item of items)
      expect(doneAt(item, ownerId as string)).toBe(doneAt(item, teammateId as string));
    expect(items.every((item) => doneAt(item, ownerId as string) !== null)).toBe(true);
  });
});
