import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../../widget/storage.ts';
import { createScheduler, type Prompt } from '../../widget/view/scheduler.ts';
import { checklist } from './checklist-fixture.ts';
import {
  $,
  $$,
  type FakeHost,
  fakeHost,
  hosts,
  launcher,
  mountView,
  panel,
  removeWidgets,
  run,
  viewState,
} from './checklist-host.ts';
import { type FakeEnv, fakeEnv, prefix, start } from './fake-env.ts';
import { survey, surveyResponse } from './survey-fixture.ts';

/**
 * When the NPS prompt appears: one prompt at a time (widget/view/scheduler.ts), the checklist's open
 * panel first, the workspace cooldown between prompts, what this device remembers of the user's
 * answers, dismissals and displays, the page's URL. Time is vitest's fake clock.
 */
const hour = 3_600_000;
const day = 24 * hour;

beforeEach(() => {
  vi.useFakeTimers({ now: start });
});
afterEach(() => {
  removeWidgets();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the scheduler', () => {
  let env: FakeEnv;
  let user = 'u1';
  const make = (cooldownHours = 72) =>
    createScheduler({ env, store: createStore(() => env.localStorage), prefix }, () => ({
      user,
      cooldownHours,
    }));
  /** A prompt that logs what it is told, as `<name> show` and `<name> hide`. */
  const log: string[] = [];
  const named = new Map<string, Prompt>();
  const byName = (name: string) => named.get(name)!;
  const prompt = (name: string, priority = 50, cooldownId?: string): Prompt => {
    const p = {
      priority,
      cooldownId,
      show: () => log.push(`${name} show`),
      hide: () => log.push(`${name} hide`),
    };
    named.set(name, p);
    return p;
  };

  beforeEach(() => {
    env = fakeEnv();
    user = 'u1';
    log.length = 0;
  });

  it('gives the screen to one prompt at a time: the next waits until it is released', () => {
    const scheduler = make();
    const a = prompt('a');
    const b = prompt('b');
    scheduler.request(a);
    scheduler.request(b);
    scheduler.request(a); // asking again changes nothing
    expect(log).toEqual(['a show']);

    scheduler.release(b); // b stops waiting
    scheduler.release(a);
    expect(log).toEqual(['a show']);
    scheduler.request(b);
    expect(log).toEqual(['a show', 'b show']);
  });

  it('lets the highest priority waiting go first, and equal ones in the order they asked', () => {
    const scheduler = make();
    const holder = prompt('holder');
    scheduler.take(holder);
    const waiting = [prompt('low', 10), prompt('first', 50), prompt('high', 90), prompt('second', 50)];
    for (const p of waiting) scheduler.request(p);
    expect(log).toEqual([]);

    scheduler.release(holder);
    for (const name of ['high', 'first', 'second']) {
      scheduler.release(byName(name));
    }
    expect(log).toEqual(['high show', 'first show', 'second show', 'low show']);
  });

  it('what the user opens takes the screen at once; the prompt showing steps aside and comes back after', () => {
    const scheduler = make();
    const survey = prompt('survey', 50, 'sv_nps');
    const panel = prompt('panel', 100);
    scheduler.request(survey);

    scheduler.take(panel);
    expect(log).toEqual(['survey show', 'survey hide']);
    scheduler.take(panel); // taking again changes nothing
    scheduler.release(panel);
    expect(log).toEqual(['survey show', 'survey hide', 'survey show']);
  });

  it('keeps prompts of the cooldown’s kind promptCooldownHours apart; the same prompt and checklists are not held back', async () => {
    const scheduler = make(72);
    const nps = prompt('nps', 50, 'sv_nps');
    const tour = prompt('tour', 90, 'sp_tour');
    const checklist = prompt('checklist', 100);
    scheduler.request(nps);
    scheduler.release(nps);

    scheduler.request(tour);
    expect(log).toEqual(['nps show']);
    scheduler.request(checklist); // waits for nothing
    expect(log).toEqual(['nps show', 'checklist show']);
    scheduler.release(checklist);
    scheduler.request(nps); // shown again (an unanswered survey), not held back by its own cooldown
    expect(log).toEqual(['nps show', 'checklist show', 'nps show']);
    scheduler.release(nps);

    await vi.advanceTimersByTimeAsync(72 * hour - 1);
    expect(log.at(-1)).toBe('nps show');
    await vi.advanceTimersByTimeAsync(1);
    expect(log.at(-1)).toBe('tour show');
  });

  it('remembers the last prompt on the device, per user, for the next page load', () => {
    make().request(prompt('nps', 50, 'sv_nps'));
    log.length = 0;

    const nextPage = make(72);
    nextPage.request(prompt('tour', 50, 'sp_tour'));
    expect(log).toEqual([]);

    user = 'u2';
    const otherUser = make(72);
    otherUser.request(prompt('tour', 50, 'sp_tour'));
    expect(log).toEqual(['tour show']);
  });

  it('applies no cooldown when the workspace has none', () => {
    const scheduler = make(0);
    const nps = prompt('nps', 50, 'sv_nps');
    scheduler.request(nps);
    scheduler.release(nps);
    scheduler.request(prompt('tour', 50, 'sp_tour'));
    expect(log).toEqual(['nps show', 'tour show']);
  });
});

describe('the survey and the checklist on one page', () => {
  const ref = { contentId: 'sv_nps', version: 2 };
  const card = () => $('section.survey');
  const both = (firstView: boolean) =>
    viewState({ response: surveyResponse(survey(), { checklists: [checklist({ seen: !firstView })] }) });

  it('never two at once: the survey waits while the checklist’s panel (open on first view) is open, and appears once it closes', async () => {
    const host = fakeHost();
    await mountView(host, both(true));
    expect(panel()!.hidden).toBe(false);

    await run(() => vi.advanceTimersByTime(60_000));
    expect(card()).toBeNull();
    expect(host.emitted.map(([name]) => name)).not.toContain('survey_shown');

    await run(() => launcher()!.click()); // the user closes the panel
    expect(panel()!.hidden).toBe(true);
    expect(card()).not.toBeNull();
    expect(host.emitted.at(-1)).toEqual(['survey_shown', ref]);
  });

  it('the closed launcher does not hold the screen', async () => {
    await mountView(fakeHost(), both(false));
    expect(launcher()).not.toBeNull();

    await run(() => vi.advanceTimersByTime(3000));
    expect(card()).not.toBeNull();
  });

  it('a survey on screen makes the first-view panel wait', async () => {
    const host = fakeHost();
    const view = await mountView(host, viewState({ response: surveyResponse() }));
    await run(() => vi.advanceTimersByTime(3000));
    expect(card()).not.toBeNull();

    // The checklist arrives (a new answer from the server) while the survey is up.
    await run(() => view.update(both(true)));
    expect(panel()!.hidden).toBe(true);

    await run(() => $<HTMLButtonElement>('section.survey button[aria-label="Close"]')!.click());
    expect(panel()!.hidden).toBe(false);
  });

  it('opening the checklist while the survey is up sets the survey aside; it comes back as it was', async () => {
    const host = fakeHost();
    await mountView(host, both(false));
    await run(() => vi.advanceTimersByTime(3000));
    await run(() => $$<HTMLButtonElement>('[role="radio"]')[7]!.click());

    await run(() => launcher()!.click());
    expect(panel()!.hidden).toBe(false);
    expect(card()).toBeNull();

    await run(() => launcher()!.click());
    expect(card()).not.toBeNull();
    expect($('[aria-checked="true"]')!.textContent).toBe('7');
    expect(host.emitted.filter(([name]) => name === 'survey_shown')).toHaveLength(1);
  });
});

describe('what the device remembers, per user', () => {
  let host: FakeHost;
  /** Closes the page and opens the next one on the same device `afterMs` later, as `user`. */
  const nextPage = async (afterMs: number, user = 'u1') => {
    removeWidgets();
    vi.setSystemTime(Date.now() + afterMs);
    host = fakeHost(host.env);
    await mountView(host, viewState({ user, response: surveyResponse() }));
    await run(() => vi.advanceTimersByTime(3000));
  };
  /** The prompt, if any (when nothing is shown, the page has no widget element at all). */
  const card = () => (hosts().length ? $('section.survey') : null);
  const close = () => run(() => $<HTMLButtonElement>('button[aria-label="Close"]')!.click());

  beforeEach(async () => {
    host = fakeHost();
    await mountView(host, viewState({ response: surveyResponse() }));
    await run(() => vi.advanceTimersByTime(3000));
  });

  it('after an answer, the survey the server still offers is not shown for askAgainAfterResponseDays', async () => {
    await run(() => $$<HTMLButtonElement>('[role="radio"]')[9]!.click());
    // The user leaves without closing it.

    await nextPage(90 * day - 3001);
    expect(card()).toBeNull();
    await nextPage(1);
    expect(card()).not.toBeNull();
  });

  it('after a dismissal, for askAgainAfterDismissDays', async () => {
    await close();

    await nextPage(30 * day - 3001);
    expect(card()).toBeNull();
    expect(host.emitted).toEqual([]);
    await nextPage(1);
    expect(card()).not.toBeNull();
  });

  it('after a display left unanswered, for redisplayAfterHours', async () => {
    await nextPage(24 * hour - 3001);
    expect(hosts()).toEqual([]); // nothing to show: the page is left untouched
    await nextPage(1);
    expect(card()).not.toBeNull();
  });

  it('another user of the device is asked all the same', async () => {
    await close();

    await nextPage(hour, 'u2');
    expect(card()).not.toBeNull();
  });
});

describe('where it shows', () => {
  const onInvoices = survey({
    urls: [{ match: 'prefix', pattern: '/invoices', withQuery: false }],
    excludeUrls: [{ match: 'exact', pattern: '/invoices/print', withQuery: false }],
  });
  const card = () => (hosts().length ? $('section.survey') : null);

  it('delaySeconds after reaching a page its URL rules match; gone on SPA navigation to one they do not, without a dismissal', async () => {
    const host = fakeHost();
    const state = viewState({ response: surveyResponse(onInvoices) });
    const view = await mountView(host, state);
    const go = (path: string) =>
      run(() => {
        host.env.location = { ...host.env.location, path, search: '' };
        view.update(state);
      });

    await run(() => vi.advanceTimersByTime(10_000));
    expect(card()).toBeNull(); // on /start

    await go('/invoices/42');
    await run(() => vi.advanceTimersByTime(2000));
    await go('/invoices/print'); // left before it appeared: it starts over next time
    await go('/invoices/43');
    await run(() => vi.advanceTimersByTime(2999));
    expect(card()).toBeNull();
    await run(() => vi.advanceTimersByTime(1));
    expect(card()).not.toBeNull();

    await go('/invoices/44'); // still matching: it stays
    expect(card()).not.toBeNull();
    await go('/settings');
    expect(card()).toBeNull();
    expect(host.emitted.map(([name]) => name)).toEqual(['survey_shown']);

    await go('/invoices/45'); // shown on this device less than redisplayAfterHours ago
    await run(() => vi.advanceTimersByTime(10_000));
    expect(card()).toBeNull();
  });

  it('a newer answer without the survey withdraws it before it appears, never after', async () => {
    const host = fakeHost();
    const view = await mountView(host, viewState({ response: surveyResponse() }));
    await run(() => vi.advanceTimersByTime(1000));
    await run(() => view.update(viewState({ response: surveyResponse(survey(), { surveys: [] }) })));
    await run(() => vi.advanceTimersByTime(10_000));
    expect(card()).toBeNull();

    await run(() => view.update(viewState({ response: surveyResponse() })));
    await run(() => vi.advanceTimersByTime(3000));
    expect(card()).not.toBeNull();
    // The server heard survey_shown and stops offering it: the prompt stays until the user is done.
    await run(() => view.update(viewState({ response: surveyResponse(survey(), { surveys: [] }) })));
    expect(card()).not.toBeNull();
    await run(() =>
      view.update(viewState({ user: 'u2', response: surveyResponse(survey(), { surveys: [] }) })),
    );
    expect(card()).toBeNull(); // another user: gone
  });
});
