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

describe('URL rules stored before regexes were checked', () => {
  const hazard = { match: 'regex', pattern: '^/(a+)+$', withQuery: false };
  const safe = { match: 'regex', pattern: '^/app/[^/]+$', withQuery: false };

  /** Creates and publishes content (version 1), then publishes `changed` of its content as version 2 directly in the database, as a release without the authoring check could have. */
  async function publishedWith(
    kind: 'checklists' | 'surveys' | 'spotlights',
    body: { name: string; content: Record<string, unknown> },
    changed: (content: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<string> {
    const created = await h.adminJson(`/${kind}`, 'POST', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const published = await h.adminJson(`/${kind}/${created.body.id}/publish`, 'POST');
    expect(published.status).toBe(201);
    const content = changed(published.body.content);
    await h.db.writer.batch([
      {
        sql: 'INSERT INTO content_versions (workspace_id, content_id, version, content, published_at) VALUES (?, ?, 2, ?, ?)',
        args: ['ws1', created.body.id, JSON.stringify(content), h.clock.now],
      },
      {
        sql: 'UPDATE contents SET published_version = 2 WHERE workspace_id = ? AND id = ?',
        args: ['ws1', created.body.id],
      },
    ]);
    return created.body.id;
  }

  const withUrls = (content: Record<string, unknown>, urls: object) => ({
    ...content,
    audience: { ...(content.audience as object), ...urls },
  });

  it('are never sent to the widget: a hazardous include rule matches nothing, a hazardous exclude rule hides the content', async () => {
    const checklist = (name: string) => ({
      name,
      content: {
        title: name,
        items: [
          {
            id: 'visit',
            title: 'Visit',
            completion: { kind: 'url', url: { match: 'prefix', pattern: '/app' } },
          },
          { id: 'tick', title: 'Tick', completion: { kind: 'manual' } },
        ],
      },
    });
    // Another include rule is left: shown where that one matches. The item's URL rule (a regex is
    // refused there at authoring) is not sent for the widget to tick the item itself.
    const partly = await publishedWith('checklists', checklist('partly'), (content) => ({
      ...withUrls(content, { urls: [hazard, safe] }),
      items: (content.items as Array<Record<string, unknown>>).map((item) =>
        item.id === 'visit' ? { ...item, completion: { kind: 'url', url: hazard } } : item,
      ),
    }));
    // No include rule is left: shown nowhere (not everywhere, as an empty list would mean).
    await publishedWith('checklists', checklist('only hazard'), (content) =>
      withUrls(content, { urls: [hazard] }),
    );
    await publishedWith('checklists', checklist('excluded'), (content) =>
      withUrls(content, {
        excludeUrls: [{ match: 'prefix', pattern: '/settings', withQuery: false }, hazard],
      }),
    );
    await publishedWith('checklists', checklist('untouched'), (content) =>
      withUrls(content, { urls: [safe] }),
    );

    const surveyBody = survey([safe]);
    surveyBody.content = {
      ...surveyBody.content,
      sampling: { firstAskAfterDays: 0 },
    } as typeof surveyBody.content;
    await publishedWith('surveys', surveyBody, (content) => withUrls(content, { excludeUrls: [hazard] }));

    const tour = (name: string, priority: number) => ({
      name,
      content: {
        priority,
        steps: [
          { id: 'one', kind: 'modal', title: name },
          { id: 'two', kind: 'modal', title: 'Two' },
        ],
      },
    });
    await publishedWith('spotlights', tour('bad step page', 90), (content) => ({
      ...content,
      steps: (content.steps as object[]).map((step, i) => (i === 1 ? { ...step, page: hazard } : step)),
    }));
    await publishedWith('spotlights', tour('bad include', 80), (content) =>
      withUrls(content, { urls: [hazard] }),
    );
    const fine = await publishedWith('spotlights', tour('fine', 70), (content) =>
      withUrls(content, { urls: [hazard, safe] }),
    );

    const delivered = await h.content('u1');
    expect(delivered.checklists.map((c) => [c.title, c.urls, c.excludeUrls])).toEqual([
      [['partly'], [safe], []],
      [['untouched'], [safe], []],
    ]);
    const items = delivered.checklists.find((c) => c.id === partly)?.items;
    expect(items?.map((item) => [item.id, item.localRule ?? null])).toEqual([
      ['visit', null],
      ['tick', null],
    ]);
    expect(delivered.surveys).toEqual([]);
    expect(delivered.spotlights.map((s) => [s.id, s.urls])).toEqual([[fine, [safe]]]);
  });
});
