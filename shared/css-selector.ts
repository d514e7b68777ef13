import { isTraversal, parse } from 'css-what';

/**
 * Why a selector is not one the widget's `querySelectorAll` would take, or null when it parses.
 * Checked by a CSS selector parser (css-what) when a spotlight is saved, and by the console's tour
 * builder as the author types: the widget's bundle does not import it and stays as it is, and a
 * broken selector is refused instead of failing silently in users' browsers.
 * A selector list whose part starts or ends with a combinator (`> a`, `a >`) is refused too: css-what
 * reads those as relative selectors (for `:has()`), which `querySelectorAll` does not take.
 *
 * @example
 * selectorProblem('[data-tour="export"]') // null
 * selectorProblem('div[') // 'must be a valid CSS selector (Expected name, found )'
 */
export function selectorProblem(selector: string): string | null {
  let list: ReturnType<typeof parse>;
  try {
    list = parse(selector);
  } catch (error) {
    return `must be a valid CSS selector (${error instanceof Error ? error.message : String(error)})`;
  }
  for (const tokens of list) {
    const first = tokens[0];
    const last = tokens.at(-1);
    if (!first || !last) return 'must be a valid CSS selector (an empty part)';
    if (isTraversal(first) || isTraversal(last))
      return 'must be a valid CSS selector (it starts or ends with a combinator)';
  }
  return null;
}
