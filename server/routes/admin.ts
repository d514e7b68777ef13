import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import { accountDetail, eventPage, userDetail } from '../../shared/schemas/people.ts';
import { theme } from '../../shared/schemas/theme.ts';
import {
  allowedOrigin,
  identitySecretRotation,
  workspaceName,
  workspaceSettingsView,
} from '../../shared/schemas/workspace.ts';
import type { AppDeps } from '../app.ts';
import { needsBodyFields, roleNeeded } from '../auth/roles.ts';
import { atLeast, roleIn } from '../auth/team.ts';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/context.ts';
import { keyFromRequest } from '../http/keys.ts';
import { jsonBody } from '../http/parse.ts';
import { parsePatch } from '../http/partial-update.ts';
import { adminSecurity, answers, body, bodyReadByHandler, routes } from '../http/routes.ts';
import { kindRoutes } from '../kinds.ts';
import { accountDetailOf, eventLog, userDetailOf } from '../people/records.ts';
import { newIdentitySecret } from '../workspaces/keys.ts';
import {
  currentPublishableKey,
  identityTrafficRows,
  saveIdentitySecrets,
  type Tenant,
  updateWorkspaceSettings,
  workspaceRow,
} from '../workspaces/store.ts';
import { adoptionRoutes } from './adoption.ts';
import { healthRoutes } from './health.ts';
import { keyRoutes } from './keys.ts';
import { onboardingRoutes } from './onboarding.ts';
import { peopleRoutes } from './people.ts';
import { peoplePageRoutes } from './people-pages.ts';
import { forwardCookies, requireOwnOrigin, signedIn } from './team.ts';
import { idParams } from './versioned.ts';
import { webhookRoutes } from './webhooks.ts';

/**
 * A workspace's editable settings, complete. `PATCH /workspace` merges its body into the current
 * settings and checks the result with this (server/http/partial-update.ts).
 */
const workspaceSettings = z.strictObject({
  name: workspaceName,
  allowedOrigins: z.array(allowedOrigin).max(100),
  identityVerification: z.enum(['off', 'enforce']),
  /** The widget's look; a field never set takes its default. Strict, so a misspelt field is an error. */
  theme: z.strictObject(theme.shape),
  /** Hours between any two prompts (surveys, spotlights) shown to one user. */
  promptCooldownHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 365),
});

/** A PATCH body as documented: any of the settings, the theme's fields each optional too. */
export const workspacePatch = workspaceSettings.partial().extend({
  theme: z.strictObject(theme.shape).partial().optional(),
});

const eventQuery = z.object({
  userId: z.string().optional(),
  accountId: z.string().optional(),
  anonymousId: z.string().optional(),
  type: z.enum(['identify', 'track', 'page', 'screen', 'group']).optional(),
  name: z.string().optional(),
  /** Cursor: the `next` of the previous page (`<timestamp>.<seq>`): only events before it. */
  before: z
    .string()
    .regex(/^\d{1,15}\.\d{1,15}$/, 'must be the `next` cursor of a previous page')
    .transform((cursor) => cursor.split('.').map(Number) as [number, number])
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const getWorkspace = createRoute({
  method: 'get',
  path: '/workspace',
  summary: 'The workspace, its keys and identity-verification traffic',
  security: adminSecurity,
  responses: answers(workspaceSettingsView),
});

const patchWorkspace = createRoute({
  method: 'patch',
  path: '/workspace',
  summary: 'Change name, allowed origins, identity verification, theme, prompt cooldown',
  description:
    'Only the fields named change; nested objects (the theme) field by field. The merged settings are checked as a whole.',
  security: adminSecurity,
  request: { body: body(workspacePatch, { theme: { mode: 'dark' }, promptCooldownHours: 48 }) },
  responses: answers(workspaceSettingsView),
});

const rotateIdentitySecret = createRoute({
  method: 'post',
  path: '/workspace/identity-secrets',
  summary: 'A new identity secret (shown once); the previous one keeps verifying until the next rotation',
  security: adminSecurity,
  responses: answers(identitySecretRotation, 'Created', 201),
});

const listEvents = createRoute({
  method: 'get',
  path: '/events',
  summary: 'Stored events, newest first, with filters and a cursor',
  security: adminSecurity,
  request: { query: eventQuery },
  responses: answers(eventPage),
});

const getUser = createRoute({
  method: 'get',
  path: '/users/{id}',
  summary: 'A user, its traits, milestones and time to value',
  security: adminSecurity,
  request: { params: idParams },
  responses: answers(userDetail),
});

const getAccount = createRoute({
  method: 'get',
  path: '/accounts/{id}',
  summary: 'An account, its members, milestones and time to value',
  security: adminSecurity,
  request: { params: idParams },
  responses: answers(accountDetail),
});

/**
 * The admin API: everything a workspace's own server, its CS team's tools or the web app read and
 * change. Authenticated by the workspace's secret key (`Authorization: Bearer sk_...`, full power),
 * or by a team member's session cookie: the session's active workspace, within the member's role.
 */
export function adminRoutes(deps: AppDeps) {
  const app = routes();
  const { db } = deps;

  if (deps.rateLimits) app.use('*', deps.rateLimits.adminFailures);
  app.use('*', async (c, next) => {
    // A browser signed in to the console sends its session cookie and no Authorization header.
    if (c.req.header('authorization') === undefined && c.req.header('cookie') !== undefined) {
      c.set('tenant', await memberTenant(c));
      return next();
    }
    const key = keyFromRequest(c.req.header('authorization'), null);
    if (!key)
      throw new ApiError(
        401,
        errorCodes.missingKey,
        'Missing key',
        'Send the secret key as a Bearer token, or sign in to the console.',
      );
    const tenant = await deps.workspaces.byKey(key);
    if (tenant?.keyKind !== 'secret') {
      throw new ApiError(
        401,
        errorCodes.invalidKey,
        'Invalid key',
        'The admin API needs a workspace secret key (sk_...).',
      );
    }
    c.set('tenant', tenant);
    await next();
  });

  /**
   * The workspace a signed-in team member works on (their session's active one), once the request
   * passed the CSRF rule and the member's role allows it (auth/roles.ts, the one table of roles).
   */
  async function memberTenant(c: Context<AppEnv>): Promise<Tenant> {
    const member = await signedIn(deps, c.req.raw.headers);
    if (!member) {
      throw new ApiError(
        401,
        errorCodes.notSignedIn,
        'Not signed in',
        'The session ended or the cookie is unknown: sign in again, or send the secret key as a Bearer token.',
      );
    }
    requireOwnOrigin(deps, c);
    forwardCookies(c, member.setCookies);
    const workspaceId = member.activeWorkspaceId;
    const role = workspaceId === null ? null : await roleIn(db, member.user.id, workspaceId);
    if (workspaceId === null || role === null) {
      throw new ApiError(
        403,
        errorCodes.forbidden,
        'No workspace',
        'This session works on no workspace you are a member of: choose one with POST /v1/console/session/workspace.',
      );
    }
    const method = c.req.method;
    const path = c.req.path.replace(/^\/v1\/admin/, '');
    const fields = needsBodyFields(method, path) ? await bodyFields(c.req.raw) : null;
    const need = roleNeeded(method, path, fields);
    if (!atLeast(role, need.role)) {
      throw new ApiError(
        403,
        errorCodes.forbidden,
        `Needs the ${need.role} role`,
        `Changing ${need.what} needs the ${need.role} role or above; you are ${role} in ${workspaceId}.`,
      );
    }
    const tenant = await deps.workspaces.byWorkspace(workspaceId, `session:${member.sessionId}`);
    if (!tenant)
      throw new ApiError(404, errorCodes.notFound, 'Not found', 'This workspace no longer exists.');
    return tenant;
  }

  const api = app
    .route('/', onboardingRoutes(deps))
    .route('/', kindRoutes(deps))
    .route('/', keyRoutes(deps))
    .route('/', healthRoutes(deps))
    .route('/', adoptionRoutes(deps))
    .route('/', peopleRoutes(deps))
    .route('/', peoplePageRoutes(deps))
    .route('/', webhookRoutes(deps))
    .openapi(getWorkspace, async (c) => c.json(await presentWorkspace(c.get('tenant').workspace.id), 200))
    .openapi(bodyReadByHandler(app, patchWorkspace), async (c) => {
      // Merged into the stored row, not the tenant's cached copy (another instance may have changed it).
      const workspace = await workspaceRow(db, c.get('tenant').workspace.id);
      if (!workspace)
        throw new ApiError(404, errorCodes.notFound, 'Not found', 'This workspace no longer exists.');
      const current = {
        name: workspace.name,
        allowedOrigins: workspace.allowedOrigins,
        identityVerification: workspace.identityVerification,
        theme: workspace.theme,
        promptCooldownHours: workspace.promptCooldownHours,
      };
      const patch = parsePatch(workspaceSettings, current, await jsonBody(c.req.raw));
      if (Object.keys(patch).length > 0) {
        await updateWorkspaceSettings(db, workspace.id, patch);
        deps.workspaces.forget();
      }
      return c.json(await presentWorkspace(workspace.id), 200);
    })
    // Rotation: the new secret becomes current and the previous one stays valid until the next rotation,
    // so the customer's servers can switch over without a window of rejected users.
    .openapi(rotateIdentitySecret, async (c) => {
      const { workspace } = c.get('tenant');
      const secret = newIdentitySecret();
      const live = [secret, ...workspace.identitySecrets].slice(0, 2);
      await saveIdentitySecrets(db, workspace.id, live);
      deps.workspaces.forget();
      return c.json({ identitySecret: secret, liveSecrets: live.length }, 201);
    })
    .openapi(listEvents, async (c) => {
      const q = c.req.valid('query');
      const ws = c.get('tenant').workspace.id;
      // Newest first by event time (ties by arrival), so that every filter is one index read in order:
      // events_time, events_{user,account,name}_time. A report connection, off the main thread.
      return c.json(await eventLog(db, ws, q), 200);
    })
    .openapi(getUser, async (c) => {
      const ws = c.get('tenant').workspace.id;
      const user = await userDetailOf(db, ws, c.req.param('id'));
      if (!user)
        throw new ApiError(404, errorCodes.notFound, 'Not found', 'No user with this id in this workspace.');
      return c.json(user, 200);
    })
    .openapi(getAccount, async (c) => {
      const ws = c.get('tenant').workspace.id;
      const id = c.req.param('id');
      const account = await accountDetailOf(db, ws, id);
      if (!account)
        throw new ApiError(
          404,
          errorCodes.notFound,
          'Not found',
          'No account with this id in this workspace.',
        );
      return c.json(account, 200);
    });

  async function presentWorkspace(id: string) {
    const workspace = await workspaceRow(db, id);
    if (!workspace)
      throw new ApiError(404, errorCodes.notFound, 'Not found', 'This workspace no longer exists.');
    return {
      id: workspace.id,
      name: workspace.name,
      publishableKey: await currentPublishableKey(db, workspace.id, deps.clock()),
      allowedOrigins: workspace.allowedOrigins,
      theme: theme.parse(workspace.theme),
      promptCooldownHours: workspace.promptCooldownHours,
      identityVerification: {
        mode: workspace.identityVerification,
        liveSecrets: workspace.identitySecrets.length,
        ...(await identityTraffic(workspace.id).then(({ users, accounts }) => ({
          traffic: users,
          accountTraffic: accounts,
        }))),
      },
      createdAt: new Date(workspace.createdAt).toISOString(),
    };
  }

  /**
   * Signed, unsigned, badly signed and trusted messages, for users and for the accounts they name:
   * read the signed share before switching enforcement on. From the `identity_traffic` counters
   * kept at ingestion, never a scan of the events.
   */
  async function identityTraffic(workspaceId: string) {
    const rows = await identityTrafficRows(db, workspaceId);
    const of = (subject: 'user' | 'account') => {
      const count = (state: string) =>
        rows.find((r) => r.subject === subject && r.state === state)?.count ?? 0;
      const signed = count('signed');
      const browser = signed + count('unsigned') + count('invalid');
      return {
        signed,
        unsigned: count('unsigned'),
        invalid: count('invalid'),
        trusted: count('trusted'),
        signedShare: browser === 0 ? null : signed / browser,
      };
    };
    return { users: of('user'), accounts: of('account') };
  }

  return api;
}

/** The top-level fields of a JSON object body, or null when the body is not one (read from a copy). */
async function bodyFields(request: Request): Promise<string[] | null> {
  try {
    const parsed: unknown = await request.clone().json();
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? Object.keys(parsed)
      : null;
  } catch {
    return null;
  }
}
