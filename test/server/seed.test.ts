import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { removePlainTextDemoKeys, seedDemo } from '../../server/seed.ts';
import { WorkspaceDirectory } from '../../server/workspaces/store.ts';

let dir: string;
let db: Database;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'waymark-seed-'));
  db = await openDatabase({ url: `file:${join(dir, 'w.db')}`, logger: createLogger('silent') });
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo workspace', () => {
  it('answers its secret key once, when it is created, and writes it nowhere', async () => {
    const now = Date.parse('2026-11-23T12:00:00.000Z');
    const first = await seedDemo(db, now);
    if (!first.created) throw new Error('the demo was not created on an empty database');
    const directory = new WorkspaceDirectory(db, () => now);
    expect(await directory.byKey(first.secretKey)).toMatchObject({
      workspace: { id: 'demo' },
      keyKind: 'secret',
    });

    const again = await seedDemo(db, now + 1000);
    expect(again).toEqual({ created: false, publishableKey: first.publishableKey });
    expect(readdirSync(dir).filter((name) => !name.startsWith('w.db'))).toEqual([]);
  }, 60_000);

  it('deletes the plain-text key file earlier releases left beside a file database', async () => {
    const file = join(dir, 'demo-keys.json');
    writeFileSync(file, '{"secretKey":"sk_plain"}');
    expect(await removePlainTextDemoKeys(`file:${join(dir, 'w.db')}`)).toBe(file);
    expect(existsSync(file)).toBe(false);
    expect(await removePlainTextDemoKeys(`file:${join(dir, 'w.db')}`)).toBeNull();
    expect(await removePlainTextDemoKeys('http://127.0.0.1:8080')).toBeNull();
  });
});

describe('SEED_DEMO', () => {
  it('defaults to a demo, except in production, where it must be asked for', () => {
    expect(loadConfig({}).SEED_DEMO).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).SEED_DEMO).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).SEED_DEMO).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SEED_DEMO: 'true' }).SEED_DEMO).toBe(true);
    expect(loadConfig({ SEED_DEMO: 'false' }).SEED_DEMO).toBe(false);
    expect(() => loadConfig({ SEED_DEMO: 'yes' })).toThrow(
      'Invalid configuration:\n  SEED_DEMO: Invalid option: expected one of "true"|"false"',
    );
  });
});
