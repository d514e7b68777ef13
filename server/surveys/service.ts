import type { SurveyContent } from '../../shared/schemas/survey.ts';
import { VersionedContent } from '../content/versioned.ts';
import type { Database } from '../db/client.ts';

/** NPS surveys: drafts and immutable versions, nothing more (responses are projected at ingestion). */
export const surveyService = (db: Database, clock: () => number) =>
  new VersionedContent<SurveyContent>(db, 'survey', { label: 'Survey', idPrefix: 'sv' }, clock);
