import { resumeWindowMs } from '../../shared/prompt-policy.ts';

/**
 * The decisions of a spotlight run that need no page: where a run resumes, whether one ended here
 * lately. Pure functions of the spotlight, this device's record and the time (the drawing, targets
 * and triggers are view.ts's).
 */

/** This device's record of a spotlight version for a user: the step last shown, or its end. */
export interface Memory {
  step?: string;
  at?: number;
  ended?: number;
}

/** Whether `at` is within the tour resume window before `now` (shared/prompt-policy.ts). */
export const recent = (at: number | undefined, now: number): boolean =>
  at !== undefined && now - at < resumeWindowMs;

/** Ended (completed or dismissed) on this device lately: it stays closed here for the resume window. */
export const endedLately = (memory: Memory, now: number): boolean => recent(memory.ended, now);

/**
 * The step a run resumes at: this device's last step while recent (a reload resumes at once), else
 * the server's `resumeAt` (another device); -1 when neither names a step it still has: it starts
 * over, by its trigger.
 */
export function resumeIndex(
  s: { resumeAt: string | null; steps: ReadonlyArray<{ id: string }> },
  memory: Memory,
  now: number,
): number {
  const resumeAt = memory.step && recent(memory.at, now) ? memory.step : s.resumeAt;
  return resumeAt ? s.steps.findIndex((step) => step.id === resumeAt) : -1;
}
