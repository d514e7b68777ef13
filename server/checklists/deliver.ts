import { matchesTraits } from '../../shared/conditions.ts';
import { parseRichText } from '../../shared/rich-text.ts';
import type { ChecklistContent, ChecklistItem } from '../../shared/schemas/checklist.ts';
import type { UrlRule } from '../../shared/schemas/condition.ts';
import type { DeliveredChecklist, DeliveredItem, LocalRule } from '../../shared/schemas/content.ts';
import type { EventRule } from '../../shared/schemas/milestone.ts';
import type { Subject } from '../content/subject.ts';
import { pickTranslation } from '../content/translation.ts';
import { deliverableUrls, isSafeRule } from '../content/url-rules.ts';
import type { Published } from '../content/versioned.ts';
import { goalId, progressKey } from '../goals/goal-id.ts';

/**
 * The published checklists whose audience the user is in, with their progress, highest priority
 * first (then oldest publication first); and the draft a preview link names, in place of its
 * published version and before the others, whatever the audience and on any page.
 */
export function deliverChecklists(
  published: readonly Published<ChecklistContent>[],
  draft: { id: string; version: 0; content: ChecklistContent } | null,
  subject: Subject,
  now: number,
  read: {
    progress: Map<string, number>;
    milestoneByKey: Map<string, { id: string; rule: EventRule }>;
    states: Map<string, { shown?: number; opened?: number; dismissed?: number }>;
  },
): DeliveredChecklist[] {
  const { accountId, traits } = subject;
  const { progress, milestoneByKey, states } = read;
  const visible = published
    .flatMap((row) => {
      const urls = deliverableUrls(row.content.audience);
      return row.id !== draft?.id && urls && matchesTraits(row.content.audience, traits, now)
        ? [{ ...row, urls }]
        : [];
    })
    // Highest priority first; a stable sort keeps equal ones in publication order. Content stored
    // before checklists had a priority has none: 0, the default.
    .sort((a, b) => (b.content.priority ?? 0) - (a.content.priority ?? 0));
  const shown: Array<{
    id: string;
    version: number;
    content: ChecklistContent;
    urls: { urls: UrlRule[]; excludeUrls: UrlRule[] };
  }> = [...visible];
  if (draft) shown.unshift({ ...draft, urls: { urls: [], excludeUrls: [] } });

  return shown.map((row): DeliveredChecklist => {
    const scope = row.content.scope === 'account' && accountId !== null ? 'account' : 'user';
    const state = row.version === 0 ? undefined : states.get(row.id);
    return presentChecklist(row, subject.locale, milestoneByKey, {
      doneAt(item) {
        const goal =
          item.completion.kind === 'milestone'
            ? goalId.milestone(milestoneByKey.get(item.completion.milestone)?.id ?? '')
            : goalId.item(row.id, item.id);
        return progress.get(progressKey(scope, goal)) ?? null;
      },
      seen: state?.shown !== undefined,
      dismissed: state?.dismissed !== undefined && state.dismissed > (state.opened ?? 0),
    });
  });
}

/**
 * A checklist as the widget receives it, localized, with the user's progress (none for the admin
 * API's preview of a draft).
 */
export function presentChecklist(
  row: {
    id: string;
    version: number;
    content: ChecklistContent;
    urls: { urls: UrlRule[]; excludeUrls: UrlRule[] };
  },
  locale: string | null,
  milestoneByKey: Map<string, { rule: EventRule }>,
  user: { doneAt(item: ChecklistItem): number | null; seen: boolean; dismissed: boolean },
): DeliveredChecklist {
  const { content } = row;
  const text = localize(content, locale);
  return {
    id: row.id,
    version: row.version,
    scope: content.scope,
    locale: text.locale,
    title: parseRichText(text.title),
    description: parseRichText(text.description),
    position: content.display.position,
    openOnFirstView: content.display.openOnFirstView,
    dismissible: content.display.dismissible,
    urls: row.urls.urls,
    excludeUrls: row.urls.excludeUrls,
    items: content.items.map((item): DeliveredItem => {
      const done = user.doneAt(item);
      const rule = localRule(item, milestoneByKey);
      return {
        id: item.id,
        title: parseRichText(text.items.get(item.id)?.title ?? item.title),
        description: parseRichText(text.items.get(item.id)?.description ?? item.description),
        ...(item.action ? { action: item.action } : {}),
        required: item.required,
        manual: item.completion.kind === 'manual',
        ...(rule ? { localRule: rule } : {}),
        doneAt: done === null ? null : new Date(done).toISOString(),
      };
    }),
    seen: user.seen,
    dismissed: user.dismissed,
  };
}

/**
 * The widget may tick an item itself on a single matching event (the item's own rule, or its
 * milestone's) or page. Counts and time windows need history the widget does not have.
 */
function localRule(item: ChecklistItem, milestoneByKey: Map<string, { rule: EventRule }>): LocalRule | null {
  const completion = item.completion;
  // A rule that could freeze the page stays on the server (which matches no regex in SQL either).
  if (completion.kind === 'url')
    return isSafeRule(completion.url) ? { kind: 'url', url: completion.url } : null;
  const rule =
    completion.kind === 'event'
      ? completion
      : completion.kind === 'milestone'
        ? milestoneByKey.get(completion.milestone)?.rule
        : undefined;
  if (rule && rule.count === 1 && rule.withinDays === undefined) {
    return { kind: 'event', event: rule.event, where: rule.where };
  }
  return null;
}

/** A checklist's text in the best locale for the request; each field falls back on its own. */
export function localize(content: ChecklistContent, requested: string | null) {
  const { locale, translation } = pickTranslation(content.translations, content.locale, requested);
  return {
    locale,
    title: translation?.title ?? content.title,
    description: translation?.description ?? content.description,
    items: new Map(Object.entries(translation?.items ?? {})),
  };
}
