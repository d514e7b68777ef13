import type { MeasureId } from '../../shared/schemas/health-model.ts';
import type { SnapshotDetail } from './run.ts';

/**
 * Measures in words a CS person reads: "Usage fell: 4 of 12 seats active, was 9". Built from a
 * snapshot's stored facts, so an explanation of last month's score uses last month's numbers.
 */

type Facts = SnapshotDetail['facts'];
type Raw = number | string | null;

const percent = (share: number) => `${Math.round(share * 100)}%`;
const signed = (n: number) => (n > 0 ? `+${Math.round(n)}` : `${Math.round(n)}`);
const days = (n: number) => `${n.toFixed(1)} days`;

/** The value of a measure in words (without "was"). */
export function describeValue(measure: MeasureId, raw: Raw, facts: Facts): string {
  if (raw === null) return 'no data';
  switch (measure) {
    case 'activeSeats':
      return `${facts.activeUsers} of ${facts.seats ?? '?'} seats active`;
    case 'activeDays':
      return `${typeof raw === 'number' ? raw.toFixed(1) : raw} active days per active user`;
    case 'usageTrend':
      return `active user-days ${typeof raw === 'number' ? `${signed(raw * 100)}%` : raw} against the window before`;
    case 'adoptionBreadth':
      return `${facts.featuresUsed.length} core feature${facts.featuresUsed.length === 1 ? '' : 's'} used${typeof raw === 'number' && raw > 0 ? ` (${percent(raw)})` : ''}`;
    case 'coreUsers':
      return `${typeof raw === 'number' ? percent(raw) : raw} of active users use a core feature`;
    case 'milestonesReached':
      return `${facts.milestonesReached} of ${facts.milestonesTotal} milestones reached`;
    case 'timeToValue':
      return raw === 'never' || raw === Number.POSITIVE_INFINITY
        ? 'first value not reached by day 30'
        : `first value after ${typeof raw === 'number' ? days(raw) : raw}`;
    case 'accountNps':
      return `account NPS ${typeof raw === 'number' ? signed(raw) : raw} (${facts.npsResponses} responses)`;
    case 'openTickets':
      return `${raw} open ticket${raw === 1 ? '' : 's'}`;
    case 'paymentStatus':
      return `payment ${String(raw).replace('_', ' ')}`;
  }
}

/** The short form of the value a measure had before, for ", was …". */
function previousValue(measure: MeasureId, raw: Raw, facts: Facts): string {
  if (measure === 'activeSeats') return String(facts.activeUsers);
  if (measure === 'adoptionBreadth') return String(facts.featuresUsed.length);
  if (measure === 'milestonesReached') return String(facts.milestonesReached);
  return describeValue(measure, raw, facts);
}

/**
 * A change in words: the group's label, whether it rose or fell, the value now and then.
 *
 * @example
 * describeChange('activeSeats', 'Usage', -8.8, 0.33, 0.75, factsNow, factsThen)
 * // 'Usage fell: 4 of 12 seats active, was 9'
 */
export function describeChange(
  measure: MeasureId,
  groupLabel: string,
  points: number,
  rawNow: Raw,
  rawThen: Raw,
  now: Facts,
  then: Facts,
): string {
  return `${groupLabel} ${points >= 0 ? 'rose' : 'fell'}: ${describeValue(measure, rawNow, now)}, was ${previousValue(measure, rawThen, then)}`;
}
