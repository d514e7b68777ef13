import { sql } from 'drizzle-orm';
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

const day = 86_400_000;
let seq = 0;
async function ingest(batch: unknown[]) {
  const res = await h.post({ batch: batch.map((m) => ({ messageId: `m${++seq}`, ...(m as object) })) });
  return res.json();
}
const survey = (overrides: Record<string, unknown> = {}) => ({
  name: 'NPS',
  content: {
    productName: 'Acme',
    ...defaultSurveyText,
    translations: { fr: { question: 'Recommanderiez-vous {product} ?' } },
    ...overrides,
  },
});
async function published(overrides: Record<string, unknown> = {}) {
  const created = await h.adminJson('/surveys', 'POST', survey(overrides));
  expect(created.status).toBe(201);
  await h.adminJson(`/surveys/${created.body.id}/publish`, 'POST');
  return created.body.id as string;
}
const longAgo = (days: number) => new Date(h.clock.now - days * day).toISOString();

describe('surveys', () => {
  it('are drafts with immutable published versions, validated with field paths', async () => {
    const bad = await h.adminJson(
      '/surveys',
      'POST',
      survey({ question: 'How likely are you to recommend us?', sampling: { rate: 2 } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/content/sampling/rate']),
    );
    const noProduct = await h.adminJson(
      '/surveys',
      'POST',
      survey({ question: 'How likely are you to recommend us?' }),
    );
    expect(noProduct.body.errors).toEqual([
      { pointer: '/content/question', detail: 'should name the product: use {product} or the product name' },
    ]);

    const id = await published();
    expect((await h.adminJson(`/surveys/${id}`)).body).toMatchObject({
      publishedVersion: 1,
      hasUnpublishedChanges: false,
    });
    expect((await h.adminJson(`/surveys/${id}/versions/1`, 'PUT', survey())).status).toBe(405);
    // A survey id is not a checklist id: each kind has its own routes.
    expect((await h.adminJson(`/checklists/${id}`)).status).toBe(404);
  });

  it('are delivered, localized and filled in, to users old enough to be asked', async () => {
    const id = await published();
    await ingest([{ type: 'identify', userId: 'old', traits: { createdAt: longAgo(45) } }]);
    await ingest([{ type: 'identify', userId: 'new', traits: { createdAt: longAgo(5) } }]);
    const old = await h.content('old', { locale: 'fr-FR' });
    expect(old.surveys).toHaveLength(1);
    expect(old.surveys[0]).toMatchObject({
      id,
      version: 1,
      locale: 'fr',
      question: 'Recommanderiez-vous Acme ?',
      lowLabel: 'Not at all likely',
      delaySeconds: 3,
      askAgainAfterResponseDays: 90,
    });
    expect(old.promptCooldownHours).toBe(72);
    expect((await h.content('new')).surveys).toEqual([]);
    // createdAt in epoch seconds (as billing systems often send it) or milliseconds.
    const seconds = Math.floor((h.clock.now - 45 * day) / 1000);
    await ingest([{ type: 'identify', userId: 'secs', traits: { createdAt: seconds } }]);
    await ingest([{ type: 'identify', userId: 'recent-secs', traits: { createdAt: seconds + 40 * 86_400 } }]);
    await ingest([{ type: 'identify', userId: 'millis', traits: { createdAt: h.clock.now - 45 * day } }]);
    expect((await h.content('secs')).surveys).toHaveLength(1);
    expect((await h.content('recent-secs')).surveys).toEqual([]);
    expect((await h.content('millis')).surveys).toHaveLength(1);
    // Anonymous visitors are never asked.
    expect((await h.content('old', { userId: null, anonymousId: 'a1' })).surveys).toEqual([]);
  });

  it('wear the workspace theme with their own overrides, the text on the brand colour worked out', async () => {
    await h.adminJson('/workspace', 'PATCH', { theme: { brandColor: '#0f766e', font: 'Inter', radius: 4 } });
    await published({ theme: { brandColor: '#fde047' } });
    await ingest([{ type: 'identify', userId: 'old', traits: { createdAt: longAgo(45) } }]);
    const content = await h.content('old');
    expect(content.theme).toEqual({
      brandColor: '#0f766e',
      onBrand: '#fff',
      font: 'Inter',
      radius: 4,
      mode: 'auto',
    });
    expect(content.surveys[0]?.theme).toEqual({ ...content.theme, brandColor: '#fde047', onBrand: '#000' });
  });

  it('keep one response per response id: the score, then the comment, however often they arrive', async () => {
    const id = await published();
    await ingest([{ type: 'identify', userId: 'u1', traits: { createdAt: longAgo(45) } }]);
    await ingest([{ type: 'group', userId: 'u1', groupId: 'acme', traits: { plan: 'pro' } }]);
    const ref = { contentId: id, version: 1, responseId: 'resp-0001' };
    const answered = (properties: Record<string, unknown>, minutes: number) => ({
      type: 'track',
      userId: 'u1',
      event: '$waymark.survey_answered',
      properties: { ...ref, ...properties },
      timestamp: new Date(h.clock.now + minutes * 60_000).toISOString(),
    });
    // The comment (and a changed score) arrives before the first score: order does not matter.
    const result = await ingest([
      answered({ score: 6, comment: 'Needs exports' }, 2),
      answered({ score: 4 }, 1),
    ]);
    expect(result).toMatchObject({ success: true, accepted: 2 });
    const rows = await h.db.read.all(sql`SELECT * FROM survey_responses`);
    expect(rows).toEqual([
      expect.objectContaining({
        id: 'resp-0001',
        survey_id: id,
        user_id: 'u1',
        account_id: 'acme',
        score: 6,
        comment: 'Needs exports',
        responded_at: h.clock.now + 60_000,
      }),
    ]);
    // Answered: not offered again for 90 days.
    expect((await h.content('u1')).surveys).toEqual([]);
    h.clock.now += 91 * day;
    expect((await h.content('u1')).surveys).toHaveLength(1);
  });

  it("refuse a response id that is already another user's or another survey's", async () => {
    const id = await published();
    const other = await published();
    await ingest([{ type: 'identify', userId: 'alice', traits: { createdAt: longAgo(45) } }]);
    const answer = (userId: string, contentId: string, score: number) => ({
      type: 'track',
      userId,
      event: '$waymark.survey_answered',
      properties: { contentId, version: 1, responseId: 'resp-shared-1', score },
    });
    expect(await ingest([answer('alice', id, 10)])).toMatchObject({ success: true, accepted: 1 });
    const result = await ingest([
      answer('mallory', id, 0),
      answer('alice', other, 0),
      answer('alice', id, 9),
    ]);
    expect(result.accepted).toBe(1);
    expect(
      result.rejected.map((r: { index: number; errors: Array<{ pointer: string }> }) => [
        r.index,
        r.errors[0]?.pointer,
      ]),
    ).toEqual([
      [0, '/batch/0/properties/responseId'],
      [1, '/batch/1/properties/responseId'],
    ]);
    const rows = await h.db.read.all<{ user_id: string; score: number }>(
      sql`SELECT user_id, score FROM survey_responses`,
    );
    expect(rows).toEqual([{ user_id: 'alice', score: 9 }]);
  });
});
