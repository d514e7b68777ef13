import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { type Database, openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { demoOwner, removePlainTextDemoKeys, seedDemo, seedDemoOwner } from '../../server/seed.ts';
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

  it('has an owner who signs in with the printed demo credentials', async () => {
    const now = Date.parse('2026-11-23T12:00:00.000Z');
    const app = createApp({ db, logger: createLogger('silent'), clock: () => now });
    expect(await seedDemoOwner(db, app.auth, now)).toBe(false);
    await seedDemo(db, now);
    expect(await seedDemoOwner(db, app.auth, now)).toBe(true);
    // A later start finds the owner and creates nobody.
    expect(await seedDemoOwner(db, app.auth, now)).toBe(true);
    const res = await app.request('/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost' },
      body: JSON.stringify({ email: demoOwner.email, password: demoOwner.password }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const session = await (await app.request('/v1/console/session', { headers: { cookie } })).json();
    expect(session.workspaces).toEqual([{ id: 'demo', name: 'Ledgerly (demo)', role: 'owner' }]);
    expect(session.activeWorkspaceId).toBe('demo');
    await app.close();
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

describe('the demo history', () => {
  const day = 86_400_000;
  const now = Date.parse('2026-11-23T12:00:00.000Z');

  it('looks like a real product: value not reached by all, funnels with drop-off, NPS answered by a few, accounts in decline', async () => {
    const keys = await seedDemo(db, now);
    if (!keys.created) throw new Error('the demo was not created on an empty database');
    const app = createApp({
      db,
      logger: createLogger('silent'),
      clock: () => now,
      distDir: join(dir, 'dist'),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON an endpoint answers.
    const admin = async (path: string): Promise<any> => {
      const res = await app.request(`/v1/admin${path}`, {
        headers: { authorization: `Bearer ${keys.secretKey}` },
      });
      expect(res.status, path).toBe(200);
      return res.json();
    };
    try {
      // Time to value: most accounts get there, not all of them, and not all in the first week.
      const ttv = (await admin('/reports/time-to-value?subject=account')).overall;
      expect(ttv.reached).toBeGreaterThan(ttv.neverReached);
      expect(ttv.neverReached).toBeGreaterThanOrEqual(3);
      expect(ttv.reachedBy.day7.share).toBeLessThan(0.9);

      // The checklist's funnel narrows step by step, and some people dismiss it.
      const [checklist] = (await admin('/checklists')).checklists;
      const [funnel] = (await admin(`/checklists/${checklist.id}/funnel`)).funnels;
      expect(funnel.shown).toBeGreaterThan(funnel.started);
      expect(funnel.started).toBeGreaterThan(funnel.completed);
      expect(funnel.completed).toBeGreaterThan(0);
      expect(funnel.dismissed).toBeGreaterThan(0);
      const itemCounts = funnel.items.map((item: { completed: number }) => item.completed);
      expect(itemCounts.every((n: number) => n > 0 && n < funnel.shown)).toBe(true);
      expect(new Set(itemCounts).size).toBeGreaterThan(2);

      // The tour loses people at each step.
      const { spotlights } = await admin('/spotlights');
      const tour = spotlights.find((s: { name: string }) => s.name === 'Ledgerly tour');
      const [tourFunnel] = (await admin(`/spotlights/${tour.id}/funnel`)).funnels;
      expect(tourFunnel.shown).toBeGreaterThan(tourFunnel.completed);
      expect(tourFunnel.completed).toBeGreaterThan(0);

      // NPS over the last 90 days: answered by 15-35% of the people shown it.
      const [survey] = (await admin('/surveys')).surveys;
      const results = await admin(`/surveys/${survey.id}/results`);
      expect(results.rates.responseRate).toBeGreaterThan(0.15);
      expect(results.rates.responseRate).toBeLessThan(0.35);
      expect(results.summary.detractors).toBeGreaterThan(0);

      // Accounts turning worse: fewer events and fewer active people in the last four weeks than in
      // the four before, and a detractor among their answers of the last 90 days.
      const recent = new Map<string, { events: number; users: Set<string> }>();
      const before = new Map<string, { events: number; users: Set<string> }>();
      let cursor: string | null = '';
      while (cursor !== null) {
        const page = await admin(`/events?limit=1000${cursor ? `&before=${cursor}` : ''}`);
        for (const event of page.events) {
          const t = Date.parse(event.timestamp);
          if (t < now - 56 * day) {
            page.next = null;
            break;
          }
          if (!event.accountId || event.name?.startsWith('$waymark.')) continue;
          const windows = t >= now - 28 * day ? recent : before;
          const entry = windows.get(event.accountId) ?? { events: 0, users: new Set<string>() };
          entry.events++;
          entry.users.add(event.userId);
          windows.set(event.accountId, entry);
        }
        cursor = page.next;
      }
      const falling = [...before].filter(([id, then]) => {
        const lately = recent.get(id) ?? { events: 0, users: new Set() };
        return then.events >= 20 && lately.events < then.events / 2 && lately.users.size < then.users.size;
      });
      expect(falling.length).toBeGreaterThanOrEqual(1);
      const unhappy = [];
      for (const [accountId] of falling) {
        const from = new Date(now - 90 * day).toISOString();
        const { responses } = await admin(
          `/surveys/${survey.id}/responses?group=detractor&accountId=${accountId}&from=${from}`,
        );
        if (responses.length > 0) unhappy.push(accountId);
      }
      expect(unhappy.length).toBeGreaterThanOrEqual(1);

      // Account health: every band has accounts, each with a reason, 18 weeks of history, and the
      // scheduled run of yesterday has told the CS team something.
      const { bands } = await admin('/health/distribution');
      for (const band of ['green', 'yellow', 'red']) {
        expect(bands.find((b: { band: string }) => b.band === band).accounts, band).toBeGreaterThan(0);
      }
      const worst = (await admin('/health/accounts?sort=score&limit=1')).accounts[0];
      expect(worst.band).toBe('red');
      const detail = await admin(`/health/accounts/${worst.accountId}`);
      expect(detail.drivers.length).toBeGreaterThan(0);
      expect(detail.drivers[0].text).toMatch(/: /);
      expect(detail.history.length).toBeGreaterThanOrEqual(120);
      expect((await admin('/alerts')).alerts.length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  }, 120_000);
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
