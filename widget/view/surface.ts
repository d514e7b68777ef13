import { type ComponentChild, render } from 'preact';
import type { DeliveredTheme, Mode } from '../../shared/schemas/theme.ts';
import { direction } from '../../shared/widget-strings.ts';
import { createShadowHost, type ShadowHost } from '../shadow-root.ts';

/** One view's part of the widget's shadow root. */
export interface Region {
  /** The shadow root, once a view of it drew something; until then the page is untouched. */
  root(): ShadowRoot | undefined;
  /**
   * Draws `content` (null: nothing) into this view's element, then focuses the element `focus`
   * selects, if any. The first drawing creates the widget's element, later ones put it back if the
   * page removed it; nothing to draw where nothing was drawn yet leaves the page untouched.
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
  const parts = {} as Record<N, HTMLElement>;
  const regions = {} as Record<N, Region>;
  for (const name of names) {
    regions[name] = {
      root: () => shadow?.root,
      draw(content, focus) {
        if (!content && !shadow) return;
        if (!shadow) {
          shadow = createShadowHost(css);
          for (const part of names) {
            parts[part] = shadow.container.appendChild(document.createElement('div'));
            parts[part].className = part;
          }
        }
        shadow.reattach();
        render(content, parts[name]);
        if (focus) shadow.root.querySelector<HTMLElement>(focus)?.focus();
      },
    };
  }
  return regions;
}

/** The reading direction of content in `locale`, or the page's when the locale says none. */
export const pageDirection = (locale: string) =>
  direction(locale, document.documentElement.getAttribute('dir') ?? '');

/**
 * A view root's look: the colour scheme (`data-mode`: light, dark, or auto, the user's system
 * setting), the host page's choice (`waymark.theme()`) if it made one, else the delivered theme's;
 * and the theme's values as the custom properties the stylesheets use. The server checked them and
 * worked out the text colour on brand-coloured buttons (shared/delivered-theme.ts).
 */
export const themed = (theme: DeliveredTheme | undefined, mode?: Mode) => ({
  'data-mode': mode ?? theme?.mode,
  style: {
    '--wm-brand': theme?.brandColor,
    '--wm-on-brand': theme?.onBrand,
    '--wm-font': theme?.font,
    '--wm-radius': theme && `${theme.radius}px`,
  },
});
