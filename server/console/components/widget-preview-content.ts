import type { z } from 'zod';
import { deliverTheme } from '../../../shared/delivered-theme.ts';
import {
  type ContentResponse,
  contentResponse,
  type DeliveredChecklist,
  type DeliveredSpotlight,
  type DeliveredSurvey,
  deliveredChecklist,
  deliveredSpotlight,
  deliveredSurvey,
} from '../../../shared/schemas/content.ts';
import type { Theme } from '../../../shared/schemas/theme.ts';
import { widgetStrings } from '../../../shared/widget-strings.ts';

/** The content kinds the widget draws, as the preview names them. */
export type PreviewKind = 'checklist' | 'survey' | 'spotlight';

/** One item of each kind exactly as the widget receives it (shared/schemas/content.ts). */
export interface DeliveredOf {
  checklist: DeliveredChecklist;
  survey: DeliveredSurvey;
  spotlight: DeliveredSpotlight;
}

/** What the console hands the preview frame to draw: all of it plain JSON. */
export interface PreviewInput {
  kind: PreviewKind;
  /** One delivered item of `kind`, or a whole `/v1/content` answer; checked here, never trusted. */
  delivered: unknown;
  /** The language picked: the widget's own words and the reading direction follow it. */
  locale: string;
  mode: 'light' | 'dark';
  /** The workspace's theme (`GET /v1/admin/workspace`), for an item that carries none. */
  theme?: Partial<Theme> | undefined;
}

/**
 * How many placeholder blocks the preview page has for steps to point at: step `i` of a tour points
 * at block `i % previewTargets`, so that consecutive steps move across the page.
 */
export const previewTargets = 4;

/** The selector of placeholder block `i` of the preview page (widget-preview-frame.ts draws them). */
export const previewTarget = (i: number) => `[data-preview-target="${i % previewTargets}"]`;

const itemSchemas: { [K in PreviewKind]: z.ZodType<DeliveredOf[K]> } = {
  checklist: deliveredChecklist,
  survey: deliveredSurvey,
  spotlight: deliveredSpotlight,
};

/**
 * The `/v1/content` answer the preview draws: `input.delivered` checked against the shape the widget
 * receives (a problem per field, JSON pointer first, when it does not match), wrapped as delivery
 * wraps it (the theme by `deliverTheme`, the widget's words by `widgetStrings`, both from shared/ as
 * the server uses them), then freed of what ties content to a real page and a real user: URL rules,
 * triggers, delays, steps' pages, the prompt cooldown and what this user saw before. Steps that
 * point at an element point at the preview page's placeholder blocks instead.
 *
 * @example
 * previewResponse({ kind: 'survey', delivered, locale: 'fr', mode: 'dark' }, Date.now())
 * // { ok: true, response: { surveys: [{ ...delivered, delaySeconds: 0, urls: [] }], ... } }
 */
export function previewResponse(
  input: PreviewInput,
  now: number,
): { ok: true; response: ContentResponse } | { ok: false; problems: string[] } {
  const whole =
    typeof input.delivered === 'object' && input.delivered !== null && 'servedAt' in input.delivered;
  const parsed = whole
    ? contentResponse.safeParse(input.delivered)
    : itemSchemas[input.kind].safeParse(input.delivered);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `/${issue.path.join('/')}: ${issue.message}`),
    };
  /** The item given, in the list of its kind. */
  const of = <K extends PreviewKind>(kind: K) => (input.kind === kind ? [parsed.data as DeliveredOf[K]] : []);
  const base: ContentResponse = whole
    ? (parsed.data as ContentResponse)
    : {
        theme: deliverTheme(input.theme),
        checklists: of('checklist'),
        surveys: of('survey'),
        spotlights: of('spotlight'),
        lastPromptAt: null,
        promptCooldownHours: 0,
        strings: widgetStrings(input.locale),
        servedAt: new Date(now).toISOString(),
      };
  const anywhere = { urls: [], excludeUrls: [] };
  return {
    ok: true,
    response: {
      ...base,
      lastPromptAt: null,
      promptCooldownHours: 0,
      checklists: base.checklists.map((c) => ({
        ...c,
        ...anywhere,
        openOnFirstView: true,
        seen: false,
        dismissed: false,
      })),
      surveys: base.surveys.map((s) => ({ ...s, ...anywhere, delaySeconds: 0 })),
      spotlights: base.spotlights.map((s) => ({
        ...s,
        ...anywhere,
        trigger: { kind: 'page' },
        resumeAt: null,
        // Marks a draft shown through a preview: the widget applies no frequency to it.
        preview: true,
        steps: s.steps.map(({ page: _page, pageUrl: _pageUrl, anchor, ...step }, i) =>
          anchor ? { ...step, anchor: { selector: previewTarget(i), pierceShadow: false } } : step,
        ),
      })),
    },
  };
}
