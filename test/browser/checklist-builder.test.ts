import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../server/auth/owners.ts';
import { root } from '../server/processes.ts';
import { settled } from './axe.ts';
import { launchChromium, startWaymark, type Waymark } from './harness.ts';

// The console's checklist builder (/app/content/checklists/...) in Chromium on the seeded demo: the
// demo owner builds a checklist with the form alone (no JSON), sees errors at their fields as they
// type, puts the items in order by keyboard and by drag, publishes it, and a new user of the demo
// product is shown it; a second version is compared with the first field by field; the builder has
// no axe-core violation in light, in dark and at 375 px; a viewer reads it and changes nothing.
let waymark: Waymark;
let browser: Browser;

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});

const title = 'Set up invoicing';
/** The id the builder gives the checklist the test creates, once saved. */
let checklistId = '';

async function admin(path: string) {
  const res = await fetch(`${waymark.url}/v1/admin${path}`, {
    headers: { authorization: `Bearer ${waymark.keys.secretKey}` },
  });
  expect(res.status, `GET ${path}`).toBe(200);
  return res.json();
}

async function newPage(options: { colorScheme?: 'light' | 'dark'; width?: number } = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

async function signIn(context: BrowserContext, email: string, password: string) {
  const res = await context.request.post(`${waymark.url}/api/auth/sign-in/email`, {
    data: { email, password },
    headers: { origin: waymark.url },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** The input of the value at a JSON pointer, as the builder names it (`/content/items/0/title`). */
const field = (page: Page, pointer: string) => page.locator(`#f${pointer.replace(/[^A-Za-z0-9_-]/g, '-')}`);
const errorOf = (page: Page, pointer: string) =>
  page.locator(`#f${pointer.replace(/[^A-Za-z0-9_-]/g, '-')}-error`);
const itemTitles = (page: Page) => page.locator('.item-card .item-title').allTextContents();

async function violations(page: Page) {
  await settled(page);
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target) }));
}

describe('the checklist builder', () => {
  it('builds a checklist with the form alone, errors at their fields as typed, items ordered by keyboard and by drag, published; a new user of the demo sees it', async () => {
    const { context, page, errors } = await newPage();
    await signIn(context, waymark.owner.email, waymark.owner.password);

    // Content lists the seeded checklist with its status, and offers a new one.
    await page.goto(`${waymark.url}/app/`);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Content' }).click();
    await page.getByRole('heading', { name: 'Content', level: 1 }).waitFor();
    const [seeded] = (await admin('/checklists')).checklists;
    const seededRow = page
      .getByRole('region', { name: 'Checklists' })
      .getByRole('row', { name: seeded.name });
    expect(await seededRow.textContent()).toContain(`Published version ${seeded.publishedVersion}`);
    await page.getByRole('link', { name: 'New checklist' }).click();
    await page.waitForURL(/\/app\/content\/checklists\/new$/);
    await page.getByRole('heading', { name: 'New checklist', level: 1 }).waitFor();

    // A valid checklist from the start: nothing is marked.
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);

    // Errors as the author types, at the field, tied to it for a screen reader.
    await field(page, '/name').fill('Invoicing basics');
    await field(page, '/content/title').fill('');
    await expect.poll(() => field(page, '/content/title').getAttribute('aria-invalid')).toBe('true');
    expect(await errorOf(page, '/content/title').textContent()).toBe('must not be empty');
    expect(await field(page, '/content/title').getAttribute('aria-describedby')).toContain(
      'f-content-title-error',
    );
    // Saving then sends nothing: the list of what to fix links to the field.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('status').filter({ hasText: 'Not saved: fix the fields marked below.' }).waitFor();
    await page.getByRole('link', { name: '/title must not be empty' }).waitFor();
    expect((await admin('/checklists')).checklists).toHaveLength(1);
    await field(page, '/content/title').fill(title);
    await expect.poll(() => field(page, '/content/title').getAttribute('aria-invalid')).toBe(null);
    await field(page, '/content/priority').fill('100');

    // Item 1: done when the app tracks "Customer Created"; a bad id is refused at its field.
    await field(page, '/content/items/0/title').fill('Add a customer');
    await field(page, '/content/items/0/id').fill('Add Customer');
    await errorOf(page, '/content/items/0/id').waitFor();
    expect(await errorOf(page, '/content/items/0/id').textContent()).toMatch(/lowercase letters/);
    await field(page, '/content/items/0/id').fill('add_customer');
    await field(page, '/content/items/0/completion/kind').selectOption({ label: 'An event is tracked' });
    await field(page, '/content/items/0/completion/event').fill('Customer Created');
    await field(page, '/content/items/0/action/kind').selectOption({ label: 'Opens a page' });
    await field(page, '/content/items/0/action/url').fill('/demo/customers');

    // Item 2: optional, ticked by hand. Item 3: reached the "Sent an invoice" milestone.
    await page.getByRole('button', { name: 'Add an item' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('f-content-items-1-title');
    await field(page, '/content/items/1/title').fill('Read the guide');
    await field(page, '/content/items/1/id').fill('read_guide');
    await field(page, '/content/items/1/required').uncheck();
    await page.getByRole('button', { name: 'Add an item' }).click();
    await field(page, '/content/items/2/title').fill('Send an invoice');
    await field(page, '/content/items/2/id').fill('send_invoice');
    await field(page, '/content/items/2/completion/kind').selectOption({ label: 'A milestone is reached' });
    await field(page, '/content/items/2/completion/milestone').selectOption({
      label: 'Sent an invoice (invoice_sent)',
    });
    expect(await itemTitles(page)).toEqual([
      'Item 1: Add a customer',
      'Item 2: Read the guide',
      'Item 3: Send an invoice',
    ]);

    // By keyboard: "Send an invoice" up one, announced, and the focus stays on its button.
    await page.getByRole('button', { name: 'Move “Send an invoice” up' }).focus();
    await page.keyboard.press('Enter');
    await page
      .locator('[aria-live="polite"]')
      .filter({ hasText: 'Moved “Send an invoice” to position 2 of 3.' })
      .waitFor({ state: 'attached' });
    expect(await itemTitles(page)).toEqual([
      'Item 1: Add a customer',
      'Item 2: Send an invoice',
      'Item 3: Read the guide',
    ]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Move “Send an invoice” up',
    );
    // By drag: "Read the guide" by its handle onto the first item.
    // By drag: "Read the guide" by its handle onto the first item (both on screen: a drag does not scroll).
    await page.setViewportSize({ width: 1280, height: 3000 });
    const handle = await page.getByTestId('drag-2').boundingBox();
    const target = await page.locator('.item-card').first().boundingBox();
    if (!handle || !target) throw new Error('the items are not on screen');
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(target.x + 100, target.y + 40, { steps: 8 });
    expect(await page.locator('.item-card.drop-here').getAttribute('data-index')).toBe('0');
    await page.mouse.up();
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect
      .poll(() => itemTitles(page))
      .toEqual(['Item 1: Read the guide', 'Item 2: Add a customer', 'Item 3: Send an invoice']);
    // And back to the end, from the keyboard.
    await page.getByRole('button', { name: 'Move “Read the guide” down' }).click();
    await page.getByRole('button', { name: 'Move “Read the guide” down' }).click();
    expect(await itemTitles(page)).toEqual([
      'Item 1: Add a customer',
      'Item 2: Send an invoice',
      'Item 3: Read the guide',
    ]);
    // The README's picture: the top of the builder, its items and the side column.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(root, 'test', 'browser', 'screenshots', 'checklist-builder.png') });

    // Saved and published in one go: the page moves to the checklist's address.
    await page.getByRole('button', { name: 'Save and publish' }).click();
    await page.waitForURL(/\/app\/content\/checklists\/cl/);
    await page.getByRole('heading', { name: 'Checklist: Invoicing basics', level: 1 }).waitFor();
    await page.getByText('Created and published as version 1').waitFor();
    checklistId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const stored = await admin(`/checklists/${checklistId}`);
    expect(stored.publishedVersion).toBe(1);
    expect(stored.draft).toEqual({
      title,
      description: '',
      scope: 'user',
      items: [
        {
          id: 'add_customer',
          title: 'Add a customer',
          description: '',
          required: true,
          completion: { kind: 'event', event: 'Customer Created', where: [], count: 1 },
          action: { kind: 'url', url: '/demo/customers', newTab: false },
        },
        {
          id: 'send_invoice',
          title: 'Send an invoice',
          description: '',
          required: true,
          completion: { kind: 'milestone', milestone: 'invoice_sent' },
        },
        {
          id: 'read_guide',
          title: 'Read the guide',
          description: '',
          required: false,
          completion: { kind: 'manual' },
        },
      ],
      audience: { match: 'all', conditions: [], urls: [], excludeUrls: [] },
      display: { position: 'bottom-right', openOnFirstView: true, dismissible: true },
      priority: 100,
      locale: 'en',
      translations: {},
    });
    expect(errors).toEqual([]);
    await context.close();

    // A new user of the demo product: the highest-priority checklist is this one, nothing done yet.
    const demo = await newPage();
    await demo.page.goto(`${waymark.url}/`);
    await demo.page.waitForURL(/\/demo\/signin/);
    await demo.page.getByLabel('Full name').fill('Walter Skinner');
    await demo.page.getByLabel('Work email').fill('walter@fbi.test');
    await demo.page.getByLabel('Company name').fill('Federal Ledgers');
    await demo.page.getByRole('button', { name: 'Sign in' }).click();
    await demo.page.waitForURL((url) => !url.pathname.includes('signin'));
    const widget = demo.page.locator('waymark-widget');
    await widget.getByRole('button', { name: `${title}, 0 of 2 done`, exact: true }).waitFor();
    const panel = widget.getByRole('dialog', { name: title });
    if (!(await panel.isVisible()))
      await widget.getByRole('button', { name: `${title}, 0 of 2 done`, exact: true }).click();
    // In the order the builder gave them; the optional one says so.
    const boxes = panel.getByRole('checkbox');
    await expect
      .poll(() => boxes.evaluateAll((all) => all.map((box) => box.getAttribute('aria-label') ?? box.id)))
      .toHaveLength(3);
    for (const [i, name] of ['Add a customer', 'Send an invoice', 'Read the guide (Optional)'].entries())
      await panel.getByRole('checkbox', { name, exact: true }).and(boxes.nth(i)).waitFor();
    expect(demo.errors).toEqual([]);
    await demo.context.close();
  });

  it('publishes a second version and shows what changed from the first, field by field', async () => {
    const { context, page } = await newPage();
    await signIn(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/content/checklists/${checklistId}`);
    await page.getByRole('heading', { name: 'Version history' }).waitFor();

    // An error only the server can find (a milestone gone since the page loaded) lands at its field.
    const created = await fetch(`${waymark.url}/v1/admin/milestones`, {
      method: 'POST',
      headers: { authorization: `Bearer ${waymark.keys.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'read_docs', name: 'Read the docs', rule: { event: 'Docs Read' } }),
    });
    expect(created.status).toBe(201);
    const milestone = await created.json();
    await page.reload();
    await page.getByRole('heading', { name: 'Version history' }).waitFor();
    const guide = '/content/items/2/completion';
    await field(page, `${guide}/kind`).selectOption({ label: 'A milestone is reached' });
    await field(page, `${guide}/milestone`).selectOption({ label: 'Read the docs (read_docs)' });
    const deleted = await fetch(`${waymark.url}/v1/admin/milestones/${milestone.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${waymark.keys.secretKey}` },
    });
    expect(deleted.status).toBe(204);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await errorOf(page, `${guide}/milestone`).waitFor();
    expect(await errorOf(page, `${guide}/milestone`).textContent()).toBe(
      'names no milestone of this workspace ("read_docs")',
    );
    expect(await field(page, `${guide}/milestone`).getAttribute('aria-invalid')).toBe('true');
    expect((await admin(`/checklists/${checklistId}`)).draft.items[2].completion).toEqual({ kind: 'manual' });
    await field(page, `${guide}/kind`).selectOption({ label: 'The user ticks it' });
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);

    await field(page, '/content/title').fill(`${title} today`);
    await field(page, '/content/items/2/title').fill('Read the invoicing guide');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('status').filter({ hasText: 'Draft saved.' }).waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Published as version 2' }).waitFor();
    expect((await admin(`/checklists/${checklistId}/versions`)).versions).toHaveLength(2);

    // From version 1 to version 2: the two texts changed, nothing else.
    const changes = page.getByRole('region', { name: 'Changes from version 1 to version 2' });
    await changes.waitFor();
    const rows = await changes
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    expect(rows).toEqual([
      ['Title', title, `${title} today`],
      ['Item read_guide › Title', 'Read the guide', 'Read the invoicing guide'],
    ]);
    // Version 2 against the saved draft: the same.
    const compare = (side: string) => page.locator('.filters label', { hasText: side }).locator('select');
    await compare('From').selectOption({ label: 'Version 2' });
    await compare('To').selectOption({ label: 'Saved draft' });
    await page.getByText('No difference between version 2 and the saved draft.').waitFor();
    await context.close();
  });

  it.each([
    ['light', 1280],
    ['dark', 1280],
    ['light', 375],
  ] as const)('has no axe-core violation, in %s at %i px, with errors shown', async (colorScheme, width) => {
    const { context, page, errors } = await newPage({ colorScheme, width });
    await signIn(context, waymark.owner.email, waymark.owner.password);
    await page.goto(`${waymark.url}/app/content`);
    await page.getByRole('heading', { name: 'Content', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Invoicing basics' }).waitFor();
    expect(await violations(page), `content, ${colorScheme}, ${width}`).toEqual([]);
    await page.goto(`${waymark.url}/app/content/checklists/${checklistId}`);
    await page.getByRole('heading', { name: 'Version history' }).waitFor();
    await page.getByRole('region', { name: /Changes from/ }).waitFor();
    // With a field in error and its rule's parts open, as an author sees it mid-edit.
    await field(page, '/content/items/1/id').fill('Bad Id');
    await page.getByRole('button', { name: 'Add a trait condition' }).click();
    await page.getByRole('button', { name: 'Add shown on page' }).click();
    await errorOf(page, '/content/items/1/id').waitFor();
    expect(await violations(page), `builder, ${colorScheme}, ${width}`).toEqual([]);
    if (width === 375)
      expect(
        await page.evaluate(() =>
          [...document.querySelectorAll('main *')]
            .filter((e) => e.getBoundingClientRect().right > 375)
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
        ),
      ).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets a viewer read a checklist and change nothing (the server refuses it too)', async () => {
    const viewer = { name: 'Vera Viewer', email: 'vera@ledgerly.test', password: 'only-looking-1' };
    await createMember(
      { db: waymark.db, auth: waymark.app.auth, now: Date.now() },
      viewer,
      ['demo'],
      'viewer',
    );
    const { context, page, errors } = await newPage();
    await signIn(context, viewer.email, viewer.password);
    await page.goto(`${waymark.url}/app/content`);
    await page.getByRole('link', { name: 'Invoicing basics' }).waitFor();
    expect(await page.getByRole('link', { name: /^New / }).count()).toBe(0);
    await page.getByRole('link', { name: 'Invoicing basics' }).click();
    await page.getByRole('heading', { name: 'Checklist: Invoicing basics' }).waitFor();
    await page.getByText('You are a viewer in this workspace').waitFor();
    expect(await field(page, '/content/title').inputValue()).toBe(`${title} today`);
    for (const control of [
      field(page, '/name'),
      field(page, '/content/title'),
      field(page, '/content/items/0/completion/kind'),
      page.getByRole('button', { name: 'Move “Add a customer” down' }),
      page.getByRole('button', { name: 'Add an item' }),
      page.getByRole('button', { name: 'Save draft' }),
      page.getByRole('button', { name: 'Publish', exact: true }),
      page.getByRole('button', { name: 'Archive' }),
    ])
      expect(await control.isDisabled()).toBe(true);
    // The history is read all the same.
    await page.getByRole('region', { name: 'Changes from version 1 to version 2' }).waitFor();
    const refused = await context.request.put(`${waymark.url}/v1/admin/checklists/${checklistId}`, {
      data: { name: 'Taken over', content: (await admin(`/checklists/${checklistId}`)).draft },
      headers: { origin: waymark.url },
    });
    expect(refused.status()).toBe(403);
    expect(errors).toEqual([]);
    await context.close();
  });
});
