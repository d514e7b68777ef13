import type { Theme } from '../../shared/schemas/theme.ts';

const defaults = {
  brandColor: '#4f46e5',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  radius: 12,
};

/**
 * The theme as CSS custom properties for the view's root element. Each value is checked again as
 * shared/schemas/theme.ts does (a cached copy may predate a fix on the server), so nothing but a hex
 * colour, a font list and a number reaches a stylesheet. The text on brand-coloured buttons is
 * black or white, whichever contrasts more (WCAG 2 relative luminance): at least 4.6:1 for any colour.
 *
 * @example
 * themeVariables({ brandColor: '#0f766e', font: 'Inter', radius: 8, mode: 'auto' })['--wm-on-brand'] // '#fff'
 */
export function themeVariables(theme: Partial<Theme> | undefined): Record<string, string> {
  const brand = /^#(?:[0-9a-f]{3}){1,2}$/i.test(theme?.brandColor ?? '')
    ? theme!.brandColor!
    : defaults.brandColor;
  const font =
    typeof theme?.font === 'string' &&
    theme.font.length <= 200 &&
    /^[\w\s,'"-]*$/.test(theme.font) &&
    theme.font.trim()
      ? theme.font
      : defaults.font;
  const radius = Number.isFinite(theme?.radius)
    ? Math.min(24, Math.max(0, Number(theme!.radius)))
    : defaults.radius;
  const l = luminance(brand);
  // Contrast ratio with white is 1.05 / (l + 0.05), with black (l + 0.05) / 0.05.
  const onBrand = 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#fff' : '#000';
  return {
    '--wm-brand': brand,
    '--wm-on-brand': onBrand,
    '--wm-font': font,
    '--wm-radius': `${radius}px`,
  };
}

/** The theme's colour scheme: `light`, `dark`, or `auto` (the user's system setting). */
export function themeMode(theme: Partial<Theme> | undefined): 'light' | 'dark' | 'auto' {
  return theme?.mode === 'light' || theme?.mode === 'dark' ? theme.mode : 'auto';
}

/** WCAG 2 relative luminance of a #rgb or #rrggbb colour. */
export function luminance(hex: string): number {
  const digits = hex.length === 4 ? hex.replace(/\w/g, '$&$&').slice(1) : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(digits.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
