import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { type AppOptions, createApp } from '../../server/app.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { type CreatedWorkspace, createWorkspace } from '../../server/workspaces/store.ts';
import type { ContentResponse } from '../../shared/schemas/content.ts';
import type { BatchResult } from '../../shared/schemas/message.ts';

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
  /** An admin call with a JSON body: its status and parsed answer (null for 204). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON an endpoint answers, as res.json() gives it.
  adminJson(path: string, method?: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A message with a fresh `messageId` (`m1`, `m2`...: unique within this harness). */
  msg<M extends Record<string, unknown>>(message: M): M & { messageId: string };
  /**
   * Sends messages through `POST /v1/batch`, 400 per request, each of which must store every message
   * it carries (200, `success`); answers the last request's answer.
   */
  ingest(messages: readonly unknown[]): Promise<BatchResult>;
  /**
   * Sends messages as a flaky client would, `size` per batch: every third batch carries one of its
   * messages twice, every fourth is sent again (a retry). Each request must answer 200; what is
   * stored must be as if each message had arrived once.
   */
  ingestLikeAClient(messages: readonly unknown[], size: number): Promise<void>;
  /** `POST /v1/content` for a user, as the widget asks (text/plain, key in the body); must answer 200. */
  content(userId: string, extra?: Record<string, unknown>): Promise<ContentResponse>;
  close(): Promise<void>;
}

export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** `options` go to createApp as they are (e.g. `rateLimits`, `trustProxy`). */
export async function createHarness(url?: string, options: Partial<AppOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-test-'));
  const logger = createLogger('silent');
  const db = await openDatabase({ url: url ?? `file:${join(dir, 'test.db')}`, logger });
  const clock = { now: Date.parse('2026-11-23T12:00:00.000Z') };
  const ws = await createWorkspace(db, { id: 'ws1', name: 'Test' }, clock.now);
  const app = createApp({ db, logger, clock: () => clock.now, distDir: join(dir, 'dist'), ...options });
  const admin = async (path: string, init?: RequestInit) =>
    app.request(`/v1/admin${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${ws.secretKey}`,
        'content-type': 'application/json',
        ...init?.headers,
      },
    });
  const post: Harness['post'] = async (body, init) =>
    app.request(init?.path ?? '/v1/batch', {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { authorization: basic(ws.publishableKey), ...init?.headers },
    });
  let sent = 0;
  return {
    app,
    db,
    dir,
    ws,
    clock,
    post,
    admin,
    msg: (message) => ({ messageId: `m${++sent}`, ...message }),
    async ingest(messages) {
      let answer: BatchResult = { success: true, accepted: 0, duplicates: 0, rejected: [], rejectedCount: 0 };
      for (let i = 0; i === 0 || i < messages.length; i += 400) {
        const res = await post({ batch: messages.slice(i, i + 400) });
        answer = (await res.json()) as BatchResult;
        if (res.status !== 200 || !answer.success)
          throw new Error(`/v1/batch answered ${res.status}: ${JSON.stringify(answer)}`);
      }
      return answer;
    },
    async ingestLikeAClient(messages, size) {
      for (let i = 0; i < messages.length; i += size) {
        const batch = messages.slice(i, i + size);
        const once = i % 3 === 0 && batch.length > 1 ? [...batch, batch[0]] : batch;
        for (let attempt = 0; attempt < (i % 4 === 0 ? 2 : 1); attempt++) {
          const res = await post({ batch: once });
          if (res.status !== 200) throw new Error(`/v1/batch answered ${res.status}: ${await res.text()}`);
        }
      }
    },
    async adminJson(path, method = 'GET', body) {
      const res = await admin(path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: res.status === 204 ? null : await res.json() };
    },
    async content(userId, extra = {}) {
      const res = await app.request('/v1/content', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ writeKey: ws.publishableKey, userId, ...extra }),
      });
      if (res.status !== 200) throw new Error(`/v1/content answered ${res.status}: ${await res.text()}`);
      return res.json();
    },
    async close() {
      await app.close();
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
