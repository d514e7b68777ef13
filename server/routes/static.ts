import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
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

/** Content codings the build writes beside each file (vite.config.ts, precompress), best first. */
const codings = [
  { name: 'br', ext: '.br', decode: brotliDecompressSync },
  { name: 'gzip', ext: '.gz', decode: gunzipSync },
] as const;
type Coding = (typeof codings)[number]['name'];

/** One way to send a file: its bytes and the strong validator of exactly those bytes. */
interface Representation {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  coding?: Coding;
}

/** A file as served: as it is, and each compressed copy the build wrote. Read once, kept until it changes. */
interface StaticFile {
  mtimeMs: number;
  size: number;
  type: string;
  identity: Representation;
  encoded: Partial<Record<Coding, Representation>>;
}

/**
 * File names the build writes (`widget.js`, `view-<hash>.js`, `index-<hash>.css`...). Anything else
 * is a file we never serve: no decoding, no path to climb out of dist/ with, no URIError on `%E0%A4%A`.
 */
const fileName = /^[\w-][\w.-]*$/;

/**
 * The built widget (`/widget.js`, and any chunk it loads from `/widget/`) and the demo product
 * (`/demo/`, a single-page app: unknown paths fall back to its index.html, with the demo workspace's
 * publishable key put into its script tag), the console (`/app/`, also a single-page app), and the
 * API reference page at `/docs`.
 *
 * Built files go out as the build compressed them, brotli over gzip over none as the request's
 * `Accept-Encoding` allows (`Vary: Accept-Encoding`), each with a strong `ETag` (a hash of the bytes
 * sent, computed when the file is first read) that `If-None-Match` is answered with 304 against.
 *
 * @example
 * app.route('/', staticRoutes(deps)) // GET /widget.js, /widget/view-<hash>.js, /demo/...
 */
export function staticRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const dist = resolve(deps.distDir);
  const files = new Map<string, StaticFile>();

  /** The file at `path` with its compressed copies, from memory unless it changed on disk since. */
  const load = async (path: string): Promise<StaticFile | null> => {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    const known = files.get(path);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known;
    const body = await readFile(path);
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
    const file: StaticFile = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      type: types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream',
      identity: { body, etag: `"${hash}"` },
      encoded: {},
    };
    for (const coding of codings) {
      const copy = await readFile(path + coding.ext).catch(() => null);
      // A copy left from another build (a rebuild while serving, a partial deploy) is never sent for this file.
      if (copy && decodesTo(copy, coding.decode, body))
        file.encoded[coding.name] = { body: copy, etag: `"${hash}-${coding.name}"`, coding: coding.name };
    }
    files.set(path, file);
    return file;
  };

  const send = async (
    path: string,
    request: { header(name: string): string | undefined },
    headers: Record<string, string>,
  ): Promise<Response | null> => {
    const file = await load(path);
    if (!file) return null;
    const chosen = pick(file, request.header('Accept-Encoding'));
    const common = { ...headers, ETag: chosen.etag, Vary: 'Accept-Encoding' };
    if (matches(request.header('If-None-Match'), chosen.etag))
      return new Response(null, { status: 304, headers: common });
    return new Response(chosen.body, {
      headers: {
        ...common,
        'Content-Type': file.type,
        'Content-Length': String(chosen.body.byteLength),
        ...(chosen.coding ? { 'Content-Encoding': chosen.coding } : {}),
      },
    });
  };

  const widgetFile = async (name: string, request: { header(name: string): string | undefined }) => {
    // The script URL has no version in it (customers paste it once), so caches revalidate often
    // (cheaply: a 304 against the ETag); chunks it loads are content-hashed and cached for good.
    const cache = name.startsWith('widget.js')
      ? 'public, max-age=300'
      : 'public, max-age=31536000, immutable';
    const response = fileName.test(name)
      ? await send(join(dist, 'widget', name), request, {
          'Cache-Control': cache,
          'Access-Control-Allow-Origin': '*',
        })
      : null;
    if (response) return response;
    throw new ApiError(
      404,
      errorCodes.notFound,
      'Not found',
      name === 'widget.js' ? 'The widget is not built: run `npm run build` (npm start does it).' : undefined,
    );
  };

  app.get('/widget.js', (c) => widgetFile('widget.js', c.req));
  app.get('/widget.js.map', (c) => widgetFile('widget.js.map', c.req));
  app.get('/widget/:file', (c) => widgetFile(c.req.param('file'), c.req));

  // The API reference: Swagger UI (copied to dist/server/docs by the build) reading /openapi.json.
  app.get('/docs', (c) =>
    c.body(apiDocsPage, 200, { 'Content-Type': types['.html']!, 'Cache-Control': 'no-cache' }),
  );
  app.get('/docs/:file', async (c) => {
    const name = c.req.param('file');
    const response = fileName.test(name)
      ? await send(join(dist, 'server', 'docs', name), c.req, { 'Cache-Control': 'public, max-age=3600' })
      : null;
    if (response) return response;
    throw new ApiError(
      404,
      errorCodes.notFound,
      'Not found',
      'The server is not built: run `npm run build`.',
    );
  });

  app.get('/', (c) => c.redirect('/demo/'));
  app.get('/demo', (c) => c.redirect('/demo/'));
  app.get('/demo/*', async (c) => {
    const demoDir = join(dist, 'demo');
    const path = c.req.path.slice('/demo/'.length);
    if (path.startsWith('assets/')) {
      const name = path.slice('assets/'.length);
      const asset = fileName.test(name)
        ? await send(join(demoDir, 'assets', name), c.req, {
            'Cache-Control': 'public, max-age=31536000, immutable',
          })
        : null;
      if (asset) return asset;
      throw new ApiError(404, errorCodes.notFound, 'Not found');
    }
    const html = await readFile(join(demoDir, 'index.html'), 'utf8').catch(() => null);
    if (html === null)
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        'The demo is not built: run `npm run build`.',
      );
    const key = (await deps.demoKey()) ?? '';
    return c.body(html.replaceAll('%WAYMARK_PUBLISHABLE_KEY%', key), 200, {
      'Content-Type': types['.html']!,
      'Cache-Control': 'no-cache',
    });
  });

  // The console, a single-page app (server/console/): its routes are history-API paths under /app,
  // so every path but its hashed assets answers its index.html, which is never cached (it names the
  // assets of the build in place). Never framed: a page that framed it could trick a signed-in member
  // into clicking.
  const consoleDir = join(dist, 'console');
  // With its query: a shared link to `/app?band=red` keeps its filters.
  app.get('/app', (c) => c.redirect(`/app/${new URL(c.req.url).search}`));
  app.get('/app/*', async (c) => {
    const path = c.req.path.slice('/app/'.length);
    if (path.startsWith('assets/')) {
      const name = path.slice('assets/'.length);
      const asset = fileName.test(name)
        ? await send(join(consoleDir, 'assets', name), c.req, {
            'Cache-Control': 'public, max-age=31536000, immutable',
          })
        : null;
      if (asset) return asset;
      throw new ApiError(404, errorCodes.notFound, 'Not found');
    }
    const html = await readFile(join(consoleDir, 'index.html'), 'utf8').catch(() => null);
    if (html === null)
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        'The console is not built: run `npm run build`.',
      );
    return c.body(html, 200, {
      'Content-Type': types['.html']!,
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': "frame-ancestors 'none'",
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
    });
  });

  return app;
}

const apiDocsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Waymark API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="api"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api', deepLinking: true });</script>
</body>
</html>
`;

/** The representation to send: the best coding the client accepts (a q of 0 refuses one), else the file as is. */
function pick(file: StaticFile, acceptEncoding: string | undefined): Representation {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [token = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (token) accepted.set(token, q ? Number(q.slice(2)) || 0 : 1);
  }
  let best: Representation | undefined;
  let bestQ = 0;
  for (const coding of codings) {
    const representation = file.encoded[coding.name];
    const q = accepted.get(coding.name) ?? accepted.get('*') ?? 0;
    // Strictly greater: at equal weight the earlier (smaller) coding wins.
    if (representation && q > bestQ) {
      best = representation;
      bestQ = q;
    }
  }
  return best ?? file.identity;
}

/** RFC 9110 13.1.2: If-None-Match compares weakly, and may list several tags or be `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function decodesTo(copy: Buffer, decode: (buffer: Buffer) => Buffer, original: Buffer): boolean {
  try {
    return decode(copy).equals(original);
  } catch {
    return false;
  }
}
