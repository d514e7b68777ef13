import { describe, expect, it } from 'vitest';
import {
  previewResponse,
  previewTarget,
} from '../../../../server/console/components/widget-preview-content.ts';
import type { DeliveredSpotlight, DeliveredStep } from '../../../../shared/schemas/content.ts';

const now = Date.parse('2026-03-01T12:00:00Z');

const checklist = {
  id: 'cl_1',
  version: 0,
  scope: 'user',
  locale: 'fr',
  title: ['Bien démarrer'],
  description: [],
  position: 'bottom-left',
  openOnFirstView: false,
  dismissible: true,
  urls: [{ match: 'prefix', pattern: '/settings', withQuery: false }],
  excludeUrls: [{ match: 'exact', pattern: '/', withQuery: false }],
  items: [],
  seen: true,
  dismissed: true,
};

const step: Omit<DeliveredStep, 'id'> = {
  kind: 'tooltip',
  title: ['A'],
  body: [],
  placement: { side: 'right', align: 'start', offset: 12 },
  advance: 'next',
  whenMissing: 'skip',
  waitSeconds: 5,
};

const tour: DeliveredSpotlight = {
  id: 'sp_1',
  version: 0,
  locale: 'en',
  steps: [
    {
      ...step,
      id: 'one',
      anchor: { selector: '#export', text: 'Export', pierceShadow: true },
      page: { match: 'exact', pattern: '/invoices', withQuery: false },
      pageUrl: 'https://app.acme.com/invoices',
    },
    { ...step, id: 'two', kind: 'modal' },
    { ...step, id: 'three', anchor: { selector: '#save', pierceShadow: true } },
  ],
  trigger: { kind: 'delay', seconds: 30 },
  urls: [{ match: 'exact', pattern: '/invoices', withQuery: false }],
  excludeUrls: [],
  priority: 3,
  dismissible: false,
  resumeAt: 'two',
  preview: false,
};

describe('previewResponse', () => {
  it('wraps one delivered checklist as /v1/content does, with the theme and the words of the locale, shown anywhere', () => {
    const built = previewResponse(
      {
        kind: 'checklist',
        delivered: checklist,
        locale: 'fr',
        mode: 'dark',
        theme: { brandColor: '#fde047' },
      },
      now,
    );
    expect(built).toEqual({
      ok: true,
      response: expect.objectContaining({
        // Yellow takes black text (shared/delivered-theme.ts); the rest are the schema's defaults.
        theme: {
          brandColor: '#fde047',
          font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
          radius: 12,
          mode: 'auto',
          onBrand: '#000',
        },
        surveys: [],
        spotlights: [],
        lastPromptAt: null,
        promptCooldownHours: 0,
        servedAt: '2026-03-01T12:00:00.000Z',
        checklists: [
          { ...checklist, urls: [], excludeUrls: [], openOnFirstView: true, seen: false, dismissed: false },
        ],
      }),
    });
    if (!built.ok) return;
    expect(built.response.strings.close).toBe('Fermer');
    expect(built.response.strings.gettingStarted).toBe('Premiers pas');
  });

  it('points each anchored step at a placeholder block, drops steps’ pages, and starts the tour at once from its first step', () => {
    const built = previewResponse({ kind: 'spotlight', delivered: tour, locale: 'en', mode: 'light' }, now);
    if (!built.ok) throw new Error(built.problems.join('\n'));
    const [spotlight] = built.response.spotlights;
    expect(spotlight).toMatchObject({ trigger: { kind: 'page' }, urls: [], resumeAt: null, preview: true });
    expect(spotlight?.steps).toEqual([
      { ...step, id: 'one', anchor: { selector: '[data-preview-target="0"]', pierceShadow: false } },
      { ...step, id: 'two', kind: 'modal' },
      { ...step, id: 'three', anchor: { selector: '[data-preview-target="2"]', pierceShadow: false } },
    ]);
    expect(previewTarget(5)).toBe('[data-preview-target="1"]');
  });

  it('keeps a whole /v1/content answer’s theme and words, and frees its items of their pages too', () => {
    const whole = {
      theme: { brandColor: '#0f766e', font: 'serif', radius: 4, mode: 'dark', onBrand: '#fff' },
      checklists: [checklist],
      surveys: [],
      spotlights: [],
      lastPromptAt: '2026-02-28T12:00:00.000Z',
      promptCooldownHours: 72,
      strings: { close: 'Schließen' },
      servedAt: '2026-02-28T12:00:00.000Z',
    };
    const built = previewResponse({ kind: 'survey', delivered: whole, locale: 'de', mode: 'dark' }, now);
    if (!built.ok) throw new Error(built.problems.join('\n'));
    expect(built.response).toMatchObject({
      theme: whole.theme,
      strings: { close: 'Schließen' },
      lastPromptAt: null,
      promptCooldownHours: 0,
      checklists: [{ id: 'cl_1', urls: [], dismissed: false }],
    });
  });

  it('names every field that does not match what the widget receives, by JSON pointer', () => {
    const { items: _items, ...partial } = checklist;
    expect(
      previewResponse(
        { kind: 'checklist', delivered: { ...partial, position: 'top' }, locale: 'en', mode: 'light' },
        now,
      ),
    ).toEqual({
      ok: false,
      problems: [
        '/position: Invalid option: expected one of "bottom-right"|"bottom-left"',
        '/items: Invalid input: expected array, received undefined',
      ],
    });
    expect(
      previewResponse({ kind: 'survey', delivered: null, locale: 'en', mode: 'light' }, now),
    ).toMatchObject({
      ok: false,
    });
  });
});
