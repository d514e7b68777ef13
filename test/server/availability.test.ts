import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { correctedTimestamp } from '../../server/ingest/parse-batch.ts';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness, storedEvents } from './harness.ts';

// Issue 10, "Availability" and "Bad input and limits": no request may take the server down, and
// malformed input is a 4xx with a pointer, never a 500.

let h: Harness;
beforeEach(async () => {
  h = await createHarness(); // now = 2026-11-23T12:00:00.000Z
});
afterEach(async () => {
  await h.close();
});

const kb = 1024;

/**
 * A body that streams `chunk`-byte pieces of `x` without a Content-Length, as a chunked upload does,
 * up to `total` bytes; `pulled()` says how many bytes the server asked for.
 */
function streamedBody(total: number, chunk = 16 * kb) {
  let pulled = 0;
  const piece = new TextEncoder().encode('x'.repeat(chunk));
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += piece.length;
        controller.enqueue(piece);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

async function postStream(path: string, total: number, headers: Record<string, string> = {}) {
  const stream = streamedBody(total);
  const res = await h.app.request(path, {
    method: 'POST',
    body: stream.body,
    headers,
    // Node's fetch needs this for a streamed request body.
    duplex: 'half',
  } as RequestInit);
  return { res, pulled: stream.pulled() };
}

async function expectTooLarge(res: Response) {
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(await res.json()).toMatchObject({ status: 413, code: 'payload_too_large' });
}

describe('body limits: enforced while reading, before parsing and before any key lookup', () => {
  it('refuses a declared Content-Length over the limit of /v1/content (64 KB) without reading it', async () => {
    const stream = streamedBody(100 * 1024 * kb);
    const res = await h.app.request('/v1/content', {
      method: 'POST',
      body: stream.body,
      headers: { 'content-length': String(64 * kb + 1) },
      duplex: 'half',
    } as RequestInit);
    // No key in the request: had anything read it, the answer would be 401 or 400.
    await expectTooLarge(res);
    expect(stream.pulled()).toBe(0);
  });

  it('stops reading a streamed /v1/content body without Content-Length soon after 64 KB', async () => {
    const { res, pulled } = await postStream('/v1/content', 100 * 1024 * kb);
    await expectTooLarge(res);
    // 64 KB and one 16 KB piece, not the 100 MB offered.
    expect(pulled).toBeLessThanOrEqual(80 * kb);
  });

  it('still answers /v1/content bodies under 64 KB', async () => {
    const res = await h.app.request('/v1/content', {
      method: 'POST',
      body: JSON.stringify({ writeKey: h.ws.publishableKey, userId: 'u1', pad: 'x'.repeat(60 * kb) }),
    });
    expect(res.status).toBe(200);
  });

  it('refuses a streamed ingestion body soon after 500 KB, before the key is looked up', async () => {
    const { res, pulled } = await postStream('/v1/batch', 100 * 1024 * kb, {
      authorization: 'Basic bm90LWEta2V5Og==',
    });
    await expectTooLarge(res);
    expect(pulled).toBeLessThanOrEqual(516 * kb);
  });

  it('refuses admin bodies over 1 MB before checking the secret key', async () => {
    const declared = await h.app.request('/v1/admin/milestones', {
      method: 'POST',
      body: 'x',
      headers: { authorization: 'Bearer sk_wrong', 'content-length': String(1024 * kb + 1) },
    });
    await expectTooLarge(declared);
    const { res, pulled } = await postStream('/v1/admin/milestones', 100 * 1024 * kb, {
      authorization: 'Bearer sk_wrong',
    });
    await expectTooLarge(res);
    expect(pulled).toBeLessThanOrEqual(1040 * kb);
  });

  it('gives routes that read no body a small default (16 KB)', async () => {
    const { res, pulled } = await postStream('/demo/anything', 100 * 1024 * kb);
    await expectTooLarge(res);
    expect(pulled).toBeLessThanOrEqual(32 * kb);
  });
});

const track = (i: number) => ({ type: 'track', event: 'E', userId: 'u1', messageId: `m${i}` });

describe('response amplification: bounded batches and error answers', () => {
  it('answers a 510 KB batch of 170,000 {} with a small 400 pointing at /batch, fast', async () => {
    const body = `{"batch":[${Array(170_000).fill('{}').join(',')}]}`;
    expect(body.length).toBe(510_011);
    const started = performance.now();
    const res = await h.post(body);
    const text = await res.text();
    const elapsed = performance.now() - started;
    expect(res.status).toBe(400);
    expect(JSON.parse(text)).toEqual({
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      code: 'validation_failed',
      detail: 'The body must be a Segment batch: {"batch": [...], "sentAt": "..."}.',
      errors: [
        { pointer: '/batch', detail: 'must hold at most 500 messages: send more in several requests' },
      ],
    });
    expect(text.length).toBeLessThan(400);
    // It took 3 s and answered 29.7 MB before the bound.
    expect(elapsed).toBeLessThan(1500);
  });

  it('takes 500 messages in a batch and refuses 501', async () => {
    const full = await h.post({ batch: Array.from({ length: 500 }, (_, i) => track(i)) });
    expect(full.status).toBe(200);
    expect(await full.json()).toMatchObject({ accepted: 500, rejectedCount: 0 });
    const over = await h.post({ batch: Array.from({ length: 501 }, (_, i) => track(1000 + i)) });
    expect(over.status).toBe(400);
    expect((await over.json()).errors).toEqual([
      { pointer: '/batch', detail: 'must hold at most 500 messages: send more in several requests' },
    ]);
    expect(await storedEvents(h.db)).toHaveLength(500);
  });

  it('lists the first 100 rejected messages and counts them all', async () => {
    const batch = [...Array.from({ length: 299 }, () => ({ type: 'track', userId: 'u1' })), track(1)];
    const res = await h.post({ batch });
    expect(res.status).toBe(200);
    const result = await res.json();
    expect(result).toMatchObject({ success: false, accepted: 1, duplicates: 0, rejectedCount: 299 });
    expect(result.rejected).toHaveLength(100);
    expect(result.rejected[0]).toEqual({
      index: 0,
      errors: [{ pointer: '/batch/0/event', detail: 'Required' }],
    });
    expect(result.rejected[99].index).toBe(99);
  });

  it('answers a batch that stores nothing with the first 100 errors and the count', async () => {
    const res = await h.post({ batch: Array.from({ length: 300 }, () => ({ type: 'track', userId: 'u1' })) });
    expect(res.status).toBe(400);
    const problem = await res.json();
    expect(problem).toMatchObject({
      code: 'validation_failed',
      rejectedCount: 300,
      detail:
        'No message in this request was valid; nothing was stored. The errors of the first 100 of 300 are listed.',
    });
    expect(problem.errors).toHaveLength(100);
    expect(problem.errors[99]).toEqual({ pointer: '/batch/99/event', detail: 'Required' });
  });
});

/** `{a: {a: ... 1}}`, `levels` objects deep. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}
const deepPointer = (prefix: string) => `${prefix}${'/a'.repeat(32)}`;
const tooDeep = 'must not be nested more than 32 levels deep';

describe('one poisoned message: bounded nesting and keys, a 400 for that message alone', () => {
  it('rejects traits nested 2,000 deep with a pointer, and stores the message beside it', async () => {
    const res = await h.post({
      batch: [
        { type: 'identify', userId: 'u1', messageId: 'deep', traits: nested(2000) },
        { type: 'track', userId: 'u1', messageId: 'fine', event: 'E' },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: false,
      accepted: 1,
      duplicates: 0,
      rejected: [{ index: 0, errors: [{ pointer: deepPointer('/batch/0/traits'), detail: tooDeep }] }],
      rejectedCount: 1,
    });
    expect((await storedEvents(h.db)).map((e) => e.message_id)).toEqual(['fine']);
  });

  it('takes traits 32 levels deep', async () => {
    const res = await h.post({ batch: [{ type: 'identify', userId: 'u1', traits: nested(31) }] });
    expect(res.status).toBe(200);
  });

  it('rejects properties and context too deep, and too many keys in one object', async () => {
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const res = await h.post({
      batch: [
        { type: 'track', userId: 'u1', event: 'E', properties: { list: [nested(40)] } },
        { type: 'page', userId: 'u1', context: { page: { path: '/' }, extra: nested(40) } },
        { type: 'track', userId: 'u1', event: 'E', properties: wide },
      ],
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      { pointer: `/batch/0/properties/list/0${'/a'.repeat(30)}`, detail: tooDeep },
      { pointer: `/batch/1/context/extra${'/a'.repeat(31)}`, detail: tooDeep },
      { pointer: '/batch/2/properties', detail: 'must not hold more than 256 keys (it holds 300)' },
    ]);
  });

  it('rejects a message nested deeper than JSON.stringify can recurse with a 400, not a 500', async () => {
    const depth = 100_000;
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const res = await h.post(
      `{"batch":[{"type":"track","userId":"u1","event":"E","properties":{"a":${arrays}}},${arrays}]}`,
    );
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      { pointer: `/batch/0/properties/a${'/0'.repeat(31)}`, detail: tooDeep },
      { pointer: `/batch/1${'/0'.repeat(33)}`, detail: tooDeep },
    ]);
  });

  it('bounds the traits of POST /v1/content the same way', async () => {
    const res = await h.app.request('/v1/content', {
      method: 'POST',
      body: JSON.stringify({ writeKey: h.ws.publishableKey, userId: 'u1', traits: nested(2000) }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([{ pointer: deepPointer('/traits'), detail: tooDeep }]);
  });
});

const unstorable = 'must not contain NUL (U+0000) or an unpaired surrogate';
const badId = 'must not contain control characters (U+0000 to U+001F) or an unpaired surrogate';

describe('malformed input is a 4xx', () => {
  it('answers malformed percent-encoding in static paths with 404, not 500', async () => {
    for (const path of [
      '/widget/%E0%A4%A',
      '/demo/assets/%E0%A4%A',
      '/widget/%',
      '/widget.js%',
      '/demo/assets/%',
    ]) {
      const res = await h.app.request(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('refuses NUL in a milestone property, trait or event name with a pointer', async () => {
    const milestone = await h.adminJson('/milestones', 'POST', {
      key: 'k1',
      name: 'Nul',
      rule: { event: 'Invoice\u0000Sent', where: [{ property: 'a\u0000b', op: 'exists' }] },
    });
    expect(milestone.status).toBe(400);
    expect(milestone.body.errors).toEqual([
      { pointer: '/rule/event', detail: unstorable },
      { pointer: '/rule/where/0/property', detail: unstorable },
    ]);
    const survey = await h.adminJson('/surveys', 'POST', {
      name: 'NPS',
      content: {
        productName: 'Acme',
        ...defaultSurveyText,
        audience: { conditions: [{ on: 'user', trait: 'pl\u0000an', op: 'exists' }] },
      },
    });
    expect(survey.status).toBe(400);
    expect(survey.body.errors).toEqual([
      { pointer: '/content/audience/conditions/0/trait', detail: unstorable },
    ]);
  });

  it('refuses NUL and unpaired surrogates in ids and event names, which SQLite would cut or merge', async () => {
    const res = await h.post(
      '{"batch":[{"type":"track","event":"E\\u0000x","userId":"u1\\u0000admin","messageId":"m\\ud800"},' +
        '{"type":"track","event":"E","userId":"u1","context":{"groupId":"acme\\u0000"}},' +
        '{"type":"track","event":"E","userId":"u1","messageId":"ok"}]}',
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: false,
      accepted: 1,
      duplicates: 0,
      rejected: [
        {
          index: 0,
          errors: [
            { pointer: '/batch/0/messageId', detail: unstorable },
            { pointer: '/batch/0/userId', detail: badId },
            { pointer: '/batch/0/event', detail: unstorable },
          ],
        },
        { index: 1, errors: [{ pointer: '/batch/1/context/groupId', detail: badId }] },
      ],
      rejectedCount: 2,
    });
    const content = await h.app.request('/v1/content', {
      method: 'POST',
      body: JSON.stringify({ writeKey: h.ws.publishableKey, userId: 'u1\u0000x' }),
    });
    expect(content.status).toBe(400);
    expect((await content.json()).errors).toEqual([{ pointer: '/userId', detail: badId }]);
  });

  it('refuses NUL in an NPS segment trait, which reaches a SQL JSON path', async () => {
    const created = await h.adminJson('/surveys', 'POST', {
      name: 'NPS',
      content: { productName: 'Acme', ...defaultSurveyText },
    });
    const id = created.body.id as string;
    expect((await h.admin(`/surveys/${id}/publish`, { method: 'POST' })).status).toBe(201);
    const answer = {
      type: 'track',
      userId: 'u1',
      event: '$waymark.survey_answered',
      timestamp: '2026-11-20T12:00:00.000Z',
      properties: { contentId: id, version: 1, responseId: 'r-00000001', score: 9 },
    };
    expect((await h.post({ batch: [answer] })).status).toBe(200);
    for (const path of [`/surveys/${id}/results`, `/surveys/${id}/responses`]) {
      const res = await h.adminJson(`${path}?segment=${encodeURIComponent('plan\u0000')}`);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.errors).toEqual([{ pointer: '/segment', detail: unstorable }]);
    }
  });
});

describe('timestamps: bounded, as Segment and PostHog bound them', () => {
  const receivedAt = Date.parse('2026-11-23T12:00:00.000Z');
  const at = (iso: string) => Date.parse(iso);

  it('keeps a sane timestamp, corrected for the device clock', () => {
    // Device two days fast: the event five minutes before sending.
    expect(correctedTimestamp('2026-11-25T11:55:00.000Z', '2026-11-25T12:00:00.000Z', receivedAt)).toBe(
      at('2026-11-23T11:55:00.000Z'),
    );
    // A device whose clock restarted at 1970 is brought back to now by the correction.
    expect(correctedTimestamp('1970-01-01T00:00:00.000Z', '1970-01-01T00:05:00.000Z', receivedAt)).toBe(
      at('2026-11-23T11:55:00.000Z'),
    );
    expect(correctedTimestamp('2000-01-01T00:00:00.000Z', undefined, receivedAt)).toBe(
      at('2000-01-01T00:00:00.000Z'),
    );
    expect(correctedTimestamp('2026-11-24T11:00:00.000Z', undefined, receivedAt)).toBe(
      at('2026-11-24T11:00:00.000Z'),
    );
  });

  it('takes a time more than 24 h ahead as the time received', () => {
    expect(correctedTimestamp('2026-11-24T12:00:01.000Z', undefined, receivedAt)).toBe(receivedAt);
    expect(correctedTimestamp('9999-12-31T00:00:00.000Z', undefined, receivedAt)).toBe(receivedAt);
  });

  it('refuses a time before 2000', () => {
    expect(correctedTimestamp('1999-12-31T23:59:59.999Z', undefined, receivedAt)).toBeNull();
    expect(correctedTimestamp('0000-01-01T00:00:00.000Z', undefined, receivedAt)).toBeNull();
    // The case that stored a first-seen of -007974-12-04.
    expect(correctedTimestamp('0000-01-01T00:00:00.000Z', '9999-12-31T00:00:00.000Z', receivedAt)).toBeNull();
  });

  it('lets no absurd sentAt move a sane timestamp out of range', () => {
    expect(correctedTimestamp('2026-11-23T11:00:00.000Z', '9999-12-31T00:00:00.000Z', receivedAt)).toBe(
      at('2026-11-23T11:00:00.000Z'),
    );
    expect(correctedTimestamp('2026-11-23T11:00:00.000Z', '0000-01-01T00:00:00.000Z', receivedAt)).toBe(
      at('2026-11-23T11:00:00.000Z'),
    );
  });

  it('rejects a message from before 2000 with a pointer, and stores the others at bounded times', async () => {
    const res = await h.post({
      batch: [
        { type: 'track', event: 'E', userId: 'u1', messageId: 'past', timestamp: '0000-01-01T00:00:00Z' },
        { type: 'track', event: 'E', userId: 'u1', messageId: 'future', timestamp: '9999-12-31T00:00:00Z' },
        {
          type: 'track',
          event: 'E',
          userId: 'u1',
          messageId: 'skewed',
          timestamp: '2026-11-23T11:00:00Z',
          sentAt: '9999-12-31T00:00:00Z',
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: false,
      accepted: 2,
      duplicates: 0,
      rejected: [
        {
          index: 0,
          errors: [
            {
              pointer: '/batch/0/timestamp',
              detail: 'must not be before 2000-01-01T00:00:00.000Z, after clock-skew correction',
            },
          ],
        },
      ],
      rejectedCount: 1,
    });
    expect((await storedEvents(h.db)).map((e) => [e.message_id, e.timestamp])).toEqual([
      ['future', at('2026-11-23T12:00:00.000Z')],
      ['skewed', at('2026-11-23T11:00:00.000Z')],
    ]);
    expect((await h.adminJson('/users/u1')).body.firstSeen).toBe('2026-11-23T11:00:00.000Z');
  });
});
