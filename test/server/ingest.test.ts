import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userHash } from '../../server/workspaces/keys.ts';
import { createWorkspace } from '../../server/workspaces/store.ts';
import { basic, createHarness, type Harness, storedEvents } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const track = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Invoice Sent',
  userId: 'u1',
  messageId,
  ...extra,
});

describe('POST /v1/batch: authentication', () => {
  it('accepts the publishable key as HTTP Basic user name, as Segment server libraries send it', async () => {
    const res = await h.post({ batch: [track('m1')] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: true,
      accepted: 1,
      duplicates: 0,
      rejected: [],
      rejectedCount: 0,
    });
  });

  it('accepts a Bearer header and a writeKey in the body (sendBeacon cannot set headers)', async () => {
    const bearer = await h.app.request('/v1/batch', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.ws.publishableKey}` },
      body: JSON.stringify({ batch: [track('m1')] }),
    });
    const inBody = await h.app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ writeKey: h.ws.publishableKey, batch: [track('m2')] }),
    });
    expect([bearer.status, inBody.status]).toEqual([200, 200]);
    expect((await storedEvents(h.db)).map((e) => e.message_id)).toEqual(['m1', 'm2']);
  });

  it('rejects a missing or unknown key with 401 problem+json and stores nothing', async () => {
    const missing = await h.app.request('/v1/batch', {
      method: 'POST',
      body: JSON.stringify({ batch: [track('m1')] }),
    });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect((await missing.json()).code).toBe('missing_key');
    const unknown = await h.post(
      { batch: [track('m1')] },
      { headers: { authorization: basic('pk_doesnotexist1') } },
    );
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).code).toBe('invalid_key');
    expect(await storedEvents(h.db)).toHaveLength(0);
  });
});

describe('POST /v1/batch: validation', () => {
  it('stores the valid messages and lists each rejected one with its index and field pointers', async () => {
    const res = await h.post({
      batch: [
        track('m1'),
        { type: 'track', messageId: 'm2' },
        { type: 'alias', userId: 'u1', messageId: 'm3' },
        track('m4', { timestamp: 'yesterday' }),
        track('m5'),
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: false,
      accepted: 2,
      duplicates: 0,
      rejected: [
        {
          index: 1,
          errors: [
            { pointer: '/batch/1/event', detail: 'Required' },
            { pointer: '/batch/1/userId', detail: 'userId or anonymousId is required' },
          ],
        },
        {
          index: 2,
          errors: [
            { pointer: '/batch/2/type', detail: 'must be one of identify, track, page, screen, group' },
          ],
        },
        {
          index: 3,
          errors: [
            { pointer: '/batch/3/timestamp', detail: 'must be an ISO 8601 date-time with a time zone' },
          ],
        },
      ],
      rejectedCount: 3,
    });
    expect((await storedEvents(h.db)).map((e) => e.message_id)).toEqual(['m1', 'm5']);
  });

  it('answers 400 with every error when no message is valid', async () => {
    const res = await h.post({
      batch: [
        { type: 'track', userId: 'u1' },
        { type: 'group', userId: 'u1' },
      ],
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [
        { pointer: '/batch/0/event', detail: 'Required' },
        { pointer: '/batch/1/groupId', detail: 'Required' },
      ],
    });
    expect(await storedEvents(h.db)).toHaveLength(0);
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const res = await h.post('{"batch": [');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_json' });
  });

  it('answers 400 with a pointer when the envelope is wrong', async () => {
    const res = await h.post({ batch: 'nope' });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([{ pointer: '/batch', detail: expect.any(String) }]);
  });

  it('refuses a request over 500 KB with 413 and stores nothing', async () => {
    const big = 'x'.repeat(20_000);
    const batch = Array.from({ length: 30 }, (_, i) => track(`m${i}`, { properties: { big } }));
    const res = await h.post({ batch });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    expect(await storedEvents(h.db)).toHaveLength(0);
  });

  it('refuses a batch holding one message over 32 KB with 413 naming it, and stores none of the others', async () => {
    const res = await h.post({
      batch: [track('m1'), track('m2', { properties: { big: 'x'.repeat(33 * 1024) } })],
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'message_too_large', errors: [{ pointer: '/batch/1' }] });
    expect(await storedEvents(h.db)).toHaveLength(0);
  });

  it('answers problem+json 404 for an unknown endpoint', async () => {
    const res = await h.post({ batch: [] }, { path: '/v1/alias' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('exactly once', () => {
  it('does not store a retried batch again', async () => {
    const batch = { batch: [track('m1'), track('m2')] };
    expect(await (await h.post(batch)).json()).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await (await h.post(batch)).json()).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await storedEvents(h.db)).toHaveLength(2);
  });

  it('stores a messageId repeated inside one batch once', async () => {
    const res = await h.post({ batch: [track('m1'), track('m1'), track('m2')] });
    expect(await res.json()).toMatchObject({ accepted: 2, duplicates: 1 });
  });

  it('answers concurrent retries of the same batch with one acceptance in all', async () => {
    const batch = { batch: [track('m1'), track('m2'), track('m3')] };
    const results = await Promise.all(Array.from({ length: 5 }, () => h.post(batch).then((r) => r.json())));
    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(3);
    expect(results.reduce((sum, r) => sum + r.duplicates, 0)).toBe(12);
    expect(await storedEvents(h.db)).toHaveLength(3);
  });

  it('keeps the same messageId apart in two workspaces', async () => {
    const other = await createWorkspace(h.db, { id: 'ws2', name: 'Other' }, h.clock.now);
    await h.post({ batch: [track('m1')] });
    const res = await h.post(
      { batch: [track('m1')] },
      { headers: { authorization: basic(other.publishableKey) } },
    );
    expect(await res.json()).toMatchObject({ accepted: 1 });
    expect(await storedEvents(h.db, 'ws1')).toHaveLength(1);
    expect(await storedEvents(h.db, 'ws2')).toHaveLength(1);
  });
});

describe('timestamps', () => {
  it('corrects the device clock: timestamp = receivedAt - (sentAt - originalTimestamp)', async () => {
    // The device clock is 1 h fast: it says the event happened at 13:00:00 and was sent at 13:00:30;
    // the server received it at 12:00:31 (its clock). The event happened 30 s before receipt: 12:00:01.
    h.clock.now = Date.parse('2026-11-23T12:00:31.000Z');
    await h.post({
      sentAt: '2026-11-23T13:00:30.000Z',
      batch: [track('m1', { timestamp: '2026-11-23T13:00:00.000Z' })],
    });
    // A message's own sentAt wins over the batch's.
    await h.post({
      sentAt: '2026-11-23T13:00:30.000Z',
      batch: [track('m2', { timestamp: '2026-11-23T13:00:00.000Z', sentAt: '2026-11-23T13:00:10.000Z' })],
    });
    const [m1, m2] = await storedEvents(h.db);
    expect(new Date(Number(m1?.timestamp)).toISOString()).toBe('2026-11-23T12:00:01.000Z');
    expect(new Date(Number(m2?.timestamp)).toISOString()).toBe('2026-11-23T12:00:21.000Z');
    expect(m1?.received_at).toBe(Date.parse('2026-11-23T12:00:31.000Z'));
  });

  it('uses the timestamp as given without sentAt, and the receive time without either', async () => {
    await h.post({ batch: [track('m1', { timestamp: '2026-11-20T08:00:00+01:00' }), track('m2')] });
    const [m1, m2] = await storedEvents(h.db);
    expect(m1?.timestamp).toBe(Date.parse('2026-11-20T07:00:00.000Z'));
    expect(m2?.timestamp).toBe(h.clock.now);
  });
});

describe('users and accounts', () => {
  it('upserts users and accounts, merges traits and links members', async () => {
    await h.post({
      batch: [
        {
          type: 'identify',
          userId: 'u1',
          messageId: 'i1',
          timestamp: '2026-11-01T00:00:00Z',
          traits: { name: 'Ann', plan: 'a' },
        },
        {
          type: 'group',
          userId: 'u1',
          groupId: 'acme',
          messageId: 'g1',
          timestamp: '2026-11-02T00:00:00Z',
          traits: { name: 'Acme', seats: 5 },
        },
      ],
    });
    await h.post({
      batch: [
        {
          type: 'identify',
          userId: 'u1',
          messageId: 'i2',
          timestamp: '2026-11-03T00:00:00Z',
          traits: { email: 'ann@acme.test', plan: 'b' },
        },
        {
          type: 'group',
          userId: 'u1',
          groupId: 'acme',
          messageId: 'g2',
          timestamp: '2026-11-04T00:00:00Z',
          traits: { seats: 9 },
        },
      ],
    });
    const user = await (await h.admin('/users/u1')).json();
    expect(user).toEqual({
      id: 'u1',
      accountId: 'acme',
      traits: { name: 'Ann', plan: 'b', email: 'ann@acme.test' },
      firstSeen: '2026-11-01T00:00:00.000Z',
      lastSeen: '2026-11-04T00:00:00.000Z',
      milestones: [],
      timeToValue: null,
    });
    const account = await (await h.admin('/accounts/acme')).json();
    expect(account).toMatchObject({
      id: 'acme',
      traits: { name: 'Acme', seats: 9 },
      firstSeen: '2026-11-02T00:00:00.000Z',
      users: [{ id: 'u1' }],
    });
  });

  it('lets a late, older identify fill gaps without overwriting newer traits', async () => {
    await h.post({
      batch: [
        {
          type: 'identify',
          userId: 'u1',
          messageId: 'new',
          timestamp: '2026-11-10T00:00:00Z',
          traits: { plan: 'pro' },
        },
      ],
    });
    await h.post({
      batch: [
        {
          type: 'identify',
          userId: 'u1',
          messageId: 'old',
          timestamp: '2026-11-01T00:00:00Z',
          traits: { plan: 'free', role: 'admin' },
        },
      ],
    });
    const user = await (await h.admin('/users/u1')).json();
    expect(user.traits).toEqual({ plan: 'pro', role: 'admin' });
    expect(user.firstSeen).toBe('2026-11-01T00:00:00.000Z');
  });

  it("attributes a track to context.groupId, or else to its user's account", async () => {
    await h.post({
      batch: [
        { type: 'group', userId: 'u1', groupId: 'acme', messageId: 'g1' },
        track('t1'),
        track('t2', { context: { groupId: 'globex' } }),
        { type: 'page', anonymousId: 'a1', messageId: 'p1', name: 'Home' },
      ],
    });
    const rows = await storedEvents(h.db);
    expect(rows.map((r) => [r.message_id, r.account_id])).toEqual([
      ['g1', 'acme'],
      ['t1', 'acme'],
      ['t2', 'globex'],
      ['p1', null],
    ]);
    // context.groupId names an account that now exists, but does not move the user out of acme.
    expect((await (await h.admin('/accounts/globex')).json()).id).toBe('globex');
    expect((await (await h.admin('/users/u1')).json()).accountId).toBe('acme');
  });

  it('keeps a track-only user with its first-seen time', async () => {
    await h.post({ batch: [track('t1', { userId: 'u9', timestamp: '2026-11-05T10:00:00Z' })] });
    expect(await (await h.admin('/users/u9')).json()).toMatchObject({
      firstSeen: '2026-11-05T10:00:00.000Z',
      traits: {},
    });
  });
});

describe('Segment single-message endpoints', () => {
  it('accepts /v1/track and /v1/i (analytics.js default endpoints) with the type implied', async () => {
    const a = await h.post({ userId: 'u1', event: 'Signed Up', messageId: 's1' }, { path: '/v1/track' });
    const b = await h.post(
      { userId: 'u1', traits: { a: 1 }, messageId: 's2', writeKey: h.ws.publishableKey },
      { path: '/v1/i' },
    );
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await storedEvents(h.db)).map((e) => e.type)).toEqual(['track', 'identify']);
  });

  it('points errors at the message fields', async () => {
    const res = await h.post({ userId: 'u1', messageId: 's1' }, { path: '/v1/track' });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([{ pointer: '/event', detail: 'Required' }]);
  });
});

describe('CORS and origins', () => {
  it('rejects a browser origin the workspace does not allow, and stores nothing', async () => {
    const res = await h.post({ batch: [track('m1')] }, { headers: { origin: 'https://evil.test' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'origin_not_allowed' });
    expect(await storedEvents(h.db)).toHaveLength(0);
  });

  it('lets the refused page read the 403 (its own origin, Vary: Origin), and nothing else', async () => {
    const origin = 'https://evil.test';
    const refused = [
      await h.post({ batch: [track('m1')] }, { headers: { origin } }),
      await h.post({ userId: 'u1' }, { path: '/v1/content', headers: { origin } }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('vary')).toBe('Origin');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('access-control-expose-headers')).toBeNull();
      expect(await res.json()).toEqual({
        type: 'about:blank',
        title: 'Origin not allowed',
        status: 403,
        code: 'origin_not_allowed',
        detail: "origin https://evil.test is not in this workspace's allowed origins",
      });
    }
    expect(await storedEvents(h.db)).toHaveLength(0);
  });

  it('allows configured origins (and wildcard subdomains) and echoes them', async () => {
    const patch = await h.admin('/workspace', {
      method: 'PATCH',
      body: JSON.stringify({ allowedOrigins: ['https://app.acme.test', 'https://*.globex.test'] }),
    });
    expect(patch.status).toBe(200);
    const a = await h.post({ batch: [track('m1')] }, { headers: { origin: 'https://app.acme.test' } });
    const b = await h.post({ batch: [track('m2')] }, { headers: { origin: 'https://eu.globex.test' } });
    const c = await h.post({ batch: [track('m3')] }, { headers: { origin: 'https://globex.test.evil' } });
    expect([a.status, b.status, c.status]).toEqual([200, 200, 403]);
    expect(a.headers.get('access-control-allow-origin')).toBe('https://app.acme.test');
    // An allowed page may read why its request failed, too.
    const bad = await h.post(
      { batch: [{ type: 'track' }] },
      { headers: { origin: 'https://app.acme.test' } },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe('https://app.acme.test');
    // A refused page may read the 403 that says so (its body is the problem, nothing else).
    expect(c.headers.get('access-control-allow-origin')).toBe('https://globex.test.evil');
    expect((await c.json()).code).toBe('origin_not_allowed');
  });

  it('always allows pages served by this server itself', async () => {
    const res = await h.post({ batch: [track('m1')] }, { headers: { origin: 'http://localhost' } });
    expect(res.status).toBe(200);
  });

  it('answers preflight requests', async () => {
    const res = await h.app.request('/v1/batch', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.acme.test', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  it('names the field of a bad allowed origin', async () => {
    const res = await h.admin('/workspace', {
      method: 'PATCH',
      body: JSON.stringify({ allowedOrigins: ['acme.test/x'] }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].pointer).toBe('/allowedOrigins/0');
  });
});

describe('identity verification', () => {
  const signed = (userId: string, secret: string) => userHash(secret, userId);

  it('counts signed, unsigned and invalid traffic while enforcement is off', async () => {
    await h.post({
      batch: [
        { type: 'identify', userId: 'u1', messageId: 'a', userHash: signed('u1', h.ws.identitySecret) },
        {
          type: 'identify',
          userId: 'u2',
          messageId: 'b',
          context: { userHash: signed('u2', h.ws.identitySecret) },
        },
        {
          type: 'identify',
          userId: 'u3',
          messageId: 'c',
          userHash: signed('someone-else', h.ws.identitySecret),
        },
        { type: 'identify', userId: 'u4', messageId: 'd' },
        { type: 'page', anonymousId: 'x', messageId: 'e' },
      ],
    });
    const ws = await (await h.admin('/workspace')).json();
    expect(ws.identityVerification).toEqual({
      mode: 'off',
      liveSecrets: 1,
      traffic: { signed: 2, unsigned: 1, invalid: 1, trusted: 0, signedShare: 0.5 },
      accountTraffic: { signed: 0, unsigned: 0, invalid: 0, trusted: 0, signedShare: null },
    });
    // The hash is a credential: it is checked, not stored.
    expect((await storedEvents(h.db)).some((e) => String(e.context).includes('userHash'))).toBe(false);
  });

  it('rejects unsigned and wrongly signed user messages once enforced, and accepts signed and anonymous ones', async () => {
    await h.admin('/workspace', {
      method: 'PATCH',
      body: JSON.stringify({ identityVerification: 'enforce' }),
    });
    const res = await h.post({
      batch: [
        track('m1', { userHash: signed('u1', h.ws.identitySecret) }),
        track('m2'),
        track('m3', { userHash: 'f'.repeat(64) }),
        { type: 'page', anonymousId: 'visitor', messageId: 'm4' },
      ],
    });
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 2, rejected: [{ index: 1 }, { index: 2 }] });
    expect(body.rejected[0].errors[0].pointer).toBe('/batch/1/userHash');
  });

  it('keeps the previous secret valid after a rotation', async () => {
    await h.admin('/workspace', {
      method: 'PATCH',
      body: JSON.stringify({ identityVerification: 'enforce' }),
    });
    const rotated = await (await h.admin('/workspace/identity-secrets', { method: 'POST' })).json();
    const res = await h.post({
      batch: [
        track('old', { userHash: signed('u1', h.ws.identitySecret) }),
        track('new', { userHash: signed('u1', rotated.identitySecret) }),
      ],
    });
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: [] });
  });

  it("trusts messages sent with the secret key (the customer's own server)", async () => {
    await h.admin('/workspace', {
      method: 'PATCH',
      body: JSON.stringify({ identityVerification: 'enforce' }),
    });
    const res = await h.post(
      { batch: [track('m1')] },
      { headers: { authorization: `Bearer ${h.ws.secretKey}` } },
    );
    expect(await res.json()).toMatchObject({ accepted: 1 });
    expect((await storedEvents(h.db))[0]?.identity).toBe('trusted');
  });
});

describe('admin API', () => {
  it('needs the secret key, not the publishable one', async () => {
    const res = await h.app.request('/v1/admin/events', {
      headers: { authorization: `Bearer ${h.ws.publishableKey}` },
    });
    expect(res.status).toBe(401);
  });

  it('never shows another workspace its events', async () => {
    const other = await createWorkspace(h.db, { id: 'ws2', name: 'Other' }, h.clock.now);
    await h.post({ batch: [track('m1')] });
    const res = await h.app.request('/v1/admin/events', {
      headers: { authorization: `Bearer ${other.secretKey}` },
    });
    expect((await res.json()).events).toEqual([]);
  });

  it('pages through events newest first', async () => {
    await h.post({ batch: [track('m1'), track('m2'), track('m3')] });
    const first = await (await h.admin('/events?limit=2')).json();
    expect(first.events.map((e: { messageId: string }) => e.messageId)).toEqual(['m3', 'm2']);
    const rest = await (await h.admin(`/events?limit=2&before=${first.next}`)).json();
    expect(rest.events.map((e: { messageId: string }) => e.messageId)).toEqual(['m1']);
  });

  it('names a bad query parameter', async () => {
    const res = await h.admin('/events?limit=0');
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].pointer).toBe('/limit');
  });
});
