import type { MeasureId } from '../../shared/schemas/health-model.ts';

/** How the console writes numbers, money, dates and shares: one place, so every view agrees. */

const integer = new Intl.NumberFormat('en-US');
const money = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});
const dateFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const dateTimeFormat = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

export const dash = '–';
export const count = (n: number | null | undefined) =>
  n === null || n === undefined ? dash : integer.format(n);
export const usd = (n: number | null | undefined) => (n === null || n === undefined ? dash : money.format(n));
/** A share 0-1 as a percentage. */
export const percent = (share: number | null | undefined, digits = 0) =>
  share === null || share === undefined ? dash : `${(share * 100).toFixed(digits)}%`;
/** A signed number of points: +4, −12, 0. */
export const points = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined
    ? dash
    : n > 0
      ? `+${n.toFixed(digits)}`
      : n < 0
        ? `−${(-n).toFixed(digits)}`
        : '0';
/** A date (YYYY-MM-DD or an ISO time) as "Mar 4, 2027", in UTC as the server counts days. */
export const date = (iso: string | null | undefined) =>
  iso ? dateFormat.format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)) : dash;
export const dateTime = (iso: string | null | undefined) =>
  iso ? dateTimeFormat.format(new Date(iso)) : dash;

const stageNames: Record<string, string> = {
  onboarding: 'Onboarding',
  adoption: 'Adoption',
  valueRealization: 'Value realization',
  expansion: 'Expansion',
};
const segmentNames: Record<string, string> = {
  enterprise: 'Enterprise',
  midMarket: 'Mid-market',
  smb: 'SMB',
};
const bandNames: Record<string, string> = {
  red: 'At risk',
  yellow: 'Watch',
  green: 'Healthy',
  insufficient: 'Insufficient data',
};
export const stageName = (stage: string | null) => (stage ? (stageNames[stage] ?? stage) : dash);
export const segmentName = (segment: string | null) => (segment ? (segmentNames[segment] ?? segment) : dash);
export const bandName = (band: string) => bandNames[band] ?? band;

/** The health measures' names, as the README's model table describes them (shared/schemas/health-model.ts). */
export const measureNames: Record<MeasureId, string> = {
  activeSeats: 'Seats in use',
  activeDays: 'Active days per user',
  usageTrend: 'Usage trend',
  adoptionBreadth: 'Core features used',
  coreUsers: 'Users of core features',
  milestonesReached: 'Milestones reached',
  timeToValue: 'Time to value',
  accountNps: 'NPS',
  openTickets: 'Open tickets',
  paymentStatus: 'Payment status',
};
export const measureName = (measure: string | null) =>
  measure === null ? dash : (measureNames[measure as MeasureId] ?? measure);
