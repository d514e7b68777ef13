import { dayMs } from '../../shared/time.ts';
/**
 * Order statistics as reports use them. Percentiles interpolate linearly between closest ranks
 * (the "R-7" definition of numpy, Excel's PERCENTILE.INC and Google Sheets): p of [a sorted list of n]
 * is at rank h = (n - 1) * p, between x[floor(h)] and x[ceil(h)]. The median is p = 0.5.
 *
 * @example
 * percentile([1, 2, 3, 4], 0.5) // 2.5
 * percentile([1, 2, 3, 4], 0.9) // 3.7
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (h - lo);
}

export const median = (values: readonly number[]): number | null => percentile(values, 0.5);

export { dayMs } from '../../shared/time.ts';

/**
 * A period `[from, to)` (epoch ms) as the whole UTC days inside it (epoch day numbers `[from, to)`,
 * what the daily rollups answer; null when there is none) and the partial days left at either end
 * (to be read from the events themselves: together less than two days).
 *
 * @example
 * splitByDays({ from: 1.5 * dayMs, to: 4 * dayMs }) // days 2-3, edge [1.5, 2) days
 */
export function splitByDays(range: { from: number; to: number }): {
  days: { from: number; to: number } | null;
  edges: Array<{ from: number; to: number }>;
} {
  const first = Math.ceil(range.from / dayMs);
  const last = Math.floor(range.to / dayMs);
  if (first >= last) return { days: null, edges: range.from < range.to ? [range] : [] };
  const edges = [
    { from: range.from, to: first * dayMs },
    { from: last * dayMs, to: range.to },
  ].filter((edge) => edge.from < edge.to);
  return { days: { from: first, to: last }, edges };
}

/** Milliseconds as days, rounded to 0.01 day for reports. */
export const toDays = (ms: number | null): number | null =>
  ms === null ? null : Math.round((ms / dayMs) * 100) / 100;

/** The cohort a time falls in: the ISO week (its Monday, UTC) or the calendar month (UTC). */
export function cohortOf(time: number, period: 'week' | 'month'): string {
  const date = new Date(time);
  if (period === 'month') return date.toISOString().slice(0, 7);
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0
  const monday = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day);
  return new Date(monday).toISOString().slice(0, 10);
}

/**
 * Items grouped by key, groups in first-seen order. Keys are compared as JSON, so trait values that
 * are arrays or objects group by value, not by identity.
 */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Array<[K, T[]]> {
  const out = new Map<string, [K, T[]]>();
  for (const item of items) {
    const key = keyOf(item);
    const id = JSON.stringify(key) ?? 'undefined';
    const group = out.get(id);
    if (group) group[1].push(item);
    else out.set(id, [key, [item]]);
  }
  return [...out.values()];
}

/**
 * The 95% interval of a Net Promoter Score, in NPS points: an adjusted Wald interval for the
 * difference of two shares of one multinomial sample (Bonett & Price, 2012, "Adjusted Wald
 * confidence interval for a difference of binomial proportions based on paired data"). One
 * pseudo-response is added to the promoters and one to the detractors (n + 2 in all), so the
 * interval keeps a width where the plain Wald interval collapses to a point (4 promoters out of 4:
 * [100, 100]) and covers closer to 95% on small samples:
 *
 *   p~ = (promoters + 1) / (n + 2),  d~ = (detractors + 1) / (n + 2)
 *   marginOfError = 196 * sqrt((p~ + d~ - (p~ - d~)^2) / (n + 2))
 *   interval = 100 * (p~ - d~) -/+ marginOfError, clipped to [-100, 100]
 *
 * The interval is centred on the adjusted estimate 100 * (p~ - d~), not on the NPS itself, so it is
 * not always NPS +/- marginOfError. Null without responses. See README, "NPS surveys".
 *
 * @example
 * npsInterval(4, 0, 4) // { marginOfError: 59.64..., interval: [7.03..., 100] }
 */
export function npsInterval(
  promoters: number,
  detractors: number,
  n: number,
): { marginOfError: number; interval: [number, number] } | null {
  if (n === 0) return null;
  const p = (promoters + 1) / (n + 2);
  const d = (detractors + 1) / (n + 2);
  const centre = 100 * (p - d);
  const marginOfError = 196 * Math.sqrt((p + d - (p - d) ** 2) / (n + 2));
  return {
    marginOfError,
    interval: [Math.max(-100, centre - marginOfError), Math.min(100, centre + marginOfError)],
  };
}
