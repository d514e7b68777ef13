import { createRoute } from '@hono/zod-openapi';
import { deliveredSpotlight } from '../../shared/schemas/content.ts';
import { spotlightFunnels } from '../../shared/schemas/reports.ts';
import {
  type SpotlightDraftInput,
  spotlightDraftInput,
  spotlightRecord,
  spotlightVersion,
} from '../../shared/schemas/spotlight.ts';
import type { AppDeps } from '../app.ts';
import { adminSecurity, answers, routes } from '../http/routes.ts';
import { funnelQuery, idParams, versionedRoutes, workspaceOf as ws } from '../routes/versioned.ts';
import { present } from './deliver.ts';
import { spotlightFunnel } from './funnel.ts';

const funnelRoute = createRoute({
  method: 'get',
  path: '/spotlights/{id}/funnel',
  summary: 'Shown, each step viewed and dismissed at, completed, completion rate, targets not found',
  security: adminSecurity,
  request: { params: idParams, query: funnelQuery },
  responses: answers(spotlightFunnels),
});

/**
 * Admin API for spotlights and tours (mounted under /v1/admin, behind its secret-key check):
 * drafts and versions, preview links and the step funnel.
 */
export function spotlightRoutes(deps: AppDeps) {
  return routes()
    .route(
      '/',
      versionedRoutes(
        'spotlights',
        deps.spotlights,
        {
          noun: 'spotlight or tour',
          input: spotlightDraftInput,
          example: {
            name: 'CSV export',
            content: {
              steps: [
                {
                  id: 'export',
                  kind: 'hotspot',
                  title: 'Export to CSV',
                  body: 'Download every invoice as a spreadsheet.',
                  anchor: { selector: '[data-tour="export"]' },
                },
              ],
            },
          } satisfies SpotlightDraftInput,
          record: spotlightRecord,
          version: spotlightVersion,
          delivered: deliveredSpotlight,
        },
        {
          clock: deps.clock,
          present: (_tenant, record, locale) =>
            present({ id: record.id, version: 0, content: record.draft }, locale, null, true),
        },
      ),
    )
    .openapi(funnelRoute, async (c) => {
      const id = c.req.param('id');
      const requested = c.req.valid('query').version;
      const versions =
        requested === undefined
          ? await deps.spotlights.versions(ws(c), id)
          : [await deps.spotlights.version(ws(c), id, requested)];
      return c.json(
        { funnels: await Promise.all(versions.map((v) => spotlightFunnel(deps.db, ws(c), v))) },
        200,
      );
    });
}
