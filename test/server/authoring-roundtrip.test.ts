import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const kinds = {
  checklists: {
    title: 'Get started',
    items: [{ id: 'invite', title: 'Invite a teammate', completion: { kind: 'manual' } }],
  },
  surveys: { productName: 'Ledgerly', ...defaultSurveyText },
  spotlights: { steps: [{ id: 'hello', kind: 'modal', title: 'Welcome' }] },
};

describe('what a GET answers, a PUT accepts', () => {
  for (const [plural, content] of Object.entries(kinds)) {
    it(`${plural}: GET then PUT of the same body succeeds and changes nothing`, async () => {
      const created = await h.adminJson(`/${plural}`, 'POST', { name: 'First', content });
      expect(created.status).toBe(201);
      const fetched = await h.adminJson(`/${plural}/${created.body.id}`);
      const put = await h.adminJson(`/${plural}/${created.body.id}`, 'PUT', fetched.body);
      expect(put.status).toBe(200);
      expect(put.body.draft).toEqual(fetched.body.draft);
      expect(put.body.name).toBe('First');
    });

    it(`${plural}: an edit of the fetched draft is saved; read-only fields are ignored`, async () => {
      const { body: record } = await h.adminJson(`/${plural}`, 'POST', { name: 'First', content });
      const edited = {
        ...record,
        name: 'Second',
        id: 'someone-else',
        status: 'archived',
        publishedVersion: 7,
        draft: { ...record.draft, locale: 'fr' },
      };
      const put = await h.adminJson(`/${plural}/${record.id}`, 'PUT', edited);
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        id: record.id,
        name: 'Second',
        status: 'active',
        publishedVersion: null,
      });
      expect(put.body.draft.locale).toBe('fr');
    });

    it(`${plural}: errors in a fetched body point at /draft, the field sent`, async () => {
      const { body: record } = await h.adminJson(`/${plural}`, 'POST', { name: 'First', content });
      const put = await h.adminJson(`/${plural}/${record.id}`, 'PUT', {
        ...record,
        draft: { ...record.draft, locale: 'not a tag' },
      });
      expect(put.status).toBe(400);
      expect(put.body.errors).toEqual([{ pointer: '/draft/locale', detail: expect.any(String) }]);
    });
  }

  it('milestones: GET then PUT of the same body succeeds', async () => {
    const created = await h.adminJson('/milestones', 'POST', {
      key: 'invoice_sent',
      name: 'Sent an invoice',
      rule: { event: 'Invoice Sent' },
    });
    const fetched = await h.adminJson(`/milestones/${created.body.id}`);
    const put = await h.adminJson(`/milestones/${created.body.id}`, 'PUT', fetched.body);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ key: 'invoice_sent', name: 'Sent an invoice', rule: fetched.body.rule });
  });
});
