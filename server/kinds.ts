import type { ChecklistContent } from '../shared/schemas/checklist.ts';
import type { SpotlightContent } from '../shared/schemas/spotlight.ts';
import type { SurveyContent } from '../shared/schemas/survey.ts';
import type { AppDeps } from './app.ts';
import { checklistKind } from './checklists/kind.ts';
import type { KindRecord, KindServiceDeps } from './content/kind-record.ts';
import type { VersionedContent } from './content/versioned.ts';
import { routes } from './http/routes.ts';
import type { IngestHooks } from './ingest/hooks.ts';
import { spotlightKind } from './spotlights/kind.ts';
import { surveyKind } from './surveys/kind.ts';

/**
 * The content kinds, listed once (README, "How to add a content kind"): content delivery, ingestion,
 * the admin routes and so the OpenAPI document iterate over them, and name none.
 */
export const contentKinds: readonly KindRecord<unknown>[] = [checklistKind, surveyKind, spotlightKind];

/** What the kinds add to ingestion: the ingest pipeline runs each kind's hooks and names none. */
export const ingestHooks: readonly IngestHooks[] = contentKinds.flatMap((kind) =>
  kind.ingest ? [kind.ingest] : [],
);

/** Each kind's drafts and versions, one service per app (`AppDeps` holds them). */
export interface KindServices {
  checklists: VersionedContent<ChecklistContent>;
  surveys: VersionedContent<SurveyContent>;
  spotlights: VersionedContent<SpotlightContent>;
}
export const kindServices = (deps: KindServiceDeps): KindServices => ({
  checklists: checklistKind.service(deps),
  surveys: surveyKind.service(deps),
  spotlights: spotlightKind.service(deps),
});

/**
 * Every kind's admin routes, mounted under `/v1/admin` (server/routes/admin.ts): chained one by one
 * rather than looped over, so that the typed client (`hc<AppType>`) keeps each route's types.
 */
export const kindRoutes = (deps: AppDeps) =>
  routes()
    .route('/', checklistKind.routes(deps))
    .route('/', surveyKind.routes(deps))
    .route('/', spotlightKind.routes(deps));
