import { z } from 'zod';

/**
 * A workspace's look, applied by the widget as CSS custom properties inside its shadow root.
 * Colours are hex so that nothing from content can smuggle CSS (`url(...)`, `;`) into a stylesheet.
 */
export const theme = z.object({
  brandColor: z
    .string()
    .regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/, 'must be a hex colour like #0f766e')
    .default('#4f46e5'),
  /** A font-family list; only letters, digits, spaces, commas, quotes and hyphens. */
  font: z
    .string()
    .max(200)
    .regex(/^[\w\s,'"-]*$/, 'may contain only font names, commas and quotes')
    .default('system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'),
  radius: z.number().int().min(0).max(24).default(12),
  mode: z.enum(['light', 'dark', 'auto']).default('auto'),
});
export type Theme = z.infer<typeof theme>;
