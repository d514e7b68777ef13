import { z } from 'zod';
import { audience, urlRule } from './condition.ts';
import { eventRule, key } from './milestone.ts';
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
 * An onboarding checklist, as authored (a draft) and as published (an immutable version).
 * Text is plain text or a small markdown subset, parsed at delivery (shared/rich-text.ts: **bold**, *italic*,
 * `code`, [links](https://...)); nothing in it can run script.
 */

/** How an item completes. Events and URLs are evaluated on the server as events arrive. */
export const itemCompletion = z.discriminatedUnion('kind', [
  eventRule.extend({ kind: z.literal('event') }),
  z.object({ kind: z.literal('milestone'), milestone: key }),
  /** A page view whose URL matches (exact, prefix or glob: evaluated in SQL, so no regex). */
  z.object({
    kind: z.literal('url'),
    url: urlRule.refine((rule) => rule.match !== 'regex', 'regex is not supported for completion'),
  }),
  /** The user ticks it by hand. */
  z.object({ kind: z.literal('manual') }),
]);
export type ItemCompletion = z.infer<typeof itemCompletion>;

/** What clicking the item does. `callback` calls a function the host app registered with `waymark.on()`. */
export const itemAction = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('url'),
    url: z
      .string()
      .max(2000)
      .regex(/^(\/(?!\/)|https?:\/\/)/, 'must be a path starting with / or an http(s) URL'),
    newTab: z.boolean().default(false),
  }),
  z.object({ kind: z.literal('spotlight'), contentId: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('callback'), name: z.string().min(1).max(100) }),
]);
export type ItemAction = z.infer<typeof itemAction>;

export const checklistItem = z.object({
  id: key,
  title: text(120).min(1, 'must not be empty'),
  description: text(500).default(''),
  action: itemAction.optional(),
  completion: itemCompletion,
  required: z.boolean().default(true),
});
export type ChecklistItem = z.infer<typeof checklistItem>;

const translation = z.object({
  title: text(120).optional(),
  description: text(500).optional(),
  items: z
    .record(z.string(), z.object({ title: text(120).optional(), description: text(500).optional() }))
    .default({}),
});
export const checklistContent = z
  .object({
    title: text(120).min(1, 'must not be empty'),
    description: text(500).default(''),
    /** `user`: each user completes it. `account`: an item is done for everyone in the account once any member does it. */
    scope: z.enum(['user', 'account']).default('user'),
    items: z.array(checklistItem).min(1, 'needs at least one item').max(20),
    audience: audience.default({ match: 'all', conditions: [], urls: [], excludeUrls: [] }),
    display: z
      .object({
        position: z.enum(['bottom-right', 'bottom-left']).default('bottom-right'),
        /** Open the panel the first time the user sees the checklist. */
        openOnFirstView: z.boolean().default(true),
        /** Let the user dismiss the whole checklist. */
        dismissible: z.boolean().default(true),
      })
      .default({ position: 'bottom-right', openOnFirstView: true, dismissible: true }),
    /**
     * Among the checklists a user sees on a page, the highest priority comes first (the launcher
     * shows it; the panel's switcher reaches the others); equal ones in the order they were published.
     */
    priority: z.number().int().min(0).max(100).default(0),
    /** The language of the text above; `translations` add others. */
    locale: locale.default('en'),
    translations: z.record(locale, translation).default({}),
  })
  .superRefine((content, ctx) => {
    checkParts(
      ctx,
      { at: 'items', noun: 'item', of: 'checklist', items: content.items },
      Object.entries(content.translations).map(([tag, t]) => ({
        ids: Object.keys(t.items),
        path: ['translations', tag, 'items'],
      })),
    );
    if (!content.items.some((item) => item.required))
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'needs at least one required item' });
  });
export type ChecklistContent = z.infer<typeof checklistContent>;
export type ChecklistContentInput = z.input<typeof checklistContent>;

/** Creating or editing a checklist: a name for the authors and the draft content. */
export const checklistDraftInput = draftInput(checklistContent);
export type ChecklistDraftInput = z.input<typeof checklistDraftInput>;

/** A checklist as the admin API returns it. */
export const checklistRecord = contentRecord(checklistContent);
export type ChecklistRecord = ContentRecord<ChecklistContent>;

export const checklistVersion = contentVersion(checklistContent);
export type ChecklistVersion = ContentVersion<ChecklistContent>;
