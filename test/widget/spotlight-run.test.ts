import { describe, expect, it } from 'vitest';
import { resumeWindowMs } from '../../shared/prompt-policy.ts';
import { endedLately, resumeIndex } from '../../widget/spotlight/run.ts';

/** A three-step tour as delivered; `resumeAt` is the server's word (another device). */
const tour = (resumeAt: string | null = null) => ({
  resumeAt,
  steps: [{ id: 'st_1' }, { id: 'st_2' }, { id: 'st_3' }],
});
const now = Date.parse('2026-12-05T10:00:00Z');

describe('spotlight run decisions (no DOM)', () => {
  it('starts over when nothing says where the user was', () => {
    expect(resumeIndex(tour(), {}, now)).toBe(-1);
  });

  it("resumes after a reload at this device's last step, before the server's", () => {
    expect(resumeIndex(tour('st_2'), { step: 'st_3', at: now - 60_000 }, now)).toBe(2);
  });

  it("falls back to the server's step once the device's record is older than the resume window", () => {
    const memory = { step: 'st_3', at: now - resumeWindowMs };
    expect(resumeIndex(tour('st_2'), memory, now)).toBe(1);
    expect(resumeIndex(tour(), memory, now)).toBe(-1);
  });

  it('starts over when the step it would resume at is no longer in the tour', () => {
    expect(resumeIndex(tour(), { step: 'st_gone', at: now }, now)).toBe(-1);
  });

  it('keeps a tour dismissed or completed here closed for the resume window, then not', () => {
    expect(endedLately({ ended: now - 1000 }, now)).toBe(true);
    expect(endedLately({ ended: now - resumeWindowMs }, now)).toBe(false);
    expect(endedLately({ step: 'st_1', at: now }, now)).toBe(false);
  });
});
