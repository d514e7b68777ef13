import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { createWorkspace } from '../../server/workspaces/store.ts';
import { launchChromium } from './harness.ts';

let browser: Browser;
let db: Database;
let dir: string;
let app: ReturnType<typeof createApp>;
let waymark: ReturnType<typeof serve>;
let foreign: Server;
/** Where the server is, and where the other pages are (another port: same site as `localhost`, another origin). */
let server: string;
let port: number;
/** What the server answered, by method and path, in order. */
const answered: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'waymark-team-'));
  const logger = createLogger('silent');
  db = await openDatabase({ url: `file:${join(dir, 't.db')}`, logger });
  await createWorkspace(db, { id: 'acme', name: 'Acme' }, Date.now());
  app = createApp({ db, logger, distDir: join(dir, 'dist') });
  waymark = await new Promise((resolve) => {
    const s = serve(
      {
        fetch: async (request: Request) => {
          const response = await app.fetch(request);
          answered.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`);
          return response;
        },
        port: 0,
        hostname: '127.0.0.1',
      },
      () => resolve(s),
    );
  });
  server = `http://localhost:${(waymark.address() as AddressInfo).port}`;
  // Another site's page: it tries to change the workspace with the signed-in person's cookie.
  foreign = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  port = (foreign.address() as AddressInfo).port;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => foreign?.close(resolve));
  await new Promise((resolve) => waymark?.close(resolve));
  await app?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const milestones = async () =>
  Number((await db.read.$client.execute('SELECT count(*) AS n FROM milestones')).rows[0]?.n);
const themeMode = async () =>
  (
    await db.read.$client.execute(
      "SELECT json_extract(theme, '$.mode') AS mode FROM workspaces WHERE id = 'acme'",
    )
  ).rows[0]?.mode ?? null;

it('signs in with an httpOnly SameSite=Lax cookie, and refuses changes from other origins in Chromium', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // The first owner, from a page of the server itself, as the console's sign-up page does.
  await page.goto(`${server}/v1/setup`);
  const setup = await page.evaluate(async () => {
    const res = await fetch('/v1/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Ana',
        email: 'ana@acme.com',
        password: 'correct horse battery',
        workspaceName: 'Ana Co',
      }),
    });
    return res.status;
  });
  expect(setup).toBe(201);
  const [cookie] = await context.cookies(server);
  expect(cookie).toMatchObject({
    name: 'waymark.session_token',
    httpOnly: true,
    sameSite: 'Lax',
    secure: false,
  });
  // The page's script cannot read it.
  expect(await page.evaluate(() => document.cookie)).toBe('');
  // Ana owns `acme` too (it had no member); she switches to it and changes its theme from her own page.
  const own = await page.evaluate(async () => {
    const headers = { 'content-type': 'application/json' };
    await fetch('/v1/console/session/workspace', {
      method: 'POST',
      headers,
      body: JSON.stringify({ workspaceId: 'acme' }),
    });
    const res = await fetch('/v1/admin/workspace', {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ theme: { mode: 'dark' } }),
    });
    return res.status;
  });
  expect(own).toBe(200);
  expect(await themeMode()).toBe('dark');

  // Another origin of the same site (another port of localhost): the cookie goes along, the Origin does not match.
  const sameSite = await context.newPage();
  await sameSite.goto(`http://localhost:${port}/`);
  answered.length = 0;
  await sameSite.evaluate(async (target) => {
    // A simple request (POST, text/plain): no preflight, so the server alone decides.
    await fetch(`${target}/v1/admin/milestones`, {
      method: 'POST',
      mode: 'no-cors',
      credentials: 'include',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ key: 'planted', name: 'Planted', rule: { event: 'Anything' } }),
    });
  }, server);
  expect(answered).toEqual(['POST /v1/admin/milestones 403']);
  // A form posted from there navigates to the answer: the CSRF refusal, as problem+json.
  await sameSite.setContent(
    `<form method="post" enctype="text/plain" action="${server}/v1/console/session/workspace"><input name='{"workspaceId":"ana-co","x":"' value='"}'></form>`,
  );
  await Promise.all([
    sameSite.waitForURL(`${server}/v1/console/session/workspace`),
    sameSite.evaluate(() => document.forms[0]?.submit()),
  ]);
  expect(JSON.parse((await sameSite.textContent('body')) ?? '{}')).toMatchObject({
    status: 403,
    code: 'cross_site_request',
  });

  // Another site (127.0.0.1 is not localhost): SameSite=Lax keeps the cookie home, so nobody is signed in.
  const otherSite = await context.newPage();
  await otherSite.goto(`http://127.0.0.1:${port}/`);
  answered.length = 0;
  await otherSite.evaluate(async (target) => {
    // A simple request (POST, text/plain): no preflight, so the server alone decides.
    await fetch(`${target}/v1/admin/milestones`, {
      method: 'POST',
      mode: 'no-cors',
      credentials: 'include',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ key: 'planted', name: 'Planted', rule: { event: 'Anything' } }),
    });
  }, server);
  expect(answered).toEqual(['POST /v1/admin/milestones 401']);
  expect(await milestones()).toBe(0);

  // Signed out, the cookie no longer opens anything.
  const out = await page.evaluate(async () => (await fetch('/api/auth/sign-out', { method: 'POST' })).status);
  expect(out).toBe(200);
  expect(await page.evaluate(async () => (await fetch('/v1/console/session')).status)).toBe(401);
  await context.close();
}, 60_000);
