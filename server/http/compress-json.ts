import type { MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';

/** `application/json`, `application/problem+json`: what the API answers with. */
const json = /^application\/(?:[\w.-]+\+)?json\b/i;

/**
 * Compresses JSON answers of `threshold` bytes or more (gzip or deflate, as the client accepts;
 * `Vary: Accept-Encoding`), with Hono's `compress`. That middleware applies its threshold only to a
 * response that states its `Content-Length`, which `c.json()` and our problem answers do not: so
 * each JSON answer (built whole in memory anyway) is measured first, and a small one, which
 * compression would make no smaller, goes out as it is.
 *
 * @example
 * app.use(compressJson()) // /v1/content (7 KB) goes out gzipped, {"status":"ok"} as is
 */
export function compressJson(threshold = 1024): MiddlewareHandler {
  const gzip = compress({ threshold, contentTypeFilter: json });
  return (c, next) =>
    gzip(c, async () => {
      await next();
      const type = c.res.headers.get('Content-Type');
      if (!type || !json.test(type) || !c.res.body || c.res.headers.has('Content-Length')) return;
      const body = await c.res.arrayBuffer();
      c.res = new Response(body, c.res);
      c.res.headers.set('Content-Length', String(body.byteLength));
    });
}
