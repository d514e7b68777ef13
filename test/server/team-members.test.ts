import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMember } from '../../server/auth/owners.ts';
import { createWorkspace } from '../../server/workspaces/store.ts';
import type { TeamMember, TeamRole } from '../../shared/schemas/team.ts';
import { createHarness, type Harness } from './harness.ts';

// The console's team routes (server/routes/team.ts): who may change whose role or remove whom, the
// last owner kept, another workspace not found, CSRF, and better-auth's own routes for it closed.
const origin = 'http://localhost';
let h: Harness;

beforeEach(async () => {
  h = await createHarness();
  await createWorkspace(h.db, { id: 'other', name: 'Other' }, h.clock.now);
});
afterEach(async () => {
  await h.close();
});

function cookieOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return h.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', origin, ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** A team member of `workspaces` with `role`, signed in: their user id and session cookie. */
async function member(name: string, role: TeamRole, workspaces: string[] = ['ws1']) {
  const email = `${name}@acme.com`;
  const password = `${name} password 123`;
  const userId = await createMember(
    { db: h.db, auth: h.app.auth, now: h.clock.now },
    { name, email, password },
    workspaces,
    role,
  );
  // Each joins a second after the one before: the list is in the order they joined, which two
  // members of the same instant would not define.
  h.clock.now += 1000;
  const res = await request('POST', '/api/auth/sign-in/email', { email, password });
  expect(res.status, await res.clone().text()).toBe(200);
  return { userId, cookie: cookieOf(res) };
}

const membersPath = (workspaceId: string) => `/v1/console/workspaces/${workspaceId}/members`;

async function team(cookie: string, workspaceId = 'ws1'): Promise<TeamMember[]> {
  const res = await request('GET', membersPath(workspaceId), undefined, { cookie });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { members: TeamMember[] }).members;
}

/** The membership id of a user in a workspace, read as its owner would. */
async function membershipOf(cookie: string, userId: string, workspaceId = 'ws1'): Promise<string> {
  const found = (await team(cookie, workspaceId)).find((m) => m.userId === userId);
  if (!found) throw new Error(`${userId} is not in ${workspaceId}`);
  return found.id;
}

const setRole = (cookie: string, workspaceId: string, memberId: string, body: unknown) =>
  request('PATCH', `${membersPath(workspaceId)}/${memberId}`, body, { cookie });
const remove = (cookie: string, workspaceId: string, memberId: string) =>
  request('DELETE', `${membersPath(workspaceId)}/${memberId}`, undefined, { cookie });

/** Puts a membership back to `role` directly in the table, between cases of a matrix. */
async function storeRole(memberId: string, role: TeamRole) {
  await h.db.writer.batch([{ sql: 'UPDATE team_members SET role = ? WHERE id = ?', args: [role, memberId] }]);
}

const roles: TeamRole[] = ['viewer', 'editor', 'admin', 'owner'];

describe('the team of a workspace', () => {
  it('lists every member with their role to any member, in the order they joined', async () => {
    const joined = h.clock.now;
    const owner = await member('olga', 'owner');
    h.clock.now += 59_000; // a minute after olga (member() moves the clock a second on)
    const viewer = await member('vic', 'viewer');
    const members = await team(viewer.cookie);
    expect(members.map(({ name, email, role, userId }) => ({ name, email, role, userId }))).toEqual([
      { name: 'olga', email: 'olga@acme.com', role: 'owner', userId: owner.userId },
      { name: 'vic', email: 'vic@acme.com', role: 'viewer', userId: viewer.userId },
    ]);
    expect(members.map((m) => m.since)).toEqual([
      new Date(joined).toISOString(),
      new Date(joined + 60_000).toISOString(),
    ]);
  });

  it('is not found in a workspace the member does not belong to, and needs a session', async () => {
    const owner = await member('olga', 'owner');
    const res = await request('GET', membersPath('other'), undefined, { cookie: owner.cookie });
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('not_found');
    expect((await request('GET', membersPath('nowhere'), undefined, { cookie: owner.cookie })).status).toBe(
      404,
    );
    expect((await request('GET', membersPath('ws1'))).status).toBe(401);
  });
});

describe('changing roles', () => {
  it('follows the role matrix: owners change any role, admins all but owner, editors and viewers none', async () => {
    const actors = {
      owner: await member('olga', 'owner'),
      admin: await member('adam', 'admin'),
      editor: await member('eddie', 'editor'),
      viewer: await member('vic', 'viewer'),
    };
    // A second owner, so that the target owner is never the last one here.
    await member('otto', 'owner');
    const target = await member('tess', 'viewer');
    const targetId = await membershipOf(actors.owner.cookie, target.userId);
    const outcomes: string[] = [];
    for (const actor of roles) {
      for (const from of roles) {
        for (const to of roles) {
          if (from === to) continue;
          await storeRole(targetId, from);
          const res = await setRole(actors[actor].cookie, 'ws1', targetId, { role: to });
          const expected =
            actor === 'owner' ? 200 : actor === 'admin' && from !== 'owner' && to !== 'owner' ? 200 : 403;
          outcomes.push(`${actor}: ${from} -> ${to} = ${res.status}`);
          expect(res.status, `${actor}: ${from} -> ${to}: ${await res.clone().text()}`).toBe(expected);
          if (res.status === 200) {
            expect(await res.json()).toMatchObject({ id: targetId, userId: target.userId, role: to });
          } else {
            const problem = await res.json();
            expect(problem.code).toBe('forbidden');
            expect(problem.title).toBe(actor === 'admin' ? 'Needs the owner role' : 'Needs the admin role');
          }
          // What the server answered is what is stored.
          const stored = (await team(actors.owner.cookie)).find((m) => m.id === targetId)?.role;
          expect(stored).toBe(res.status === 200 ? to : from);
        }
      }
    }
    expect(outcomes).toHaveLength(48);
  });

  it('follows the role matrix for removal: owners remove anyone, admins all but owners', async () => {
    const actors = {
      owner: await member('olga', 'owner'),
      admin: await member('adam', 'admin'),
      editor: await member('eddie', 'editor'),
      viewer: await member('vic', 'viewer'),
    };
    await member('otto', 'owner');
    for (const actor of roles) {
      for (const role of roles) {
        const target = await member(`t-${actor}-${role}`, role);
        const targetId = await membershipOf(actors.owner.cookie, target.userId);
        const res = await remove(actors[actor].cookie, 'ws1', targetId);
        const expected = actor === 'owner' ? 204 : actor === 'admin' && role !== 'owner' ? 204 : 403;
        expect(res.status, `${actor} removes ${role}: ${await res.clone().text()}`).toBe(expected);
        const still = (await team(actors.owner.cookie)).some((m) => m.id === targetId);
        expect(still).toBe(expected !== 204);
        if (expected === 204) {
          // Removed: their session no longer reaches the workspace.
          const session = await (
            await request('GET', '/v1/console/session', undefined, { cookie: target.cookie })
          ).json();
          expect(session.workspaces).toEqual([]);
          const admin = await request('GET', '/v1/admin/workspace', undefined, { cookie: target.cookie });
          expect(admin.status).toBe(403);
        }
      }
    }
  });

  it('refuses a role that does not exist, naming the field', async () => {
    const owner = await member('olga', 'owner');
    const viewer = await member('vic', 'viewer');
    const id = await membershipOf(owner.cookie, viewer.userId);
    for (const body of [{ role: 'superuser' }, {}, { role: 'owner', extra: true }]) {
      const res = await setRole(owner.cookie, 'ws1', id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = await res.json();
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
        'extra' in body ? [''] : ['/role'],
      );
    }
    const invalidJson = await setRole(owner.cookie, 'ws1', id, '{"role":');
    expect(invalidJson.status).toBe(400);
    expect((await invalidJson.json()).code).toBe('invalid_json');
    expect((await team(owner.cookie)).find((m) => m.id === id)?.role).toBe('viewer');
  });
});

describe('the last owner', () => {
  it('can be neither demoted nor removed (409 saying so); with another owner, can', async () => {
    const olga = await member('olga', 'owner');
    const olgaId = await membershipOf(olga.cookie, olga.userId);
    const demote = await setRole(olga.cookie, 'ws1', olgaId, { role: 'admin' });
    expect(demote.status).toBe(409);
    const problem = await demote.json();
    expect(problem).toMatchObject({ status: 409, code: 'last_owner', title: 'The last owner' });
    expect(problem.detail).toMatch(/^You are the last owner of ws1: .*make another member owner first/);
    const removal = await remove(olga.cookie, 'ws1', olgaId);
    expect(removal.status).toBe(409);
    expect((await removal.json()).code).toBe('last_owner');
    // Keeping the owner role is no demotion.
    expect((await setRole(olga.cookie, 'ws1', olgaId, { role: 'owner' })).status).toBe(200);

    // Another owner first, then the first one may step down, and the new one is the last.
    const adam = await member('adam', 'admin');
    const adamId = await membershipOf(olga.cookie, adam.userId);
    expect((await setRole(olga.cookie, 'ws1', adamId, { role: 'owner' })).status).toBe(200);
    expect((await setRole(olga.cookie, 'ws1', olgaId, { role: 'editor' })).status).toBe(200);
    const last = await remove(adam.cookie, 'ws1', adamId);
    expect(last.status).toBe(409);
    expect((await last.json()).detail).toMatch(/^You are the last owner of ws1/);
    expect((await team(adam.cookie)).map((m) => [m.name, m.role])).toEqual([
      ['olga', 'editor'],
      ['adam', 'owner'],
    ]);
  });

  it('survives two owners demoting each other at once: one change wins, one owner remains', async () => {
    const olga = await member('olga', 'owner');
    const otto = await member('otto', 'owner');
    const olgaId = await membershipOf(olga.cookie, olga.userId);
    const ottoId = await membershipOf(olga.cookie, otto.userId);
    const answers = await Promise.all([
      setRole(olga.cookie, 'ws1', ottoId, { role: 'viewer' }),
      setRole(otto.cookie, 'ws1', olgaId, { role: 'viewer' }),
    ]);
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const owners = (await team(olga.cookie).catch(() => team(otto.cookie))).filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });
});

describe('another workspace', () => {
  it('is not found: neither its members, nor one of them through a workspace of yours', async () => {
    const olga = await member('olga', 'owner');
    const stranger = await member('sam', 'viewer', ['other']);
    const owner = await member('oscar', 'owner', ['other']);
    const strangerId = await membershipOf(owner.cookie, stranger.userId, 'other');
    for (const res of [
      await setRole(olga.cookie, 'other', strangerId, { role: 'admin' }),
      await setRole(olga.cookie, 'ws1', strangerId, { role: 'admin' }),
      await remove(olga.cookie, 'other', strangerId),
      await remove(olga.cookie, 'ws1', strangerId),
      await setRole(olga.cookie, 'ws1', 'no-such-member', { role: 'admin' }),
    ]) {
      expect(res.status).toBe(404);
      expect((await res.json()).code).toBe('not_found');
    }
    expect((await team(owner.cookie, 'other')).find((m) => m.id === strangerId)?.role).toBe('viewer');
  });
});

describe('CSRF and sessions', () => {
  it('refuses a change from a foreign origin or without Origin, and without a session', async () => {
    const olga = await member('olga', 'owner');
    const vic = await member('vic', 'viewer');
    const id = await membershipOf(olga.cookie, vic.userId);
    const path = `${membersPath('ws1')}/${id}`;
    for (const headers of [{ origin: 'https://evil.example' }, { origin: '' }]) {
      for (const method of ['PATCH', 'DELETE']) {
        const res = await h.app.request(path, {
          method,
          headers: { 'content-type': 'application/json', cookie: olga.cookie, ...headers },
          body: method === 'PATCH' ? JSON.stringify({ role: 'admin' }) : null,
        });
        expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(403);
        expect((await res.json()).code).toBe('cross_site_request');
      }
    }
    expect((await request('PATCH', path, { role: 'admin' })).status).toBe(401);
    expect((await request('DELETE', path)).status).toBe(401);
    expect((await team(olga.cookie)).find((m) => m.id === id)?.role).toBe('viewer');
  });

  it('closes better-auth’s own role change, removal and leaving, which do not keep these rules', async () => {
    const olga = await member('olga', 'owner');
    const adam = await member('adam', 'admin');
    const olgaId = await membershipOf(olga.cookie, olga.userId);
    for (const [path, body] of [
      [
        '/api/auth/organization/update-member-role',
        { memberId: olgaId, role: 'viewer', organizationId: 'ws1' },
      ],
      ['/api/auth/organization/remove-member', { memberIdOrEmail: olgaId, organizationId: 'ws1' }],
      ['/api/auth/organization/leave', { organizationId: 'ws1' }],
    ] as const) {
      const res = await request('POST', path, body, { cookie: adam.cookie });
      expect(res.status, path).toBe(403);
      expect((await res.json()).detail).toMatch(/\/v1\/console\/workspaces\/\{workspaceId\}\/members/);
    }
    expect((await team(olga.cookie)).map((m) => m.role)).toEqual(['owner', 'admin']);
  });
});
