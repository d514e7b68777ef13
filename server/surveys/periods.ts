import { cohortOf, dayMs } from '../analytics/stats.ts';

export interface Period {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

const isDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text);
/** A query's `from`: a date is its first instant (UTC). */
export const startOf = (text: string): number => Date.parse(isDate(text) ? `${text}T00:00:00Z` : text);
/** A query's `to`: a date alone means the end of that day (UTC). */
export const endOf = (text: string): number => startOf(text) + (isDate(text) ? dayMs : 0);

/**
 * The period a query names: `from` to `to`, by default the `days` before now.
 *
 * @example
 * periodOf({ from: '2026-10-01', to: '2026-10-31' }, now) // Oct 1 00:00Z to Nov 1 00:00Z
 */
export function periodOf(
  query: { from?: string | undefined; to?: string | undefined },
  now: number,
  days = 90,
): Period {
  const to = query.to === undefined ? now : endOf(query.to);
  return { from: query.from === undefined ? to - days * dayMs : startOf(query.from), to };
}

/** A time window responses are counted in: `[start, stop)`, epoch ms. */
export interface Bucket {
  key: string;
  start: number;
  stop: number;
}

/**
 * Every trend bucket the period touches, in order, empty ones included (a chart needs the gaps);
 * the first and last are cut to the period.
 */
export function bucketsOf(range: Period, interval: 'week' | 'month'): Bucket[] {
  const keys = new Set<string>();
  // No week or month is shorter than the step, so stepping by it lands in every one.
  const step = (interval === 'week' ? 7 : 28) * dayMs;
  for (let t = range.from; t < range.to; t += step) keys.add(cohortOf(t, interval));
  if (range.to > range.from) keys.add(cohortOf(range.to - 1, interval));
  // A cohort's key is its first day (`2026-10-05`) or month (`2026-10`): Date.parse reads both as UTC.
  const starts = [...keys].map((key) => Date.parse(key));
  return [...keys].map((key, i) => ({
    key,
    start: i === 0 ? range.from : (starts[i] as number),
    stop: starts[i + 1] ?? range.to,
  }));
}
