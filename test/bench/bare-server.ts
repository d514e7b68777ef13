/**
 * The HTTP stack's ceiling: a bare Hono app on `@hono/node-server` whose `POST /v1/batch` reads the
 * JSON body and answers 200 with a batch result of the same shape as Waymark's, and does nothing else
 * (no key lookup, no validation, no storage). Same process model as server.ts: prints `{"port": N}`
 * once listening, exits on SIGTERM.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/v1/batch', async (c) => {
  const body = (await c.req.json()) as { batch?: unknown[] };
  const accepted = Array.isArray(body.batch) ? body.batch.length : 0;
  return c.json({ success: true, accepted, duplicates: 0, rejected: [], rejectedCount: 0 }, 200);
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
