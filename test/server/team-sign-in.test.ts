import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import type { TeamMail } from '../../server/auth/mail.ts';
import { createMember } from '../../server/auth/owners.ts';
import { createLogger } from '../../server/logger.ts';
import { createWorkspace } from '../../server/workspaces/store.ts';
import type { TeamRole } from '../../shared/schemas/team.ts';
import { createHarness, type Harness } from './harness.ts';

const origin = 'http://localhost';
let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

/** The `name=value` pairs a response sets, as a `Cookie` header. */
function cookieOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

async function json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return h.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', origin, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const owner = {
  name: 'Ana Lima',
  email: 'ana@acme.com',
  password: 'correct horse battery',
  workspaceName: 'Acme',
};

describe('first run', () => {
  it('creates the first owner, their workspace and keys, signed in; 409 after', async () => {
    expect(await (await h.app.request('/v1/setup')).json()).toEqual({ needsOwner: true });
    const res = await json('POST', '/v1/setup', owner);
    expect(res.status, await res.clone().text()).toBe(201);
    const body = await res.json();
    expect(body.user).toMatchObject({ email: 'ana@acme.com', name: 'Ana Lima' });
    expect(body.activeWorkspaceId).toBe('acme');
    expect(body.workspaces).toEqual([
      { id: 'acme', name: 'Acme', role: 'owner' },
      { id: 'ws1', name: 'Test', role: 'owner' },
    ]);
    expect(body.secretKey).toMatch(/^sk_/);
    expect(body.publishableKey).toMatch(/^pk_/);
    const setCookie = res.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/waymark\.session_token=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const session = await h.app.request('/v1/console/session', { headers: { cookie: cookieOf(res) } });
    expect(session.status).toBe(200);
    expect((await session.json()).activeWorkspaceId).toBe('acme');
    // The secret key works on the new workspace.
    const ws = await h.app.request('/v1/admin/workspace', {
      headers: { authorization: `Bearer ${body.secretKey}` },
    });
    expect((await ws.json()).id).toBe('acme');

    expect(await (await h.app.request('/v1/setup')).json()).toEqual({ needsOwner: false });
    const again = await json('POST', '/v1/setup', { ...owner, email: 'eve@evil.com' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('sign-in', () => {
  it('signs in, reads the session and admin data by cookie, and signs out', async () => {
    await json('POST', '/v1/setup', owner);
    const signIn = await json('POST', '/api/auth/sign-in/email', {
      email: owner.email,
      password: owner.password,
    });
    expect(signIn.status, await signIn.clone().text()).toBe(200);
    const cookie = cookieOf(signIn);
    const me = await h.app.request('/v1/console/session', { headers: { cookie } });
    expect(me.status).toBe(200);
    const admin = await h.app.request('/v1/admin/workspace', { headers: { cookie } });
    expect(admin.status, await admin.clone().text()).toBe(200);
    expect((await admin.json()).id).toBe('acme');
    const out = await json('POST', '/api/auth/sign-out', undefined, { cookie });
    expect(out.status, await out.clone().text()).toBe(200);
    expect((await h.app.request('/v1/console/session', { headers: { cookie } })).status).toBe(401);
    expect((await h.app.request('/v1/admin/workspace', { headers: { cookie } })).status).toBe(401);
  });
});

/** A team member of `workspaces` with `role`, signed in: their session cookie. */
async function member(role: TeamRole, workspaces: string[] = ['ws1'], email = `${role}@acme.com`) {
  const password = `${role} password 123`;
  await createMember(
    { db: h.db, auth: h.app.auth, now: h.clock.now },
    { name: role, email, password },
    workspaces,
    role,
  );
  const res = await json('POST', '/api/auth/sign-in/email', { email, password });
  expect(res.status, await res.clone().text()).toBe(200);
  return cookieOf(res);
}

/** Every admin operation of the OpenAPI document, with `{...}` parameters filled in. */
async function adminOperations() {
  const doc = (await (await h.app.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/admin/'))
    .flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({
        method: method.toUpperCase(),
        template: path,
        path: path.replace(/\{[^}]+\}/g, 'x1'),
      })),
    );
}

describe('roles', () => {
  it('refuses a viewer every change of the admin API, naming the role needed, and allows reads', async () => {
    const cookie = await member('viewer');
    const operations = await adminOperations();
    const changes = operations.filter((op) => !['GET', 'HEAD'].includes(op.method));
    expect(changes.length).toBeGreaterThan(30);
    for (const op of changes) {
      const res = await json(op.method, op.path, {}, { cookie });
      expect(res.status, `${op.method} ${op.template}`).toBe(403);
      const problem = await res.json();
      expect(problem.code, `${op.method} ${op.template}`).toBe('forbidden');
      expect(problem.title).toMatch(/^Needs the (editor|admin) role$/);
    }
    const read = await h.app.request('/v1/admin/workspace', { headers: { cookie } });
    expect(read.status).toBe(200);
    // The secret key is not subject to roles.
    expect(
      (
        await h.adminJson('/webhooks', 'POST', {
          url: 'https://hooks.example.com/x',
          eventTypes: ['alert.created'],
        })
      ).status,
    ).toBe(201);
  });

  it('lets an editor change content and the theme, and refuses keys, members, webhooks and settings', async () => {
    const cookie = await member('editor');
    const milestone = await json(
      'POST',
      '/v1/admin/milestones',
      { key: 'first_report', name: 'First report', rule: { event: 'Report Created' } },
      { cookie },
    );
    expect(milestone.status, await milestone.clone().text()).toBe(201);
    const theme = await json('PATCH', '/v1/admin/workspace', { theme: { mode: 'dark' } }, { cookie });
    expect(theme.status, await theme.clone().text()).toBe(200);
    const name = await json(
      'PATCH',
      '/v1/admin/workspace',
      { name: 'Renamed', theme: { mode: 'dark' } },
      { cookie },
    );
    expect(name.status).toBe(403);
    expect((await name.json()).title).toBe('Needs the admin role');
    for (const [method, path] of [
      ['POST', '/v1/admin/keys'],
      ['POST', '/v1/admin/webhooks'],
      ['POST', '/v1/admin/workspace/identity-secrets'],
      ['PUT', '/v1/admin/health/model'],
    ] as const) {
      expect((await json(method, path, {}, { cookie })).status, `${method} ${path}`).toBe(403);
    }
    const invite = await json(
      'POST',
      '/v1/console/workspaces/ws1/invitations',
      { email: 'new@acme.com', role: 'viewer' },
      { cookie },
    );
    expect(invite.status).toBe(403);
  });

  it('lets an admin rotate keys', async () => {
    const cookie = await member('admin');
    const res = await json('POST', '/v1/admin/keys', { kind: 'publishable', overlapHours: 0 }, { cookie });
    expect(res.status, await res.clone().text()).toBe(201);
  });
});

describe('CSRF', () => {
  it('refuses a change signed in by cookie from a foreign origin or without an Origin', async () => {
    const cookie = await member('owner');
    const body = JSON.stringify({ theme: { mode: 'dark' } });
    const foreign = await h.app.request('/v1/admin/workspace', {
      method: 'PATCH',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body,
    });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).code).toBe('cross_site_request');
    const none = await h.app.request('/v1/admin/workspace', {
      method: 'PATCH',
      headers: { cookie, 'content-type': 'application/json' },
      body,
    });
    expect(none.status).toBe(403);
    expect((await none.json()).code).toBe('cross_site_request');
    const switchFromElsewhere = await h.app.request('/v1/console/session/workspace', {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ workspaceId: 'ws1' }),
    });
    expect(switchFromElsewhere.status).toBe(403);
    // better-auth's own endpoints: sign-out from another site is refused too.
    const signOut = await h.app.request('/api/auth/sign-out', {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(signOut.status).toBe(403);
    expect((await h.app.request('/v1/console/session', { headers: { cookie } })).status).toBe(200);
    // Reads need no Origin; the same change from the server's own page passes; the secret key needs none.
    expect((await h.app.request('/v1/admin/workspace', { headers: { cookie } })).status).toBe(200);
    const own = await h.app.request('/v1/admin/workspace', {
      method: 'PATCH',
      headers: { cookie, origin, 'content-type': 'application/json' },
      body,
    });
    expect(own.status).toBe(200);
    expect((await h.admin('/workspace', { method: 'PATCH', body })).status).toBe(200);
  });
});

describe('workspaces', () => {
  it('shows a member only their active workspace, and switches only to their own', async () => {
    await createWorkspace(h.db, { id: 'ws2', name: 'Other' }, h.clock.now);
    await createWorkspace(h.db, { id: 'ws3', name: 'Stranger' }, h.clock.now);
    await h.post({
      batch: [
        {
          type: 'track',
          event: 'Report Created',
          userId: 'u-ws1',
          messageId: 'm1',
          timestamp: '2026-11-23T11:00:00Z',
        },
      ],
    });
    const cookie = await member('viewer', ['ws1', 'ws2']);
    const session = await (await h.app.request('/v1/console/session', { headers: { cookie } })).json();
    expect(session.workspaces).toEqual([
      { id: 'ws1', name: 'Test', role: 'viewer' },
      { id: 'ws2', name: 'Other', role: 'viewer' },
    ]);
    expect(session.activeWorkspaceId).toBe('ws1');
    const events = async () =>
      (await (await h.app.request('/v1/admin/events', { headers: { cookie } })).json()).events;
    expect((await events()).map((e: { userId: string }) => e.userId)).toEqual(['u-ws1']);

    const switched = await json('POST', '/v1/console/session/workspace', { workspaceId: 'ws2' }, { cookie });
    expect(switched.status).toBe(200);
    expect((await switched.json()).activeWorkspaceId).toBe('ws2');
    expect(await events()).toEqual([]);
    expect((await (await h.app.request('/v1/admin/workspace', { headers: { cookie } })).json()).id).toBe(
      'ws2',
    );
    expect((await h.app.request('/v1/admin/users/u-ws1', { headers: { cookie } })).status).toBe(404);

    const refused = await json('POST', '/v1/console/session/workspace', { workspaceId: 'ws3' }, { cookie });
    expect(refused.status).toBe(403);
    expect((await refused.json()).code).toBe('forbidden');
    expect(
      (await (await h.app.request('/v1/console/session', { headers: { cookie } })).json()).activeWorkspaceId,
    ).toBe('ws2');
  });
});

describe('failed sign-ins', () => {
  const wrong = (email = owner.email) =>
    json('POST', '/api/auth/sign-in/email', { email, password: 'wrong password' });
  const right = () =>
    json('POST', '/api/auth/sign-in/email', { email: owner.email, password: owner.password });

  it('slow down after 3 failures for an email, then lock it out after 10, right password included', async () => {
    await json('POST', '/v1/setup', owner);
    for (let i = 0; i < 3; i++) expect((await wrong()).status).toBe(401);
    // The 4th must wait 1 s after the 3rd, whatever the password.
    const slowed = await right();
    expect(slowed.status).toBe(429);
    expect(slowed.headers.get('retry-after')).toBe('1');
    expect((await slowed.json()).code).toBe('rate_limited');
    // Each further failure doubles the wait: 1, 2, 4... seconds after the last one.
    for (let failures = 3; failures < 10; failures++) {
      h.clock.now += 1000 * 2 ** (failures - 3);
      expect((await wrong()).status, `failure ${failures + 1}`).toBe(401);
    }
    h.clock.now += 10 * 60_000;
    const locked = await right();
    expect(locked.status).toBe(429);
    expect((await locked.json()).detail).toMatch(
      /10 failed sign-ins for this email: locked out for 15 minutes/,
    );
    expect(locked.headers.get('retry-after')).toBe(String(5 * 60));
    // 15 minutes after the last failure the count is forgotten; a success clears it.
    h.clock.now += 5 * 60_000;
    expect((await right()).status).toBe(200);
    expect((await wrong()).status).toBe(401);
    const last = await right();
    expect(last.status, await last.clone().text()).toBe(200);
  });

  it('counts failures per client address across emails, and in the database for every instance', async () => {
    await json('POST', '/v1/setup', owner);
    for (let i = 0; i < 10; i++) expect((await wrong(`guess${i}@acme.com`)).status).toBe(401);
    // Another app on the same database (another instance) refuses the same address.
    const other = createApp({ db: h.db, clock: () => h.clock.now, logger: createLogger('silent') });
    const res = await other.request('/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    expect(res.status).toBe(429);
    expect((await res.json()).detail).toMatch(/from this address/);
    await other.close();
  });
});

describe('sessions', () => {
  it('set a 7-day cookie, and end when the session expires', async () => {
    const res = await json('POST', '/v1/setup', owner);
    expect(res.headers.getSetCookie().join('\n')).toMatch(/Max-Age=604800/);
    const cookie = cookieOf(res);
    expect((await h.app.request('/v1/admin/workspace', { headers: { cookie } })).status).toBe(200);
    // better-auth reads the machine's clock, not the app's: the session is made to end now.
    await h.db.read.$client.execute({
      sql: 'UPDATE team_sessions SET expires_at = ?',
      args: [Date.now() - 1000],
    });
    const expired = await h.app.request('/v1/admin/workspace', { headers: { cookie } });
    expect(expired.status).toBe(401);
    expect((await expired.json()).code).toBe('not_signed_in');
    expect((await h.app.request('/v1/console/session', { headers: { cookie } })).status).toBe(401);
  });
});

describe('invitations and password reset', () => {
  let sent: TeamMail[];
  beforeEach(async () => {
    await h.close();
    sent = [];
    h = await createHarness(undefined, {
      mail: async (mail) => {
        sent.push(mail);
      },
    });
  });

  it('lets only invited people sign up, and makes them members with the role invited', async () => {
    const ownerCookie = cookieOf(await json('POST', '/v1/setup', owner));
    const newcomer = { name: 'Bo', email: 'bo@acme.com', password: 'bo password 123' };
    const uninvited = await json('POST', '/api/auth/sign-up/email', newcomer);
    expect(uninvited.status).toBe(403);
    expect((await uninvited.json()).title).toBe('Sign-up needs an invitation');

    const invite = await json(
      'POST',
      '/v1/console/workspaces/acme/invitations',
      { email: newcomer.email, role: 'editor' },
      { cookie: ownerCookie },
    );
    expect(invite.status, await invite.clone().text()).toBe(201);
    const invitation = await invite.json();
    expect(invitation).toMatchObject({ email: newcomer.email, role: 'editor', status: 'pending' });
    const invitationId = invitation.id;
    expect(invitation.path).toBe(`/app/invitations/${invitationId}`);
    expect(sent.map((m) => m.to)).toEqual([newcomer.email]);
    expect(sent[0]?.link).toBe(`http://localhost/app/invitations/${invitationId}`);
    const listed = await h.app.request('/v1/console/workspaces/acme/invitations', {
      headers: { cookie: ownerCookie },
    });
    expect((await listed.json()).invitations.map((i: { id: string }) => i.id)).toEqual([invitationId]);

    const signUp = await json('POST', '/api/auth/sign-up/email', newcomer);
    expect(signUp.status, await signUp.clone().text()).toBe(200);
    const cookie = cookieOf(signUp);
    const shown = await h.app.request(`/v1/console/invitations/${invitationId}`, { headers: { cookie } });
    expect(shown.status, await shown.clone().text()).toBe(200);
    expect(await shown.json()).toMatchObject({
      workspaceId: 'acme',
      workspaceName: 'Acme',
      role: 'editor',
      inviterEmail: owner.email,
    });
    // Someone else signed in does not see it.
    expect(
      (await h.app.request(`/v1/console/invitations/${invitationId}`, { headers: { cookie: ownerCookie } }))
        .status,
    ).toBe(403);
    const accept = await json('POST', `/v1/console/invitations/${invitationId}/accept`, undefined, {
      cookie,
    });
    expect(accept.status, await accept.clone().text()).toBe(200);
    expect((await accept.json()).activeWorkspaceId).toBe('acme');
    const session = await (await h.app.request('/v1/console/session', { headers: { cookie } })).json();
    expect(session.workspaces).toEqual([{ id: 'acme', name: 'Acme', role: 'editor' }]);
    expect(session.activeWorkspaceId).toBe('acme');
    // Used once: accepting again, or inviting a member, is refused.
    const twice = await json('POST', `/v1/console/invitations/${invitationId}/accept`, undefined, { cookie });
    expect(twice.status).toBeGreaterThanOrEqual(400);
    const again = await json(
      'POST',
      '/v1/console/workspaces/acme/invitations',
      { email: newcomer.email, role: 'viewer' },
      { cookie: ownerCookie },
    );
    expect(again.status).toBe(409);
  });

  it('lets owners and admins invite and cancel, only owners invite an owner, and nobody outside the workspace', async () => {
    const ownerCookie = cookieOf(await json('POST', '/v1/setup', owner));
    const invite = (cookie: string, email: string, role: TeamRole, workspace = 'ws1') =>
      json('POST', `/v1/console/workspaces/${workspace}/invitations`, { email, role }, { cookie });
    const admin = await member('admin');
    const editor = await member('editor');
    expect((await invite(admin, 'cy@acme.com', 'editor')).status).toBe(201);
    const refusedOwner = await invite(admin, 'di@acme.com', 'owner');
    expect(refusedOwner.status).toBe(403);
    expect((await refusedOwner.json()).detail).toBe('Only an owner invites an owner.');
    expect((await invite(ownerCookie, 'di@acme.com', 'owner')).status).toBe(201);
    const byEditor = await invite(editor, 'ed@acme.com', 'viewer');
    expect(byEditor.status).toBe(403);
    expect((await byEditor.json()).detail).toBe('An editor cannot manage the team of ws1.');
    const editorList = await h.app.request('/v1/console/workspaces/ws1/invitations', {
      headers: { cookie: editor },
    });
    expect(editorList.status).toBe(403);
    // A workspace the admin is not in does not exist for them.
    expect((await invite(admin, 'fi@acme.com', 'viewer', 'acme')).status).toBe(404);
    // A bad field is named.
    const bad = await invite(admin, 'not an email', 'viewer');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].pointer).toBe('/email');
    // Cancelling: the link stops working; an invitation of another workspace is not found.
    const listed = await (
      await h.app.request('/v1/console/workspaces/ws1/invitations', { headers: { cookie: admin } })
    ).json();
    const cy = listed.invitations.find((i: { email: string }) => i.email === 'cy@acme.com');
    const elsewhere = await json('DELETE', `/v1/console/workspaces/acme/invitations/${cy.id}`, undefined, {
      cookie: ownerCookie,
    });
    expect(elsewhere.status).toBe(404);
    const cancel = await json('DELETE', `/v1/console/workspaces/ws1/invitations/${cy.id}`, undefined, {
      cookie: admin,
    });
    expect(cancel.status, await cancel.clone().text()).toBe(204);
    const after = await (
      await h.app.request('/v1/console/workspaces/ws1/invitations', { headers: { cookie: admin } })
    ).json();
    expect(after.invitations.find((i: { id: string }) => i.id === cy.id).status).toBe('canceled');
    const signUp = await json('POST', '/api/auth/sign-up/email', {
      name: 'Cy',
      email: 'cy@acme.com',
      password: 'cy password 123',
    });
    expect(signUp.status).toBe(403);
    // better-auth's own invitation endpoints are closed: the typed routes are the one way.
    for (const path of ['invite-member', 'accept-invitation', 'cancel-invitation', 'reject-invitation']) {
      const direct = await json('POST', `/api/auth/organization/${path}`, {}, { cookie: ownerCookie });
      expect(direct.status, path).toBe(403);
    }
    const directList = await h.app.request('/api/auth/organization/list-invitations?organizationId=ws1', {
      headers: { cookie: ownerCookie },
    });
    expect(directList.status).toBe(403);
  });

  it('sends a reset link; the new password works and the old sessions end', async () => {
    const oldCookie = cookieOf(await json('POST', '/v1/setup', owner));
    const ask = await json('POST', '/api/auth/request-password-reset', {
      email: owner.email,
      redirectTo: '/app/reset-password',
    });
    expect(ask.status, await ask.clone().text()).toBe(200);
    // An unknown email gets the same answer, and no mail.
    expect(
      (
        await json('POST', '/api/auth/request-password-reset', {
          email: 'nobody@acme.com',
          redirectTo: '/app/reset-password',
        })
      ).status,
    ).toBe(200);
    expect(sent.map((m) => m.to)).toEqual([owner.email]);
    const token = /\/api\/auth\/reset-password\/([^?]+)/.exec(sent[0]?.link ?? '')?.[1];
    expect(token).toBeTruthy();
    const reset = await json('POST', '/api/auth/reset-password', {
      newPassword: 'a brand new password',
      token,
    });
    expect(reset.status, await reset.clone().text()).toBe(200);
    expect((await h.app.request('/v1/console/session', { headers: { cookie: oldCookie } })).status).toBe(401);
    const signIn = await json('POST', '/api/auth/sign-in/email', {
      email: owner.email,
      password: 'a brand new password',
    });
    expect(signIn.status).toBe(200);
    expect(
      (await json('POST', '/api/auth/sign-in/email', { email: owner.email, password: owner.password }))
        .status,
    ).toBe(401);
  });
});
