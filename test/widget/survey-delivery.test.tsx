import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { internalEvents } from '../../shared/schemas/internal-event.ts';
import type { ViewModule } from '../../widget/view-loader.ts';
import type { Waymark } from '../../widget/waymark.ts';
import { response } from './checklist-fixture.ts';
import { $, $$, removeWidgets } from './checklist-host.ts';
import { answer, bootWith, type ContentEnv, contentEnv, fakeViewModule } from './content-fake.ts';
import { batchUrl, invalidMessages, prefix, start, tick } from './fake-env.ts';
import { survey, surveyResponse } from './survey-fixture.ts';

/**
 * The core and the survey together: the UI chunk is fetched for a survey, a cached copy from before
 * surveys is still good, a revalidation that changes the survey redraws, and the prompt's events
 * reach `POST /v1/batch` as shared/schemas/internal-event.ts defines them, the score at once.
 */
let env: ContentEnv;
let instance: Waymark;

const settle = async (ms = 0) => {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
    await tick();
  });
};
const boot = (loadView: () => Promise<ViewModule> = () => import('../../widget/view/main.ts')) => {
  instance = bootWith(env, { queue: [['identify', ['u1'], start]], loadView });
  return instance.api;
};
const batches = () => env.requests.filter((r) => r.url === batchUrl).map((r) => r.body.batch);
const internal = () =>
  batches()
    .flat()
    .filter((m) => String(m.event).startsWith('$waymark.'))
    .map((m) => [String(m.event).slice('$waymark.'.length), m.properties] as const);

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  let n = 0;
  env = contentEnv({ uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });
});
afterEach(() => {
  instance.stop();
  removeWidgets();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the UI chunk and the content client', () => {
  it('downloads the chunk for a survey alone', async () => {
    env.contentReplies.push(answer(surveyResponse()));
    const { load } = fakeViewModule();
    boot(load);
    await settle();

    expect(load).toHaveBeenCalledTimes(1);
  });

  it('draws a copy cached before surveys existed, as having none', async () => {
    const { surveys: _, ...old } = response();
    env.localStorage.setItem(`${prefix}:content:2:u:u1`, JSON.stringify(old));
    const { view, load } = fakeViewModule();
    env.contentReplies.push(() => new Promise<Response>(() => undefined)); // no answer yet
    boot(load);
    await settle();

    expect(view.last()?.response.surveys).toEqual([]);
    expect(view.last()?.response.checklists).toHaveLength(1);
  });

  it('redraws when revalidation changes the survey or the cooldown, not when nothing changed', async () => {
    const first = surveyResponse();
    env.localStorage.setItem(`${prefix}:content:2:u:u1`, JSON.stringify(first));
    const later = (overrides: Parameters<typeof surveyResponse>[1], s = survey()) =>
      answer(surveyResponse(s, { servedAt: '2026-11-23T10:00:05.000Z', ...overrides }));
    env.contentReplies.push(
      later({}),
      later({}, survey({ question: 'Would you recommend Ledgerly?' })),
      later({ promptCooldownHours: 24 }),
    );
    const { view, load } = fakeViewModule();
    boot(load);
    await settle();
    const drawn = view.updates.length;
    expect(drawn).toBe(1); // the cached copy; its revalidation brought the same content

    for (const expected of [drawn + 1, drawn + 2]) {
      instance.api.identify('u1', { plan: 'pro' }, { userHash: `h${expected}` }); // asks again
      await settle();
      expect(view.updates).toHaveLength(expected);
    }
    expect(view.last()?.response.promptCooldownHours).toBe(24);
    expect(view.updates[drawn]?.response.surveys[0]?.question).toBe('Would you recommend Ledgerly?');
  });
});

describe('the prompt’s events', () => {
  it('are sent as the schema says: shown, the score at once, the comment with the same responseId', async () => {
    env.contentReplies.push(answer(surveyResponse()));
    boot();
    await settle(3000);
    expect($('section.survey')).not.toBeNull();
    await settle(1000); // the page view, identify and survey_shown go in one batch
    const sent = batches().length;

    await act(() => $$<HTMLButtonElement>('[role="radio"]')[10]!.click());
    await settle(); // flushed: no batching delay for the score
    expect(batches()).toHaveLength(sent + 1);
    expect(
      batches()
        .at(-1)!
        .map((m) => m.event),
    ).toEqual(['$waymark.survey_answered']);

    const box = $<HTMLTextAreaElement>('textarea')!;
    await act(() => {
      box.value = 'The reminders.';
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(() => $<HTMLButtonElement>('button[type="submit"]')!.click());
    await settle();

    const ref = { contentId: 'sv_nps', version: 2 };
    const [, scored] = internal().find(([name]) => name === 'survey_answered')!;
    const responseId = (scored as { responseId: string }).responseId;
    expect(internal()).toEqual([
      ['survey_shown', ref],
      ['survey_answered', { ...ref, responseId, score: 10 }],
      ['survey_answered', { ...ref, responseId, score: 10, comment: 'The reminders.' }],
    ]);
    for (const [name, properties] of internal()) {
      expect(internalEvents[name as keyof typeof internalEvents].safeParse(properties).error).toBeUndefined();
    }
    expect(invalidMessages(batches().flat())).toEqual([]);
  });
});
