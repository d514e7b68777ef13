import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

// What the server adds for the console (server/console/): the portfolio as CSV, and the app itself at
// /app with its history-API fallback.
let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const accounts = [
  { id: 'acme', traits: { name: 'Acme, Inc.', arr: 120_000, seats: 10, renewalDate: '2027-02-01' } },
  { id: 'bolt', traits: { name: '=HYPERLINK("http://x")', arr: 30_000, seats: 5 } },
  { id: 'cove', traits: { name: 'Cove', arr: 5_000, seats: 2 } },
];

async function seedPortfolio() {
  let n = 0;
  const time = new Date(h.clock.now - 3_600_000).toISOString();
  const batch = accounts.flatMap((a) => [
    {
      type: 'group',
      messageId: `g${++n}`,
      userId: `${a.id}-u`,
      groupId: a.id,
      traits: a.traits,
      timestamp: time,
    },
    { type: 'track', messageId: `t${++n}`, userId: `${a.id}-u`, event: 'Invoice Sent', timestamp: time },
  ]);
  const res = await h.post({ batch });
  expect(res.status, await res.clone().text()).toBe(200);
  expect((await h.adminJson('/health/recompute', 'POST', {})).body.accounts).toBe(3);
}

/** RFC 4180 records of a small CSV (quoted fields with commas and doubled quotes, CRLF line ends). */
function parseCsv(text: string): string[][] {
  return text
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) =>
      [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) =>
        m[1]!.replace(/^"|"$/g, '').replaceAll('""', '"'),
      ),
    );
}

describe('the portfolio as CSV', () => {
  it('lists every account matching the filters, in the order of the list, formula-safe', async () => {
    await seedPortfolio();
    const list = await h.adminJson('/health/accounts?sort=-arr&limit=2');
    expect(list.body.accounts.map((a: { accountId: string }) => a.accountId)).toEqual(['acme', 'bolt']);

    const res = await h.admin('/health/accounts.csv?sort=-arr');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="portfolio-2026-11-23.csv"');
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual([
      'account_id',
      'name',
      'score',
      'band',
      'trend_7d',
      'trend_30d',
      'coverage',
      'arr',
      'renewal_date',
      'stage',
      'segment',
      'top_driver',
      'day',
    ]);
    // Every account (no page limit), in the list's order, with the list's figures.
    expect(rows.map((r) => r[0])).toEqual(['acme', 'bolt', 'cove']);
    const acme = list.body.accounts[0];
    expect(rows[0]).toEqual([
      'acme',
      'Acme, Inc.',
      String(acme.score ?? ''),
      acme.band,
      '',
      '',
      String(acme.coverage),
      '120000',
      '2027-02-01',
      acme.stage,
      'enterprise',
      acme.topDriver ?? '',
      acme.day,
    ]);
    // A name a spreadsheet would run as a formula is written as text.
    expect(rows[1]![1]).toBe('\'=HYPERLINK("http://x")');
  });

  it('takes the list’s filters, and names a bad one', async () => {
    await seedPortfolio();
    const bySearch = parseCsv(await (await h.admin('/health/accounts.csv?search=co')).text());
    expect(bySearch.slice(1).map((r) => r[0])).toEqual(['cove']);
    const bySegment = parseCsv(await (await h.admin('/health/accounts.csv?segment=midMarket')).text());
    expect(bySegment.slice(1).map((r) => r[0])).toEqual(['bolt']);

    const bad = await h.admin('/health/accounts.csv?band=purple');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].pointer).toBe('/band');
  });

  it('needs the admin API’s credentials', async () => {
    expect((await h.app.request('/v1/admin/health/accounts.csv')).status).toBe(401);
  });
});

describe('the console at /app', () => {
  beforeEach(() => {
    const dir = join(h.dir, 'dist', 'console');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/app/assets/index-a1.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'index-a1.js'), 'console.log(1)\n');
  });

  it('answers its page for every path of the app, never cached and never framed', async () => {
    expect((await h.app.request('/app')).headers.get('location')).toBe('/app/');
    expect((await h.app.request('/app?band=red&sort=-arr')).headers.get('location')).toBe(
      '/app/?band=red&sort=-arr',
    );
    for (const path of [
      '/app/',
      '/app/sign-in',
      '/app/accounts/acme',
      '/app/nps?survey=s1&group=detractor',
    ]) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      expect(res.headers.get('content-security-policy'), path).toBe("frame-ancestors 'none'");
      expect(await res.text(), path).toContain('/app/assets/index-a1.js');
    }
  });

  it('sends its hashed assets cached for good, and 404 for one that is not there', async () => {
    const asset = await h.app.request('/app/assets/index-a1.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log(1)\n');
    expect((await h.app.request('/app/assets/index-zz.js')).status).toBe(404);
    expect((await h.app.request('/app/assets/..%2F..%2Fpackage.json')).status).toBe(404);
  });
});
