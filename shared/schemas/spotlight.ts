import { z } from 'zod';
import { audience, propertyFilter, urlRule } from './condition.ts';
import { key } from './milestone.ts';
import {
  type ContentRecord,
  type ContentVersion,
  checkParts,
  contentRecord,
  contentVersion,
  draftInput,
  locale,
  text,
} from './versioned.ts';

/**
 * Feature spotlights and product tours, as authored (a draft) and published (immutable versions).
 * A spotlight is one step; a tour is several, each on any page, resumed where the user left off.
 * Titles and bodies are plain text or a small safe markdown subset (shared/rich-text.ts).
 */

/** A CSS selector the widget looks up: prefer stable attributes such as `[data-tour="export"]`. */
const selector = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500)
  .refine((s) => !/[{}]/.test(s), 'must be a selector, not a style rule');

/** Where a step points. `text` narrows the selector's matches to the element whose text contains it. */
export const anchor = z.object({
  selector,
  text: text(200).optional(),
  /** Also look inside open shadow roots of the page's web components. */
  pierceShadow: z.boolean().default(true),
});
export type Anchor = z.infer<typeof anchor>;

/**
 * Where the tooltip goes. With no room on that side it takes the opposite one, then one of the two
 * across; with room on none (a phone) it is pinned to the screen's bottom or top edge, away from its
 * target, which a ring then marks. It slides along its side to stay 8 px inside the viewport.
 */
export const placement = z.object({
  side: z.enum(['top', 'right', 'bottom', 'left']).default('bottom'),
  align: z.enum(['start', 'center', 'end']).default('center'),
  /** Pixels between the target and the tooltip. */
  offset: z.number().int().min(0).max(64).default(10),
});

export const stepKinds = ['hotspot', 'tooltip', 'modal'] as const;

export const spotlightStep = z
  .object({
    id: key,
    /** hotspot: a pulsing beacon beside the target that opens a tooltip; tooltip: anchored; modal: centred dialog. */
    kind: z.enum(stepKinds),
    title: text(120).min(1, 'must not be empty'),
    body: text(1000).default(''),
    anchor: anchor.optional(),
    placement: placement.default({ side: 'bottom', align: 'center', offset: 10 }),
    /** The page this step belongs to (tours cross pages); absent: wherever the tour is. */
    page: urlRule.optional(),
    /** Where to send the user for this step when they are elsewhere (a path in the app). */
    pageUrl: z
      .string()
      .max(2000)
      .regex(/^\/(?!\/)/, 'must be a path starting with /')
      .optional(),
    /** `next`: a Next button; `click`: the user clicks the target itself. */
    advance: z.enum(['next', 'click']).default('next'),
    /** A target that is missing after `waitSeconds`: wait on, or skip the step. */
    whenMissing: z.enum(['wait', 'skip']).default('wait'),
    waitSeconds: z.number().int().min(1).max(60).default(10),
    /**
     * A target that is there but not visible (in a collapsed menu on a phone, a closed tab):
     * `center` shows a tooltip in the middle of the screen, moving to its target once that shows;
     * `wait` treats it as missing; `skip` skips the step at once. A hotspot's beacon always waits.
     */
    whenHidden: z.enum(['center', 'wait', 'skip']).default('center'),
    /**
     * Dim the page around the target while the tooltip shows: only the target stays lit and
     * clickable, a click on the dimmed part does nothing (it neither reaches the page nor dismisses).
     */
    backdrop: z.boolean().default(false),
  })
  .superRefine((step, ctx) => {
    if (step.kind !== 'modal' && !step.anchor)
      ctx.addIssue({ code: 'custom', path: ['anchor'], message: `a ${step.kind} needs an anchor` });
    if (step.advance === 'click' && !step.anchor)
      ctx.addIssue({ code: 'custom', path: ['advance'], message: 'advancing on click needs an anchor' });
  });
export type SpotlightStep = z.infer<typeof spotlightStep>;

/** What starts it, once the user is in the audience and on a matching page. */
export const trigger = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('page') }),
  /** After the user does something tracked (`waymark.track` or the host's analytics through the widget). */
  z.object({
    kind: z.literal('event'),
    event: z.string().trim().min(1).max(200),
    where: z.array(propertyFilter).max(20).default([]),
  }),
  /** When the user clicks an element. */
  z.object({ kind: z.literal('click'), selector }),
  /** After some time on a matching page. */
  z.object({ kind: z.literal('delay'), seconds: z.number().int().min(1).max(600) }),
]);
export type Trigger = z.infer<typeof trigger>;

/** How often: `once` (shown once), `untilDone` (until completed or dismissed), `every` N days. */
export const frequency = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('once') }),
  z.object({ mode: z.literal('untilDone') }),
  z.object({ mode: z.literal('every'), days: z.number().int().min(1).max(3650) }),
]);
export type Frequency = z.infer<typeof frequency>;

const stepTranslation = z.object({ title: text(120).optional(), body: text(1000).optional() });

export const spotlightContent = z
  .object({
    steps: z.array(spotlightStep).min(1, 'needs at least one step').max(20),
    trigger: trigger.default({ kind: 'page' }),
    /** Who sees it; its URL rules say where it may start (a running tour follows its steps' `page`). */
    audience: audience.default({ match: 'all', conditions: [], urls: [], excludeUrls: [] }),
    frequency: frequency.default({ mode: 'untilDone' }),
    /** Among prompts waiting for the screen, the highest priority goes first. */
    priority: z.number().int().min(0).max(100).default(50),
    /** Let the user close it (and so dismiss it). */
    dismissible: z.boolean().default(true),
    locale: locale.default('en'),
    translations: z.record(locale, z.record(z.string(), stepTranslation)).default({}),
  })
  .superRefine((content, ctx) => {
    checkParts(
      ctx,
      { at: 'steps', noun: 'step', of: 'spotlight', items: content.steps },
      Object.entries(content.translations).map(([tag, steps]) => ({
        ids: Object.keys(steps),
        path: ['translations', tag],
      })),
    );
  });
export type SpotlightContent = z.infer<typeof spotlightContent>;
export type SpotlightContentInput = z.input<typeof spotlightContent>;

export const spotlightDraftInput = draftInput(spotlightContent);
export type SpotlightDraftInput = z.input<typeof spotlightDraftInput>;
export const spotlightRecord = contentRecord(spotlightContent);
export type SpotlightRecord = ContentRecord<SpotlightContent>;
export const spotlightVersion = contentVersion(spotlightContent);
export type SpotlightVersion = ContentVersion<SpotlightContent>;
