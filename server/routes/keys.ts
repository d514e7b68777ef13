import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { apiKey, keyRotation, rotatedApiKey } from '../../shared/schemas/api-key.ts';
import type { AppDeps } from '../app.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { adminSecurity, answers, body, bodyReadByHandler, routes } from '../http/routes.ts';
import { listKeys, revokeKey, rotateKey } from '../workspaces/api-keys.ts';
import { idParams, workspaceOf as ws } from './versioned.ts';

const listKeysRoute = createRoute({
  method: 'get',
  path: '/keys',
  summary: 'The workspace API keys: publishable ones in full, secret ones never',
  security: adminSecurity,
  responses: answers(z.object({ keys: z.array(apiKey) })),
});

const rotateKeyRoute = createRoute({
  method: 'post',
  path: '/keys',
  summary: 'Rotate: a new key of a kind (shown once); the previous ones end after the overlap',
  security: adminSecurity,
  request: { body: body(keyRotation, { kind: 'secret', overlapHours: 24 }) },
  responses: answers(rotatedApiKey, 'Created', 201),
});

const revokeKeyRoute = createRoute({
  method: 'post',
  path: '/keys/{id}/revoke',
  summary: 'End a key at once (409 for the last key of its kind without an end date)',
  security: adminSecurity,
  request: { params: idParams },
  responses: answers(apiKey),
});

/**
 * Admin API for the workspace's own API keys (mounted under /v1/admin, behind its secret-key check):
 * list them, rotate one kind with an overlap, revoke one at once. The logic is in
 * server/workspaces/api-keys.ts, which the command line uses too.
 *
 * After a change this instance forgets its cached key lookups, so a revoked key is refused by the
 * very next request here; other instances drop their cache entries within a few seconds.
 */
export function keyRoutes(deps: AppDeps) {
  const app = routes();
  return app
    .openapi(listKeysRoute, async (c) => c.json({ keys: await listKeys(deps.db, ws(c), deps.clock()) }, 200))
    .openapi(bodyReadByHandler(app, rotateKeyRoute), async (c) => {
      const input = parse(keyRotation, await jsonBody(c.req.raw));
      const rotated = await rotateKey(deps.db, ws(c), input, deps.clock());
      deps.workspaces.forget();
      // The only answer that ever holds this secret: no cache may keep a copy.
      c.header('Cache-Control', 'no-store');
      return c.json(rotated, 201);
    })
    .openapi(revokeKeyRoute, async (c) => {
      const revoked = await revokeKey(deps.db, ws(c), c.req.param('id'), deps.clock());
      deps.workspaces.forget();
      return c.json(revoked, 200);
    });
}
