import { type DeliveredTheme, type Theme, theme } from './schemas/theme.ts';

/**
 * The theme the widget applies: the workspace's, with a survey's overrides on top when given,
 * defaults filled in and each value checked against shared/schemas/theme.ts, plus the colour of
 * text on brand-coloured buttons: black or white, whichever contrasts more with the brand colour
 * (WCAG 2 relative luminance), at least 4.6:1 for any colour. Worked out by the server rather than
 * by the widget: every byte of the widget counts (README, "Size"). In shared/ so that the console's
 * widget preview themes a draft exactly as delivery does (README, "Console").
 *
 * @example
 * deliverTheme({ brandColor: '#fde047' }).onBrand // '#000': black on yellow
 */
export function deliverTheme(...layers: Array<Partial<Theme> | null | undefined>): DeliveredTheme {
  const resolved = theme.parse(Object.assign({}, ...layers));
  const l = luminance(resolved.brandColor);
  // Contrast ratio with white is 1.05 / (l + 0.05), with black (l + 0.05) / 0.05.
  return { ...resolved, onBrand: 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#fff' : '#000' };
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
