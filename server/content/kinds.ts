import type { SpotlightContent } from '../../shared/schemas/spotlight.ts';
import type { SurveyContent } from '../../shared/schemas/survey.ts';
import type { Database } from '../db/client.ts';
import { VersionedContent } from './versioned.ts';

/** NPS surveys: drafts and immutable versions, nothing more (responses are projected at ingestion). */
export const surveyService = (db: Database, clock: () => number) =>
  new VersionedContent<SurveyContent>(db, 'survey', { label: 'Survey', idPrefix: 'sv' }, clock);

/** Spotlights and tours: drafts and immutable versions. */
export const spotlightService = (db: Database, clock: () => number) =>
  new VersionedContent<SpotlightContent>(db, 'spotlight', { label: 'Spotlight', idPrefix: 'sp' }, clock);
