import { cooldownEnd } from '../../shared/prompt-policy.ts';
import type { Sampling } from '../../shared/schemas/survey.ts';
import { dayMs, hourMs } from '../../shared/time.ts';

/** Sampling draws are made again every cycle, so a user left out is not left out forever. */
export const samplingCycleMs = 30 * dayMs;

/** What the server knows about one user and one survey. Times are epoch milliseconds. */
export interface SurveyHistory {
  /** The user's `createdAt` trait, else their first-seen time. */
  userStart: number;
  /** Their latest response to this survey (any version). */
  lastResponseAt: number | null;
  /** Their latest dismissal of it (closed without a score). */
  lastDismissAt: number | null;
  /** Every time it was shown to them, any order. */
  displays: readonly number[];
  /** The latest time another prompt (another survey) was shown to them. */
  lastOtherPromptAt: number | null;
}

export type Ineligible =
  | 'too-early'
  | 'answered-recently'
  | 'dismissed-recently'
  | 'backed-off'
  | 'shown-recently'
  | 'cooldown'
  | 'not-sampled';

export type Eligibility = { eligible: true } | { eligible: false; reason: Ineligible; until: number | null };

/**
 * Whether a user may be asked now, by the survey's sampling rules (defaults in the README, "NPS surveys"):
 * 1. not before `firstAskAfterDays` after the user's start;
 * 2. not within `askAgainAfterResponseDays` of a response, nor `askAgainAfterDismissDays` of a
 *    dismissal;
 * 3. after `maxUnansweredDisplays` displays with neither, back off as if dismissed at the last one;
 * 4. an unanswered display is not repeated within `redisplayAfterHours`;
 * 5. no prompt within the workspace cooldown of another prompt;
 * 6. only a `rate` share of users, by `draw` (uniform in [0, 1), stable per user and cycle).
 * `until` says when the reason lapses (null when it depends on the next cycle's draw).
 *
 * @example
 * surveyEligibility(sampling, { userStart, lastResponseAt: null, lastDismissAt: null, displays: [], lastOtherPromptAt: null }, { now, cooldownHours: 72, draw: 0.3 })
 */
export function surveyEligibility(
  sampling: Sampling,
  history: SurveyHistory,
  options: { now: number; cooldownHours: number; draw: number },
): Eligibility {
  const { now } = options;
  const wait = (reason: Ineligible, until: number): Eligibility | null =>
    now < until ? { eligible: false, reason, until } : null;

  const firstAsk = wait('too-early', history.userStart + sampling.firstAskAfterDays * dayMs);
  if (firstAsk) return firstAsk;
  if (history.lastResponseAt !== null) {
    const answered = wait(
      'answered-recently',
      history.lastResponseAt + sampling.askAgainAfterResponseDays * dayMs,
    );
    if (answered) return answered;
  }
  if (history.lastDismissAt !== null) {
    const dismissed = wait(
      'dismissed-recently',
      history.lastDismissAt + sampling.askAgainAfterDismissDays * dayMs,
    );
    if (dismissed) return dismissed;
  }

  // Displays since the last answer or dismissal; every `maxUnansweredDisplays` of them start a back-off.
  const since = Math.max(history.lastResponseAt ?? -Infinity, history.lastDismissAt ?? -Infinity);
  let unanswered = 0;
  let backOffUntil = -Infinity;
  let lastDisplay: number | null = null;
  for (const at of [...history.displays].filter((t) => t > since).sort((a, b) => a - b)) {
    if (at < backOffUntil) continue;
    lastDisplay = at;
    unanswered++;
    if (unanswered >= sampling.maxUnansweredDisplays) {
      backOffUntil = at + sampling.askAgainAfterDismissDays * dayMs;
      unanswered = 0;
    }
  }
  const backedOff = wait('backed-off', backOffUntil);
  if (backedOff) return backedOff;
  if (lastDisplay !== null) {
    const shown = wait('shown-recently', lastDisplay + sampling.redisplayAfterHours * hourMs);
    if (shown) return shown;
  }
  if (history.lastOtherPromptAt !== null) {
    const cooldown = wait('cooldown', cooldownEnd(history.lastOtherPromptAt, options.cooldownHours));
    if (cooldown) return cooldown;
  }
  if (options.draw >= sampling.rate) return { eligible: false, reason: 'not-sampled', until: null };
  return { eligible: true };
}

/**
 * A uniform draw in [0, 1) from a string, the same every time for the same string: FNV-1a, then
 * murmur3's finalizer, without which seeds that differ only in their last characters (the cycle
 * number) would draw almost the same value.
 */
export function stableDraw(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

/** The draw for a user and survey in the sampling cycle holding `now`. */
export const samplingDraw = (surveyId: string, userId: string, now: number): number =>
  stableDraw(`${surveyId}:${userId}:${Math.floor(now / samplingCycleMs)}`);
