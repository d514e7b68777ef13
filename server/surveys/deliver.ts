import { asTime, matchesTraits } from '../../shared/conditions.ts';
import { deliverTheme } from '../../shared/delivered-theme.ts';
import type { UrlRule } from '../../shared/schemas/condition.ts';
import type { DeliveredSurvey } from '../../shared/schemas/content.ts';
import type { SurveyContent } from '../../shared/schemas/survey.ts';
import type { Theme } from '../../shared/schemas/theme.ts';
import { surveyDefaults } from '../../shared/widget-strings.ts';
import { lastPromptAt, type PromptEvent } from '../content/prompts.ts';
import type { Subject } from '../content/subject.ts';
import { pickTranslation } from '../content/translation.ts';
import { deliverableUrls } from '../content/url-rules.ts';
import type { Published } from '../content/versioned.ts';
import { samplingDraw, surveyEligibility } from './eligibility.ts';

/**
 * The survey this user should be asked now, if any: of the published surveys whose audience they
 * are in and whose sampling rules allow it (server/surveys/eligibility.ts), the highest priority.
 * Their history comes from their responses and the widget's events (server/content/prompts.ts).
 */
export function deliverSurveys(
  published: readonly Published<SurveyContent>[],
  /** The draft a preview link names, if it is a survey's: the one asked, whatever the rest. */
  draft: { id: string; content: SurveyContent } | null,
  subject: Subject,
  options: {
    now: number;
    cooldownHours: number;
    firstSeen: number | null;
    history: readonly PromptEvent[];
    /** The user's responses (`userResponses`). */
    responses: ReadonlyArray<{ surveyId: string; at: number }>;
    opensByItself: (spotlightId: string) => boolean;
    /** The workspace theme, which a survey's own theme overrides. */
    theme: Theme;
    /** What `{product}` stands for in surveys without a `productName`. */
    workspaceName: string;
  },
): DeliveredSurvey[] {
  const { userId, traits } = subject;
  const { now } = options;
  if (draft) return [presentPreview(draft, subject.locale, options)];
  const visible = published
    .flatMap((row) => {
      const urls = deliverableUrls(row.content.audience);
      return urls && matchesTraits(row.content.audience, traits, now) ? [{ ...row, urls }] : [];
    })
    .sort((a, b) => b.content.priority - a.content.priority);
  if (visible.length === 0) return [];

  const lastResponse = new Map<string, number>();
  for (const row of options.responses)
    lastResponse.set(row.surveyId, Math.max(row.at, lastResponse.get(row.surveyId) ?? 0));
  const { history } = options;

  const userStart = createdAtOf(traits.user.createdAt) ?? options.firstSeen ?? now;
  for (const row of visible) {
    const mine = history.filter((event) => event.contentId === row.id);
    const eligibility = surveyEligibility(
      row.content.sampling,
      {
        userStart,
        lastResponseAt: lastResponse.get(row.id) ?? null,
        lastDismissAt: latest(mine.filter((e) => e.name === 'survey_dismissed').map((e) => e.at)),
        displays: mine.filter((e) => e.name === 'survey_shown').map((e) => e.at),
        lastOtherPromptAt: lastPromptAt(history, options.opensByItself, row.id),
      },
      { now, cooldownHours: options.cooldownHours, draw: samplingDraw(row.id, userId, now) },
    );
    if (eligibility.eligible) return [present(row, subject.locale, options)];
  }
  return [];
}

/**
 * A survey's draft shown through a preview link: whatever the audience, sampling and history, on
 * any page, and again however often it was answered or dismissed in this browser (the widget's own
 * delays are zero). The widget's events for it carry version 0, which ingestion refuses: nothing is
 * recorded. A preview ignores the workspace's prompt cooldown (server/content/deliver.ts).
 */
export function presentPreview(
  draft: { id: string; content: SurveyContent },
  requested: string | null,
  workspace: { theme: Theme; workspaceName: string },
): DeliveredSurvey {
  const shown = present(
    { id: draft.id, version: 0, content: draft.content, urls: { urls: [], excludeUrls: [] } },
    requested,
    workspace,
  );
  return { ...shown, askAgainAfterResponseDays: 0, askAgainAfterDismissDays: 0, redisplayAfterHours: 0 };
}

/** `createdAt` as ISO 8601, epoch milliseconds, or epoch seconds (as some billing systems send it). */
function createdAtOf(value: unknown): number | null {
  const time = asTime(value);
  return time !== null && typeof value === 'number' && Math.abs(time) < 1e11 ? time * 1000 : time;
}

const latest = (times: number[]): number | null => (times.length === 0 ? null : Math.max(...times));

/**
 * The survey in the best locale for the user, `{product}` filled in, in the workspace theme with
 * its own overrides. Text the author left out is Waymark's standard text (shared/widget-strings.ts)
 * in the language the survey is shown in; a survey with no text of its own at all is shown in the
 * user's language, when Waymark has its text in it.
 */
export function present(
  row: {
    id: string;
    version: number;
    content: SurveyContent;
    urls: { urls: UrlRule[]; excludeUrls: UrlRule[] };
  },
  requested: string | null,
  workspace: { theme: Theme; workspaceName: string },
): DeliveredSurvey {
  const { content } = row;
  const picked = pickTranslation(content.translations, content.locale, requested);
  const t = picked.translation;
  const { followUp } = content;
  const ownText = [
    content.question,
    content.lowLabel,
    content.highLabel,
    followUp.detractor,
    followUp.passive,
    followUp.promoter,
    content.thankYou,
  ].some((text) => text !== undefined);
  // Text of the author's, or a translation: its language. Nothing of the author's: the user's.
  const authored = ownText || t !== undefined;
  const defaults = surveyDefaults(authored ? picked.locale : (requested ?? picked.locale));
  const standard = defaults.text;
  const locale = authored ? picked.locale : defaults.locale;
  const productName = content.productName ?? workspace.workspaceName;
  const product = (text: string) => text.replaceAll('{product}', productName);
  return {
    id: row.id,
    version: row.version,
    locale,
    question: product(t?.question ?? content.question ?? standard.question),
    lowLabel: t?.lowLabel ?? content.lowLabel ?? standard.lowLabel,
    highLabel: t?.highLabel ?? content.highLabel ?? standard.highLabel,
    followUp: {
      detractor: product(t?.followUp.detractor ?? followUp.detractor ?? standard.followUp.detractor),
      passive: product(t?.followUp.passive ?? followUp.passive ?? standard.followUp.passive),
      promoter: product(t?.followUp.promoter ?? followUp.promoter ?? standard.followUp.promoter),
    },
    thankYou: product(t?.thankYou ?? content.thankYou ?? standard.thankYou),
    position: content.position,
    theme: deliverTheme(workspace.theme, content.theme),
    delaySeconds: content.sampling.delaySeconds,
    urls: row.urls.urls,
    excludeUrls: row.urls.excludeUrls,
    askAgainAfterResponseDays: content.sampling.askAgainAfterResponseDays,
    askAgainAfterDismissDays: content.sampling.askAgainAfterDismissDays,
    redisplayAfterHours: content.sampling.redisplayAfterHours,
  };
}
