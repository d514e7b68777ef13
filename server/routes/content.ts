import { Hono } from 'hono';
import type { AppDeps } from '../app.ts';
import { deliverContent } from '../content/deliver.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody } from '../http/parse.ts';
import { publicTenant } from '../http/public-auth.ts';

/**
 * `POST /v1/content`: the widget's one request for what to show. A CORS simple request (text/plain,
 * key in the body), so no preflight costs a second round trip. Never cached by HTTP: progress changes.
 */
export function contentRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/content', async (c) => {
    const body = await jsonBody(c.req.raw);
    const tenant = await publicTenant(deps, c, body);
    await deps.rateLimits?.perKey(c, tenant);
    c.header('Cache-Control', 'no-store');
    return c.json(await deliverContent(deps.db, tenant, body, deps.clock()));
  });
  return app;
}
