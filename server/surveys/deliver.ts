import { and, eq, inArray, sql } from 'drizzle-orm';
import { asTime, matchesTraits } from '../../shared/conditions.ts';
import type { DeliveredSurvey } from '../../shared/schemas/content.ts';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import type { SurveyContent } from '../../shared/schemas/survey.ts';
import { pickTranslation, type Subject } from '../content/deliver.ts';
import { publishedContent } from '../content/versioned.ts';
import type { Database } from '../db/client.ts';
import { events, surveyResponses } from '../db/schema.ts';
import { samplingDraw, surveyEligibility } from './eligibility.ts';

/**
 * The survey this user should be asked now, if any: of the published surveys whose audience they
 * are in and whose sampling rules allow it (server/surveys/eligibility.ts), the highest priority.
 * Their history comes from their responses and the widget's `survey_shown` / `survey_dismissed`.
 */
export async function deliverSurveys(
  db: Database,
  subject: Subject,
  options: { now: number; cooldownHours: number; firstSeen: number | null },
): Promise<DeliveredSurvey[]> {
  const { workspaceId, userId, traits } = subject;
  const { now } = options;
  const published = await publishedContent<SurveyContent>(db, workspaceId, 'survey');
  const visible = published
    .filter((row) => matchesTraits(row.content.audience, traits, now))
    .sort((a, b) => b.content.priority - a.content.priority);
  if (visible.length === 0) return [];

  const responses = await db.read
    .select({ surveyId: surveyResponses.surveyId, at: sql<number>`max(${surveyResponses.respondedAt})` })
    .from(surveyResponses)
    .where(and(eq(surveyResponses.workspaceId, workspaceId), eq(surveyResponses.userId, userId)))
    .groupBy(surveyResponses.surveyId);
  const lastResponse = new Map(responses.map((row) => [row.surveyId, row.at]));
  const shownName = internalEvent('survey_shown');
  const prompts = await db.read
    .select({
      name: events.name,
      surveyId: sql<string>`json_extract(${events.properties}, '$.contentId')`,
      at: events.timestamp,
    })
    .from(events)
    .where(
      and(
        eq(events.workspaceId, workspaceId),
        eq(events.userId, userId),
        eq(events.type, 'track'),
        inArray(events.name, [shownName, internalEvent('survey_dismissed')]),
      ),
    );

  const userStart = asTime(traits.user.createdAt) ?? options.firstSeen ?? now;
  for (const row of visible) {
    const mine = prompts.filter((p) => p.surveyId === row.id);
    const others = prompts.filter((p) => p.surveyId !== row.id && p.name === shownName);
    const eligibility = surveyEligibility(
      row.content.sampling,
      {
        userStart,
        lastResponseAt: lastResponse.get(row.id) ?? null,
        lastDismissAt: latest(mine.filter((p) => p.name !== shownName).map((p) => p.at)),
        displays: mine.filter((p) => p.name === shownName).map((p) => p.at),
        lastOtherPromptAt: latest(others.map((p) => p.at)),
      },
      { now, cooldownHours: options.cooldownHours, draw: samplingDraw(row.id, userId, now) },
    );
    if (eligibility.eligible) return [present(row, subject.locale)];
  }
  return [];
}

const latest = (times: number[]): number | null => (times.length === 0 ? null : Math.max(...times));

/** The survey in the best locale for the user, `{product}` filled in. */
function present(
  row: { id: string; version: number; content: SurveyContent },
  requested: string | null,
): DeliveredSurvey {
  const { content } = row;
  const { locale, translation: t } = pickTranslation(content.translations, content.locale, requested);
  const product = (text: string) => text.replaceAll('{product}', content.productName);
  return {
    id: row.id,
    version: row.version,
    locale,
    question: product(t?.question ?? content.question),
    lowLabel: t?.lowLabel ?? content.lowLabel,
    highLabel: t?.highLabel ?? content.highLabel,
    followUp: {
      detractor: product(t?.followUp.detractor ?? content.followUp.detractor),
      passive: product(t?.followUp.passive ?? content.followUp.passive),
      promoter: product(t?.followUp.promoter ?? content.followUp.promoter),
    },
    thankYou: product(t?.thankYou ?? content.thankYou),
    position: content.position,
    theme: content.theme,
    delaySeconds: content.sampling.delaySeconds,
    urls: content.audience.urls,
    excludeUrls: content.audience.excludeUrls,
    askAgainAfterResponseDays: content.sampling.askAgainAfterResponseDays,
    askAgainAfterDismissDays: content.sampling.askAgainAfterDismissDays,
    redisplayAfterHours: content.sampling.redisplayAfterHours,
  };
}
