import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../server/auth/owners.ts';
import { dateTime } from '../../server/console/format.ts';
import { settled } from './axe.ts';
import { launchChromium, shotsDir, startWaymark, type Waymark } from './harness.ts';

// The console's "Webhooks & alerts" view (/app/webhooks) in Chromium on the seeded demo, with the
// server's delivery worker running and a receiver on this machine: an owner adds a webhook from the
// form, sends it a test event that arrives signed with the secret the page showed, reads the delivery
// log (status codes, retries, paging), rotates the secret, disables and deletes; changes alert rules
// and finds them kept; a viewer and an editor are offered no change and refused one. What the page
// shows is checked against the admin API, read with the demo's secret key.
let waymark: Waymark;
let browser: Browser;
let receiver: { url: string; requests: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> };
let closeReceiver: () => Promise<void>;

/** A local HTTP receiver: 503 on `/flaky`, 200 elsewhere; keeps every request. */
async function startReceiver() {
  const requests: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      const flaky = req.url === '/flaky';
      res.writeHead(flaky ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(flaky ? 'down for maintenance' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    receiver: { url, requests },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  const started = await startReceiver();
  receiver = started.receiver;
  closeReceiver = started.close;
  [waymark, browser] = await Promise.all([
    // The receiver is on 127.0.0.1: private addresses allowed, as without NODE_ENV=production.
    startWaymark({ webhooks: { allowPrivate: true, pollMs: 200 } }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
  await closeReceiver?.();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the admin API answers.
async function admin(path: string, method = 'GET', body?: unknown): Promise<any> {
  const res = await fetch(`${waymark.url}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${waymark.keys.secretKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.status === 204 ? null : res.json();
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

async function openView(page: Page) {
  await page.goto(`${waymark.url}/app/webhooks`);
  await page.getByRole('heading', { name: 'Webhooks and alerts', level: 1 }).waitFor();
  await page.waitForFunction(() => !document.querySelector('[role="status"] .spinner'));
}

/** The README's receiver check: HMAC-SHA256(secret, `${t}.${raw body}`) against any `v1`. */
function signedBy(header: string, body: string, secret: string): boolean {
  const parts = header.split(',').map((part) => part.split('='));
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts
    .filter(([key]) => key === 'v1')
    .some(([, hex]) => {
      const given = Buffer.from(hex ?? '', 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

const logRows = (page: Page, url: string) =>
  page.getByRole('region', { name: `Deliveries to ${url}` }).locator('tbody tr');

async function violations(page: Page) {
  await settled(page);
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target) }));
}

describe('the console’s webhooks and alerts view', () => {
  it('adds a webhook from the form (checked as typed), shows its secret once, and a test event arrives signed with it and in the log', async () => {
    const { context, page, errors } = await newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: waymark.url });
    await signIn(context, waymark.owner.email, waymark.owner.password);
    await openView(page);
    expect(await page.getByText('No webhook yet.').count()).toBe(1);

    // Errors at their fields as they are typed, with the server's schema's words.
    const url = page.getByLabel('Endpoint URL');
    await url.fill('http://example.com/hook');
    await expect
      .poll(() => page.locator('#webhook-url-error').textContent())
      .toBe('must be https:// (http:// only to localhost or 127.0.0.1)');
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    const hookUrl = `${receiver.url}/hook`;
    await url.fill(hookUrl);
    expect(await page.locator('#webhook-url-error').count()).toBe(0);
    await page.getByLabel('Description (optional)').fill('CS alerts');
    await page.getByLabel('Only these types').check();
    const types = page.getByLabel('Event types, separated by commas or spaces');
    await types.fill('alert.created, Webhook.Test');
    await expect
      .poll(() => page.locator('#webhook-types-error').textContent())
      .toBe('“Webhook.Test” must be dotted lower-case words, such as alert.created');
    // Submitting with an error sends nothing and puts the focus on the field.
    await page.getByRole('button', { name: 'Add webhook' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('webhook-types');
    expect((await admin('/webhooks')).webhooks).toEqual([]);
    await types.fill('alert.created');
    await page.getByRole('button', { name: 'Add webhook' }).click();

    // The secret, shown once, copied; the API has the endpoint as typed, with the secret's hint.
    const panel = page.getByRole('region', { name: 'New signing secret' });
    const secret = (await panel.locator('.secret code').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await panel.getByRole('button', { name: 'Copy secret' }).click();
    await panel.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const [endpoint] = (await admin('/webhooks')).webhooks;
    expect(endpoint).toMatchObject({
      url: hookUrl,
      description: 'CS alerts',
      eventTypes: ['alert.created'],
      enabled: true,
    });
    expect(secret.endsWith(endpoint.secretHint.split('…')[1])).toBe(true);
    expect(JSON.stringify(await admin('/webhooks'))).not.toContain(secret);
    const card = page.getByRole('article', { name: hookUrl });
    expect(await card.getByText(endpoint.secretHint).count()).toBe(1);
    expect(await card.getByText('No delivery yet.').count()).toBe(1);
    await panel.getByRole('button', { name: 'I have kept it: hide' }).click();
    expect(await panel.count()).toBe(0);

    // A test event: delivered, signed with the secret the page showed, and logged with its code.
    await card.getByRole('button', { name: 'Send test event' }).click();
    await card
      .getByRole('status')
      .filter({ hasText: /Test event delivered: HTTP 200 in \d+ ms/ })
      .waitFor();
    const arrived = receiver.requests.filter((r) => r.headers['waymark-event'] === 'webhook.test');
    expect(arrived).toHaveLength(1);
    const request = arrived[0]!;
    expect(request.path).toBe('/hook');
    expect(signedBy(String(request.headers['waymark-signature']), request.body, secret)).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'webhook.test',
      data: { endpointId: endpoint.id },
    });
    const [delivery] = (await admin(`/webhooks/${endpoint.id}/deliveries`)).deliveries;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 });
    expect(request.headers['waymark-delivery-id']).toBe(delivery.id);
    await expect.poll(() => logRows(page, hookUrl).count()).toBe(1);
    const cells = await logRows(page, hookUrl).first().locator('th, td').allTextContents();
    expect(cells.slice(1)).toEqual(['webhook.test', 'Delivered', '200', '1', '–', '–']);

    // Paged as the API pages: 20, then the older ones.
    for (let i = 0; i < 21; i++) await admin(`/webhooks/${endpoint.id}/test`, 'POST');
    await expect
      .poll(async () => (await admin(`/webhooks/${endpoint.id}/deliveries?status=pending`)).deliveries.length)
      .toBe(0);
    await card.getByRole('button', { name: /^Refresh/ }).click();
    await expect.poll(() => logRows(page, hookUrl).count()).toBe(20);
    await card.getByRole('button', { name: 'Show older deliveries' }).click();
    await expect.poll(() => logRows(page, hookUrl).count()).toBe(22);
    expect(await card.getByRole('button', { name: 'Show older deliveries' }).count()).toBe(0);
    const firstPage = await admin(`/webhooks/${endpoint.id}/deliveries?limit=20`);
    const secondPage = await admin(`/webhooks/${endpoint.id}/deliveries?limit=20&before=${firstPage.next}`);
    expect(secondPage.next).toBeNull();
    const all = [...firstPage.deliveries, ...secondPage.deliveries];
    expect(all).toHaveLength(22);
    const shownTimes = await logRows(page, hookUrl)
      .locator('time')
      .evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
    expect(shownTimes).toEqual(all.map((d: { createdAt: string }) => d.createdAt));

    // Rotating the secret: the overlap checked as typed, the new secret shown once and signing.
    await card.getByRole('button', { name: 'Rotate secret…' }).click();
    const overlap = card.getByLabel('Previous secret also signs for (hours, 0 to 720)');
    await overlap.fill('800');
    await expect.poll(() => card.locator('.field-error').textContent()).toBe('must be at most 720 (30 days)');
    expect(await card.getByRole('button', { name: 'Rotate the secret' }).isDisabled()).toBe(true);
    await overlap.fill('0');
    await card.getByRole('button', { name: 'Rotate the secret' }).click();
    const rotated = (await panel.locator('.secret code').textContent()) ?? '';
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    expect(await panel.textContent()).toContain('The previous secret no longer signs.');
    const afterRotation = await admin(`/webhooks/${endpoint.id}`);
    expect(rotated.endsWith(afterRotation.secretHint.split('…')[1])).toBe(true);
    expect(afterRotation.previousSecretExpiresAt).toBeNull();
    await card.getByRole('button', { name: 'Send test event' }).click();
    await card.getByRole('status').filter({ hasText: 'Test event delivered' }).waitFor();
    const last = receiver.requests.at(-1)!;
    expect(signedBy(String(last.headers['waymark-signature']), last.body, rotated)).toBe(true);
    expect(signedBy(String(last.headers['waymark-signature']), last.body, secret)).toBe(false);

    // Disabled: said in words, no test offered; enabled again; deleted after a confirmation.
    await card.getByRole('button', { name: 'Disable' }).click();
    await card.getByText('Disabled', { exact: true }).waitFor();
    expect((await admin(`/webhooks/${endpoint.id}`)).enabled).toBe(false);
    expect(await card.getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true);
    await card.getByRole('button', { name: 'Enable' }).click();
    await card.getByText('Enabled', { exact: true }).waitFor();
    expect((await admin(`/webhooks/${endpoint.id}`)).enabled).toBe(true);
    await card.getByRole('button', { name: 'Delete…' }).click();
    await card.getByRole('button', { name: 'Delete webhook' }).click();
    await page.getByText('No webhook yet.').waitFor();
    expect((await admin('/webhooks')).webhooks).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('shows a delivery the receiver refused with its code, its retries and the next one', async () => {
    const flakyUrl = `${receiver.url}/flaky`;
    const endpoint = await admin('/webhooks', 'POST', { url: flakyUrl, description: 'Flaky receiver' });
    const { context, page, errors } = await newPage();
    await signIn(context, waymark.owner.email, waymark.owner.password);
    await openView(page);
    const card = page.getByRole('article', { name: flakyUrl });
    await card.getByRole('button', { name: 'Send test event' }).click();
    await card
      .getByRole('status')
      .filter({
        hasText:
          /Test event not delivered yet: attempt 1 got HTTP 503 in \d+ ms \(HTTP 503: down for maintenance\); next attempt /,
      })
      .waitFor();
    let [delivery] = (await admin(`/webhooks/${endpoint.id}/deliveries`)).deliveries;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503 });
    expect(delivery.nextAttemptAt).not.toBeNull();
    // The next retry is a minute away: bring it forward, and the worker tries again.
    await waymark.db.writer.batch([
      { sql: 'UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE id = ?', args: [delivery.id] },
    ]);
    await expect
      .poll(async () => (await admin(`/webhooks/${endpoint.id}/deliveries`)).deliveries[0].attempts)
      .toBe(2);
    [delivery] = (await admin(`/webhooks/${endpoint.id}/deliveries`)).deliveries;
    await card.getByRole('button', { name: /^Refresh/ }).click();
    const row = logRows(page, flakyUrl).first();
    await row.getByText('2 (1 retry)').waitFor();
    const cells = await row.locator(':scope > th, :scope > td').allTextContents();
    expect(cells[1]).toBe('webhook.test');
    expect(cells[2]).toBe('Pending');
    expect(cells[3]).toBe('503');
    expect(delivery.nextAttemptAt).not.toBeNull();
    expect(cells[5]).toBe(dateTime(delivery.nextAttemptAt));
    expect(cells[6]).toBe('HTTP 503: down for maintenance');
    // Each attempt, opened.
    await row.getByText('2 (1 retry)').click();
    expect(await row.locator('.attempts li').count()).toBe(2);
    expect(await row.locator('.attempts li').first().textContent()).toContain('503');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('turns an alert rule off and changes thresholds (checked as typed), kept after a reload and in the API', async () => {
    const before = await admin('/alerts/rules');
    expect(before.scoreDrop.enabled).toBe(true);
    const { context, page, errors } = await newPage();
    await signIn(context, waymark.owner.email, waymark.owner.password);
    await openView(page);
    const save = page.getByRole('button', { name: 'Save alert rules' });
    expect(await save.isDisabled()).toBe(true);
    const points = page.getByLabel('Points dropped, at least');
    expect(await points.inputValue()).toBe(String(before.scoreDrop.points));
    await points.fill('0');
    await expect
      .poll(() => page.locator('#rule-scoreDrop-points-error').textContent())
      .toBe('must be at least 1');
    expect(await save.isDisabled()).toBe(true);
    await page.locator('#rule-lowAdoption-below').fill('120');
    await expect
      .poll(() => page.locator('#rule-lowAdoption-below-error').textContent())
      .toBe('must be at most 100%');
    await page.locator('#rule-lowAdoption-below').fill('25');
    await points.fill('15');
    await page.locator('#rule-detractor-cooldownDays').fill('3');
    await page.getByRole('checkbox', { name: 'On (Score dropped)' }).uncheck();
    await save.click();
    await page.getByRole('status').filter({ hasText: 'Alert rules saved.' }).waitFor();

    // The API holds the change, and only the change.
    const after = await admin('/alerts/rules');
    expect(after).toEqual({
      ...before,
      scoreDrop: { ...before.scoreDrop, enabled: false, points: 15 },
      detractor: { ...before.detractor, cooldownDays: 3 },
      lowAdoption: { ...before.lowAdoption, below: 0.25 },
    });
    // A reload shows what was saved.
    await page.reload();
    await page.getByRole('heading', { name: 'Alert rules' }).waitFor();
    await page.getByLabel('Points dropped, at least').waitFor();
    expect(await page.getByLabel('Points dropped, at least').inputValue()).toBe('15');
    expect(await page.getByRole('checkbox', { name: 'On (Score dropped)' }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'On (Detractor answer)' }).isChecked()).toBe(true);
    expect(await page.locator('#rule-detractor-cooldownDays').inputValue()).toBe('3');
    expect(await page.locator('#rule-lowAdoption-below').inputValue()).toBe('25');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('offers a viewer and an editor no change, says why, and the server refuses them', async () => {
    if ((await admin('/webhooks')).webhooks.length === 0)
      await admin('/webhooks', 'POST', { url: `${receiver.url}/hook` });
    const endpoint = (await admin('/webhooks')).webhooks[0];
    const rulesBefore = await admin('/alerts/rules');
    for (const role of ['viewer', 'editor'] as const) {
      const member = {
        name: `A ${role}`,
        email: `${role}@hooks.ledgerly.test`,
        password: `only-${role}-123`,
      };
      await createMember({ db: waymark.db, auth: waymark.app.auth, now: Date.now() }, member, ['demo'], role);
      const { context, page, errors } = await newPage();
      await signIn(context, member.email, member.password);
      await openView(page);
      expect(await page.locator('.role').textContent()).toBe(role);
      expect(await page.locator('#read-only').textContent()).toContain('need the admin or owner role');
      // Reads: the webhook and its log, the rules as they are.
      await page.getByRole('article', { name: endpoint.url }).waitFor();
      expect(await page.getByRole('form', { name: 'Add a webhook' }).count()).toBe(0);
      const offered = await page
        .locator('main button')
        .evaluateAll((buttons) => buttons.map((b) => b.textContent?.trim()));
      expect(offered.every((text) => text?.startsWith('Refresh') || text === 'Show older deliveries')).toBe(
        true,
      );
      const inputs = page.locator('form.alert-rules input');
      expect(await inputs.count()).toBeGreaterThan(6);
      expect(
        await inputs.evaluateAll((all) =>
          all.every((input) => (input as HTMLInputElement).matches(':disabled')),
        ),
      ).toBe(true);
      expect(await page.getByLabel('Points dropped, at least').inputValue()).toBe(
        String(rulesBefore.scoreDrop.points),
      );

      // And the server refuses each change to this session.
      const headers = { origin: waymark.url };
      const refused = [
        await context.request.post(`${waymark.url}/v1/admin/webhooks`, {
          data: { url: `${receiver.url}/x` },
          headers,
        }),
        await context.request.post(`${waymark.url}/v1/admin/webhooks/${endpoint.id}/test`, { headers }),
        await context.request.post(`${waymark.url}/v1/admin/webhooks/${endpoint.id}/secret`, {
          data: {},
          headers,
        }),
        await context.request.patch(`${waymark.url}/v1/admin/webhooks/${endpoint.id}`, {
          data: { enabled: false },
          headers,
        }),
        await context.request.delete(`${waymark.url}/v1/admin/webhooks/${endpoint.id}`, { headers }),
        await context.request.patch(`${waymark.url}/v1/admin/alerts/rules`, {
          data: { scoreDrop: { enabled: !rulesBefore.scoreDrop.enabled } },
          headers,
        }),
      ];
      expect(refused.map((r) => r.status())).toEqual([403, 403, 403, 403, 403, 403]);
      expect(errors).toEqual([]);
      await context.close();
    }
    expect(await admin('/alerts/rules')).toEqual(rulesBefore);
    expect(await admin(`/webhooks/${endpoint.id}`)).toEqual(endpoint);
  }, 60_000);

  it.each(['light', 'dark'] as const)(
    'has no axe-core violation in %s, and fits a 375 px phone',
    async (colorScheme) => {
      // Run alone, this test makes its own webhook with a delivery in its log.
      if ((await admin('/webhooks')).webhooks.length === 0) {
        const { id } = await admin('/webhooks', 'POST', { url: `${receiver.url}/flaky` });
        await admin(`/webhooks/${id}/test`, 'POST');
      }
      const { context, page, errors } = await newPage({ colorScheme });
      await signIn(context, waymark.owner.email, waymark.owner.password);
      await openView(page);
      await page.locator('.delivery-log tbody tr').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(colorScheme);
      // The form with an error showing, and a rotation open: their states are checked too.
      await page.getByLabel('Endpoint URL').fill('ftp://example.com');
      await page.locator('#webhook-url-error').waitFor();
      await page.getByRole('button', { name: 'Rotate secret…' }).first().click();
      expect(await violations(page)).toEqual([]);
      await page.screenshot({ path: join(shotsDir, `console-webhooks-${colorScheme}.png`), fullPage: true });

      await page.setViewportSize({ width: 375, height: 800 });
      await page.getByRole('heading', { name: 'Alert rules' }).scrollIntoViewIfNeeded();
      // The page's own parts (the shell's navigation above them is wider: not this page's to fit);
      // the delivery table scrolls in its own box.
      expect(
        await page.evaluate(() =>
          [...document.querySelectorAll('main *')]
            .filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > 375)
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
        ),
      ).toEqual([]);
      expect(await violations(page)).toEqual([]);
      await page.screenshot({
        path: join(shotsDir, `console-webhooks-${colorScheme}-375.png`),
        fullPage: true,
      });
      expect(errors).toEqual([]);
      await context.close();
    },
    60_000,
  );
});
