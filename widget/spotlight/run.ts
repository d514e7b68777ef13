import { matchesFilters, matchesPage, matchesUrl } from '../../shared/conditions.ts';
import { cooldownEnd, opensByItself, resumeWindowMs } from '../../shared/prompt-policy.ts';
import type { DeliveredSpotlight, DeliveredStep } from '../../shared/schemas/content.ts';
import type { InternalEventName } from '../../shared/schemas/internal-event.ts';
import type { Anchor } from '../../shared/schemas/spotlight.ts';
import { recall } from '../view/memory.ts';
import type { Prompt, Scheduler } from '../view/scheduler.ts';
import type { InternalProperties, Observed, ViewHost, ViewState } from '../view-loader.ts';

/**
 * The spotlights' run: which start on this page and when (their trigger), which step each is at
 * (kept on this device so that a reload resumes at once, else the server's `resumeAt`), when one
 * ends or is dismissed, what the screen should show, and the events that tell the server. A state
 * machine with no page of its own: the clock, storage, event reporting, the scheduler, navigation
 * and the search for a step's target are given to it (`RunDeps`), so that it runs, and is tested,
 * without a DOM. view.ts draws what `scene()` says and passes the user's moves back (README,
 * "Spotlights and tours").
 */

/** This device's record of a spotlight version for a user: the step last shown, or its end. */
export interface Memory {
  step?: string;
  at?: number;
  ended?: number;
}

/** Whether `at` is within the tour resume window before `now` (shared/prompt-policy.ts). */
export const recent = (at: number | undefined, now: number): boolean =>
  at !== undefined && now - at < resumeWindowMs;

/** Ended (completed or dismissed) on this device lately: it stays closed here for the resume window. */
export const endedLately = (memory: Memory, now: number): boolean => recent(memory.ended, now);

/**
 * The step a run resumes at: this device's last step while recent (a reload resumes at once), else
 * the server's `resumeAt` (another device); -1 when neither names a step it still has: it starts
 * over, by its trigger.
 */
export function resumeIndex(
  s: { resumeAt: string | null; steps: ReadonlyArray<{ id: string }> },
  memory: Memory,
  now: number,
): number {
  const resumeAt = memory.step && recent(memory.at, now) ? memory.step : s.resumeAt;
  return resumeAt ? s.steps.findIndex((step) => step.id === resumeAt) : -1;
}

/** Follows a step's target (`T`: an Element in the page, anything in a test). */
export interface TargetWatch<T> {
  /** The target now (null while there is none, or it is hidden). */
  current(): T | null;
  /** The target is there but not visible. */
  hidden(): boolean;
  stop(): void;
}

/** What the run is given: everything it needs from outside, none of it the page itself. */
export interface RunDeps<T> {
  /** The clock and timers (`now`, `setTimeout`, `clearTimeout`), the page's address, storage, events. */
  host: Pick<ViewHost, 'env' | 'store' | 'prefix' | 'emit'>;
  scheduler: Scheduler;
  /**
   * Starts following `anchor`'s target: `change()` whenever it appears, changes, goes or is hidden;
   * `late()` once if none is visible `waitMs` after the start (widget/spotlight/target.ts).
   */
  watch(anchor: Anchor, waitMs: number, change: () => void, late: () => void): TargetWatch<T>;
  /** Takes the user to a step's page (the SPA's router follows). */
  navigate(url: string): void;
  /**
   * Wraps what runs later on its own (a delay, the scheduler's turn, a target's change): guarded,
   * and the drawing brought up to date after it (view.ts: `sync()`, then `scene()`).
   */
  act<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  /** A run ended (completed or dismissed): the one `Showing.run` names; focus goes back. */
  ended(run: object): void;
}

/** One thing the screen should show: a hotspot's beacon, a tooltip on its target, or a modal. */
export interface Showing<T> {
  /** Unique on the screen, stable while the same step shows; a beacon's is its card's with `-b`. */
  key: string;
  kind: 'beacon' | 'tip' | 'modal';
  spotlight: DeliveredSpotlight;
  /** The step shown, `spotlight.steps[index]`. */
  step: DeliveredStep;
  index: number;
  /** A beacon's tooltip is open. */
  expanded: boolean;
  /** The step's target (null: a modal, or a tooltip centred for a hidden target). */
  target: T | null;
  /** The run it belongs to, the same object for its whole life: a key for what the view keeps of it. */
  run: object;
  /** The user's moves: open a beacon's tip, Next, Back, the close button, Escape, a click on the target. */
  open(): void;
  next(): void;
  back(): void;
  close(): void;
  escape(): void;
  clickTarget(): void;
  /** It was drawn: the run's first view and the step's view (once per page view) are recorded. */
  drawn(): void;
  /** Whether focus moves into it now (the user acted in our UI or asked for it); true once. */
  takeFocus(): boolean;
}

export interface SpotlightRun<T> {
  /** New content or user; also called on SPA navigation (steps follow their pages). */
  update(state: ViewState | undefined): void;
  /** A message the core sent: `event` triggers. True when it started a spotlight. */
  observe(message: Observed): boolean;
  /** A click on the page (not in our UI): `matches(selector)` says whether it hit what `selector` names. */
  click(matches: (selector: string) => boolean): void;
  /** Starts a spotlight the user asked for, at its current step if running; false when there is none. */
  open(contentId?: string): boolean;
  /**
   * Follows the current steps' targets and asks for the screen for what can show; true when a
   * step was skipped and another pass is due.
   */
  sync(): boolean;
  /** What to draw: beacons (any number, open or not) and the card of the runs that have the screen. */
  scene(): Array<Showing<T>>;
}

/**
 * One spotlight being shown (or waiting to be: for the screen, its page, its target). Its fields
 * start with `_`: private to this module, never stored nor sent, so the UI chunk's build shortens
 * them (README, "Size").
 */
interface Run<T> {
  _spotlight: DeliveredSpotlight;
  _index: number;
  /** No step shown yet: `spotlight_shown` is still to be sent. */
  _fresh: boolean;
  /** Its turn on the screen (widget/view/scheduler.ts); a hotspot's closed beacon needs none. */
  _prompt: Prompt;
  /**
   * The user asked for it (a beacon, a click trigger, "Show me", a preview): it takes the screen
   * when it next claims it (`claim`), rather than waiting its turn.
   */
  _byUser: boolean;
  /** The screen is its own (the scheduler's `show`, or a `take`). */
  _granted: boolean;
  /** A hotspot's tooltip is open. */
  _open: boolean;
  /** Looks for the current step's target; stopped (undefined) when the step changes (`go`). */
  _watch?: TargetWatch<T> | undefined;
  /**
   * The step index of the last `step_viewed`, and of the last `target_not_found` (waiting), on this
   * page view: forgotten when the page changes (`update`).
   */
  _viewed?: number | undefined;
  _missed?: number | undefined;
  /** Move focus into the step's card when it is drawn: the user acted (`takeFocus`). */
  _focus: boolean;
}

/**
 * The run of the spotlights and tours. Sends `spotlight_shown` (a run's first step shown),
 * `spotlight_step_reached` (the user moved to a step: Next, Back, a click on the target, a skip),
 * `spotlight_step_viewed` (each time a step's content shows on a page view), `spotlight_completed`
 * (the end of a run that showed something), `spotlight_dismissed` and `spotlight_target_not_found`;
 * none for previews.
 *
 * Focus moves into a card only when the user acted in our UI or asked for it (Next, Back, a
 * beacon, a click trigger, "Show me"); a step that appears by itself (a page, delay or event
 * trigger, a resumed tour, a navigation, a click on the target that advances the tour) leaves focus
 * where the user is working in the host app (`takeFocus`).
 *
 * @example
 * const run = createSpotlightRun({ host, scheduler, watch, navigate, act, ended })
 * run.update({ response, deliveredBefore: 0, locale: 'en', user: 'u_42' })
 * while (run.sync());
 * for (const item of run.scene()) item.drawn()
 */
export function createSpotlightRun<T>(deps: RunDeps<T>): SpotlightRun<T> {
  const { host, scheduler, act } = deps;
  const { env } = host;
  let state: ViewState | undefined;
  let spotlights: DeliveredSpotlight[] = [];
  const runs = new Map<string, Run<T>>();
  /** Ended on this page (`id:version`), previews included. */
  const ended = new Set<string>();
  const delays = new Map<string, unknown>();
  let lastPage = '';
  let again = false;

  const here = (s: DeliveredSpotlight, step?: DeliveredStep): boolean => {
    const { path = '/', search } = env.page();
    if (step?.page) return matchesUrl(step.page, path, search);
    return s.preview || matchesPage(s, path, search);
  };
  const id = (s: DeliveredSpotlight) => `${s.id}:${s.version}`;
  const memoryKey = (s: DeliveredSpotlight) =>
    `${host.prefix}:spot:${state?.user ?? ''}:${s.id}:${s.version}`;
  const remembered = (s: DeliveredSpotlight): Memory => (s.preview ? {} : recall(host.store, memoryKey(s)));
  const remember = (s: DeliveredSpotlight, memory: Memory) => {
    if (!s.preview) host.store.set(memoryKey(s), JSON.stringify(memory));
  };
  /** Sends a spotlight event (none for previews); with `extra`, it is about the run's current step. */
  const emit = <N extends `spotlight_${string}` & InternalEventName>(
    run: Run<T>,
    name: N,
    extra?: Omit<InternalProperties<N>, 'contentId' | 'version' | 'stepId'>,
  ) => {
    const { _spotlight: s, _index: index } = run;
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
  const claim = (run: Run<T>) => {
    if (run._byUser) {
      run._byUser = false;
      run._granted = true;
      scheduler.take(run._prompt);
    } else scheduler.request(run._prompt);
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
    const run: Run<T> = {
      _spotlight: s,
      _index: index,
      _fresh: fresh,
      _byUser: byUser,
      _granted: false,
      _open: byUser,
      _focus: byUser,
      _prompt: {
        priority: s.priority,
        cooldownId: selfOpening ? s.id : undefined,
        show: act(() => {
          run._granted = true;
        }),
        hide: act(() => {
          run._granted = false;
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
  const stopWatch = (run: Run<T>) => {
    run._watch?.stop();
    run._watch = undefined;
  };
  /** Forgets a run without a word (another user, content withdrawn before it showed). */
  const drop = (run: Run<T>) => {
    stopWatch(run);
    scheduler.release(run._prompt);
    runs.delete(run._spotlight.id);
  };
  const finish = (run: Run<T>, dismissed: boolean) => {
    if (dismissed) emit(run, 'spotlight_dismissed', {});
    // Not when no step ever showed (each target missing or hidden, and skipped): nothing was done.
    else if (!run._fresh) emit(run, 'spotlight_completed');
    ended.add(id(run._spotlight));
    remember(run._spotlight, { ended: env.now() });
    deps.ended(run);
    drop(run);
  };
  /** Moves to step `index` (past the last one: completed). `byUser`: Next or Back, not a click on the target. */
  const go = (run: Run<T>, index: number, byUser: boolean) => {
    const step = run._spotlight.steps[index];
    if (!step) return finish(run, false);
    run._index = index;
    run._open = true; // a hotspot met along a tour shows its tooltip at once
    run._focus = byUser;
    stopWatch(run);
    // Where the user is now, before the step shows (it may be on another page, or wait for its
    // target): a reload resumes here, and another device from the server's `resumeAt`.
    if (!run._fresh) {
      remember(run._spotlight, { step: step.id, at: env.now() });
      emit(run, 'spotlight_step_reached', { stepIndex: index });
    }
    // The step lives on another page: take the user there (the SPA's router follows a popstate).
    if (byUser && step.pageUrl && !here(run._spotlight, step)) deps.navigate(step.pageUrl);
  };
  /** The user opens a hotspot's tooltip, or asks for a running spotlight again: it takes the screen. */
  const reopen = (run: Run<T>) => {
    run._open = run._focus = run._byUser = true;
  };

  /** Not running, not ended on this page nor lately on this device. */
  const idle = (s: DeliveredSpotlight) =>
    !runs.has(s.id) && !ended.has(id(s)) && !endedLately(remembered(s), env.now());
  /** Whether a trigger may start `s` here and now. */
  const startable = (s: DeliveredSpotlight) => idle(s) && here(s);

  /**
   * A spotlight in the content: resume it (wherever the user is: each step shows on its own page),
   * or start it (page trigger, preview), or arm its delay, on a page where it may start.
   */
  const consider = (s: DeliveredSpotlight) => {
    if (!idle(s)) return;
    const index = resumeIndex(s, remembered(s), env.now());
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
  const centred = (run: Run<T>, step: DeliveredStep) => !!run._watch?.hidden() && onHidden(step) === 'center';

  /**
   * No visible target: `waitSeconds` after the current step could show (its watch, stopped when
   * the step changes or the run ends, is still on), or a hidden one. Tells its author what the step
   * did (once a page view, but every skip); skips it if that is what it did.
   */
  const missing = (run: Run<T>, step: DeliveredStep, outcome: 'waiting' | 'skipped' | 'centered') => {
    const skip = outcome === 'skipped';
    if (skip || run._missed !== run._index) {
      run._missed = run._index;
      const { path = '/', search = '' } = env.page();
      emit(run, 'spotlight_target_not_found', {
        selector: step.anchor!.selector,
        url: `${path}${search}`.slice(0, 2000),
        outcome,
      });
    }
    if (skip) go(run, run._index + 1, false);
  };

  /** Records what became visible: the run's start, and the step's view once per page view. */
  const saw = (run: Run<T>, kind: Showing<T>['kind']) => {
    const viewed = kind !== 'beacon' && run._viewed !== run._index;
    if (run._fresh) emit(run, 'spotlight_shown');
    if (viewed) {
      run._viewed = run._index;
      emit(run, 'spotlight_step_viewed', { stepIndex: run._index });
    }
    // The step shown, so that a reload resumes here at once (a beacon too: shown is shown).
    if (run._fresh || viewed)
      remember(run._spotlight, { step: run._spotlight.steps[run._index]!.id, at: env.now() });
    run._fresh = false;
  };

  return {
    update(next) {
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
        for (const run of runs.values()) run._viewed = run._missed = undefined;
      }
      // Deleting from a Map while going through it is safe: the iteration goes on with what is left.
      for (const run of runs.values()) {
        const current = spotlights.find(
          (s) => s.id === run._spotlight.id && s.version === run._spotlight.version,
        );
        // Withdrawn by the server: gone if nothing showed yet; a run the user is in goes on.
        if (current) run._spotlight = current;
        else if (run._fresh) drop(run);
      }
      for (const s of spotlights) consider(s);
    },

    observe(message) {
      if (message.type !== 'track' || !message.event || message.event.startsWith('$waymark.')) return false;
      let started = false;
      for (const s of spotlights) {
        const trigger = s.trigger;
        if (
          trigger.kind === 'event' &&
          trigger.event === message.event &&
          startable(s) &&
          matchesFilters(message.properties, trigger.where ?? [], env.now())
        )
          started = !!begin(s, 0, true, false) || started;
      }
      return started;
    },

    click(matches) {
      for (const s of spotlights) {
        const trigger = s.trigger;
        if (trigger.kind === 'click' && startable(s) && matches(trigger.selector)) begin(s, 0, true, true);
      }
    },

    open(contentId) {
      const s = spotlights.find((x) => x.id === contentId);
      if (!s) return false;
      const running = runs.get(s.id);
      if (running) reopen(running);
      else {
        ended.delete(id(s));
        // Step 1 of a run the user asked for, taking them to its page as Next would.
        go(begin(s, 0, true, true)!, 0, true);
      }
      return true;
    },

    /**
     * Watches for the current step's target where the step may show (its page); asks for the screen
     * once there is something to show (a target, a modal, a tooltip centred for a hidden target), so
     * that a tour waiting for a missing target or for another page holds back nobody. A closed beacon
     * needs no screen. A hidden target the step says to skip is skipped at once.
     */
    sync() {
      again = false;
      for (const run of runs.values()) {
        const step = run._spotlight.steps[run._index];
        if (!step || !here(run._spotlight, step)) {
          stopWatch(run);
          continue;
        }
        if (step.anchor && step.kind !== 'modal' && !run._watch) {
          run._watch = deps.watch(
            step.anchor,
            step.waitSeconds * 1000,
            act(() => {}),
            act(() => {
              // A hidden target that is centred or skipped is told of as such (below), not as late.
              if (!run._watch?.hidden() || onHidden(step) === 'wait')
                missing(run, step, step.whenMissing === 'skip' ? 'skipped' : 'waiting');
            }),
          );
        }
        if (run._watch?.hidden() && onHidden(step) === 'skip') {
          missing(run, step, 'skipped');
          again = true; // the next step, on another pass
          continue;
        }
        if (centred(run, step) && run._missed !== run._index) missing(run, step, 'centered');
        if (
          step.kind === 'modal' ||
          centred(run, step) ||
          (run._watch?.current() && (step.kind !== 'hotspot' || run._open))
        )
          claim(run);
      }
      return again;
    },

    scene() {
      const shown: Array<Showing<T>> = [];
      for (const run of runs.values()) {
        const step = run._spotlight.steps[run._index];
        if (!step || !here(run._spotlight, step)) continue;
        const target = run._watch?.current() ?? null;
        const key = `wm-${run._spotlight.id}-${run._index}`.replace(/[^\w-]/g, '_');
        const item = (kind: Showing<T>['kind']) =>
          shown.push({
            key: kind === 'beacon' ? `${key}-b` : key,
            kind,
            spotlight: run._spotlight,
            step,
            index: run._index,
            expanded: run._open && run._granted,
            target,
            run,
            open: () => reopen(run),
            next: () => go(run, run._index + 1, true),
            back: () => go(run, run._index - 1, true),
            close: () => finish(run, true),
            escape() {
              if (step.kind === 'hotspot') {
                // Back to the beacon, which stays: the user opened the tip and closes it, no dismissal.
                run._open = run._granted = false;
                run._focus = true;
                scheduler.release(run._prompt);
              } else if (run._spotlight.dismissible) finish(run, true);
            },
            clickTarget: () => go(run, run._index + 1, false),
            drawn: () => saw(run, kind),
            takeFocus() {
              const focus = run._focus;
              run._focus = false;
              return focus;
            },
          });
        if (step.kind === 'modal') {
          if (run._granted) item('modal');
        } else if (target || centred(run, step)) {
          if (step.kind === 'hotspot') item('beacon'); // never centred: a target
          if (run._granted && (step.kind !== 'hotspot' || run._open)) item('tip');
        }
      }
      return shown;
    },
  };
}

/** A spotlight with the fields the run relies on (a cached copy may come from an older server). */
function wellFormed(s: DeliveredSpotlight): boolean {
  return (
    typeof s?.id === 'string' &&
    !!s.trigger &&
    [s.steps, s.urls, s.excludeUrls].every(Array.isArray) &&
    s.steps.length > 0 &&
    s.steps.every((step) => typeof step?.id === 'string')
  );
}
