import { z } from 'zod';
import { key } from './milestone.ts';

/**
 * The account health model: configuration, not code. Groups of measures with weights; each measure
 * maps a raw value to 0-100 between a poor and a healthy threshold, or by category. Its defaults,
 * formulas and the meaning of each measure are in the README ("Account health").
 */

/** Payment status as billing sends it in the `paymentStatus` account trait. */
export const paymentStatuses = ['current', 'past_due', 'failed'] as const;

/**
 * Every measure the server knows how to compute, and which way is better. A linear measure's
 * thresholds must point that way: for `higher`, healthy > poor; for `lower`, healthy < poor.
 */
export const measureCatalog = {
  activeSeats: { kind: 'linear', better: 'higher', unit: 'share' },
  activeDays: { kind: 'linear', better: 'higher', unit: 'days' },
  usageTrend: { kind: 'linear', better: 'higher', unit: 'share' },
  adoptionBreadth: { kind: 'linear', better: 'higher', unit: 'share' },
  coreUsers: { kind: 'linear', better: 'higher', unit: 'share' },
  milestonesReached: { kind: 'linear', better: 'higher', unit: 'share' },
  timeToValue: { kind: 'linear', better: 'lower', unit: 'days' },
  accountNps: { kind: 'linear', better: 'higher', unit: 'nps' },
  openTickets: { kind: 'linear', better: 'lower', unit: 'count' },
  paymentStatus: { kind: 'category', categories: paymentStatuses },
} as const;
export type MeasureId = keyof typeof measureCatalog;
export const measureIds = Object.keys(measureCatalog) as [MeasureId, ...MeasureId[]];

export const bandNames = ['red', 'yellow', 'green'] as const;
export type Band = (typeof bandNames)[number];

const weight = z.number().min(0).max(1000);
const score = z.number().min(0).max(100);

/**
 * One measure in a group.
 * - `poor`/`healthy` (linear measures): the score is 0 at or beyond `poor`, 100 at or beyond
 *   `healthy`, linear between.
 * - `scores` (category measures): the score of each category.
 * - `missing`: what a missing value does: `redistribute` (left out, its weight shared by the others),
 *   `neutral` (scores 50) or `zero` (scores 0). Only real data counts towards coverage.
 * - `critical`: when the measure has data and scores at or below `atOrBelow`, the account's band is at
 *   most `capBand`, whatever the overall score.
 * - `windowDays`: the measure's own window where it has one (account NPS reads 180 days).
 * - `minResponses`: account NPS is missing under this many responses.
 */
export const measureConfig = z.object({
  measure: z.enum(measureIds),
  weight: weight.default(1),
  poor: z.number().finite().optional(),
  healthy: z.number().finite().optional(),
  scores: z.record(z.string(), score).optional(),
  missing: z.enum(['redistribute', 'neutral', 'zero']).default('redistribute'),
  critical: z.object({ atOrBelow: score, capBand: z.enum(['red', 'yellow']) }).optional(),
  windowDays: z.number().int().min(1).max(730).optional(),
  minResponses: z.number().int().min(1).max(1000).optional(),
});
export type MeasureConfig = z.infer<typeof measureConfig>;

/** A group of measures: its weight in the default profile and in the onboarding profile. */
export const groupConfig = z.object({
  key,
  label: z.string().trim().min(1, 'must not be empty').max(60),
  weight,
  onboardingWeight: weight,
  measures: z.array(measureConfig).min(1, 'a group needs at least one measure').max(10),
});
export type GroupConfig = z.infer<typeof groupConfig>;

const modelShape = z.object({
  /** The window usage and adoption measures read, in days. */
  windowDays: z.number().int().min(7).max(180).default(30),
  groups: z.array(groupConfig).min(1).max(12),
  /** The onboarding profile applies while an account is younger than this, or its milestones are incomplete. */
  onboarding: z
    .object({
      maxAgeDays: z.number().int().min(0).max(3650).default(90),
      untilMilestonesComplete: z.boolean().default(true),
    })
    .default({ maxAgeDays: 90, untilMilestonesComplete: true }),
  /** Band cut-offs on the rounded 0-100 score: red below `yellowFrom`, green from `greenFrom`. */
  bands: z
    .object({ yellowFrom: z.number().int().min(1).max(100), greenFrom: z.number().int().min(1).max(100) })
    .default({ yellowFrom: 51, greenFrom: 76 }),
  /** Under this share of the model's weight with data, the account gets "insufficient data", no band. */
  minCoverage: z.number().min(0).max(1).default(0.5),
  /** Segments by the `arr` account trait: enterprise from `enterpriseFrom`, mid-market from `midMarketFrom`, else SMB. */
  segments: z
    .object({ midMarketFrom: z.number().min(0), enterpriseFrom: z.number().min(0) })
    .default({ midMarketFrom: 20_000, enterpriseFrom: 100_000 }),
});

/**
 * Cross-field rules zod's shapes cannot say: each measure's thresholds point the way its catalog
 * entry says is better, category scores name known categories, a measure appears once, group keys
 * are unique, each profile has some weight, band cut-offs are in order. Every issue names its path.
 */
export const healthModel = modelShape.superRefine((model, ctx) => {
  const seenGroups = new Set<string>();
  const seenMeasures = new Set<string>();
  model.groups.forEach((group, g) => {
    if (seenGroups.has(group.key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups', g, 'key'],
        message: `group "${group.key}" appears twice`,
      });
    }
    seenGroups.add(group.key);
    group.measures.forEach((m, i) => {
      const path = ['groups', g, 'measures', i];
      if (seenMeasures.has(m.measure)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'measure'],
          message: `measure "${m.measure}" appears twice`,
        });
      }
      seenMeasures.add(m.measure);
      checkScale(m, path, ctx);
    });
  });
  for (const profile of ['weight', 'onboardingWeight'] as const) {
    if (!model.groups.some((group) => group[profile] > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups', 0, profile],
        message: 'at least one group needs a weight above 0',
      });
    }
  }
  if (model.bands.yellowFrom >= model.bands.greenFrom) {
    ctx.addIssue({ code: 'custom', path: ['bands', 'greenFrom'], message: 'must be above yellowFrom' });
  }
  if (model.segments.midMarketFrom >= model.segments.enterpriseFrom) {
    ctx.addIssue({
      code: 'custom',
      path: ['segments', 'enterpriseFrom'],
      message: 'must be above midMarketFrom',
    });
  }
});
export type HealthModel = z.infer<typeof healthModel>;
export type HealthModelInput = z.input<typeof healthModel>;

function checkScale(m: MeasureConfig, path: (string | number)[], ctx: z.RefinementCtx) {
  const entry = measureCatalog[m.measure];
  if (entry.kind === 'category') {
    if (!m.scores) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'scores'],
        message: `${m.measure} needs a score per category`,
      });
      return;
    }
    const known: readonly string[] = entry.categories;
    for (const category of Object.keys(m.scores)) {
      if (!known.includes(category)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'scores', category],
          message: `unknown category; expected one of ${known.join(', ')}`,
        });
      }
    }
    return;
  }
  if (m.poor === undefined || m.healthy === undefined) {
    const field = m.poor === undefined ? 'poor' : 'healthy';
    ctx.addIssue({
      code: 'custom',
      path: [...path, field],
      message: `${m.measure} needs poor and healthy thresholds`,
    });
    return;
  }
  const inOrder = entry.better === 'higher' ? m.healthy > m.poor : m.healthy < m.poor;
  if (!inOrder) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'healthy'],
      message: `must be ${entry.better === 'higher' ? 'above' : 'below'} poor (${m.poor}): ${entry.better} is better for ${m.measure}`,
    });
  }
}

/**
 * The shipped model (README, "Account health": default groups, thresholds and profiles). Measures
 * share their group's weight equally unless weighted otherwise.
 */
export const defaultHealthModel: HealthModelInput = {
  windowDays: 30,
  groups: [
    {
      key: 'usage',
      label: 'Usage',
      weight: 30,
      onboardingWeight: 30,
      measures: [
        { measure: 'activeSeats', poor: 0.5, healthy: 0.8 },
        { measure: 'activeDays', poor: 4, healthy: 13 },
        { measure: 'usageTrend', poor: -0.3, healthy: 0 },
      ],
    },
    {
      key: 'adoption',
      label: 'Feature adoption',
      weight: 20,
      onboardingWeight: 15,
      measures: [
        { measure: 'adoptionBreadth', poor: 0.2, healthy: 0.6 },
        { measure: 'coreUsers', poor: 0.3, healthy: 0.7 },
      ],
    },
    {
      key: 'onboarding',
      label: 'Onboarding and time to value',
      weight: 15,
      onboardingWeight: 40,
      measures: [
        { measure: 'milestonesReached', poor: 0, healthy: 1 },
        { measure: 'timeToValue', poor: 14, healthy: 7 },
      ],
    },
    {
      key: 'sentiment',
      label: 'Sentiment',
      weight: 15,
      onboardingWeight: 5,
      measures: [{ measure: 'accountNps', poor: 0, healthy: 50, windowDays: 180, minResponses: 3 }],
    },
    {
      key: 'support',
      label: 'Support',
      weight: 10,
      onboardingWeight: 10,
      measures: [{ measure: 'openTickets', poor: 5, healthy: 1 }],
    },
    {
      key: 'commercial',
      label: 'Commercial',
      weight: 10,
      onboardingWeight: 0,
      measures: [
        {
          measure: 'paymentStatus',
          scores: { current: 100, past_due: 25, failed: 0 },
          critical: { atOrBelow: 0, capBand: 'red' },
        },
      ],
    },
  ],
};
