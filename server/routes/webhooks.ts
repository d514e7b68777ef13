import { Hono } from 'hono';
import {
  webhookDeliveryQuery,
  webhookEndpointInput,
  webhookEndpointPatch,
  webhookSecretRotation,
} from '../../shared/schemas/webhook.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { workspaceOf as ws } from './versioned.ts';

/**
 * Admin API for the workspace's webhook endpoints (mounted under /v1/admin, behind its secret-key
 * check): create, list, change, delete, rotate the signing secret, send a test event, read the
 * delivery log. The logic is in server/webhooks/endpoints.ts; the worker delivers (worker.ts).
 */
export function webhookRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const endpoints = deps.webhooks.endpoints;

  app.get('/webhooks', async (c) => c.json({ webhooks: await endpoints.list(ws(c)) }));

  app.post('/webhooks', async (c) => {
    const input = parse(webhookEndpointInput, await jsonBody(c.req.raw));
    const created = await endpoints.create(ws(c), input);
    // The only answer that ever holds this secret: no cache may keep a copy.
    c.header('Cache-Control', 'no-store');
    return c.json(created, 201);
  });

  app.get('/webhooks/:id', async (c) => c.json(await endpoints.get(ws(c), c.req.param('id'))));

  app.patch('/webhooks/:id', async (c) => {
    const patch = parse(webhookEndpointPatch, await jsonBody(c.req.raw));
    return c.json(await endpoints.update(ws(c), c.req.param('id'), patch));
  });

  app.delete('/webhooks/:id', async (c) => {
    await endpoints.remove(ws(c), c.req.param('id'));
    return c.body(null, 204);
  });

  app.post('/webhooks/:id/secret', async (c) => {
    const input = parse(webhookSecretRotation, await jsonBody(c.req.raw));
    const rotated = await endpoints.rotateSecret(ws(c), c.req.param('id'), input);
    c.header('Cache-Control', 'no-store');
    return c.json(rotated, 201);
  });

  app.post('/webhooks/:id/test', async (c) => {
    const delivery = await endpoints.sendTest(ws(c), c.req.param('id'));
    deps.webhooks.worker.wake();
    return c.json(delivery, 202);
  });

  app.get('/webhooks/:id/deliveries', async (c) => {
    const query = parse(webhookDeliveryQuery, c.req.query());
    return c.json({ deliveries: await endpoints.deliveries(ws(c), c.req.param('id'), query) });
  });

  return app;
}
