import { type SurveyContent, surveyContent } from '../../shared/schemas/survey.ts';
import type { KindRecord } from '../content/kind-record.ts';
import { deliverSurveys } from './deliver.ts';
import { surveyIngest } from './responses.ts';
import { npsResults } from './results.ts';
import { surveyRoutes } from './routes.ts';
import { surveyService } from './service.ts';
import { accountDetractors, accountNps, npsSignals } from './signals.ts';
import { responsesPage } from './verbatims.ts';

/**
 * NPS surveys (README, "NPS surveys"): asked by the widget, answers projected at ingestion into
 * `survey_responses` (./responses.ts), reported as results, verbatims, CSV and the signals account
 * health reads (./signals.ts).
 */
export const surveyKind = {
  kind: 'survey',
  schema: surveyContent,
  service: ({ db, clock }) => surveyService(db, clock),
  // A survey asks by itself whenever it is shown: the cooldown always counts it.
  opensByItself: () => true,
  deliver: (context, published, draft) => {
    const surveys = deliverSurveys(published, draft, context.subject, {
      now: context.now,
      cooldownHours: context.workspace.promptCooldownHours,
      firstSeen: context.read.user?.firstSeen ?? null,
      history: context.history,
      responses: context.read.surveyResponses,
      opensByItself: context.opensByItself,
      theme: context.theme,
      workspaceName: context.workspace.name,
    });
    // A survey's preview is asked now: the widget's scheduler would hold it back for the cooldown.
    return surveys[0]?.version === 0 ? { surveys, promptCooldownHours: 0 } : { surveys };
  },
  ingest: surveyIngest,
  routes: surveyRoutes,
  analytics: {
    results: npsResults,
    responses: responsesPage,
    signals: npsSignals,
    accountNps,
    accountDetractors,
  },
} satisfies KindRecord<SurveyContent, ReturnType<typeof surveyRoutes>>;
