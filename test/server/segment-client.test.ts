import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Analytics } from '@segment/analytics-node';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness, storedEvents } from './harness.ts';

// A team that already tracks with Segment's own Node library points it at Waymark by changing only
// the host and the key. This drives the real library over real HTTP.
let h: Harness;
let server: ReturnType<typeof serve>;
let host: string;

beforeEach(async () => {
  h = await createHarness();
  h.clock.now = Date.now();
  await new Promise<void>((resolve) => {
    server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

it('stores what @segment/analytics-node sends, with users, accounts and attribution', async () => {
  const analytics = new Analytics({ writeKey: h.ws.publishableKey, host, flushAt: 10, maxRetries: 1 });
  const errors: unknown[] = [];
  analytics.on('error', (error) => errors.push(error));
  analytics.identify({
    userId: 'u-42',
    traits: { name: 'Grace', email: 'grace@acme.test', createdAt: '2026-10-01T00:00:00Z' },
  });
  analytics.group({ userId: 'u-42', groupId: 'acme', traits: { name: 'Acme', plan: 'growth', seats: 12 } });
  analytics.track({ userId: 'u-42', event: 'Invoice Sent', properties: { amount: 120, currency: 'USD' } });
  analytics.page({ anonymousId: 'anon-1', name: 'Pricing', properties: { path: '/pricing' } });
  analytics.track({ userId: 'u-42', event: 'Report Exported', context: { groupId: 'acme-eu' } });
  await analytics.closeAndFlush({ timeout: 10_000 });

  expect(errors).toEqual([]);
  const rows = await storedEvents(h.db);
  expect(rows.map((r) => [r.type, r.name, r.user_id ?? r.anonymous_id, r.account_id])).toEqual([
    // The group call in the same batch made acme the user's account before the events were attributed.
    ['identify', null, 'u-42', 'acme'],
    ['group', null, 'u-42', 'acme'],
    ['track', 'Invoice Sent', 'u-42', 'acme'],
    ['page', 'Pricing', 'anon-1', null],
    ['track', 'Report Exported', 'u-42', 'acme-eu'],
  ]);
  // The library's own context (library name, version) is kept.
  expect(JSON.parse(String(rows[2]?.context))).toMatchObject({
    library: { name: '@segment/analytics-node' },
  });
  // Its timestamps are skew-corrected against sentAt: they land within the test's wall-clock window.
  for (const row of rows) expect(Math.abs(Number(row.timestamp) - Date.now())).toBeLessThan(60_000);

  const user = await (await h.admin('/users/u-42')).json();
  expect(user).toMatchObject({ accountId: 'acme', traits: { name: 'Grace', email: 'grace@acme.test' } });
  const account = await (await h.admin('/accounts/acme')).json();
  expect(account.traits).toEqual({ name: 'Acme', plan: 'growth', seats: 12 });
});
