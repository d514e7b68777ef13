import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';
import {
  anyJson,
  checkAnswer,
  encodeSegment,
  mutate,
  mutations,
  notJson,
  oddNumber,
  oddString,
  parsedBody,
  runs,
  type Sent,
  textChanges,
  timeLimit,
  toJsonText,
  withOddText,
} from './properties.ts';

/**
 * Property-based tests of every admin route, found in the app's own route table so that a route
 * added later is covered: each POST, PUT and PATCH under /v1/admin gets random JSON, mutations of a
 * valid body and text that is not JSON; every route with a path parameter gets odd ids; every GET
 * gets odd query parameters. Never a 5xx; every 4xx a problem with a stable code, and a validation
 * failure points into the request; and a refused write changes nothing that the admin GETs of its
 * collection show. Path parameters are filled with records of their own, created in setup, so that
 * one route's writes (an archive, a revoke) do not decide another's answers.
 * Replay a failure with the FC_SEED and FC_PATH fast-check prints (test/server/properties.ts).
 */

type Route = { method: string; path: string };

let h: Harness;
/** Per write route (`METHOD path`): its path parameters' values. */
const fillsOf = new Map<string, Record<string, string>>();
let writeRoutes: Route[] = [];
let readRoutes: Route[] = [];

/** The collection a route belongs to: `checklists` for `/v1/admin/checklists/:id/publish`. */
const collectionOf = (path: string) => path.split('/')[3] ?? '';

/** The app's routes under /v1/admin, once per method and path; `*` entries are middleware. */
function adminRoutes(): Route[] {
  const seen = new Set<string>();
  return h.app.routes
    .map(({ method, path }) => ({ method, path }))
    .filter(({ method, path }) => {
      const id = `${method} ${path}`;
      if (!path.startsWith('/v1/admin/') || path.includes('*') || method === 'ALL' || seen.has(id))
        return false;
      seen.add(id);
      return true;
    });
}

const day = 86_400_000;
const at = (daysAgo: number) =>
  new Date(Date.parse('2026-11-23T12:00:00.000Z') - daysAgo * day).toISOString();

/** Valid bodies that use much of each schema, so that mutations reach deep into it. */
const validBodies: Record<string, unknown> = {
  milestones: {
    key: 'invoice_sent',
    name: 'Sent an invoice',
    description: 'The first invoice',
    rule: {
      event: 'Invoice Sent',
      where: [{ property: 'amount', op: 'gt', value: 10 }],
      count: 2,
      withinDays: 30,
    },
    isValue: false,
  },
  checklists: {
    name: 'Setup',
    content: {
      title: 'Get started',
      description: 'A few **steps**',
      scope: 'account',
      items: [
        {
          id: 'invoice',
          title: 'Send an invoice',
          completion: {
            kind: 'event',
            event: 'Invoice Sent',
            where: [{ property: 'plan.tier', op: 'in', value: ['a', 1] }],
          },
          action: { kind: 'url', url: '/invoices/new', newTab: true },
        },
        { id: 'fixture', title: 'Reach it', completion: { kind: 'milestone', milestone: 'fixture_key' } },
        {
          id: 'visit',
          title: 'Visit',
          completion: { kind: 'url', url: { match: 'glob', pattern: '/a/**', withQuery: true } },
        },
        {
          id: 'manual',
          title: 'Tick',
          completion: { kind: 'manual' },
          required: false,
          action: { kind: 'callback', name: 'open' },
        },
      ],
      audience: {
        match: 'any',
        conditions: [
          { on: 'user', trait: 'createdAt', op: 'after', value: { daysAgo: 30 } },
          { on: 'account', trait: 'plan', op: 'equals', value: 'pro' },
        ],
        urls: [{ match: 'regex', pattern: '^/app/[^/]+$' }],
        excludeUrls: [{ match: 'prefix', pattern: '/settings' }],
      },
      display: { position: 'bottom-left', openOnFirstView: false, dismissible: true },
      locale: 'en',
      translations: { fr: { title: 'Commencer', items: { invoice: { title: 'Envoyer' } } } },
    },
  },
  surveys: {
    name: 'NPS',
    content: {
      productName: 'Ledgerly',
      question: 'How likely are you to recommend {product}?',
      lowLabel: 'Not likely',
      highLabel: 'Very likely',
      followUp: { detractor: 'Why?', passive: 'What would help?', promoter: 'What do you like?' },
      thankYou: 'Thank you',
      position: 'bottom-bar',
      priority: 60,
      theme: { brandColor: '#0f766e', radius: 4 },
      sampling: { firstAskAfterDays: 0, rate: 0.5, delaySeconds: 5, maxUnansweredDisplays: 2 },
      audience: { conditions: [{ on: 'user', trait: 'plan', op: 'notIn', value: ['free'] }] },
      translations: { de: { question: 'Wie wahrscheinlich?', followUp: { detractor: 'Warum?' } } },
    },
  },
  spotlights: {
    name: 'Tour',
    content: {
      steps: [
        { id: 'hello', kind: 'modal', title: 'Hello', body: 'Welcome [here](https://example.com)' },
        {
          id: 'export',
          kind: 'tooltip',
          title: 'Export',
          anchor: { selector: '#export', text: 'Export', pierceShadow: false },
          placement: { side: 'left', align: 'start', offset: 4 },
          page: { match: 'regex', pattern: '^/invoices/?$' },
          pageUrl: '/invoices',
          advance: 'click',
          whenMissing: 'skip',
          waitSeconds: 5,
        },
      ],
      trigger: { kind: 'event', event: 'Invoice Sent', where: [{ property: 'n', op: 'exists' }] },
      frequency: { mode: 'every', days: 7 },
      priority: 10,
      dismissible: false,
      translations: { fr: { hello: { title: 'Bonjour' } } },
    },
  },
  preview: { url: 'https://app.example.com/x?y=1', expiresInMinutes: 5, locale: 'fr' },
  workspace: {
    name: 'Properties',
    allowedOrigins: ['https://app.example.com', 'https://*.example.com'],
    identityVerification: 'off',
    theme: { brandColor: '#0f766e', font: 'Inter, sans-serif', radius: 8, mode: 'dark' },
    promptCooldownHours: 24,
  },
  keys: { kind: 'publishable', overlapHours: 720 },
  webhooks: {
    url: 'https://hooks.example.com/waymark?team=ops',
    description: 'Ops',
    eventTypes: ['alert.created', 'webhook.test'],
    enabled: true,
  },
  secret: { overlapHours: 2 },
};

/** A valid body for a write route: its action's (`preview`), else its collection's, else `{}`. */
function validBody({ method, path }: Route): unknown {
  const action = path.split('/').at(-1) ?? '';
  if (validBodies[action] !== undefined) return validBodies[action];
  // POST to the collection creates, PUT or PATCH of the collection (or one record) changes.
  const collection = collectionOf(path);
  const changes = path === `/v1/admin/${collection}` || action === ':id';
  return changes && method !== 'DELETE' ? (validBodies[collection] ?? {}) : {};
}

let created = 0;
/** A new record of the collection, for a route's path parameters. */
async function newRecord(collection: string): Promise<Record<string, string>> {
  if (collection === 'keys') {
    const res = await h.adminJson('/keys', 'POST', { kind: 'publishable', overlapHours: 720 });
    expect(res.status).toBe(201);
    return { id: res.body.id };
  }
  const body = validBodies[collection];
  if (!body || collection === 'workspace') return { id: 'nowhere-0000' };
  if (collection === 'webhooks') {
    const res = await h.adminJson('/webhooks', 'POST', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id };
  }
  const res = await h.adminJson(
    `/${collection}`,
    'POST',
    collection === 'milestones' ? { ...body, key: `fixture_${++created}` } : body,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  if (collection === 'milestones') return { id: res.body.id };
  const published = await h.adminJson(`/${collection}/${res.body.id}/publish`, 'POST');
  expect(published.status, JSON.stringify(published.body)).toBe(201);
  return { id: res.body.id, version: '1' };
}

/** The route's path with its parameters filled. */
function urlOf(path: string, fills: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(fills[name] ?? 'nowhere-0000'));
}

/** What the admin GETs of a collection answer (no query), for the records `fills` names. */
async function snapshot(collection: string, fills: Record<string, string>): Promise<Record<string, string>> {
  const reads: Record<string, string> = {};
  for (const { path } of readRoutes) {
    if (collectionOf(path) !== collection) continue;
    const url = urlOf(path, fills);
    const res = await h.admin(url.replace('/v1/admin', ''));
    reads[url] = `${res.status} ${await res.text()}`;
  }
  return reads;
}

/** What every admin GET without a parameter answers: the lists, the workspace, the keys. */
async function everything(): Promise<Record<string, string>> {
  const reads: Record<string, string> = {};
  for (const { path } of readRoutes) {
    if (path.includes(':')) continue;
    const res = await h.admin(path.replace('/v1/admin', ''));
    reads[path] = `${res.status} ${await res.text()}`;
  }
  return reads;
}

/**
 * Sends a body to a write route and checks the answer; a refused write must leave the GETs of its
 * collection as they were.
 */
async function write(route: Route, sent: Sent, contentType = 'application/json') {
  const fills = fillsOf.get(`${route.method} ${route.path}`) ?? {};
  const url = urlOf(route.path, fills);
  const collection = collectionOf(route.path);
  const before = await snapshot(collection, fills);
  const res = await h.admin(url.replace('/v1/admin', ''), {
    method: route.method,
    body: sent,
    headers: { 'content-type': contentType },
  });
  const label = `${route.method} ${url} ${String(sent).slice(0, 200)}`;
  const problem = await checkAnswer(res, label, parsedBody(sent));
  if (problem)
    expect(await snapshot(collection, fills), `${label}: changed by a refused write`).toEqual(before);
}

beforeAll(async () => {
  // Thousands of requests from one address: rate limits (tested on their own) would answer 429.
  h = await createHarness(undefined, { rateLimits: false });
  const all = adminRoutes();
  writeRoutes = all.filter(({ method }) => ['POST', 'PUT', 'PATCH'].includes(method));
  readRoutes = all.filter(({ method }) => method === 'GET');
  // The milestone the valid checklist's items name.
  expect(
    (await h.adminJson('/milestones', 'POST', { ...(validBodies.milestones as object), key: 'fixture_key' }))
      .status,
  ).toBe(201);
  for (const route of writeRoutes) {
    fillsOf.set(
      `${route.method} ${route.path}`,
      route.path.includes(':') ? await newRecord(collectionOf(route.path)) : {},
    );
  }
  // Users, an account, events and survey answers, for the reports and lists that read them.
  const survey = fillsOf.get('POST /v1/admin/surveys/:id/publish')?.id;
  const checklist = fillsOf.get('POST /v1/admin/checklists/:id/publish')?.id;
  let n = 0;
  const batch = ['u1', 'u2', 'u3']
    .flatMap((userId, i) => [
      { type: 'identify', userId, traits: { plan: i ? 'pro' : 'free', arr: 1000 * i, createdAt: at(40) } },
      { type: 'group', userId, groupId: 'acme', traits: { plan: 'pro', name: 'Acme' } },
      { type: 'track', userId, event: 'Invoice Sent', properties: { amount: 20 } },
      {
        type: 'track',
        userId,
        event: '$waymark.survey_answered',
        properties: {
          contentId: survey,
          version: 1,
          responseId: `response-${i}`,
          score: 3 * i,
          comment: `c ${i}`,
        },
      },
      {
        type: 'track',
        userId,
        event: '$waymark.checklist_item_checked',
        properties: { contentId: checklist, version: 1, itemId: 'manual' },
      },
    ])
    .map((message) => ({ ...message, messageId: `seed-${++n}`, timestamp: at(10 - n / 10) }));
  const res = await h.post({ batch });
  expect(await res.json()).toMatchObject({ accepted: batch.length, rejectedCount: 0 });
});
afterAll(async () => {
  await h.close();
});

describe('admin routes in the route table', () => {
  it('covers every write route: content, milestones, keys, the workspace', () => {
    const names = writeRoutes.map((route) => `${route.method} ${route.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /v1/admin/milestones',
        'PUT /v1/admin/checklists/:id',
        'POST /v1/admin/spotlights/:id/preview',
        'PATCH /v1/admin/workspace',
        'POST /v1/admin/keys',
        'POST /v1/admin/keys/:id/revoke',
      ]),
    );
    expect(names.length).toBeGreaterThanOrEqual(24);
  });
});

describe('admin writes with hostile bodies', () => {
  it(
    'answer any JSON value with a 2xx or a problem, and change nothing when they refuse it',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...writeRoutes), anyJson, async (route, body) =>
          write(route, toJsonText(body)),
        ),
        runs(120),
      );
    },
    timeLimit(120_000),
  );

  it(
    'answer mutations of a valid body with a 2xx or a problem that points into the body, and change nothing when they refuse it',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...writeRoutes), mutations, async (route, changes) =>
          write(route, toJsonText(mutate(validBody(route), changes))),
        ),
        runs(200),
      );
    },
    timeLimit(120_000),
  );

  it(
    'answer text and bytes that are not JSON without a 5xx, and change nothing when they refuse them',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...writeRoutes)
            .chain((route) => fc.tuple(fc.constant(route), notJson(JSON.stringify(validBody(route))))),
          fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
          async ([route, sent], contentType) => write(route, sent, contentType),
        ),
        runs(80),
      );
    },
    timeLimit(60_000),
  );
});

describe('admin writes that are accepted', () => {
  it(
    'store what they answer: odd characters in valid text read back as the write answered them, or are refused',
    async () => {
      const paths = new Set(readRoutes.map((route) => route.path));
      // Writes whose record a GET reads back: at the same path, or a POST's new record at `/:id`.
      const createsAt = ({ method, path }: Route) => method === 'POST' && paths.has(`${path}/:id`);
      const readable = writeRoutes.filter(
        (route) => createsAt(route) || (route.method !== 'POST' && paths.has(route.path)),
      );
      expect(readable.length).toBeGreaterThanOrEqual(8);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...readable), textChanges, async (route, changes) => {
          const fills = fillsOf.get(`${route.method} ${route.path}`) ?? {};
          const url = urlOf(route.path, fills);
          const body = withOddText(validBody(route), changes);
          const sent = toJsonText(
            // A new milestone needs a key of its own; keys refuse odd characters anyway.
            collectionOf(route.path) === 'milestones' && route.method === 'POST'
              ? { ...(body as object), key: `odd_${++created}` }
              : body,
          );
          const res = await h.admin(url.replace('/v1/admin', ''), { method: route.method, body: sent });
          const label = `${route.method} ${url} ${sent.slice(0, 300)}`;
          if (await checkAnswer(res, label, parsedBody(sent))) return;
          // A webhook's signing secret is in the answer that creates it and nowhere else, by design.
          const { secret: _shownOnce, ...answer } = await res.json();
          const readBack = createsAt(route) ? `${url}/${encodeURIComponent(answer.id)}` : url;
          const read = await h.admin(readBack.replace('/v1/admin', ''));
          expect(await read.json(), `${label}: read back from ${readBack}`).toEqual(answer);
        }),
        runs(200),
      );
    },
    timeLimit(120_000),
  );
});

describe('admin routes with odd ids and odd query parameters', () => {
  it(
    'answer an id that is no record, whatever its characters, with a 4xx problem',
    async () => {
      const withIds = adminRoutes().filter(({ path }) => path.includes(':'));
      const before = await everything();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...withIds),
          fc.oneof(
            oddString.filter((id) => id.length > 0 && id.length < 2000),
            fc.constantFrom('%', '%E0%A4%A', '%00', '%ff', '%C0%AF', '%2F', '%5C', '..%2F..%2F', ' ', '+'),
          ),
          async (route, id) => {
            // Raw percent sequences go as they are; other ids are encoded as a lenient client would.
            const segment = /^[%.+ ]/.test(id) && id.length < 12 ? id : encodeSegment(id);
            const url = route.path.replace(/:(\w+)/g, () => segment);
            const body =
              route.method === 'GET' || route.method === 'DELETE' ? undefined : toJsonText(validBody(route));
            const res = await h.admin(url.replace('/v1/admin', ''), {
              method: route.method,
              ...(body === undefined ? {} : { body }),
            });
            const problem = await checkAnswer(res, `${route.method} ${url}`);
            expect(problem, `${route.method} ${url}: ${res.status}`).not.toBeNull();
          },
        ),
        runs(250),
      );
      expect(await everything()).toEqual(before);
    },
    timeLimit(120_000),
  );

  it(
    'answer odd query parameters on every GET with a 2xx or a problem that points at a parameter',
    async () => {
      const names = [
        'limit',
        'before',
        'cursor',
        'version',
        'from',
        'to',
        'since',
        'subject',
        'cohort',
        'segment',
        'interval',
        'bands',
        'group',
        'value',
        'accountId',
        'userId',
        'anonymousId',
        'type',
        'name',
        'q',
        'hasComment',
        'minDrop',
        'minResponses',
        'windowDays',
      ];
      const value = fc.oneof(
        oddString.filter((text) => text.length < 3000),
        oddNumber.map(String),
        fc.constantFrom(
          '',
          '0',
          '-1',
          '1e999',
          'NaN',
          '2026-11-23',
          '2026-11-23T12:00:00Z',
          '9999-12-31',
          'true',
          'week',
          'account',
          'user.plan',
          'account.arr',
          '10,5',
          '1,2,3',
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...readRoutes),
          fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), oddString), value), {
            minLength: 1,
            maxLength: 4,
          }),
          async (route, pairs) => {
            const fills =
              [...fillsOf.entries()].find(
                ([key]) => collectionOf(key.split(' ')[1] ?? '') === collectionOf(route.path),
              )?.[1] ?? {};
            const url = urlOf(route.path, fills);
            const query = pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&');
            const res = await h.admin(`${url.replace('/v1/admin', '')}?${query}`);
            // The query as the server reads it: the first value of each name.
            const seen: Record<string, string> = {};
            for (const [k, v] of pairs) seen[k] ??= v;
            await checkAnswer(res, `GET ${url}?${query.slice(0, 300)}`, seen);
          },
        ),
        runs(300),
      );
    },
    timeLimit(120_000),
  );
});

describe('regressions the properties found', () => {
  it('refuses NUL and unpaired surrogates in the names it stores as SQL text (NUL cut "a\\u0000b" to "a")', async () => {
    for (const [path, body] of [
      ['/workspace', { name: 'a\u0000b' }],
      ['/milestones', { key: 'nul_name', name: 'a\u0000b', rule: { event: 'E' } }],
      ['/milestones', { key: 'nul_description', name: 'n', description: 'x\ud800', rule: { event: 'E' } }],
      [
        '/checklists',
        {
          name: 'x\udc00y',
          content: { title: 't', items: [{ id: 'a', title: 'a', completion: { kind: 'manual' } }] },
        },
      ],
    ] as const) {
      const pointer = 'description' in body ? '/description' : '/name';
      const res = await h.adminJson(path, path === '/workspace' ? 'PATCH' : 'POST', body);
      expect(res, path).toEqual({
        status: 400,
        body: expect.objectContaining({
          code: 'validation_failed',
          errors: [{ pointer, detail: 'must not contain NUL (U+0000) or an unpaired surrogate' }],
        }),
      });
    }
  });

  it('survives unpaired surrogates and NUL in whatever text the widget and Segment clients send, on every read', async () => {
    // libSQL aborts the whole process (a Rust panic) when a query returns text that is not UTF-8,
    // which is what SQLite's json_extract makes of an escaped unpaired surrogate ("\ud800").
    const survey = fillsOf.get('POST /v1/admin/surveys/:id/publish')?.id as string;
    const spotlight = fillsOf.get('POST /v1/admin/spotlights/:id/publish')?.id as string;
    const odd = 'x\ud800\u0000y';
    let n = 0;
    const message = (m: Record<string, unknown>) => ({
      userId: 'poisoned',
      messageId: `poison-${++n}`,
      ...m,
    });
    const internal = (event: string, properties: Record<string, unknown>) =>
      message({ type: 'track', event: `$waymark.${event}`, properties: { version: 1, ...properties } });
    const refused = [
      internal('survey_shown', { contentId: odd }),
      internal('spotlight_step_viewed', { contentId: spotlight, stepId: odd, stepIndex: 0 }),
      internal('survey_answered', { contentId: survey, responseId: 'poisoned-1', score: 2, comment: odd }),
      internal('spotlight_target_not_found', {
        contentId: spotlight,
        stepId: 'export',
        selector: odd,
        url: '/x',
        outcome: 'waiting',
      }),
    ];
    const kept = [
      message({ type: 'identify', traits: { name: odd, plan: odd, [odd]: odd } }),
      message({ type: 'group', groupId: 'poisoned-co', traits: { name: odd, plan: odd } }),
      message({
        type: 'track',
        event: 'Invoice Sent',
        properties: { amount: odd, [odd]: [odd] },
        context: { page: { path: odd } },
      }),
      internal('survey_answered', { contentId: survey, responseId: 'poisoned-2', score: 9, comment: 'fine' }),
    ];
    const res = await h.post({ batch: [...refused, ...kept] });
    const answer = await res.json();
    expect(answer).toMatchObject({ accepted: kept.length, rejectedCount: refused.length });
    expect(
      answer.rejected.map((r: { errors: Array<{ pointer: string }> }) => r.errors.map((e) => e.pointer)),
    ).toEqual([
      ['/batch/0/properties/contentId'],
      ['/batch/1/properties/stepId'],
      ['/batch/2/properties/comment'],
      ['/batch/3/properties/selector'],
    ]);

    h.clock.now += 60_000;
    try {
      const content = await h.app.request('/v1/content', {
        method: 'POST',
        body: JSON.stringify({ writeKey: h.ws.publishableKey, userId: 'poisoned', groupId: 'poisoned-co' }),
      });
      expect(content.status).toBe(200);
      const queries = ['', '?segment=plan', '?segment=account.plan&value=x', '?segment=account.name'];
      for (const { path } of readRoutes) {
        const fills =
          [...fillsOf.entries()].find(
            ([key]) => collectionOf(key.split(' ')[1] ?? '') === collectionOf(path),
          )?.[1] ?? {};
        const url = urlOf(path, {
          ...fills,
          ...(path.includes('users') ? { id: 'poisoned' } : {}),
          ...(path.includes('accounts') ? { id: 'poisoned-co' } : {}),
        });
        for (const query of queries) {
          const read = await h.admin(`${url.replace('/v1/admin', '')}${query}`);
          await checkAnswer(read, `GET ${url}${query}`);
        }
      }
      // The account's name is read back as it was sent, surrogate and all.
      const results = await h.adminJson(`/surveys/${survey}/results`);
      expect(results.body.accounts).toEqual(
        expect.arrayContaining([expect.objectContaining({ accountId: 'poisoned-co', name: odd })]),
      );
    } finally {
      h.clock.now -= 60_000;
    }
  });
});
