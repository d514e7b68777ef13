import { h, render } from 'preact';
import { matchesFilters, matchesPage, matchesUrl } from '../../shared/conditions.ts';
import { cooldownEnd, opensByItself } from '../../shared/prompt-policy.ts';
import type { DeliveredSpotlight, DeliveredStep } from '../../shared/schemas/content.ts';
import type { InternalEventName } from '../../shared/schemas/internal-event.ts';
import { direction } from '../../shared/widget-strings.ts';
import { guardedThen, safeCall } from '../safe-call.ts';
import { createShadowHost, type ShadowHost } from '../shadow-root.ts';
import type { Kind } from '../view/kind.ts';
import { navigate } from '../view/navigate.ts';
import type { Prompt, Scheduler } from '../view/scheduler.ts';
import type { InternalProperties, Observed, ViewHost, ViewState } from '../view-loader.ts';
import { attachBeacon, attachTip, reveal, topLayerOf } from './position.ts';
import { endedLately, type Memory, resumeIndex } from './run.ts';
import { css } from './styles.ts';
import { own, type TargetWatch, watchTarget } from './target.ts';
import { Layer, type Shown } from './ui.tsx';

/** What the UI chunk's entry forwards to the spotlights. */
export interface SpotlightView {
  /** New content or user; also called on SPA navigation (steps follow their pages). */
  update(state: ViewState | undefined): void;
  /** A message the core sent: `event` triggers. */
  observe(message: Observed): void;
  /** Starts a spotlight the user asked for (a checklist item's "Show me"), at its current step if running. */
  open(contentId?: string): void;
}

/** Spotlights and tours, in a shadow root of their own (README, "Spotlights and tours"). */
export const spotlight: Kind = {
  name: 'spotlight',
  create: (host, context) => createSpotlightView(host, context),
};

/** One spotlight being shown (or waiting to be: for the screen, its page, its target). */
interface Run {
  s: DeliveredSpotlight;
  index: number;
  /** No step shown yet: `spotlight_shown` is still to be sent. */
  fresh: boolean;
  /** Its turn on the screen (widget/view/scheduler.ts); a hotspot's closed beacon needs none. */
  prompt: Prompt;
  /**
   * The user asked for it (a beacon, a click trigger, "Show me", a preview): it takes the screen
   * when it next claims it (`claim`), rather than waiting its turn.
   */
  byUser: boolean;
  /** The screen is its own (the scheduler's `show`, or a `take`). */
  granted: boolean;
  /** A hotspot's tooltip is open. */
  open: boolean;
  /** Looks for the current step's target; stopped (undefined) when the step changes (`go`). */
  watch?: TargetWatch;
  /**
   * The step index of the last `step_viewed`, and of the last `target_not_found` (waiting), on this
   * page view: forgotten when the page changes (`update`).
   */
  viewed?: number;
  missed?: number;
  /** Move focus into the step's card when it is drawn: the user acted (see `paint`). */
  focus: boolean;
  /** Where focus was before it moved into a card, to give it back when the card closes. */
  returnTo?: HTMLElement;
}

/** A beacon or tooltip kept on its target (position.ts), by its element. */
interface Attached {
  target: Element;
  stop(): void;
}

/**
 * The spotlights and tours: which start on this page and when (their trigger), which step each is
 * at (kept on this device so that a reload resumes at once, else the server's `resumeAt`), what
 * each step points at (target.ts), and drawing them (ui.tsx) into a shadow root of their own, moved
 * into the top layer when a target is in there (a modal dialog). Sends `spotlight_shown` (a run's
 * first step shown), `spotlight_step_reached` (the user moved to a step: Next, Back, a click on the
 * target, a skip), `spotlight_step_viewed` (each time a step's content shows on a page view),
 * `spotlight_completed` (the end of a run that showed something), `spotlight_dismissed` and
 * `spotlight_target_not_found`; none for previews.
 *
 * Focus moves into a card only when the user acted in our UI or asked for it (Next, Back, a
 * beacon, a click trigger, "Show me"): the button they pressed is gone, and focus would otherwise
 * drop to the page's body. A step that appears by itself (a page, delay or event trigger, a resumed
 * tour, a navigation, a click on the target that advances the tour) leaves focus where the user is
 * working in the host app: stealing it would interrupt typing and confuse screen readers. Such a
 * card is a labelled, non-modal dialog (screen readers list it), the target stays in the page's
 * tab order, and Escape inside the card dismisses it. Modal steps always take focus, trap it and
 * give it back, as a modal dialog must.
 *
 * @example
 * const spotlights = createSpotlightView(host, { scheduler })
 * spotlights.update({ response, deliveredBefore: 0, locale: 'en', user: 'u_42' })
 */
export function createSpotlightView(
  host: ViewHost,
  { scheduler }: { scheduler: Scheduler },
  doc: Document = document,
): SpotlightView {
  const { env } = host;
  let state: ViewState | undefined;
  let spotlights: DeliveredSpotlight[] = [];
  const runs = new Map<string, Run>();
  /** Ended on this page (`id:version`), previews included. */
  const ended = new Set<string>();
  const delays = new Map<string, unknown>();
  const attached = new Map<HTMLElement, Attached>();
  let layer: ShadowHost | undefined;
  let lastPage = '';
  let busy = false;
  let again = false;
  const guard = <A extends unknown[]>(fn: (...args: A) => void) => safeCall(host.logger, fn);
  /** `fn` guarded, then the view brought up to date: what every timer, listener and handler does. */
  const act = guardedThen(host.logger, () => refresh());

  const here = (s: DeliveredSpotlight, step?: DeliveredStep): boolean => {
    const { path = '/', search } = env.page();
    if (step?.page) return matchesUrl(step.page, path, search);
    return s.preview || matchesPage(s, path, search);
  };
  const id = (s: DeliveredSpotlight) => `${s.id}:${s.version}`;
  const memoryKey = (s: DeliveredSpotlight) =>
    `${host.prefix}:spot:${state?.user ?? ''}:${s.id}:${s.version}`;
  const recall = (s: DeliveredSpotlight): Memory => {
    if (s.preview) return {};
    try {
      return JSON.parse(host.store.get(memoryKey(s)) ?? '{}') ?? {};
    } catch {
      return {};
    }
  };
  const remember = (s: DeliveredSpotlight, memory: Memory) => {
    if (!s.preview) host.store.set(memoryKey(s), JSON.stringify(memory));
  };
  /** Sends a spotlight event (none for previews); with `extra`, it is about the run's current step. */
  const emit = <N extends `spotlight_${string}` & InternalEventName>(
    run: Run,
    name: N,
    extra?: Omit<InternalProperties<N>, 'contentId' | 'version' | 'stepId'>,
  ) => {
    const { s, index } = run;
    if (!s.preview)
      host.emit(name, {
        contentId: s.id,
        version: s.version,
        ...(extra && { stepId: s.steps[index]?.id, ...extra }),
      } as InternalProperties<N>);
  };

  // Runs: start, move, end.

  /**
   * Asks for the screen: what the user asked for takes it, once (a later `take` would snatch it back
   * from what the user asked for next), the rest waits its turn (`request` is idempotent).
   */
  const claim = (run: Run) => {
    if (run.byUser) {
      run.byUser = false;
      run.granted = true;
      scheduler.take(run.prompt);
    } else scheduler.request(run.prompt);
  };
  /**
   * Whether the workspace cooldown holds back a prompt that opens by itself: `promptCooldownHours`
   * since the server's `lastPromptAt` (a prompt on any device). This device's own record, which the
   * server may not have yet, is the scheduler's.
   */
  const cooling = () => {
    const response = state?.response;
    return (
      env.now() < cooldownEnd(Date.parse(response?.lastPromptAt ?? ''), response?.promptCooldownHours ?? 0)
    );
  };
  /**
   * Starts `s` at step `index`; `byUser`: the user asked for it (focus moves in, the screen is
   * taken, no cooldown). A fresh run that would open by itself (not a hotspot's beacon, not a
   * preview) does not start within the cooldown, nor waits it out: its trigger has to fire again.
   */
  const begin = (s: DeliveredSpotlight, index: number, fresh: boolean, byUser: boolean) => {
    const selfOpening = fresh && !byUser && !s.preview && opensByItself(s);
    if (selfOpening && cooling()) return;
    const run: Run = {
      s,
      index,
      fresh,
      byUser,
      granted: false,
      open: byUser,
      focus: byUser,
      prompt: {
        priority: s.priority,
        cooldownId: selfOpening ? s.id : undefined,
        show: act(() => {
          run.granted = true;
        }),
        hide: act(() => {
          run.granted = false;
        }),
      },
    };
    runs.set(s.id, run);
    disarm(s);
    return run;
  };
  const disarm = (s: DeliveredSpotlight) => {
    env.clearTimeout(delays.get(s.id));
    delays.delete(s.id);
  };
  const stopWatch = (run: Run) => {
    run.watch?.stop();
    run.watch = undefined;
  };
  /** Forgets a run without a word (another user, content withdrawn before it showed). */
  const drop = (run: Run) => {
    stopWatch(run);
    scheduler.release(run.prompt);
    runs.delete(run.s.id);
  };
  const finish = (run: Run, dismissed: boolean) => {
    if (dismissed) emit(run, 'spotlight_dismissed', {});
    // Not when no step ever showed (each target missing or hidden, and skipped): nothing was done.
    else if (!run.fresh) emit(run, 'spotlight_completed');
    ended.add(id(run.s));
    remember(run.s, { ended: env.now() });
    giveFocusBack(run);
    drop(run);
  };
  /** Moves to step `index` (past the last one: completed). `byUser`: Next or Back, not a click on the target. */
  const go = (run: Run, index: number, byUser: boolean) => {
    const step = run.s.steps[index];
    if (!step) return finish(run, false);
    run.index = index;
    run.open = true; // a hotspot met along a tour shows its tooltip at once
    run.focus = byUser;
    stopWatch(run);
    // Where the user is now, before the step shows (it may be on another page, or wait for its
    // target): a reload resumes here, and another device from the server's `resumeAt`.
    if (!run.fresh) {
      remember(run.s, { step: step.id, at: env.now() });
      emit(run, 'spotlight_step_reached', { stepIndex: index });
    }
    // The step lives on another page: take the user there (the SPA's router follows a popstate).
    if (byUser && step.pageUrl && !here(run.s, step)) navigate(step.pageUrl, false);
  };

  /** Not running, not ended on this page nor lately on this device. */
  const idle = (s: DeliveredSpotlight) =>
    !runs.has(s.id) && !ended.has(id(s)) && !endedLately(recall(s), env.now());
  /** Whether a trigger may start `s` here and now. */
  const startable = (s: DeliveredSpotlight) => idle(s) && here(s);

  /**
   * A spotlight in the content: resume it (wherever the user is: each step shows on its own page),
   * or start it (page trigger, preview), or arm its delay, on a page where it may start.
   */
  const consider = (s: DeliveredSpotlight) => {
    if (!idle(s)) return;
    const memory = recall(s);
    const index = resumeIndex(s, memory, env.now());
    if (index >= 0) begin(s, index, false, false);
    else if (!here(s)) disarm(s);
    else if (s.preview || s.trigger.kind === 'page') begin(s, 0, true, s.preview);
    else if (s.trigger.kind === 'delay' && !delays.has(s.id)) {
      delays.set(
        s.id,
        env.setTimeout(
          act(() => {
            delays.delete(s.id);
            if (startable(s)) begin(s, 0, true, false);
          }),
          s.trigger.seconds * 1000,
        ),
      );
    }
  };

  /**
   * What a step does while its target is there but hidden (`whenHidden`, `center` when a copy
   * cached from an older server does not say): a hotspot's beacon cannot be centred, it waits.
   */
  const onHidden = (step: DeliveredStep) =>
    step.kind === 'hotspot' && step.whenHidden !== 'skip' ? 'wait' : (step.whenHidden ?? 'center');
  /** The run's step is a tooltip shown in the middle of the screen: its target is hidden. */
  const centred = (run: Run, step: DeliveredStep) => !!run.watch?.hidden() && onHidden(step) === 'center';

  /**
   * Watches for the current step's target where the step may show (its page); asks for the screen
   * once there is something to show (a target, a modal, a tooltip centred for a hidden target), so
   * that a tour waiting for a missing target or for another page holds back nobody. A closed beacon
   * needs no screen. A hidden target the step says to skip is skipped at once.
   */
  const sync = () => {
    for (const run of runs.values()) {
      const step = run.s.steps[run.index];
      if (!step || !here(run.s, step)) {
        stopWatch(run);
        continue;
      }
      if (step.anchor && step.kind !== 'modal' && !run.watch) {
        run.watch = watchTarget(
          step.anchor,
          env,
          step.waitSeconds * 1000,
          guard(refresh),
          act(() => {
            // A hidden target that is centred or skipped is told of as such (below), not as late.
            if (!run.watch?.hidden() || onHidden(step) === 'wait')
              missing(run, step, step.whenMissing === 'skip' ? 'skipped' : 'waiting');
          }),
          doc,
        );
      }
      if (run.watch?.hidden() && onHidden(step) === 'skip') {
        missing(run, step, 'skipped');
        again = true; // the next step, on another pass
        continue;
      }
      if (centred(run, step) && run.missed !== run.index) missing(run, step, 'centered');
      if (
        step.kind === 'modal' ||
        centred(run, step) ||
        (run.watch?.current() && (step.kind !== 'hotspot' || run.open))
      )
        claim(run);
    }
  };

  /**
   * No visible target: `waitSeconds` after the current step could show (its watch, stopped when
   * the step changes or the run ends, is still on), or a hidden one. Tells its author what the step
   * did (once a page view, but every skip); skips it if that is what it did.
   */
  const missing = (run: Run, step: DeliveredStep, outcome: 'waiting' | 'skipped' | 'centered') => {
    const skip = outcome === 'skipped';
    if (skip || run.missed !== run.index) {
      run.missed = run.index;
      const { path = '/', search = '' } = env.page();
      emit(run, 'spotlight_target_not_found', {
        selector: step.anchor!.selector,
        url: `${path}${search}`.slice(0, 2000),
        outcome,
      });
    }
    if (skip) go(run, run.index + 1, false);
  };

  // Drawing.

  const giveFocusBack = (run: Run) => {
    const inside = layer?.root.activeElement as HTMLElement | null | undefined;
    if (!inside) return;
    if (run.returnTo?.isConnected) run.returnTo.focus();
    else inside.blur();
  };
  /** The user opens a hotspot's tooltip, or asks for a running spotlight again: it takes the screen. */
  const reopen = (run: Run) => {
    run.open = run.focus = run.byUser = true;
  };
  /** For the step of kind `kind` that `run` is at (they are made again on every draw). */
  const handlers = (run: Run, kind: DeliveredStep['kind']) => ({
    open: act(() => reopen(run)),
    next: act(() => go(run, run.index + 1, true)),
    back: act(() => go(run, run.index - 1, true)),
    close: act(() => finish(run, true)),
    keyDown: act((event: KeyboardEvent) => {
      if (event.key === 'Tab' && kind === 'modal') trap(event, event.currentTarget as HTMLElement);
      if (event.key !== 'Escape') return;
      event.stopPropagation(); // the Escape was for us, not for the host page's own dialogs
      if (kind === 'hotspot') {
        // Back to the beacon, which stays: the user opened the tip and closes it, no dismissal.
        run.open = run.granted = false;
        run.focus = true;
        scheduler.release(run.prompt);
      } else if (run.s.dismissible) finish(run, true);
    }),
  });

  /** What to draw: beacons (any number, open or not) and the card of the run that has the screen. */
  const scene = (): Array<Shown & { run: Run; target: Element | null }> => {
    const shown: Array<Shown & { run: Run; target: Element | null }> = [];
    for (const run of runs.values()) {
      const step = run.s.steps[run.index];
      if (!step || !here(run.s, step)) continue;
      const target = run.watch?.current() ?? null;
      const key = `wm-${run.s.id}-${run.index}`.replace(/[^\w-]/g, '_');
      const item = (kind: Shown['kind']) =>
        shown.push({
          key: kind === 'beacon' ? `${key}-b` : key,
          kind,
          spotlight: run.s,
          step,
          index: run.index,
          expanded: run.open && run.granted,
          on: handlers(run, step.kind),
          run,
          target,
        });
      if (step.kind === 'modal') {
        if (run.granted) item('modal');
      } else if (target || centred(run, step)) {
        if (step.kind === 'hotspot') item('beacon'); // never centred: a target
        if (run.granted && (step.kind !== 'hotspot' || run.open)) item('tip');
      }
    }
    return shown;
  };

  /** Records what became visible: the run's start, and the step's view once per page view. */
  const saw = (run: Run, kind: Shown['kind']) => {
    const viewed = kind !== 'beacon' && run.viewed !== run.index;
    if (run.fresh) emit(run, 'spotlight_shown');
    if (viewed) {
      run.viewed = run.index;
      emit(run, 'spotlight_step_viewed', { stepIndex: run.index });
    }
    // The step shown, so that a reload resumes here at once (a beacon too: shown is shown).
    if (run.fresh || viewed) remember(run.s, { step: run.s.steps[run.index]!.id, at: env.now() });
    run.fresh = false;
  };

  /** The layer goes where its card's target is: in the top layer with it, or at the end of body. */
  const place = (host: HTMLElement, top: Element | null) => {
    const parent = top ?? doc.body;
    if (!parent || host.parentNode === parent) return;
    parent.append(host); // a move: removed first, which hides it if it was a popover showing
    if (top) {
      // Shown after the dialog, so above it; inside it, so not inert while it is modal.
      host.setAttribute('popover', 'manual');
      host.showPopover();
    } else host.removeAttribute('popover');
  };

  const paint = () => {
    const shown = scene();
    if (shown.length === 0) {
      // Nothing to show: the page gets its DOM back (and a dialog we were in, its children).
      if (layer) {
        render(null, layer.container);
        layer.root.host.remove();
      }
      return follow(shown);
    }
    layer ??= createShadowHost(css, doc);
    const card = shown.find((s) => s.kind !== 'beacon');
    try {
      place(layer.root.host as HTMLElement, topLayerOf(card?.target));
    } catch {
      // No popover support: the page's own top layer stays above us (`reattach` puts back a host left out).
    }
    layer.reattach();
    for (const s of shown) saw(s.run, s.kind);
    const locale = state?.locale ?? 'en';
    render(
      h(Layer, {
        shown,
        theme: state?.response.theme,
        mode: state?.mode,
        t: state?.response.strings ?? {},
        dir: direction(card?.spotlight.locale || locale, doc.documentElement.getAttribute('dir') ?? ''),
      }),
      layer.container,
    );
    follow(shown);
  };

  /**
   * Keeps beacons and tooltips on their targets; reveals a new tooltip's target; moves focus, to the
   * card's main button (the card itself without one), else to the beacon. `shown` is gone through
   * from its end: a run's card comes after its beacon, so it is met first.
   */
  const follow = (shown: ReturnType<typeof scene>) => {
    for (const s of [...shown].reverse()) {
      const { run, target } = s;
      // Every item drawn has its key as id (ui.tsx).
      const el = layer!.root.getElementById(s.key)!;
      const before = attached.get(el);
      if (before?.target !== (target ?? el)) {
        before?.stop();
        // A modal takes focus when it opens, whoever opened it.
        const modal = s.kind === 'modal';
        if (modal) run.focus = true;
        attached.set(el, { target: target ?? el, stop: modal ? () => {} : attach(s, el, target) });
      }
      if (run.focus) {
        const active = doc.activeElement as HTMLElement | null;
        if (active && active !== layer!.root.host && !run.returnTo) run.returnTo = active;
        run.focus = false;
        (el.querySelector<HTMLElement>('.primary') ?? el).focus({ preventScroll: true });
      }
    }
    // What is no longer drawn (Preact removed it, or the whole layer went) lets go of its target.
    for (const [el, a] of attached) {
      if (!el.isConnected) {
        a.stop();
        attached.delete(el);
      }
    }
  };

  /** Keeps a beacon or tooltip on its target (a tooltip without one: centred, `whenHidden`). */
  const attach = (s: Shown & { run: Run }, element: HTMLElement, target: Element | null): (() => void) => {
    const { run, step } = s;
    // A beacon is drawn only for a target (`scene`).
    if (s.kind === 'beacon') return attachBeacon(target!, element);
    if (target) reveal(target, doc);
    const stop = attachTip(target, element, step);
    if (step.advance !== 'click' || !target) return stop;
    // `advance: click`: the user's click on the target itself is the step's Next. Capture phase:
    // before the page's own handlers, which may navigate or re-render it.
    const advance = act(() => go(run, run.index + 1, false));
    target.addEventListener('click', advance, true);
    return () => {
      stop();
      target.removeEventListener('click', advance, true);
    };
  };

  /** Brings watches and drawing up to date; a refresh asked for meanwhile follows this one. */
  const refresh = () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        sync();
        paint();
      } while (again);
    } finally {
      busy = false;
    }
  };

  // A click on an element a `click` trigger names starts its spotlight: delegated, in the capture
  // phase so that a page handler stopping propagation cannot hide it. Clicks in our own UI do not count.
  doc.addEventListener(
    'click',
    guard((event: Event) => {
      const path = event.composedPath().filter((node): node is Element => node instanceof Element);
      if (path.some((el) => el.localName === own)) return;
      for (const s of spotlights) {
        const trigger = s.trigger;
        if (trigger.kind === 'click' && startable(s) && path.some((el) => safeMatches(el, trigger.selector)))
          begin(s, 0, true, true);
      }
      refresh();
    }),
    true,
  );

  return {
    update: act((next: ViewState | undefined) => {
      if (next?.user !== state?.user) {
        for (const run of runs.values()) drop(run);
        ended.clear();
      }
      state = next;
      spotlights = (next?.response.spotlights ?? []).filter(wellFormed);
      const { path, search } = env.page();
      const address = `${path}${search}`;
      if (address !== lastPage) {
        lastPage = address;
        // A new page view: each step's view, and its target's absence, are told again.
        for (const run of runs.values()) run.viewed = run.missed = undefined;
      }
      // Deleting from a Map while going through it is safe: the iteration goes on with what is left.
      for (const run of runs.values()) {
        const current = spotlights.find((s) => s.id === run.s.id && s.version === run.s.version);
        // Withdrawn by the server: gone if nothing showed yet; a run the user is in goes on.
        if (current) run.s = current;
        else if (run.fresh) drop(run);
      }
      for (const s of spotlights) consider(s);
    }),
    observe: guard((message: Observed) => {
      if (message.type !== 'track' || !message.event || message.event.startsWith('$waymark.')) return;
      for (const s of spotlights) {
        const trigger = s.trigger;
        if (
          trigger.kind === 'event' &&
          trigger.event === message.event &&
          startable(s) &&
          matchesFilters(message.properties, trigger.where ?? [], env.now())
        )
          begin(s, 0, true, false);
      }
      refresh();
    }),
    open: act((contentId?: string) => {
      const s = spotlights.find((x) => x.id === contentId);
      if (!s) return host.logger.log('no spotlight', contentId);
      const running = runs.get(s.id);
      if (running) reopen(running);
      else {
        ended.delete(id(s));
        // Step 1 of a run the user asked for, taking them to its page as Next would.
        go(begin(s, 0, true, true)!, 0, true);
      }
    }),
  };
}

/** Tab and Shift+Tab go round the modal's own buttons and links. */
function trap(event: KeyboardEvent, card: HTMLElement) {
  const stops = card.querySelectorAll<HTMLElement>('button,a[href]');
  const active = (card.getRootNode() as ShadowRoot).activeElement;
  const first = stops[0];
  const last = stops[stops.length - 1];
  if (event.shiftKey ? active === first || active === card : active === last) {
    event.preventDefault();
    (event.shiftKey ? last : first)?.focus();
  }
}

function safeMatches(element: Element, selector: string): boolean {
  try {
    return element.matches(selector);
  } catch {
    return false;
  }
}

/** A spotlight with the fields the view relies on (a cached copy may come from an older server). */
function wellFormed(s: DeliveredSpotlight): boolean {
  return (
    typeof s?.id === 'string' &&
    !!s.trigger &&
    [s.steps, s.urls, s.excludeUrls].every(Array.isArray) &&
    s.steps.length > 0 &&
    s.steps.every((step) => typeof step?.id === 'string')
  );
}
