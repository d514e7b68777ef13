import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { createApp } from '../../server/app.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { type CreatedWorkspace, createWorkspace } from '../../server/workspaces/store.ts';

/** A fresh app on a fresh database file, with one workspace, and a controllable clock. */
export interface Harness {
  app: ReturnType<typeof createApp>;
  db: Database;
  dir: string;
  ws: CreatedWorkspace;
  clock: { now: number };
  /** POSTs a JSON body to an ingestion path with the workspace's publishable key as Basic auth. */
  post(body: unknown, init?: { path?: string; headers?: Record<string, string> }): Promise<Response>;
  /** GETs an admin path with the workspace's secret key. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

export async function createHarness(url?: string): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-test-'));
  const logger = createLogger('silent');
  const db = await openDatabase({ url: url ?? `file:${join(dir, 'test.db')}`, logger });
  const clock = { now: Date.parse('2026-11-23T12:00:00.000Z') };
  const ws = await createWorkspace(db, { id: 'ws1', name: 'Test' }, clock.now);
  const app = createApp({ db, logger, clock: () => clock.now, distDir: join(dir, 'dist') });
  return {
    app,
    db,
    dir,
    ws,
    clock,
    post: async (body, init) =>
      app.request(init?.path ?? '/v1/batch', {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { authorization: basic(ws.publishableKey), ...init?.headers },
      }),
    admin: async (path, init) =>
      app.request(`/v1/admin${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${ws.secretKey}`,
          'content-type': 'application/json',
          ...init?.headers,
        },
      }),
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every row of `events` for a workspace, oldest first. */
export async function storedEvents(db: Database, workspaceId = 'ws1') {
  return db.read.all<Record<string, unknown>>(
    sql`SELECT * FROM events WHERE workspace_id = ${workspaceId} ORDER BY seq`,
  );
}
