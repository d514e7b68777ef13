import { createRoute } from '@hono/zod-openapi';
import { isAPIError } from 'better-auth/api';
import type { Context } from 'hono';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import {
  type ConsoleSession,
  consoleSession,
  invitationInput,
  invitationStatus,
  memberRoleChange,
  type ReceivedInvitation,
  receivedInvitation,
  setupInput,
  setupResult,
  setupStatus,
  type TeamInvitation,
  type TeamRole,
  teamInvitation,
  teamInvitationList,
  teamMember,
  teamMemberList,
  workspaceSwitch,
} from '../../shared/schemas/team.ts';
import type { AppDeps } from '../app.ts';
import { clientAddressHeader, invitationPath } from '../auth/auth.ts';
import { createMember, EmailTaken } from '../auth/owners.ts';
import { safeMethods } from '../auth/roles.ts';
import {
  atLeast,
  changeMembership,
  hasPendingInvitation,
  invitationIn,
  needsOwner,
  roleIn,
  setActiveWorkspace,
  storedRole,
  teamOf,
  workspacesOf,
  workspacesWithoutMembers,
} from '../auth/team.ts';
import { ApiError } from '../http/api-error.ts';
import { clientAddress } from '../http/client-address.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { answers, body, bodyReadByHandler, noContent, routes } from '../http/routes.ts';
import { createWorkspace, freeWorkspaceId, workspaceIdFromName } from '../workspaces/store.ts';

/** The console's session cookie, for the OpenAPI document. */
export const sessionSecurity: Record<string, string[]>[] = [{ sessionCookie: [] }];

const getSession = createRoute({
  method: 'get',
  path: '/v1/console/session',
  summary: 'The signed-in team member, their workspaces and roles, and the active workspace',
  security: sessionSecurity,
  responses: answers(consoleSession),
});

const switchWorkspace = createRoute({
  method: 'post',
  path: '/v1/console/session/workspace',
  summary: 'Switch the session to another of the member’s workspaces (403 if not a member)',
  security: sessionSecurity,
  request: { body: body(workspaceSwitch, { workspaceId: 'acme' }) },
  responses: answers(consoleSession),
});

const workspaceParams = z.object({ workspaceId: z.string() });
const memberParams = z.object({ workspaceId: z.string(), memberId: z.string() });

const listMembers = createRoute({
  method: 'get',
  path: '/v1/console/workspaces/{workspaceId}/members',
  summary: 'The members of one of your workspaces and their roles (404 if you are not a member)',
  security: sessionSecurity,
  request: { params: workspaceParams },
  responses: answers(teamMemberList),
});

const changeMemberRole = createRoute({
  method: 'patch',
  path: '/v1/console/workspaces/{workspaceId}/members/{memberId}',
  summary: 'Change a member’s role (owners and admins; only an owner grants or takes away owner)',
  description:
    'The last owner of a workspace cannot be demoted (409 `last_owner`): make another member owner first. A workspace you are not a member of, or a member not in it, is not found (404).',
  security: sessionSecurity,
  request: { params: memberParams, body: body(memberRoleChange, { role: 'editor' }) },
  responses: answers(teamMember),
});

const removeMember = createRoute({
  method: 'delete',
  path: '/v1/console/workspaces/{workspaceId}/members/{memberId}',
  summary: 'Remove a member from a workspace (owners and admins; only an owner removes an owner)',
  description:
    'The last owner of a workspace cannot be removed (409 `last_owner`). Their account stays, with their other workspaces.',
  security: sessionSecurity,
  request: { params: memberParams },
  responses: noContent('Removed'),
});

const invitationParams = z.object({ workspaceId: z.string(), invitationId: z.string() });
const receivedParams = z.object({ invitationId: z.string() });

const listInvitations = createRoute({
  method: 'get',
  path: '/v1/console/workspaces/{workspaceId}/invitations',
  summary: 'The invitations of one of your workspaces, newest first (owners and admins)',
  security: sessionSecurity,
  request: { params: workspaceParams },
  responses: answers(teamInvitationList),
});

const invite = createRoute({
  method: 'post',
  path: '/v1/console/workspaces/{workspaceId}/invitations',
  summary:
    'Invite someone by email with a role: the link is emailed (or printed in the server log) and answered',
  description:
    'Owners and admins invite; only an owner invites an owner. Inviting the same email again replaces the pending invitation. Someone already a member is a 409.',
  security: sessionSecurity,
  request: {
    params: workspaceParams,
    body: body(invitationInput, { email: 'nora@acme.com', role: 'editor' }),
  },
  responses: answers(teamInvitation, 'Invited', 201),
});

const cancelInvitation = createRoute({
  method: 'delete',
  path: '/v1/console/workspaces/{workspaceId}/invitations/{invitationId}',
  summary: 'Cancel a pending invitation: its link stops working (owners and admins)',
  security: sessionSecurity,
  request: { params: invitationParams },
  responses: noContent('Cancelled'),
});

const getInvitation = createRoute({
  method: 'get',
  path: '/v1/console/invitations/{invitationId}',
  summary: 'An invitation sent to you: the workspace, the role and who invited you',
  description:
    'Signed in with the email it was sent to. One for another email, expired or no longer pending is not found (404).',
  security: sessionSecurity,
  request: { params: receivedParams },
  responses: answers(receivedInvitation),
});

const acceptInvitation = createRoute({
  method: 'post',
  path: '/v1/console/invitations/{invitationId}/accept',
  summary: 'Join the workspace of an invitation sent to you; the session switches to it',
  security: sessionSecurity,
  request: { params: receivedParams },
  responses: answers(consoleSession),
});

const getSetup = createRoute({
  method: 'get',
  path: '/v1/setup',
  summary: 'Whether this install still needs its first owner',
  responses: answers(setupStatus),
});

const postSetup = createRoute({
  method: 'post',
  path: '/v1/setup',
  summary: 'First run: the first owner and their workspace (with keys), signed in; 409 once there is one',
  request: {
    body: body(setupInput, {
      name: 'Ana Lima',
      email: 'ana@acme.com',
      password: 'correct horse battery',
      workspaceName: 'Acme',
    }),
  },
  responses: answers(setupResult, 'Created', 201),
});

/** A signed-in team member, as a request's session cookie proves. */
export interface SignedIn {
  sessionId: string;
  user: { id: string; email: string; name: string };
  activeWorkspaceId: string | null;
  /** `Set-Cookie` headers better-auth sent back (a session extended by use): the answer must carry them. */
  setCookies: string[];
}

/**
 * The team member a request's session cookie belongs to, or null (no cookie, unknown, expired).
 *
 * @example
 * const member = await signedIn(deps, c.req.raw.headers)
 */
export async function signedIn(deps: AppDeps, headers: Headers): Promise<SignedIn | null> {
  if (!headers.has('cookie')) return null;
  const { headers: answered, response } = await deps.auth.api.getSession({ headers, returnHeaders: true });
  if (!response) return null;
  return {
    sessionId: response.session.id,
    user: { id: response.user.id, email: response.user.email, name: response.user.name },
    activeWorkspaceId: response.session.activeOrganizationId ?? null,
    setCookies: answered.getSetCookie(),
  };
}

/**
 * A state-changing request authenticated by cookie must come from one of the server's own pages:
 * its `Origin` header must be one of them (README, "Team sign-in": CSRF). Requests with the secret
 * key are not subject to it: no browser sends that key on its own.
 */
export function requireOwnOrigin(deps: AppDeps, c: Context<AppEnv>): void {
  if (safeMethods.includes(c.req.method)) return;
  const origin = c.req.header('origin');
  if (origin && deps.ownOrigins(c.req.url).includes(origin)) return;
  throw new ApiError(
    403,
    errorCodes.crossSiteRequest,
    'Cross-site request refused',
    origin
      ? `A change signed in by cookie must come from this server's own pages, not ${origin}.`
      : 'A change signed in by cookie must carry the Origin header of this server’s own pages.',
  );
}

/** Passes better-auth's `Set-Cookie` headers on to an answer. */
export function forwardCookies(c: Context, setCookies: readonly string[]): void {
  for (const cookie of setCookies) c.header('Set-Cookie', cookie, { append: true });
}

/**
 * Team sign-in over HTTP: better-auth at `/api/auth/*` (sign-up, sign-in, sign-out, password reset,
 * invitations), guarded by the sign-in lock-out; and the console's own routes: its session and
 * workspace switch (`/v1/console/...`), and the first run (`/v1/setup`).
 */
export function teamRoutes(deps: AppDeps) {
  const app = routes();
  const { db } = deps;

  app.on(['GET', 'POST'], '/api/auth/*', async (c) => {
    const path = c.req.path.slice('/api/auth'.length);
    const address = clientAddress(c, deps.trustProxy);
    // better-auth limits requests per address by a header: ours, never the client's own.
    const headers = new Headers(c.req.raw.headers);
    headers.set(clientAddressHeader, address);
    const request = new Request(c.req.raw, { headers });
    if (c.req.method === 'POST' && /^\/organization\/(create|update|delete)$/.test(path)) {
      throw new ApiError(
        403,
        errorCodes.forbidden,
        'Not here',
        'Workspaces are created with their keys (`/v1/setup`, `waymark workspace create`) and renamed with PATCH /v1/admin/workspace.',
      );
    }
    // Roles change and members leave under Waymark's team rules (a workspace keeps an owner, checked
    // in the same write): through the console's routes only.
    if (c.req.method === 'POST' && /^\/organization\/(update-member-role|remove-member|leave)$/.test(path)) {
      throw new ApiError(
        403,
        errorCodes.forbidden,
        'Not here',
        'Change a member’s role with PATCH, and remove a member with DELETE, /v1/console/workspaces/{workspaceId}/members/{memberId}.',
      );
    }
    // Invitations go through the console's typed routes (one documented path, checked roles).
    if (/^\/organization\/[a-z-]*invit/.test(path)) {
      throw new ApiError(
        403,
        errorCodes.forbidden,
        'Not here',
        'Invite with POST /v1/console/workspaces/{workspaceId}/invitations, and accept with POST /v1/console/invitations/{invitationId}/accept.',
      );
    }
    if (c.req.method === 'POST' && path === '/sign-up/email') {
      await requireInvitation(await emailOf(request));
    }
    if (c.req.method === 'POST' && path === '/sign-in/email') {
      const email = await emailOf(request);
      if (email === null) return deps.auth.handler(request);
      await deps.signInGuard.check(email, address);
      const response = await deps.auth.handler(request);
      if (response.status === 401) await deps.signInGuard.failed(email, address);
      else if (response.ok) await deps.signInGuard.succeeded(email);
      return response;
    }
    return deps.auth.handler(request);
  });

  /**
   * Sign-up is for people invited by link: the first owner is made by `/v1/setup` (or the CLI), and
   * a stranger gets no account on someone's install.
   */
  async function requireInvitation(email: string | null): Promise<void> {
    if (email === null) return;
    const invited = await hasPendingInvitation(db, email, deps.clock());
    if (invited) return;
    throw new ApiError(
      403,
      errorCodes.forbidden,
      'Sign-up needs an invitation',
      (await needsOwner(db))
        ? 'This install has no owner yet: create the first one with POST /v1/setup.'
        : 'Ask an owner or admin of a workspace to invite this email.',
    );
  }

  async function present(member: SignedIn, activeWorkspaceId: string | null): Promise<ConsoleSession> {
    const memberships = await workspacesOf(db, member.user.id);
    return {
      user: member.user,
      workspaces: memberships,
      activeWorkspaceId: memberships.some((m) => m.id === activeWorkspaceId) ? activeWorkspaceId : null,
    };
  }

  async function requireSignedIn(c: Context<AppEnv>): Promise<SignedIn> {
    const member = await signedIn(deps, c.req.raw.headers);
    if (!member) {
      throw new ApiError(
        401,
        errorCodes.notSignedIn,
        'Not signed in',
        'Sign in at POST /api/auth/sign-in/email.',
      );
    }
    requireOwnOrigin(deps, c);
    forwardCookies(c, member.setCookies);
    return member;
  }

  return app
    .openapi(getSession, async (c) => {
      const member = await requireSignedIn(c);
      c.header('Cache-Control', 'no-store');
      return c.json(await present(member, member.activeWorkspaceId), 200);
    })
    .openapi(bodyReadByHandler(app, switchWorkspace), async (c) => {
      const member = await requireSignedIn(c);
      const { workspaceId } = parse(workspaceSwitch, await jsonBody(c.req.raw));
      if (!(await roleIn(db, member.user.id, workspaceId))) {
        throw new ApiError(
          403,
          errorCodes.forbidden,
          'Not a member',
          `You are not a member of ${workspaceId}.`,
        );
      }
      await setActiveWorkspace(db, { sessionId: member.sessionId }, workspaceId);
      c.header('Cache-Control', 'no-store');
      return c.json(await present(member, workspaceId), 200);
    })
    .openapi(listMembers, async (c) => {
      const member = await requireSignedIn(c);
      c.header('Cache-Control', 'no-store');
      return c.json({ members: await teamOf(db, member.user.id, c.req.valid('param').workspaceId) }, 200);
    })
    .openapi(bodyReadByHandler(app, changeMemberRole), async (c) => {
      const member = await requireSignedIn(c);
      const { role } = parse(memberRoleChange, await jsonBody(c.req.raw));
      const { workspaceId, memberId } = c.req.valid('param');
      const changed = await changeMembership(
        db,
        { actorUserId: member.user.id, workspaceId, memberId },
        { role },
      );
      if (!changed)
        throw new ApiError(404, errorCodes.notFound, 'Not found', `No member ${memberId} in ${workspaceId}.`);
      return c.json(changed, 200);
    })
    .openapi(removeMember, async (c) => {
      const member = await requireSignedIn(c);
      const { workspaceId, memberId } = c.req.valid('param');
      await changeMembership(db, { actorUserId: member.user.id, workspaceId, memberId }, { remove: true });
      return c.body(null, 204);
    })
    .openapi(listInvitations, async (c) => {
      const member = await requireSignedIn(c);
      const { workspaceId } = c.req.valid('param');
      await requireManager(member, workspaceId);
      const listed = await viaAuth(() =>
        deps.auth.api.listInvitations({ headers: c.req.raw.headers, query: { organizationId: workspaceId } }),
      );
      const invitations = listed
        .map(presentInvitation)
        .sort((a, b) => b.expiresAt.localeCompare(a.expiresAt) || a.id.localeCompare(b.id));
      c.header('Cache-Control', 'no-store');
      return c.json({ invitations }, 200);
    })
    .openapi(bodyReadByHandler(app, invite), async (c) => {
      const member = await requireSignedIn(c);
      const { workspaceId } = c.req.valid('param');
      const input = parse(invitationInput, await jsonBody(c.req.raw));
      const role = await requireManager(member, workspaceId);
      if (input.role === 'owner' && role !== 'owner') {
        throw new ApiError(403, errorCodes.forbidden, 'Owners only', 'Only an owner invites an owner.');
      }
      const created = await viaAuth(() =>
        deps.auth.api.createInvitation({
          headers: c.req.raw.headers,
          // Its address: the emailed link is on the address the inviter reached the server at (its
          // body was read here already).
          request: new Request(c.req.url, { headers: c.req.raw.headers }),
          // With a request, better-auth answers a Response unless told otherwise.
          asResponse: false,
          body: { email: input.email, role: input.role, organizationId: workspaceId },
        }),
      );
      return c.json(presentInvitation(created), 201);
    })
    .openapi(cancelInvitation, async (c) => {
      const member = await requireSignedIn(c);
      const { workspaceId, invitationId } = c.req.valid('param');
      await requireManager(member, workspaceId);
      const found = await invitationIn(db, workspaceId, invitationId);
      if (!found) {
        throw new ApiError(
          404,
          errorCodes.notFound,
          'Not found',
          `No invitation ${invitationId} in ${workspaceId}.`,
        );
      }
      await viaAuth(() =>
        deps.auth.api.cancelInvitation({ headers: c.req.raw.headers, body: { invitationId } }),
      );
      return c.body(null, 204);
    })
    .openapi(getInvitation, async (c) => {
      await requireSignedIn(c);
      const { invitationId } = c.req.valid('param');
      const found = await viaAuth(() =>
        deps.auth.api.getInvitation({ headers: c.req.raw.headers, query: { id: invitationId } }),
      );
      const role = storedRole(found.role);
      if (!role) throw new ApiError(404, errorCodes.notFound, 'Not found', `No invitation ${invitationId}.`);
      const received: ReceivedInvitation = {
        id: found.id,
        email: found.email,
        role,
        status: invitationStatusOf(found.status),
        expiresAt: new Date(found.expiresAt).toISOString(),
        workspaceId: found.organizationId,
        workspaceName: found.organizationName,
        inviterEmail: found.inviterEmail,
      };
      c.header('Cache-Control', 'no-store');
      return c.json(received, 200);
    })
    .openapi(acceptInvitation, async (c) => {
      const member = await requireSignedIn(c);
      const { invitationId } = c.req.valid('param');
      const accepted = await viaAuth(() =>
        deps.auth.api.acceptInvitation({ headers: c.req.raw.headers, body: { invitationId } }),
      );
      const workspaceId = accepted?.invitation.organizationId ?? null;
      if (workspaceId) {
        await setActiveWorkspace(db, { sessionId: member.sessionId }, workspaceId);
      }
      c.header('Cache-Control', 'no-store');
      return c.json(await present(member, workspaceId), 200);
    })
    .openapi(getSetup, async (c) => c.json({ needsOwner: await needsOwner(db) }, 200))
    .openapi(bodyReadByHandler(app, postSetup), async (c) => {
      const input = parse(setupInput, await jsonBody(c.req.raw));
      if (!(await needsOwner(db))) {
        throw new ApiError(
          409,
          errorCodes.conflict,
          'Already set up',
          'This install has an owner: sign in, or ask an owner for an invitation.',
        );
      }
      const now = deps.clock();
      // Workspaces made before team sign-in (or by the CLI) have nobody: the first owner gets them too.
      const unclaimed = await workspacesWithoutMembers(db);
      const created = await createWorkspace(
        db,
        {
          id: await freeWorkspaceId(db, workspaceIdFromName(input.workspaceName)),
          name: input.workspaceName,
        },
        now,
      );
      try {
        await createMember(
          { db, auth: deps.auth, now },
          input,
          [created.workspace.id, ...unclaimed],
          'owner',
        );
      } catch (error) {
        if (error instanceof EmailTaken)
          throw new ApiError(409, errorCodes.conflict, 'Email taken', error.message);
        throw error;
      }
      const { headers, response } = await deps.auth.api.signInEmail({
        body: { email: input.email, password: input.password },
        headers: c.req.raw.headers,
        returnHeaders: true,
      });
      await setActiveWorkspace(db, { token: response.token }, created.workspace.id);
      forwardCookies(c, headers.getSetCookie());
      // The only answer that ever holds this secret key: no cache may keep a copy.
      c.header('Cache-Control', 'no-store');
      const session = await present(
        {
          sessionId: '',
          user: { id: response.user.id, email: response.user.email, name: response.user.name },
          activeWorkspaceId: created.workspace.id,
          setCookies: [],
        },
        created.workspace.id,
      );
      return c.json(
        { ...session, publishableKey: created.publishableKey, secretKey: created.secretKey },
        201,
      );
    });

  /**
   * The member's role in a workspace, when it lets them manage its team (owner or admin): a
   * workspace they are not in is not found, a lesser role is refused.
   */
  async function requireManager(member: SignedIn, workspaceId: string): Promise<TeamRole> {
    const role = await roleIn(db, member.user.id, workspaceId);
    if (!role) throw new ApiError(404, errorCodes.notFound, 'Not found', `No workspace ${workspaceId}.`);
    if (!atLeast(role, 'admin')) {
      throw new ApiError(
        403,
        errorCodes.forbidden,
        'Owners and admins only',
        `${role === 'editor' ? 'An editor' : 'A viewer'} cannot manage the team of ${workspaceId}.`,
      );
    }
    return role;
  }
}

/** The `email` of a JSON body, lowercased, or null when there is none. */
async function emailOf(request: Request): Promise<string | null> {
  try {
    const parsed: unknown = await request.clone().json();
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'email' in parsed &&
      typeof parsed.email === 'string'
    ) {
      return parsed.email.trim().toLowerCase();
    }
  } catch {
    // better-auth answers a body it cannot read itself.
  }
  return null;
}

/** An invitation as better-auth stores it, for its workspace's owners and admins. */
function presentInvitation(invitation: {
  id: string;
  email: string;
  role: string;
  status: string;
  expiresAt: Date | string | number;
}): TeamInvitation {
  return {
    id: invitation.id,
    email: invitation.email,
    // Invitations are made with one of the team roles (invitationInput); viewer is the least a stray one gives.
    role: storedRole(invitation.role) ?? 'viewer',
    status: invitationStatusOf(invitation.status),
    expiresAt: new Date(invitation.expiresAt).toISOString(),
    path: invitationPath(invitation.id),
  };
}

function invitationStatusOf(status: string): TeamInvitation['status'] {
  const parsed = invitationStatus.safeParse(status);
  return parsed.success ? parsed.data : 'canceled';
}

/**
 * Runs one of better-auth's server calls; the refusals it throws become the API's problem+json with
 * better-auth's message (for example "User is already a member of this organization").
 */
async function viaAuth<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isAPIError(error)) throw error;
    const status = error.statusCode;
    const detail = error.body?.message ?? error.message;
    if (status === 401) throw new ApiError(401, errorCodes.notSignedIn, 'Not signed in', detail);
    if (status === 403) throw new ApiError(403, errorCodes.forbidden, 'Forbidden', detail);
    if (status === 404) throw new ApiError(404, errorCodes.notFound, 'Not found', detail);
    throw new ApiError(409, errorCodes.conflict, 'Refused', detail);
  }
}
