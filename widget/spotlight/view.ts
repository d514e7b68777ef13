import { h, render } from 'preact';
import { direction } from '../../shared/widget-strings.ts';
import { guardedThen, safeCall } from '../safe-call.ts';
import { createShadowHost, type ShadowHost } from '../shadow-root.ts';
import type { Kind } from '../view/kind.ts';
import { navigate } from '../view/navigate.ts';
import type { Scheduler } from '../view/scheduler.ts';
import type { Observed, ViewHost, ViewState } from '../view-loader.ts';
import { attachBeacon, attachTip, reveal, topLayerOf } from './position.ts';
import { createSpotlightRun, type Showing } from './run.ts';
import { css } from './styles.ts';
import { own, watchTarget } from './target.ts';
import { Layer, type StepHandlers } from './ui.tsx';

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

/** A beacon or tooltip kept on its target (position.ts), by its element. */
interface Attached {
  target: Element;
  stop(): void;
}

type Item = Showing<Element>;

/**
 * The spotlights and tours on the page: the run (run.ts: triggers, steps, resuming, ending, the
 * events sent) given the page's clock, storage, targets (target.ts) and navigation, and drawing
 * what it says (ui.tsx) into a shadow root of their own, moved into the top layer when a target is
 * in there (a modal dialog).
 *
 * Focus moves into a card only when the run says the user acted (`takeFocus`): the button they
 * pressed is gone, and focus would otherwise drop to the page's body. A card that appears by itself
 * is a labelled, non-modal dialog (screen readers list it), the target stays in the page's tab
 * order, and Escape inside the card dismisses it. Modal steps always take focus, trap it and give it
 * back, as a modal dialog must.
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
  const attached = new Map<HTMLElement, Attached>();
  /** Where focus was before it moved into a run's card, to give it back when the card closes. */
  const returnTo = new WeakMap<object, HTMLElement>();
  let layer: ShadowHost | undefined;
  let busy = false;
  let again = false;
  const guard = <A extends unknown[]>(fn: (...args: A) => void) => safeCall(host.logger, fn);
  /** `fn` guarded, then the view brought up to date: what every timer, listener and handler does. */
  const act = guardedThen(host.logger, () => refresh());

  const run = createSpotlightRun<Element>({
    host,
    scheduler,
    watch: (anchor, waitMs, change, late) => watchTarget(anchor, env, waitMs, change, late, doc),
    navigate: (url) => navigate(url, false),
    act,
    ended(ran) {
      const inside = layer?.root.activeElement as HTMLElement | null | undefined;
      if (!inside) return;
      const back = returnTo.get(ran);
      if (back?.isConnected) back.focus();
      else inside.blur();
    },
  });

  /** What the user can do with a drawn step, each followed by a redraw. */
  const handlers = (item: Item): StepHandlers => ({
    open: act(item.open),
    next: act(item.next),
    back: act(item.back),
    close: act(item.close),
    keyDown: act((event: KeyboardEvent) => {
      if (event.key === 'Tab' && item.step.kind === 'modal') trap(event, event.currentTarget as HTMLElement);
      if (event.key !== 'Escape') return;
      event.stopPropagation(); // the Escape was for us, not for the host page's own dialogs
      item.escape();
    }),
  });

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
    const shown = run.scene();
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
    for (const s of shown) s.drawn();
    const locale = state?.locale ?? 'en';
    render(
      h(Layer, {
        shown: shown.map((s) => ({ ...s, on: handlers(s) })),
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
  const follow = (shown: Item[]) => {
    for (const s of [...shown].reverse()) {
      const { target } = s;
      // Every item drawn has its key as id (ui.tsx).
      const el = layer!.root.getElementById(s.key)!;
      const before = attached.get(el);
      // A modal takes focus when it opens, whoever opened it.
      let modalOpened = false;
      if (before?.target !== (target ?? el)) {
        before?.stop();
        modalOpened = s.kind === 'modal';
        attached.set(el, { target: target ?? el, stop: modalOpened ? () => {} : attach(s, el) });
      }
      if (s.takeFocus() || modalOpened) {
        const active = doc.activeElement as HTMLElement | null;
        if (active && active !== layer!.root.host && !returnTo.has(s.run)) returnTo.set(s.run, active);
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
  const attach = (s: Item, element: HTMLElement): (() => void) => {
    const { step, target } = s;
    // A beacon is drawn only for a target (the run's `scene`).
    if (s.kind === 'beacon') return attachBeacon(target!, element);
    if (target) reveal(target, doc);
    const stop = attachTip(target, element, step);
    if (step.advance !== 'click' || !target) return stop;
    // `advance: click`: the user's click on the target itself is the step's Next. Capture phase:
    // before the page's own handlers, which may navigate or re-render it.
    const advance = act(s.clickTarget);
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
        again = run.sync();
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
      run.click((selector) => path.some((el) => safeMatches(el, selector)));
      refresh();
    }),
    true,
  );

  return {
    update: act((next: ViewState | undefined) => {
      state = next;
      run.update(next);
    }),
    observe: guard((message: Observed) => {
      if (run.observe(message)) refresh();
    }),
    open: act((contentId?: string) => {
      if (!run.open(contentId)) host.logger.log('no spotlight', contentId);
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
