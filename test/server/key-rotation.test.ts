import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyKind } from '../../server/db/schema.ts';
import { hashSecretKey } from '../../server/workspaces/keys.ts';
import { createWorkspace, WorkspaceDirectory } from '../../server/workspaces/store.ts';
import type { ApiKeyKind } from '../../shared/schemas/api-key.ts';
import { basic, createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const hour = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** An admin call with a given secret key (the harness's own helper always sends the first one). */
async function adminWith(secretKey: string, path: string, method = 'GET', body?: unknown) {
  const res = await h.app.request(`/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

/** Ingestion with a given publishable key: 200 when the key is accepted. */
async function ingestWith(publishableKey: string) {
  const res = await h.app.request('/v1/batch', {
    method: 'POST',
    headers: { authorization: basic(publishableKey) },
    body: JSON.stringify({ batch: [{ type: 'track', event: 'Ping', userId: 'u1' }] }),
  });
  return res.status;
}

async function keyIds() {
  const { body } = await h.adminJson('/keys');
  const of = (kind: string) =>
    body.keys.filter((k: { kind: string }) => k.kind === kind).map((k: { id: string }) => k.id);
  return { publishable: of('publishable') as string[], secret: of('secret') as string[] };
}

describe('GET /v1/admin/keys', () => {
  it('lists each key with its kind, hint, dates and state; the publishable key in full, a secret never', async () => {
    const res = await h.admin('/keys');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(h.ws.secretKey);
    expect(text).not.toContain(hashSecretKey(h.ws.secretKey));
    const { keys } = JSON.parse(text);
    expect(keys).toEqual([
      {
        id: expect.stringMatching(/^key_/),
        kind: 'publishable',
        key: h.ws.publishableKey,
        hint: `${h.ws.publishableKey.slice(0, 7)}…`,
        createdAt: '2026-11-23T12:00:00.000Z',
        expiresAt: null,
        revokedAt: null,
        live: true,
      },
      {
        id: expect.stringMatching(/^key_/),
        kind: 'secret',
        hint: `sk_…${h.ws.secretKey.slice(-4)}`,
        createdAt: '2026-11-23T12:00:00.000Z',
        expiresAt: null,
        revokedAt: null,
        live: true,
      },
    ]);
  });

  it('lists only the calling workspace’s keys', async () => {
    const other = await createWorkspace(h.db, { id: 'ws2', name: 'Other' }, h.clock.now);
    const { body } = await adminWith(other.secretKey, '/keys');
    expect(body.keys.map((k: { key?: string }) => k.key).filter(Boolean)).toEqual([other.publishableKey]);
    expect(body.keys).toHaveLength(2);
  });
});

describe('rotation', () => {
  it('a new secret key works at once, the old one until the overlap ends; the new one is shown once', async () => {
    const before = await keyIds();
    h.clock.now += 1000;
    const rotated = await adminWith(h.ws.secretKey, '/keys', 'POST', { kind: 'secret', overlapHours: 2 });
    expect(rotated.status).toBe(201);
    const newKey: string = rotated.body.key;
    expect(newKey).toMatch(/^sk_[0-9A-Za-z]{32}$/);
    expect(rotated.body).toEqual({
      id: expect.stringMatching(/^key_/),
      kind: 'secret',
      key: newKey,
      hint: `sk_…${newKey.slice(-4)}`,
      createdAt: iso(h.clock.now),
      expiresAt: null,
      revokedAt: null,
      live: true,
      previous: [
        {
          id: before.secret[0],
          kind: 'secret',
          hint: `sk_…${h.ws.secretKey.slice(-4)}`,
          createdAt: '2026-11-23T12:00:00.000Z',
          expiresAt: iso(h.clock.now + 2 * hour),
          revokedAt: null,
          live: true,
        },
      ],
    });

    // Both work during the overlap; no list ever shows the new secret again.
    expect((await adminWith(h.ws.secretKey, '/events')).status).toBe(200);
    expect((await adminWith(newKey, '/events')).status).toBe(200);
    const listed = await h.admin('/keys');
    const text = await listed.text();
    expect(text).not.toContain(newKey);
    expect(text).not.toContain(hashSecretKey(newKey));

    // One millisecond before the end the old key still works; at the end it is refused.
    h.clock.now += 2 * hour - 1;
    expect((await adminWith(h.ws.secretKey, '/events')).status).toBe(200);
    h.clock.now += 1;
    const refused = await adminWith(h.ws.secretKey, '/events');
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('invalid_key');
    expect((await adminWith(newKey, '/events')).status).toBe(200);

    const after = await adminWith(newKey, '/keys');
    expect(after.body.keys.filter((k: { kind: string }) => k.kind === 'secret')).toMatchObject([
      { id: rotated.body.id, live: true, expiresAt: null },
      { id: before.secret[0], live: false, expiresAt: iso(h.clock.now) },
    ]);
  });

  it('overlaps 24 hours when the request does not say, and 0 ends the previous keys at once', async () => {
    const first = await h.adminJson('/keys', 'POST', { kind: 'secret' });
    expect(first.body.previous[0].expiresAt).toBe(iso(h.clock.now + 24 * hour));

    h.clock.now += 1000;
    const second = await adminWith(first.body.key, '/keys', 'POST', { kind: 'secret', overlapHours: 0 });
    expect(second.status).toBe(201);
    // Both previous keys end now: the first one's 24 hours are cut short, never lengthened.
    expect(
      second.body.previous.map((k: { expiresAt: string; live: boolean }) => [k.expiresAt, k.live]),
    ).toEqual([
      [iso(h.clock.now), false],
      [iso(h.clock.now), false],
    ]);
    expect((await adminWith(h.ws.secretKey, '/events')).status).toBe(401);
    expect((await adminWith(first.body.key, '/events')).status).toBe(401);
    expect((await adminWith(second.body.key, '/events')).status).toBe(200);
  });

  it('rotates the publishable key: old and new ingest during the overlap, the old one stops after it', async () => {
    const rotated = await h.adminJson('/keys', 'POST', { kind: 'publishable', overlapHours: 1 });
    expect(rotated.status).toBe(201);
    const newKey: string = rotated.body.key;
    expect(newKey).toMatch(/^pk_[0-9A-Za-z]{32}$/);
    expect(await ingestWith(h.ws.publishableKey)).toBe(200);
    expect(await ingestWith(newKey)).toBe(200);
    // The workspace now names the new key, the one a snippet should carry.
    expect((await h.adminJson('/workspace')).body.publishableKey).toBe(newKey);

    h.clock.now += hour;
    expect(await ingestWith(h.ws.publishableKey)).toBe(401);
    expect(await ingestWith(newKey)).toBe(200);
    // The secret keys were not touched.
    expect((await h.adminJson('/events')).status).toBe(200);
  });

  it('refuses a body that is not a rotation, with a pointer per field', async () => {
    const res = await h.admin('/keys', {
      method: 'POST',
      body: JSON.stringify({ kind: 'master', overlapHours: -1 }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      code: 'validation_failed',
      errors: [
        { pointer: '/kind', detail: 'Invalid option: expected one of "publishable"|"secret"' },
        { pointer: '/overlapHours', detail: 'must be 0 (end the previous keys now) or more' },
      ],
    });
    const fractional = await h.adminJson('/keys', 'POST', { kind: 'secret', overlapHours: 1.5 });
    expect(fractional.body.errors).toEqual([
      { pointer: '/overlapHours', detail: 'must be a whole number of hours' },
    ]);
    // Nothing was created.
    expect((await keyIds()).secret).toHaveLength(1);
  });
});

describe('revocation', () => {
  it('ends a key at once on this instance, even one cached a moment ago', async () => {
    const rotated = await h.adminJson('/keys', 'POST', { kind: 'secret', overlapHours: 24 });
    const oldId = rotated.body.previous[0].id;
    // Cached as accepted.
    expect((await adminWith(h.ws.secretKey, '/events')).status).toBe(200);

    h.clock.now += 1000;
    const revoked = await adminWith(rotated.body.key, `/keys/${oldId}/revoke`, 'POST');
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: oldId, revokedAt: iso(h.clock.now), live: false });
    expect((await adminWith(h.ws.secretKey, '/events')).status).toBe(401);
    expect((await adminWith(rotated.body.key, '/events')).status).toBe(200);

    // Revoking it again changes nothing.
    h.clock.now += 1000;
    const again = await adminWith(rotated.body.key, `/keys/${oldId}/revoke`, 'POST');
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('ends a publishable key at once', async () => {
    const rotated = await h.adminJson('/keys', 'POST', { kind: 'publishable' });
    expect(await ingestWith(h.ws.publishableKey)).toBe(200);
    expect((await h.adminJson(`/keys/${rotated.body.previous[0].id}/revoke`, 'POST')).status).toBe(200);
    expect(await ingestWith(h.ws.publishableKey)).toBe(401);
  });

  it('refuses to revoke the last live key of its kind, with a problem that says what to do', async () => {
    const { secret, publishable } = await keyIds();
    for (const [id, kind] of [
      [secret[0], 'secret'],
      [publishable[0], 'publishable'],
    ] as const) {
      const res = await h.admin(`/keys/${id}/revoke`, { method: 'POST' });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toEqual({
        type: 'about:blank',
        title: 'Last key',
        status: 409,
        code: 'conflict',
        detail: `${id} is this workspace's last ${kind} key without an end date: create a new ${kind} key first (a rotation), then revoke this one.`,
      });
    }
    expect((await h.adminJson('/events')).status).toBe(200);
    expect(await ingestWith(h.ws.publishableKey)).toBe(200);
  });

  it('refuses to revoke the new key while the old one only lives out its overlap: that would lock the workspace out', async () => {
    const rotated = await h.adminJson('/keys', 'POST', { kind: 'secret', overlapHours: 1 });
    const res = await adminWith(rotated.body.key, `/keys/${rotated.body.id}/revoke`, 'POST');
    expect(res.status).toBe(409);
    // The old one may go: the new one stays.
    const old = rotated.body.previous[0].id;
    expect((await adminWith(rotated.body.key, `/keys/${old}/revoke`, 'POST')).status).toBe(200);
  });

  it('knows only the calling workspace’s keys', async () => {
    const other = await createWorkspace(h.db, { id: 'ws2', name: 'Other' }, h.clock.now);
    await adminWith(other.secretKey, '/keys', 'POST', { kind: 'secret' });
    const theirs = (await adminWith(other.secretKey, '/keys')).body.keys.map((k: { id: string }) => k.id);
    for (const id of [...theirs, 'key_nope']) {
      const res = await h.adminJson(`/keys/${id}/revoke`, 'POST');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found', detail: 'No key with this id in this workspace.' });
    }
    expect(
      (await adminWith(other.secretKey, '/keys')).body.keys.every((k: { live: boolean }) => k.live),
    ).toBe(true);
  });
});

describe('preview links and the secret keys that sign them', () => {
  async function previewLink() {
    const created = await h.adminJson('/spotlights', 'POST', {
      name: 'Draft',
      content: {
        steps: [{ id: 'a', kind: 'tooltip', title: 'Draft step', anchor: { selector: '[data-tour="a"]' } }],
      },
    });
    expect(created.status).toBe(201);
    return {
      id: created.body.id as string,
      preview: (secretKey: string) =>
        adminWith(secretKey, `/spotlights/${created.body.id}/preview`, 'POST', {
          expiresInMinutes: 7 * 24 * 60,
        }),
    };
  }
  const shown = async (token: string) =>
    (await h.content('u1', { preview: token })).spotlights.map((s) => s.id);

  it('a link survives a rotation during the overlap, and ends with the key that signed it', async () => {
    const draft = await previewLink();
    const link = await draft.preview(h.ws.secretKey);
    expect(link.status).toBe(201);
    expect(await shown(link.body.token)).toEqual([draft.id]);

    h.clock.now += 1000;
    const rotated = await h.adminJson('/keys', 'POST', { kind: 'secret', overlapHours: 2 });
    expect(await shown(link.body.token)).toEqual([draft.id]);
    // A link made now is signed with the new key, and outlives the old one.
    const fresh = await draft.preview(rotated.body.key);
    expect(fresh.body.token).not.toBe(link.body.token);
    expect(await shown(fresh.body.token)).toEqual([draft.id]);

    h.clock.now += 2 * hour - 1001;
    expect(await shown(link.body.token)).toEqual([draft.id]);
    h.clock.now += 1001;
    expect(await shown(link.body.token)).toEqual([]);
    expect(await shown(fresh.body.token)).toEqual([draft.id]);
  });

  it('a link stops working at once when the secret key that signed it is revoked', async () => {
    const draft = await previewLink();
    const link = await draft.preview(h.ws.secretKey);
    expect(await shown(link.body.token)).toEqual([draft.id]);

    const rotated = await h.adminJson('/keys', 'POST', { kind: 'secret', overlapHours: 24 });
    expect(await shown(link.body.token)).toEqual([draft.id]);
    const revoked = await adminWith(rotated.body.key, `/keys/${rotated.body.previous[0].id}/revoke`, 'POST');
    expect(revoked.status).toBe(200);
    expect(await shown(link.body.token)).toEqual([]);
  });

  it('a cached key lookup does not keep a secret key for previews past its end', async () => {
    // A directory whose entries would live two hours: only the keys' own ends can retire them.
    const directory = new WorkspaceDirectory(h.db, () => h.clock.now, 2 * hour);
    const rotated = await h.adminJson('/keys', 'POST', { kind: 'secret', overlapHours: 1 });
    const both = [hashSecretKey(rotated.body.key), hashSecretKey(h.ws.secretKey)];
    expect((await directory.byKey(h.ws.publishableKey))?.signingKeys).toEqual(both);
    h.clock.now += hour - 1;
    expect((await directory.byKey(h.ws.publishableKey))?.signingKeys).toEqual(both);
    h.clock.now += 1;
    expect((await directory.byKey(h.ws.publishableKey))?.signingKeys).toEqual([
      hashSecretKey(rotated.body.key),
    ]);
  });
});

describe('the HTTP contract', () => {
  it('is in the OpenAPI document, from the same schemas', async () => {
    const doc = await (await h.app.request('/openapi.json')).json();
    const rotation = doc.paths['/v1/admin/keys'].post.requestBody.content['application/json'].schema;
    expect(rotation.required).toEqual(['kind']);
    expect(rotation.properties.kind.enum).toEqual(['publishable', 'secret']);
    expect(rotation.properties.overlapHours).toMatchObject({ minimum: 0, maximum: 720, default: 24 });
    expect(doc.paths['/v1/admin/keys/{id}/revoke'].post).toBeDefined();
  });
});

describe('the key kinds', () => {
  it('are the same in the wire schema and the table', () => {
    type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
    const same: Equal<ApiKeyKind, KeyKind> = true;
    expect(same).toBe(true);
  });
});
