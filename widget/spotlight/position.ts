import {
  computePosition,
  detectOverflow,
  type Middleware,
  type Placement,
  type Platform,
  type Side,
  shift,
} from '@floating-ui/core';
import type { DeliveredStep } from '../../shared/schemas/content.ts';
import { own } from './target.ts';

/**
 * Floating UI's geometry for our one case: the tooltip is `position: fixed` in the widget's own
 * layer, which is fixed at the viewport's origin with no transform, filter or containment (its
 * inline `all: initial !important` style sees to that), so viewport coordinates are the tooltip's
 * coordinates and the viewport is what clips it. @floating-ui/dom's general platform (offset
 * parents, clipping ancestors, scale, iframes) would add 1.8 KB gzipped to work that out, and its
 * `autoUpdate` as much again to know when to ask: see `follow`.
 */
const isRTL = (element: Element) => getComputedStyle(element).direction === 'rtl';
const size = (element: HTMLElement) => ({ width: element.offsetWidth, height: element.offsetHeight });
const viewport: Platform = {
  getElementRects: ({ reference, floating }) => ({
    reference: reference.getBoundingClientRect(),
    floating: { x: 0, y: 0, ...size(floating) },
  }),
  getDimensions: size,
  getClippingRect: ({ element }) => {
    const root = (element as Element).ownerDocument.documentElement;
    return { x: 0, y: 0, width: root.clientWidth, height: root.clientHeight };
  },
  isRTL,
};

/**
 * Calls `update` now and whenever `target` or `floating` may have moved or changed size: once a
 * frame it compares what the position depends on (the target's box, the floating element's size,
 * the viewport's size) with the last time, as Floating UI's `autoUpdate` does with its
 * `animationFrame` option. That catches scrolls of the window or of any scroll container (the
 * target's box moves), resizes, layout shifts, animations and scrolls inside a shadow root alike,
 * in the frame they happen (scroll and resize steps run before animation frame callbacks), with no
 * listener to add. It runs only while a beacon or tooltip is shown. Returns the function that stops it.
 */
function follow(target: Element, floating: HTMLElement, update: () => void): () => void {
  const doc = floating.ownerDocument;
  const view = doc.defaultView ?? window;
  let last = '';
  let frame = 0;
  const check = () => {
    const { x, y, width, height } = target.getBoundingClientRect();
    const { clientWidth, clientHeight } = doc.documentElement;
    const now = [
      x,
      y,
      width,
      height,
      floating.offsetWidth,
      floating.offsetHeight,
      clientWidth,
      clientHeight,
    ].join();
    if (now !== last) {
      last = now;
      update();
    }
    frame = view.requestAnimationFrame(check);
  };
  check();
  return () => view.cancelAnimationFrame(frame);
}

/**
 * Floating UI's `offset` for what a tooltip needs: `gap` px away from its target, on whichever side
 * it is (its alignment axis and the RTL cases of the general one do not arise). 0.2 KB less.
 */
const gapFrom = (gap: number): Middleware => ({
  name: 'offset',
  fn: ({ x, y, placement }) => {
    const side = placement.split('-')[0];
    return {
      x: x + (side === 'right' ? gap : side === 'left' ? -gap : 0),
      y: y + (side === 'bottom' ? gap : side === 'top' ? -gap : 0),
    };
  },
});

const opposite = { top: 'bottom', bottom: 'top', left: 'right', right: 'left' } as const;

/**
 * Floating UI's `flip` for what a tooltip needs: to the opposite side when the author's side has
 * no room, unless the opposite side has even less (then back: the side that hides less of it),
 * measured by Floating UI's own `detectOverflow`. Floating UI's general `flip` (fallback axes and
 * alignments, strategies) costs 0.8 KB gzipped more, and every byte of the widget counts (README,
 * "Size"). Alignment stays; `shift` then slides the tooltip along its side into view.
 */
const flipToOpposite = (preferred: Placement): Middleware => ({
  name: 'flip',
  async fn(state) {
    const [side, align] = state.placement.split('-') as [Side, string | undefined];
    const overflow = (await detectOverflow(state))[side];
    if (overflow <= 0) return {};
    // Kept across the reset: what the author's side overflowed by.
    const tried = state.middlewareData.flip as { overflow: number } | undefined;
    if (!tried)
      return {
        data: { overflow },
        reset: { placement: `${opposite[side]}${align ? `-${align}` : ''}` as Placement },
      };
    return tried.overflow < overflow && state.placement !== preferred
      ? { reset: { placement: preferred } }
      : {};
  },
});

/**
 * Keeps a tooltip attached to its target with Floating UI: the author's side and alignment, flipped
 * to the other side and shifted along (8 px from the viewport's edges) when there is no room, with
 * its arrow pointing at the target, repositioned whenever either may have moved (`follow`). Returns
 * the function that stops it. The tooltip stays transparent (CSS: no `data-side` yet) until its first
 * position is known: transparent, not `visibility: hidden`, which would refuse it focus meanwhile.
 *
 * The arrow (12 px square, turned 45°) sits on the tooltip's edge that faces the target (CSS, by
 * `data-side`); along that edge it points at the target's centre, kept 10 px from the tooltip's
 * ends so that it never lands on a rounded corner. That is what Floating UI's `arrow` middleware
 * computes, for less code.
 *
 * @example
 * const stop = attachTip(button, tipElement, arrowElement, { side: 'bottom', align: 'end', offset: 10 })
 */
export function attachTip(
  target: Element,
  tip: HTMLElement,
  tail: HTMLElement,
  { side, align, offset: gap }: DeliveredStep['placement'],
): () => void {
  const placement = (align === 'center' ? side : `${side}-${align}`) as Placement;
  return follow(target, tip, () => {
    void computePosition(target, tip, {
      platform: viewport,
      strategy: 'fixed',
      placement,
      middleware: [gapFrom(gap), flipToOpposite(placement), shift({ padding: 8 })],
    }).then(({ x, y, placement: final }) => {
      const edge = final.split('-')[0]!;
      tip.style.left = `${x}px`;
      tip.style.top = `${y}px`;
      tip.dataset.side = edge;
      // Along a top or bottom edge the arrow moves in x, along a left or right one in y; in the
      // tooltip's padding box (inside its border), where `left` and `top` place it.
      const across = edge === 'top' || edge === 'bottom';
      const box = target.getBoundingClientRect();
      const centre = across
        ? box.left + box.width / 2 - x - tip.clientLeft
        : box.top + box.height / 2 - y - tip.clientTop;
      const length = across ? tip.clientWidth : tip.clientHeight;
      const at = `${Math.max(10, Math.min(centre - 6, length - 22))}px`;
      tail.style.left = across ? at : '';
      tail.style.top = across ? '' : at;
    });
  });
}

/**
 * Keeps a hotspot's beacon on its target's top corner at the end of the line (top right in a
 * left-to-right page), following it as `attachTip` does.
 */
export function attachBeacon(target: Element, beacon: HTMLElement): () => void {
  const rtl = isRTL(beacon);
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
