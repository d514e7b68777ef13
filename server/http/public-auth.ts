import type { Context } from 'hono';
import { errorCodes } from '../../shared/problem.ts';
import type { AppDeps } from '../app.ts';
import type { Tenant } from '../workspaces/store.ts';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './context.ts';
import { keyFromRequest } from './keys.ts';
import { originAllowed } from './origins.ts';

/**
 * The workspace a public (browser-facing) request acts for: its key from wherever a Segment-style
 * client puts it, and its Origin checked against the workspace's allowed origins. Sets the CORS
 * response headers for any browser origin: an allowed one reads the answer, a refused one only the
 * 403 problem saying so (without them the browser would hide it, and a page retry forever).
 */
export async function publicTenant(deps: AppDeps, c: Context<AppEnv>, body: unknown): Promise<Tenant> {
  const key = keyFromRequest(c.req.header('authorization'), body);
  if (!key) {
    throw new ApiError(
      401,
      errorCodes.missingKey,
      'Missing key',
      'Send the publishable key as HTTP Basic user name, as a Bearer token, or as "writeKey" in the body.',
    );
  }
  const tenant = await deps.workspaces.byKey(key);
  if (!tenant) throw new ApiError(401, errorCodes.invalidKey, 'Invalid key', 'No workspace has this key.');
  const origin = c.req.header('origin');
  const allowed = originAllowed(origin, tenant.workspace.allowedOrigins, deps.ownOrigins(c.req.url));
  if (origin) {
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    // The error handler adds both to error answers: a refused page may read why (the widget logs it
    // and stops retrying), and the answer holds nothing else (no credentials, no data).
    c.set('corsOrigin', origin);
  }
  if (!allowed) {
    throw new ApiError(
      403,
      errorCodes.originNotAllowed,
      'Origin not allowed',
      `origin ${origin} is not in this workspace's allowed origins`,
    );
  }
  return tenant;
}
