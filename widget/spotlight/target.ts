import type { Anchor } from '../../shared/schemas/spotlight.ts';
import type { Env } from '../env.ts';
import type { TargetWatch } from './run.ts';

/** The widget's own shadow hosts: never a target, never searched (a selector must not find our UI). */
export const own = 'waymark-widget';

/**
 * Whether an element is rendered: it has a box (no `display: none` on it or an ancestor) and is not
 * `visibility: hidden`. `checkVisibility` answers both in one style pass; browsers without it
 * (before 2023) get the box test alone.
 */
export function isVisible(element: Element): boolean {
  return element.checkVisibility
    ? element.checkVisibility({ visibilityProperty: true })
    : element.getClientRects().length > 0;
}

/**
 * The element a step points at: the first visible match of `selector`, in document order, whose text
 * contains `text` (trimmed, case-insensitive) when there is one; with `hidden`, when none is visible,
 * the first match that is not. With `pierceShadow`, open shadow roots are searched too, each where
 * its host stands (the composed tree), and `onRoot` hears of each so that a watcher can observe it.
 * A selector the browser rejects finds nothing.
 *
 * @example
 * findTarget({ selector: 'button', text: 'export', pierceShadow: true }) // <button>Export CSV</button>
 */
export function findTarget(
  anchor: Anchor,
  doc: Document = document,
  onRoot?: (root: ShadowRoot) => void,
  hidden = false,
): Element | null {
  const text = anchor.text?.trim().toLowerCase();
  let unseen: Element | null = null;
  const fits = (element: Element) => {
    const match =
      element.localName !== own &&
      // An element's textContent is never null; `text` is trimmed, so the haystack need not be.
      (!text || element.textContent!.toLowerCase().includes(text));
    if (match && isVisible(element)) return true;
    if (match) unseen ??= element;
    return false;
  };
  const search = (root: Document | ShadowRoot): Element | null => {
    if (!anchor.pierceShadow) return [...root.querySelectorAll(anchor.selector)].find(fits) ?? null;
    for (const element of root.querySelectorAll('*')) {
      if (element.matches(anchor.selector) && fits(element)) return element;
      const shadow = element.localName === own ? null : element.shadowRoot;
      if (shadow) {
        onRoot?.(shadow);
        const found = search(shadow);
        if (found) return found;
      }
    }
    return null;
  };
  try {
    return search(doc) ?? (hidden ? unseen : null);
  } catch {
    return null; // not a selector this browser understands
  }
}

/**
 * Follows a step's target: `change(element)` when it appears, is replaced (a re-render), goes
 * (null) or is hidden (null, and `hidden()`); `late()` once if none is visible `waitMs` after the
 * start. One MutationObserver on the document (and on the open shadow roots searched) and the
 * viewport's resizes (a media query that hides or shows it) wake it: no polling. While a target is
 * visible, a mutation costs one check of that element; the full search runs only while none is.
 *
 * @example
 * const watch = watchTarget(step.anchor, env, 10_000, (el) => draw(el), () => report())
 */
export function watchTarget(
  anchor: Anchor,
  env: Env,
  waitMs: number,
  change: (element: Element | null) => void,
  late: () => void,
  doc: Document = document,
): TargetWatch<Element> {
  let target: Element | null = null;
  let visible = false;
  const options = { childList: true, subtree: true, attributes: true };
  const check = () => {
    if (visible && target!.isConnected && isVisible(target!)) return;
    const found = findTarget(anchor, doc, observe, true);
    const seen = !!found && isVisible(found);
    if (found === target && seen === visible) return;
    target = found;
    visible = seen;
    change(seen ? found : null);
  };
  const observer = new MutationObserver(check);
  const observe = (root: Node) => observer.observe(root, options);
  const view = doc.defaultView;
  observe(doc);
  view?.addEventListener('resize', check);
  const timer = env.setTimeout(() => {
    if (!visible) late();
  }, waitMs);
  check();
  return {
    current: () => (visible ? target : null),
    hidden: () => !!target && !visible,
    stop() {
      observer.disconnect();
      view?.removeEventListener('resize', check);
      env.clearTimeout(timer);
    },
  };
}
