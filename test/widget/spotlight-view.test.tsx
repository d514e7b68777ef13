import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { widgetStrings } from '../../shared/widget-strings.ts';
import type { Prompt } from '../../widget/view/scheduler.ts';
import { press } from './checklist-host.ts';
import { advance, fakeEnv, prefix, start, tick } from './fake-env.ts';
import {
  $,
  button,
  card,
  mountSpotlights,
  page,
  spotlight,
  spotlightState,
  step,
  title,
  unmountAll,
} from './spotlight-fixture.ts';

/**
 * The tour runner and its triggers (widget/spotlight/run.ts, drawn by view.ts) on happy-dom pages: which step shows
 * where, moving through a tour, resuming it, what a missing target does, and the events sent.
 */
beforeEach(() => {
  vi.useFakeTimers({ now: start });
});
afterEach(() => {
  unmountAll();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const ref = { contentId: 'sp_tour', version: 2 };
const allTargets = '<button data-tour="a">A</button><button data-tour="b">B</button><p data-tour="c">C</p>';
const names = (emitted: Array<[string, unknown]>) => emitted.map(([name]) => name);

describe('a tour', () => {
  it('starts on a matching page, goes Next and Back, and completes with Done, sending each event once', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    m.view.update(spotlightState([spotlight()]));
    await tick();

    expect(title()).toBe('Step a');
    const dialog = card()!;
    expect(dialog.getAttribute('role')).toBe('dialog');
    expect(dialog.hasAttribute('aria-modal')).toBe(false);
    expect(dialog.getRootNode() instanceof ShadowRoot).toBe(true);
    expect(dialog.querySelector(`#${dialog.getAttribute('aria-labelledby')}`)?.textContent).toBe('Step a');
    expect(dialog.querySelector('.count')?.textContent).toBe('Step 1 of 3');
    expect(button('Back')).toBeNull();
    expect(m.emitted).toEqual([
      ['spotlight_shown', ref],
      ['spotlight_step_viewed', { ...ref, stepId: 'a', stepIndex: 0 }],
    ]);

    button('Next')!.click();
    expect(title()).toBe('Step b');
    expect(card()!.querySelector('.count')?.textContent).toBe('Step 2 of 3');
    button('Back')!.click();
    expect(title()).toBe('Step a');
    button('Next')!.click();
    button('Next')!.click();
    expect(title()).toBe('Step c');
    button('Done')!.click();
    expect(card()).toBeNull();
    // Each move is recorded as the user makes it (where a tour resumes), then the step's view.
    const at = (stepId: string, stepIndex: number) => [
      ['spotlight_step_reached', { ...ref, stepId, stepIndex }],
      ['spotlight_step_viewed', { ...ref, stepId, stepIndex }],
    ];
    expect(m.emitted.slice(2)).toEqual([
      ...at('b', 1),
      ...at('a', 0),
      ...at('b', 1),
      ...at('c', 2),
      ['spotlight_completed', ref],
    ]);

    // Ended: the same content (a cached copy, a reload) does not start it again.
    m.view.update(spotlightState([spotlight()]));
    expect(card()).toBeNull();
    expect(mountSpotlights(m.env).view).toBeTruthy();
  });

  it('does not start where its URL rules say no, nor where an exclude rule matches', async () => {
    const m = mountSpotlights();
    page(m.env, '/settings', allTargets);
    const only = { urls: [{ match: 'prefix' as const, pattern: '/dashboard', withQuery: false }] };
    m.view.update(spotlightState([spotlight(only)]));
    expect(card()).toBeNull();
    page(m.env, '/dashboard/x', allTargets);
    m.view.update(
      spotlightState([
        spotlight({ ...only, excludeUrls: [{ match: 'exact', pattern: '/dashboard/x', withQuery: false }] }),
      ]),
    );
    expect(card()).toBeNull();
    expect(m.emitted).toEqual([]);
  });

  it('advances when the user clicks the target of a click step, and moves focus only on Next', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    m.view.update(
      spotlightState([spotlight({ steps: [step('a'), step('b', { advance: 'click' }), step('c')] })]),
    );
    await tick();
    expect(title()).toBe('Step a');
    // It appeared by itself: focus stays where the user is.
    expect(document.activeElement).toBe(document.body);

    button('Next')!.click();
    expect(title()).toBe('Step b');
    expect(button('Next')).toBeNull(); // the target is the way on
    const layerRoot = card()!.getRootNode() as ShadowRoot;
    expect(layerRoot.activeElement).toBe(card()); // no primary button: the card itself

    let pageSawClick = false;
    document.querySelector('[data-tour="b"]')!.addEventListener('click', () => {
      pageSawClick = true;
    });
    (document.querySelector('[data-tour="b"]') as HTMLElement).click();
    expect(pageSawClick).toBe(true); // the page's own handler runs as ever
    expect(title()).toBe('Step c');
    expect(names(m.emitted).filter((n) => n === 'spotlight_step_viewed')).toHaveLength(3);
  });

  it('follows SPA navigation: a step on another page shows there, and nothing stays on the old one', async () => {
    const m = mountSpotlights();
    page(m.env, '/dash', '<button data-tour="a">A</button>');
    const tour = spotlight({
      steps: [
        step('a', { page: { match: 'exact', pattern: '/dash', withQuery: false } }),
        step('b', { page: { match: 'exact', pattern: '/invoices', withQuery: false }, pageUrl: '/invoices' }),
      ],
    });
    m.view.update(spotlightState([tour]));
    expect(title()).toBe('Step a');

    // Next sends the user to the step's page (pushState and popstate: the SPA's router follows).
    const popstate = vi.fn();
    window.addEventListener('popstate', popstate);
    button('Next')!.click();
    expect(card()).toBeNull(); // step b belongs to /invoices
    expect(window.location.pathname).toBe('/invoices');
    expect(popstate).toHaveBeenCalled();
    window.removeEventListener('popstate', popstate);

    page(m.env, '/invoices', '<div data-tour="b">B</div>');
    m.view.update(spotlightState([tour])); // the core's navigation hook
    await tick();
    expect(title()).toBe('Step b');

    page(m.env, '/dash', '<button data-tour="a">A</button><div data-tour="b">B</div>');
    m.view.update(spotlightState([tour]));
    expect(card()).toBeNull();
  });

  it('resumes after a reload at the step it was on, without starting again', async () => {
    const env = fakeEnv();
    const first = mountSpotlights(env);
    page(env, '/start', allTargets);
    first.view.update(spotlightState([spotlight()]));
    button('Next')!.click();
    expect(title()).toBe('Step b');
    for (const el of document.querySelectorAll('waymark-widget')) el.remove();

    const reloaded = mountSpotlights(env);
    page(env, '/start', allTargets);
    reloaded.view.update(spotlightState([spotlight()]));
    expect(title()).toBe('Step b');
    expect(reloaded.emitted).toEqual([['spotlight_step_viewed', { ...ref, stepId: 'b', stepIndex: 1 }]]);
    expect(Object.keys(Object.fromEntries(env.localStorage.map))).toContain(`${prefix}:spot:u1:sp_tour:2`);
  });

  it('resumes at the server’s resumeAt when this device has no record (another device), trigger or not', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    m.view.update(
      spotlightState([spotlight({ resumeAt: 'c', trigger: { kind: 'event', event: 'Never', where: [] } })]),
    );
    expect(title()).toBe('Step c');
    expect(m.emitted).toEqual([['spotlight_step_viewed', { ...ref, stepId: 'c', stepIndex: 2 }]]);
  });

  it('skips a step whose target is missing after waitSeconds when told to, telling its author', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', '<button data-tour="a">A</button><p data-tour="c">C</p>');
    m.env.location.search = '?tab=2';
    m.view.update(
      spotlightState([
        spotlight({ steps: [step('a'), step('b', { whenMissing: 'skip', waitSeconds: 3 }), step('c')] }),
      ]),
    );
    button('Next')!.click();
    expect(card()).toBeNull();
    await advance(2999);
    expect(card()).toBeNull();
    await advance(1);
    expect(title()).toBe('Step c');
    expect(m.emitted).toContainEqual([
      'spotlight_target_not_found',
      { ...ref, stepId: 'b', selector: '[data-tour="b"]', url: '/start?tab=2', outcome: 'skipped' },
    ]);
  });

  it('with a hidden target: centres the step, waits for it, or skips it at once, as `whenHidden` says', async () => {
    const m = mountSpotlights();
    const hidden = (id: string) => `<nav style="display:none"><a href="/x" data-tour="${id}">${id}</a></nav>`;
    page(m.env, '/start', `${hidden('a')}${hidden('b')}${hidden('c')}<button data-tour="d">D</button>`);
    m.view.update(
      spotlightState([
        spotlight({
          steps: [
            step('a', { whenHidden: 'skip' }),
            step('b'), // centre, the default
            step('c', { whenHidden: 'wait' }),
            step('d'),
          ],
        }),
      ]),
    );
    await tick();
    // a: skipped at once, not after waitSeconds; b: shown, centred.
    expect(title()).toBe('Step b');
    const outcomes = () =>
      m.emitted
        .filter(([n]) => n === 'spotlight_target_not_found')
        .map(([, p]) => [(p as { stepId: string }).stepId, (p as { outcome: string }).outcome]);
    expect(outcomes()).toEqual([
      ['a', 'skipped'],
      ['b', 'centered'],
    ]);
    button('Next')!.click();
    // c waits, as for a missing target, and is reported as such after waitSeconds.
    expect(card()).toBeNull();
    await advance(5000);
    expect(outcomes()).toEqual([
      ['a', 'skipped'],
      ['b', 'centered'],
      ['c', 'waiting'],
    ]);
    document.querySelector<HTMLElement>('[data-tour="c"]')!.parentElement!.style.display = 'block';
    await tick();
    expect(title()).toBe('Step c');
  });

  it('does not complete a spotlight whose every step was skipped: it never showed', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', '<p>No target here</p>');
    m.view.update(
      spotlightState([spotlight({ steps: [step('a', { whenMissing: 'skip', waitSeconds: 1 })] })]),
    );
    await advance(1000);
    expect(names(m.emitted)).toEqual(['spotlight_target_not_found']);
    // Over on this device for now: the same content does not try again at once.
    m.view.update(
      spotlightState([spotlight({ steps: [step('a', { whenMissing: 'skip', waitSeconds: 1 })] })]),
    );
    await advance(5000);
    expect(names(m.emitted)).toEqual(['spotlight_target_not_found']);
  });

  it('waits on for a missing target when told to, reporting it once per page view, and shows it when it comes', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', '<div id="app"></div>');
    const tour = spotlight({ steps: [step('a', { waitSeconds: 2 })] });
    m.view.update(spotlightState([tour]));
    await advance(10_000);
    const missing = m.emitted.filter(([n]) => n === 'spotlight_target_not_found');
    expect(missing).toEqual([
      [
        'spotlight_target_not_found',
        { ...ref, stepId: 'a', selector: '[data-tour="a"]', url: '/start', outcome: 'waiting' },
      ],
    ]);
    expect(names(m.emitted)).not.toContain('spotlight_shown'); // nothing was shown yet

    // Another page view (SPA navigation) of a page where the step still applies: reported again.
    page(m.env, '/start2', '<div id="app"></div>');
    m.view.update(spotlightState([tour]));
    document.getElementById('app')!.innerHTML = '<button data-tour="a">Here now</button>';
    await tick();
    expect(title()).toBe('Step a');
    expect(names(m.emitted)).toEqual([
      'spotlight_target_not_found',
      'spotlight_shown',
      'spotlight_step_viewed',
    ]);
  });

  it('is dismissed by its close button or by Escape, with the step it was on', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    m.view.update(spotlightState([spotlight()]));
    button('Next')!.click();
    button('Close')!.click();
    expect(card()).toBeNull();
    expect(m.emitted.at(-1)).toEqual(['spotlight_dismissed', { ...ref, stepId: 'b' }]);

    const other = mountSpotlights();
    page(other.env, '/start', allTargets);
    other.view.update(spotlightState([spotlight({ id: 'sp_two' })]));
    press(card()!, 'Escape');
    expect(card()).toBeNull();
    expect(other.emitted.at(-1)).toEqual([
      'spotlight_dismissed',
      { contentId: 'sp_two', version: 2, stepId: 'a' },
    ]);
  });

  it('has no close button and ignores Escape when it may not be dismissed', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    m.view.update(spotlightState([spotlight({ dismissible: false })]));
    expect(button('Close')).toBeNull();
    press(card()!, 'Escape');
    expect(title()).toBe('Step a');
  });

  it('sends nothing at all for a preview, which shows at once whatever its trigger and URL rules', async () => {
    const m = mountSpotlights();
    page(m.env, '/anywhere', '<button data-tour="a">A</button>');
    m.view.update(
      spotlightState([
        spotlight({
          version: 0,
          preview: true,
          trigger: { kind: 'event', event: 'Never', where: [] },
          urls: [{ match: 'exact', pattern: '/other', withQuery: false }],
          steps: [step('a'), step('b', { whenMissing: 'skip', waitSeconds: 1 })],
        }),
      ]),
    );
    expect(title()).toBe('Step a');
    button('Next')!.click();
    await advance(1000);
    expect(card()).toBeNull(); // b skipped: the end
    expect(m.emitted).toEqual([]);
    expect([...m.env.localStorage.map.keys()].filter((k) => k.includes(':spot:'))).toEqual([]);
  });
});

describe('triggers', () => {
  it('delay: shows after the seconds on a matching page, not if the user left before', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    const delayed = spotlight({
      trigger: { kind: 'delay', seconds: 5 },
      urls: [{ match: 'exact', pattern: '/start', withQuery: false }],
    });
    m.view.update(spotlightState([delayed]));
    await advance(4000);
    expect(card()).toBeNull();
    page(m.env, '/other', allTargets);
    m.view.update(spotlightState([delayed]));
    await advance(5000);
    expect(card()).toBeNull();
    page(m.env, '/start', allTargets);
    m.view.update(spotlightState([delayed]));
    await advance(5000);
    expect(title()).toBe('Step a');
  });

  it('event: starts when the app tracks the event with matching properties', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    m.view.update(
      spotlightState([
        spotlight({
          trigger: {
            kind: 'event',
            event: 'Invoice Sent',
            where: [{ property: 'amount', op: 'gt', value: 100 }],
          },
        }),
      ]),
    );
    const sent = (properties: Record<string, unknown>, event = 'Invoice Sent') =>
      m.view.observe({
        type: 'track',
        event,
        properties,
        messageId: 'm',
        page: { path: '/start', search: '' },
      });
    sent({ amount: 500 }, 'Invoice Created');
    sent({ amount: 50 });
    expect(card()).toBeNull();
    sent({ amount: 500 });
    expect(title()).toBe('Step a');
  });

  it('click: starts when the user clicks the element, and takes focus (they asked for it)', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', `<button id="help"><span>?</span></button>${allTargets}`);
    m.view.update(spotlightState([spotlight({ trigger: { kind: 'click', selector: '#help' } })]));
    expect(card()).toBeNull();
    (document.querySelector('#help span') as HTMLElement).click();
    expect(title()).toBe('Step a');
    expect((card()!.getRootNode() as ShadowRoot).activeElement?.textContent).toBe('Next');
  });
});

describe('one prompt at a time', () => {
  it('waits while another prompt has the screen, and for the workspace cooldown when it opens by itself', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    const panel: Prompt = { priority: 100, show: vi.fn(), hide: vi.fn() };
    m.scheduler.take(panel); // the checklist's open panel
    m.view.update(spotlightState([spotlight()]));
    expect(card()).toBeNull();
    m.scheduler.release(panel);
    expect(title()).toBe('Step a');

    // Another user, whose last prompt (on any device) was an hour ago: the cooldown holds it back.
    const lately = new Date(start - 3_600_000).toISOString();
    const n = mountSpotlights();
    page(n.env, '/start', allTargets);
    n.view.update(spotlightState([spotlight({ id: 'sp_other' })], { lastPromptAt: lately }, 'u2'));
    expect(card()).toBeNull();
    expect(n.emitted).toEqual([]);
  });

  it('a hotspot shows its beacon regardless, and its tip takes the screen when the user opens it', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    const hotspot = spotlight({
      id: 'sp_hot',
      steps: [step('a', { kind: 'hotspot', title: 'Export **here**' })],
    });
    const survey: Prompt = { priority: 10, show: vi.fn(), hide: vi.fn() };
    m.scheduler.request(survey);
    expect(survey.show).toHaveBeenCalled();
    m.view.update(spotlightState([hotspot], { lastPromptAt: new Date(start).toISOString() }));

    const beacon = $('button.beacon')!;
    expect(beacon.getAttribute('aria-label')).toBe('Open tip: Export here');
    expect(beacon.getAttribute('aria-expanded')).toBe('false');
    expect(card()).toBeNull();
    expect(m.emitted).toEqual([['spotlight_shown', { contentId: 'sp_hot', version: 2 }]]);

    beacon.click();
    expect(survey.hide).toHaveBeenCalled(); // never one on top of the other
    expect(title()).toBe('Export here');
    expect($('button.beacon')!.getAttribute('aria-expanded')).toBe('true');
    expect((card()!.getRootNode() as ShadowRoot).activeElement?.textContent).toBe('Done');
    expect(m.emitted.at(-1)).toEqual([
      'spotlight_step_viewed',
      { contentId: 'sp_hot', version: 2, stepId: 'a', stepIndex: 0 },
    ]);

    // Escape folds it back into the beacon (focused), no dismissal; the survey gets the screen back.
    press(card()!, 'Escape');
    expect(card()).toBeNull();
    expect((beacon.getRootNode() as ShadowRoot).activeElement).toBe($('button.beacon'));
    expect(survey.show).toHaveBeenCalledTimes(2);
    expect(names(m.emitted)).not.toContain('spotlight_dismissed');
  });

  it('starts a spotlight a checklist item asks for, taking the user to its page', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', '');
    m.view.update(
      spotlightState([
        spotlight({
          trigger: { kind: 'event', event: 'Never', where: [] },
          steps: [
            step('a', {
              page: { match: 'exact', pattern: '/invoices', withQuery: false },
              pageUrl: '/invoices',
            }),
          ],
        }),
      ]),
    );
    m.view.open('sp_tour');
    expect(window.location.pathname).toBe('/invoices');
    page(m.env, '/invoices', allTargets);
    m.view.update(
      spotlightState([
        spotlight({
          steps: [step('a', { page: { match: 'exact', pattern: '/invoices', withQuery: false } })],
        }),
      ]),
    );
    expect(title()).toBe('Step a');
  });
});

describe('a modal step', () => {
  it('is a modal dialog that takes focus, keeps Tab inside, closes on Escape and gives focus back', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', '<input id="field" />');
    const field = document.getElementById('field') as HTMLInputElement;
    field.focus();
    m.view.update(
      spotlightState([
        spotlight({ steps: [step('welcome', { kind: 'modal', anchor: undefined }), step('b')] }),
      ]),
    );
    const dialog = card()!;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect($('.backdrop')).not.toBeNull();
    const root = dialog.getRootNode() as ShadowRoot;
    expect(root.activeElement?.textContent).toBe('Next');

    const tab = (shiftKey = false) => {
      const event = new KeyboardEvent('keydown', { key: 'Tab', shiftKey, bubbles: true, cancelable: true });
      root.activeElement!.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(tab()).toBe(true); // from the last button back to the first (Close)
    expect(root.activeElement?.getAttribute('aria-label')).toBe('Close');
    expect(tab(true)).toBe(true);
    expect(root.activeElement?.textContent).toBe('Next');

    press(root.activeElement!, 'Escape');
    expect(card()).toBeNull();
    expect(document.activeElement).toBe(field);
  });
});

describe('the widget’s words', () => {
  it('are in the user’s language, laid out right to left for Arabic', async () => {
    const m = mountSpotlights();
    page(m.env, '/start', allTargets);
    m.view.update({ ...spotlightState([spotlight()], { strings: widgetStrings('fr-CA') }), locale: 'fr-CA' });
    expect(button('Suivant')).not.toBeNull();
    expect(card()!.querySelector('.count')?.textContent).toBe('Étape 1 sur 3');
    for (const el of document.querySelectorAll('waymark-widget')) el.remove();

    const ar = mountSpotlights();
    page(ar.env, '/start', allTargets);
    ar.view.update({
      ...spotlightState([spotlight({ locale: 'ar' })], { strings: widgetStrings('ar') }),
      locale: 'ar',
    });
    expect(button('التالي')).not.toBeNull();
    expect($('.layer')!.getAttribute('dir')).toBe('rtl');
  });
});
