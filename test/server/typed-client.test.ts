import { hc } from 'hono/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { AppType } from '../../server/app.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** The console's way in: hono/client typed by the routes, here sending its requests to the app in memory. */
function client() {
  return hc<AppType>('http://waymark.test', {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => h.app.request(input, init),
    headers: { authorization: `Bearer ${h.ws.secretKey}` },
  });
}

describe('the typed client (hc<AppType>)', () => {
  it('creates and reads a milestone, its body and its answer typed by the route declarations', async () => {
    const api = client();
    const created = await api.v1.admin.milestones.$post({
      json: { key: 'teammate_invited', name: 'Invited a teammate', rule: { event: 'Teammate Invited' } },
    });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const milestone = await created.json();
    expectTypeOf(milestone.id).toEqualTypeOf<string>();

    const listed = await api.v1.admin.milestones.$get();
    expect(listed.status).toBe(200);
    if (listed.status !== 200) return;
    const body = await listed.json();
    expect(body.milestones.map((m) => m.id)).toContain(milestone.id);
  });

  it('types path and query parameters, and answers problems as problem+json', async () => {
    const api = client();
    const page = await api.v1.admin.accounts.$get({ query: { limit: '5' } });
    expect(page.status).toBe(200);
    const missing = await api.v1.admin.accounts[':id'].$get({ param: { id: 'nobody' } });
    expect(missing.status).toBe(404);
    // Problems are declared as one `4XX` range, which the client types as any answer of the route.
    expect(await missing.json()).toMatchObject({ code: 'not_found', status: 404 });
  });
});
