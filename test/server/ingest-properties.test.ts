import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../../shared/problem.ts';
import { basic, createHarness, type Harness } from './harness.ts';
import {
  anyJson,
  checkAnswer,
  encodeSegment,
  mutate,
  mutations,
  notJson,
  oddString,
  parsedBody,
  runs,
  type Sent,
  timeLimit,
  toJsonText,
} from './properties.ts';

/**
 * Property-based tests of the public, key-holding endpoints: `POST /v1/batch` (and `/v1/b`), the
 * Segment single-message paths (`/v1/track`, `/v1/t`, ...) and `POST /v1/content`. For random JSON,
 * mutations of valid bodies and text that is not JSON: never a 5xx, every 4xx a problem with a stable
 * code and pointers into the request, and a batch stores exactly its valid messages, each once.
 * Replay a failure with the FC_SEED and FC_PATH fast-check prints (test/server/properties.ts).
 */

let h: Harness;
/** The published content, by collection (`surveys`, ...). */
const contentIds: Record<string, string> = {};
const day = 86_400_000;
const at = (daysAgo: number) =>
  new Date(Date.parse('2026-11-23T12:00:00.000Z') - daysAgo * day).toISOString();

beforeAll(async () => {
  // Thousands of requests from one address: rate limits (tested on their own) would answer 429.
  h = await createHarness(undefined, { rateLimits: false });
  // Content of every kind, so that /v1/content has audiences, progress and translations to work through.
  const created = await Promise.all(
    [
      [
        'checklists',
        {
          name: 'Setup',
          content: {
            title: 'Get started',
            items: [
              { id: 'invoice', title: 'Send', completion: { kind: 'event', event: 'Invoice Sent' } },
              {
                id: 'page',
                title: 'Visit',
                completion: { kind: 'url', url: { match: 'glob', pattern: '/a/*' } },
              },
            ],
            audience: { conditions: [{ on: 'user', trait: 'plan', op: 'in', value: ['pro', 'free'] }] },
            translations: { fr: { title: 'Commencer' } },
          },
        },
      ],
      [
        'surveys',
        {
          name: 'NPS',
          content: {
            productName: 'Ledgerly',
            question: 'How likely are you to recommend {product}?',
            lowLabel: 'No',
            highLabel: 'Yes',
            followUp: { detractor: 'Why?', passive: 'Why?', promoter: 'Why?' },
            thankYou: 'Thanks',
            sampling: { firstAskAfterDays: 0, delaySeconds: 0 },
          },
        },
      ],
      [
        'spotlights',
        {
          name: 'Tour',
          content: {
            steps: [{ id: 'one', kind: 'modal', title: 'Hello' }],
            audience: { urls: [{ match: 'regex', pattern: '^/invoices/[^/]+$' }] },
          },
        },
      ],
    ].map(async ([kind, body]) => {
      const res = await h.adminJson(`/${kind}`, 'POST', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect((await h.adminJson(`/${kind}/${res.body.id}/publish`, 'POST')).status).toBe(201);
      contentIds[kind as string] = res.body.id;
    }),
  );
  expect(created).toHaveLength(3);
});
afterAll(async () => {
  await h.close();
});

/** Valid messages of every type; `messageId`s are given per run. */
const validMessage = fc.oneof(
  fc.record({
    type: fc.constant('track'),
    event: fc.constantFrom('Invoice Sent', 'Signed Up', 'Exported CSV'),
    userId: fc.constantFrom('u1', 'u2', 'user with spaces'),
    properties: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    timestamp: fc.integer({ min: 0, max: 400 }).map(at),
  }),
  fc.record({
    type: fc.constant('identify'),
    userId: fc.constantFrom('u1', 'u2', 42),
    traits: fc.record({ plan: fc.constantFrom('pro', 'free'), createdAt: fc.constant(at(30)) }),
  }),
  fc.record({
    type: fc.constant('group'),
    userId: fc.constantFrom('u1', 'u2'),
    groupId: fc.constantFrom('acme', 'globex'),
    traits: fc.record({ name: fc.constantFrom('Acme', 'Globex'), seats: fc.nat(500) }),
  }),
  // The widget's own events about the published content, which /v1/content reads back (a user's
  // prompt history). Survey events naming no survey of the workspace are refused.
  fc
    .record({
      event: fc.constantFrom(
        'survey_shown',
        'survey_dismissed',
        'spotlight_shown',
        'checklist_shown',
        'spotlight_dismissed',
      ),
      stepId: fc.constantFrom('one', 'two'),
    })
    .map(({ event, stepId }) => ({
      type: 'track',
      userId: 'u1',
      event: `$waymark.${event}`,
      properties: {
        contentId: contentIds[`${event.split('_')[0]}s`],
        version: 1,
        ...(event === 'spotlight_dismissed' ? { stepId } : {}),
      },
    })),
  fc.record({
    type: fc.constantFrom('page', 'screen'),
    anonymousId: fc.constantFrom('anon-1', 'anon-2'),
    name: fc.constantFrom('Home', 'Invoices'),
    context: fc.constant({ page: { path: '/a/b', search: '?x=1' }, locale: 'fr' }),
  }),
);

/** A message of a mixed batch: what it was made as, and what is sent. */
type Part = { made: 'valid' | 'mutated' | 'junk'; message: unknown };

const batchPart: fc.Arbitrary<Part> = fc.oneof(
  { weight: 3, arbitrary: validMessage.map((message): Part => ({ made: 'valid', message })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(validMessage, mutations)
      .map(([message, changes]): Part => ({ made: 'mutated', message: mutate(message, changes) })),
  },
  { weight: 1, arbitrary: anyJson.map((message): Part => ({ made: 'junk', message })) },
);

/** Every run's messages get ids of their own, so that the rows of one run are told apart. */
let runNumber = 0;

async function eventCount(): Promise<number> {
  const [row] = await h.db.read.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM events WHERE workspace_id = 'ws1'`,
  );
  return row?.n ?? 0;
}

async function rowsWithId(messageId: string): Promise<number> {
  const [row] = await h.db.read.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM events WHERE workspace_id = 'ws1' AND message_id = ${messageId}`,
  );
  return row?.n ?? 0;
}

/** POSTs `sent` to an ingestion path with the publishable key as Basic auth. */
const ingest = (path: string, sent: Sent, contentType = 'text/plain') =>
  h.app.request(path, {
    method: 'POST',
    body: sent,
    headers: { authorization: basic(h.ws.publishableKey), 'content-type': contentType },
  });

const ingestionPaths = [
  '/v1/batch',
  '/v1/b',
  '/v1/track',
  '/v1/t',
  '/v1/identify',
  '/v1/g',
  '/v1/page',
  '/v1/s',
];

describe('POST /v1/batch with mixed batches', () => {
  it(
    'stores each valid message exactly once and no rejected one, and its counts add up to the batch',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(batchPart, { minLength: 1, maxLength: 12 }),
          fc.boolean(),
          async (parts, repeatFirstValid) => {
            const run = ++runNumber;
            const batch = parts.map((part, i) => {
              const { message } = part;
              // A message that is still an object gets this run's id (a mutation may change it later).
              return message !== null && typeof message === 'object' && !Array.isArray(message)
                ? { messageId: `r${run}-${i}`, ...message }
                : message;
            });
            const firstValid = parts.findIndex((part) => part.made === 'valid');
            if (repeatFirstValid && firstValid >= 0) {
              parts.push(parts[firstValid] as Part);
              batch.push(batch[firstValid]);
            }
            const before = await eventCount();
            const text = toJsonText({ batch, sentAt: at(0) });
            const res = await ingest('/v1/batch', text);
            const label = `batch of ${batch.length}`;
            const problem = await checkAnswer(res, label, parsedBody(text));
            const stored = (await eventCount()) - before;

            if (problem) {
              expect(stored, label).toBe(0);
              // A batch with a valid message is refused whole only for a size limit of the request.
              if (parts.some((part) => part.made === 'valid')) {
                expect([errorCodes.messageTooLarge, errorCodes.payloadTooLarge], label).toContain(
                  problem.code,
                );
              }
              if (problem.code === errorCodes.validationFailed)
                expect(problem.rejectedCount).toBe(batch.length);
              return;
            }
            const answer = await res.json();
            expect(answer.accepted + answer.duplicates + answer.rejectedCount, label).toBe(batch.length);
            expect(answer.rejected.length, label).toBe(Math.min(answer.rejectedCount, 100));
            expect(stored, label).toBe(answer.accepted);
            const rejected = new Set<number>(answer.rejected.map((r: { index: number }) => r.index));
            for (const [index, part] of parts.entries()) {
              if (part.made === 'valid')
                expect(rejected.has(index), `${label}: #${index} is valid`).toBe(false);
              const id = (batch[index] as { messageId?: unknown } | null)?.messageId;
              // Ids a mutation left as this run gave them (repeated ones are checked through the first).
              if (typeof id !== 'string' || !id.startsWith(`r${run}-`)) continue;
              const accepted = batch.some(
                (other, i) => !rejected.has(i) && (other as { messageId?: unknown })?.messageId === id,
              );
              expect(await rowsWithId(id), `${label}: rows of #${index}`).toBe(accepted ? 1 : 0);
            }

            // What was stored can be read: the prompt history and traits /v1/content reads for u1.
            await checkAnswer(
              await h.app.request('/v1/content', {
                method: 'POST',
                body: JSON.stringify({ writeKey: h.ws.publishableKey, userId: 'u1', groupId: 'acme' }),
              }),
              `${label}: /v1/content afterwards`,
            );

            // Sent again, nothing new is stored: every valid message is a duplicate now.
            const again = await ingest('/v1/batch', text);
            expect(again.status).toBe(200);
            const second = await again.json();
            expect(second, label).toMatchObject({
              accepted: 0,
              duplicates: answer.accepted + answer.duplicates,
              rejectedCount: answer.rejectedCount,
            });
            expect(await eventCount(), label).toBe(before + answer.accepted);
          },
        ),
        runs(100),
      );
    },
    timeLimit(120_000),
  );
});

describe('ingestion endpoints with hostile bodies', () => {
  /** What a 2xx answer must say, and that a 4xx stored nothing. */
  async function checkIngestion(path: string, sent: Sent, contentType?: string) {
    const before = await eventCount();
    const res = await ingest(path, sent, contentType);
    const problem = await checkAnswer(res, `${path} ${String(sent).slice(0, 80)}`, parsedBody(sent));
    const stored = (await eventCount()) - before;
    if (problem) {
      expect(stored).toBe(0);
      return;
    }
    const answer = await res.json();
    const body = parsedBody(sent) as { batch?: unknown[] };
    const length = path === '/v1/batch' || path === '/v1/b' ? (body.batch?.length ?? 0) : 1;
    expect(answer.accepted + answer.duplicates + answer.rejectedCount).toBe(length);
    expect(stored).toBe(answer.accepted);
  }

  it(
    'answers any JSON value with a 2xx or a problem, never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ingestionPaths),
          fc.oneof(
            anyJson,
            anyJson.map((batch) => ({ batch })),
            fc.array(anyJson, { maxLength: 5 }).map((batch) => ({ batch })),
          ),
          async (path, body) => checkIngestion(path, toJsonText(body)),
        ),
        runs(200),
      );
    },
    timeLimit(120_000),
  );

  it(
    'answers mutations of a valid body with a 2xx or a problem that points into the body',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ingestionPaths),
          fc.array(validMessage, { minLength: 1, maxLength: 5 }),
          mutations,
          async (path, messages, changes) => {
            const run = ++runNumber;
            const batch = messages.map((m, i) => ({ messageId: `r${run}-${i}`, ...m }));
            const single = !path.endsWith('/batch') && !path.endsWith('/b');
            const valid = single
              ? { ...batch[0], sentAt: at(0) }
              : { batch, sentAt: at(0), context: { ip: '1' } };
            await checkIngestion(path, toJsonText(mutate(valid, changes)));
          },
        ),
        runs(200),
      );
    },
    timeLimit(120_000),
  );

  it(
    'answers text and bytes that are not JSON with 400 invalid_json',
    async () => {
      const valid = JSON.stringify({ batch: [{ type: 'track', event: 'x', userId: 'u1' }] });
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ingestionPaths),
          notJson(valid),
          fc.constantFrom(
            'text/plain',
            'application/json',
            'application/octet-stream',
            'multipart/form-data',
          ),
          async (path, sent, contentType) => {
            const res = await ingest(path, sent, contentType);
            const problem = await checkAnswer(res, `${path} ${String(sent).slice(0, 80)}`, parsedBody(sent));
            if (parsedBody(sent) === undefined) expect(problem?.code).toBe(errorCodes.invalidJson);
          },
        ),
        runs(150),
      );
    },
    timeLimit(60_000),
  );

  it(
    'answers any other path under /v1 without a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(oddString, async (kind) => {
          const path = `/v1/${encodeSegment(kind)}`;
          const res = await ingest(path, JSON.stringify({ type: 'track', event: 'x', userId: 'u1' }));
          await checkAnswer(res, path);
        }),
        runs(100),
      );
    },
    timeLimit(60_000),
  );
});

describe('POST /v1/content with hostile bodies', () => {
  const validRequest = fc.record({
    userId: fc.constantFrom('u1', 'u2', 'nobody'),
    anonymousId: fc.constantFrom('anon-1', null),
    groupId: fc.constantFrom('acme', null),
    traits: fc.record({ plan: fc.constantFrom('pro', 'free', 'enterprise') }),
    groupTraits: fc.constant({ seats: 3 }),
    locale: fc.constantFrom('fr', 'en-GB', 'ar', null),
  });

  async function checkContent(sent: Sent, label: string) {
    const before = await eventCount();
    const res = await h.app.request('/v1/content', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: sent,
    });
    await checkAnswer(res, label, parsedBody(sent));
    // Content is read, never written.
    expect(await eventCount()).toBe(before);
  }

  it(
    'answers any JSON value, and mutations of a valid request, with a 200 or a problem',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            anyJson.map((body) => ({ body })),
            fc.tuple(validRequest, mutations).map(([request, changes]) => ({
              body: mutate({ writeKey: h.ws.publishableKey, ...request }, changes),
            })),
          ),
          async ({ body }) => {
            const text = toJsonText(body);
            await checkContent(text, text.slice(0, 200));
          },
        ),
        runs(250),
      );
    },
    timeLimit(120_000),
  );

  it(
    'answers text and bytes that are not JSON with 400 invalid_json',
    async () => {
      const valid = JSON.stringify({ writeKey: 'pk_x', userId: 'u1' });
      await fc.assert(
        fc.asyncProperty(notJson(valid), async (sent) => {
          await checkContent(sent, String(sent).slice(0, 80));
        }),
        runs(100),
      );
    },
    timeLimit(60_000),
  );
});

describe('regressions the properties found', () => {
  it('points "userId or anonymousId is required" only at a message that is an object', async () => {
    const res = await ingest('/v1/batch', JSON.stringify({ batch: ['', 5, [], null, {}] }));
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      { pointer: '/batch/0', detail: 'must be one of identify, track, page, screen, group' },
      { pointer: '/batch/1', detail: 'must be one of identify, track, page, screen, group' },
      { pointer: '/batch/2', detail: 'must be one of identify, track, page, screen, group' },
      { pointer: '/batch/3', detail: 'must be one of identify, track, page, screen, group' },
      { pointer: '/batch/4/type', detail: 'must be one of identify, track, page, screen, group' },
      { pointer: '/batch/4/userId', detail: 'userId or anonymousId is required' },
    ]);
  });
});
