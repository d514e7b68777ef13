import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const survey = (urls: unknown[]) => ({
  name: 'NPS',
  content: {
    productName: 'Acme',
    question: 'How likely are you to recommend {product}?',
    lowLabel: 'Not likely',
    highLabel: 'Very likely',
    followUp: { detractor: 'Why?', passive: 'Why?', promoter: 'Why?' },
    thankYou: 'Thanks',
    audience: { urls },
  },
});

describe('URL rules through the admin API', () => {
  it('refuse a regex that could freeze a browser, with a pointer to its pattern', async () => {
    const res = await h.admin('/surveys', {
      method: 'POST',
      body: JSON.stringify(
        survey([
          { match: 'regex', pattern: '^/invoices/[^/]+/edit$' },
          { match: 'regex', pattern: '^/(a+)+$' },
        ]),
      ),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await res.json()).errors).toEqual([
      {
        pointer: '/content/audience/urls/1/pattern',
        detail:
          'repeats a group that itself contains a repetition or a choice, like (a+)+ or (a|b)*, which can freeze a browser: repeat a character class instead, like [ab]*, or use a glob (* within a segment, ** across)',
      },
    ]);
  });

  it('accept the regexes and globs authors write', async () => {
    const res = await h.admin('/surveys', {
      method: 'POST',
      body: JSON.stringify(
        survey([
          { match: 'regex', pattern: '^/(invoices|bills)/\\d+$' },
          { match: 'regex', pattern: '^/settings(/.*)?$' },
          { match: 'glob', pattern: `/${'**a'.repeat(12)}` },
        ]),
      ),
    });
    expect(res.status).toBe(201);
  });
});
