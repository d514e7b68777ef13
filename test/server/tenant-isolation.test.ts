import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedWorkspace, createWorkspace } from '../../server/workspaces/store.ts';
import { defaultHealthModel } from '../../shared/schemas/health-model.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * Tenant isolation, kept true for every route there is and every route added later: the app's own
 * route table (Hono's `app.routes`) is walked, and each route is called with another workspace's
 * keys, its path parameters filled with workspace A's ids. The only entries left out are those
 * whose path holds a `*`, by rule: middleware (the admin key check, CORS preflights) and catch-alls
 * that no concrete call can name; the routes they guard are each called.
 *
 * Workspace A holds content of every kind, milestones, users, accounts, events and survey answers,
 * all of it text marked with `secret`; workspace B has its own. Workspace B, with either of its
 * keys, must get 401, 403 or 404 wherever it names one of A's ids, and the very answer it gets for
 * an id that exists nowhere (so it learns not even that the id exists); elsewhere it sees its own
 * data only. No answer may hold A's marker, or one of A's ids or keys that B did not send itself.
 * And nothing B does may change what A reads.
 */

const secret = 'secret-of-a-7qz';
const day = 86_400_000;

let h: Harness;
let a: CreatedWorkspace;
let b: CreatedWorkspace;
/** A's ids, by the collection whose `:id` they fill. */
const idsOfA: Record<string, string[]> = {};
/** Every string of A's that B must not learn, unless B itself sent it. */
let identifiersOfA: string[] = [];
/** The versions of A's content. */
const versionsOfA = ['1'];

type Call = { method: string; url: string; body?: unknown; key?: string };
type Answer = { status: number; type: string | null; text: string };

/** A request with `key` as Bearer token, and as `writeKey` in a public route's body (as the widget sends it). */
async function call({ method, url, body, key }: Call): Promise<Answer> {
  const withKey =
    key && !url.startsWith('/v1/admin/') && body && typeof body === 'object'
      ? { ...body, writeKey: key }
      : body;
  const res = await h.app.request(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    ...(withKey === undefined ? {} : { body: JSON.stringify(withKey) }),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function as(key: string, method: string, url: string, body?: unknown) {
  const answer = await call({ method, url, body, key });
  expect(answer.status, `${method} ${url}: ${answer.text}`).toBeLessThan(300);
  return answer.text ? JSON.parse(answer.text) : null;
}

const at = (days: number) => new Date(Date.parse('2026-11-23T12:00:00.000Z') - days * day).toISOString();

/** Messages about users and accounts named by `ids`, their free text carrying `mark`. */
function messages(mark: string, ids: { user: string; account: string; content: Record<string, string> }) {
  let n = 0;
  const msg = (m: { type: string } & Record<string, unknown>) => ({
    messageId: `${mark}-m${++n}`,
    timestamp: at(10 - n / 10),
    ...m,
  });
  return [
    msg({ type: 'identify', userId: ids.user, traits: { name: `${mark} user`, createdAt: at(60) } }),
    msg({
      type: 'group',
      userId: ids.user,
      groupId: ids.account,
      traits: { name: `${mark} co`, plan: mark },
    }),
    msg({ type: 'track', userId: ids.user, event: 'Invoice Sent', properties: { note: `${mark} invoice` } }),
    msg({ type: 'page', userId: ids.user, name: `${mark} page`, properties: { path: `/${mark}` } }),
    msg({ type: 'screen', userId: ids.user, name: `${mark} screen` }),
    msg({
      type: 'track',
      userId: ids.user,
      event: '$waymark.survey_answered',
      properties: {
        contentId: ids.content.surveys,
        version: 1,
        responseId: `${mark}-response-1`,
        score: 3,
        comment: `${mark} comment`,
      },
    }),
    msg({
      type: 'track',
      userId: ids.user,
      event: '$waymark.checklist_item_checked',
      properties: { contentId: ids.content.checklists, version: 1, itemId: 'guide' },
    }),
    msg({
      type: 'track',
      userId: ids.user,
      event: '$waymark.spotlight_shown',
      properties: { contentId: ids.content.spotlights, version: 1 },
    }),
  ];
}

/** Plausible bodies to create or change each collection, their text carrying `mark`. */
const bodies = (mark: string): Record<string, unknown> => ({
  milestones: {
    key: `${mark.replaceAll('-', '_')}_invoice`,
    name: `${mark} milestone`,
    rule: { event: 'Invoice Sent' },
    isValue: true,
  },
  checklists: {
    name: `${mark} checklist`,
    content: {
      title: `${mark} title`,
      description: `${mark} description`,
      items: [
        { id: 'invoice', title: `${mark} item`, completion: { kind: 'event', event: 'Invoice Sent' } },
        { id: 'guide', title: `${mark} guide`, completion: { kind: 'manual' }, required: false },
      ],
    },
  },
  surveys: {
    name: `${mark} survey`,
    content: {
      productName: `${mark} product`,
      question: 'How likely are you to recommend {product}?',
      lowLabel: `${mark} low`,
      highLabel: `${mark} high`,
      followUp: { detractor: `${mark} why`, passive: `${mark} why`, promoter: `${mark} why` },
      thankYou: `${mark} thanks`,
      sampling: { firstAskAfterDays: 0, delaySeconds: 0 },
    },
  },
  spotlights: {
    name: `${mark} tour`,
    content: {
      steps: [{ id: 'one', kind: 'modal', title: `${mark} step`, body: `${mark} body` }],
      trigger: { kind: 'page' },
    },
  },
  workspace: { name: `${mark} workspace` },
  'core-features': {
    key: `${mark.replaceAll('-', '_')}_feature`,
    name: `${mark} feature`,
    events: [{ event: 'Invoice Sent' }],
  },
  model: defaultHealthModel,
  recompute: {},
  backfill: { from: '2026-11-20', to: '2026-11-22' },
  preview: { url: 'https://app.example.com/x', expiresInMinutes: 5 },
  webhooks: { url: `https://${mark}.example.com/hook`, description: `${mark} hook` },
  secret: { overlapHours: 1 },
});

beforeAll(async () => {
  // Thousands of refused calls from one address: rate limits (tested on their own) would answer 429.
  h = await createHarness(undefined, { rateLimits: false });
  a = await createWorkspace(h.db, { id: 'ws-of-a', name: `${secret} workspace` }, h.clock.now);
  b = await createWorkspace(h.db, { id: 'ws-of-b', name: 'b workspace' }, h.clock.now);

  for (const [ws, mark] of [
    [a, secret],
    [b, 'mine-of-b'],
  ] as const) {
    const given = bodies(mark);
    const milestone = await as(ws.secretKey, 'POST', '/v1/admin/milestones', given.milestones);
    const content: Record<string, string> = {};
    for (const kind of ['checklists', 'surveys', 'spotlights']) {
      const created = await as(ws.secretKey, 'POST', `/v1/admin/${kind}`, given[kind]);
      await as(ws.secretKey, 'POST', `/v1/admin/${kind}/${created.id}/publish`);
      content[kind] = created.id;
    }
    const feature = await as(ws.secretKey, 'POST', '/v1/admin/core-features', given['core-features']);
    const webhook = await as(ws.secretKey, 'POST', '/v1/admin/webhooks', given.webhooks);
    // A's deliveries exist, so that B's reads of A's log would show them.
    await as(ws.secretKey, 'POST', `/v1/admin/webhooks/${webhook.id}/test`);
    const user = ws === a ? 'user-of-a' : 'user-of-b';
    const account = ws === a ? 'account-of-a' : 'account-of-b';
    await as(ws.publishableKey, 'POST', '/v1/batch', { batch: messages(mark, { user, account, content }) });
    await as(ws.secretKey, 'POST', '/v1/admin/health/recompute', {});
    if (ws === a) {
      Object.assign(idsOfA, {
        milestones: [milestone.id],
        checklists: [content.checklists],
        surveys: [content.surveys],
        spotlights: [content.spotlights],
        users: [user],
        accounts: [account],
        'core-features': [feature.id],
        webhooks: [webhook.id],
      });
      identifiersOfA = [
        ...Object.values(idsOfA).flat(),
        milestone.key,
        a.workspace.id,
        a.publishableKey,
        a.secretKey,
        a.identitySecret,
        `${secret}-response-1`,
        webhook.secret,
      ];
    }
  }
  // A really holds what B must not see.
  const results = await as(a.secretKey, 'GET', `/v1/admin/surveys/${idsOfA.surveys![0]}/responses`);
  expect(JSON.stringify(results)).toContain(`${secret} comment`);
  const inA = await as(a.publishableKey, 'POST', '/v1/content', {
    writeKey: a.publishableKey,
    userId: 'user-of-a',
  });
  expect(inA.checklists[0].items.find((item: { id: string }) => item.id === 'guide').doneAt).not.toBeNull();
});
afterAll(async () => {
  await h.close();
});

/** Every route of the app, once per method and path; `*` entries are middleware or catch-alls. */
const routeTable = () => {
  const seen = new Set<string>();
  return h.app.routes
    .map((route) => ({ method: route.method, path: route.path }))
    .filter(({ method, path }) => {
      const id = `${method} ${path}`;
      if (path.includes('*') || method === 'ALL' || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
};

/**
 * The ways to fill a route's path parameters: `:id` with A's ids of the collection before it (every
 * id of A's for a collection this test does not know), `:version` with A's versions, `:kind` (the
 * ingestion endpoints) with each message kind, and any other parameter with every id of A's.
 */
function fillings(path: string): Array<{ url: string; namesA: boolean; nowhere: string }> {
  const segments = path.split('/');
  let urls = [{ url: '', namesA: false, nowhere: '' }];
  segments.forEach((segment, i) => {
    const prefix = i === 0 ? '' : '/';
    if (!segment.startsWith(':')) {
      urls = urls.map((u) => ({
        ...u,
        url: u.url + prefix + segment,
        nowhere: u.nowhere + prefix + segment,
      }));
      return;
    }
    const name = segment.slice(1);
    const everyId = Object.values(idsOfA).flat();
    const values =
      name === 'id'
        ? (idsOfA[segments[i - 1] ?? ''] ?? everyId)
        : name === 'version'
          ? versionsOfA
          : name === 'kind'
            ? ['batch', 'track', 'identify', 'group', 'page', 'screen']
            : everyId;
    const ofA = name !== 'version' && name !== 'kind';
    urls = urls.flatMap((u) =>
      values.map((value) => ({
        url: u.url + prefix + encodeURIComponent(value),
        namesA: u.namesA || ofA,
        nowhere: u.nowhere + prefix + (ofA ? 'nowhere-0000' : value),
      })),
    );
  });
  return urls;
}

/** A plausible body for a write: what creates or changes the route's collection, in B's words. */
function bodyFor(method: string, path: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  // Not the words B's data was made with, so that each create is new (no 409 for a milestone key).
  const given = bodies('also-of-b');
  if (path === '/v1/content') {
    return { userId: 'user-of-a', groupId: 'account-of-a', traits: { plan: 'also-of-b' } };
  }
  if (path === '/v1/:kind') return undefined; // filled per kind: see ingestionBody
  const segments = path.replace('/v1/admin/', '').split('/');
  const action = segments.at(-1)!;
  return given[action] ?? given[segments[0]!] ?? {};
}

/** B's messages naming A's user, account and content: they must land in B, or nowhere. */
function ingestionBody(url: string): unknown {
  const all = messages('also-of-b', {
    user: 'user-of-a',
    account: 'account-of-a',
    content: {
      surveys: idsOfA.surveys![0]!,
      checklists: idsOfA.checklists![0]!,
      spotlights: idsOfA.spotlights![0]!,
    },
  });
  const kind = url.split('/').at(-1)!;
  if (kind === 'batch') return { batch: all };
  const one = all.find((m) => m.type === kind)!;
  return { ...one, messageId: `${one.messageId}-${kind}` };
}

/** What B must not find in an answer: A's marker, or an id or key of A's that B did not send. */
function expectNothingOfA(answer: Answer, request: Call, label: string) {
  expect(answer.text, label).not.toContain(secret);
  const sent = request.url + JSON.stringify(request.body ?? '');
  for (const identifier of identifiersOfA) {
    if (!sent.includes(identifier))
      expect(answer.text, `${label}: holds ${identifier}`).not.toContain(identifier);
  }
}

/** What A reads through every GET route: it must be the same after all of B's calls. */
async function whatAReads(): Promise<Record<string, Answer>> {
  const reads: Record<string, Answer> = {};
  for (const { method, path } of routeTable()) {
    if (method !== 'GET' || !path.startsWith('/v1/admin/')) continue;
    for (const { url } of fillings(path)) reads[url] = await call({ method, url, key: a.secretKey });
  }
  return reads;
}

describe('tenant isolation over the whole route table', () => {
  it('covers the API: every admin route, content and ingestion are in the table', () => {
    const paths = routeTable().map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /v1/admin/users/:id',
        'PUT /v1/admin/checklists/:id',
        'POST /v1/content',
        'POST /v1/:kind',
      ]),
    );
    expect(paths.filter((p) => p.includes(' /v1/admin/')).length).toBeGreaterThan(40);
  });

  it("gives another workspace's keys nothing of A's, and lets them change nothing of A's", async () => {
    const before = await whatAReads();
    // A's reads are real: the user, the responses and the results hold A's words.
    expect(Object.values(before).filter((r) => r.text.includes(secret)).length).toBeGreaterThan(10);

    const checked: string[] = [];
    for (const { method, path } of routeTable()) {
      for (const key of [b.secretKey, b.publishableKey]) {
        for (const { url, namesA, nowhere } of fillings(path)) {
          const body = path === '/v1/:kind' ? ingestionBody(url) : bodyFor(method, path);
          const queries =
            method === 'GET' ? ['', '?userId=user-of-a&accountId=account-of-a&version=1'] : [''];
          for (const query of queries) {
            const request = { method, url: url + query, body, key };
            const answer = await call(request);
            const label = `${method} ${url}${query} with B's ${key === b.secretKey ? 'secret' : 'publishable'} key: ${answer.status} ${answer.text.slice(0, 200)}`;
            expectNothingOfA(answer, request, label);
            if (namesA) {
              expect([401, 403, 404, 405], label).toContain(answer.status);
              // The same answer as for an id that exists nowhere: B learns not even that A's exists.
              const elsewhere = await call({ ...request, url: nowhere + query });
              const named = identifiersOfA.filter((identifier) => url.includes(identifier));
              const text = named.reduce(
                (t, identifier) => t.replaceAll(identifier, 'nowhere-0000'),
                answer.text,
              );
              expect({ status: answer.status, text }, label).toEqual({
                status: elsewhere.status,
                text: elsewhere.text,
              });
            }
            checked.push(`${method} ${path}`);
          }
        }
      }
    }
    expect(new Set(checked).size).toBe(routeTable().length);

    expect(await whatAReads()).toEqual(before);
  });

  it("answers 401 to A's own publishable key, and to no key, on every admin route", async () => {
    for (const { method, path } of routeTable()) {
      if (!path.startsWith('/v1/admin/')) continue;
      for (const { url } of fillings(path)) {
        for (const key of [a.publishableKey, undefined]) {
          const request = { method, url, body: bodyFor(method, path), ...(key ? { key } : {}) };
          const answer = await call(request);
          expect(answer.status, `${method} ${url}: ${answer.text}`).toBe(401);
          expect(answer.type).toBe('application/problem+json');
          expect(answer.text).not.toContain(secret);
        }
      }
    }
  });

  it("shows B's own data to B: the lists and the widget's content hold B's words and B's progress only", async () => {
    const checklists = await as(b.secretKey, 'GET', '/v1/admin/checklists');
    expect(JSON.stringify(checklists)).toContain('mine-of-b checklist');
    const content = await as(b.publishableKey, 'POST', '/v1/content', {
      writeKey: b.publishableKey,
      userId: 'user-of-a',
      groupId: 'account-of-a',
    });
    const mine = content.checklists.find((c: { title: unknown }) =>
      JSON.stringify(c.title).includes('mine-of-b'),
    );
    // In A, user-of-a ticked the item `guide`; B's checklist has an item of that id too, not ticked in B.
    expect(mine.items.find((item: { id: string }) => item.id === 'guide')).toMatchObject({ doneAt: null });
    expect(JSON.stringify(content)).not.toContain(secret);
  });
});
