import { describe, expect, it } from 'vitest';
import { type SyntheticAccount, syntheticHistory } from '../../server/seed/synthetic.ts';
import { message } from '../../shared/schemas/message.ts';

const now = Date.parse('2026-12-01T00:00:00Z');
const content = {
  survey: { contentId: 'nps', version: 1 },
  checklist: { contentId: 'onboarding', version: 1, items: ['a', 'b', 'c', 'd'] },
  tour: { contentId: 'tour', version: 1, steps: ['one', 'two', 'three'] },
};
/** The first `take` accounts of a history of `accounts` (the generator is lazy). */
function generate(seed: number, accounts = 400, take = accounts): SyntheticAccount[] {
  const out: SyntheticAccount[] = [];
  const options = { seed, accounts, users: accounts * 8, events: accounts * 400, days: 180, now, content };
  for (const account of syntheticHistory(options)) {
    out.push(account);
    if (out.length === take) break;
  }
  return out;
}
const named = (account: SyntheticAccount, event: string) =>
  account.messages.filter((m) => m.type === 'track' && m.event === event);

describe('synthetic history', () => {
  const accounts = generate(42);

  it('is the same for the same seed, and another for another seed', () => {
    const first = JSON.stringify(accounts.slice(0, 5));
    expect(JSON.stringify(generate(42, 400, 5))).toBe(first);
    expect(JSON.stringify(generate(43, 400, 5))).not.toBe(first);
  });

  it('gives the top 1% of accounts about a third of the messages', () => {
    const sizes = accounts.map((a) => a.messages.length).sort((a, b) => b - a);
    const total = sizes.reduce((sum, n) => sum + n, 0);
    const top = sizes.slice(0, accounts.length / 100).reduce((sum, n) => sum + n, 0);
    expect(top / total).toBeGreaterThan(0.2);
    expect(top / total).toBeLessThan(0.5);
  });

  it('writes only messages the server accepts, in time order, none in the future', () => {
    for (const account of accounts.slice(0, 20)) {
      let last = 0;
      for (const m of account.messages) {
        const parsed = message.safeParse(m);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        const t = Date.parse(m.timestamp ?? '');
        expect(t).toBeGreaterThanOrEqual(last);
        expect(t).toBeLessThan(now);
        last = t;
      }
    }
  });

  it('tells each archetype’s story: the never-onboarded never send an invoice, churning ones fade', () => {
    const never = accounts.filter((a) => a.archetype === 'never');
    expect(never.length).toBeGreaterThan(0);
    for (const account of never) expect(named(account, 'Invoice Sent')).toHaveLength(0);
    const fast = accounts.filter((a) => a.archetype === 'fast');
    expect(fast.filter((a) => named(a, 'Invoice Sent').length > 0).length / fast.length).toBeGreaterThan(0.9);
    // Churning accounts: the last 30 days hold a small share of their usage.
    for (const account of accounts.filter((a) => a.archetype === 'churning' && a.messages.length > 500)) {
      const recent = account.messages.filter((m) => Date.parse(m.timestamp ?? '') > now - 30 * 86_400_000);
      expect(recent.length / account.messages.length).toBeLessThan(0.15);
    }
  });

  it('has NPS answered by 15-35% of the people shown it in the last 90 days (as the results report it), and dismissals', () => {
    const recent = accounts
      .flatMap((a) => a.messages)
      .filter((m) => Date.parse(m.timestamp ?? '') >= now - 90 * 86_400_000);
    const usersWith = (event: string) =>
      new Set(recent.filter((m) => m.type === 'track' && m.event === event).map((m) => m.userId)).size;
    const rate = usersWith('$waymark.survey_answered') / usersWith('$waymark.survey_shown');
    expect(rate).toBeGreaterThan(0.15);
    expect(rate).toBeLessThan(0.35);
    expect(usersWith('$waymark.survey_dismissed')).toBeGreaterThan(0);
  });
});
