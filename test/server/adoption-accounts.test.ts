import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';
import { analyze, queryPlans, statementsOfGets } from './plans.ts';

/**
 * The adoption view's two answers from a small fixture counted by hand: core features by account
 * (`/reports/adoption/accounts`, its order, search, pages and CSV) and active users over time
 * (`/reports/adoption?include=series`), the plans of what they read, and the 400 that names a bad
 * query parameter.
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false }); // now = 2026-11-23T12:00Z
});
afterEach(async () => {
  await h.close();
});

const hour = 3_600_000;
const day = 24 * hour;
const now = Date.parse('2026-11-23T12:00:00.000Z');
/** 10:00 UTC, `k` days before today (T). */
const daysAgo = (k: number) => new Date(now - k * day - 2 * hour).toISOString();

/**
 * Who did what (T is today, 2026-11-23; every message counts as an active day):
 * - T-60: a1, a2, a3 and m1 join acme (named "Acme Corp"), b1 joins beta ("Beta"), z1 joins zeta.
 * - a1: Invoice Sent T, a page T-1, Report Viewed T-10.   active T-60, T-10, T-1, T
 * - a2: Invoice Sent T-3.                                  active T-60, T-3
 * - a3: Invoice Sent T-40.                                 active T-60, T-40
 * - b1: Report Viewed T-20, a page T-35.                   active T-60, T-35, T-20
 * - m1: Invoice Sent T-5 (in acme), joins beta T-2, Report Viewed T-1 (in beta).
 *                                                          active T-60, T-5, T-2, T-1
 * - z1: nothing more.                                      active T-60
 */
async function fixture() {
  for (const feature of [
    { key: 'invoicing', name: 'Invoicing', events: [{ event: 'Invoice Sent' }] },
    { key: 'reports', name: 'Reports', events: [{ event: 'Report Viewed' }] },
  ])
    expect((await h.adminJson('/core-features', 'POST', feature)).status).toBe(201);
  const group = (userId: string, groupId: string, k: number, traits?: Record<string, unknown>) =>
    h.msg({ type: 'group', userId, groupId, timestamp: daysAgo(k), ...(traits ? { traits } : {}) });
  const track = (userId: string, event: string, k: number) =>
    h.msg({ type: 'track', userId, event, timestamp: daysAgo(k) });
  const page = (userId: string, k: number) =>
    h.msg({ type: 'page', userId, name: 'Home', timestamp: daysAgo(k) });
  await h.ingest([
    group('a1', 'acme', 60, { name: 'Acme Corp' }),
    group('a2', 'acme', 60),
    group('a3', 'acme', 60),
    group('m1', 'acme', 60),
    group('b1', 'beta', 60, { name: 'Beta' }),
    group('z1', 'zeta', 60),
  ]);
  await h.ingest([
    track('a1', 'Invoice Sent', 0),
    page('a1', 1),
    track('a1', 'Report Viewed', 10),
    track('a2', 'Invoice Sent', 3),
    track('a3', 'Invoice Sent', 40),
    track('b1', 'Report Viewed', 20),
    page('b1', 35),
    track('m1', 'Invoice Sent', 5),
  ]);
  await h.ingest([group('m1', 'beta', 2)]);
  await h.ingest([track('m1', 'Report Viewed', 1)]);
  await h.app.featureRollups.wake();
}

const heatmap = async (query: string) => {
  const { status, body } = await h.adminJson(`/reports/adoption/accounts?${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body as {
    window: { days: number; from: string; to: string };
    features: Array<{ key: string; name: string; known: boolean }>;
    accounts: Array<{
      accountId: string;
      name: string | null;
      activeUsers: number;
      features: Array<{ key: string; users: number | null; share: number | null }>;
    }>;
    total: number;
    next: number | null;
  };
};
const ids = (body: Awaited<ReturnType<typeof heatmap>>) => body.accounts.map((a) => a.accountId);

describe('core features by account', () => {
  it('counts each account’s active members and, per feature, those who used it there', async () => {
    await fixture();
    // 30 days, T-29..T. Active members: acme a1 and a2 (a3 last active T-40; m1 now in beta), beta
    // b1 (T-20) and m1, zeta none (z1 last active T-60).
    // Invoicing under the account: acme a1 (T) and a2 (T-3): 2 of 2; beta none (m1 sent his in
    // acme, which he has left, so it counts for neither); zeta none of none.
    // Reports: acme a1 (T-10): 1 of 2; beta b1 (T-20) and m1 (T-1): 2 of 2.
    const body = await heatmap('days=30');
    expect(body.window).toEqual({ days: 30, from: '2026-10-25', to: '2026-11-23' });
    expect(body.features).toEqual([
      { key: 'invoicing', name: 'Invoicing', known: true },
      { key: 'reports', name: 'Reports', known: true },
    ]);
    expect(body.accounts).toEqual([
      {
        accountId: 'acme',
        name: 'Acme Corp',
        activeUsers: 2,
        features: [
          { key: 'invoicing', users: 2, share: 1 },
          { key: 'reports', users: 1, share: 0.5 },
        ],
      },
      {
        accountId: 'beta',
        name: 'Beta',
        activeUsers: 2,
        features: [
          { key: 'invoicing', users: 0, share: 0 },
          { key: 'reports', users: 2, share: 1 },
        ],
      },
      {
        accountId: 'zeta',
        name: null,
        activeUsers: 0,
        features: [
          { key: 'invoicing', users: 0, share: null },
          { key: 'reports', users: 0, share: null },
        ],
      },
    ]);
    expect([body.total, body.next]).toEqual([3, null]);

    // 7 days, T-6..T: acme a1 and a2, both invoicing, no reports (a1's was T-10); beta m1 only
    // (b1's last day is T-20), his report of T-1.
    const week = await heatmap('days=7');
    expect(week.window).toEqual({ days: 7, from: '2026-11-17', to: '2026-11-23' });
    expect(week.accounts.map((a) => [a.accountId, a.activeUsers, ...a.features.map((f) => f.users)])).toEqual(
      [
        ['acme', 2, 2, 0],
        ['beta', 1, 0, 1],
        ['zeta', 0, 0, 0],
      ],
    );
  });

  it('sorts by id, active users or a feature’s share (no value last), searches id and name, and pages', async () => {
    await fixture();
    expect(ids(await heatmap('sort=-account'))).toEqual(['zeta', 'beta', 'acme']);
    // acme 2, beta 2 (ties by id), zeta 0.
    expect(ids(await heatmap('sort=-activeUsers'))).toEqual(['acme', 'beta', 'zeta']);
    expect(ids(await heatmap('sort=activeUsers'))).toEqual(['zeta', 'acme', 'beta']);
    // Reports: acme 0.5, beta 1, zeta none active (null, last either way).
    expect(ids(await heatmap('sort=-feature.reports'))).toEqual(['beta', 'acme', 'zeta']);
    expect(ids(await heatmap('sort=feature.reports'))).toEqual(['acme', 'beta', 'zeta']);
    // Invoicing: beta 0, acme 1.
    expect(ids(await heatmap('sort=feature.invoicing'))).toEqual(['beta', 'acme', 'zeta']);
    // Over 7 days reports: acme 0 of 2, beta 1 of 1.
    expect(ids(await heatmap('days=7&sort=feature.reports'))).toEqual(['acme', 'beta', 'zeta']);

    // An id prefix, a name prefix in any case ("Beta"), a name that is not an id's prefix.
    expect(ids(await heatmap('q=ac'))).toEqual(['acme']);
    expect(ids(await heatmap('q=BET'))).toEqual(['beta']);
    expect(ids(await heatmap('q=acme%20c'))).toEqual(['acme']);
    const none = await heatmap('q=nobody');
    expect([none.accounts, none.total, none.next]).toEqual([[], 0, null]);
    const searched = await heatmap('q=z&sort=-activeUsers');
    expect([ids(searched), searched.total]).toEqual([['zeta'], 1]);

    const first = await heatmap('limit=2&sort=-activeUsers');
    expect([ids(first), first.total, first.next]).toEqual([['acme', 'beta'], 3, 2]);
    const second = await heatmap('limit=2&offset=2&sort=-activeUsers');
    expect([ids(second), second.total, second.next]).toEqual([['zeta'], 3, null]);
    const byId = await heatmap('limit=1&offset=1');
    expect([ids(byId), byId.next]).toEqual([['beta'], 2]);
  });

  it('leaves a feature being rebuilt uncounted rather than unused', async () => {
    await fixture();
    await h.app.featureRollups.stop();
    expect(
      (
        await h.adminJson('/core-features', 'POST', {
          key: 'pages',
          name: 'Pages',
          events: [{ event: 'Page Seen' }],
        })
      ).status,
    ).toBe(201);
    const body = await heatmap('days=30');
    expect(body.features.find((f) => f.key === 'pages')).toEqual({
      key: 'pages',
      name: 'Pages',
      known: false,
    });
    expect(body.accounts[0]?.features.find((f) => f.key === 'pages')).toEqual({
      key: 'pages',
      users: null,
      share: null,
    });
    // The others are still counted.
    expect(body.accounts[0]?.features.find((f) => f.key === 'reports')).toEqual({
      key: 'reports',
      users: 1,
      share: 0.5,
    });
    // Sorting by it ranks nothing: every value is missing, so the order is the ids'.
    expect(ids(await heatmap('sort=-feature.pages'))).toEqual(['acme', 'beta', 'zeta']);
  });

  it('exports every matching account as CSV in the same order', async () => {
    await fixture();
    const res = await h.admin('/reports/adoption/accounts.csv?sort=-feature.reports');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="adoption-by-account-2026-11-23.csv"',
    );
    expect(await res.text()).toBe(
      [
        'account_id,name,active_users,invoicing_users,invoicing_share,reports_users,reports_share',
        'beta,Beta,2,0,0,2,1',
        'acme,Acme Corp,2,2,1,1,0.5',
        'zeta,,0,0,,0,',
        '',
      ].join('\r\n'),
    );
    const searched = await h.admin('/reports/adoption/accounts.csv?q=acme');
    expect((await searched.text()).split('\r\n').slice(1)).toEqual(['acme,Acme Corp,2,2,1,1,0.5', '']);
  });
});

describe('active users over time', () => {
  it('gives each day’s DAU, WAU, MAU and stickiness', async () => {
    await fixture();
    const { status, body } = await h.adminJson('/reports/adoption?days=7&include=series');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.window).toEqual({ days: 7, from: '2026-11-17', to: '2026-11-23' });
    // The report's own figures for its 7 days agree: its users (m1, a2, a1) are T's WAU.
    expect(body.activeUsers.mau).toBe(3);
    expect(body.activeUsers.wau).toBe(3);
    // DAU: T-5 m1; T-3 a2; T-2 m1; T-1 a1, m1; T a1.
    // WAU, the 7 days ending the day: T-6 a1 (T-10); T-5 and T-4 a1, m1; T-3 and T-2 m1, a2 (a1's
    // T-10 out); T-1 and T m1, a2, a1.
    // MAU, the 30 days ending the day: T-6 (T-35..T-6) b1, a1; T-5 and T-4 + m1; from T-3 + a2;
    // T (T-29..T) still 4: b1's T-35 left, his T-20 stays; a3's T-40 never in.
    const rows = body.series.map(
      (d: { day: string; dau: number; wau: number; mau: number; stickiness: number | null }) => [
        d.day,
        d.dau,
        d.wau,
        d.mau,
        d.stickiness,
      ],
    );
    expect(rows).toEqual([
      ['2026-11-17', 0, 1, 2, 0],
      ['2026-11-18', 1, 2, 3, 1 / 3],
      ['2026-11-19', 0, 2, 3, 0],
      ['2026-11-20', 1, 2, 4, 1 / 4],
      ['2026-11-21', 1, 2, 4, 1 / 4],
      ['2026-11-22', 2, 3, 4, 2 / 4],
      ['2026-11-23', 1, 3, 4, 1 / 4],
    ]);
    // The 30-day report's MAU is T's; without `include` the report has no series.
    const report = await h.adminJson('/reports/adoption?days=30');
    expect(report.body.activeUsers.mau).toBe(4);
    expect(report.body.series).toBeUndefined();
  });

  it('gives a day with nobody active in its 30 days no stickiness', async () => {
    const { body } = await h.adminJson('/reports/adoption?days=7&include=series');
    expect(body.series).toHaveLength(7);
    expect(body.series[0]).toEqual({ day: '2026-11-17', dau: 0, wau: 0, mau: 0, stickiness: null });
  });
});

describe('bad query parameters', () => {
  it('get a 400 naming the field', async () => {
    await fixture();
    const cases: Array<[string, string]> = [
      ['/reports/adoption?days=5&include=series', '/days'],
      ['/reports/adoption?days=abc', '/days'],
      ['/reports/adoption?include=days', '/include'],
      ['/reports/adoption/accounts?days=91', '/days'],
      ['/reports/adoption/accounts?sort=score', '/sort'],
      ['/reports/adoption/accounts?sort=feature.nope', '/sort'],
      ['/reports/adoption/accounts?limit=0', '/limit'],
      ['/reports/adoption/accounts?offset=-1', '/offset'],
      ['/reports/adoption/accounts?q=%20', '/q'],
      ['/reports/adoption/accounts.csv?sort=feature.nope', '/sort'],
    ];
    for (const [path, pointer] of cases) {
      const { status, body } = await h.adminJson(path);
      expect(status, path).toBe(400);
      expect(body.code, path).toBe('validation_failed');
      expect(
        body.errors.map((e: { pointer: string }) => e.pointer),
        path,
      ).toEqual([pointer]);
    }
  });
});

describe('plans', () => {
  for (const analyzed of [false, true]) {
    it(`read the rollups by key and index ranges, never the events, ${analyzed ? 'after' : 'before'} ANALYZE`, async () => {
      await fixture();
      if (analyzed) await analyze(h);
      const statements = await statementsOfGets(h, [
        '/reports/adoption?days=90&include=series',
        '/reports/adoption/accounts?days=30',
        '/reports/adoption/accounts?days=30&sort=-account&q=Ac',
        '/reports/adoption/accounts?days=30&sort=-activeUsers',
        '/reports/adoption/accounts?days=7&sort=feature.reports&q=b',
        '/reports/adoption/accounts.csv?sort=-feature.invoicing',
      ]);
      expect(statements.length).toBeGreaterThan(15);
      for (const { sql: text, plan, where } of await queryPlans(h, statements)) {
        expect(text, where).not.toMatch(/\bevents\b/);
        // A scan of a table (not of a subquery, a UNION's rows or a constant row) reads a whole workspace.
        expect(plan, where).not.toMatch(
          /SCAN (users|u|accounts|a|user_days|d|feature_days|f|user_day_gaps|feature_users|activity_days)\b/,
        );
        // Nor does a search by workspace alone, but for the accounts themselves: one row per account,
        // counted, and read in full only to rank them by a number.
        expect(plan, where).not.toMatch(
          /SEARCH (users|u|user_days|d|feature_days|f|user_day_gaps) USING [A-Z ]*INDEX \w+ \(workspace_id=\?\)/,
        );
        // Each account's cells are read by key: its members, their days, their uses.
        if (text.includes('INDEXED BY users_account'))
          expect(plan, where).toMatch(
            /SEARCH u USING INDEX users_account \(workspace_id=\? AND account_id=\?\).*SEARCH d USING PRIMARY KEY \(workspace_id=\? AND user_id=\? AND day>\? AND day<\?\).*SEARCH f USING COVERING INDEX feature_days_user \(workspace_id=\? AND feature_id=\? AND user_id=\? AND day>\? AND day<\?\)/,
          );
      }
    });
  }
});
