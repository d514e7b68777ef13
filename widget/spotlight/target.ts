import type { Anchor } from '../../shared/schemas/spotlight.ts';
import type { Env } from '../env.ts';

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
 * contains `text` (trimmed, case-insensitive) when there is one. With `pierceShadow`, open shadow
 * roots are searched too, each where its host stands (the composed tree), and `onRoot` hears of each
 * so that a watcher can observe it. A selector the browser rejects finds nothing.
 *
 * @example
 * findTarget({ selector: 'button', text: 'export', pierceShadow: true }) // <button>Export CSV</button>
 */
export function findTarget(
  anchor: Anchor,
  doc: Document = document,
  onRoot?: (root: ShadowRoot) => void,
): Element | null {
  const text = anchor.text?.trim().toLowerCase();
  const fits = (element: Element) =>
    element.localName !== own &&
    // An element's textContent is never null; `text` is trimmed, so the haystack need not be.
    (!text || element.textContent!.toLowerCase().includes(text)) &&
    isVisible(element);
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
    return search(doc);
  } catch {
    return null; // not a selector this browser understands
  }
}

export interface TargetWatch {
  /** The target now (null while there is none). */
  current(): Element | null;
  stop(): void;
}

/**
 * Follows a step's target: `change(element)` when it appears, is replaced (a re-render), or goes
 * (null); `late()` once if there is none `waitMs` after the start. One MutationObserver on the
 * document (and on the open shadow roots searched) wakes it: no polling. While a target is there,
 * a mutation costs one check of that element; the full search runs only while there is none.
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
): TargetWatch {
  let target: Element | null = null;
  const options = { childList: true, subtree: true, attributes: true };
  const observer = new MutationObserver(() => check());
  const observe = (root: Node) => observer.observe(root, options);
  const check = () => {
    if (target?.isConnected && isVisible(target)) return;
    const found = findTarget(anchor, doc, observe);
    if (found === target) return;
    target = found;
    change(found);
  };
  observe(doc);
  const timer = env.setTimeout(() => {
    if (!target) late();
  }, waitMs);
  check();
  return {
    current: () => target,
    stop() {
      observer.disconnect();
      env.clearTimeout(timer);
    },
  };
}
