import { regexHazard } from '../../shared/regex-hazard.ts';
import type { UrlRule } from '../../shared/schemas/condition.ts';

/**
 * Whether a URL rule may go to end users' browsers: anything but a regex that could freeze them
 * (shared/regex-hazard.ts decides) or that is no regular expression at all. Rules are checked when
 * they are saved; this guards content published before that check existed.
 *
 * @example
 * isSafeRule({ match: 'regex', pattern: '^/(a+)+$', withQuery: false }) // false
 */
export function isSafeRule(rule: UrlRule): boolean {
  if (rule.match !== 'regex') return true;
  // Published content is parsed once and shared by every request (content/versioned.ts): each of
  // its rules is judged once too.
  let safe = verdicts.get(rule);
  if (safe === undefined) {
    safe = compiles(rule.pattern) && regexHazard(rule.pattern) === null;
    verdicts.set(rule, safe);
  }
  return safe;
}

const verdicts = new WeakMap<UrlRule, boolean>();

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * An audience's URL rules as they may leave the server, or null when the content must not be shown.
 * A hazardous rule is dropped and taken to match no page: as an include rule it never lets the
 * content show (so content whose include rules are all hazardous shows nowhere), and as an exclude
 * rule it cannot tell where to exclude, so the content is excluded everywhere.
 *
 * @example
 * deliverableUrls({ urls: [{ match: 'regex', pattern: '^/(a+)+$', withQuery: false }], excludeUrls: [] }) // null
 */
export function deliverableUrls(audience: {
  urls: readonly UrlRule[];
  excludeUrls: readonly UrlRule[];
}): { urls: UrlRule[]; excludeUrls: UrlRule[] } | null {
  if (!audience.excludeUrls.every(isSafeRule)) return null;
  const urls = audience.urls.filter(isSafeRule);
  if (urls.length === 0 && audience.urls.length > 0) return null;
  return { urls, excludeUrls: [...audience.excludeUrls] };
}
