import { readFile } from 'node:fs/promises';
import { join, normalize, resolve } from 'node:path';
import { Hono } from 'hono';
import { errorCodes } from '../../shared/problem.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../http/api-error.ts';

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The built widget (`/widget.js`, and any chunk it loads from `/widget/`) and the demo product
 * (`/demo/`, a single-page app: unknown paths fall back to its index.html, with the demo workspace's
 * publishable key put into its script tag).
 */
export function staticRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const dist = resolve(deps.distDir);

  const send = async (file: string, cacheControl: string, transform?: (text: string) => string) => {
    const body = await readFile(file).catch(() => null);
    if (body === null) return null;
    const ext = file.slice(file.lastIndexOf('.'));
    const headers = {
      'Content-Type': types[ext] ?? 'application/octet-stream',
      'Cache-Control': cacheControl,
    };
    return transform
      ? new Response(transform(body.toString('utf8')), { headers })
      : new Response(body, { headers });
  };

  const widgetFile = async (name: string) => {
    // The script URL has no version in it (customers paste it once), so caches revalidate often;
    // chunks it loads are content-hashed and cached for good.
    const cache = name.startsWith('widget.js')
      ? 'public, max-age=300'
      : 'public, max-age=31536000, immutable';
    const response = await send(safeJoin(join(dist, 'widget'), name), cache);
    if (response) {
      response.headers.set('Access-Control-Allow-Origin', '*');
      return response;
    }
    throw new ApiError(
      404,
      errorCodes.notFound,
      'Not found',
      name === 'widget.js' ? 'The widget is not built: run `npm run build` (npm start does it).' : undefined,
    );
  };

  app.get('/widget.js', () => widgetFile('widget.js'));
  app.get('/widget.js.map', () => widgetFile('widget.js.map'));
  app.get('/widget/:file', (c) => widgetFile(c.req.param('file')));

  app.get('/', (c) => c.redirect('/demo/'));
  app.get('/demo', (c) => c.redirect('/demo/'));
  app.get('/demo/*', async (c) => {
    const demoDir = join(dist, 'demo');
    const path = c.req.path.slice('/demo/'.length);
    if (path.startsWith('assets/')) {
      const asset = await send(safeJoin(demoDir, path), 'public, max-age=31536000, immutable');
      if (asset) return asset;
      throw new ApiError(404, errorCodes.notFound, 'Not found');
    }
    const key = (await deps.demoKey()) ?? '';
    const page = await send(join(demoDir, 'index.html'), 'no-cache', (html) =>
      html.replaceAll('%WAYMARK_PUBLISHABLE_KEY%', key),
    );
    if (page) return page;
    throw new ApiError(404, errorCodes.notFound, 'Not found', 'The demo is not built: run `npm run build`.');
  });

  return app;
}

/**
 * Joins a request path under `root`, refusing anything that would climb out of it, and a path whose
 * percent-encoding is malformed (`%E0%A4%A`): no file can have that name.
 */
function safeJoin(root: string, path: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new ApiError(404, errorCodes.notFound, 'Not found');
  }
  const full = normalize(join(root, decoded));
  if (!full.startsWith(root)) throw new ApiError(404, errorCodes.notFound, 'Not found');
  return full;
}
