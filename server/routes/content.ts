import { createRoute } from '@hono/zod-openapi';
import { contentRequest, contentResponse } from '../../shared/schemas/content.ts';
import type { AppDeps } from '../app.ts';
import { deliverContent } from '../content/deliver.ts';
import { jsonBody } from '../http/parse.ts';
import { publicTenant } from '../http/public-auth.ts';
import { answers, body, bodyReadByHandler, routes } from '../http/routes.ts';

const contentRoute = createRoute({
  method: 'post',
  path: '/content',
  summary: 'The content one end user should see now, with their progress',
  description: 'Sent as text/plain so that browsers make no preflight request.',
  request: {
    body: body(
      contentRequest,
      { writeKey: 'pk_live_example', userId: 'user-42', groupId: 'acme', locale: 'en' },
      'text/plain',
    ),
  },
  responses: answers(contentResponse),
});

/**
 * `POST /v1/content`: the widget's one request for what to show. A CORS simple request (text/plain,
 * key in the body), so no preflight costs a second round trip. Never cached by HTTP: progress changes.
 */
export function contentRoutes(deps: AppDeps) {
  const app = routes();
  return app.openapi(bodyReadByHandler(app, contentRoute), async (c) => {
    const body = await jsonBody(c.req.raw);
    const tenant = await publicTenant(deps, c, body);
    await deps.rateLimits?.perKey(c, tenant);
    c.header('Cache-Control', 'no-store');
    return c.json(await deliverContent(deps.db, tenant, body, deps.clock()), 200);
  });
}
