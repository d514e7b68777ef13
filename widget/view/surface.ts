import { type ComponentChild, render } from 'preact';
import type { DeliveredTheme } from '../../shared/schemas/theme.ts';
import { direction } from '../../shared/widget-strings.ts';
import { createShadowHost, type ShadowHost } from '../shadow-root.ts';

/** One view's part of the widget's shadow root. */
export interface Region {
  /** Whether the widget's element exists yet: until a view has something to draw, the page is untouched. */
  exists(): boolean;
  /**
   * This view's element and the shadow root; the first call creates the widget's element, later ones
   * put it back if the page removed it.
   */
  open(): { container: HTMLElement; root: ShadowRoot };
  /**
   * Draws `content` (null: nothing) into this view's element, then focuses the element `focus`
   * selects, if any. Nothing to draw where nothing was drawn yet leaves the page untouched.
   */
  draw(content: ComponentChild, focus?: string): void;
}

/**
 * The shadow root every view draws into (one `<waymark-widget>` element, one stylesheet), with one
 * element per view, classed with its name, in the order given: the stylesheet may place one view by
 * what another shows (`.cl:has(…) ~ .sv …`).
 *
 * @example
 * const { cl, sv } = createSurface(css, ['cl', 'sv'])
 * cl.draw(<App />)
 */
export function createSurface<N extends string>(css: string, names: readonly N[]): Record<N, Region> {
  let shadow: ShadowHost | undefined;
  const parts = new Map<string, HTMLElement>();
  const regions = {} as Record<N, Region>;
  for (const name of names) {
    const region: Region = {
      exists: () => !!shadow,
      open() {
        if (!shadow) {
          shadow = createShadowHost(css);
          for (const part of names) {
            const element = shadow.container.ownerDocument.createElement('div');
            element.className = part;
            shadow.container.append(element);
            parts.set(part, element);
          }
        }
        shadow.reattach();
        return { container: parts.get(name)!, root: shadow.root };
      },
      draw(content, focus) {
        if (!content && !shadow) return;
        const { container, root } = region.open();
        render(content, container);
        if (focus) root.querySelector<HTMLElement>(focus)?.focus();
      },
    };
    regions[name] = region;
  }
  return regions;
}

/** The reading direction of content in `locale`, or the page's when the locale says none. */
export const pageDirection = (locale: string) =>
  direction(locale, document.documentElement.getAttribute('dir') ?? '');

/**
 * A view root's look: the delivered theme's colour scheme (`data-mode`: light, dark, or auto, the
 * user's system setting) and its values as the custom properties the stylesheets use. The server
 * checked them and worked out the text colour on brand-coloured buttons (server/content/theme.ts).
 */
export const themed = (theme: DeliveredTheme | undefined) => ({
  'data-mode': theme?.mode,
  style: {
    '--wm-brand': theme?.brandColor,
    '--wm-on-brand': theme?.onBrand,
    '--wm-font': theme?.font,
    '--wm-radius': theme && `${theme.radius}px`,
  },
});
