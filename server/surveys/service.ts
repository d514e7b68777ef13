import { surveyContent } from '../../shared/schemas/survey.ts';
import { VersionedContent } from '../content/versioned.ts';
import type { Database } from '../db/client.ts';

/** NPS surveys: drafts and immutable versions, nothing more (responses are projected at ingestion). */
export const surveyService = (db: Database, clock: () => number) =>
  new VersionedContent(
    db,
    { kind: 'survey', schema: surveyContent },
    { label: 'Survey', idPrefix: 'sv' },
    clock,
  );
