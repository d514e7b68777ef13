/**
 * What the widget's two shadow roots (the checklist and survey one, widget/view/main.ts, and the
 * spotlights' own, widget/spotlight/styles.ts) share in their stylesheets, written once. Sizes are in px, never rem (a host's
 * `html { font-size }` would scale rem). Colours come from custom properties: the theme's (brand,
 * font, radius, set on the view's root element) and the light and dark palettes below, whose text
 * colours pass WCAG AA (4.5:1) on their backgrounds.
 */
const light =
  '--wm-bg:#fff;--wm-text:#111827;--wm-muted:#4b5563;--wm-line:#e5e7eb;--wm-soft:#f3f4f6;--wm-focus:#111827';
const dark =
  '--wm-bg:#1f2937;--wm-text:#f9fafb;--wm-muted:#d1d5db;--wm-line:#4b5563;--wm-soft:#111827;--wm-focus:#f9fafb';

/**
 * The reset, the palette and text of the view's root element `root` (light, dark, or the system's
 * by its `data-mode`; what it does not set, such as `text-align: start`, comes from the host element's
 * `all: initial`), buttons, the focus ring, links, code, icons (stroked in the text's colour,
 * 2 px unless a sheet says otherwise), the close button `.x` (each sheet sizes it) and the
 * reduced-motion rule. The host element is reset inline too (widget/shadow-root.ts).
 */
export const base = (root: string) =>
  `:host{all:initial}*,*::before,*::after{box-sizing:border-box}${root}{${light};font-family:var(--wm-font);font-size:14px;line-height:1.45;color:var(--wm-text)}${root}[data-mode=dark]{${dark}}@media (prefers-color-scheme:dark){${root}[data-mode=auto]{${dark}}}button{font:inherit;color:inherit;margin:0;cursor:pointer}:focus-visible{outline:2px solid var(--wm-focus);outline-offset:2px}a{color:inherit}code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;padding:1px 4px;border-radius:4px;background:var(--wm-soft)}svg{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}.x{flex:none;display:grid;place-items:center;padding:0;border:0;border-radius:8px;background:transparent}.x:hover{background:var(--wm-soft)}@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important}}`;
