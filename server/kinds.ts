import type { IngestHooks } from './ingest/hooks.ts';
import { surveyIngest } from './surveys/responses.ts';

/**
 * What the content kinds add to the generic paths, listed once: the ingest pipeline runs each kind's
 * hooks and names none. A new kind with ingest-time checks or projections adds its hooks here
 * (README, "Architecture").
 */
export const ingestHooks: readonly IngestHooks[] = [surveyIngest];
