import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const checklist = (title: string) => ({
  name: 'Onboarding',
  content: {
    title,
    items: [{ id: 'invite', title: 'Invite a teammate', completion: { kind: 'manual' } }],
    // Nobody is in this audience: only a preview shows it.
    audience: { match: 'all', conditions: [{ on: 'user', trait: 'plan', op: 'equals', value: 'nobody' }] },
  },
});
const survey = { name: 'NPS', content: { productName: 'Ledgerly', locale: 'en' } };

async function previewOf(plural: string, id: string) {
  const res = await h.adminJson(`/${plural}/${id}/preview`, 'POST', {
    url: 'https://app.acme.test/home?tab=1',
    expiresInMinutes: 5,
  });
  expect(res.status).toBe(201);
  expect(res.body.url).toBe(`https://app.acme.test/home?tab=1&waymark_preview=${res.body.token}`);
  return res.body as { token: string; delivered: Record<string, unknown> };
}

describe('preview links for checklists and surveys', () => {
  it("deliver a checklist's draft to whoever has the link, in place of its published version", async () => {
    const created = await h.adminJson('/checklists', 'POST', checklist('Published title'));
    await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST');
    await h.adminJson(`/checklists/${created.body.id}`, 'PUT', checklist('Draft title'));
    const { token, delivered } = await previewOf('checklists', created.body.id);
    expect(delivered).toMatchObject({ id: created.body.id, version: 0, title: ['Draft title'], urls: [] });

    expect((await h.content('u1')).checklists).toEqual([]);
    const shown = (await h.content('u1', { preview: token })).checklists;
    expect(shown).toMatchObject([
      { id: created.body.id, version: 0, title: ['Draft title'], seen: false, dismissed: false, urls: [] },
    ]);
    expect(shown).toHaveLength(1);
    // The link expires.
    h.clock.now += 5 * 60_000;
    expect((await h.content('u1', { preview: token })).checklists).toEqual([]);
  });

  it("deliver a survey's draft at once to a user no sampling rule would ask", async () => {
    const created = await h.adminJson('/surveys', 'POST', survey);
    const { token, delivered } = await previewOf('surveys', created.body.id);
    expect(delivered).toMatchObject({
      id: created.body.id,
      version: 0,
      question: 'How likely are you to recommend Ledgerly to a friend or colleague?',
    });
    // u1 is brand new (asked only 30 days after sign-up) and the survey is not even published.
    await h.post({ batch: [{ type: 'identify', userId: 'u1', messageId: 'i1', traits: {} }] });
    const plain = await h.content('u1');
    expect(plain.surveys).toEqual([]);
    const previewed = await h.content('u1', { preview: token });
    expect(previewed.surveys).toMatchObject([
      {
        id: created.body.id,
        version: 0,
        urls: [],
        excludeUrls: [],
        redisplayAfterHours: 0,
        askAgainAfterResponseDays: 0,
        askAgainAfterDismissDays: 0,
      },
    ]);
    // The widget's scheduler would otherwise hold the preview back for the workspace cooldown.
    expect([plain.promptCooldownHours, previewed.promptCooldownHours]).toEqual([72, 0]);
  });

  it('show only the kind the token names, and record nothing of what the preview does', async () => {
    const list = await h.adminJson('/checklists', 'POST', checklist('Draft'));
    const { token } = await previewOf('checklists', list.body.id);
    const shown = await h.content('u1', { preview: token });
    expect([shown.checklists.length, shown.surveys.length, shown.spotlights.length]).toEqual([1, 0, 0]);
    // The widget's events for a draft carry version 0: refused, so a preview counts in no report.
    const res = await h.post({
      batch: [
        {
          type: 'track',
          userId: 'u1',
          messageId: 'shown',
          event: '$waymark.checklist_shown',
          properties: { contentId: list.body.id, version: 0 },
        },
      ],
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      { pointer: '/batch/0/properties/version', detail: expect.any(String) },
    ]);
  });
});
