import { describe, expect, it } from 'vitest';
import {
  compare,
  lookup,
  matchesFilters,
  matchesPage,
  matchesTraits,
  matchesUrl,
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

describe('URL rules', () => {
  const rule = (match: 'exact' | 'prefix' | 'glob' | 'regex', pattern: string, withQuery = false) =>
    urlRule.parse({ match, pattern, withQuery });
  it.each([
    [rule('exact', '/invoices'), '/invoices/', '', true],
    [rule('exact', '/invoices'), '/invoices/new', '', false],
    [rule('prefix', '/settings'), '/settings/bank', '', true],
    [rule('glob', '/invoices/*'), '/invoices/inv_1', '', true],
    [rule('glob', '/invoices/*'), '/invoices/inv_1/edit', '', false],
    [rule('glob', '/invoices/**'), '/invoices/inv_1/edit', '', true],
    [rule('glob', '/a.b'), '/aXb', '', false],
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
