import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import {
  compare,
  globMatches,
  globSource,
  lookup,
  matchesFilters,
  matchesPage,
  matchesTraits,
  matchesUrl,
  regexInputLimit,
} from '../../shared/conditions.ts';
import { audience, type Comparison, propertyFilter, urlRule } from '../../shared/schemas/condition.ts';

const now = Date.parse('2026-11-23T12:00:00.000Z');

describe('compare: every operator', () => {
  const cases: Array<[Comparison, unknown, boolean]> = [
    [{ op: 'equals', value: 'pro' }, 'pro', true],
    [{ op: 'equals', value: 'pro' }, 'Pro', false],
    [{ op: 'equals', value: 42 }, '42', true],
    [{ op: 'equals', value: 42 }, 43, false],
    [{ op: 'equals', value: true }, true, true],
    [{ op: 'equals', value: 'x' }, undefined, false],
    [{ op: 'notEquals', value: 'pro' }, 'free', true],
    [{ op: 'notEquals', value: 'pro' }, undefined, true],
    [{ op: 'notEquals', value: 'pro' }, 'pro', false],
    [{ op: 'contains', value: 'ACME' }, 'team@acme.com', true],
    [{ op: 'contains', value: 'beta' }, ['alpha', 'beta'], true],
    [{ op: 'contains', value: 'x' }, 12, false],
    [{ op: 'gt', value: 10 }, 11, true],
    [{ op: 'gt', value: 10 }, '10.5', true],
    [{ op: 'gt', value: 10 }, 10, false],
    [{ op: 'gt', value: 10 }, 'ten', false],
    [{ op: 'lt', value: 10 }, 9, true],
    [{ op: 'lt', value: 10 }, null, false],
    [{ op: 'before', value: '2026-01-01' }, '2025-12-31T23:00:00Z', true],
    [{ op: 'before', value: { daysAgo: 30 } }, '2026-10-01T00:00:00Z', true],
    [{ op: 'before', value: { daysAgo: 30 } }, '2026-11-01T00:00:00Z', false],
    [{ op: 'after', value: '2026-01-01T00:00:00Z' }, Date.parse('2026-02-01T00:00:00Z'), true],
    [{ op: 'after', value: '2026-01-01T00:00:00Z' }, 'not a date', false],
    [{ op: 'exists' }, 0, true],
    [{ op: 'exists' }, null, false],
    [{ op: 'notExists' }, undefined, true],
    [{ op: 'in', value: ['pro', 'team'] }, 'team', true],
    [{ op: 'in', value: [1, 2] }, '2', true],
    [{ op: 'in', value: ['pro'] }, undefined, false],
    [{ op: 'notIn', value: ['pro'] }, 'free', true],
    [{ op: 'notIn', value: ['pro'] }, 'pro', false],
  ];
  it.each(cases)('%j on %j is %s', (comparison, value, expected) => {
    expect(compare(value, comparison, now)).toBe(expected);
  });

  it('treats an unknown operator (a future or malformed rule) as false, never throws', () => {
    expect(compare('x', { op: 'matches' } as unknown as Comparison, now)).toBe(false);
  });
});

describe('lookup, filters and audiences', () => {
  it('reads dotted paths, preferring an exact key', () => {
    expect(lookup({ plan: { tier: 'gold' } }, 'plan.tier')).toBe('gold');
    expect(lookup({ 'plan.tier': 'flat', plan: { tier: 'gold' } }, 'plan.tier')).toBe('flat');
    expect(lookup(null, 'x')).toBeUndefined();
    expect(lookup({ a: 'text' }, 'a.b')).toBeUndefined();
  });

  it('reads own properties only: inherited names are nobody’s traits (issue 10)', () => {
    const everyone = audience.parse({ conditions: [{ on: 'user', trait: 'constructor', op: 'exists' }] });
    expect(matchesTraits(everyone, { user: {}, account: {} }, now)).toBe(false);
    expect(matchesTraits(everyone, { user: { constructor: 'Ada' }, account: {} }, now)).toBe(true);
    expect(lookup({}, 'toString')).toBeUndefined();
    expect(lookup({ plan: {} }, 'plan.constructor.name')).toBeUndefined();
    expect(lookup({ plan: { tier: 'gold' } }, 'plan.tier.length')).toBeUndefined();
    expect(lookup({ tags: ['a', 'b'] }, 'tags.1')).toBe('b');
  });

  it('combines property filters with AND', () => {
    const filters = [
      { property: 'amount', op: 'gt', value: 100 },
      { property: 'currency', op: 'equals', value: 'EUR' },
    ] as const;
    expect(matchesFilters({ amount: 150, currency: 'EUR' }, [...filters], now)).toBe(true);
    expect(matchesFilters({ amount: 150, currency: 'USD' }, [...filters], now)).toBe(false);
    expect(matchesFilters(undefined, [], now)).toBe(true);
  });

  it('matches user and account traits with all or any', () => {
    const all = audience.parse({
      conditions: [
        { on: 'account', trait: 'plan', op: 'equals', value: 'pro' },
        { on: 'user', trait: 'createdAt', op: 'before', value: { daysAgo: 30 } },
      ],
    });
    const traits = { user: { createdAt: '2026-09-01T00:00:00Z' }, account: { plan: 'pro' } };
    expect(matchesTraits(all, traits, now)).toBe(true);
    expect(matchesTraits(all, { ...traits, account: { plan: 'free' } }, now)).toBe(false);
    expect(matchesTraits({ ...all, match: 'any' }, { ...traits, account: { plan: 'free' } }, now)).toBe(true);
    expect(matchesTraits(audience.parse({}), { user: null, account: null }, now)).toBe(true);
  });

  it('rejects malformed rules with the field path', () => {
    const bad = propertyFilter.safeParse({ property: '', op: 'gt', value: 'ten' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('/'))).toEqual(
      expect.arrayContaining(['property', 'value']),
    );
    expect(
      propertyFilter.safeParse({ property: 'a', op: 'between', value: 1 }).error?.issues[0]?.path,
    ).toEqual(['op']);
    expect(urlRule.safeParse({ match: 'regex', pattern: '([' }).error?.issues[0]?.path).toEqual(['pattern']);
    expect(audience.safeParse({ match: 'some' }).success).toBe(false);
  });
});

const rule = (match: 'exact' | 'prefix' | 'glob' | 'regex', pattern: string, withQuery = false) =>
  urlRule.parse({ match, pattern, withQuery });

describe('URL rules', () => {
  it.each([
    [rule('exact', '/invoices'), '/invoices/', '', true],
    [rule('exact', '/invoices'), '/invoices/new', '', false],
    [rule('prefix', '/settings'), '/settings/bank', '', true],
    [rule('glob', '/invoices/*'), '/invoices/inv_1', '', true],
    [rule('glob', '/invoices/*'), '/invoices/inv_1/edit', '', false],
    [rule('glob', '/invoices/**'), '/invoices/inv_1/edit', '', true],
    [rule('glob', '/a.b'), '/aXb', '', false],
    [rule('glob', '/invoices/'), '/invoices', '', true],
    [rule('glob', '/invoices/*', true), '/invoices/inv_1', '?tab=2', false],
    [rule('glob', '/invoices/**', true), '/invoices/inv_1', '?tab=2', true],
    [rule('glob', '/**/edit'), '/invoices/inv_1/edit', '', true],
    [rule('glob', '/**/edit'), '/invoices/inv_1/edit/more', '', false],
    [rule('regex', '^/invoices/inv_\\d+$'), '/invoices/inv_12', '', true],
    [rule('exact', '/invoices?status=draft', true), '/invoices', '?status=draft', true],
    [rule('exact', '/invoices?status=draft', true), '/invoices', '?status=paid', false],
  ])('%j on %s%s is %s', (r, path, search, expected) => {
    expect(matchesUrl(r, path, search)).toBe(expected);
  });

  it('applies include and exclude rules together', () => {
    const rules = { urls: [rule('prefix', '/app')], excludeUrls: [rule('prefix', '/app/settings')] };
    expect(matchesPage(rules, '/app/home')).toBe(true);
    expect(matchesPage(rules, '/app/settings/bank')).toBe(false);
    expect(matchesPage(rules, '/marketing')).toBe(false);
    expect(matchesPage({ urls: [], excludeUrls: [] }, '/anything')).toBe(true);
  });
});

describe('globs: linear-time matching', () => {
  // The glob matcher replaced `new RegExp(globSource(glob))`; on globs and paths without line
  // breaks (which a URL's path never has) both must answer alike.
  const globs = [
    '/invoices/*',
    '/invoices/**',
    '/invoices/*/edit',
    '/**/edit',
    '/*',
    '/**',
    '*',
    '**',
    '/a*b*c',
    '/***',
    '/x**y*z',
    '/a.b(c)+[d]{2}^$|\\?',
    '/invoices?tab=*',
    '',
  ];
  const paths = [
    '',
    '/',
    '/invoices',
    '/invoices/inv_1',
    '/invoices/inv_1/edit',
    '/invoices/?tab=2',
    '/invoices?tab=2',
    '/invoices?tab=2/3',
    '/abc',
    '/aXbYc',
    '/a/b/c',
    '/xyz',
    '/x/1/y2z',
    '/x/y/z',
    '/a.b(c)+[d]{2}^$|\\?',
    '/a.b(c)+[d]{2}^$|\\',
    '**',
  ];
  const cases = globs.flatMap((glob) => paths.map((path) => [glob, path] as const));
  it.each(cases)('%j on %j answers as its RegExp does', (glob, path) => {
    expect(globMatches(glob, path)).toBe(new RegExp(globSource(glob)).test(path));
  });

  it('answers these by hand', () => {
    expect(globMatches('/invoices/*', '/invoices/inv_1')).toBe(true);
    expect(globMatches('/invoices/*', '/invoices/inv_1/edit')).toBe(false);
    expect(globMatches('/invoices/*', '/invoices/?tab=2')).toBe(false);
    expect(globMatches('/**a**a**a**b', `/${'a'.repeat(500)}b`)).toBe(true);
    expect(globMatches('/a*', '/a')).toBe(true);
    expect(globMatches('/a', '/a/')).toBe(false);
  });

  it('matches twelve `**a` against a 500-character path in well under a second (124 s as a RegExp)', () => {
    const started = performance.now();
    expect(globMatches(`/${'**a'.repeat(12)}b`, `/${'a'.repeat(500)}`)).toBe(false);
    expect(globMatches(`/${'**a'.repeat(12)}`, `/${'a'.repeat(500)}`)).toBe(true);
    expect(globMatches(`/${'*a'.repeat(12)}b`, `/${'a'.repeat(500)}`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("and the server's SQL REGEXP (libSQL's linear engine) runs their RegExp source as fast", async () => {
    // libSQL's REGEXP is Rust's regex crate: no backtracking. Checked here because globs reach SQL
    // as `globSource` (server/goals/compile.ts), where a backtracking engine would be a denial of service.
    const db = createClient({ url: ':memory:' });
    const started = performance.now();
    const result = await db.execute({
      sql: `SELECT ('/' || printf('%.500c', 'a')) REGEXP ? AS no, ('/' || printf('%.500c', 'a')) REGEXP ? AS yes`,
      args: [globSource(`/${'**a'.repeat(12)}b`), globSource(`/${'**a'.repeat(12)}`)],
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.rows[0]).toMatchObject({ no: 0, yes: 1 });
    db.close();
  });
});

describe('regex rules: refused when they could freeze a browser', () => {
  const check = (pattern: string) => urlRule.safeParse({ match: 'regex', pattern });

  it.each([
    ['^/(a+)+$', 'repeats a group'],
    ['^/(a|a)*$', 'repeats a group'],
    ['^/(\\w+\\s?)*$', 'repeats a group'],
    ['^/((ab)*c)+$', 'repeats a group'],
    ['^/(?:a|b){2,}$', 'repeats a group'],
    ['^/(a+){3}$', 'repeats a group'],
    ['^/(a)\\1$', 'uses a backreference'],
    ['^/(?<x>a)\\k<x>$', 'uses a backreference'],
    ['^/(?=a)a$', 'uses a lookahead or lookbehind'],
    ['^/(?!b)a$', 'uses a lookahead or lookbehind'],
    ['^/(?<=a)b$', 'uses a lookahead or lookbehind'],
    ['^/(?<!a)b$', 'uses a lookahead or lookbehind'],
    // Polynomial: three open-ended repeats, or two without `^` (tried at every position).
    ['^/a*a*a*b$', 'could take too long'],
    ['/.*/.*=', 'could take too long'],
    ['\\d+\\d+x', 'could take too long'],
    ['.*/settings/.*', 'could take too long'],
    ['^/a{0,900}a{0,900}a{0,900}b', 'could take too long'],
    // Exponential in the pattern's own length: a chain of choices.
    [`^${'a?'.repeat(11)}${'a'.repeat(11)}$`, 'could take too long'],
    [`^${'(a|a)'.repeat(11)}b`, 'could take too long'],
  ])('%s is refused at /pattern, with a reason an author can act on', (pattern, reason) => {
    const result = check(pattern);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual(['pattern']);
    expect(result.error?.issues[0]?.message).toContain(reason);
    expect(result.error?.issues[0]?.message).toContain('or use a glob (* within a segment, ** across)');
  });

  it.each([
    '^/invoices/[^/]+/edit$',
    '^/(invoices|bills)/\\d+$',
    '^/settings(/.*)?$',
    '^/projects/[^/]+/tasks/[^/]+/?$',
    '/invoices/\\d+',
    '^.*/settings/.*',
    '^/(en|fr|de)?/pricing/?$',
    '^/report/\\d{4}-\\d{2}(-\\d{2})?$',
    '^/[a-z]{2}/blog/[^/]+$',
    '[(|)*+?{}\\]]+x',
    '^/(?:x|y)?/a\\(b\\)\\{2\\}/?$',
    '\\?tab=(billing|team)',
  ])('%s is accepted', (pattern) => {
    expect(check(pattern).success).toBe(true);
  });

  it('reads brackets, escapes and literal braces as the engine does', () => {
    // Inside a class, `(`, `|` and `*` are characters: no group, no choice, no repeat.
    expect(check('^[(a+)+]+$').success).toBe(true);
    // `a{` and `a{x}` are literal braces without the `u` flag, so `(a+){` repeats nothing.
    expect(check('^/(a+){x}$').success).toBe(true);
    // An escaped `(` is no group: `\(a+\)+` repeats only `\)`.
    expect(check('^/\\(a+\\)+$').success).toBe(true);
    expect(check('^/\\((a+)\\)+$').success).toBe(true);
    expect(check('^/(\\(a+\\))+$').success).toBe(false);
  });

  it('the worst accepted patterns finish quickly on the longest text the widget tests', () => {
    const long = 'a'.repeat(regexInputLimit);
    const worst = ['^a*a*a{0,3}b', '^.*(?:a|a|a|a).*b', '.*.{0,3}b', `^${'a?'.repeat(9)}.*${'a'.repeat(9)}b`];
    for (const pattern of worst) {
      expect(check(pattern).success, pattern).toBe(true);
      const started = performance.now();
      expect(new RegExp(pattern).test(long)).toBe(false);
      expect(performance.now() - started, pattern).toBeLessThan(1000);
    }
  });

  it('is tested against the first 1,000 characters of an address', () => {
    const tail = rule('regex', 'x$');
    expect(matchesUrl(tail, `/${'a'.repeat(998)}x`)).toBe(true);
    expect(matchesUrl(tail, `/${'a'.repeat(999)}x`)).toBe(false);
  });
});
