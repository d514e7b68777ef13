import type { DeliveredStep } from '../../shared/schemas/content.ts';
import { own } from './target.ts';

/**
 * Calls `update` now and, coalesced to one animation frame, whenever `target` (none: a tooltip
 * centred on the screen) or `floating` may have moved or changed size: a scroll anywhere (the
 * window, any scroll container, in capture; the shadow roots around the target too, as a scroll
 * event does not leave its shadow tree), a resize of the viewport, of the target, of the floating
 * element or of the page's body (ResizeObserver), a change to the DOM (MutationObserver), the end
 * of a CSS transition or animation, a load (an image above the target). Nothing runs while nothing
 * happens: a once-a-frame check of the target's box cost a forced layout every frame, and long
 * tasks on the demo's dashboard (README, "Spotlights and tours"). A CSS transition or animation
 * that moves the target is caught at its end. Returns the function that stops it.
 */
function follow(target: Element | null, floating: HTMLElement, update: () => void): () => void {
  const doc = floating.ownerDocument;
  const view = doc.defaultView ?? window;
  let frame = 0;
  const later = () => {
    frame ||= view.requestAnimationFrame(() => {
      frame = 0;
      update();
    });
  };
  const sizes = new ResizeObserver(later);
  const changes = new MutationObserver(later);
  const roots: Array<Document | ShadowRoot | Window> = [view];
  for (let node = target; node; node = (node.getRootNode() as ShadowRoot).host) {
    roots.push(node.getRootNode() as Document | ShadowRoot);
    sizes.observe(node);
  }
  sizes.observe(floating);
  if (doc.body) sizes.observe(doc.body);
  const events = ['scroll', 'resize', 'transitionend', 'animationend', 'load'];
  for (const root of roots) {
    if (root !== view) changes.observe(root as Node, { childList: true, subtree: true, attributes: true });
    for (const name of events) root.addEventListener(name, later, true);
  }
  update();
  return () => {
    view.cancelAnimationFrame(frame);
    sizes.disconnect();
    changes.disconnect();
    for (const root of roots) for (const name of events) root.removeEventListener(name, later, true);
  };
}

const opposite = { top: 'bottom', bottom: 'top', left: 'right', right: 'left' } as const;
type Side = keyof typeof opposite;

/**
 * Keeps a tooltip by its target: on the author's side and alignment, `offset` px away, with its
 * arrow pointing at the target; repositioned whenever either may have moved (`follow`). Where
 * the author's side has no room it takes the opposite side, then one across (below, above; right,
 * left); it slides along its side to stay 8 px inside the viewport. Where no side has room (a
 * phone), it is docked: pinned, centred, to the bottom edge of the screen, or to the top when the
 * target is in the lower half, no taller than half the screen (CSS), so that it leaves the
 * target's centre in view; with no arrow, and a ring around the target (`.ring`) shows what it is
 * about. Without a target (one that is there but hidden, `whenHidden: 'center'`) it is
 * centred on the screen. The tooltip is never larger than the viewport less 8 px each way (CSS: its
 * body scrolls), so every one of these places fits whole. A backdrop (`.dim` after the ring) dims
 * the page with a hole where the target is. Returns the function that stops it. The tooltip stays
 * transparent (CSS: no `data-side` yet) until its first position is known: transparent, not
 * `visibility: hidden`, which would refuse it focus meanwhile.
 *
 * The arrow (12 px square, turned 45°) sits on the tooltip's edge that faces the target (CSS, by
 * `data-side`); along that edge it points at the target's centre, kept 10 px from the tooltip's
 * ends so that it never lands on a rounded corner.
 *
 * This is the geometry of Floating UI's `computePosition` with `offset`, `flip` and `shift` for our
 * one case: the tooltip is `position: fixed` in the widget's own layer, which is fixed at the
 * viewport's origin with no transform, filter or containment (its inline `all: initial !important`
 * style sees to that), so viewport coordinates are the tooltip's coordinates.
 *
 * @example
 * const stop = attachTip(button, tipElement, step) // step.placement: { side: 'bottom', align: 'end', offset: 10 }
 */
export function attachTip(
  target: Element | null,
  tip: HTMLElement,
  { placement: { side, align, offset: gap }, backdrop }: DeliveredStep,
): () => void {
  const tail = tip.firstElementChild as HTMLElement;
  const ring = tip.nextElementSibling as HTMLElement;
  const dim = backdrop ? (ring.nextElementSibling as HTMLElement) : null;
  // What the user does on the dimmed page stays there: the page's own "click outside" listeners
  // (on the document, bubbling) would close its menus or dialogs.
  for (const name of ['click', 'pointerdown', 'mousedown'])
    dim?.addEventListener(name, (event) => event.stopPropagation());
  const root = tip.ownerDocument.documentElement;
  const rtl = getComputedStyle(tip).direction === 'rtl';
  return follow(target, tip, () => {
    const vw = root.clientWidth;
    const vh = root.clientHeight;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    // Its height with all of its body showing (the body scrolls when the tooltip is capped, CSS):
    // where it fits is judged on that, so that a cap (docked) does not make it fit somewhere else.
    const body = tip.querySelector('p');
    const whole = h + (body ? body.scrollHeight - body.clientHeight : 0);
    const box = target?.getBoundingClientRect();
    let x = (vw - w) / 2;
    let y = (vh - h) / 2;
    let edge = 'center';
    if (box) {
      const room = { top: box.top, bottom: vh - box.bottom, left: box.left, right: vw - box.right };
      const across = (s: Side) => s === 'top' || s === 'bottom';
      const cross: Side[] = across(side) ? ['right', 'left'] : ['bottom', 'top'];
      const fit = [side, opposite[side], ...cross].find((s) => room[s] >= (across(s) ? whole : w) + gap);
      if (fit) {
        edge = fit;
        const a = across(fit);
        // Along the side: the tooltip's start, centre or end lined up with the target's (start is
        // the right edge in a right-to-left page), then slid into view.
        const k = align === 'center' ? 0.5 : (align === 'start') !== (a && rtl) ? 0 : 1;
        const along = (a ? box.left : box.top) + (a ? box.width - w : box.height - h) * k;
        const slid = Math.max(8, Math.min(along, (a ? vw - w : vh - h) - 8));
        x = a ? slid : fit === 'right' ? box.right + gap : box.left - gap - w;
        y = a ? (fit === 'bottom' ? box.bottom + gap : box.top - gap - h) : slid;
        // Along a top or bottom edge the arrow moves in x, along a left or right one in y; in the
        // tooltip's padding box (inside its border), where `left` and `top` place it.
        const centre = a
          ? box.left + box.width / 2 - x - tip.clientLeft
          : box.top + box.height / 2 - y - tip.clientTop;
        const at = `${Math.max(10, Math.min(centre - 6, (a ? tip.clientWidth : tip.clientHeight) - 22))}px`;
        tail.style.left = a ? at : '';
        tail.style.top = a ? '' : at;
      } else {
        edge = 'dock';
        y = box.top + box.height / 2 > vh / 2 ? 8 : vh - h - 8;
      }
      // The ring (shown when docked) and the backdrop's hole: the target's box and 4 px around it.
      const [l, t, rw, rh] = [box.left - 4, box.top - 4, box.width + 8, box.height + 8];
      Object.assign(ring.style, { left: `${l}px`, top: `${t}px`, width: `${rw}px`, height: `${rh}px` });
      dim?.style.setProperty(
        'clip-path',
        `path(evenodd,"M0 0H${vw}V${vh}H0ZM${l} ${t}h${rw}v${rh}h${-rw}Z")`,
      );
    } else dim?.style.removeProperty('clip-path');
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
    tip.dataset.side = edge;
  });
}

/**
 * Keeps a hotspot's beacon on its target's top corner at the end of the line (top right in a
 * left-to-right page), following it as `attachTip` does.
 */
export function attachBeacon(target: Element, beacon: HTMLElement): () => void {
  const rtl = getComputedStyle(beacon).direction === 'rtl';
  return follow(target, beacon, () => {
    const box = target.getBoundingClientRect();
    const half = beacon.offsetWidth / 2;
    beacon.style.left = `${(rtl ? box.left : box.right) - half}px`;
    beacon.style.top = `${box.top - half}px`;
    beacon.dataset.side = 'top';
  });
}

/**
 * The top-layer element (a modal `<dialog>`, an open popover, a fullscreen element) the target is
 * in, if any (none without a target), crossing shadow roots. Anything outside it is drawn beneath
 * it, and while a modal dialog is open everything outside it is inert (cannot be clicked or
 * focused): a tooltip for a target in there has to be in there too, and in the top layer.
 */
export function topLayerOf(target: Element | null | undefined): Element | null {
  for (let el = target; el; el = el.parentElement ?? (el.getRootNode() as ShadowRoot).host) {
    try {
      if (el.matches(':modal,:popover-open')) return el;
    } catch {
      return null; // a browser without these pseudo-classes has no top layer to escape either
    }
  }
  return null;
}

/**
 * The height of what is fixed or sticky at the top of the viewport (an app's header bar): the first
 * fixed or sticky element above what is drawn at three points along the top edge. Capped at half
 * the viewport: a larger one is an overlay, not a header to scroll below.
 */
function headerHeight(doc: Document, view: Window): number {
  const width = doc.documentElement.clientWidth;
  let bottom = 0;
  for (const x of [8, width / 2, width - 8]) {
    for (let el = doc.elementFromPoint(x, 2); el && el.localName !== own; el = el.parentElement) {
      if (/^(fixed|sticky)$/.test(view.getComputedStyle(el).position)) {
        bottom = Math.max(bottom, el.getBoundingClientRect().bottom);
        break;
      }
    }
  }
  return Math.min(bottom, view.innerHeight / 2);
}

/**
 * Scrolls a target the user cannot see into view (every scroll container around it, then the
 * window), centred in the part of the viewport below a fixed or sticky header: `scroll-margin-top`
 * set to the header's height for the time of the call (the browser computes the destination then),
 * so a smooth scroll ends in the right place. Instant when the user prefers reduced motion.
 * A target that is visible already (its centre is not covered, all of it within the viewport
 * below the header) is left where it is.
 */
export function reveal(target: Element, doc: Document = document): void {
  const view = doc.defaultView;
  if (!view) return;
  const header = headerHeight(doc, view);
  const box = target.getBoundingClientRect();
  const root = target.getRootNode() as Document | ShadowRoot;
  const hit = root.elementFromPoint?.(box.left + box.width / 2, box.top + box.height / 2);
  const seen =
    box.top >= header &&
    box.bottom <= view.innerHeight &&
    box.left >= 0 &&
    box.right <= view.innerWidth &&
    (!hit || target.contains(hit)); // contains: the target itself, or inside it
  if (seen) return;
  const style = (target as HTMLElement).style;
  if (!style) return;
  const before = [
    style.getPropertyValue('scroll-margin-top'),
    style.getPropertyPriority('scroll-margin-top'),
  ] as const;
  style.setProperty('scroll-margin-top', `${header + 8}px`, 'important');
  target.scrollIntoView({
    block: box.height + header + 16 > view.innerHeight ? 'start' : 'center',
    inline: 'nearest',
    behavior: view.matchMedia('(prefers-reduced-motion:reduce)').matches ? 'auto' : 'smooth',
  });
  style.setProperty('scroll-margin-top', ...before);
}
