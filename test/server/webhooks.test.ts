import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { isPrivateAddress } from '../../server/webhooks/addresses.ts';
import { enqueueWebhook } from '../../server/webhooks/outbox.ts';
import { retryDelayMs, type WebhookSettings } from '../../server/webhooks/worker.ts';
import { createHarness, type Harness } from './harness.ts';
import { root, startServer, stop } from './processes.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Answer = number | { status: number; headers?: Record<string, string>; hang?: boolean; delayMs?: number };
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP receiver: answers each request with the next of `answers` (200 once they run out). */
async function receiver(answers: Answer[] = []) {
  const requests: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      const next = answers.shift() ?? 200;
      const answer = typeof next === 'number' ? { status: next } : next;
      if (answer.hang) {
        hanging.push(res);
        return;
      }
      setTimeout(() => {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.status >= 400 ? `no (${answer.status})` : 'ok');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return { url, requests };
}

/**
 * The receiver's side, written from the README's description alone: parse `t` and every `v1`,
 * recompute HMAC-SHA256(secret, `${t}.${raw body}`), compare in constant time, refuse a `t` more
 * than 5 minutes from now.
 */
function verify(header: string, body: string, secret: string, nowSeconds: number): boolean {
  const parts = header.split(',').map((part) => part.split('='));
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts
    .filter(([key]) => key === 'v1')
    .some(([, value]) => {
      const given = Buffer.from(value ?? '', 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

async function harness(webhooks: Partial<WebhookSettings> = {}): Promise<Harness> {
  const h = await createHarness(undefined, { webhooks: { allowPrivate: true, ...webhooks } });
  cleanups.push(() => h.close());
  return h;
}

async function createEndpoint(h: Harness, body: Record<string, unknown>) {
  const res = await h.adminJson('/webhooks', 'POST', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string; secretHint: string };
}

/** Queues an event the way another module does: inside its own write transaction. */
async function raise(h: Harness, type = 'alert.created', text = 'Acme moved from green to yellow') {
  const tx = [{ sql: `UPDATE workspaces SET name = name WHERE id = 'ws1'`, args: [] }];
  const event = enqueueWebhook(
    tx,
    'ws1',
    type,
    { data: { accountId: 'acme', band: 'yellow' }, text },
    h.clock.now,
  );
  await h.db.writer.batch(tx);
  return event;
}

async function log(h: Harness, endpointId: string) {
  const res = await h.adminJson(`/webhooks/${endpointId}/deliveries`);
  expect(res.status).toBe(200);
  return res.body.deliveries as Array<Record<string, unknown> & { log: Array<Record<string, unknown>> }>;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

describe('delivery', () => {
  it('posts the event to a local receiver, signed so the receiver can verify it with node:crypto', async () => {
    const h = await harness();
    const target = await receiver();
    const endpoint = await createEndpoint(h, { url: target.url, description: 'local' });
    expect(endpoint.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const event = await raise(h, 'alert.created', 'Acme <Corp> & co\nmoved to yellow');

    expect(await h.app.webhooks.runOnce()).toBe(1);
    expect(target.requests).toHaveLength(1);
    const [request] = target.requests;
    const headers = request!.headers;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['waymark-event']).toBe('alert.created');
    expect(headers['waymark-delivery-id']).toMatch(/^whd_[0-9a-f]{24}$/);
    const signature = String(headers['waymark-signature']);
    expect(signature).toMatch(new RegExp(`^t=${seconds(h.clock.now)},v1=[0-9a-f]{64}$`));
    expect(verify(signature, request!.body, endpoint.secret, seconds(h.clock.now))).toBe(true);
    // The same signature fails with another secret, on another body, or replayed 6 minutes later.
    expect(verify(signature, request!.body, `${endpoint.secret}0`, seconds(h.clock.now))).toBe(false);
    expect(verify(signature, `${request!.body} `, endpoint.secret, seconds(h.clock.now))).toBe(false);
    expect(verify(signature, request!.body, endpoint.secret, seconds(h.clock.now) + 360)).toBe(false);

    expect(JSON.parse(request!.body)).toEqual({
      id: event.id,
      type: 'alert.created',
      createdAt: new Date(h.clock.now).toISOString(),
      workspaceId: 'ws1',
      data: { accountId: 'acme', band: 'yellow' },
      // One line, escaped as Slack's mrkdwn wants it, so a Slack incoming webhook shows it as is.
      text: 'Acme &lt;Corp&gt; &amp; co moved to yellow',
    });
    const [delivery] = await log(h, endpoint.id);
    expect(delivery).toMatchObject({
      id: headers['waymark-delivery-id'],
      eventId: event.id,
      status: 'delivered',
      attempts: 1,
      nextAttemptAt: null,
      lastStatusCode: 200,
      lastError: null,
      completedAt: new Date(h.clock.now).toISOString(),
    });
    expect(delivery!.log).toEqual([
      {
        at: new Date(h.clock.now).toISOString(),
        statusCode: 200,
        durationMs: expect.any(Number),
        error: null,
      },
    ]);
    // Nothing is sent twice.
    expect(await h.app.webhooks.runOnce()).toBe(0);
    expect(target.requests).toHaveLength(1);
  });

  it('is verified by the Node sample in the README, as written there', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const sample = /In Node:\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(sample).toContain('export function verifyWaymark');
    const dir = mkdtempSync(join(tmpdir(), 'waymark-sample-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'verify.mjs');
    writeFileSync(file, sample ?? '');
    const { verifyWaymark } = (await import(pathToFileURL(file).href)) as {
      verifyWaymark: (body: string | Buffer, header: string, secret: string) => boolean;
    };
    // The sample reads the real clock.
    const h = await harness();
    h.clock.now = Date.now();
    const target = await receiver();
    const endpoint = await createEndpoint(h, { url: target.url });
    await raise(h);
    await h.app.webhooks.runOnce();
    const [request] = target.requests;
    const header = String(request!.headers['waymark-signature']);
    expect(verifyWaymark(request!.body, header, endpoint.secret)).toBe(true);
    expect(verifyWaymark(Buffer.from(request!.body), header, endpoint.secret)).toBe(true);
    expect(verifyWaymark(request!.body.replace('yellow', 'green'), header, endpoint.secret)).toBe(false);
    const stale = header.replace(/^t=(\d+)/, (_, t: string) => `t=${Number(t) - 301}`);
    expect(verifyWaymark(request!.body, stale, endpoint.secret)).toBe(false);
  });

  it('queues deliveries in the caller’s transaction: nothing is queued when it fails', async () => {
    const h = await harness();
    const target = await receiver();
    await createEndpoint(h, { url: target.url });
    const tx = [
      { sql: `INSERT INTO workspaces (id, name, created_at) VALUES ('ws1', 'again', 0)`, args: [] },
    ];
    enqueueWebhook(tx, 'ws1', 'alert.created', { data: {}, text: 'x' }, h.clock.now);
    await expect(h.db.writer.batch(tx)).rejects.toThrow(/UNIQUE/);
    const rows = await h.db.read.all(sql`SELECT id FROM webhook_deliveries`);
    expect(rows).toEqual([]);
  });

  it('sends an event only to enabled endpoints whose filter takes its type', async () => {
    const h = await harness();
    const all = await receiver();
    const alertsOnly = await receiver();
    const disabled = await receiver();
    await createEndpoint(h, { url: all.url });
    await createEndpoint(h, { url: alertsOnly.url, eventTypes: ['alert.created'] });
    await createEndpoint(h, { url: disabled.url, enabled: false });
    await raise(h, 'alert.created');
    await raise(h, 'account.updated');
    await h.app.webhooks.runOnce();
    expect(all.requests.map((r) => r.headers['waymark-event']).sort()).toEqual([
      'account.updated',
      'alert.created',
    ]);
    expect(alertsOnly.requests.map((r) => r.headers['waymark-event'])).toEqual(['alert.created']);
    expect(disabled.requests).toEqual([]);
  });

  it('retries a failing receiver (500, then 200) after a back-off, and the log shows both attempts', async () => {
    const h = await harness();
    const target = await receiver([500]);
    const endpoint = await createEndpoint(h, { url: target.url });
    await raise(h);
    const first = h.clock.now;
    expect(await h.app.webhooks.runOnce()).toBe(1);

    const [pending] = await log(h, endpoint.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect(pending!.lastError).toMatch(/^HTTP 500/);
    // One minute, with ±20% jitter.
    const wait = Date.parse(String(pending!.nextAttemptAt)) - first;
    expect(wait).toBeGreaterThanOrEqual(48_000);
    expect(wait).toBeLessThanOrEqual(72_000);

    // Not before it is due, whatever the poll.
    h.clock.now = first + 47_000;
    expect(await h.app.webhooks.runOnce()).toBe(0);
    expect(target.requests).toHaveLength(1);
    h.clock.now = first + wait;
    expect(await h.app.webhooks.runOnce()).toBe(1);

    expect(target.requests).toHaveLength(2);
    const ids = target.requests.map((r) => r.headers['waymark-delivery-id']);
    expect(ids[1]).toBe(ids[0]);
    // Each attempt is signed at its own time, so a retry is not refused as a replay.
    expect(target.requests[1]!.headers['waymark-signature']).toMatch(
      new RegExp(`^t=${seconds(first + wait)},`),
    );
    const [delivered] = await log(h, endpoint.id);
    expect(delivered).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(delivered!.log.map((entry) => [entry.at, entry.statusCode])).toEqual([
      [new Date(first).toISOString(), 500],
      [new Date(first + wait).toISOString(), 200],
    ]);
  });

  it('honours Retry-After when it asks for longer than the back-off', async () => {
    const h = await harness();
    const target = await receiver([{ status: 429, headers: { 'retry-after': '3600' } }]);
    const endpoint = await createEndpoint(h, { url: target.url });
    await raise(h);
    await h.app.webhooks.runOnce();
    const [pending] = await log(h, endpoint.id);
    expect(pending).toMatchObject({ status: 'pending', lastStatusCode: 429 });
    expect(Date.parse(String(pending!.nextAttemptAt)) - h.clock.now).toBe(3_600_000);
  });

  it.each([410, 400])('stops at a %i: the delivery fails at once, with no retry', async (status) => {
    const h = await harness();
    const target = await receiver([status]);
    const endpoint = await createEndpoint(h, { url: target.url });
    await raise(h);
    await h.app.webhooks.runOnce();
    h.clock.now += 2 * 86_400_000;
    expect(await h.app.webhooks.runOnce()).toBe(0);
    expect(target.requests).toHaveLength(1);
    const [failed] = await log(h, endpoint.id);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: status,
      nextAttemptAt: null,
    });
    expect(failed!.lastError).toBe(`HTTP ${status}: no (${status})`);
  });

  it('backs off further each time and gives up after the last attempt', async () => {
    const h = await harness({ maxAttempts: 4 });
    const target = await receiver([503, 503, 503, 503, 503]);
    const endpoint = await createEndpoint(h, { url: target.url });
    await raise(h);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await h.app.webhooks.runOnce()).toBe(1);
      const [delivery] = await log(h, endpoint.id);
      if (attempt < 4) {
        const due = Date.parse(String(delivery!.nextAttemptAt));
        waits.push(due - h.clock.now);
        h.clock.now = due;
      } else expect(delivery).toMatchObject({ status: 'failed', attempts: 4, nextAttemptAt: null });
    }
    // 1, 3 and 9 minutes, each within ±20%.
    expect(waits.map((w, i) => w / (60_000 * 3 ** i))).toEqual(
      waits.map(() => expect.toSatisfy((ratio: number) => ratio >= 0.8 && ratio <= 1.2)),
    );
    h.clock.now += 86_400_000;
    expect(await h.app.webhooks.runOnce()).toBe(0);
    expect(target.requests).toHaveLength(4);
  });

  it('retries after a network error and after a timeout', async () => {
    const h = await harness({ timeoutMs: 200 });
    const slow = await receiver([{ status: 200, hang: true }]);
    const slowEndpoint = await createEndpoint(h, { url: slow.url });
    // A port nobody listens on: connection refused.
    const closed = await receiver();
    const closedUrl = closed.url.replace(/:\d+\//, ':1/');
    const closedEndpoint = await createEndpoint(h, { url: closedUrl });
    await raise(h);
    await h.app.webhooks.runOnce();
    const [timedOut] = await log(h, slowEndpoint.id);
    expect(timedOut).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(timedOut!.lastError).toBe('timed out after 200 ms');
    const [refused] = await log(h, closedEndpoint.id);
    expect(refused).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(refused!.lastError).toMatch(/ECONNREFUSED/);
  });

  it('sends again after a lease expires (a worker that died mid-send), not before', async () => {
    const h = await harness();
    const target = await receiver();
    await createEndpoint(h, { url: target.url });
    await raise(h);
    // As a crashed instance leaves it: claimed, never recorded.
    await h.db.writer.batch([
      {
        sql: `UPDATE webhook_deliveries SET lease_owner = 'gone', lease_until = ?`,
        args: [h.clock.now + 70_000],
      },
    ]);
    expect(await h.app.webhooks.runOnce()).toBe(0);
    h.clock.now += 70_000;
    expect(await h.app.webhooks.runOnce()).toBe(1);
    expect(target.requests).toHaveLength(1);
  });

  it('signs with both secrets during a rotation’s overlap, then with the new one only', async () => {
    const h = await harness();
    const target = await receiver();
    const endpoint = await createEndpoint(h, { url: target.url });
    const rotated = await h.adminJson(`/webhooks/${endpoint.id}/secret`, 'POST', { overlapHours: 2 });
    expect(rotated.status).toBe(201);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(rotated.body.previousSecretExpiresAt).toBe(new Date(h.clock.now + 7_200_000).toISOString());

    await raise(h);
    await h.app.webhooks.runOnce();
    const during = target.requests[0]!;
    const signature = String(during.headers['waymark-signature']);
    expect(signature.match(/v1=/g)).toHaveLength(2);
    for (const secret of [endpoint.secret, rotated.body.secret]) {
      expect(verify(signature, during.body, secret, seconds(h.clock.now))).toBe(true);
    }

    h.clock.now += 7_200_000;
    await raise(h);
    await h.app.webhooks.runOnce();
    const after = target.requests[1]!;
    const afterSignature = String(after.headers['waymark-signature']);
    expect(afterSignature.match(/v1=/g)).toHaveLength(1);
    expect(verify(afterSignature, after.body, rotated.body.secret, seconds(h.clock.now))).toBe(true);
    expect(verify(afterSignature, after.body, endpoint.secret, seconds(h.clock.now))).toBe(false);
  });

  it('sends a test event to one endpoint on request, whatever its filter', async () => {
    const h = await harness();
    const target = await receiver();
    const endpoint = await createEndpoint(h, { url: target.url, eventTypes: ['alert.created'] });
    const queued = await h.adminJson(`/webhooks/${endpoint.id}/test`, 'POST');
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ eventType: 'webhook.test', status: 'pending', attempts: 0 });
    await h.app.webhooks.runOnce();
    expect(target.requests.map((r) => r.headers['waymark-event'])).toEqual(['webhook.test']);
    expect(target.requests[0]!.headers['waymark-delivery-id']).toBe(queued.body.id);
    const [delivered] = await log(h, endpoint.id);
    expect(delivered).toMatchObject({ id: queued.body.id, status: 'delivered' });

    await h.adminJson(`/webhooks/${endpoint.id}`, 'PATCH', { enabled: false });
    const refused = await h.adminJson(`/webhooks/${endpoint.id}/test`, 'POST');
    expect(refused.status).toBe(409);
  });

  it('prunes delivered rows after 7 days and failed ones after 30, and keeps what is pending', async () => {
    const h = await harness();
    const ok = await receiver();
    const gone = await receiver([410]);
    const later = await receiver([503]);
    for (const url of [ok.url, gone.url, later.url]) await createEndpoint(h, { url });
    await raise(h);
    await h.app.webhooks.runOnce();
    const count = async () =>
      (
        await h.db.read.all<{ status: string }>(sql`SELECT status FROM webhook_deliveries ORDER BY status`)
      ).map((row) => row.status);
    expect(await count()).toEqual(['delivered', 'failed', 'pending']);
    h.clock.now += 7 * 86_400_000 - 1;
    expect(await h.app.webhooks.prune()).toBe(0);
    h.clock.now += 2;
    expect(await h.app.webhooks.prune()).toBe(1);
    expect(await count()).toEqual(['failed', 'pending']);
    h.clock.now += 23 * 86_400_000;
    expect(await h.app.webhooks.prune()).toBe(1);
    expect(await count()).toEqual(['pending']);
  });
});

describe('the worker in a running server', () => {
  it('delivers a test event at once when woken, and stops only after recording the attempt under way', async () => {
    // A poll so slow that only the wake-up can explain a prompt delivery.
    const h = await harness({ pollMs: 60_000 });
    h.clock.now = Date.now();
    const target = await receiver([{ status: 200, delayMs: 300 }]);
    const endpoint = await createEndpoint(h, { url: target.url });
    h.app.webhooks.start();
    // The first poll runs at start and finds nothing.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const queued = await h.adminJson(`/webhooks/${endpoint.id}/test`, 'POST');
    const deadline = Date.now() + 5000;
    while (target.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(target.requests).toHaveLength(1);
    // The receiver is still answering: stop waits for its answer to be recorded.
    await h.app.webhooks.stop();
    const [delivery] = await log(h, endpoint.id);
    expect(delivery).toMatchObject({ id: queued.body.id, status: 'delivered', attempts: 1 });
    expect(delivery!.lastDurationMs).toBeGreaterThanOrEqual(250);
    // Stopped: nothing more is sent.
    await h.adminJson(`/webhooks/${endpoint.id}/test`, 'POST');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.requests).toHaveLength(1);
  });
});

describe('several server instances on one database', () => {
  it('deliver each event exactly once with two app instances racing', async () => {
    const h = await harness({ batchSize: 3 });
    const target = await receiver();
    await createEndpoint(h, { url: target.url });
    await createEndpoint(h, { url: `${target.url}?second` });
    for (let i = 0; i < 20; i++) await raise(h, 'alert.created', `event ${i}`);
    // A second instance: its own connections to the same file, its own worker.
    const db2 = await openDatabase({ url: `file:${join(h.dir, 'test.db')}`, logger: createLogger('silent') });
    const app2 = createApp({
      db: db2,
      clock: () => h.clock.now,
      webhooks: { allowPrivate: true, batchSize: 3 },
    });
    cleanups.push(async () => {
      await app2.close();
      await db2.close();
    });
    const drain = async (worker: typeof app2.webhooks) => {
      let claimed = 0;
      for (let n = await worker.runOnce(); n > 0; n = await worker.runOnce()) claimed += n;
      return claimed;
    };
    const [one, two] = await Promise.all([drain(h.app.webhooks), drain(app2.webhooks)]);
    expect(one + two).toBe(40);
    // Both really worked.
    expect(one).toBeGreaterThan(0);
    expect(two).toBeGreaterThan(0);
    const ids = target.requests.map((r) => String(r.headers['waymark-delivery-id']));
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
  });

  it('deliver each event exactly once with two server processes polling one file', async () => {
    const h = await harness();
    h.clock.now = Date.now();
    const target = await receiver();
    await createEndpoint(h, { url: target.url });
    await createEndpoint(h, { url: `${target.url}?second` });
    const env = { DATABASE_URL: `file:${join(h.dir, 'test.db')}`, WEBHOOK_POLL_MS: '50' };
    const servers = await Promise.all([startServer(env), startServer(env)]);
    cleanups.push(() => Promise.all(servers.map((s) => stop(s.process))));
    // Events keep arriving while both workers poll.
    for (let i = 0; i < 30; i++) {
      await raise(h, 'alert.created', `event ${i}`);
      if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const deadline = Date.now() + 20_000;
    const pending = async () =>
      (await h.db.read.all(sql`SELECT id FROM webhook_deliveries WHERE status != 'delivered'`)).length;
    while ((await pending()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await pending()).toBe(0);
    // Room for a duplicate to show up, had one been sent.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ids = target.requests.map((r) => String(r.headers['waymark-delivery-id']));
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    const attempts = await h.db.read.all<{ attempts: number }>(sql`SELECT attempts FROM webhook_deliveries`);
    expect(attempts.every((row) => row.attempts === 1)).toBe(true);
  }, 60_000);
});

describe('endpoints through the admin API', () => {
  it('refuses bad URLs, event types and rotations, naming the field', async () => {
    const h = await harness({ allowPrivate: false });
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ url: 'not a url' }, '/url', /absolute URL/],
      [{ url: 'https:example.com/hook' }, '/url', /absolute URL/],
      [{ url: 'http://example.com/hook' }, '/url', /https/],
      [{ url: 'ftp://example.com/hook' }, '/url', /https/],
      [{ url: 'https://user:pw@example.com/hook' }, '/url', /user name or password/],
      [{ url: 'https://10.1.2.3/hook' }, '/url', /private.*10\.1\.2\.3.*WEBHOOK_ALLOW_PRIVATE_URLS/],
      [{ url: 'https://169.254.169.254/latest/meta-data' }, '/url', /private/],
      [{ url: 'https://[::ffff:192.168.0.1]/hook' }, '/url', /private/],
      [{ url: 'http://localhost:9000/hook' }, '/url', /private.*localhost/],
      [{ url: 'http://127.0.0.1:9000/hook' }, '/url', /private/],
      [{ url: 'https://example.com/hook', eventTypes: ['Alert Created'] }, '/eventTypes/0', /dotted/],
      [{ url: 'https://example.com/hook', eventTypes: [] }, '/eventTypes', /at least one/],
      [{ url: 'https://example.com/hook', extra: 1 }, '', /extra/],
    ];
    for (const [body, pointer, detail] of cases) {
      const res = await h.adminJson('/webhooks', 'POST', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors, JSON.stringify(body)).toEqual(
        expect.arrayContaining([{ pointer, detail: expect.stringMatching(detail) }]),
      );
    }
    const endpoint = await createEndpoint(h, { url: 'https://example.com/hook' });
    const patch = await h.adminJson(`/webhooks/${endpoint.id}`, 'PATCH', { url: 'https://192.168.1.1/' });
    expect(patch.body.errors).toEqual([{ pointer: '/url', detail: expect.stringMatching(/private/) }]);
    const rotation = await h.adminJson(`/webhooks/${endpoint.id}/secret`, 'POST', { overlapHours: -1 });
    expect(rotation.body.errors).toEqual([{ pointer: '/overlapHours', detail: expect.any(String) }]);
    // Nothing refused was stored.
    expect((await h.adminJson('/webhooks')).body.webhooks).toHaveLength(1);
    expect((await h.adminJson(`/webhooks/${endpoint.id}`)).body.url).toBe('https://example.com/hook');
  });

  it('allows localhost and private addresses when the setting allows them', async () => {
    const h = await harness({ allowPrivate: true });
    for (const url of ['http://localhost:9000/hook', 'http://127.0.0.1:9/x', 'https://10.0.0.7/hook']) {
      expect((await h.adminJson('/webhooks', 'POST', { url })).status).toBe(201);
    }
    // Stored as it will be requested.
    const created = await h.adminJson('/webhooks', 'POST', { url: 'https://Hooks.EXAMPLE.com' });
    expect(created.body.url).toBe('https://hooks.example.com/');
  });

  it('refuses at send time a host name that resolves to a private address, and gives up at once', async () => {
    const h = await harness({ allowPrivate: false });
    // This machine's own name: not an address literal, so saving it makes no DNS query.
    const name = hostname();
    const addresses = await lookup(name, { all: true });
    expect(
      addresses.every((a) => isPrivateAddress(a.address)),
      JSON.stringify(addresses),
    ).toBe(true);
    const target = await receiver();
    const endpoint = await createEndpoint(h, {
      url: target.url.replace('http://127.0.0.1', `https://${name}`),
    });
    await raise(h);
    await h.app.webhooks.runOnce();
    const [failed] = await log(h, endpoint.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
    expect(failed!.lastError).toMatch(new RegExp(`${name} resolves to .*a private address`));
    expect(target.requests).toEqual([]);
  });

  it('lists, changes in part, rotates and deletes; the secret is shown only on create and rotation', async () => {
    const h = await harness();
    const endpoint = await createEndpoint(h, {
      url: 'https://example.com/hook',
      description: 'Ops channel',
      eventTypes: ['alert.created'],
    });
    expect(endpoint.secretHint).toBe(`whsec_…${endpoint.secret.slice(-4)}`);
    const listed = await h.adminJson('/webhooks');
    expect(listed.body.webhooks).toEqual([
      {
        id: endpoint.id,
        url: 'https://example.com/hook',
        description: 'Ops channel',
        eventTypes: ['alert.created'],
        enabled: true,
        secretHint: endpoint.secretHint,
        previousSecretExpiresAt: null,
        createdAt: new Date(h.clock.now).toISOString(),
        updatedAt: new Date(h.clock.now).toISOString(),
      },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(endpoint.secret);

    h.clock.now += 1000;
    const patched = await h.adminJson(`/webhooks/${endpoint.id}`, 'PATCH', {
      eventTypes: null,
      enabled: false,
    });
    expect(patched.body).toMatchObject({
      url: 'https://example.com/hook',
      description: 'Ops channel',
      eventTypes: null,
      enabled: false,
      updatedAt: new Date(h.clock.now).toISOString(),
    });
    expect(JSON.stringify(patched.body)).not.toContain(endpoint.secret);

    const rotated = await h.adminJson(`/webhooks/${endpoint.id}/secret`, 'POST', {});
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secretHint).toBe(`whsec_…${rotated.body.secret.slice(-4)}`);
    expect(JSON.stringify((await h.adminJson(`/webhooks/${endpoint.id}`)).body)).not.toContain(
      rotated.body.secret,
    );

    await h.adminJson(`/webhooks/${endpoint.id}`, 'PATCH', { enabled: true });
    await raise(h);
    expect((await h.adminJson(`/webhooks/${endpoint.id}`, 'DELETE')).status).toBe(204);
    expect((await h.adminJson(`/webhooks/${endpoint.id}`)).status).toBe(404);
    expect((await h.adminJson(`/webhooks/${endpoint.id}/deliveries`)).status).toBe(404);
    // Its deliveries went with it.
    expect(await h.db.read.all(sql`SELECT id FROM webhook_deliveries`)).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the webhook routes and the event every delivery posts', async () => {
    const h = await harness();
    const doc = await (await h.app.request('/openapi.json')).json();
    for (const path of ['', '/{id}', '/{id}/secret', '/{id}/test', '/{id}/deliveries']) {
      expect(doc.paths, path).toHaveProperty([`/v1/admin/webhooks${path}`]);
    }
    expect(Object.keys(doc.components.schemas.WebhookEvent.properties).sort()).toEqual([
      'createdAt',
      'data',
      'id',
      'text',
      'type',
      'workspaceId',
    ]);
  });
});

describe('addresses and back-off', () => {
  it('knows private, loopback and link-local addresses', () => {
    for (const address of [
      '10.0.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '172.31.255.1',
      '192.168.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      '::ffff:7f00:1',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('spans about 18 hours over 8 attempts', () => {
    const waits = Array.from({ length: 7 }, (_, i) => retryDelayMs(i + 1, () => 0.5) / 60_000);
    // 1, 3, 9, 27, 81, 243 minutes, then 729 capped at 12 hours: 1084 minutes in all.
    expect(waits).toEqual([1, 3, 9, 27, 81, 243, 720]);
    expect(retryDelayMs(1, () => 0)).toBe(48_000);
    expect(retryDelayMs(1, () => 1)).toBe(72_000);
  });
});
