import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { migrationsFolder } from '../../server/paths.ts';
import { hashSecretKey } from '../../server/workspaces/keys.ts';
import { createWorkspace, WorkspaceDirectory } from '../../server/workspaces/store.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

describe('key lookup', () => {
  it('finds a workspace by its publishable or its secret key, each as its own kind', async () => {
    const directory = new WorkspaceDirectory(h.db, () => h.clock.now);
    expect(await directory.byKey(h.ws.publishableKey)).toMatchObject({
      workspace: { id: 'ws1' },
      keyKind: 'publishable',
      signingKeys: [hashSecretKey(h.ws.secretKey)],
    });
    expect(await directory.byKey(h.ws.secretKey)).toMatchObject({ keyKind: 'secret' });
    // The hash of a secret key is not a key.
    expect(await directory.byKey(`pk_${hashSecretKey(h.ws.secretKey).slice(0, 32)}`)).toBeNull();
  });

  it('answers a flood of huge junk keys with 401 and remembers none of them', async () => {
    for (let i = 0; i < 50; i++) {
      const res = await h.app.request('/v1/batch', {
        method: 'POST',
        body: JSON.stringify({
          writeKey: `${i}${'k'.repeat(400_000)}`,
          batch: [{ type: 'track', event: 'x', userId: 'u' }],
        }),
      });
      expect(res.status).toBe(401);
      expect((await res.json()).code).toBe('invalid_key');
    }
    const own = new WorkspaceDirectory(h.db, () => h.clock.now);
    expect(await own.byKey('x'.repeat(490_000))).toBeNull();
    expect(own.size).toBe(0);
  });

  it('keeps at most its bound of cached lookups, however many well-shaped keys it is shown', async () => {
    const directory = new WorkspaceDirectory(h.db, () => h.clock.now, 5_000, 100);
    for (let i = 0; i < 1_000; i++) {
      expect(await directory.byKey(`pk_${String(i).padStart(32, '0')}`)).toBeNull();
    }
    expect(directory.size).toBe(100);
    // The real key still works, and is cached as the most recent entry.
    expect(await directory.byKey(h.ws.publishableKey)).not.toBeNull();
    expect(directory.size).toBe(100);
  });
});

describe('migration 0004', () => {
  it('moves every workspace’s keys into api_keys, so old keys keep working', async () => {
    // A database as the previous release left it: migrations 0000-0003 only.
    const file = join(h.dir, 'old.db');
    const client = createClient({ url: `file:${file}` });
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8'));
    const old = journal.entries.filter((e: { idx: number }) => e.idx < 4);
    expect(readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(4);
    for (const entry of old) {
      const text = readFileSync(join(migrationsFolder, `${entry.tag}.sql`), 'utf8');
      for (const part of text.split('--> statement-breakpoint')) await client.execute(part);
    }
    await client.execute({
      sql: `INSERT INTO workspaces (id, name, publishable_key, secret_key_hash, created_at)
        VALUES ('old', 'Old', 'pk_oldoldoldoldoldoldoldoldoldold12', ?, 1)`,
      args: [hashSecretKey('sk_oldsecretoldsecretoldsecret1234')],
    });
    // Let drizzle's migrator believe 0000-0003 were applied by it.
    await client.execute(`CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT,
      hash text NOT NULL, created_at numeric)`);
    for (const entry of old) {
      const text = readFileSync(join(migrationsFolder, `${entry.tag}.sql`), 'utf8');
      await client.execute({
        sql: 'INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)',
        args: [createHash('sha256').update(text).digest('hex'), entry.when],
      });
    }
    client.close();

    const db = await openDatabase({ url: `file:${file}`, logger: createLogger('silent') });
    try {
      const directory = new WorkspaceDirectory(db, Date.now);
      expect(await directory.byKey('pk_oldoldoldoldoldoldoldoldoldold12')).toMatchObject({
        workspace: { id: 'old', name: 'Old' },
        keyKind: 'publishable',
      });
      expect(await directory.byKey('sk_oldsecretoldsecretoldsecret1234')).toMatchObject({
        keyKind: 'secret',
      });
      const hints = await db.read.all<{ hint: string }>(sql`SELECT hint FROM api_keys ORDER BY kind`);
      expect(hints.map((r) => r.hint)).toEqual(['pk_oldo…', 'sk_…']);
      // And a workspace created after the migration gets keys of its own.
      const created = await createWorkspace(db, { id: 'new', name: 'New' }, Date.now());
      expect(await directory.byKey(created.secretKey)).toMatchObject({ workspace: { id: 'new' } });
    } finally {
      await db.close();
    }
  });
});
