import type { Audience, Comparison, PropertyFilter, TraitCondition, UrlRule } from './schemas/condition.ts';

/**
 * Evaluation of the shared condition schemas, used by the widget (URL rules, local ticks) and the
 * server (audiences, event filters). Pure functions, no dependencies: the widget bundles what it uses.
 * Malformed input never throws: a condition that cannot be evaluated is false.
 */

const dayMs = 86_400_000;
type Bag = Record<string, unknown> | null | undefined;

/**
 * `a.b.c` in a bag of properties or traits; an exact key with dots wins over a path. Own properties
 * only, at every level: an inherited name (`constructor`, `toString`) is no trait of anybody's.
 *
 * @example
 * lookup({ plan: { name: 'pro' } }, 'plan.name') // 'pro'
 * lookup({}, 'constructor') // undefined
 */
export function lookup(bag: Bag, path: string): unknown {
  if (own(bag, path)) return bag[path];
  let value: unknown = bag;
  for (const part of path.split('.')) value = own(value, part) ? value[part] : undefined;
  return value;
}

const own = (value: unknown, key: string): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && Object.hasOwn(value, key);

/** `value` if it is a finite number (Number.isFinite converts nothing: a string is not one), else null. */
const finite = (value: unknown): number | null => (Number.isFinite(value) ? (value as number) : null);

/** A number, or its decimal string (not a blank one: `Number('')` is 0). */
const asNumber = (value: unknown): number | null =>
  finite(typeof value === 'string' && value.trim() !== '' ? Number(value) : value);

/** Dates are epoch milliseconds or ISO 8601 strings (`2026-11-23`, `2026-11-23T10:00:00Z`). */
export const asTime = (value: unknown): number | null =>
  finite(typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : value);

/** Equal as scalars, where a number equals its decimal string (`"42"` and `42`). */
const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  const x = asNumber(a);
  return x !== null && x === asNumber(b) && (typeof a === 'string' || typeof b === 'string');
};

/** Whether `value` passes `comparison`; `now` anchors `{daysAgo}`. */
export function compare(value: unknown, comparison: Comparison, now: number): boolean {
  const present = value !== undefined && value !== null;
  switch (comparison.op) {
    case 'exists':
      return present;
    case 'notExists':
      return !present;
    case 'equals':
      return present && same(value, comparison.value);
    case 'notEquals':
      return !present || !same(value, comparison.value);
    case 'contains': {
      if (Array.isArray(value)) return value.some((v) => same(v, comparison.value));
      return typeof value === 'string' && value.toLowerCase().includes(comparison.value.toLowerCase());
    }
    case 'gt':
    case 'lt': {
      const n = asNumber(value);
      if (n === null) return false;
      return comparison.op === 'gt' ? n > comparison.value : n < comparison.value;
    }
    case 'before':
    case 'after': {
      const t = asTime(value);
      const bound =
        typeof comparison.value === 'object'
          ? now - comparison.value.daysAgo * dayMs
          : asTime(comparison.value);
      if (t === null || bound === null) return false;
      return comparison.op === 'before' ? t < bound : t > bound;
    }
    case 'in':
      return present && comparison.value.some((v) => same(value, v));
    case 'notIn':
      return !present || !comparison.value.some((v) => same(value, v));
    default:
      return false;
  }
}

export function matchesFilters(properties: Bag, filters: readonly PropertyFilter[], now: number): boolean {
  return filters.every((filter) => compare(lookup(properties, filter.property), filter, now));
}

export function matchesTraits(
  audience: Pick<Audience, 'match' | 'conditions'>,
  traits: { user: Bag; account: Bag },
  now: number,
): boolean {
  if (audience.conditions.length === 0) return true;
  const test = (condition: TraitCondition) =>
    compare(lookup(traits[condition.on], condition.trait), condition, now);
  return audience.match === 'any' ? audience.conditions.some(test) : audience.conditions.every(test);
}

/**
 * Glob to a regular expression source: `*` within a segment, `**` across segments, everything else
 * literal. For the server's SQL REGEXP, whose engine (Rust's regex crate, in libSQL) runs in time
 * linear in the text; JavaScript's backtracking RegExp does not, so the widget uses `globMatches`.
 *
 * @example globSource('/invoices/*') // '^/invoices/[^/?]*$'
 */
export function globSource(glob: string): string {
  // Left to right, as written: `***` is `**` then `*`.
  const source = glob.replace(/\*\*|\*|[.+?^${}()|[\]\\]/g, (part) =>
    part === '**' ? '.*' : part === '*' ? '[^/?]*' : `\\${part}`,
  );
  return `^${source}$`;
}

/**
 * Whether all of `text` matches a glob: `*` within a segment (not across `/` or `?`), `**` across,
 * every other character literal. The glob's positions are walked as a set of states, one character
 * of text at a time, never by backtracking: time grows with text length times glob length, so no
 * author's glob can freeze a page (as a RegExp, twelve `**a` took 124 s on a 500-character path).
 *
 * @example globMatches('/invoices/*', '/invoices/inv_1') // true
 */
export function globMatches(glob: string, text: string): boolean {
  // Left to right, as written: `***` is `**` then `*`.
  const tokens = glob.match(/\*\*?|./gs) ?? [];
  // states[i]: the text read so far is matched by the tokens before i.
  let states = [true];
  for (let at = 0; ; at++) {
    // A star may match nothing: a state before it is also a state after it.
    tokens.forEach((token, i) => {
      if (states[i] && token[0] === '*') states[i + 1] = true;
    });
    if (at === text.length) return !!states[tokens.length];
    const char = text[at];
    const next: boolean[] = [];
    tokens.forEach((token, i) => {
      if (!states[i]) return;
      if (token === '**' || (token === '*' && char !== '/' && char !== '?')) next[i] = true;
      else if (token === char) next[i + 1] = true;
    });
    states = next;
  }
}

/**
 * How much of a page's address a `regex` rule is tested against: the first 1,000 characters. The
 * authoring check (shared/regex-hazard.ts) bounds a pattern's worst case for a text this long.
 */
export const regexInputLimit = 1000;

/** `/invoices/` and `/invoices` are the same page. */
const trimSlash = (path: string): string =>
  path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;

/** Whether a page (path, and query string with its `?` or empty) passes a URL rule. */
export function matchesUrl(rule: UrlRule, path: string, search = ''): boolean {
  const target = trimSlash(path) + (rule.withQuery ? search : '');
  const page = rule.withQuery ? rule.pattern : trimSlash(rule.pattern);
  try {
    switch (rule.match) {
      case 'exact':
        return target === page;
      case 'prefix':
        return target.startsWith(rule.pattern);
      case 'glob':
        return globMatches(page, target);
      case 'regex':
        return new RegExp(rule.pattern).test(target.slice(0, regexInputLimit));
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/** The URL part of an audience: some `urls` rule matches (or there are none), no `excludeUrls` rule does. */
export function matchesPage(
  rules: { urls: readonly UrlRule[]; excludeUrls: readonly UrlRule[] },
  path: string,
  search = '',
): boolean {
  if (rules.excludeUrls.some((rule) => matchesUrl(rule, path, search))) return false;
  return rules.urls.length === 0 || rules.urls.some((rule) => matchesUrl(rule, path, search));
}
