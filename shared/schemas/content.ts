import { z } from 'zod';
import type { RichNode } from '../rich-text.ts';
import type { WidgetStrings } from '../widget-strings.ts';
import { itemAction } from './checklist.ts';
import { propertyFilter, urlRule } from './condition.ts';
import { dictionary } from './json-shape.ts';
import { idCharacters, limits } from './message.ts';
import { anchor, placement, trigger } from './spotlight.ts';
import { deliveredTheme } from './theme.ts';

/** Text the server parsed for the widget (shared/rich-text.ts): text nodes and a few elements. */
const richNode: z.ZodType<RichNode> = z.lazy(() =>
  z.union([
    z.string(),
    z.tuple([z.enum(['strong', 'em', 'code'])], richNode),
    z.tuple([z.literal('a'), z.string()], richNode),
  ]),
);
export const richText = z.array(richNode);

/** An id as messages carry it (control characters refused: see `idCharacters`). */
const id = z.string().min(1).max(limits.idLength).regex(idCharacters.pattern, idCharacters.message);

/**
 * `POST /v1/content`: what one end user should see now, with their progress, in one round trip.
 * Sent by the widget as a CORS "simple" request (text/plain body, key in the body) so that no
 * preflight adds a second round trip.
 */
export const contentRequest = z.object({
  writeKey: z.string().min(1, 'Required'),
  anonymousId: id.nullish(),
  userId: id.nullish(),
  /** Required for user content when the workspace enforces identity verification. */
  userHash: z.string().max(128).nullish(),
  groupId: id.nullish(),
  /**
   * hex HMAC-SHA256(identitySecret, userId + "\n" + groupId): with identity verification enforced,
   * required for `groupId`'s progress (without `groupId`, the user's stored account is used).
   */
  groupHash: z.string().max(128).nullish(),
  /**
   * Traits the widget knows that may not be stored yet (the identify of this very page load). Ignored
   * when identity verification is enforced: audiences then read stored traits only.
   */
  traits: dictionary.default({}),
  groupTraits: dictionary.default({}),
  /** The user's `locale` trait or the browser's language; content falls back to its own locale. */
  locale: z.string().max(35).nullish(),
  /** A preview token from the admin API (`?waymark_preview=` in the page URL): shows that draft. */
  preview: z.string().max(512).nullish(),
});
export type ContentRequest = z.input<typeof contentRequest>;

/**
 * A rule the widget may evaluate itself to tick an item the moment the user acts, before the
 * server confirms: single-event rules and URL visits.
 */
export const localRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), event: z.string(), where: z.array(propertyFilter) }),
  z.object({ kind: z.literal('url'), url: urlRule }),
]);
export type LocalRule = z.infer<typeof localRule>;

export const deliveredItem = z.object({
  id: z.string(),
  title: richText,
  description: richText,
  action: itemAction.optional(),
  required: z.boolean(),
  /** The user may tick it by hand. */
  manual: z.boolean(),
  localRule: localRule.optional(),
  /** ISO time it was completed (by this user, or in account scope by anyone in the account). */
  doneAt: z.iso.datetime().nullable(),
});
export type DeliveredItem = z.infer<typeof deliveredItem>;

export const deliveredChecklist = z.object({
  id: z.string(),
  version: z.number().int(),
  scope: z.enum(['user', 'account']),
  /** The locale the text below is in. */
  locale: z.string(),
  title: richText,
  description: richText,
  position: z.enum(['bottom-right', 'bottom-left']),
  openOnFirstView: z.boolean(),
  dismissible: z.boolean(),
  /** URL rules checked by the widget on every page (the server has checked the traits). */
  urls: z.array(urlRule),
  excludeUrls: z.array(urlRule),
  items: z.array(deliveredItem),
  /** This user has seen this checklist before (any version) / dismissed it. */
  seen: z.boolean(),
  dismissed: z.boolean(),
});
export type DeliveredChecklist = z.infer<typeof deliveredChecklist>;

/**
 * An NPS survey this user is eligible for now (the server has checked audience traits, sampling,
 * recurrence and the workspace cooldown), localized, with `{product}` filled in.
 */
export const deliveredSurvey = z.object({
  id: z.string(),
  version: z.number().int(),
  locale: z.string(),
  question: z.string(),
  lowLabel: z.string(),
  highLabel: z.string(),
  followUp: z.object({ detractor: z.string(), passive: z.string(), promoter: z.string() }),
  thankYou: z.string(),
  position: z.enum(['bottom-right', 'bottom-left', 'bottom-bar']),
  /** The workspace theme with this survey's overrides. */
  theme: deliveredTheme,
  /** Seconds on the page before it appears. */
  delaySeconds: z.number().int(),
  urls: z.array(urlRule),
  excludeUrls: z.array(urlRule),
  /**
   * What the widget applies locally until the server has heard about an answer, a dismissal or a
   * display (the event may still be on its way): after a response, after a dismissal, and before
   * showing an unanswered prompt again.
   */
  askAgainAfterResponseDays: z.number().int(),
  askAgainAfterDismissDays: z.number().int(),
  redisplayAfterHours: z.number().int(),
});
export type DeliveredSurvey = z.infer<typeof deliveredSurvey>;

/** One step of a delivered spotlight or tour, localized. */
export const deliveredStep = z.object({
  id: z.string(),
  kind: z.enum(['hotspot', 'tooltip', 'modal']),
  title: richText,
  body: richText,
  anchor: anchor.optional(),
  placement,
  page: urlRule.optional(),
  pageUrl: z.string().optional(),
  advance: z.enum(['next', 'click']),
  whenMissing: z.enum(['wait', 'skip']),
  waitSeconds: z.number().int(),
  /** Absent from a copy cached from an older server: then `center` and no backdrop. */
  whenHidden: z.enum(['center', 'wait', 'skip']).optional(),
  backdrop: z.boolean().optional(),
});
export type DeliveredStep = z.infer<typeof deliveredStep>;

/**
 * A spotlight or tour this user may see now (audience traits and frequency checked by the server);
 * the widget checks the page, waits for the trigger and the screen (one prompt at a time).
 */
export const deliveredSpotlight = z.object({
  id: z.string(),
  version: z.number().int(),
  locale: z.string(),
  steps: z.array(deliveredStep),
  trigger,
  urls: z.array(urlRule),
  excludeUrls: z.array(urlRule),
  priority: z.number().int(),
  dismissible: z.boolean(),
  /** A tour this user is in the middle of (on this or another device): the step to resume at. */
  resumeAt: z.string().nullable(),
  /** A draft shown through a preview link: no events are recorded, no frequency applies. */
  preview: z.boolean(),
});
export type DeliveredSpotlight = z.infer<typeof deliveredSpotlight>;

export const contentResponse = z.object({
  theme: deliveredTheme,
  checklists: z.array(deliveredChecklist),
  /** At most one: the eligible survey of highest priority. */
  surveys: z.array(deliveredSurvey),
  spotlights: z.array(deliveredSpotlight),
  /** The last time a prompt that opens by itself (survey, tour, tooltip, modal) was shown to this user. */
  lastPromptAt: z.iso.datetime().nullable(),
  /** Hours between any two prompts (surveys, spotlights) for one user; the widget applies it too. */
  promptCooldownHours: z.number().int(),
  /**
   * The widget's own words (buttons, labels, announcements) in the request's `locale`, by key
   * (shared/widget-strings.ts): the widget's files carry no language.
   */
  strings: z.record(z.string(), z.string()),
  /** Server time, so the widget can order a cached copy against a fresh one. */
  servedAt: z.iso.datetime(),
});
export type ContentResponse = Omit<z.infer<typeof contentResponse>, 'strings'> & { strings: WidgetStrings };
