import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compressJson } from '../../server/http/compress-json.ts';
import { createHarness, type Harness, storedEvents } from './harness.ts';

const unzip = async (res: Response) =>
  JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString());

describe('compressJson: the threshold', () => {
  // {"a":"…"} is 8 bytes around the string: 1015 x's make 1023 bytes, 1016 make 1024.
  const app = new Hono();
  app.use(compressJson());
  app.get('/json/:n', (c) => c.json({ a: 'x'.repeat(Number(c.req.param('n'))) }));
  app.get('/problem', (c) =>
    c.body(JSON.stringify({ detail: 'y'.repeat(2000) }), 400, { 'Content-Type': 'application/problem+json' }),
  );
  app.get('/text', (c) => c.text('z'.repeat(5000)));
  const get = (path: string, accept = 'gzip, deflate, br') =>
    app.request(path, { headers: { 'accept-encoding': accept } });

  it('sends a JSON answer under 1 KB as is, with its length', async () => {
    const res = await get('/json/1015');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('content-length')).toBe('1023');
    expect((await res.json()).a).toHaveLength(1015);
  });

  it('gzips a JSON answer of 1 KB or more, and says it varies by Accept-Encoding', async () => {
    const res = await get('/json/1016');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('content-length')).toBeNull();
    expect((await unzip(res)).a).toHaveLength(1016);
  });

  it('compresses problem+json answers, and nothing that is not JSON', async () => {
    const problem = await get('/problem');
    expect(problem.status).toBe(400);
    expect(problem.headers.get('content-encoding')).toBe('gzip');
    expect((await unzip(problem)).detail).toHaveLength(2000);
    const text = await get('/text');
    expect(text.headers.get('content-encoding')).toBeNull();
  });

  it('sends JSON as is to a client that accepts no compression', async () => {
    const res = await get('/json/3000', 'identity');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect((await res.json()).a).toHaveLength(3000);
  });
});

describe('JSON compression on the real routes', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const content = (accept: string) =>
    h.app.request('/v1/content', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'accept-encoding': accept, origin: 'http://localhost' },
      body: JSON.stringify({ writeKey: h.ws.publishableKey, userId: 'u1' }),
    });

  it('gzips /openapi.json, and sends /health and small admin answers as is', async () => {
    const openapi = await h.app.request('/openapi.json', { headers: { 'accept-encoding': 'gzip' } });
    expect(openapi.headers.get('content-encoding')).toBe('gzip');
    expect((await unzip(openapi)).openapi).toBe('3.1.0');

    const health = await h.app.request('/health', { headers: { 'accept-encoding': 'gzip' } });
    expect(health.headers.get('content-encoding')).toBeNull();
    expect(await health.json()).toEqual({ status: 'ok', busyReplacements: 0 });

    // A fresh workspace's settings are about 0.4 KB: as is.
    const workspace = await h.admin('/workspace', { headers: { 'accept-encoding': 'gzip' } });
    expect(workspace.status).toBe(200);
    expect(workspace.headers.get('content-encoding')).toBeNull();
    expect((await workspace.json()).id).toBe('ws1');
  });

  it('sends /v1/content and admin answers as is while small, gzipped once a checklist makes them 1 KB or more', async () => {
    const small = await content('gzip, br');
    expect(small.status).toBe(200);
    expect(small.headers.get('content-encoding')).toBeNull();
    expect(Number(small.headers.get('content-length'))).toBeLessThan(1024);

    const created = await h.adminJson('/checklists', 'POST', {
      name: 'Onboarding',
      content: {
        title: 'Get started',
        items: ['a', 'b', 'c', 'd'].map((id) => ({
          id,
          title: `Step ${id}`,
          description: `A description long enough to count: ${'words '.repeat(30)}`,
          completion: { kind: 'manual' },
        })),
      },
    });
    expect(created.status).toBe(201);
    expect((await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST')).status).toBe(201);
    const authored = await h.admin(`/checklists/${created.body.id}`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(authored.headers.get('content-encoding')).toBe('gzip');
    expect((await unzip(authored)).id).toBe(created.body.id);

    const large = await content('gzip, br');
    expect(large.status).toBe(200);
    expect(large.headers.get('content-encoding')).toBe('gzip');
    expect(large.headers.get('vary')).toContain('Accept-Encoding');
    expect(large.headers.get('cache-control')).toBe('no-store');
    expect(large.headers.get('access-control-allow-origin')).toBe('http://localhost');
    const body = await unzip(large);
    expect(body.checklists[0].items.map((i: { id: string }) => i.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('still stores a batch, and answers a large rejection compressed with its pointers', async () => {
    const ok = await h.post(
      { batch: [{ type: 'track', event: 'Invoice Sent', userId: 'u1', messageId: 'm1' }] },
      { headers: { 'accept-encoding': 'gzip' } },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-encoding')).toBeNull();
    expect(await ok.json()).toEqual({
      success: true,
      accepted: 1,
      duplicates: 0,
      rejected: [],
      rejectedCount: 0,
    });

    const bad = await h.post(
      { batch: Array.from({ length: 30 }, (_, i) => ({ type: 'track', userId: 'u1', messageId: `b${i}` })) },
      { headers: { 'accept-encoding': 'gzip' } },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(bad.headers.get('content-encoding')).toBe('gzip');
    const problem = await unzip(bad);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors[29]).toEqual({ pointer: '/batch/29/event', detail: expect.any(String) });
    expect((await storedEvents(h.db)).map((e) => e.message_id)).toEqual(['m1']);
  });
});
