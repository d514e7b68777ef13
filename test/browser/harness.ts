import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { type Browser, chromium } from 'playwright-core';
import { createApp, type WaymarkApp } from '../../server/app.ts';
import type { TeamMail } from '../../server/auth/mail.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { type DemoKeys, demoOwner, demoWorkspaceId, seedDemo, seedDemoOwner } from '../../server/seed.ts';
import type { WebhookSettings } from '../../server/webhooks/worker.ts';
import { root } from '../server/processes.ts';

/** Flags for Debian's Chromium on these machines (no sandbox as root, no network but loopback). */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
}

/** Where browser tests leave screenshots for a person to look at (git-ignored). */
export const shotsDir = join(root, 'test-results');
mkdirSync(shotsDir, { recursive: true });

export interface Waymark {
  url: string;
  db: Database;
  app: WaymarkApp;
  /** The demo workspace's owner, who signs in to the console (/app) as `npm start` prints. */
  owner: typeof demoOwner;
  /** What the server sent team members (password-reset links, invitations), oldest first. */
  mails: TeamMail[];
  /** The demo workspace's keys, as its creation answered them: the secret key is known only here. */
  keys: Extract<DemoKeys, { created: true }>;
  /** While true, every ingestion request is answered 503 and stores nothing. */
  setIngestDown(down: boolean): void;
  /** Rows of `events` for the demo workspace that the test caused (not the seeded history), oldest first. */
  events(): Promise<EventRow[]>;
  /** Every row of `events` for the demo workspace, its seeded history included, oldest first. */
  allEvents(): Promise<EventRow[]>;
  /** Polls `events()` until `predicate` holds, or throws with what was there. */
  waitForEvents(predicate: (rows: EventRow[]) => boolean, timeoutMs?: number): Promise<EventRow[]>;
  close(): Promise<void>;
}

export interface EventRow {
  message_id: string;
  type: string;
  name: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  account_id: string | null;
  timestamp: number;
  received_at: number;
  properties: string | null;
  traits: string | null;
  context: string | null;
}

/**
 * The real server (built widget and demo from dist/) on a fresh database, on a free port. With
 * `webhooks`, its webhook delivery worker runs too, with those settings.
 */
export async function startWaymark(options: { webhooks?: Partial<WebhookSettings> } = {}): Promise<Waymark> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-browser-'));
  const logger = createLogger('silent');
  const db = await openDatabase({ url: `file:${join(dir, 'b.db')}`, logger });
  const keys = await seedDemo(db, Date.now());
  if (!keys.created) throw new Error('a fresh database already had a demo workspace');
  const state = { ingestDown: false };
  const mails: TeamMail[] = [];
  const app = createApp({
    db,
    logger,
    demoWorkspaceId,
    distDir: join(root, 'dist'),
    mail: async (mail) => {
      mails.push(mail);
    },
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  if (options.webhooks) app.webhooks.start();
  await seedDemoOwner(db, app.auth, Date.now());
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    // `ingestDown` makes ingestion answer 503 (nothing stored), as an overloaded server would:
    // unlike a browser-side block, it also catches beacons and keep-alive requests of a leaving page.
    const fetch = (request: Request) =>
      state.ingestDown && new URL(request.url).pathname.startsWith('/v1/') && request.method === 'POST'
        ? new Response(null, { status: 503 })
        : app.fetch(request);
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // What the test's browsers sent: the demo's seeded history (message ids `seed-…`) is left out.
  const events = () =>
    db.read.all<EventRow>(
      sql`SELECT * FROM events WHERE workspace_id = ${demoWorkspaceId} AND message_id NOT LIKE 'seed-%'
        ORDER BY timestamp, seq`,
    );
  return {
    url,
    db,
    app,
    owner: demoOwner,
    mails,
    keys,
    events,
    allEvents: () =>
      db.read.all<EventRow>(
        sql`SELECT * FROM events WHERE workspace_id = ${demoWorkspaceId} ORDER BY timestamp, seq`,
      ),
    setIngestDown(down) {
      state.ingestDown = down;
    },
    async waitForEvents(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows = await events();
        if (predicate(rows)) return rows;
        if (Date.now() > deadline) {
          const seen = rows.map((r) => `${r.type}:${r.name ?? ''}`).join(', ');
          throw new Error(`events did not arrive within ${timeoutMs} ms; stored: [${seen}]`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await app.webhooks.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The real server on a fresh, empty database (no demo, no workspace, no owner): a first run. */
export async function startEmptyWaymark(): Promise<{ url: string; db: Database; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-browser-'));
  const logger = createLogger('silent');
  const db = await openDatabase({ url: `file:${join(dir, 'b.db')}`, logger });
  const app = createApp({ db, logger, distDir: join(root, 'dist') });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
