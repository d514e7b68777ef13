import { type NpsGroup, npsGroupOf } from '../../shared/schemas/survey.ts';
import { npsInterval } from '../analytics/stats.ts';

/**
 * The NPS maths: pure functions of 0-10 scores, which the results, the signals and account health
 * share (README, "NPS surveys").
 */

/**
 * Below this many responses the interval is too wide to act on (n = 20 can be +/-34 points, and
 * the normal approximation behind the interval gets poor), so the UI greys the score out.
 */
export const lowSampleThreshold = 30;

export interface NpsSummary {
  /** n: responses counted (each person once). Dismissals are never here. */
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Each group's share of the responses (0-1); null when there are none. */
  shares: { promoters: number | null; passives: number | null; detractors: number | null };
  /** 100 x (promoters - detractors) / n, from -100 to 100 (rounded to 0.01); null when n = 0. */
  nps: number | null;
  /**
   * Half-width of the 95% interval in NPS points (adjusted Wald, see npsInterval in ../analytics/stats.ts),
   * before clipping; null when n = 0.
   */
  marginOfError: number | null;
  /**
   * The 95% interval, clipped to [-100, 100]: centred on the adjusted estimate (see npsInterval),
   * so not always [nps - margin, nps + margin]; null when n = 0.
   */
  interval: [number, number] | null;
  /** n < lowSampleThreshold (30): too few responses to act on, shown greyed out. */
  lowSample: boolean;
  /** Responses per score, index 0 to 10. */
  distribution: number[];
}

/** Reports show NPS points to 0.01. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The NPS of a list of 0-10 scores, one per person: counts, shares, score, interval, distribution.
 *
 * @example
 * npsSummary([10, 9, 7, 3]) // { responses: 4, promoters: 2, passives: 1, detractors: 1, nps: 25, ... }
 */
export function npsSummary(scores: readonly number[]): NpsSummary {
  const distribution = Array.from({ length: 11 }, () => 0);
  for (const score of scores) distribution[score] = (distribution[score] ?? 0) + 1;
  return npsSummaryOf(distribution);
}

/**
 * The NPS of a distribution: how many people gave each score, 0 to 10 (what SQL counts).
 *
 * @example
 * npsSummaryOf([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 2]) // the same as npsSummary([10, 10, 7, 3])
 */
export function npsSummaryOf(distribution: readonly number[]): NpsSummary {
  const counts: Record<NpsGroup, number> = { detractor: 0, passive: 0, promoter: 0 };
  distribution.forEach((count, score) => {
    counts[npsGroupOf(score)] += count;
  });
  const n = counts.detractor + counts.passive + counts.promoter;
  const share = (count: number) => (n === 0 ? null : count / n);
  const p = n === 0 ? 0 : counts.promoter / n;
  const d = n === 0 ? 0 : counts.detractor / n;
  const nps = 100 * (p - d);
  const ci = npsInterval(counts.promoter, counts.detractor, n);
  return {
    responses: n,
    promoters: counts.promoter,
    passives: counts.passive,
    detractors: counts.detractor,
    shares: {
      promoters: share(counts.promoter),
      passives: share(counts.passive),
      detractors: share(counts.detractor),
    },
    nps: n === 0 ? null : round2(nps),
    marginOfError: ci === null ? null : round2(ci.marginOfError),
    interval: ci === null ? null : [round2(ci.interval[0]), round2(ci.interval[1])],
    lowSample: n < lowSampleThreshold,
    distribution: [...distribution],
  };
}

/** Counts of people per score (rows of a SQL `GROUP BY score`) as a summary. */
export function summaryOfCounts(rows: ReadonlyArray<{ score: number; n: number }>): NpsSummary {
  const distribution = Array.from({ length: 11 }, () => 0);
  for (const row of rows) distribution[row.score] = (distribution[row.score] ?? 0) + row.n;
  return npsSummaryOf(distribution);
}

/**
 * Each person's latest response: by `respondedAt`, ties broken by the greater response id. The
 * reports apply the same rule in SQL (see latestCounts); this is for responses already in memory,
 * e.g. one account's history.
 *
 * @example
 * latestPerPerson([{ id: 'a', userId: 'u1', respondedAt: 1 }, { id: 'b', userId: 'u1', respondedAt: 2 }]) // [b]
 */
export function latestPerPerson<R extends { id: string; userId: string; respondedAt: number }>(
  responses: readonly R[],
): R[] {
  const latest = new Map<string, R>();
  for (const response of responses) {
    const kept = latest.get(response.userId);
    if (
      !kept ||
      response.respondedAt > kept.respondedAt ||
      (response.respondedAt === kept.respondedAt && response.id > kept.id)
    )
      latest.set(response.userId, response);
  }
  return [...latest.values()];
}
