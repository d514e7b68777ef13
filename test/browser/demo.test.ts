import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, shotsDir, startWaymark, type Waymark } from './harness.ts';

// The demo product as a newcomer meets it: served by the real server, the widget loaded by the one
// script tag, real clicks, and the rows they leave in the database.
let waymark: Waymark;
let browser: Browser;

beforeAll(async () => {
  [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});

describe('the demo app', () => {
  it('signs in, creates a customer, and its events land in the database with user and account', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${waymark.url}/`);
    await page.waitForURL(/\/demo\/signin/);
    await page.getByLabel('Full name').fill('Dana Scully');
    await page.getByLabel('Work email').fill('dana@fbi.test');
    await page.getByLabel('Company name').fill('X Files LLC');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.includes('signin'));
    expect(
      await page.evaluate(() => typeof (window as { waymark?: { version?: unknown } }).waymark?.version),
    ).toBe('string');

    // A new user sees the onboarding checklist open on first view; they close it to get to work.
    const close = page.locator('waymark-widget').getByRole('button', { name: 'Close', exact: true });
    await close.click();
    await page.getByRole('link', { name: 'Customers' }).click(); // client-side navigation
    await page.waitForURL(/\/demo\/customers/);
    await page.locator('[data-tour="new-customer"]').click();
    await page.getByLabel('Customer name').fill('Skinner Consulting');
    await page.getByLabel('Billing email').fill('ap@skinner.test');
    await page.locator('[data-tour="save-customer"]').click();
    await page.getByText('Skinner Consulting').first().waitFor();

    const rows = await waymark.waitForEvents((r) => r.some((e) => e.name === 'Customer Created'));
    const identify = rows.find((e) => e.type === 'identify');
    const group = rows.find((e) => e.type === 'group');
    const created = rows.find((e) => e.name === 'Customer Created');
    expect(JSON.parse(identify?.traits ?? '{}')).toMatchObject({
      name: 'Dana Scully',
      email: 'dana@fbi.test',
    });
    expect(JSON.parse(group?.traits ?? '{}')).toMatchObject({ name: 'X Files LLC' });
    expect(created?.user_id).toBe(identify?.user_id);
    expect(created?.account_id).toBe(group?.account_id);
    expect(
      rows.some((e) => e.type === 'page' && JSON.parse(e.context ?? '{}').page?.path === '/demo/customers'),
    ).toBe(true);
    await page.screenshot({ path: join(shotsDir, 'demo-customers.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a returning customer (Customer since: 60 days ago) is asked the NPS question, without the onboarding checklist, once', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const widget = page.locator('waymark-widget');
    const prompt = widget.getByRole('region', { name: 'Quick survey' });
    const checklist = widget.getByRole('button', { name: /^Get paid with Ledgerly/ });

    await page.goto(`${waymark.url}/`);
    await page.waitForURL(/\/demo\/signin/);
    await page.getByLabel('Full name').fill('Margaret Scully');
    await page.getByLabel('Work email').fill('maggie@annapolis.test');
    await page.getByLabel('Company name').fill('Annapolis Naval Supply');
    await page.getByLabel('Customer since').selectOption({ label: '60 days ago (returning customer)' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.includes('signin'));

    // The survey comes after its 2 s delay; the company onboarded long ago: no checklist, no tour.
    await prompt.getByRole('radiogroup').waitFor();
    expect(await checklist.count()).toBe(0);
    expect(await widget.getByRole('dialog').count()).toBe(0);
    await page.screenshot({ path: join(shotsDir, 'demo-returning-customer.png') });
    await prompt.getByRole('button', { name: 'Close', exact: true }).click();
    await prompt.waitFor({ state: 'detached' });
    const dismissed = await waymark.waitForEvents((rows) =>
      rows.some((e) => e.name === '$waymark.survey_dismissed'),
    );
    const userId = dismissed.find((e) => e.name === '$waymark.survey_dismissed')?.user_id;
    const group = dismissed.find((e) => e.type === 'group' && e.user_id === userId);
    expect(JSON.parse(group?.traits ?? '{}').createdAt).toBe(
      JSON.parse(dismissed.find((e) => e.type === 'identify' && e.user_id === userId)?.traits ?? '{}')
        .createdAt,
    );

    // Once: the next page load asks no more (a dismissal waits 30 days).
    await page.reload();
    await page.waitForTimeout(4000);
    expect(await prompt.count()).toBe(0);
    expect(await checklist.count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
