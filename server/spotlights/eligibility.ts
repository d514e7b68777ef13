import { opensByItself as opens, resumeWindowMs } from '../../shared/prompt-policy.ts';
import type { Frequency, SpotlightContent } from '../../shared/schemas/spotlight.ts';
import { dayMs } from '../../shared/time.ts';
import type { PromptEvent } from '../content/prompts.ts';

export { resumeWindowMs };

export type SpotlightState =
  | { show: true; resumeAt: string | null }
  | { show: false; reason: 'shown-once' | 'done' | 'not-due'; until: number | null };

/**
 * Whether a user may see a spotlight or tour now, from its frequency and their history with it:
 * - a tour they are in the middle of (started, not completed nor dismissed, active within a day)
 *   resumes at the last step they viewed or moved to (Next, Back), whatever the frequency;
 * - `once`: until it has been shown; `untilDone`: until completed or dismissed; `every` N days:
 *   again N days after it was last shown.
 *
 * @example
 * spotlightState({ mode: 'untilDone' }, 3, historyOfThisSpotlight, Date.now())
 */
export function spotlightState(
  frequency: Frequency,
  stepCount: number,
  history: readonly PromptEvent[],
  now: number,
): SpotlightState {
  const times = (name: PromptEvent['name']) => history.filter((e) => e.name === name).map((e) => e.at);
  const lastShown = latest(times('spotlight_shown'));
  // Never shown, never ended: older widgets sent `spotlight_completed` for a spotlight whose every
  // target was missing and skipped, which the user never saw.
  const lastEnded =
    lastShown === null ? null : latest([...times('spotlight_completed'), ...times('spotlight_dismissed')]);
  // Where the user is: the step last shown, or the one they moved to since (Next to a step on
  // another page, which has not shown yet).
  const steps = history.filter(
    (e) =>
      (e.name === 'spotlight_step_viewed' || e.name === 'spotlight_step_reached') &&
      lastShown !== null &&
      e.at >= lastShown,
  );
  const lastStep = steps.reduce<PromptEvent | null>((a, b) => (a === null || b.at >= a.at ? b : a), null);

  const running = lastShown !== null && (lastEnded === null || lastEnded < lastShown);
  if (running && stepCount > 1 && now - Math.max(lastShown, lastStep?.at ?? 0) < resumeWindowMs) {
    return { show: true, resumeAt: lastStep?.stepId ?? null };
  }
  switch (frequency.mode) {
    case 'once':
      return lastShown === null
        ? { show: true, resumeAt: null }
        : { show: false, reason: 'shown-once', until: null };
    case 'untilDone':
      return lastEnded === null
        ? { show: true, resumeAt: null }
        : { show: false, reason: 'done', until: null };
    case 'every': {
      const due = lastShown === null ? now : lastShown + frequency.days * dayMs;
      return now >= due ? { show: true, resumeAt: null } : { show: false, reason: 'not-due', until: due };
    }
  }
}

/** Whether it pops up without the user asking (shared/prompt-policy.ts). */
export const opensByItself = (content: SpotlightContent): boolean => opens(content);

const latest = (times: number[]): number | null => (times.length === 0 ? null : Math.max(...times));
