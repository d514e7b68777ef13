import { regexInputLimit } from './conditions.ts';

/**
 * The authoring check on a URL rule's regular expression: it runs in every end user's browser, whose
 * engine backtracks (`^/(a+)+$` took 1.1 s on 28 characters), so a pattern is refused unless its
 * worst case is small for an address of `regexInputLimit` characters. Deterministic and
 * conservative: it reads the pattern's structure and never runs it.
 *
 * - Backreferences and lookarounds are refused outright: their cost has no simple bound.
 * - A repeated group (`*`, `+`, `{n,m}` with m > 1) must not itself contain a repetition or a choice
 *   (`(a+)+`, `(a|b)*`): exponential.
 * - Every other pattern's worst case is estimated as the number of ways it can try to match: each
 *   open-ended repeat (`*`, `+`, `{n,}`) may take any of `regexInputLimit` lengths, a bounded one
 *   `{n,m}` m - n + 1, `?` two, an alternation the sum of its branches, and a pattern not anchored
 *   with `^` is tried at every position. Over `regexWayBudget` is refused (polynomial blow-up:
 *   `a*a*a*b` took 39 s on 500 characters). A chain of choices (`a?a?a?…`, `(a|b)(c|d)…`) costs
 *   more per way than a repeat over a character class, so choices have their own bound,
 *   `regexChoiceBudget`. In practice: at most two open-ended repeats after `^`, one without, and a
 *   few choices. The worst patterns accepted take some 25 ms on 1,000 characters (V8, measured).
 *
 * safe-regex2 (star height and a repeat count) misses the polynomial and the alternation cases, and
 * a general checker such as recheck decides by search with a time limit; this walk is enough for
 * the small patterns URL rules need.
 */

/** The most ways a pattern may have to try (see `regexHazard`). */
export const regexWayBudget = 4_000_000;

/** The most combinations of choices (`?`, `|`, and any repeat counted as two) a pattern may have. */
export const regexChoiceBudget = 1024;

const glob = 'or use a glob (* within a segment, ** across)';
const nested = `repeats a group that itself contains a repetition or a choice, like (a+)+ or (a|b)*, which can freeze a browser: repeat a character class instead, like [ab]*, ${glob}`;
const backreference = `uses a backreference (like \\1 or \\k<name>), which can take exponential time in a browser: spell the text out, ${glob}`;
const lookaround = `uses a lookahead or lookbehind ((?=, (?!, (?<=, (?<!), whose time has no simple bound in a browser: match the text itself, ${glob}`;
const slow = `could take too long to match a long address in a browser: start it with ^, use fewer open-ended repeats (*, +, {n,}: at most two after ^, one without) and fewer choices (?, |), ${glob}`;

/**
 * Why `pattern` could freeze an end user's browser, as a message for its author, or null when it
 * cannot. `pattern` must already be a valid JavaScript regular expression (without flags).
 *
 * @example
 * regexHazard('^/invoices/[^/]+/edit$') // null
 * regexHazard('^/(a+)+$') // 'repeats a group that itself contains a repetition or a choice, …'
 */
export function regexHazard(pattern: string): string | null {
  const { ways, hazard } = walk(pattern, regexInputLimit, regexInputLimit);
  if (hazard) return hazard;
  // Each repeat as one choice of two, each alternation by its branches: a chain of choices such as
  // `a?a?a?…` costs more per way than a repeat over a character class, so it has its own bound.
  if (ways > regexWayBudget || walk(pattern, 2, 1).ways > regexChoiceBudget) return slow;
  return null;
}

/**
 * The ways `pattern` can try to match, a repeat counting for at most `lengths` of its lengths and an
 * alternative not anchored with `^` for `starts` start positions; and the first structural hazard.
 */
function walk(pattern: string, lengths: number, starts: number): { ways: number; hazard: string | null } {
  let at = 0;
  let hazard: string | null = null;

  /** The ways of the alternatives from `at` to the `)` that ends their group (or the end). */
  const alternatives = (top: boolean): number => {
    let total = 0;
    let before = 1; // ways of the current alternative up to its last atom
    let atom = 1; // ways of its last atom, which a quantifier may multiply
    // At the top level, an alternative that does not start with `^` is tried at every position.
    let tries = top && pattern[at] !== '^' ? starts : 1;
    while (at < pattern.length && pattern[at] !== ')') {
      const rest = pattern.slice(at);
      // In a pattern without the `u` flag, `{` is a quantifier only when a whole one follows.
      const quantifier = /^(?:([*+?])|\{(\d+)(,(\d*))?\})\??/.exec(rest);
      if (quantifier) {
        const [all, sign, low = '0', comma, high] = quantifier;
        const min = sign === '+' ? 1 : Number(low);
        const max =
          sign === '?' ? 1 : sign || (comma && !high) ? Number.POSITIVE_INFINITY : Number(high ?? low);
        if (atom > 1 && max > 1) hazard ??= nested;
        atom *= Math.min(max - min + 1, lengths);
        at += all.length;
        continue;
      }
      before *= atom;
      atom = 1;
      if (rest[0] === '|') {
        total += before * tries;
        before = 1;
        at++;
        tries = top && pattern[at] !== '^' ? starts : 1;
      } else if (rest[0] === '\\') {
        // `\1` to `\9` and `\k<name>`; in a pattern without groups `\1` is an octal escape, refused
        // all the same, as it reads like a backreference.
        if (/^\\[1-9k]/.test(rest)) hazard ??= backreference;
        at += 2;
      } else if (rest[0] === '[') {
        // A class is one character, whatever it holds; `]` right after `[` or `[^` closes it (`[]`, `[^]`).
        at += rest[1] === '^' ? 2 : 1;
        while (at < pattern.length && pattern[at] !== ']') at += pattern[at] === '\\' ? 2 : 1;
        at++;
      } else if (rest[0] === '(') {
        if (/^\(\?<?[=!]/.test(rest)) hazard ??= lookaround;
        // `(`, `(?:`, `(?<name>`, a lookaround, or modifiers such as `(?i:`.
        at += /^\((?:\?(?:<?[=!]|<[^>]*>|[-a-z]*:))?/.exec(rest)![0].length;
        atom = alternatives(false);
        at++; // the `)`
      } else {
        at++;
      }
    }
    return total + before * atom * tries;
  };

  return { ways: alternatives(true), hazard };
}
