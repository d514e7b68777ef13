import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Lets the page's and the widget's animations (opacity, transitions) finish, so screenshots and axe see final colours.
 * A shadow root keeps its own list: document.getAnimations() leaves it out in Chromium.
 */
export const settled = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('waymark-widget')?.shadowRoot;
    const running = [...document.getAnimations(), ...(root?.getAnimations() ?? [])];
    // A cancelled animation (a theme switched mid-transition) rejects `finished`: nothing left to wait for.
    return Promise.all(running.map((animation) => animation.finished.catch(() => undefined)));
  });

/**
 * axe-core on the widget: `include('waymark-widget')` takes its shadow tree in (axe reports such
 * nodes as [host, selector-in-shadow-root]). Returns the violations, after checking that axe did look
 * inside (each of `rules` passed on a widget node), and that what it left undecided is only the
 * contrast of text over a floating panel or card, which is then measured here: axe compares the
 * stacks of elements under each line of a text, and over a floating element those differ line by
 * line (the page's own elements), so it gives up ("partially overlaps other elements") although the
 * element's opaque background is all there is behind the text.
 */
export async function widgetViolations(page: Page, rules: readonly string[]) {
  await settled(page);
  const results = await new AxeBuilder({ page }).include('waymark-widget').analyze();
  // With a spotlight on the page too there are two hosts, which axe tells apart (`waymark-widget:nth-child(9)`).
  const inWidget = ([first]: readonly unknown[]) =>
    Array.isArray(first) && String(first[0]).startsWith('waymark-widget');
  const looked = results.passes.filter((rule) => rule.nodes.some((node) => inWidget(node.target)));
  expect(looked.map((rule) => rule.id)).toEqual(expect.arrayContaining([...rules]));
  for (const rule of results.incomplete) {
    expect(rule.id).toBe('color-contrast');
    for (const node of rule.nodes) {
      const [host, selector] = node.target[0] as unknown as [string, string];
      expect(host).toMatch(/^waymark-widget/);
      expect(await contrastInWidget(page, selector, host), selector).toBeGreaterThanOrEqual(4.5);
    }
  }
  return results.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target) }));
}

/** WCAG contrast of an element's text against the first opaque background behind it, in the shadow tree. */
export function contrastInWidget(page: Page, selector: string, host = 'waymark-widget'): Promise<number> {
  return page.evaluate(
    ([sel, hostSelector]) => {
      const element = document.querySelector(hostSelector)?.shadowRoot?.querySelector(sel);
      if (!element) throw new Error(`no ${sel} in the widget`);
      const rgba = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
        const [lr, lg, lb] = [r, g, b].map((c) => {
          const s = c / 255;
          return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        }) as [number, number, number];
        return 0.2126 * lr + 0.7152 * lg + 0.0722 * lb;
      };
      let behind: Element | null = element;
      while (behind && (rgba(getComputedStyle(behind).backgroundColor)[3] ?? 1) < 1)
        behind = behind.parentElement;
      if (!behind) throw new Error(`nothing opaque behind ${sel}`);
      const [fg, bg] = [
        luminance(rgba(getComputedStyle(element).color)),
        luminance(rgba(getComputedStyle(behind).backgroundColor)),
      ];
      return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    },
    [selector, host] as const,
  );
}
