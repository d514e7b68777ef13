import {
  type Band,
  type HealthModel,
  type MeasureConfig,
  type MeasureId,
  measureCatalog,
} from '../../shared/schemas/health-model.ts';

/**
 * An account's health score from its measures' raw values: the README's "Account health" model.
 * Pure: the raw values come from ./measures.ts, the model from the workspace's configuration.
 */

/** A measure's raw value: a number, a category (payment status), or null when there is no data. */
export type RawValue = number | string | null;
export type RawValues = Partial<Record<MeasureId, RawValue>>;
export type Profile = 'default' | 'onboarding';

export interface MeasureScore {
  measure: MeasureId;
  group: string;
  raw: RawValue;
  /** 0-100; null when the value is missing and the measure's rule is to redistribute its weight. */
  score: number | null;
  /** Whether the raw value was there (a neutral or zero stand-in has a score but no data). */
  hasData: boolean;
  /** Its share of the overall score (all shares of scored measures add up to 1). */
  weight: number;
  /** (100 - score) x weight: the points this measure keeps the overall score below 100. */
  impact: number;
}

export interface GroupScore {
  key: string;
  label: string;
  score: number | null;
  /** Its share of the overall score (all shares of scored groups add up to 1). */
  weight: number;
}

export interface HealthScore {
  /** The overall score rounded to a whole number; null under the model's minimum coverage. */
  score: number | null;
  /** The unrounded overall score, even under the minimum coverage (null when nothing has a score). */
  exact: number | null;
  band: Band | 'insufficient';
  /** Share of the profile's weight whose measures had data, 0-1. */
  coverage: number;
  profile: Profile;
  /** The critical measure that capped the band, if one did. */
  cappedBy: MeasureId | null;
  groups: GroupScore[];
  measures: MeasureScore[];
}

/**
 * The score of one raw value: linear between the poor and the healthy threshold (clamped to 0-100,
 * either direction), or the category's score. Null when the value is missing or unknown.
 *
 * @example
 * measureScore({ measure: 'activeDays', poor: 4, healthy: 13, ... }, 10) // 100 * (10 - 4) / 9 = 66.7
 */
export function measureScore(config: MeasureConfig, raw: RawValue): number | null {
  if (raw === null) return null;
  if (measureCatalog[config.measure].kind === 'category') {
    return typeof raw === 'string' ? (config.scores?.[raw] ?? null) : null;
  }
  if (
    typeof raw !== 'number' ||
    Number.isNaN(raw) ||
    config.poor === undefined ||
    config.healthy === undefined
  ) {
    return null;
  }
  const t = (raw - config.poor) / (config.healthy - config.poor);
  return 100 * Math.min(1, Math.max(0, t));
}

const standIn = { redistribute: null, neutral: 50, zero: 0 } as const;

/**
 * Scores an account: each measure, each group (weighted mean of its scored measures), overall
 * (weighted mean of the scored groups under the profile's weights), coverage, band and caps.
 */
export function scoreAccount(model: HealthModel, raw: RawValues, profile: Profile): HealthScore {
  const profileWeight = (group: HealthModel['groups'][number]) =>
    profile === 'onboarding' ? group.onboardingWeight : group.weight;
  const totalGroupWeight = model.groups.reduce((sum, group) => sum + profileWeight(group), 0);

  let coverage = 0;
  const groups = model.groups.map((group) => {
    const measures = group.measures.map((config) => {
      const value = raw[config.measure] ?? null;
      const scored = measureScore(config, value);
      const score = scored ?? standIn[config.missing];
      return { config, raw: value, score, hasData: scored !== null };
    });
    const measureWeight = measures.reduce((sum, m) => sum + m.config.weight, 0);
    const withData = measures.reduce((sum, m) => sum + (m.hasData ? m.config.weight : 0), 0);
    if (totalGroupWeight > 0 && measureWeight > 0) {
      coverage += (profileWeight(group) / totalGroupWeight) * (withData / measureWeight);
    }
    const scored = measures.filter((m) => m.score !== null && m.config.weight > 0);
    const scoredWeight = scored.reduce((sum, m) => sum + m.config.weight, 0);
    const score =
      scoredWeight > 0 ? scored.reduce((sum, m) => sum + m.config.weight * m.score!, 0) / scoredWeight : null;
    return { group, weight: profileWeight(group), measures, scoredWeight, score };
  });

  const scoredGroups = groups.filter((g) => g.score !== null && g.weight > 0);
  const scoredGroupWeight = scoredGroups.reduce((sum, g) => sum + g.weight, 0);
  const exact =
    scoredGroupWeight > 0
      ? scoredGroups.reduce((sum, g) => sum + g.weight * g.score!, 0) / scoredGroupWeight
      : null;

  const measures: MeasureScore[] = [];
  const groupScores: GroupScore[] = [];
  let cap: { band: Band; measure: MeasureId } | null = null;
  for (const g of groups) {
    const groupShare = g.score !== null && g.weight > 0 ? g.weight / scoredGroupWeight : 0;
    groupScores.push({ key: g.group.key, label: g.group.label, score: g.score, weight: groupShare });
    for (const m of g.measures) {
      const weight =
        m.score !== null && g.scoredWeight > 0 ? (groupShare * m.config.weight) / g.scoredWeight : 0;
      measures.push({
        measure: m.config.measure,
        group: g.group.key,
        raw: m.raw,
        score: m.score,
        hasData: m.hasData,
        weight,
        impact: m.score === null ? 0 : (100 - m.score) * weight,
      });
      const critical = m.config.critical;
      if (critical && m.hasData && m.score !== null && m.score <= critical.atOrBelow && weight > 0) {
        if (!cap || bandRank(critical.capBand) < bandRank(cap.band))
          cap = { band: critical.capBand, measure: m.config.measure };
      }
    }
  }

  const sufficient = exact !== null && coverage >= model.minCoverage;
  const score = sufficient ? Math.round(exact) : null;
  let band: Band | 'insufficient' = score === null ? 'insufficient' : bandOf(model, score);
  let cappedBy: MeasureId | null = null;
  if (band !== 'insufficient' && cap && bandRank(cap.band) < bandRank(band)) {
    band = cap.band;
    cappedBy = cap.measure;
  }
  return { score, exact, band, coverage, profile, cappedBy, groups: groupScores, measures };
}

const bandRank = (band: Band) => (band === 'red' ? 0 : band === 'yellow' ? 1 : 2);

/** The band of a rounded score under the model's cut-offs (default: red 0-50, yellow 51-75, green 76-100). */
export function bandOf(model: HealthModel, score: number): Band {
  if (score >= model.bands.greenFrom) return 'green';
  if (score >= model.bands.yellowFrom) return 'yellow';
  return 'red';
}

/** The measures that cost the most points, worst first (impact = (100 - score) x weight). */
export function topDrivers(result: HealthScore, limit = 3): MeasureScore[] {
  return result.measures
    .filter((m) => m.impact > 0)
    .sort((a, b) => b.impact - a.impact)
    .slice(0, limit);
}

export interface Attribution {
  measure: MeasureId;
  /** weight x (score now - score then): the measure's share of the overall change, in points. */
  points: number;
  scoreNow: number;
  scoreThen: number;
  rawNow: RawValue;
  rawThen: RawValue;
}

/**
 * What moved the score between an earlier snapshot and now: for each measure scored both times,
 * its current weight x its score delta, biggest movement first. Measures scored only once are left
 * out (their weight went to or came from the others).
 */
export function attributeChange(now: HealthScore, then: Pick<HealthScore, 'measures'>): Attribution[] {
  const before = new Map(then.measures.map((m) => [m.measure, m]));
  const out: Attribution[] = [];
  for (const m of now.measures) {
    const old = before.get(m.measure);
    if (m.score === null || !old || old.score === null) continue;
    const points = m.weight * (m.score - old.score);
    if (points === 0) continue;
    out.push({
      measure: m.measure,
      points,
      scoreNow: m.score,
      scoreThen: old.score,
      rawNow: m.raw,
      rawThen: old.raw,
    });
  }
  return out.sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
}
