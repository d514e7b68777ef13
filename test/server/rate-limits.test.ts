import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type WaymarkApp } from '../../server/app.ts';
import { loadConfig, rateLimitSettings } from '../../server/config.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import type { RateLimitSettings } from '../../server/http/rate-limit.ts';
import { SharedCounts } from '../../server/http/rate-limit-store.ts';
import { createLogger } from '../../server/logger.ts';
import { basic, createHarness, type Harness } from './harness.ts';

// Small limits, so that a test reaches them in a few requests. The harness clock starts at
// 2026-11-23T12:00:00Z, the start of a 60 s window and of a 5 min one: Retry-After is the whole window.
const limits: RateLimitSettings = {
  address: { limit: 5, windowMs: 60_000 },
  key: { limit: 8, windowMs: 60_000 },
  adminFailures: { limit: 20, windowMs: 300_000 },
};

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

/** A harness behind one trusted proxy, so that a test names each request's client address. */
async function harness(settings: Partial<RateLimitSettings> = {}, trustProxy = 1): Promise<Harness> {
  const h = await createHarness(undefined, { rateLimits: { ...limits, ...settings }, trustProxy });
  opened.push(h);
  return h;
}

const batch = { batch: [{ type: 'track', event: 'Invoice Sent', userId: 'u1' }] };
const from = (address: string, headers: Record<string, string> = {}) => ({
  headers: { 'x-forwarded-for': address, ...headers },
});
const post = (h: Harness, address: string, path = '/v1/batch', headers: Record<string, string> = {}) =>
  h.post(path === '/v1/batch' ? batch : batch.batch[0], { path, ...from(address, headers) });
const content = (app: WaymarkApp, writeKey: string, address: string, headers: Record<string, string> = {}) =>
  app.request('/v1/content', {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-forwarded-for': address, ...headers },
    body: JSON.stringify({ writeKey, userId: 'u1' }),
  });
const admin = (h: Harness, key: string, address: string) =>
  h.app.request('/v1/admin/workspace', {
    headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': address },
  });
const statuses = async (requests: Array<() => Response | Promise<Response>>) => {
  const out: number[] = [];
  for (const request of requests) out.push((await request()).status);
  return out;
};
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

async function expectRateLimited(res: Response, detail: string, retryAfter: string) {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('retry-after')).toBe(retryAfter);
  expect(await res.json()).toEqual({
    type: 'about:blank',
    title: 'Too many requests',
    status: 429,
    code: 'rate_limited',
    detail,
  });
}

async function storedHits(db: Database): Promise<Array<{ bucket: string; hits: number }>> {
  return db.read.all(sql`SELECT bucket, hits FROM rate_limits ORDER BY bucket`);
}

describe('per client address, on ingestion and content', () => {
  it('answers the 6th request from an address in a minute with 429 and Retry-After, on every path', async () => {
    const h = await harness();
    const ok = await statuses([
      () => post(h, '198.51.100.7'),
      () => post(h, '198.51.100.7', '/v1/track'),
      () => post(h, '198.51.100.7', '/v1/t'),
      () => content(h.app, h.ws.publishableKey, '198.51.100.7'),
      () => post(h, '198.51.100.7', '/v1/identify'),
    ]);
    expect(ok).toEqual([200, 200, 200, 200, 200]);
    await expectRateLimited(
      await post(h, '198.51.100.7'),
      'More than 5 requests from this address in 60 s; retry in 60 s.',
      '60',
    );
    await expectRateLimited(
      await content(h.app, h.ws.publishableKey, '198.51.100.7'),
      'More than 5 requests from this address in 60 s; retry in 60 s.',
      '60',
    );
    // Another address is not affected.
    expect((await post(h, '198.51.100.8')).status).toBe(200);
  });

  it('refuses before reading the body or the key: junk and unknown keys get 429 too', async () => {
    const h = await harness();
    for (let i = 0; i < 5; i++) expect((await post(h, '198.51.100.7')).status).toBe(200);
    const junk = await h.post('{not json', from('198.51.100.7'));
    const unknownKey = await h.post(batch, from('198.51.100.7', { authorization: basic('pk_unknown') }));
    expect([junk.status, unknownKey.status]).toEqual([429, 429]);
  });

  it('lets the address through again once the window has ended', async () => {
    const h = await harness();
    for (let i = 0; i < 5; i++) expect((await post(h, '198.51.100.7')).status).toBe(200);
    h.clock.now += 45_000;
    const refused = await post(h, '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('15');
    h.clock.now += 15_000; // 12:01:00, a new window
    expect((await post(h, '198.51.100.7')).status).toBe(200);
  });

  it('counts an IPv6 client by its /64', async () => {
    const h = await harness();
    const same = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff::9',
      '2001:DB8:1:2:0:0:0:3',
      '2001:db8:1:2::4',
      '2001:db8:1:2::5',
    ];
    for (const address of same) expect((await post(h, address)).status).toBe(200);
    expect((await post(h, '2001:db8:1:2:aaaa:bbbb:cccc:dddd')).status).toBe(429);
    expect((await post(h, '2001:db8:1:3::1')).status).toBe(200);
  });

  it('ignores X-Forwarded-For unless proxies are trusted: a client cannot pick its own bucket', async () => {
    const h = await harness({}, 0);
    const forged = await statuses(times(6, (i) => () => post(h, `198.51.100.${i}`)));
    expect(forged).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('lets a browser page read the refusal and its Retry-After', async () => {
    const h = await harness();
    for (let i = 0; i < 5; i++) await post(h, '198.51.100.7');
    const res = await post(h, '198.51.100.7', '/v1/batch', { origin: 'https://app.acme.test' });
    expect(res.status).toBe(429);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.acme.test');
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });
});

describe('per key', () => {
  it('answers the 9th request with a key in a minute with 429, from any address, on batch and content', async () => {
    const h = await harness();
    const ok = await statuses(
      times(
        8,
        (i) => () =>
          i % 2 ? post(h, `198.51.100.${i}`) : content(h.app, h.ws.publishableKey, `198.51.100.${i}`),
      ),
    );
    expect(ok).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    await expectRateLimited(
      await post(h, '198.51.100.20'),
      'More than 8 requests with this key in 60 s; retry in 60 s.',
      '60',
    );
    await expectRateLimited(
      await content(h.app, h.ws.publishableKey, '198.51.100.21'),
      'More than 8 requests with this key in 60 s; retry in 60 s.',
      '60',
    );
    // The secret key is a key of its own.
    const secret = await h.post(batch, from('198.51.100.22', { authorization: basic(h.ws.secretKey) }));
    expect(secret.status).toBe(200);
    h.clock.now += 60_000;
    expect((await post(h, '198.51.100.23')).status).toBe(200);
  });

  it('gives unknown keys no bucket and takes nothing from the real key', async () => {
    const h = await harness();
    const unknown = await statuses(
      times(
        20,
        (i) => () => h.post(batch, from(`198.51.100.${i}`, { authorization: basic(`pk_unknown${i}`) })),
      ),
    );
    expect(new Set(unknown)).toEqual(new Set([401]));
    expect((await post(h, '198.51.100.100')).status).toBe(200);
    await h.app.rateLimits?.flush();
    const buckets = (await storedHits(h.db)).map((row) => row.bucket);
    expect(buckets.filter((bucket) => bucket.startsWith('key:'))).toEqual([`key:${await keyId(h)}`]);
  });

  it('carries CORS for the allowed origin on a 429, so the widget reads Retry-After', async () => {
    const h = await harness();
    const patch = await h.adminJson('/workspace', 'PATCH', { allowedOrigins: ['https://app.acme.test'] });
    expect(patch.status).toBe(200);
    const origin = { origin: 'https://app.acme.test' };
    for (let i = 0; i < 8; i++) await content(h.app, h.ws.publishableKey, `198.51.100.${i}`, origin);
    const res = await content(h.app, h.ws.publishableKey, '198.51.100.9', origin);
    expect(res.status).toBe(429);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.acme.test');
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
    expect(res.headers.get('retry-after')).toBe('60');
  });
});

describe('admin authentication failures, per address', () => {
  it('refuses the 21st bad key from an address, and then a good key from it; other addresses go on', async () => {
    const h = await harness();
    const bad = await statuses(times(20, (i) => () => admin(h, `sk_guess${i}`, '203.0.113.9')));
    expect(bad).toEqual(times(20, () => 401));
    await expectRateLimited(
      await admin(h, 'sk_guess20', '203.0.113.9'),
      '20 failed authentications from this address in 300 s; retry in 300 s.',
      '300',
    );
    await expectRateLimited(
      await admin(h, h.ws.secretKey, '203.0.113.9'),
      '20 failed authentications from this address in 300 s; retry in 300 s.',
      '300',
    );
    expect((await admin(h, h.ws.secretKey, '203.0.113.10')).status).toBe(200);
    expect((await admin(h, 'sk_guess21', '203.0.113.10')).status).toBe(401);
    // A missing key is a failed authentication too.
    const missing = await h.app.request('/v1/admin/workspace', {
      headers: { 'x-forwarded-for': '203.0.113.11' },
    });
    expect(missing.status).toBe(401);
    h.clock.now += 300_000;
    expect((await admin(h, h.ws.secretKey, '203.0.113.9')).status).toBe(200);
  });

  it('never counts successful requests, even many at once', async () => {
    const h = await harness();
    const parallel = await Promise.all(times(40, () => admin(h, h.ws.secretKey, '203.0.113.9')));
    expect(parallel.map((res) => res.status)).toEqual(times(40, () => 200));
    const bad = await statuses(times(20, (i) => () => admin(h, `sk_guess${i}`, '203.0.113.9')));
    expect(bad).toEqual(times(20, () => 401));
    expect((await admin(h, h.ws.secretKey, '203.0.113.9')).status).toBe(429);
  });
});

describe('several instances on one database', () => {
  it('share one count: hits split across two apps trip the limit once they have synced', async () => {
    const shared = { address: { limit: 10, windowMs: 60_000 }, key: { limit: 1_000, windowMs: 60_000 } };
    const h = await harness(shared);
    const logger = createLogger('silent');
    const db = await openDatabase({ url: `file:${join(h.dir, 'test.db')}`, logger });
    const second = createApp({
      db,
      logger,
      clock: () => h.clock.now,
      distDir: join(h.dir, 'dist'),
      rateLimits: { ...limits, ...shared },
      trustProxy: 1,
    });
    opened.push(db, second);
    const onSecond = () =>
      second.request('/v1/batch', {
        method: 'POST',
        headers: { authorization: basic(h.ws.publishableKey), 'x-forwarded-for': '198.51.100.7' },
        body: JSON.stringify(batch),
      });

    expect(await statuses(times(5, () => () => post(h, '198.51.100.7')))).toEqual([200, 200, 200, 200, 200]);
    await h.app.rateLimits?.flush();
    // The second instance has not written yet, so it knows nothing of the first's five.
    expect(await statuses(times(5, () => onSecond))).toEqual([200, 200, 200, 200, 200]);
    await second.rateLimits?.flush(); // learns the total: 10
    expect((await onSecond()).status).toBe(429);
    // The first instance learns of the second's hits with its next write: one more gets through.
    expect((await post(h, '198.51.100.7')).status).toBe(200);
    await h.app.rateLimits?.flush();
    expect((await post(h, '198.51.100.7')).status).toBe(429);
    await second.rateLimits?.flush();
    await h.app.rateLimits?.flush();
    expect((await storedHits(h.db)).find((row) => row.bucket === 'ip:198.51.100.7')?.hits).toBe(13);
  });

  it('writes its counts on its own within the sync interval', async () => {
    const h = await harness({ syncMs: 20 });
    expect((await post(h, '198.51.100.7')).status).toBe(200);
    const deadline = Date.now() + 5_000;
    let rows = await storedHits(h.db);
    while (!rows.some((row) => row.bucket === 'ip:198.51.100.7') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = await storedHits(h.db);
    }
    expect(rows).toEqual([
      { bucket: 'ip:198.51.100.7', hits: 1 },
      { bucket: `key:${await keyId(h)}`, hits: 1 },
    ]);
  });

  it('counts a real connection by its socket address', async () => {
    const h = await harness({}, 0);
    const server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' });
    opened.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch`;
    const send = () =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: basic(h.ws.publishableKey) },
        body: JSON.stringify(batch),
      });
    expect(await statuses(times(6, () => send))).toEqual([200, 200, 200, 200, 200, 429]);
    await h.app.rateLimits?.flush();
    expect((await storedHits(h.db)).find((row) => row.bucket === 'ip:127.0.0.1')?.hits).toBe(6);
  });
});

describe('memory', () => {
  it('holds a bounded number of buckets however many addresses send', async () => {
    const h = await harness({ address: { limit: 5, windowMs: 60_000 }, maxEntries: 100 });
    for (let i = 0; i < 300; i++) {
      // Junk bodies: refused after the address is counted, without a database write of their own.
      const res = await h.post('{', from(`10.0.${Math.floor(i / 250)}.${i % 250}`));
      expect(res.status).toBe(400);
    }
    expect(h.app.rateLimits?.counts.size).toBeLessThanOrEqual(100);
    expect(h.app.rateLimits?.counts.size).toBeGreaterThanOrEqual(90);
  });

  it('drops windows that ended before live ones, then the oldest entries', async () => {
    const h = await harness();
    const counts = new SharedCounts({
      db: h.db,
      clock: () => h.clock.now,
      logger: createLogger('silent'),
      maxEntries: 100,
    });
    opened.push(counts);
    for (let i = 0; i < 50; i++) counts.hit(`old:${i}`, 60_000);
    h.clock.now += 60_000;
    for (let i = 0; i < 60; i++) counts.hit(`new:${i}`, 60_000);
    expect(counts.size).toBe(60); // the 51st new bucket swept the 50 of the ended window
    for (let i = 60; i < 100; i++) counts.hit(`new:${i}`, 60_000);
    expect(counts.size).toBe(100);
    counts.hit('new:100', 60_000); // full of live buckets: the oldest ten go
    expect(counts.size).toBe(91);
    expect(counts.peek('new:0', 60_000).total).toBe(0);
    expect(counts.peek('new:10', 60_000).total).toBe(1);
  });

  it('takes hits back and forgets a bucket everywhere on reset', async () => {
    const h = await harness();
    const counts = new SharedCounts({ db: h.db, clock: () => h.clock.now, logger: createLogger('silent') });
    opened.push(counts);
    counts.hit('b', 60_000);
    counts.hit('b', 60_000);
    await counts.flush();
    expect(counts.hit('b', 60_000, -1).total).toBe(1);
    await counts.flush();
    expect(await storedHits(h.db)).toEqual([{ bucket: 'b', hits: 1 }]);
    counts.reset('b', 60_000);
    expect(counts.peek('b', 60_000).total).toBe(0);
    await counts.flush();
    expect(await storedHits(h.db)).toEqual([]);
  });

  it('deletes the rows of ended windows from the table', async () => {
    const h = await harness();
    const counts = new SharedCounts({ db: h.db, clock: () => h.clock.now, logger: createLogger('silent') });
    opened.push(counts);
    counts.hit('a', 60_000);
    await counts.flush();
    h.clock.now += 120_000;
    counts.hit('b', 60_000);
    await counts.flush();
    expect(await storedHits(h.db)).toEqual([{ bucket: 'b', hits: 1 }]);
  });

  it('keeps the rows of a live long window, even on an instance that has only counted short ones', async () => {
    const h = await harness();
    const options = {
      db: h.db,
      clock: () => h.clock.now,
      logger: createLogger('silent'),
      longestWindowMs: 300_000,
    };
    const admin = new SharedCounts(options);
    const ingest = new SharedCounts(options);
    opened.push(admin, ingest);
    admin.hit('admin:203.0.113.9', 300_000);
    await admin.flush();
    h.clock.now += 120_000; // 12:02, the 5-minute window from 12:00 still runs
    ingest.hit('ip:198.51.100.7', 60_000);
    await ingest.flush();
    expect(await storedHits(h.db)).toEqual([
      { bucket: 'admin:203.0.113.9', hits: 1 },
      { bucket: 'ip:198.51.100.7', hits: 1 },
    ]);
  });
});

describe('configuration', () => {
  it('reads each limit from the environment, and RATE_LIMITS=off turns them off', () => {
    expect(rateLimitSettings(loadConfig({}))).toEqual({
      address: { limit: 1200, windowMs: 60_000 },
      key: { limit: 60_000, windowMs: 60_000 },
      adminFailures: { limit: 20, windowMs: 300_000 },
    });
    const set = loadConfig({
      RATE_LIMIT_PER_ADDRESS: '600',
      RATE_LIMIT_PER_KEY: '1000',
      RATE_LIMIT_ADMIN_FAILURES: '5',
      TRUST_PROXY: '2',
    });
    expect(rateLimitSettings(set)).toEqual({
      address: { limit: 600, windowMs: 60_000 },
      key: { limit: 1000, windowMs: 60_000 },
      adminFailures: { limit: 5, windowMs: 300_000 },
    });
    expect(set.TRUST_PROXY).toBe(2);
    expect(rateLimitSettings(loadConfig({ RATE_LIMITS: 'off' }))).toBe(false);
    expect(() => loadConfig({ RATE_LIMIT_PER_ADDRESS: '0' })).toThrow(/RATE_LIMIT_PER_ADDRESS/);
  });

  it('limits nothing when off', async () => {
    const h = await createHarness(undefined, { rateLimits: false });
    opened.push(h);
    expect(new Set(await statuses(times(30, () => () => h.post(batch))))).toEqual(new Set([200]));
    expect(h.app.rateLimits).toBeNull();
  });
});

async function keyId(h: Harness): Promise<string> {
  const [row] = await h.db.read.all<{ id: string }>(
    sql`SELECT id FROM api_keys WHERE workspace_id = 'ws1' AND kind = 'publishable'`,
  );
  if (!row) throw new Error('no publishable key');
  return row.id;
}
