// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resumeWindowMs } from '../../shared/prompt-policy.ts';
import type { DeliveredSpotlight } from '../../shared/schemas/content.ts';
import {
  createSpotlightRun,
  endedLately,
  resumeIndex,
  type Showing,
  type SpotlightRun,
  type TargetWatch,
} from '../../widget/spotlight/run.ts';
import { createScheduler } from '../../widget/view/scheduler.ts';
import type { Observed } from '../../widget/view-loader.ts';
import { fakeHost } from './checklist-host.ts';
import { advance, type FakeEnv, fakeEnv, start } from './fake-env.ts';
import { spotlight, spotlightState, step } from './spotlight-fixture.ts';

/**
 * The spotlights' run (widget/spotlight/run.ts) on its own, in node: no document, no window. Its
 * targets are names the test makes appear, hide and go; what a view would draw is `scene()`, and
 * "drawing" it is telling each item it was drawn, as widget/spotlight/view.ts does.
 */

/** A three-step tour as delivered; `resumeAt` is the server's word (another device). */
const tour = (resumeAt: string | null = null) => ({
  resumeAt,
  steps: [{ id: 'st_1' }, { id: 'st_2' }, { id: 'st_3' }],
});
const now = Date.parse('2026-12-05T10:00:00Z');

describe('spotlight run decisions', () => {
  it('starts over when nothing says where the user was', () => {
    expect(resumeIndex(tour(), {}, now)).toBe(-1);
  });

  it("resumes after a reload at this device's last step, before the server's", () => {
    expect(resumeIndex(tour('st_2'), { step: 'st_3', at: now - 60_000 }, now)).toBe(2);
  });

  it("falls back to the server's step once the device's record is older than the resume window", () => {
    const memory = { step: 'st_3', at: now - resumeWindowMs };
    expect(resumeIndex(tour('st_2'), memory, now)).toBe(1);
    expect(resumeIndex(tour(), memory, now)).toBe(-1);
  });

  it('starts over when the step it would resume at is no longer in the tour', () => {
    expect(resumeIndex(tour(), { step: 'st_gone', at: now }, now)).toBe(-1);
  });

  it('keeps a tour dismissed or completed here closed for the resume window, then not', () => {
    expect(endedLately({ ended: now - 1000 }, now)).toBe(true);
    expect(endedLately({ ended: now - resumeWindowMs }, now)).toBe(false);
    expect(endedLately({ step: 'st_1', at: now }, now)).toBe(false);
  });
});

type Target = 'visible' | 'hidden';
type Item = Showing<string>;

interface Harness {
  run: SpotlightRun<string>;
  env: FakeEnv;
  emitted: Array<[string, Record<string, unknown>]>;
  /** What the run says to show, as `kind:stepId`, after the last redraw. */
  screen(): string[];
  item(kind: Item['kind']): Item;
  /** The page's targets by selector (absent: not on the page); `set` tells the watches. */
  targets: Map<string, Target>;
  setTarget(selector: string, state: Target | undefined): void;
  navigated: string[];
  ended: object[];
  /** The page's address changes (a SPA navigation: the core calls `update` again). */
  go(path: string): void;
  /** What a view does after every change: watches, then draw, again while the run asks. */
  redraw(): void;
}

const selector = (id: string) => `[data-tour="${id}"]`;

/**
 * The run with the real scheduler and store on a fake env; `env` may be one a previous harness used
 * (its storage: a reload). Every step's target is visible unless the test says otherwise.
 */
function harness(env: FakeEnv = fakeEnv(), targetsOnPage: string[] = ['a', 'b', 'c']): Harness {
  const host = fakeHost(env);
  let user = 'u1';
  const scheduler = createScheduler(host, () => ({ user, cooldownHours: 72 }));
  const targets = new Map<string, Target>(targetsOnPage.map((id) => [selector(id), 'visible']));
  const watches = new Set<{ selector: string; change(): void }>();
  let shown: Item[] = [];
  let busy = false;
  let again = false;
  const redraw = () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = run.sync();
        shown = run.scene();
        for (const item of shown) item.drawn();
      } while (again);
    } finally {
      busy = false;
    }
  };
  const navigated: string[] = [];
  const ended: object[] = [];
  const run = createSpotlightRun<string>({
    host,
    scheduler,
    watch(anchor, waitMs, change, late): TargetWatch<string> {
      const watch = { selector: anchor.selector, change };
      watches.add(watch);
      const timer = env.setTimeout(() => {
        if (targets.get(anchor.selector) !== 'visible') late();
      }, waitMs);
      return {
        current: () => (targets.get(anchor.selector) === 'visible' ? anchor.selector : null),
        hidden: () => targets.get(anchor.selector) === 'hidden',
        stop() {
          watches.delete(watch);
          env.clearTimeout(timer);
        },
      };
    },
    navigate: (url) => navigated.push(url),
    act:
      (fn) =>
      (...args) => {
        fn(...args);
        redraw();
      },
    ended: (run) => ended.push(run),
  });
  const update = run.update;
  run.update = (state) => {
    user = state?.user ?? user;
    update(state);
    redraw();
  };
  return {
    run,
    env,
    emitted: host.emitted,
    screen: () => shown.map((item) => `${item.kind}:${item.step.id}`),
    item(kind) {
      const found = shown.find((i) => i.kind === kind);
      if (!found) throw new Error(`no ${kind} on screen: ${shown.map((i) => i.kind).join(', ')}`);
      return found;
    },
    targets,
    setTarget(name, state) {
      if (state) targets.set(name, state);
      else targets.delete(name);
      for (const watch of [...watches]) if (watch.selector === name) watch.change();
    },
    navigated,
    ended,
    go(path) {
      env.location = { ...env.location, path, search: '', url: `https://app.example.com${path}` };
    },
    redraw,
  };
}

/** A user action on what is drawn, followed by a redraw (as the view's handlers do). */
const press = (h: Harness, kind: Item['kind'], action: 'next' | 'back' | 'close' | 'escape' | 'open') => {
  h.item(kind)[action]();
  h.redraw();
};

const ref = { contentId: 'sp_tour', version: 2 };
const names = (emitted: Harness['emitted']) => emitted.map(([name]) => name);
const track = (event: string, properties: Record<string, unknown> = {}): Observed => ({
  type: 'track',
  event,
  properties,
  messageId: `m-${event}`,
  page: { path: '/start', search: '' },
});
const deliver = (h: Harness, spotlights: DeliveredSpotlight[], lastPromptAt: string | null = null) =>
  h.run.update(spotlightState(spotlights, { lastPromptAt }));

beforeEach(() => {
  vi.useFakeTimers({ now: start });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the run, without a DOM', () => {
  it('has no document to reach for', () => {
    expect(typeof document).toBe('undefined');
    expect(typeof window).toBe('undefined');
  });

  it('moves forward and back through the steps, recording each move, and completes past the last', () => {
    const h = harness();
    deliver(h, [spotlight()]);
    expect(h.screen()).toEqual(['tip:a']);
    // It started by itself: focus stays where the user is.
    expect(h.item('tip').takeFocus()).toBe(false);
    expect(h.emitted).toEqual([
      ['spotlight_shown', ref],
      ['spotlight_step_viewed', { ...ref, stepId: 'a', stepIndex: 0 }],
    ]);

    press(h, 'tip', 'next');
    expect(h.screen()).toEqual(['tip:b']);
    expect(h.item('tip').takeFocus()).toBe(true); // the user pressed Next
    expect(h.item('tip').takeFocus()).toBe(false); // once
    press(h, 'tip', 'back');
    expect(h.screen()).toEqual(['tip:a']);
    press(h, 'tip', 'next');
    press(h, 'tip', 'next');
    expect(h.screen()).toEqual(['tip:c']);
    press(h, 'tip', 'next');
    expect(h.screen()).toEqual([]);
    const at = (stepId: string, stepIndex: number) => [
      ['spotlight_step_reached', { ...ref, stepId, stepIndex }],
      ['spotlight_step_viewed', { ...ref, stepId, stepIndex }],
    ];
    expect(h.emitted.slice(2)).toEqual([
      ...at('b', 1),
      ...at('a', 0),
      ...at('b', 1),
      ...at('c', 2),
      ['spotlight_completed', ref],
    ]);
    expect(h.ended).toHaveLength(1);
  });

  it('advances on a click on the target of a click step, without taking focus', () => {
    const h = harness();
    deliver(h, [spotlight({ steps: [step('a', { advance: 'click' }), step('b')] })]);
    h.item('tip').clickTarget();
    h.redraw();
    expect(h.screen()).toEqual(['tip:b']);
    expect(h.item('tip').takeFocus()).toBe(false);
    expect(names(h.emitted).slice(2)).toEqual(['spotlight_step_reached', 'spotlight_step_viewed']);
  });

  it('takes the user to the page of the step they moved to, and shows it there only', () => {
    const h = harness();
    const onInvoices = { page: { match: 'exact' as const, pattern: '/invoices', withQuery: false } };
    deliver(h, [spotlight({ steps: [step('a'), step('b', { ...onInvoices, pageUrl: '/invoices' })] })]);
    press(h, 'tip', 'next');
    expect(h.navigated).toEqual(['/invoices']);
    expect(h.screen()).toEqual([]); // still on /start: nothing, and no screen held
    h.go('/invoices');
    deliver(h, [spotlight({ steps: [step('a'), step('b', { ...onInvoices, pageUrl: '/invoices' })] })]);
    expect(h.screen()).toEqual(['tip:b']);
  });

  it('does not start where its URL rules say no', () => {
    const h = harness();
    deliver(h, [spotlight({ urls: [{ match: 'prefix', pattern: '/dashboard', withQuery: false }] })]);
    expect(h.screen()).toEqual([]);
    h.go('/dashboard/x');
    deliver(h, [spotlight({ urls: [{ match: 'prefix', pattern: '/dashboard', withQuery: false }] })]);
    expect(h.screen()).toEqual(['tip:a']);
  });
});

describe('triggers', () => {
  it('page: starts as soon as the content arrives on a matching page', () => {
    const h = harness();
    deliver(h, [spotlight({ trigger: { kind: 'page' } })]);
    expect(h.screen()).toEqual(['tip:a']);
  });

  it('delay: starts after its seconds on a matching page, and not if the user left before', async () => {
    const h = harness();
    const delayed = [spotlight({ trigger: { kind: 'delay', seconds: 3 } })];
    deliver(h, delayed);
    await advance(2999);
    expect(h.screen()).toEqual([]);
    await advance(1);
    expect(h.screen()).toEqual(['tip:a']);

    const left = harness();
    deliver(left, delayed);
    await advance(2000);
    left.go('/elsewhere');
    deliver(left, [spotlight({ trigger: { kind: 'delay', seconds: 3 }, urls: [urlRule('/start')] })]);
    await advance(5000);
    expect(left.screen()).toEqual([]);
    expect(left.emitted).toEqual([]);
  });

  it('event: starts when the app tracks the event with matching properties, never on its own events', () => {
    const h = harness();
    const trigger = {
      kind: 'event' as const,
      event: 'Invoice Created',
      where: [{ property: 'amount', op: 'gt' as const, value: 100 }],
    };
    deliver(h, [spotlight({ trigger })]);
    expect(h.screen()).toEqual([]);
    expect(h.run.observe(track('Invoice Created', { amount: 50 }))).toBe(false);
    expect(h.run.observe({ ...track('Invoice Created', { amount: 500 }), type: 'page' })).toBe(false);
    expect(h.run.observe(track('$waymark.Invoice Created', { amount: 500 }))).toBe(false);
    h.redraw();
    expect(h.screen()).toEqual([]);
    expect(h.run.observe(track('Invoice Created', { amount: 500 }))).toBe(true);
    h.redraw();
    expect(h.screen()).toEqual(['tip:a']);
  });

  it('click: starts when the user clicks what its selector names, taking the screen and focus', () => {
    const h = harness();
    deliver(h, [spotlight({ trigger: { kind: 'click', selector: '#help' } })]);
    h.run.click((s) => s === '#other');
    h.redraw();
    expect(h.screen()).toEqual([]);
    h.run.click((s) => s === '#help');
    h.redraw();
    expect(h.screen()).toEqual(['tip:a']);
    expect(h.item('tip').takeFocus()).toBe(true);
  });

  it('does not open by itself within the workspace cooldown, but a click trigger does', () => {
    const h = harness();
    const lately = new Date(start - 3_600_000).toISOString();
    deliver(h, [spotlight()], lately);
    expect(h.screen()).toEqual([]);
    deliver(h, [spotlight({ trigger: { kind: 'click', selector: '#help' } })], lately);
    h.run.click(() => true);
    h.redraw();
    expect(h.screen()).toEqual(['tip:a']);
  });
});

describe('resume', () => {
  /** Two steps done, then a reload `after` ms later on the same device. */
  const reloadAfter = async (after: number) => {
    const first = harness();
    deliver(first, [spotlight()]);
    press(first, 'tip', 'next');
    expect(first.screen()).toEqual(['tip:b']);
    await advance(after);
    const again = harness(first.env);
    deliver(again, [spotlight({ trigger: { kind: 'click', selector: '#help' } })]);
    return again;
  };

  it('resumes at the step it was on after a reload within the resume window, trigger or not', async () => {
    const h = await reloadAfter(resumeWindowMs - 60_000);
    expect(h.screen()).toEqual(['tip:b']);
    // Not a new start: no `spotlight_shown`, the step's view on this page.
    expect(h.emitted).toEqual([['spotlight_step_viewed', { ...ref, stepId: 'b', stepIndex: 1 }]]);
  });

  it('starts over by its trigger after the resume window', async () => {
    const h = await reloadAfter(resumeWindowMs);
    expect(h.screen()).toEqual([]); // a click trigger: nothing until the click
    h.run.click(() => true);
    h.redraw();
    expect(h.screen()).toEqual(['tip:a']);
  });

  it("resumes at the server's resumeAt when this device has no record (another device)", () => {
    const h = harness();
    deliver(h, [spotlight({ resumeAt: 'c', trigger: { kind: 'delay', seconds: 60 } })]);
    expect(h.screen()).toEqual(['tip:c']);
  });
});

describe('how often it shows (the server applies the frequency; the device keeps an ended run closed)', () => {
  it('once ended, it does not start again on this page, nor after a reload within the resume window', async () => {
    const h = harness();
    deliver(h, [spotlight({ steps: [step('a')] })]);
    press(h, 'tip', 'next');
    expect(names(h.emitted)).toContain('spotlight_completed');
    deliver(h, [spotlight({ steps: [step('a')] })]);
    expect(h.screen()).toEqual([]);
    await advance(resumeWindowMs - 1000);
    const reloaded = harness(h.env);
    deliver(reloaded, [spotlight({ steps: [step('a')] })]);
    expect(reloaded.screen()).toEqual([]);
  });

  it('delivered again after the resume window (an `every N days` frequency), it shows again', async () => {
    const h = harness();
    deliver(h, [spotlight({ steps: [step('a')] })]);
    press(h, 'tip', 'close');
    await advance(resumeWindowMs);
    const later = harness(h.env);
    deliver(later, [spotlight({ steps: [step('a')] })]);
    expect(later.screen()).toEqual(['tip:a']);
    expect(names(later.emitted)).toEqual(['spotlight_shown', 'spotlight_step_viewed']);
  });

  it('a preview, to which no frequency applies, shows again every time the page loads', () => {
    const h = harness();
    deliver(h, [
      spotlight({ preview: true, trigger: { kind: 'click', selector: '#x' }, steps: [step('a')] }),
    ]);
    expect(h.screen()).toEqual(['tip:a']);
    press(h, 'tip', 'close');
    expect(h.screen()).toEqual([]);
    // Not on this page again (the content comes again on a navigation)...
    deliver(h, [spotlight({ preview: true, steps: [step('a')] })]);
    expect(h.screen()).toEqual([]);
    // ...but nothing kept on the device: the next page load shows it.
    const reloaded = harness(h.env);
    deliver(reloaded, [spotlight({ preview: true, steps: [step('a')] })]);
    expect(reloaded.screen()).toEqual(['tip:a']);
    expect(h.emitted).toEqual([]);
    expect(reloaded.emitted).toEqual([]);
  });

  it('another user on the same device starts afresh', () => {
    const h = harness();
    deliver(h, [spotlight({ steps: [step('a')] })]);
    press(h, 'tip', 'close');
    h.run.update(spotlightState([spotlight({ steps: [step('a')] })], {}, 'u2'));
    expect(h.screen()).toEqual(['tip:a']);
  });
});

describe('dismissal', () => {
  it('the close button and Escape dismiss it, with the step it was on', () => {
    const h = harness();
    deliver(h, [spotlight()]);
    press(h, 'tip', 'next');
    press(h, 'tip', 'close');
    expect(h.screen()).toEqual([]);
    expect(h.emitted.at(-1)).toEqual(['spotlight_dismissed', { ...ref, stepId: 'b' }]);
    expect(h.ended).toHaveLength(1);

    const other = harness();
    deliver(other, [spotlight()]);
    press(other, 'tip', 'escape');
    expect(other.screen()).toEqual([]);
    expect(other.emitted.at(-1)).toEqual(['spotlight_dismissed', { ...ref, stepId: 'a' }]);
  });

  it('Escape does nothing to one that may not be dismissed', () => {
    const h = harness();
    deliver(h, [spotlight({ dismissible: false })]);
    press(h, 'tip', 'escape');
    expect(h.screen()).toEqual(['tip:a']);
    expect(names(h.emitted)).not.toContain('spotlight_dismissed');
  });

  it("Escape on a hotspot's open tip closes it back to its beacon: no dismissal", () => {
    const h = harness();
    deliver(h, [spotlight({ steps: [step('a', { kind: 'hotspot' })] })]);
    expect(h.screen()).toEqual(['beacon:a']);
    expect(h.item('beacon').expanded).toBe(false);
    press(h, 'beacon', 'open');
    expect(h.screen()).toEqual(['beacon:a', 'tip:a']);
    expect(h.item('beacon').expanded).toBe(true);
    press(h, 'tip', 'escape');
    expect(h.screen()).toEqual(['beacon:a']);
    expect(names(h.emitted)).toEqual(['spotlight_shown', 'spotlight_step_viewed']);
  });
});

describe('a target that is not found', () => {
  it('waits for it, telling its author once per page view after waitSeconds, and shows when it comes', async () => {
    const h = harness(fakeEnv(), ['b', 'c']);
    deliver(h, [spotlight()]);
    expect(h.screen()).toEqual([]);
    await advance(5000);
    const notFound = {
      ...ref,
      stepId: 'a',
      selector: selector('a'),
      url: '/start?x=1',
      outcome: 'waiting',
    };
    expect(h.emitted).toEqual([['spotlight_target_not_found', notFound]]);
    deliver(h, [spotlight()]); // the same page view: not told again
    await advance(10_000);
    expect(h.emitted).toHaveLength(1);
    h.setTarget(selector('a'), 'visible');
    expect(h.screen()).toEqual(['tip:a']);
    expect(names(h.emitted).slice(1)).toEqual(['spotlight_shown', 'spotlight_step_viewed']);
  });

  it('skips the step after waitSeconds when told to, and never completes a tour that never showed', async () => {
    const h = harness(fakeEnv(), []);
    deliver(h, [
      spotlight({ steps: [step('a', { whenMissing: 'skip' }), step('b', { whenMissing: 'skip' })] }),
    ]);
    await advance(5000);
    await advance(5000);
    expect(h.emitted.map(([name, p]) => `${name}:${p.stepId ?? ''}:${p.outcome ?? ''}`)).toEqual([
      'spotlight_target_not_found:a:skipped',
      'spotlight_target_not_found:b:skipped',
    ]);
    expect(h.screen()).toEqual([]);
    expect(names(h.emitted)).not.toContain('spotlight_completed');
  });

  it('with a hidden target: centres a tooltip, or skips the step at once, as `whenHidden` says', () => {
    const centred = harness(fakeEnv(), ['b']);
    centred.targets.set(selector('a'), 'hidden');
    deliver(centred, [spotlight()]);
    expect(centred.screen()).toEqual(['tip:a']);
    expect(centred.item('tip').target).toBeNull();
    expect(centred.emitted[0]).toEqual([
      'spotlight_target_not_found',
      expect.objectContaining({ stepId: 'a', outcome: 'centered' }),
    ]);
    centred.setTarget(selector('a'), 'visible');
    expect(centred.item('tip').target).toBe(selector('a'));

    const skipped = harness(fakeEnv(), ['b']);
    skipped.targets.set(selector('a'), 'hidden');
    deliver(skipped, [spotlight({ steps: [step('a', { whenHidden: 'skip' }), step('b')] })]);
    expect(skipped.screen()).toEqual(['tip:b']);
    expect(skipped.emitted[0]).toEqual([
      'spotlight_target_not_found',
      expect.objectContaining({ stepId: 'a', outcome: 'skipped' }),
    ]);
  });
});

function urlRule(pattern: string) {
  return { match: 'exact' as const, pattern, withQuery: false };
}
