import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type SurveyHistory,
  samplingCycleMs,
  samplingDraw,
  stableDraw,
  surveyEligibility,
} from '../../server/surveys/eligibility.ts';
import { defaultSurveyText, type Sampling, sampling } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness } from './harness.ts';

const hour = 3_600_000;
const day = 24 * hour;
const now = Date.parse('2026-11-23T12:00:00.000Z');
/** Defaults: first ask after 30 days, again 90 days after a response or 30 after a dismissal,
 * back off after 3 unanswered displays, redisplay after 24 hours, rate 1. */
const defaults: Sampling = sampling.parse({});

/** A user who joined 40 days ago and was never asked anything. */
const fresh: SurveyHistory = {
  userStart: now - 40 * day,
  lastResponseAt: null,
  lastDismissAt: null,
  displays: [],
  lastOtherPromptAt: null,
};
const check = (
  history: Partial<SurveyHistory>,
  options: { sampling?: Partial<Sampling>; now?: number; cooldownHours?: number; draw?: number } = {},
) =>
  surveyEligibility(
    { ...defaults, ...options.sampling },
    { ...fresh, ...history },
    { now: options.now ?? now, cooldownHours: options.cooldownHours ?? 72, draw: options.draw ?? 0.5 },
  );

describe('surveyEligibility', () => {
  it('never asks before firstAskAfterDays after the user started', () => {
    const start = now - 29.9 * day;
    expect(check({ userStart: start })).toEqual({
      eligible: false,
      reason: 'too-early',
      until: start + 30 * day,
    });
    expect(check({ userStart: now - 30 * day })).toEqual({ eligible: true });
    expect(check({ userStart: now - 5 * day }, { sampling: { firstAskAfterDays: 0 } })).toEqual({
      eligible: true,
    });
  });

  it('asks again only askAgainAfterResponseDays after a response', () => {
    const answered = now - 89.9 * day;
    expect(check({ lastResponseAt: answered })).toEqual({
      eligible: false,
      reason: 'answered-recently',
      until: answered + 90 * day,
    });
    expect(check({ lastResponseAt: now - 90 * day })).toEqual({ eligible: true });
  });

  it('asks again only askAgainAfterDismissDays after a dismissal', () => {
    const dismissed = now - 29 * day;
    expect(check({ lastDismissAt: dismissed })).toEqual({
      eligible: false,
      reason: 'dismissed-recently',
      until: dismissed + 30 * day,
    });
    expect(check({ lastDismissAt: now - 30 * day })).toEqual({ eligible: true });
    expect(check({ lastDismissAt: dismissed }, { sampling: { askAgainAfterDismissDays: 7 } })).toEqual({
      eligible: true,
    });
  });

  it('keeps the workspace cooldown after another prompt', () => {
    const other = now - 71 * hour;
    expect(check({ lastOtherPromptAt: other })).toEqual({
      eligible: false,
      reason: 'cooldown',
      until: other + 72 * hour,
    });
    expect(check({ lastOtherPromptAt: now - 72 * hour })).toEqual({ eligible: true });
    expect(check({ lastOtherPromptAt: other }, { cooldownHours: 0 })).toEqual({ eligible: true });
  });

  it('shows an unanswered prompt again only after redisplayAfterHours', () => {
    const shown = now - 23 * hour;
    expect(check({ displays: [shown] })).toEqual({
      eligible: false,
      reason: 'shown-recently',
      until: shown + 24 * hour,
    });
    expect(check({ displays: [now - 24 * hour] })).toEqual({ eligible: true });
    expect(check({ displays: [shown] }, { sampling: { redisplayAfterHours: 0 } })).toEqual({
      eligible: true,
    });
  });

  it('backs off like a dismissal after maxUnansweredDisplays unanswered displays, then starts counting again', () => {
    // Shown 3 days ago, 2 days ago and yesterday, never answered nor dismissed: the third starts a
    // 30-day back-off. Two displays are not enough.
    const third = now - 1 * day;
    const displays = [now - 3 * day, now - 2 * day, third];
    expect(check({ displays: displays.slice(1) })).toEqual({ eligible: true });
    expect(check({ displays })).toEqual({ eligible: false, reason: 'backed-off', until: third + 30 * day });
    expect(check({ displays }, { sampling: { maxUnansweredDisplays: 4 } })).toEqual({ eligible: true });
    // The back-off ends 30 days after the third display.
    expect(check({ displays }, { now: third + 30 * day - 1 })).toMatchObject({ reason: 'backed-off' });
    expect(check({ displays }, { now: third + 30 * day })).toEqual({ eligible: true });
    // After it, the count starts again: two more displays are fine, a third backs off again.
    const later = [third + 30 * day, third + 31 * day];
    expect(check({ displays: [...displays, ...later] }, { now: third + 32 * day })).toEqual({
      eligible: true,
    });
    const sixth = third + 32 * day;
    expect(check({ displays: [...displays, ...later, sixth] }, { now: sixth + day })).toEqual({
      eligible: false,
      reason: 'backed-off',
      until: sixth + 30 * day,
    });
  });

  it('forgets displays that came before the last answer or dismissal', () => {
    // Three displays, then an answer 100 days ago: the displays were answered, nothing backs off.
    const displays = [now - 103 * day, now - 102 * day, now - 101 * day];
    expect(check({ displays, lastResponseAt: now - 100 * day })).toEqual({ eligible: true });
    expect(check({ displays, lastDismissAt: now - 100 * day })).toEqual({ eligible: true });
  });

  it('asks only the sampled share of users: rate 0, 1 and 0.5', () => {
    expect(check({}, { sampling: { rate: 0 }, draw: 0 })).toEqual({
      eligible: false,
      reason: 'not-sampled',
      until: null,
    });
    expect(check({}, { sampling: { rate: 1 }, draw: 0.999999 })).toEqual({ eligible: true });
    expect(check({}, { sampling: { rate: 0.5 }, draw: 0.49 })).toEqual({ eligible: true });
    expect(check({}, { sampling: { rate: 0.5 }, draw: 0.5 })).toMatchObject({ reason: 'not-sampled' });

    // 10,000 users at rate 0.5: binomial, sd = sqrt(10000 * .25) = 50; allow 4 sd either side.
    const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const asked = (at: number, rate: number) =>
      users.filter(
        (u) => check({}, { sampling: { rate }, draw: samplingDraw('sv_abc123', u, at), now: at }).eligible,
      );
    const half = asked(now, 0.5);
    expect(half.length).toBeGreaterThan(4800);
    expect(half.length).toBeLessThan(5200);
    expect(asked(now, 0).length).toBe(0);
    expect(asked(now, 1).length).toBe(10_000);
  });

  it('draws the same for a user within a sampling cycle, in [0, 1), independently per survey', () => {
    const cycleStart = Math.floor(now / samplingCycleMs) * samplingCycleMs;
    for (let i = 0; i < 1000; i++) {
      const draw = samplingDraw('sv_abc123', `user-${i}`, cycleStart);
      expect(draw).toBeGreaterThanOrEqual(0);
      expect(draw).toBeLessThan(1);
      expect(samplingDraw('sv_abc123', `user-${i}`, cycleStart + samplingCycleMs - 1)).toBe(draw);
    }
    expect(samplingDraw('sv_other', 'user-1', now)).not.toBe(samplingDraw('sv_abc123', 'user-1', now));
    expect(stableDraw('same seed')).toBe(stableDraw('same seed'));
  });

  // The cycle number is the seed's last characters: without a final mixing step the draw barely
  // moved when only they changed, and a user left out at rate 0.5 stayed out (1% got in next cycle).
  it('draws afresh in the next cycle: about half of those left out at rate 0.5 get in', () => {
    const cycleStart = Math.floor(now / samplingCycleMs) * samplingCycleMs;
    const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const out = users.filter((u) => samplingDraw('sv_abc123', u, cycleStart) >= 0.5);
    const inNext = out.filter((u) => samplingDraw('sv_abc123', u, cycleStart + samplingCycleMs) < 0.5);
    expect(inNext.length / out.length).toBeGreaterThan(0.4);
  });

  // Deciles of 10,000 draws should be 1000 +/- ~30 each (chi-square below 21.7, p = .01, 9 degrees
  // of freedom); plain FNV-1a gave 832 to 1142 (chi-square about 70), so rate 0.1 asked 8-11%.
  it('draws uniformly: each tenth of [0, 1) gets a tenth of users', () => {
    const deciles = Array.from({ length: 10 }, () => 0);
    for (let i = 0; i < 10_000; i++) {
      const d = Math.floor(samplingDraw('sv_abc123def456', `${i}`, now) * 10);
      deciles[d] = (deciles[d] ?? 0) + 1;
    }
    const chiSquare = deciles.reduce((sum, n) => sum + (n - 1000) ** 2 / 1000, 0);
    expect(chiSquare).toBeLessThan(21.7);
  });
});

describe('survey delivery through POST /v1/content', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  let seq = 0;
  const ingest = async (batch: Array<Record<string, unknown>>) => {
    const res = await h.post({ batch: batch.map((m) => ({ messageId: `e${++seq}`, ...m })) });
    expect(res.status).toBe(200);
    expect((await res.json()).rejected).toEqual([]);
  };
  const daysAgo = (days: number) => new Date(h.clock.now - days * day).toISOString();

  it('asks users 30 days after createdAt, and after an answer not again for 90 days', async () => {
    const created = await h.admin('/surveys', {
      method: 'POST',
      body: JSON.stringify({ name: 'NPS', content: { productName: 'Acme', ...defaultSurveyText } }),
    });
    const { id } = (await created.json()) as { id: string };
    await h.admin(`/surveys/${id}/publish`, { method: 'POST' });
    await ingest([
      { type: 'identify', userId: 'veteran', traits: { createdAt: daysAgo(40) } },
      { type: 'identify', userId: 'newcomer', traits: { createdAt: daysAgo(10) } },
    ]);

    const offered = await h.content('veteran');
    expect(offered.surveys).toHaveLength(1);
    expect(offered.surveys[0]).toMatchObject({ id, version: 1 });
    expect((await h.content('newcomer')).surveys).toEqual([]);

    // The widget shows it, and the user answers.
    const ref = { contentId: id, version: 1 };
    await ingest([
      {
        type: 'track',
        userId: 'veteran',
        event: '$waymark.survey_shown',
        properties: ref,
        timestamp: daysAgo(0),
      },
      {
        type: 'track',
        userId: 'veteran',
        event: '$waymark.survey_answered',
        properties: { ...ref, responseId: 'resp-veteran-1', score: 9 },
        timestamp: daysAgo(0),
      },
    ]);
    expect((await h.content('veteran')).surveys).toEqual([]);
    const answeredAt = h.clock.now;
    h.clock.now = answeredAt + 89.9 * day;
    expect((await h.content('veteran')).surveys).toEqual([]);
    h.clock.now = answeredAt + 90 * day;
    expect((await h.content('veteran')).surveys).toHaveLength(1);
  });
});
