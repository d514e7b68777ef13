import type { ContentResponse, DeliveredSurvey } from '../../shared/schemas/content.ts';
import { response } from './checklist-fixture.ts';

/**
 * A delivered NPS survey as the server sends it (the demo's "Ledgerly NPS", in English): shown 3 s
 * after the page matches, asked again 90 days after an answer, 30 after a dismissal, 24 hours after
 * a display left unanswered. Tests change copies of it.
 */
export function survey(overrides: Partial<DeliveredSurvey> = {}): DeliveredSurvey {
  return {
    id: 'sv_nps',
    version: 2,
    locale: 'en',
    question: 'How likely are you to recommend Ledgerly to a friend or colleague?',
    lowLabel: 'Not at all likely',
    highLabel: 'Extremely likely',
    followUp: {
      detractor: 'Sorry to hear that. What is the main reason for your score?',
      passive: 'Thanks! What would make Ledgerly a 10 for you?',
      promoter: 'Wonderful! What do you like most about Ledgerly?',
    },
    thankYou: 'Thank you: the Ledgerly team reads every answer.',
    position: 'bottom-right',
    theme: {
      brandColor: '#0f766e',
      onBrand: '#fff',
      font: 'system-ui, sans-serif',
      radius: 12,
      mode: 'light',
    },
    delaySeconds: 3,
    urls: [],
    excludeUrls: [],
    askAgainAfterResponseDays: 90,
    askAgainAfterDismissDays: 30,
    redisplayAfterHours: 24,
    ...overrides,
  };
}

/** The fixture response with this survey and no checklist (unless `overrides` says otherwise). */
export function surveyResponse(
  s: DeliveredSurvey = survey(),
  overrides: Partial<ContentResponse> = {},
): ContentResponse {
  return response({ checklists: [], surveys: [s], ...overrides });
}
