import { dayMs, hourMs } from './time.ts';

/**
 * The rules every prompt follows, on the server (which content it delivers) and in the widget (when
 * its scheduler lets a prompt show): one definition, so both decide alike (README, "NPS surveys" and "Spotlights and tours").
 */

/**
 * A tour left midway resumes at its step for this long (the server's `resumeAt`, the widget's own
 * record after a reload); after that it starts over, if still due. A tour ended on a device stays
 * closed there as long.
 */
export const resumeWindowMs = dayMs;

/** The end of the workspace cooldown after a prompt shown at `lastAt`: no other prompt before it. */
export const cooldownEnd = (lastAt: number, cooldownHours: number): number => lastAt + cooldownHours * hourMs;

/**
 * Whether a spotlight pops up without the user asking, and so takes part in the cooldown: not
 * started by a click, not a hotspot's beacon. Every survey opens by itself.
 */
export const opensByItself = (spotlight: {
  trigger: { kind: string };
  steps: ReadonlyArray<{ kind: string }>;
}): boolean => spotlight.trigger.kind !== 'click' && spotlight.steps[0]?.kind !== 'hotspot';
