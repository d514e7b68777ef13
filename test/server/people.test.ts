import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../server/accounts/csv.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

async function importCsv(csv: string) {
  const res = await h.admin('/accounts/import', {
    method: 'POST',
    body: csv,
    headers: { 'content-type': 'text/csv' },
  });
  return { status: res.status, body: await res.json() };
}

describe('CSV', () => {
  it('reads quotes, doubled quotes, commas and line breaks inside quotes, CRLF, a BOM, and keeps line numbers', () => {
    const records = parseCsv('\uFEFFid,note\r\na,"x, ""y"""\r\n\r\nb,"two\nlines"\nc,plain');
    expect(records).toEqual([
      { line: 1, fields: ['id', 'note'] },
      { line: 2, fields: ['a', 'x, "y"'] },
      { line: 4, fields: ['b', 'two\nlines'] },
      { line: 6, fields: ['c', 'plain'] },
    ]);
    expect(() => parseCsv('id\na"b')).toThrow(/line 2|quote/);
    expect(() => parseCsv('id\n"open')).toThrow(/not closed/);
  });
});

describe('account traits from CSV', () => {
  const csv = [
    'id,name,arr,seats,renewalDate,paymentStatus,plan',
    'acme,Acme,"120,000",25,2027-03-01,current,enterprise',
    'globex,Globex,abc,10,2027-13-01,late,pro',
    'initech,Initech,9000,,,,starter',
    'acme,Acme again,1,1,2027-01-01,current,x',
  ].join('\n');

  it('applies valid rows, reports each bad cell by line and column, and changes nothing on a second import', async () => {
    const first = await importCsv(csv);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      rows: 4,
      applied: 2,
      changed: 2,
      errors: [
        { line: 3, column: 'arr', detail: 'must be a number' },
        { line: 3, column: 'renewalDate', detail: 'must be a date, YYYY-MM-DD' },
        { line: 3, column: 'paymentStatus', detail: 'must be one of current, past_due, failed' },
        { line: 5, column: 'id', detail: 'account "acme" is already on line 2' },
      ],
    });
    const acme = await h.adminJson('/accounts/acme');
    expect(acme.body.traits).toEqual({
      name: 'Acme',
      arr: 120000,
      seats: 25,
      renewalDate: '2027-03-01',
      paymentStatus: 'current',
      plan: 'enterprise',
    });
    // Empty cells leave traits alone.
    expect((await h.adminJson('/accounts/initech')).body.traits).toEqual({
      name: 'Initech',
      arr: 9000,
      plan: 'starter',
    });
    expect((await h.adminJson('/accounts/globex')).status).toBe(404);
    const again = await importCsv(csv);
    expect(again.body).toMatchObject({ applied: 2, changed: 0 });
  });

  it('refuses a file without an id column, or with broken quoting, and applies nothing', async () => {
    const noId = await importCsv('name,arr\nAcme,1');
    expect(noId).toMatchObject({
      status: 400,
      body: { detail: 'the header row needs an id column (id, accountId, groupId)' },
    });
    const broken = await importCsv('id,name\nacme,"Acme\nglobex,Globex');
    expect(broken.status).toBe(400);
    const count = await h.db.read.all<{ n: number }>(sql`SELECT count(*) AS n FROM accounts`);
    expect(count[0]!.n).toBe(0);
  });
});

describe('account and user lists', () => {
  it('find accounts and users by id, name or email prefix, case-insensitive, page by page', async () => {
    const batch = [
      {
        type: 'identify',
        userId: 'u1',
        messageId: 'm1',
        traits: { name: 'Ada Lovelace', email: 'ada@acme.com' },
      },
      {
        type: 'identify',
        userId: 'u2',
        messageId: 'm2',
        traits: { name: 'Grace Hopper', email: 'grace@globex.com' },
      },
      { type: 'group', userId: 'u1', groupId: 'acme-1', messageId: 'm3', traits: { name: 'Acme Corp' } },
      { type: 'group', userId: 'u2', groupId: 'globex-1', messageId: 'm4', traits: { name: 'Globex' } },
    ];
    expect((await h.post({ batch })).status).toBe(200);
    const ids = async (path: string) =>
      (await h.adminJson(path)).body[path.startsWith('/users') ? 'users' : 'accounts'].map(
        (r: { id: string }) => r.id,
      );
    expect(await ids('/accounts?search=acme')).toEqual(['acme-1']);
    expect(await ids('/accounts?search=GLOB')).toEqual(['globex-1']);
    expect(await ids('/users?search=grace%40')).toEqual(['u2']);
    expect(await ids('/users?search=ada')).toEqual(['u1']);
    expect(await ids('/users?accountId=acme-1')).toEqual(['u1']);
    const first = await h.adminJson('/accounts?limit=1');
    expect(first.body.next).toBe('acme-1');
    expect((await h.adminJson(`/accounts?limit=1&after=${first.body.next}`)).body.accounts[0].id).toBe(
      'globex-1',
    );
  });

  it('search pages through many matches by name, email and id in id order, each once', async () => {
    // Users whose id, name or email starts with "ava" (name and email in any case), and some that do not.
    const batch = Array.from({ length: 30 }, (_, i) => ({
      type: 'identify',
      userId: i % 5 === 0 ? `ava-${i}` : `user-${String(i).padStart(2, '0')}`,
      messageId: `s${i}`,
      traits: {
        name: i % 3 === 0 ? `Ava ${i}` : `Bob ${i}`,
        email: i % 2 === 0 ? `ava.${i}@example.com` : `bob.${i}@example.com`,
      },
    }));
    expect((await h.post({ batch })).status).toBe(200);
    const expected = batch
      .filter((m) => /^ava/.test(m.userId) || /^ava/i.test(m.traits.name) || /^ava/i.test(m.traits.email))
      .map((m) => m.userId)
      .sort();
    expect(expected.length).toBe(22);
    const seen: string[] = [];
    let after = '';
    for (let page = 0; page < 10; page++) {
      const { body } = await h.adminJson(`/users?search=ava&limit=4${after}`);
      seen.push(...body.users.map((u: { id: string }) => u.id));
      if (body.next === null) break;
      after = `&after=${body.next}`;
    }
    expect(seen).toEqual(expected);
  });

  it('search reads the name and email indexes, never a scan of the workspace', async () => {
    for (const column of ['name', 'email']) {
      const plan = await h.db.read.all<{ detail: string }>(
        sql.raw(`EXPLAIN QUERY PLAN
        SELECT * FROM users WHERE workspace_id = 'ws1'
          AND lower(json_extract(traits, '$.${column}')) >= 'ada' AND lower(json_extract(traits, '$.${column}')) < 'adb'
          AND +id > 'u0' ORDER BY +id LIMIT 50`),
      );
      expect(plan.map((p) => p.detail).join('\n')).toMatch(
        new RegExp(
          `SEARCH users USING INDEX users_${column} \\(workspace_id=\\? AND <expr>>\\? AND <expr><\\?\\)`,
        ),
      );
    }
  });
});
