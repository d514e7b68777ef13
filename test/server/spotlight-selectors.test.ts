import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const tour = (first: string, second: string, click: string) => ({
  name: 'Tour',
  content: {
    steps: [
      { id: 'one', kind: 'tooltip', title: 'One', anchor: { selector: first } },
      { id: 'two', kind: 'tooltip', title: 'Two', anchor: { selector: second } },
    ],
    trigger: { kind: 'click', selector: click },
  },
});

describe('spotlight selectors are checked by a CSS selector parser when saved', () => {
  it('refuses invalid selectors in a step and a click trigger, with a pointer to each', async () => {
    const res = await h.adminJson(
      '/spotlights',
      'POST',
      tour('[data-tour="export"]', 'div[', 'button[data-x='),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([
      {
        pointer: '/content/steps/1/anchor/selector',
        detail: expect.stringMatching(/^must be a valid CSS selector/),
      },
      {
        pointer: '/content/trigger/selector',
        detail: expect.stringMatching(/^must be a valid CSS selector/),
      },
    ]);
    expect((await h.adminJson('/spotlights')).body.spotlights).toEqual([]);
  });

  it('refuses them in an edit of the draft, and leaves the draft as it was', async () => {
    const created = await h.adminJson('/spotlights', 'POST', tour('#export', 'nav a.active', '.help'));
    expect(created.status).toBe(201);
    for (const broken of ['a >', '> a', 'a,,b', '[data-x="1]', 'div:nth-child(', ':not(']) {
      const res = await h.adminJson(`/spotlights/${created.body.id}`, 'PUT', tour(broken, '#ok', '.help'));
      expect(res.status, broken).toBe(400);
      expect(res.body.errors, broken).toEqual([
        { pointer: '/content/steps/0/anchor/selector', detail: expect.any(String) },
      ]);
    }
    expect((await h.adminJson(`/spotlights/${created.body.id}`)).body.draft.steps[0].anchor.selector).toBe(
      '#export',
    );
  });

  it('accepts what querySelectorAll accepts: attributes, combinators, pseudo-classes, lists', async () => {
    for (const selector of [
      '[data-tour="export"]',
      'main > section:nth-child(2n+1) .row + .row ~ button',
      ':is(header, footer) a[href^="/settings"]',
      'ul li:not(.hidden):has(> img), #export',
    ]) {
      const res = await h.adminJson('/spotlights', 'POST', tour(selector, selector, selector));
      expect(res.status, selector).toBe(201);
    }
  });
});
