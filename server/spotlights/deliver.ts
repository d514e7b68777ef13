import { matchesTraits } from '../../shared/conditions.ts';
import { parseRichText } from '../../shared/rich-text.ts';
import type { DeliveredSpotlight } from '../../shared/schemas/content.ts';
import type { SpotlightContent } from '../../shared/schemas/spotlight.ts';
import type { PromptEvent } from '../content/prompts.ts';
import type { Subject } from '../content/subject.ts';
import { pickTranslation } from '../content/translation.ts';
import { deliverableUrls, isSafeRule } from '../content/url-rules.ts';
import type { Published } from '../content/versioned.ts';
import { spotlightState } from './eligibility.ts';

/**
 * The spotlights and tours this user may see now: published, audience traits matched, due by their
 * frequency (server/spotlights/eligibility.ts), highest priority first; plus the draft a preview
 * link names. The widget checks pages and triggers, and shows one prompt at a time.
 */
export function deliverSpotlights(
  published: readonly Published<SpotlightContent>[],
  /** The draft a preview link names, if it is a spotlight's. */
  draft: { id: string; version: 0; content: SpotlightContent } | null,
  subject: Subject,
  options: { now: number; history: readonly PromptEvent[] },
): DeliveredSpotlight[] {
  const { now, history } = options;
  const delivered = published
    .filter((row) => row.id !== draft?.id && matchesTraits(row.content.audience, subject.traits, now))
    .flatMap((row) => {
      const content = safeContent(row.content);
      if (!content) return [];
      const mine = history.filter((event) => event.contentId === row.id);
      const state = spotlightState(content.frequency, content.steps.length, mine, now);
      return state.show ? [present({ ...row, content }, subject.locale, state.resumeAt, false)] : [];
    });
  const content = draft && safeContent(draft.content);
  if (draft && content) delivered.unshift(present({ ...draft, content }, subject.locale, null, true));
  return delivered.sort((a, b) => Number(b.preview) - Number(a.preview) || b.priority - a.priority);
}

/**
 * The spotlight with only URL rules that are safe in a browser (server/content/url-rules.ts), or null
 * when it must not be shown: a hazardous rule matches no page, so a step whose page rule is one could
 * never be reached, and the tour is not started.
 */
function safeContent(content: SpotlightContent): SpotlightContent | null {
  const urls = deliverableUrls(content.audience);
  if (!urls || !content.steps.every((step) => !step.page || isSafeRule(step.page))) return null;
  return { ...content, audience: { ...content.audience, ...urls } };
}

/** The spotlight in the best locale for the user; each step's text falls back on its own. */
export function present(
  row: Published<SpotlightContent>,
  requested: string | null,
  resumeAt: string | null,
  preview: boolean,
): DeliveredSpotlight {
  const { content } = row;
  const { locale, translation } = pickTranslation(content.translations, content.locale, requested);
  return {
    id: row.id,
    version: row.version,
    locale,
    steps: content.steps.map((step) => ({
      id: step.id,
      kind: step.kind,
      title: parseRichText(translation?.[step.id]?.title ?? step.title),
      body: parseRichText(translation?.[step.id]?.body ?? step.body),
      ...(step.anchor ? { anchor: step.anchor } : {}),
      placement: step.placement,
      ...(step.page ? { page: step.page } : {}),
      ...(step.pageUrl ? { pageUrl: step.pageUrl } : {}),
      advance: step.advance,
      whenMissing: step.whenMissing,
      waitSeconds: step.waitSeconds,
      whenHidden: step.whenHidden,
      backdrop: step.backdrop,
    })),
    trigger: content.trigger,
    urls: content.audience.urls,
    excludeUrls: content.audience.excludeUrls,
    priority: content.priority,
    dismissible: content.dismissible,
    resumeAt,
    preview,
  };
}
