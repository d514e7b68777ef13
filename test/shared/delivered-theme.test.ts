import { describe, expect, it } from 'vitest';
import { deliverTheme, luminance } from '../../shared/delivered-theme.ts';

describe('the delivered theme', () => {
  it('fills in the defaults', () => {
    expect(deliverTheme({})).toEqual({
      brandColor: '#4f46e5',
      onBrand: '#fff',
      font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      radius: 12,
      mode: 'auto',
    });
  });

  it('puts a survey’s overrides over the workspace’s theme', () => {
    const workspace = { brandColor: '#0f766e', font: 'Inter, sans-serif', radius: 4, mode: 'light' as const };
    expect(deliverTheme(workspace, { brandColor: '#fde047', mode: 'dark' })).toEqual({
      brandColor: '#fde047',
      onBrand: '#000',
      font: 'Inter, sans-serif',
      radius: 4,
      mode: 'dark',
    });
  });

  it('writes black or white on the brand colour, whichever contrasts more (WCAG 2)', () => {
    // #777: each channel 0x77 / 255 = 0.4667, linear ((0.4667 + 0.055) / 1.055) ^ 2.4 = 0.1845;
    // white on it 1.05 / 0.2345 = 4.48:1, black 0.2345 / 0.05 = 4.69:1.
    expect(luminance('#777')).toBeCloseTo(0.1845, 4);
    expect(deliverTheme({ brandColor: '#777' }).onBrand).toBe('#000');
    // One step darker, #757575: 0.4588 gives 0.1779; white 1.05 / 0.2279 = 4.61:1, black 4.56:1.
    expect(luminance('#757575')).toBeCloseTo(0.1779, 4);
    expect(deliverTheme({ brandColor: '#757575' }).onBrand).toBe('#fff');
    expect(deliverTheme({ brandColor: '#FDE047' }).onBrand).toBe('#000');
    expect(deliverTheme({ brandColor: '#000' }).onBrand).toBe('#fff');
    expect(deliverTheme({ brandColor: '#fff' }).onBrand).toBe('#000');
  });

  it('refuses what the theme schema refuses', () => {
    expect(() => deliverTheme({ brandColor: 'red; background: url(x)' })).toThrow();
  });
});
