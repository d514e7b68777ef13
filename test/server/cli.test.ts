import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli.ts';
import { workspaces } from '../../server/db/schema.ts';
import { WorkspaceDirectory } from '../../server/workspaces/store.ts';
import { snippet } from '../../shared/install-snippet.ts';
import { createHarness, type Harness } from './harness.ts';
import { root } from './processes.ts';

let h: Harness;
let out: string[];
let err: string[];
let opened: number;
beforeEach(async () => {
  h = await createHarness();
  out = [];
  err = [];
  opened = 0;
});
afterEach(async () => {
  await h.close();
});

const hour = 3_600_000;
const cli = (...argv: string[]) =>
  runCli(argv, {
    openDb: async () => {
      opened++;
      return h.db;
    },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    now: () => h.clock.now,
    serverUrl: 'https://waymark.acme.com',
  });
/** What a fresh lookup (no cache) makes of a key, as another server instance would. */
const lookup = (key: string) => new WorkspaceDirectory(h.db, () => h.clock.now).byKey(key);
const printed = () => out.join('\n');

describe('workspace create', () => {
  it('creates a workspace whose keys work, and prints them once with the two-part install snippet', async () => {
    expect(
      await cli(
        'workspace',
        'create',
        '--name',
        'Acme Inc.',
        '--origin',
        'https://app.acme.com',
        '--origin',
        'https://*.acme.dev',
      ),
    ).toBe(0);
    expect(err).toEqual([]);
    const text = printed();
    const publishableKey = text.match(/publishable key: +(pk_\w+)/)?.[1] ?? '';
    const secretKey = text.match(/secret key: +(sk_\w+)/)?.[1] ?? '';
    const identitySecret = text.match(/identity secret: +(iv_\w+)/)?.[1] ?? '';
    expect(text.split(secretKey)).toHaveLength(2);
    expect(text.split(identitySecret)).toHaveLength(2);
    expect(text).toContain('Created the workspace acme-inc (Acme Inc.).');
    expect(text).toContain('Allowed browser origins: https://app.acme.com, https://*.acme.dev');
    expect(
      text.endsWith(
        `${snippet}\n<script async src="https://waymark.acme.com/widget.js" data-key="${publishableKey}"></script>`,
      ),
    ).toBe(true);

    expect(await lookup(publishableKey)).toMatchObject({
      workspace: { id: 'acme-inc' },
      keyKind: 'publishable',
    });
    expect(await lookup(secretKey)).toMatchObject({ workspace: { id: 'acme-inc' }, keyKind: 'secret' });
    const [row] = await h.db.read.select().from(workspaces).where(eq(workspaces.id, 'acme-inc'));
    expect(row).toMatchObject({
      name: 'Acme Inc.',
      allowedOrigins: ['https://app.acme.com', 'https://*.acme.dev'],
      identitySecrets: [identitySecret],
    });
    // The secret key is nowhere in the database.
    const dump = JSON.stringify(await h.db.read.all('SELECT * FROM api_keys'));
    expect(dump).not.toContain(secretKey);
  });

  it('takes an explicit id, and refuses one that exists', async () => {
    expect(await cli('workspace', 'create', '--name', 'Acme', '--id', 'acme')).toBe(0);
    out = [];
    expect(await cli('workspace', 'create', '--name', 'Acme again', '--id', 'acme')).toBe(1);
    expect(err).toEqual(['error: a workspace with the id "acme" exists already; choose another with --id']);
    expect(out).toEqual([]);
  });

  it('refuses bad arguments with exit code 2, naming the option, before opening the database', async () => {
    const cases: Array<[string[], string]> = [
      [['workspace', 'create'], 'error: --name is required'],
      [['workspace', 'create', '--nmae', 'Acme'], "error: Unknown option '--nmae'"],
      [['workspace', 'create', '--name'], "error: Option '--name <value>' argument missing"],
      [['workspace', 'create', '--name', 'Acme', 'extra'], "error: Unexpected argument 'extra'"],
      [
        ['workspace', 'create', '--name', 'Acme', '--origin', 'app.acme.com'],
        'error: --origin "app.acme.com": must be an origin such as https://app.example.com',
      ],
      [
        ['workspace', 'create', '--name', 'Acme', '--id', 'Acme Corp'],
        'error: --id: must be lowercase letters, digits, _ or -, starting with a letter or digit',
      ],
      [
        ['workspace', 'create', '--name', '東京'],
        'error: --id is required when --name has no letters or digits to make one of',
      ],
      [['workspace', 'remove'], 'error: unknown command "workspace remove"'],
      [['keys', 'rotate', '--workspace', 'ws1'], 'error: --kind is required'],
      [
        ['keys', 'rotate', '--workspace', 'ws1', '--kind', 'master'],
        'error: --kind: Invalid option: expected one of "publishable"|"secret"',
      ],
      [
        ['keys', 'rotate', '--workspace', 'ws1', '--kind', 'secret', '--overlap-hours', 'soon'],
        'error: --overlap-hours: must be a number of hours, such as 24',
      ],
      [
        ['keys', 'rotate', '--workspace', 'ws1', '--kind', 'secret', '--overlap-hours', '-3'],
        "error: Option '--overlap-hours' argument is ambiguous",
      ],
      [
        ['keys', 'rotate', '--workspace', 'ws1', '--kind', 'secret', '--overlap-hours=-3'],
        'error: --overlap-hours: must be 0 (end the previous keys now) or more',
      ],
      [['keys', 'revoke', '--workspace', 'ws1'], 'error: --key is required'],
    ];
    for (const [argv, message] of cases) {
      err = [];
      expect(await cli(...argv), argv.join(' ')).toBe(2);
      expect(err).toEqual([`${message}\nRun "npm run waymark -- help" for the commands and their options.`]);
    }
    expect(opened).toBe(0);
    expect(out).toEqual([]);
  });

  it('prints the usage on help (exit 0) and without a command (exit 2)', async () => {
    expect(await cli('help')).toBe(0);
    expect(out[0]).toMatch(/^Usage: npm run waymark -- <command> \[options\]/);
    expect(await cli()).toBe(2);
    expect(err[0]).toBe(out[0]);
  });
});

describe('workspace list', () => {
  it('shows every workspace with its current publishable key', async () => {
    h.clock.now += 1000;
    await cli('workspace', 'create', '--name', 'Acme', '--id', 'acme');
    const acmeKey = printed().match(/publishable key: +(pk_\w+)/)?.[1];
    out = [];
    expect(await cli('workspace', 'list')).toBe(0);
    expect(out).toEqual([
      [
        'ID    NAME  PUBLISHABLE KEY                      CREATED',
        `ws1   Test  ${h.ws.publishableKey}  2026-11-23T12:00:00.000Z`,
        `acme  Acme  ${acmeKey}  2026-11-23T12:00:01.000Z`,
      ].join('\n'),
    ]);
  });
});

describe('keys', () => {
  it('rotate prints the new secret key once; the old one works until the overlap ends; list never shows it', async () => {
    h.clock.now += 1000;
    expect(
      await cli('keys', 'rotate', '--workspace', 'ws1', '--kind', 'secret', '--overlap-hours', '2'),
    ).toBe(0);
    const secretKey = printed().match(/^ {2}(sk_\w+)$/m)?.[1] ?? '';
    expect(secretKey).toMatch(/^sk_\w{32}$/);
    expect(printed()).toContain('It is shown this once');
    expect(printed()).toMatch(
      /The previous key key_\w+ \(sk_…\w{4}\) keeps working until 2026-11-23T14:00:01.000Z: switch to the new one before then./,
    );

    expect(await lookup(h.ws.secretKey)).not.toBeNull();
    expect(await lookup(secretKey)).toMatchObject({ workspace: { id: 'ws1' }, keyKind: 'secret' });

    out = [];
    expect(await cli('keys', 'list', '--workspace', 'ws1')).toBe(0);
    expect(printed()).not.toContain(secretKey);
    const rows = out[0]!.split('\n');
    expect(rows[0]).toBe(
      'ID                    KIND         KEY                                  CREATED                   STATE',
    );
    expect(rows.slice(1).map((row) => row.split(/ {2,}/).slice(1))).toEqual([
      ['publishable', h.ws.publishableKey, '2026-11-23T12:00:00.000Z', 'live'],
      ['secret', `sk_…${secretKey.slice(-4)}`, '2026-11-23T12:00:01.000Z', 'live'],
      [
        'secret',
        `sk_…${h.ws.secretKey.slice(-4)}`,
        '2026-11-23T12:00:00.000Z',
        'live until 2026-11-23T14:00:01.000Z',
      ],
    ]);

    h.clock.now += 2 * hour;
    expect(await lookup(h.ws.secretKey)).toBeNull();
    expect(await lookup(secretKey)).not.toBeNull();
  });

  it('rotate of the publishable key prints the snippet with the new key', async () => {
    expect(
      await cli('keys', 'rotate', '--workspace', 'ws1', '--kind', 'publishable', '--overlap-hours', '0'),
    ).toBe(0);
    const publishableKey = printed().match(/^ {2}(pk_\w+)$/m)?.[1] ?? '';
    expect(printed()).toContain('has ended.');
    expect(printed()).toContain(`data-key="${publishableKey}"`);
    expect(printed()).not.toContain('shown this once');
    expect(await lookup(h.ws.publishableKey)).toBeNull();
    expect(await lookup(publishableKey)).not.toBeNull();
  });

  it('revoke ends a key; the last one of its kind is refused with exit code 1', async () => {
    await cli('keys', 'rotate', '--workspace', 'ws1', '--kind', 'secret');
    const oldId = printed().match(/The previous key (key_\w+)/)?.[1] ?? '';
    out = [];
    expect(await cli('keys', 'revoke', '--workspace', 'ws1', '--key', oldId)).toBe(0);
    expect(out).toEqual([
      `Revoked ${oldId} (sk_…${h.ws.secretKey.slice(-4)}) of ws1. A running server refuses it within 5 seconds.`,
    ]);
    expect(await lookup(h.ws.secretKey)).toBeNull();

    out = [];
    await cli('keys', 'list', '--workspace', 'ws1');
    const lastId = out[0]!.split('\n')[2]!.split(' ')[0]!;
    expect(await cli('keys', 'revoke', '--workspace', 'ws1', '--key', lastId)).toBe(1);
    expect(err).toEqual([
      `error: ${lastId} is this workspace's last secret key without an end date: create a new secret key first (a rotation), then revoke this one.`,
    ]);
  });

  it('names an unknown workspace or key', async () => {
    expect(await cli('keys', 'list', '--workspace', 'nope')).toBe(1);
    expect(await cli('keys', 'revoke', '--workspace', 'ws1', '--key', 'key_nope')).toBe(1);
    expect(err).toEqual([
      'error: no workspace has the id "nope" (npm run waymark -- workspace list shows them)',
      'error: No key with this id in this workspace.',
    ]);
  });
});

describe('the executable', () => {
  it('runs as `npm run waymark` does: the server’s DATABASE_URL, exit codes, stdout and stderr', () => {
    const file = join(h.dir, 'cli.db');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: `file:${file}`, PUBLIC_URL: 'https://waymark.acme.com' },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const bad = run('workspace', 'create');
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([
      2,
      '',
      'error: --name is required\nRun "npm run waymark -- help" for the commands and their options.\n',
    ]);
    expect(existsSync(file)).toBe(false);

    const created = run('workspace', 'create', '--name', 'Acme');
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('src="https://waymark.acme.com/widget.js"');
    expect(created.stdout).toMatch(/^Created the workspace acme \(Acme\)\.\n/);
  }, 60_000);
});

describe('create-owner', () => {
  const signIn = (email: string, password: string) =>
    h.app.request('/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost' },
      body: JSON.stringify({ email, password }),
    });

  it('makes an owner of an existing workspace who can sign in, with no setup left to do', async () => {
    expect(
      await cli(
        'create-owner',
        '--email',
        'Ops@Acme.com',
        '--password',
        'ops password 1',
        '--workspace',
        'ws1',
      ),
    ).toBe(0);
    expect(err).toEqual([]);
    expect(printed()).toBe('ops@acme.com is owner of ws1: sign in at https://waymark.acme.com/app');
    const res = await signIn('ops@acme.com', 'ops password 1');
    expect(res.status).toBe(200);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const session = await (await h.app.request('/v1/console/session', { headers: { cookie } })).json();
    expect(session).toMatchObject({
      user: { name: 'ops' },
      workspaces: [{ id: 'ws1', role: 'owner' }],
      activeWorkspaceId: 'ws1',
    });
    expect(await (await h.app.request('/v1/setup')).json()).toEqual({ needsOwner: false });
  });

  it('creates the workspace named when no workspace has that id, and prints its keys', async () => {
    expect(
      await cli(
        'create-owner',
        '--email',
        'ana@acme.com',
        '--password',
        'ana password 1',
        '--workspace',
        'Acme Inc.',
        '--name',
        'Ana',
      ),
    ).toBe(0);
    const secretKey = printed().match(/secret key: +(sk_\w+)/)?.[1] ?? '';
    expect((await lookup(secretKey))?.workspace.id).toBe('acme-inc');
    expect(printed()).toContain('ana@acme.com is owner of acme-inc');
  });

  it('refuses a short password or a bad email before opening the database, and a taken email after', async () => {
    expect(
      await cli('create-owner', '--email', 'not-an-email', '--password', 'short', '--workspace', 'ws1'),
    ).toBe(2);
    expect(err.join('\n')).toMatch(
      /--email: must be an email address; --password: must be at least 8 characters/,
    );
    expect(opened).toBe(0);
    err = [];
    expect(
      await cli(
        'create-owner',
        '--email',
        'ana@acme.com',
        '--password',
        'ana password 1',
        '--workspace',
        'ws1',
      ),
    ).toBe(0);
    expect(
      await cli(
        'create-owner',
        '--email',
        'ana@acme.com',
        '--password',
        'ana password 2',
        '--workspace',
        'ws1',
      ),
    ).toBe(1);
    expect(err.join('\n')).toMatch(/ana@acme.com is already a team member's email/);
  });
});
