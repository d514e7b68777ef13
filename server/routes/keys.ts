import { Hono } from 'hono';
import { keyRotation } from '../../shared/schemas/api-key.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { listKeys, revokeKey, rotateKey } from '../workspaces/api-keys.ts';
import { workspaceOf as ws } from './versioned.ts';

/**
 * Admin API for the workspace's own API keys (mounted under /v1/admin, behind its secret-key check):
 * list them, rotate one kind with an overlap, revoke one at once. The logic is in
 * server/workspaces/api-keys.ts, which the command line uses too.
 *
 * After a change this instance forgets its cached key lookups, so a revoked key is refused by the
 * very next request here; other instances drop their cache entries within a few seconds.
 */
export function keyRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/keys', async (c) => c.json({ keys: await listKeys(deps.db, ws(c), deps.clock()) }));

  app.post('/keys', async (c) => {
    const input = parse(keyRotation, await jsonBody(c.req.raw));
    const rotated = await rotateKey(deps.db, ws(c), input, deps.clock());
    deps.workspaces.forget();
    // The only answer that ever holds this secret: no cache may keep a copy.
    c.header('Cache-Control', 'no-store');
    return c.json(rotated, 201);
  });

  app.post('/keys/:id/revoke', async (c) => {
    const revoked = await revokeKey(deps.db, ws(c), c.req.param('id'), deps.clock());
    deps.workspaces.forget();
    return c.json(revoked);
  });

  return app;
}
