import { describe, expect, it } from 'vitest';
import { attributeChange, scoreAccount, topDrivers } from '../../server/health/score.ts';
import { defaultHealthModel, type HealthModelInput, healthModel } from '../../shared/schemas/health-model.ts';

// Every expected number below is worked out by hand from the README's formulas, not by the code.
const model = healthModel.parse(defaultHealthModel);

describe('health score (default model, hand-computed)', () => {
  // usage: activeSeats 0.65 -> 50, activeDays 10 -> 66.67, trend -15% -> 50: group 55.56
  // adoption: breadth 0.5 -> 75, core users 0.9 -> 100: group 87.5
  // onboarding: milestones 0.5 -> 50, TTV 10 days (healthy 7, poor 14) -> 57.14: group 53.57
  // sentiment: no NPS (redistributed); support: 3 tickets (healthy 1, poor 5) -> 50; commercial: current -> 100
  // overall = (30*55.556 + 20*87.5 + 15*53.571 + 10*50 + 10*100) / 85 = 5720.24 / 85 = 67.30
  const raw = {
    activeSeats: 0.65,
    activeDays: 10,
    usageTrend: -0.15,
    adoptionBreadth: 0.5,
    coreUsers: 0.9,
    milestonesReached: 0.5,
    timeToValue: 10,
    accountNps: null,
    openTickets: 3,
    paymentStatus: 'current',
  };
  const result = scoreAccount(model, raw, 'default');

  it('maps each raw value between its thresholds, and averages groups by weight', () => {
    const score = (id: string) => result.measures.find((m) => m.measure === id)?.score;
    expect(score('activeSeats')).toBeCloseTo(50, 6);
    expect(score('activeDays')).toBeCloseTo(66.6667, 3);
    expect(score('coreUsers')).toBe(100);
    expect(score('timeToValue')).toBeCloseTo(57.1429, 3);
    expect(score('accountNps')).toBeNull();
    const group = (key: string) => result.groups.find((g) => g.key === key);
    expect(group('usage')?.score).toBeCloseTo(55.5556, 3);
    expect(group('adoption')?.score).toBeCloseTo(87.5, 6);
    expect(group('onboarding')?.score).toBeCloseTo(53.5714, 3);
    expect(group('sentiment')?.score).toBeNull();
    expect(result.exact).toBeCloseTo(67.2969, 3);
    expect(result.score).toBe(67);
    expect(result.band).toBe('yellow');
  });

  it('redistributes missing weight and reports coverage', () => {
    expect(result.coverage).toBeCloseTo(0.85, 9);
    expect(result.groups.find((g) => g.key === 'usage')?.weight).toBeCloseTo(30 / 85, 9);
    expect(result.groups.find((g) => g.key === 'sentiment')?.weight).toBe(0);
    const total = result.measures.reduce((sum, m) => sum + m.weight, 0);
    expect(total).toBeCloseTo(1, 9);
  });

  it('names the drivers: impact = (100 - score) x weight, adding up to 100 - score', () => {
    const impact = (id: string) => result.measures.find((m) => m.measure === id)?.impact;
    expect(impact('activeSeats')).toBeCloseTo(50 * (10 / 85), 6); // 5.882
    expect(impact('activeDays')).toBeCloseTo((100 - 200 / 3) * (10 / 85), 6); // 3.922
    expect(impact('milestonesReached')).toBeCloseTo(50 * (7.5 / 85), 6); // 4.412
    expect(impact('paymentStatus')).toBe(0);
    const sum = result.measures.reduce((s, m) => s + m.impact, 0);
    expect(sum).toBeCloseTo(100 - 67.2969, 3);
    expect(topDrivers(result).map((m) => m.measure)).toEqual(['activeSeats', 'usageTrend', 'openTickets']);
  });

  it('attributes a change to the measures that moved: weight x score delta', () => {
    const then = scoreAccount(model, { ...raw, activeSeats: 0.5, openTickets: 5 }, 'default');
    const change = attributeChange(result, then);
    expect(change.map((c) => c.measure)).toEqual(['activeSeats', 'openTickets']);
    expect(change[0]!.points).toBeCloseTo(50 * (10 / 85), 6);
    expect(change[1]!.points).toBeCloseTo(50 * (10 / 85), 6);
    expect(change[0]).toMatchObject({ rawNow: 0.65, rawThen: 0.5, scoreNow: 50, scoreThen: 0 });
  });
});

describe('health score: caps, profiles, missing data', () => {
  const healthy = {
    activeSeats: 0.9,
    activeDays: 15,
    usageTrend: 0.1,
    adoptionBreadth: 0.8,
    coreUsers: 0.8,
    milestonesReached: 1,
    timeToValue: 3,
    accountNps: 60,
    openTickets: 0,
  };

  it('caps the band when a critical measure fails: payment failed is red whatever the score', () => {
    // Everything else scores 100; commercial (10 of 100) scores 0: overall 90, green, capped to red.
    const result = scoreAccount(model, { ...healthy, paymentStatus: 'failed' }, 'default');
    expect(result.score).toBe(90);
    expect(result.band).toBe('red');
    expect(result.cappedBy).toBe('paymentStatus');
    const pastDue = scoreAccount(model, { ...healthy, paymentStatus: 'past_due' }, 'default');
    expect(pastDue.score).toBe(93); // 90 + 10 * 0.25 = 92.5, rounded half up
    expect(pastDue.band).toBe('green');
    expect(pastDue.cappedBy).toBeNull();
  });

  it('weighs groups by the onboarding profile: onboarding 40, usage 30, adoption 15, support 10, sentiment 5', () => {
    // usage 100 (30), adoption 0 (15: breadth 0.1, core users 0.1), onboarding 50 (40: milestones 0.5 -> 50,
    // TTV 10.5 days -> 50), sentiment 100 (5), support 100 (10), commercial weight 0.
    // overall = (3000 + 0 + 2000 + 500 + 1000) / 100 = 65
    const result = scoreAccount(
      model,
      {
        ...healthy,
        adoptionBreadth: 0.1,
        coreUsers: 0.1,
        milestonesReached: 0.5,
        timeToValue: 10.5,
        paymentStatus: 'failed',
      },
      'onboarding',
    );
    expect(result.exact).toBeCloseTo(65, 9);
    expect(result.band).toBe('yellow');
    // Payment has no weight in this profile, so it neither scores nor caps.
    expect(result.cappedBy).toBeNull();
    expect(result.measures.find((m) => m.measure === 'paymentStatus')?.weight).toBe(0);
  });

  it('says "insufficient data" under half the weight with data', () => {
    // Only support (10 of 100 in the onboarding profile) has data: coverage 0.1.
    const result = scoreAccount(model, { openTickets: 0, paymentStatus: 'current' }, 'onboarding');
    expect(result.coverage).toBeCloseTo(0.1, 9);
    expect(result.band).toBe('insufficient');
    expect(result.score).toBeNull();
    expect(result.exact).toBe(100);
  });

  it('treats a missing value as neutral 50 or as 0 when the measure says so', () => {
    const custom = (missing: 'neutral' | 'zero') =>
      healthModel.parse({
        groups: [
          {
            key: 'usage',
            label: 'Usage',
            weight: 1,
            onboardingWeight: 1,
            measures: [
              { measure: 'activeDays', poor: 4, healthy: 13, missing },
              { measure: 'openTickets', poor: 5, healthy: 1 },
            ],
          },
        ],
      });
    // openTickets 3 -> 50; activeDays missing -> 50 or 0. Coverage 0.5: exactly the minimum, so scored.
    const neutral = scoreAccount(custom('neutral'), { openTickets: 3 }, 'default');
    expect(neutral.exact).toBe(50);
    expect(neutral.coverage).toBe(0.5);
    expect(neutral.band).toBe('red');
    expect(neutral.measures[0]).toMatchObject({ score: 50, hasData: false });
    expect(scoreAccount(custom('zero'), { openTickets: 3 }, 'default').exact).toBe(25);
  });

  it('scores an unreached value milestone past its deadline (Infinity days) as 0, and an unknown category as missing', () => {
    const result = scoreAccount(
      model,
      { timeToValue: Number.POSITIVE_INFINITY, paymentStatus: 'pending' },
      'default',
    );
    expect(result.measures.find((m) => m.measure === 'timeToValue')?.score).toBe(0);
    expect(result.measures.find((m) => m.measure === 'paymentStatus')?.hasData).toBe(false);
  });
});

describe('health model validation', () => {
  const issues = (input: HealthModelInput) => {
    const parsed = healthModel.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const withUsage = (measures: unknown) =>
    ({
      ...defaultHealthModel,
      groups: [{ ...defaultHealthModel.groups[0]!, measures }, ...defaultHealthModel.groups.slice(1)],
    }) as HealthModelInput;

  it('accepts the shipped model', () => {
    expect(issues(defaultHealthModel)).toEqual([]);
  });

  it('rejects thresholds out of order for the way the measure is better, naming the field', () => {
    expect(issues(withUsage([{ measure: 'activeSeats', poor: 0.8, healthy: 0.5 }]))).toEqual([
      'groups.0.measures.0.healthy: must be above poor (0.8): higher is better for activeSeats',
    ]);
    expect(issues(withUsage([{ measure: 'openTickets', poor: 1, healthy: 5 }]))[0]).toMatch(
      /^groups\.0\.measures\.0\.healthy: must be below poor/,
    );
    expect(issues(withUsage([{ measure: 'activeDays', poor: 4 }]))).toEqual([
      'groups.0.measures.0.healthy: activeDays needs poor and healthy thresholds',
    ]);
  });

  it('rejects unknown measures and categories, duplicates, bad weights and bands', () => {
    expect(issues(withUsage([{ measure: 'vibes', poor: 0, healthy: 1 }]))[0]).toMatch(
      /^groups\.0\.measures\.0\.measure: /,
    );
    expect(issues(withUsage([{ measure: 'paymentStatus', scores: { current: 100, bogus: 5 } }]))[0]).toBe(
      'groups.0.measures.0.scores.bogus: unknown category; expected one of current, past_due, failed',
    );
    expect(issues(withUsage([{ measure: 'openTickets', poor: 5, healthy: 1 }]))).toContain(
      'groups.4.measures.0.measure: measure "openTickets" appears twice',
    );
    expect(issues(withUsage([{ measure: 'activeDays', poor: 4, healthy: 13, weight: -1 }]))[0]).toMatch(
      /^groups\.0\.measures\.0\.weight: /,
    );
    expect(issues({ ...defaultHealthModel, bands: { yellowFrom: 80, greenFrom: 60 } })).toEqual([
      'bands.greenFrom: must be above yellowFrom',
    ]);
    const zero = defaultHealthModel.groups.map((g) => ({ ...g, onboardingWeight: 0 }));
    expect(issues({ ...defaultHealthModel, groups: zero })).toEqual([
      'groups.0.onboardingWeight: at least one group needs a weight above 0',
    ]);
  });
});
