import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContentResponse } from '../../shared/schemas/content.ts';
import { widgetStrings } from '../../shared/widget-strings.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const day = 86_400_000;
const t0 = Date.parse('2026-10-01T00:00:00.000Z');
const at = (days: number) => new Date(t0 + days * day).toISOString();
const identify = (userId: string, days: number, accountId?: string) => [
  h.msg({ type: 'identify', userId, timestamp: at(days), traits: { name: userId } }),
  ...(accountId
    ? [h.msg({ type: 'group', userId, groupId: accountId, timestamp: at(days), traits: {} })]
    : []),
];
const track = (userId: string, event: string, days: number, properties: Record<string, unknown> = {}) =>
  h.msg({ type: 'track', userId, event, timestamp: at(days), properties });

const valueMilestone = {
  key: 'invoice_sent',
  name: 'Sent an invoice',
  rule: { event: 'Invoice Sent' },
  isValue: true,
};

describe('milestones', () => {
  it('are reached per user and per account as events arrive, at the count-th matching event', async () => {
    await h.adminJson('/milestones', 'POST', {
      key: 'big_invoices',
      name: 'Three big invoices',
      rule: { event: 'Invoice Sent', where: [{ property: 'amount', op: 'gt', value: 100 }], count: 3 },
    });
    await h.ingest([
      ...identify('u1', 0, 'acme'),
      ...identify('u2', 0, 'acme'),
      track('u1', 'Invoice Sent', 1, { amount: 500 }),
      track('u1', 'Invoice Sent', 2, { amount: 50 }), // filtered out
      track('u2', 'Invoice Sent', 3, { amount: '250' }), // numeric string counts
      track('u1', 'Invoice Sent', 4, { amount: 150 }),
    ]);
    let u1 = await h.adminJson('/users/u1');
    expect(u1.body.milestones).toEqual([
      { key: 'big_invoices', name: 'Three big invoices', reachedAt: null },
    ]);
    // The account counts its members' events together: u1 day 1, u2 day 3, u1 day 4.
    const acme = await h.adminJson('/accounts/acme');
    expect(acme.body.milestones[0].reachedAt).toBe(at(4));

    await h.ingest([track('u1', 'Invoice Sent', 5, { amount: 101 })]);
    u1 = await h.adminJson('/users/u1');
    expect(u1.body.milestones[0].reachedAt).toBe(at(5));

    // A late event from day 1.5 arrives: u1's third big invoice was really on day 4.
    await h.ingest([track('u1', 'Invoice Sent', 1.5, { amount: 999 })]);
    u1 = await h.adminJson('/users/u1');
    expect(u1.body.milestones[0].reachedAt).toBe(at(4));
  });

  it('are backfilled from existing events when created or changed, and honour withinDays', async () => {
    await h.ingest([
      ...identify('u1', 0),
      track('u1', 'Report Created', 3),
      track('u1', 'Report Created', 9),
    ]);
    const created = await h.adminJson('/milestones', 'POST', {
      key: 'reports',
      name: 'Two reports in a week',
      rule: { event: 'Report Created', count: 2, withinDays: 7 },
    });
    expect(created.status).toBe(201);
    expect((await h.adminJson('/users/u1')).body.milestones[0].reachedAt).toBeNull();

    const changed = await h.adminJson(`/milestones/${created.body.id}`, 'PUT', {
      key: 'reports',
      name: 'Two reports in ten days',
      rule: { event: 'Report Created', count: 2, withinDays: 10 },
    });
    expect(changed.status).toBe(200);
    expect((await h.adminJson('/users/u1')).body.milestones[0].reachedAt).toBe(at(9));
  });

  it('reject bad input with the field path, and keep keys unique', async () => {
    const bad = await h.adminJson('/milestones', 'POST', {
      key: 'Bad Key',
      name: '',
      rule: { event: 'x', where: [{ property: 'p', op: 'gt', value: 'ten' }] },
    });
    expect(bad.status).toBe(400);
    const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/key', '/name', '/rule/where/0/value']));
    await h.adminJson('/milestones', 'POST', valueMilestone);
    const clash = await h.adminJson('/milestones', 'POST', valueMilestone);
    expect(clash.status).toBe(409);
    expect(clash.body.errors).toEqual([
      { pointer: '/key', detail: 'another milestone already has the key "invoice_sent"' },
    ]);
  });
});

describe('time to value', () => {
  // Hand-computed fixture, now = 2026-11-23T12:00Z.
  // u1 (acme) first seen Oct 1, value +2 d; u2 (acme) Oct 1, +10 d; u3 (globex) Oct 2, never;
  // u4 (initech) Nov 20, +1 d. User durations [1, 2, 10] d: median 2, p90 = 2 + 0.8 * (10 - 2) = 8.4.
  // By day 7: eligible u1, u2, u3 (u4 is 3 days old), reached u1 -> 1/3; day 14 and 30: u1, u2 -> 2/3.
  // Accounts: acme Oct 1 +2 d (its first member to send), globex never, initech Nov 20 +1 d.
  beforeEach(async () => {
    await h.adminJson('/milestones', 'POST', valueMilestone);
    const nov20 = (Date.parse('2026-11-20T00:00:00.000Z') - t0) / day;
    await h.ingest([
      ...identify('u1', 0, 'acme'),
      ...identify('u2', 0, 'acme'),
      ...identify('u3', 1, 'globex'),
      ...identify('u4', nov20, 'initech'),
      track('u2', 'Invoice Sent', 10),
      track('u4', 'Invoice Sent', nov20 + 1),
      track('u3', 'Invoice Created', 2),
    ]);
    // Out of order: u1's value event arrives last.
    await h.ingest([track('u1', 'Invoice Sent', 2), track('u1', 'Invoice Sent', 3)]);
  });

  it('summarizes users, counting those who never reached value', async () => {
    const { status, body } = await h.adminJson('/reports/time-to-value');
    expect(status).toBe(200);
    expect(body.overall).toEqual({
      subjects: 4,
      reached: 3,
      neverReached: 1,
      medianDays: 2,
      p90Days: 8.4,
      reachedBy: {
        day7: { eligible: 3, reached: 1, share: 1 / 3 },
        day14: { eligible: 3, reached: 2, share: 2 / 3 },
        day30: { eligible: 3, reached: 2, share: 2 / 3 },
      },
    });
  });

  it('measures accounts from their first-seen time to their first member reaching value', async () => {
    const { body } = await h.adminJson('/reports/time-to-value?subject=account&cohort=month');
    expect(body.overall).toMatchObject({ subjects: 3, reached: 2, neverReached: 1, medianDays: 1.5 });
    expect(body.cohorts.map((c: { cohort: string; subjects: number }) => [c.cohort, c.subjects])).toEqual([
      ['2026-10', 2],
      ['2026-11', 1],
    ]);
    expect((await h.adminJson('/accounts/acme')).body.timeToValue).toEqual({
      milestone: 'invoice_sent',
      reachedAt: at(2),
      days: 2,
    });
    expect((await h.adminJson('/users/u3')).body.timeToValue).toEqual({
      milestone: 'invoice_sent',
      reachedAt: null,
      days: null,
    });
  });

  it('splits by an account trait', async () => {
    await h.ingest([
      h.msg({ type: 'group', userId: 'u1', groupId: 'acme', traits: { plan: 'pro' }, timestamp: at(0) }),
    ]);
    const { body } = await h.adminJson('/reports/time-to-value?segment=account.plan');
    expect(
      body.segments.map((s: { value: unknown; subjects: number; reached: number }) => [
        s.value,
        s.subjects,
        s.reached,
      ]),
    ).toEqual([
      [null, 2, 1],
      ['pro', 2, 2],
    ]);
  });

  it('splits by a user trait as audiences read it: a nested path, an exact key with dots first', async () => {
    await h.ingest([
      h.msg({ type: 'identify', userId: 'u1', traits: { company: { size: 'large' } }, timestamp: at(0) }),
      h.msg({ type: 'identify', userId: 'u2', traits: { company: { size: 'large' } }, timestamp: at(0) }),
      h.msg({
        type: 'identify',
        userId: 'u4',
        traits: { 'company.size': 'small', company: { size: 'large' } },
        timestamp: '2026-11-20T00:00:00.000Z',
      }),
    ]);
    const { body } = await h.adminJson('/reports/time-to-value?segment=company.size');
    // u1 (+2 d) and u2 (+10 d) large; u4 small (its exact key wins, +1 d); u3 has no such trait.
    expect(
      body.segments.map((s: { value: unknown; subjects: number; medianDays: number | null }) => [
        s.value,
        s.subjects,
        s.medianDays,
      ]),
    ).toEqual([
      ['large', 2, 6],
      [null, 1, null],
      ['small', 1, 1],
    ]);
    const quoted = await h.adminJson(`/reports/time-to-value?segment=${encodeURIComponent('a"b')}`);
    expect(quoted.status).toBe(400);
    expect(quoted.body.errors[0].pointer).toBe('/segment');
  });
});

const checklistBody = (scope: 'user' | 'account' = 'user') => ({
  name: 'Onboarding',
  content: {
    title: 'Get started',
    scope,
    items: [
      { id: 'customer', title: 'Add a customer', completion: { kind: 'event', event: 'Customer Created' } },
      {
        id: 'invoice',
        title: 'Send an invoice',
        completion: { kind: 'milestone', milestone: 'invoice_sent' },
      },
      {
        id: 'guide',
        title: 'Read the guide',
        description: 'See **page 2** of [the guide](/guide)',
        completion: { kind: 'manual' },
        required: false,
      },
    ],
    translations: { fr: { title: 'Bien démarrer', items: { customer: { title: 'Ajoutez un client' } } } },
  },
});

async function publishedChecklist(scope: 'user' | 'account' = 'user') {
  await h.adminJson('/milestones', 'POST', valueMilestone);
  const created = await h.adminJson('/checklists', 'POST', checklistBody(scope));
  expect(created.status).toBe(201);
  const published = await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST');
  expect(published.status).toBe(201);
  return created.body.id as string;
}

describe('checklists', () => {
  it('reject an invalid checklist or rule with field paths', async () => {
    const body = checklistBody();
    const bad = await h.adminJson('/checklists', 'POST', {
      ...body,
      content: {
        ...body.content,
        items: [
          { id: 'a', title: 'A', completion: { kind: 'event', event: 'X', count: 0 } },
          { id: 'a', title: 'B', completion: { kind: 'teleport' } },
          { id: 'c', title: 'C', completion: { kind: 'url', url: { match: 'regex', pattern: '(' } } },
        ],
      },
    });
    expect(bad.status).toBe(400);
    const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/content/items/0/completion/count',
        '/content/items/1/completion/kind',
        '/content/items/2/completion/url/pattern',
      ]),
    );
    const unknownMilestone = await h.adminJson('/checklists', 'POST', checklistBody());
    expect(unknownMilestone.status).toBe(400);
    expect(unknownMilestone.body.errors).toEqual([
      {
        pointer: '/content/items/1/completion/milestone',
        detail: 'names no milestone of this workspace ("invoice_sent")',
      },
    ]);
  });

  it('deliver only published versions; drafts change nothing until published; versions are immutable', async () => {
    const id = await publishedChecklist();
    await h.ingest(identify('u1', 0));
    const draft = checklistBody();
    draft.content.title = 'Draft title';
    expect((await h.adminJson(`/checklists/${id}`, 'PUT', draft)).body.hasUnpublishedChanges).toBe(true);
    expect((await h.content('u1')).checklists[0]).toMatchObject({ title: ['Get started'], version: 1 });

    const put = await h.adminJson(`/checklists/${id}/versions/1`, 'PUT', draft);
    expect(put.status).toBe(405);
    expect(put.body.code).toBe('immutable');

    await h.adminJson(`/checklists/${id}/publish`, 'POST');
    expect((await h.content('u1')).checklists[0]).toMatchObject({ title: ['Draft title'], version: 2 });
    expect((await h.adminJson(`/checklists/${id}/versions/1`)).body.content.title).toBe('Get started');
  });

  it('tick items from events, milestones and manual ticks, and localize', async () => {
    const id = await publishedChecklist();
    await h.ingest([...identify('u1', 0), track('u1', 'Customer Created', 1)]);
    let list = (await h.content('u1', { locale: 'fr-CA' })).checklists[0];
    expect(list?.title).toEqual(['Bien démarrer']);
    expect(list?.items.map((i) => [i.id, i.title, i.doneAt])).toEqual([
      ['customer', ['Ajoutez un client'], at(1)],
      ['invoice', ['Send an invoice'], null],
      ['guide', ['Read the guide'], null],
    ]);
    // Authored markdown arrives parsed (shared/rich-text.ts): the widget only draws it.
    expect(list?.items[2]?.description).toEqual([
      'See ',
      ['strong', 'page 2'],
      ' of ',
      ['a', '/guide', 'the guide'],
    ]);
    expect(list?.items[0]?.localRule).toEqual({ kind: 'event', event: 'Customer Created', where: [] });
    // A milestone item ticks locally on its milestone's single-event rule; a manual one never does.
    expect(list?.items[1]?.localRule).toEqual({ kind: 'event', event: 'Invoice Sent', where: [] });
    expect(list?.items[2]?.localRule).toBeUndefined();
    await h.ingest([
      track('u1', 'Invoice Sent', 2),
      track('u1', '$waymark.checklist_item_checked', 3, { contentId: id, version: 1, itemId: 'guide' }),
    ]);
    list = (await h.content('u1')).checklists[0];
    expect(list?.items.map((i) => i.doneAt)).toEqual([at(1), at(2), at(3)]);
  });

  it('in account scope, tick an item for every member once any member does it', async () => {
    await publishedChecklist('account');
    await h.ingest([
      ...identify('u1', 0, 'acme'),
      ...identify('u2', 0, 'acme'),
      ...identify('u3', 0, 'other'),
    ]);
    await h.ingest([track('u1', 'Customer Created', 1)]);
    expect((await h.content('u2')).checklists[0]?.items[0]?.doneAt).toBe(at(1));
    expect((await h.content('u3')).checklists[0]?.items[0]?.doneAt).toBeNull();
  });

  it('deliver several highest priority first, equal ones in the order they were published', async () => {
    await h.adminJson('/milestones', 'POST', valueMilestone);
    const body = checklistBody();
    const publish = async (title: string, priority?: number) => {
      const created = await h.adminJson('/checklists', 'POST', {
        ...body,
        content: {
          ...body.content,
          title,
          translations: {},
          ...(priority === undefined ? {} : { priority }),
        },
      });
      expect(created.status).toBe(201);
      h.clock.now += 1000;
      expect((await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST')).status).toBe(201);
    };
    await publish('Later default');
    await publish('First of 5', 5);
    await publish('Zero', 0);
    await publish('Second of 5', 5);
    await publish('Top', 100);
    const titles = (await h.content('u1')).checklists.map((c) => c.title.join(''));
    expect(titles).toEqual(['Top', 'First of 5', 'Second of 5', 'Later default', 'Zero']);

    for (const priority of [1.5, -1, 101, '3']) {
      const bad = await h.adminJson('/checklists', 'POST', {
        ...body,
        content: { ...body.content, priority },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/content/priority']);
    }
  });

  it('show a checklist only to its audience', async () => {
    await h.adminJson('/milestones', 'POST', valueMilestone);
    const body = checklistBody();
    const created = await h.adminJson('/checklists', 'POST', {
      ...body,
      content: {
        ...body.content,
        audience: { conditions: [{ on: 'account', trait: 'plan', op: 'in', value: ['pro', 'team'] }] },
      },
    });
    await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST');
    await h.ingest([...identify('u1', 0, 'acme')]);
    expect((await h.content('u1')).checklists).toHaveLength(0);
    expect((await h.content('u1', { groupTraits: { plan: 'pro' } })).checklists).toHaveLength(1);
    expect(
      (await h.content('anonymous-visitor', { userId: null, anonymousId: 'a1' })).checklists,
    ).toHaveLength(0);
  });

  it('report the funnel per version, as hand-computed', async () => {
    const id = await publishedChecklist();
    const shown = (u: string, d: number) =>
      track(u, '$waymark.checklist_shown', d, { contentId: id, version: 1 });
    await h.ingest([
      ...identify('u1', 0),
      ...identify('u2', 0),
      ...identify('u3', 0),
      ...identify('u4', 0),
      shown('u1', 1),
      shown('u2', 1),
      shown('u3', 2),
      // u1 had added a customer before seeing the list; sends an invoice 1.5 days after: completes.
      track('u1', 'Customer Created', 0.5),
      track('u1', 'Invoice Sent', 2.5),
      // u2 starts, does not finish; u3 dismisses; u4 was never shown it.
      track('u2', 'Customer Created', 3),
      track('u3', '$waymark.checklist_dismissed', 2, { contentId: id, version: 1 }),
      track('u4', 'Customer Created', 1),
    ]);
    const { body } = await h.adminJson(`/checklists/${id}/funnel?version=1`);
    expect(body.funnels).toEqual([
      {
        checklistId: id,
        version: 1,
        shown: 3,
        started: 2,
        items: [
          { id: 'customer', title: 'Add a customer', required: true, completed: 2 },
          { id: 'invoice', title: 'Send an invoice', required: true, completed: 1 },
          { id: 'guide', title: 'Read the guide', required: false, completed: 0 },
        ],
        completed: 1,
        dismissed: 1,
        medianDaysToComplete: 1.5,
      },
    ]);
    const state = (await h.content('u3')).checklists[0];
    expect([state?.seen, state?.dismissed]).toEqual([true, true]);
  });

  it('report an account-wide funnel: an item done by one member is done for every viewer there', async () => {
    const id = await publishedChecklist('account');
    const shown = (u: string, d: number) =>
      track(u, '$waymark.checklist_shown', d, { contentId: id, version: 1 });
    await h.ingest([
      ...identify('u1', 0, 'acme'),
      ...identify('u2', 0, 'acme'),
      ...identify('u3', 0, 'other'),
      ...identify('u4', 0),
      // Shown twice to u1: the first time counts.
      shown('u1', 1),
      shown('u1', 2),
      shown('u2', 2),
      shown('u3', 1),
      shown('u4', 1),
      // acme: u2 adds a customer, u1 sends an invoice at 3: both viewers complete, 2 and 1 days
      // after being shown. u4, in no account, adds a customer on its own: started only.
      track('u2', 'Customer Created', 1.5),
      track('u1', 'Invoice Sent', 3),
      track('u4', 'Customer Created', 4),
    ]);
    const { body } = await h.adminJson(`/checklists/${id}/funnel?version=1`);
    expect(body.funnels[0]).toMatchObject({
      shown: 4,
      started: 3,
      items: [
        { id: 'customer', completed: 3 },
        { id: 'invoice', completed: 2 },
        { id: 'guide', completed: 0 },
      ],
      completed: 2,
      dismissed: 0,
      medianDaysToComplete: 1.5,
    });
  });
});

describe('the widget’s own strings', () => {
  it('come with the content in the request’s locale: its language, else English', async () => {
    const fr = await h.content('u1', { locale: 'fr-CA' });
    expect(fr.strings).toEqual(widgetStrings('fr'));
    expect(fr.strings).toMatchObject({ close: 'Fermer', submit: 'Envoyer', next: 'Suivant' });

    const unknown = await h.content('u1', { locale: 'xx-YY' });
    expect(unknown.strings).toEqual(widgetStrings('en'));
    expect(unknown.strings).toMatchObject({ close: 'Close', submit: 'Submit', next: 'Next' });
  });

  it('come for an anonymous visitor too, in English without a locale', async () => {
    const res = await h.app.request('/v1/content', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: h.ws.publishableKey, anonymousId: 'a1' }),
    });
    expect(((await res.json()) as ContentResponse).strings.dismiss).toBe('Dismiss checklist');
  });
});

describe('reserved widget events', () => {
  it('accept only known $waymark. events with their properties', async () => {
    const res = await h.post({
      batch: [
        track('u1', '$waymark.made_up', 0),
        track('u1', '$waymark.checklist_shown', 0, { version: 'one' }),
        track('u1', '$waymark.checklist_shown', 0, { contentId: 'cl_1', version: 1 }),
      ],
    });
    const body = await res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      {
        index: 0,
        errors: [
          { pointer: '/batch/0/event', detail: `"$waymark." names are reserved for Waymark's widget` },
        ],
      },
      {
        index: 1,
        errors: [
          { pointer: '/batch/1/properties/contentId', detail: expect.any(String) },
          { pointer: '/batch/1/properties/version', detail: expect.any(String) },
        ],
      },
    ]);
  });
});

describe('OpenAPI', () => {
  it('describes the API from the zod schemas', async () => {
    const res = await h.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    const milestoneSchema =
      doc.paths['/v1/admin/milestones'].post.requestBody.content['application/json'].schema;
    expect(milestoneSchema.required).toEqual(expect.arrayContaining(['key', 'name', 'rule']));
    expect(milestoneSchema.properties.key.pattern).toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/batch', '/v1/content', '/v1/admin/checklists/{id}/publish']),
    );
  });
});
