/**
 * The one place the widget touches the host page's DOM: one `<waymark-widget>` element appended to
 * `<body>`, with an open shadow root that holds everything the widget draws and its styles.
 *
 * Nothing leaks in or out: the host's selectors do not reach into a shadow root and ours do not reach
 * out. What does cross the boundary is inheritance (color, font, line-height, direction...), and the
 * host element itself is a light-DOM element that page rules such as `* { all: unset }` or
 * `div { display: none !important }` would hit. So the host element's own style is inline and
 * `!important` (a style attribute's important declarations beat any selector's), starting with
 * `all: initial`, which resets every inherited property at the boundary; `direction`, which `all`
 * leaves alone, is set too.
 */
export interface ShadowHost {
  /** Where the view renders. */
  container: HTMLElement;
  root: ShadowRoot;
  /** Puts the host element back if the page removed it (some apps re-render `<body>`). */
  reattach(): void;
}

/**
 * The host element's declarations, each set `!important`, in this order (`all` first). It draws no
 * box (`display: contents`), so it makes no stacking context: what the widget draws stacks by the
 * one order of widget/view/layers.ts, whichever host it is in. In the top layer, where a host is
 * drawn as a block, the rest keeps it a fixed box of no size.
 */
const hostStyle =
  'all:initial;position:fixed;top:0;left:0;width:0;height:0;overflow:visible;display:contents;visibility:visible;direction:ltr';

/**
 * @example
 * const { container } = createShadowHost(css)
 * render(<App />, container)
 */
export function createShadowHost(css: string, doc: Document = document): ShadowHost {
  const host = doc.createElement('waymark-widget');
  for (const declaration of hostStyle.split(';')) {
    const [name, value] = declaration.split(':') as [string, string];
    host.style.setProperty(name, value, 'important');
  }
  const root = host.attachShadow({ mode: 'open' });
  const sheet = constructedSheet(css, doc);
  if (sheet) {
    // A constructed stylesheet is not an inline style: hosts whose CSP forbids those still style us.
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = doc.createElement('style');
    style.textContent = css;
    root.appendChild(style);
  }
  const container = doc.createElement('div');
  root.appendChild(container);

  const reattach = () => {
    if (host.isConnected) return;
    if (doc.body) doc.body.appendChild(host);
    else doc.addEventListener('DOMContentLoaded', reattach, { once: true });
  };
  reattach();
  return { container, root, reattach };
}

function constructedSheet(css: string, doc: Document): CSSStyleSheet | null {
  const view = doc.defaultView as (Window & typeof globalThis) | null;
  try {
    if (!view || !('adoptedStyleSheets' in view.ShadowRoot.prototype)) return null;
    const sheet = new view.CSSStyleSheet();
    sheet.replaceSync(css);
    return sheet;
  } catch {
    return null;
  }
}
