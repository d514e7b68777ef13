import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { internalEvents } from '../../shared/schemas/internal-event.ts';
import { widgetStrings } from '../../shared/widget-strings.ts';
import { thanksMs } from '../../widget/survey/view.ts';
import { css } from '../../widget/view/main.ts';
import {
  $,
  $$,
  type FakeHost,
  fakeHost,
  mountView,
  removeWidgets,
  run,
  shadow,
  viewState,
} from './checklist-host.ts';
import { fakeEnv, start } from './fake-env.ts';
import { survey, surveyResponse } from './survey-fixture.ts';

/**
 * The NPS prompt as the UI chunk draws it (no checklist on the page): the radio group, saving each
 * score at once, the follow-up, the thank-you, closing, and how it looks. Time is vitest's fake clock.
 */
let host: FakeHost;

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  // Real-looking ids: a responseId must be 8-64 characters (shared/schemas/internal-event.ts).
  let n = 0;
  host = fakeHost(fakeEnv({ uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` }));
});
afterEach(() => {
  removeWidgets();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const ref = { contentId: 'sv_nps', version: 2 };
const card = () => $('section.survey');
const radios = () => $$<HTMLButtonElement>('[role="radio"]');
const radio = (score: number) => radios()[score]!;
const checked = () => radios().filter((r) => r.getAttribute('aria-checked') === 'true');
const tabStops = () => radios().filter((r) => r.tabIndex === 0);
const status = () => $('[role="status"]')?.textContent ?? '';
const answers = () => host.emitted.filter(([name]) => name === 'survey_answered').map(([, p]) => p);

/** Mounts the view with `state` and lets the survey's delay pass: the prompt is on screen. */
async function showPrompt(state = viewState({ response: surveyResponse() })) {
  const view = await mountView(host, state);
  await run(() => vi.advanceTimersByTime(3000));
  return view;
}

/** A keydown on `target`, as the browser sends it; returns it to check whether it was handled. */
async function key(target: Element, name: string): Promise<KeyboardEvent> {
  const event = new KeyboardEvent('keydown', { key: name, bubbles: true, composed: true, cancelable: true });
  await run(() => target.dispatchEvent(event));
  return event;
}

async function type(text: string) {
  const box = $<HTMLTextAreaElement>('textarea')!;
  await run(() => {
    box.value = text;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('appearing', () => {
  it('appears after delaySeconds, leaves focus where it is, says so politely, and sends survey_shown', async () => {
    const outside = document.createElement('button');
    document.body.append(outside);
    outside.focus();
    await mountView(host, viewState({ response: surveyResponse() }));

    // The live region is there before the prompt, so that screen readers notice its change.
    expect(status()).toBe('');
    await run(() => vi.advanceTimersByTime(2999));
    expect(card()).toBeNull();
    expect(host.emitted).toEqual([]);

    await run(() => vi.advanceTimersByTime(1));
    expect(card()).not.toBeNull();
    expect(document.activeElement).toBe(outside);
    expect(status()).toBe('Quick survey: How likely are you to recommend Ledgerly to a friend or colleague?');
    expect(host.emitted).toEqual([['survey_shown', ref]]);
    outside.remove();
  });

  it('is a labelled region, not a modal dialog', async () => {
    await showPrompt();

    expect(card()!.tagName).toBe('SECTION');
    expect(card()!.getAttribute('aria-label')).toBe('Quick survey');
    expect(shadow().querySelector('[role="dialog"], [aria-modal]')).toBeNull();
    expect(card()!.getAttribute('lang')).toBe('en');
  });
});

describe('the scale, a radio group', () => {
  it('is named by the question, with eleven radios named 0 to 10 and the end labels under it', async () => {
    await showPrompt();

    const group = $('[role="radiogroup"]')!;
    expect(shadow().getElementById(group.getAttribute('aria-labelledby')!)!.textContent).toBe(
      'How likely are you to recommend Ledgerly to a friend or colleague?',
    );
    expect(radios().map((r) => r.getAttribute('aria-label') ?? r.textContent)).toEqual([
      '0, Not at all likely',
      ...['1', '2', '3', '4', '5', '6', '7', '8', '9'],
      '10, Extremely likely',
    ]);
    expect(radios().map((r) => r.textContent)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
    ]);
    expect(checked()).toEqual([]);
    expect(tabStops()).toEqual([radio(0)]); // one tab stop: the first, while none is picked
    expect($$('.ends span').map((s) => s.textContent)).toEqual(['Not at all likely', 'Extremely likely']);
  });

  it('arrow keys move focus and pick, Home and End go to the ends, and it wraps; one tab stop follows', async () => {
    await showPrompt();
    radio(0).focus();

    const steps: Array<[string, number]> = [
      ['ArrowRight', 1],
      ['ArrowDown', 2],
      ['ArrowUp', 1],
      ['ArrowLeft', 0],
      ['ArrowLeft', 10],
      ['ArrowRight', 0],
      ['End', 10],
      ['Home', 0],
    ];
    for (const [name, score] of steps) {
      const event = await key(shadow().activeElement!, name);
      expect(event.defaultPrevented, name).toBe(true); // the page does not scroll
      expect(checked(), name).toEqual([radio(score)]);
      expect(shadow().activeElement, name).toBe(radio(score));
      expect(tabStops(), name).toEqual([radio(score)]);
    }
    // Scores passed on the way are not answers: nothing is sent until the user settles.
    expect(answers()).toEqual([]);

    const other = await key(radio(0), 'a');
    expect(other.defaultPrevented).toBe(false);
  });

  it('sends the score the arrows reached once the user picks it (a click, as Space and Enter make)', async () => {
    await showPrompt();
    radio(0).focus();
    for (const _ of [1, 2, 3, 4, 5]) await key(shadow().activeElement!, 'ArrowRight');
    expect(answers()).toEqual([]);
    await run(() => radio(5).click());
    expect(answers().map((a) => a.score)).toEqual([5]);
    expect(host.flush).toHaveBeenCalledTimes(1);
  });

  it('sends the score the arrows reached when focus moves on to the comment, once', async () => {
    await showPrompt();
    radio(0).focus();
    for (const name of ['End', 'ArrowLeft']) await key(shadow().activeElement!, name);
    expect(answers()).toEqual([]);
    await run(() => $<HTMLTextAreaElement>('textarea')!.focus());
    expect(answers().map((a) => a.score)).toEqual([9]);
    await run(() => $<HTMLButtonElement>('button[type="submit"]')!.focus());
    await type('Fast.');
    await run(() => $<HTMLButtonElement>('button[type="submit"]')!.click());
    expect(answers().map((a) => [a.score, a.comment])).toEqual([
      [9, undefined],
      [9, 'Fast.'],
    ]);
  });

  it('sends the score the arrows reached when the page goes away', async () => {
    await showPrompt();
    radio(0).focus();
    for (const _ of [1, 2, 3]) await key(shadow().activeElement!, 'ArrowRight');
    await run(() => host.env.fire('window', 'pagehide'));
    expect(answers().map((a) => a.score)).toEqual([3]);
  });

  it('closing after only arrowing is a dismissal, with no score', async () => {
    await showPrompt();
    radio(0).focus();
    for (const _ of [1, 2, 3, 4, 5]) await key(shadow().activeElement!, 'ArrowRight');
    await run(() => $<HTMLButtonElement>('button[aria-label="Close"]')!.click());
    expect(answers()).toEqual([]);
    expect(host.emitted.map(([name]) => name)).toEqual(['survey_shown', 'survey_dismissed']);
  });

  it('right to left, Left goes up the scale and Right down', async () => {
    const arabic = survey({ locale: 'ar', question: 'ما مدى احتمال أن توصي بـ Ledgerly؟' });
    await showPrompt(
      viewState({ locale: 'ar-EG', response: surveyResponse(arabic, { strings: widgetStrings('ar-EG') }) }),
    );

    expect($('.root')!.getAttribute('dir')).toBe('rtl');
    radio(0).focus();
    await key(radio(0), 'ArrowLeft');
    expect(checked()).toEqual([radio(1)]);
    await key(radio(1), 'ArrowRight');
    expect(checked()).toEqual([radio(0)]);
    await key(radio(0), 'ArrowDown');
    expect(checked()).toEqual([radio(1)]);
  });

  it('a click picks and saves at once (sent now); another score is the same response', async () => {
    await showPrompt();

    await run(() => radio(8).click());
    expect(host.emitted.at(-1)).toEqual([
      'survey_answered',
      { ...ref, responseId: expect.stringMatching(/^[\w-]{8,64}$/), score: 8 },
    ]);
    expect(host.flush).toHaveBeenCalledTimes(1);
    expect(checked()).toEqual([radio(8)]);

    await run(() => radio(3).click());
    expect(host.flush).toHaveBeenCalledTimes(2);
    const [first, second] = answers();
    expect(second).toEqual({ ...first, score: 3 });
    for (const properties of answers())
      expect(internalEvents.survey_answered.safeParse(properties).success).toBe(true);
  });

  it('each display is a new response', async () => {
    await showPrompt();
    await run(() => radio(5).click());
    await run(() => $<HTMLButtonElement>('button[aria-label="Close"]')!.click());
    removeWidgets();

    // 90 days later, on the same device, the next display.
    vi.setSystemTime(start + 91 * 86_400_000);
    const next = fakeHost(host.env);
    await mountView(next, viewState({ response: surveyResponse() }));
    await run(() => vi.advanceTimersByTime(3000));
    await run(() => radio(6).click());

    const [, again] = next.emitted.at(-1)!;
    expect(again.responseId).not.toBe(answers()[0]!.responseId);
  });
});

describe('the follow-up question', () => {
  it.each([
    [0, 'Sorry to hear that. What is the main reason for your score?'],
    [6, 'Sorry to hear that. What is the main reason for your score?'],
    [7, 'Thanks! What would make Ledgerly a 10 for you?'],
    [8, 'Thanks! What would make Ledgerly a 10 for you?'],
    [9, 'Wonderful! What do you like most about Ledgerly?'],
    [10, 'Wonderful! What do you like most about Ledgerly?'],
  ])('after %i asks “%s”, labelling a comment box', async (score, question) => {
    await showPrompt();
    expect($('textarea')).toBeNull();

    await run(() => radio(score).click());

    const box = $<HTMLTextAreaElement>('textarea')!;
    expect($(`label[for="${box.id}"]`)!.textContent).toBe(question);
    expect(box.maxLength).toBe(2000);
    expect(status()).toBe(question); // said, since the box appears below the focused radio
    expect($('button[type="submit"]')!.textContent).toBe('Submit');
  });

  it('follows a change of group', async () => {
    await showPrompt();
    await run(() => radio(2).click());
    await run(() => radio(9).click());

    expect($('.more label')!.textContent).toBe('Wonderful! What do you like most about Ledgerly?');
  });

  it('submitting sends the comment with the same response, thanks, and closes by itself a few seconds later', async () => {
    await showPrompt();
    await run(() => radio(9).click());
    await type('  Invoices go out in a minute.  ');

    await run(() => $<HTMLButtonElement>('button[type="submit"]')!.click());

    const [first, second] = answers();
    expect(second).toEqual({ ...first, score: 9, comment: 'Invoices go out in a minute.' });
    expect(internalEvents.survey_answered.safeParse(second).success).toBe(true);
    expect(host.flush).toHaveBeenCalledTimes(2);
    expect($('.thanks')!.textContent).toBe('Thank you: the Ledgerly team reads every answer.');
    expect(shadow().activeElement).toBe($('.thanks')); // the submit button is gone: focus is not lost
    expect($('[role="radiogroup"]')).toBeNull();
    expect($('button[aria-label="Close"]')).not.toBeNull();

    await run(() => vi.advanceTimersByTime(thanksMs - 1));
    expect(card()).not.toBeNull();
    await run(() => vi.advanceTimersByTime(1));
    expect(card()).toBeNull();
    expect(host.emitted.map(([name]) => name)).toEqual([
      'survey_shown',
      'survey_answered',
      'survey_answered',
    ]);
  });

  it('an empty comment sends nothing more', async () => {
    await showPrompt();
    await run(() => radio(7).click());
    await type('   ');

    await run(() => $<HTMLButtonElement>('button[type="submit"]')!.click());

    expect(answers()).toHaveLength(1);
    expect($('.thanks')).not.toBeNull();
  });

  it('thanks in the widget’s own words when the survey has none', async () => {
    await showPrompt(
      viewState({
        locale: 'de',
        response: surveyResponse(survey({ thankYou: '' }), { strings: widgetStrings('de') }),
      }),
    );
    await run(() => radio(7).click());
    await run(() => $<HTMLButtonElement>('button[type="submit"]')!.click());

    expect($('.thanks')!.textContent).toBe('Vielen Dank für Ihr Feedback!');
  });
});

describe('closing', () => {
  it('before a score is a dismissal', async () => {
    await showPrompt();

    await run(() => $<HTMLButtonElement>('button[aria-label="Close"]')!.click());

    expect(card()).toBeNull();
    expect(status()).toBe('');
    expect(host.emitted).toEqual([
      ['survey_shown', ref],
      ['survey_dismissed', ref],
    ]);
  });

  it('after a score is not: the response stands; Escape closes too, and stays ours', async () => {
    await showPrompt();
    await run(() => radio(3).click());
    const pageHeard = vi.fn();
    document.addEventListener('keydown', pageHeard);

    await key($('textarea')!, 'Escape');
    document.removeEventListener('keydown', pageHeard);

    expect(pageHeard).not.toHaveBeenCalled();
    expect(card()).toBeNull();
    expect(host.emitted.map(([name]) => name)).toEqual(['survey_shown', 'survey_answered']);
  });

  it('on the thank-you, closes at once', async () => {
    await showPrompt();
    await run(() => radio(10).click());
    await run(() => $<HTMLButtonElement>('button[type="submit"]')!.click());

    await run(() => $<HTMLButtonElement>('button[aria-label="Close"]')!.click());

    expect(card()).toBeNull();
    expect(host.emitted.map(([name]) => name)).not.toContain('survey_dismissed');
  });

  it('gives focus back to where it came from', async () => {
    const outside = document.createElement('button');
    document.body.append(outside);
    await showPrompt();
    outside.focus();
    // Tab from the page into the prompt.
    await run(() => {
      radio(0).focus();
      radio(0).dispatchEvent(
        new FocusEvent('focusin', { bubbles: true, composed: true, relatedTarget: outside }),
      );
    });

    await key(radio(0), 'Escape');

    expect(document.activeElement).toBe(outside);
    outside.remove();
  });
});

describe('how it looks', () => {
  it.each(['bottom-right', 'bottom-left', 'bottom-bar'] as const)('is placed %s', async (position) => {
    await showPrompt(viewState({ response: surveyResponse(survey({ position })) }));

    expect(card()!.dataset.position).toBe(position);
  });

  it('wears the survey’s delivered theme, dark mode included', async () => {
    const themed = survey({
      theme: {
        brandColor: '#fde047',
        onBrand: '#000',
        font: 'system-ui, sans-serif',
        radius: 12,
        mode: 'dark',
      },
    });
    await showPrompt(viewState({ response: surveyResponse(themed) }));

    const root = $('.root')!;
    expect(root.dataset.mode).toBe('dark');
    expect(root.style.getPropertyValue('--wm-brand')).toBe('#fde047');
    expect(root.style.getPropertyValue('--wm-on-brand')).toBe('#000');
    expect(root.style.getPropertyValue('--wm-font')).toBe('system-ui, sans-serif');
    expect(root.getAttribute('dir')).toBe('ltr');
  });

  it('speaks the user’s language around the survey’s text', async () => {
    await showPrompt(
      viewState({ locale: 'fr-CA', response: surveyResponse(survey(), { strings: widgetStrings('fr-CA') }) }),
    );
    await run(() => radio(9).click());

    expect(card()!.getAttribute('aria-label')).toBe('Petit sondage');
    expect($('button[aria-label="Fermer"]')).not.toBeNull();
    expect($('button[type="submit"]')!.textContent).toBe('Envoyer');
  });

  it('shows the survey’s text as text, never as HTML', async () => {
    const hostile = survey({
      question: '<img src=x onerror="window.pwned=1">Recommend us?',
      lowLabel: '<b>no</b>',
      highLabel: '<script>window.pwned=1</script>',
      followUp: { detractor: '<a href="javascript:alert(1)">why</a>', passive: 'p', promoter: 'p' },
      thankYou: '<iframe src="https://evil.test"></iframe>',
    });
    await showPrompt(viewState({ response: surveyResponse(hostile) }));
    await run(() => radio(1).click());

    expect(shadow().querySelector('img, script, b, a, iframe')).toBeNull();
    expect($('.q')!.textContent).toBe('<img src=x onerror="window.pwned=1">Recommend us?');
    expect(radio(10).getAttribute('aria-label')).toBe('10, <script>window.pwned=1</script>');
    expect($('.more label')!.textContent).toBe('<a href="javascript:alert(1)">why</a>');
    await run(() => $<HTMLButtonElement>('button[type="submit"]')!.click());
    expect($('.thanks')!.textContent).toBe('<iframe src="https://evil.test"></iframe>');
    expect((window as { pwned?: number }).pwned).toBeUndefined();
  });

  it('its stylesheet: 44 px targets and one row under 480 px, calm on request, no rem', () => {
    const small = css.slice(css.lastIndexOf('@media (max-width:480px)'));
    // One row of eleven at every width (test/browser/nps.test.ts measures it at 320 px).
    expect(css).not.toMatch(/\.scale\{grid-template-columns:repeat\(6,/);
    expect(small).toMatch(/\.scale button,\.send\{min-height:44px\}/);
    expect(css).toMatch(/\.survey\{[^}]*animation:wm-in/);
    expect(css).toMatch(
      /@media \(prefers-reduced-motion:reduce\)\{\*,\*::before,\*::after\{animation:none!important/,
    );
    expect(css).not.toMatch(/\d(\.\d+)?rem/);
  });
});
