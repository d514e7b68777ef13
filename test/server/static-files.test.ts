import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

// The static routes on a dist/ written by the test: a core script with the brotli and gzip copies
// the build writes beside it (vite.config.ts, precompress), a chunk with a gzip copy only, a demo asset.
let h: Harness;
let widgetDir: string;
const core = 'window.waymark={version:"1"};\n'.repeat(40);
const chunk = 'export function mount(){return 1}\n'.repeat(30);
const bytes = (res: Response) => res.arrayBuffer().then((b) => Buffer.from(b));

beforeEach(async () => {
  h = await createHarness();
  widgetDir = join(h.dir, 'dist', 'widget');
  const assets = join(h.dir, 'dist', 'demo', 'assets');
  mkdirSync(widgetDir, { recursive: true });
  mkdirSync(assets, { recursive: true });
  writeFileSync(join(widgetDir, 'widget.js'), core);
  writeFileSync(join(widgetDir, 'widget.js.br'), brotliCompressSync(core));
  writeFileSync(join(widgetDir, 'widget.js.gz'), gzipSync(core));
  writeFileSync(join(widgetDir, 'view-abc123.js'), chunk);
  writeFileSync(join(widgetDir, 'view-abc123.js.gz'), gzipSync(chunk));
  writeFileSync(join(assets, 'index-x1.css'), 'body{color:red}\n'.repeat(20));
  writeFileSync(join(assets, 'index-x1.css.br'), brotliCompressSync('body{color:red}\n'.repeat(20)));
  writeFileSync(join(h.dir, 'dist', 'demo', 'index.html'), '<script data-key="%WAYMARK_PUBLISHABLE_KEY%">');
});
afterEach(async () => {
  await h.close();
});

const get = (path: string, headers: Record<string, string> = {}) => h.app.request(path, { headers });

describe('precompressed widget files', () => {
  it('sends the brotli copy to a browser that accepts br and gzip, as the build wrote it', async () => {
    const res = await get('/widget.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const body = await bytes(res);
    expect(body.equals(readFileSync(join(widgetDir, 'widget.js.br')))).toBe(true);
    expect(res.headers.get('content-length')).toBe(String(body.length));
  });

  it('sends gzip to a client that accepts only gzip, and the file as is to one that accepts neither', async () => {
    const gz = await get('/widget.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect((await bytes(gz)).equals(readFileSync(join(widgetDir, 'widget.js.gz')))).toBe(true);

    for (const accept of [undefined, 'identity', 'br;q=0, gzip;q=0', 'deflate']) {
      const plain = await get('/widget.js', accept ? { 'accept-encoding': accept } : {});
      expect(plain.headers.get('content-encoding'), accept).toBeNull();
      expect(plain.headers.get('vary'), accept).toBe('Accept-Encoding');
      expect(await plain.text(), accept).toBe(core);
    }
  });

  it('follows the q weights, and br over gzip at equal weight or under a wildcard', async () => {
    const weighted = await get('/widget.js', { 'accept-encoding': 'br;q=0.5, gzip;q=0.8' });
    expect(weighted.headers.get('content-encoding')).toBe('gzip');
    const wildcard = await get('/widget.js', { 'accept-encoding': '*' });
    expect(wildcard.headers.get('content-encoding')).toBe('br');
  });

  it('sends a chunk that has only a gzip copy as gzip to a browser that prefers br', async () => {
    const res = await get('/widget/view-abc123.js', { 'accept-encoding': 'br, gzip' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await bytes(res)).equals(readFileSync(join(widgetDir, 'view-abc123.js.gz')))).toBe(true);
  });

  it('never sends a compressed copy that is not of this file (left from another build)', async () => {
    writeFileSync(join(widgetDir, 'widget.js.br'), brotliCompressSync('window.old=1;'));
    const res = await get('/widget.js', { 'accept-encoding': 'br, gzip' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect((await bytes(res)).equals(readFileSync(join(widgetDir, 'widget.js.gz')))).toBe(true);
  });
});

describe('validators: ETag and If-None-Match', () => {
  it('gives each representation its own strong ETag, the same on every request', async () => {
    const tags = [];
    for (const accept of ['br', 'gzip', 'identity', 'br']) {
      const res = await get('/widget.js', { 'accept-encoding': accept });
      tags.push(res.headers.get('etag'));
    }
    const [br, gzip, identity, brAgain] = tags;
    expect(identity).toMatch(/^"[\w-]{27}"$/);
    expect(br).toBe(`${identity?.slice(0, -1)}-br"`);
    expect(gzip).toBe(`${identity?.slice(0, -1)}-gzip"`);
    expect(brAgain).toBe(br);
  });

  it('answers a matching If-None-Match with 304 and no body, keeping the caching headers', async () => {
    const first = await get('/widget.js', { 'accept-encoding': 'br, gzip' });
    const etag = first.headers.get('etag') ?? '';
    const again = await get('/widget.js', { 'accept-encoding': 'br, gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('vary')).toBe('Accept-Encoding');
    expect(again.headers.get('cache-control')).toBe('public, max-age=300');
    expect(again.headers.get('access-control-allow-origin')).toBe('*');

    // Weak comparison (RFC 9110 13.1.2), a list of tags, and `*` match too.
    for (const tag of [`W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await get('/widget.js', { 'accept-encoding': 'br', 'if-none-match': tag });
      expect(res.status, tag).toBe(304);
    }
  });

  it('sends the file in full when the tag is of another representation or an older file', async () => {
    const br = await get('/widget.js', { 'accept-encoding': 'br' });
    const gzip = await get('/widget.js', {
      'accept-encoding': 'gzip',
      'if-none-match': br.headers.get('etag') ?? '',
    });
    expect(gzip.status).toBe(200);
    expect(gzip.headers.get('content-encoding')).toBe('gzip');

    const before = (await get('/widget.js')).headers.get('etag') ?? '';
    writeFileSync(join(widgetDir, 'widget.js'), `${core}window.newer=1;\n`);
    const changed = await get('/widget.js', { 'if-none-match': before });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(before);
    expect(await changed.text()).toBe(`${core}window.newer=1;\n`);
    // The copies beside it are of the old file: the new one goes out as is until the next build.
    const stale = await get('/widget.js', { 'accept-encoding': 'br, gzip' });
    expect(stale.headers.get('content-encoding')).toBeNull();
  });

  it('serves demo assets compressed and with an ETag too', async () => {
    const res = await get('/demo/assets/index-x1.css', { 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{27}-br"$/);
    const again = await get('/demo/assets/index-x1.css', { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
  });
});

describe('names that are not built files', () => {
  it('answers 404, not 500, to malformed percent-encoding and to paths that climb out', async () => {
    for (const path of [
      '/widget/%E0%A4%A',
      '/demo/assets/%E0%A4%A',
      '/widget/..%2f..%2fpackage.json',
      '/demo/assets/..%2findex.html',
      '/widget/missing.js',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
    }
  });

  it('still serves the demo page with the key filled in, uncached', async () => {
    const res = await get('/demo/invoices/7');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe('<script data-key="">');
  });
});
