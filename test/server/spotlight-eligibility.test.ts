import { describe, expect, it } from 'vitest';
import type { PromptEvent } from '../../server/content/prompts.ts';
import { lastPromptAt } from '../../server/content/prompts.ts';
import { opensByItself, resumeWindowMs, spotlightState } from '../../server/spotlights/eligibility.ts';
import { spotlightContent } from '../../shared/schemas/spotlight.ts';

const hour = 3_600_000;
const day = 24 * hour;
const now = Date.parse('2026-11-23T12:00:00Z');
const e = (name: PromptEvent['name'], at: number, stepId: string | null = null): PromptEvent => ({
  name,
  contentId: 'sp_1',
  stepId,
  at,
});

describe('spotlight frequency', () => {
  it('once: until shown; untilDone: until completed or dismissed; every N days: N days after the last showing', () => {
    const shown = [e('spotlight_shown', now - 2 * day)];
    expect(spotlightState({ mode: 'once' }, 1, [], now)).toEqual({ show: true, resumeAt: null });
    expect(spotlightState({ mode: 'once' }, 1, shown, now)).toMatchObject({
      show: false,
      reason: 'shown-once',
    });
    expect(spotlightState({ mode: 'untilDone' }, 1, shown, now)).toEqual({ show: true, resumeAt: null });
    const dismissed = [...shown, e('spotlight_dismissed', now - 2 * day + 1000, 'a')];
    expect(spotlightState({ mode: 'untilDone' }, 1, dismissed, now)).toMatchObject({
      show: false,
      reason: 'done',
    });
    expect(spotlightState({ mode: 'every', days: 3 }, 1, shown, now)).toEqual({
      show: false,
      reason: 'not-due',
      until: now + day,
    });
    expect(spotlightState({ mode: 'every', days: 2 }, 1, shown, now)).toEqual({ show: true, resumeAt: null });
  });

  it('resumes a tour in progress at the last step viewed, within a day of its last activity, whatever the frequency', () => {
    const started = now - 3 * hour;
    const run = [
      e('spotlight_shown', started),
      e('spotlight_step_viewed', started, 'a'),
      e('spotlight_step_viewed', started + hour, 'b'),
    ];
    expect(spotlightState({ mode: 'once' }, 3, run, now)).toEqual({ show: true, resumeAt: 'b' });
    // A single-step spotlight has nothing to resume: "once" means once.
    expect(spotlightState({ mode: 'once' }, 1, run, now)).toMatchObject({ show: false });
    // Idle for longer than the window: it is over, and "once" holds.
    const later = started + hour + resumeWindowMs + 1;
    expect(spotlightState({ mode: 'once' }, 3, run, later)).toMatchObject({
      show: false,
      reason: 'shown-once',
    });
    // Completed: nothing to resume; steps of an earlier run do not count for a new one.
    const done = [...run, e('spotlight_completed', started + 2 * hour)];
    expect(spotlightState({ mode: 'untilDone' }, 3, done, now)).toMatchObject({
      show: false,
      reason: 'done',
    });
    const again = [...done, e('spotlight_shown', now - 30 * 60_000)];
    expect(spotlightState({ mode: 'every', days: 1 }, 3, again, now)).toEqual({ show: true, resumeAt: null });
  });
});

describe('prompts that open by themselves', () => {
  const content = (input: Record<string, unknown>) =>
    spotlightContent.parse({
      steps: [{ id: 'a', kind: 'tooltip', title: 'A', anchor: { selector: '#a' } }],
      ...input,
    });

  it('are tooltips, modals and tours started by the page, a delay or an event; not hotspots nor click triggers', () => {
    expect(opensByItself(content({}))).toBe(true);
    expect(opensByItself(content({ trigger: { kind: 'delay', seconds: 5 } }))).toBe(true);
    expect(opensByItself(content({ trigger: { kind: 'click', selector: '#help' } }))).toBe(false);
    const hotspot = content({});
    hotspot.steps[0] = { ...hotspot.steps[0], kind: 'hotspot' } as (typeof hotspot.steps)[0];
    expect(opensByItself(hotspot)).toBe(false);
  });

  it('set the cooldown clock: surveys always, spotlights when they open by themselves, never the one asking', () => {
    const history: PromptEvent[] = [
      { name: 'survey_shown', contentId: 'sv_1', stepId: null, at: now - 5 * day },
      { name: 'spotlight_shown', contentId: 'sp_auto', stepId: null, at: now - 3 * day },
      { name: 'spotlight_shown', contentId: 'sp_hotspot', stepId: null, at: now - day },
      { name: 'survey_dismissed', contentId: 'sv_2', stepId: null, at: now - hour },
    ];
    const auto = (id: string) => id === 'sp_auto';
    expect(lastPromptAt(history, auto)).toBe(now - 3 * day);
    expect(lastPromptAt(history, auto, 'sp_auto')).toBe(now - 5 * day);
    expect(lastPromptAt([], auto)).toBeNull();
  });
});
