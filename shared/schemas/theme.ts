import { z } from 'zod';

const brandColor = z.string().regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/, 'must be a hex colour like #0f766e');
/** A font-family list; only letters, digits, spaces, commas, quotes and hyphens. */
const font = z
  .string()
  .max(200)
  .regex(/^[\w\s,'"-]*$/, 'may contain only font names, commas and quotes');
const radius = z.number().int().min(0).max(24);
const mode = z.enum(['light', 'dark', 'auto']);
/** Light, dark, or `auto`: the user's system setting. */
export type Mode = z.infer<typeof mode>;

/**
 * A workspace's look, applied by the widget as CSS custom properties inside its shadow root.
 * Colours are hex so that nothing from content can smuggle CSS (`url(...)`, `;`) into a stylesheet.
 */
export const theme = z.object({
  brandColor: brandColor.default('#4f46e5'),
  font: font.default('system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'),
  radius: radius.default(12),
  mode: mode.default('auto'),
});
/**
 * What a survey changes of the workspace's theme: only the values given (`theme.partial()` would
 * fill in the defaults, and override the workspace's choices with them).
 */
export const themeOverrides = z.object({ brandColor, font, radius, mode }).partial();
export type Theme = z.infer<typeof theme>;

/**
 * A theme as the server delivers it to the widget (shared/delivered-theme.ts): complete and checked,
 * with the colour of text on brand-coloured buttons worked out, so that the widget applies it as is.
 */
export const deliveredTheme = theme.extend({ onBrand: z.enum(['#fff', '#000']) });
export type DeliveredTheme = z.infer<typeof deliveredTheme>;
