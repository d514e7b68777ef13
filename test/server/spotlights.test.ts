import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const hour = 3_600_000;
const day = 24 * hour;
let seq = 0;
async function ingest(batch: Array<Record<string, unknown>>) {
  const res = await h.post({
    batch: batch.map((m) => ({
      messageId: `m${++seq}`,
      timestamp: new Date(h.clock.now).toISOString(),
      ...m,
    })),
  });
  const body = await res.json();
  expect(body.success, JSON.stringify(body.rejected)).toBe(true);
  return body;
}
const step = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: 'tooltip',
  title: `Step ${id}`,
  anchor: { selector: `[data-tour="${id}"]` },
  ...extra,
});
async function published(content: Record<string, unknown>) {
  const created = await h.adminJson('/spotlights', 'POST', { name: 'Tour', content });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await h.adminJson(`/spotlights/${created.body.id}/publish`, 'POST');
  return created.body.id as string;
}
const event = (name: string, properties: Record<string, unknown>) => ({
  type: 'track',
  userId: 'u1',
  event: `$waymark.${name}`,
  properties,
});

describe('spotlights and tours', () => {
  it('reject invalid content with field paths', async () => {
    const bad = await h.adminJson('/spotlights', 'POST', {
      name: 'Broken',
      content: {
        steps: [
          { id: 'a', kind: 'hotspot', title: 'No anchor' },
          { id: 'a', kind: 'modal', title: 'Dup', advance: 'click' },
          step('c', { anchor: { selector: 'body { color: red }' } }),
        ],
        trigger: { kind: 'delay', seconds: 0 },
        translations: { fr: { nope: { title: 'Non' } } },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining([
        '/content/steps/0/anchor',
        '/content/steps/1/id',
        '/content/steps/1/advance',
        '/content/steps/2/anchor/selector',
        '/content/trigger/seconds',
      ]),
    );
    expect(bad.body.errors).toContainEqual({
      pointer: '/content/translations/fr/nope',
      detail: 'names no step of this spotlight',
    });
  });

  it('are delivered by frequency, and a tour resumes at the step last viewed', async () => {
    const once = await published({ steps: [step('a')], frequency: { mode: 'once' }, priority: 10 });
    const tour = await published({ steps: [step('a'), step('b'), step('c')], priority: 90 });
    const weekly = await published({
      steps: [step('w')],
      frequency: { mode: 'every', days: 7 },
      priority: 20,
    });
    await ingest([{ type: 'identify', userId: 'u1', traits: {} }]);
    let delivered = await h.content('u1');
    expect(delivered.spotlights.map((s) => [s.id, s.resumeAt])).toEqual([
      [tour, null],
      [weekly, null],
      [once, null],
    ]);

    await ingest([
      event('spotlight_shown', { contentId: once, version: 1 }),
      event('spotlight_shown', { contentId: weekly, version: 1 }),
      event('spotlight_shown', { contentId: tour, version: 1 }),
      event('spotlight_step_viewed', { contentId: tour, version: 1, stepId: 'a', stepIndex: 0 }),
    ]);
    h.clock.now += 1000;
    await ingest([
      event('spotlight_step_viewed', { contentId: tour, version: 1, stepId: 'b', stepIndex: 1 }),
    ]);
    delivered = await h.content('u1');
    expect(delivered.spotlights.map((s) => [s.id, s.resumeAt])).toEqual([[tour, 'b']]);
    expect(delivered.lastPromptAt).toBe(new Date(h.clock.now - 1000).toISOString());

    // Completed: the tour is done (untilDone); a week later the weekly one is due again.
    await ingest([event('spotlight_completed', { contentId: tour, version: 1 })]);
    expect((await h.content('u1')).spotlights).toEqual([]);
    h.clock.now += 7 * day;
    expect((await h.content('u1')).spotlights.map((s) => s.id)).toEqual([weekly]);
  });

  it('record target-not-found and the step funnel per version', async () => {
    const tour = await published({ steps: [step('a'), step('b')] });
    await ingest([
      { type: 'identify', userId: 'u1', traits: {} },
      { type: 'identify', userId: 'u2', traits: {} },
    ]);
    const missing = {
      contentId: tour,
      version: 1,
      stepId: 'b',
      selector: '[data-tour="b"]',
      url: '/settings',
      outcome: 'skipped',
    };
    await ingest([
      event('spotlight_shown', { contentId: tour, version: 1 }),
      event('spotlight_step_viewed', { contentId: tour, version: 1, stepId: 'a', stepIndex: 0 }),
      event('spotlight_target_not_found', missing),
      event('spotlight_completed', { contentId: tour, version: 1 }),
      { ...event('spotlight_shown', { contentId: tour, version: 1 }), userId: 'u2' },
      {
        ...event('spotlight_step_viewed', { contentId: tour, version: 1, stepId: 'a', stepIndex: 0 }),
        userId: 'u2',
      },
      { ...event('spotlight_target_not_found', missing), userId: 'u2' },
      { ...event('spotlight_target_not_found', missing), userId: 'u2' },
      { ...event('spotlight_dismissed', { contentId: tour, version: 1, stepId: 'a' }), userId: 'u2' },
    ]);
    const { body } = await h.adminJson(`/spotlights/${tour}/funnel`);
    expect(body.funnels).toEqual([
      {
        spotlightId: tour,
        version: 1,
        shown: 2,
        steps: [
          { id: 'a', index: 0, title: 'Step a', viewed: 2, dismissedHere: 1 },
          { id: 'b', index: 1, title: 'Step b', viewed: 0, dismissedHere: 0 },
        ],
        completed: 1,
        dismissed: 1,
        completionRate: 0.5,
        targetNotFound: [
          {
            stepId: 'b',
            selector: '[data-tour="b"]',
            url: '/settings',
            events: 3,
            users: 2,
            lastAt: new Date(h.clock.now).toISOString(),
          },
        ],
      },
    ]);
  });

  it('count as completed only for users they were shown to: a skipped spotlight is not completed', async () => {
    const single = await published({ steps: [step('a', { whenMissing: 'skip' })] });
    await ingest([
      { type: 'identify', userId: 'u1', traits: {} },
      { type: 'identify', userId: 'u2', traits: {} },
    ]);
    const ref = { contentId: single, version: 1 };
    const missing = { ...ref, stepId: 'a', selector: '[data-tour="a"]', url: '/', outcome: 'skipped' };
    // u1: the target never showed and the step was skipped; an older widget then sent a completion.
    // u2: saw it and finished it.
    await ingest([
      event('spotlight_target_not_found', missing),
      event('spotlight_completed', ref),
      { ...event('spotlight_shown', ref), userId: 'u2' },
      { ...event('spotlight_step_viewed', { ...ref, stepId: 'a', stepIndex: 0 }), userId: 'u2' },
      { ...event('spotlight_completed', ref), userId: 'u2' },
    ]);
    const { body } = await h.adminJson(`/spotlights/${single}/funnel`);
    expect(body.funnels[0]).toMatchObject({ shown: 1, completed: 1, completionRate: 1 });
    // Never shown, so not done: u1 is still offered it (untilDone), u2 is not.
    expect((await h.content('u1')).spotlights.map((s) => s.id)).toEqual([single]);
    expect((await h.content('u2')).spotlights).toEqual([]);
  });

  it('resume a tour at the step the user moved to with Next, before that step showed', async () => {
    const tour = await published({ steps: [step('a'), step('b'), step('c')] });
    await ingest([{ type: 'identify', userId: 'u1', traits: {} }]);
    const ref = { contentId: tour, version: 1 };
    await ingest([
      event('spotlight_shown', ref),
      event('spotlight_step_viewed', { ...ref, stepId: 'a', stepIndex: 0 }),
    ]);
    h.clock.now += 1000;
    await ingest([event('spotlight_step_reached', { ...ref, stepId: 'b', stepIndex: 1 })]);
    const delivered = await h.content('u1');
    expect(delivered.spotlights.map((s) => [s.id, s.resumeAt])).toEqual([[tour, 'b']]);
    // It is not a view: the funnel counts none for step b.
    const { body } = await h.adminJson(`/spotlights/${tour}/funnel`);
    expect(body.funnels[0].steps.map((s: { viewed: number }) => s.viewed)).toEqual([1, 0, 0]);
  });

  it('show a draft through a signed, expiring preview link, to nobody else', async () => {
    const created = await h.adminJson('/spotlights', 'POST', {
      name: 'Draft',
      content: {
        steps: [step('a', { title: 'Draft step' })],
        audience: { conditions: [{ on: 'user', trait: 'plan', op: 'equals', value: 'never' }] },
      },
    });
    const preview = await h.adminJson(`/spotlights/${created.body.id}/preview`, 'POST', {
      url: 'https://app.example.com/invoices?tab=all',
      expiresInMinutes: 30,
    });
    expect(preview.status).toBe(201);
    expect(preview.body.url).toBe(
      `https://app.example.com/invoices?tab=all&waymark_preview=${preview.body.token}`,
    );
    expect(preview.body.delivered).toMatchObject({ id: created.body.id, version: 0, preview: true });

    expect((await h.content('u1')).spotlights).toEqual([]);
    const shown = await h.content('u1', { preview: preview.body.token });
    expect(shown.spotlights).toMatchObject([
      { id: created.body.id, preview: true, steps: [{ title: ['Draft step'] }] },
    ]);
    const forged = `${preview.body.token.split('.')[0]}.AAAA`;
    expect((await h.content('u1', { preview: forged })).spotlights).toEqual([]);
    h.clock.now += 31 * 60_000;
    expect((await h.content('u1', { preview: preview.body.token })).spotlights).toEqual([]);
  });

  it('hold surveys back within the workspace cooldown of a tour that opened by itself', async () => {
    const tour = await published({ steps: [step('a'), step('b')] });
    const survey = await h.adminJson('/surveys', 'POST', {
      name: 'NPS',
      content: {
        productName: 'Acme',
        question: 'How likely are you to recommend {product}?',
        lowLabel: 'No',
        highLabel: 'Yes',
        followUp: { detractor: 'Why?', passive: 'Why?', promoter: 'Why?' },
        thankYou: 'Thanks',
        sampling: { firstAskAfterDays: 0 },
      },
    });
    await h.adminJson(`/surveys/${survey.body.id}/publish`, 'POST');
    await ingest([{ type: 'identify', userId: 'u1', traits: {} }]);
    expect((await h.content('u1')).surveys).toHaveLength(1);
    await ingest([event('spotlight_shown', { contentId: tour, version: 1 })]);
    expect((await h.content('u1')).surveys).toEqual([]);
    h.clock.now += 72 * hour;
    expect((await h.content('u1')).surveys).toHaveLength(1);
  });
});
