import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  webhookDelivery,
  webhookDeliveryPage,
  webhookDeliveryQuery,
  webhookEndpoint,
  webhookEndpointInput,
  webhookEndpointPatch,
  webhookEndpointWithSecret,
  webhookSecretRotation,
} from '../../shared/schemas/webhook.ts';
import type { AppDeps } from '../app.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { adminSecurity, answers, body, bodyReadByHandler, noContent, routes } from '../http/routes.ts';
import { idParams, workspaceOf as ws } from './versioned.ts';

const security = adminSecurity;
const route = {
  list: createRoute({
    method: 'get',
    path: '/webhooks',
    summary: 'The webhook endpoints (their signing secrets never)',
    security,
    responses: answers(z.object({ webhooks: z.array(webhookEndpoint) })),
  }),
  create: createRoute({
    method: 'post',
    path: '/webhooks',
    summary: 'Create an endpoint; its signing secret is in this answer only',
    description:
      'https://, or http:// to localhost or 127.0.0.1. Private, loopback and link-local addresses are refused unless the server allows them (WEBHOOK_ALLOW_PRIVATE_URLS). Every delivery posts a signed event (see the `WebhookEvent` schema and the README, "Webhooks").',
    security,
    request: {
      body: body(webhookEndpointInput, {
        url: 'https://hooks.example.com/waymark',
        description: 'CS alerts',
        eventTypes: ['alert.created'],
      }),
    },
    responses: answers(webhookEndpointWithSecret, 'Created', 201),
  }),
  get: createRoute({
    method: 'get',
    path: '/webhooks/{id}',
    summary: 'An endpoint',
    security,
    request: { params: idParams },
    responses: answers(webhookEndpoint),
  }),
  patch: createRoute({
    method: 'patch',
    path: '/webhooks/{id}',
    summary: 'Change an endpoint: only the fields sent',
    security,
    request: {
      params: idParams,
      body: body(webhookEndpointPatch, { description: 'CS alerts to #cs-alerts' }),
    },
    responses: answers(webhookEndpoint),
  }),
  remove: createRoute({
    method: 'delete',
    path: '/webhooks/{id}',
    summary: 'Delete an endpoint and its deliveries',
    security,
    request: { params: idParams },
    responses: noContent(),
  }),
  rotateSecret: createRoute({
    method: 'post',
    path: '/webhooks/{id}/secret',
    summary: 'Rotate the signing secret (shown once); the previous one also signs for overlapHours',
    security,
    request: { params: idParams, body: body(webhookSecretRotation, { overlapHours: 24 }) },
    responses: answers(webhookEndpointWithSecret, 'Created', 201),
  }),
  test: createRoute({
    method: 'post',
    path: '/webhooks/{id}/test',
    summary: 'Queue a webhook.test event for this endpoint alone (409 when it is disabled)',
    security,
    request: { params: idParams },
    responses: answers(webhookDelivery, 'Queued', 202),
  }),
  deliveries: createRoute({
    method: 'get',
    path: '/webhooks/{id}/deliveries',
    summary:
      'The delivery log, newest first, a page at a time (`before`: the `next` of the page before): status, attempts, last error, next attempt',
    security,
    request: { params: idParams, query: webhookDeliveryQuery },
    responses: answers(webhookDeliveryPage),
  }),
};

/**
 * Admin API for the workspace's webhook endpoints (mounted under /v1/admin, behind its secret-key
 * check): create, list, change, delete, rotate the signing secret, send a test event, read the
 * delivery log. The logic is in server/webhooks/endpoints.ts; the worker delivers (worker.ts).
 */
export function webhookRoutes(deps: AppDeps) {
  const app = routes();
  const endpoints = deps.webhooks.endpoints;

  return app
    .openapi(route.list, async (c) => c.json({ webhooks: await endpoints.list(ws(c)) }, 200))
    .openapi(bodyReadByHandler(app, route.create), async (c) => {
      const input = parse(webhookEndpointInput, await jsonBody(c.req.raw));
      const created = await endpoints.create(ws(c), input);
      // The only answer that ever holds this secret: no cache may keep a copy.
      c.header('Cache-Control', 'no-store');
      return c.json(created, 201);
    })
    .openapi(route.get, async (c) => c.json(await endpoints.get(ws(c), c.req.param('id')), 200))
    .openapi(bodyReadByHandler(app, route.patch), async (c) => {
      const patch = parse(webhookEndpointPatch, await jsonBody(c.req.raw));
      return c.json(await endpoints.update(ws(c), c.req.param('id'), patch), 200);
    })
    .openapi(route.remove, async (c) => {
      await endpoints.remove(ws(c), c.req.param('id'));
      return c.body(null, 204);
    })
    .openapi(bodyReadByHandler(app, route.rotateSecret), async (c) => {
      const input = parse(webhookSecretRotation, await jsonBody(c.req.raw));
      const rotated = await endpoints.rotateSecret(ws(c), c.req.param('id'), input);
      c.header('Cache-Control', 'no-store');
      return c.json(rotated, 201);
    })
    .openapi(route.test, async (c) => {
      const delivery = await endpoints.sendTest(ws(c), c.req.param('id'));
      deps.webhooks.worker.wake();
      return c.json(delivery, 202);
    })
    .openapi(route.deliveries, async (c) => {
      const query = c.req.valid('query');
      return c.json(await endpoints.deliveries(ws(c), c.req.param('id'), query), 200);
    });
}
