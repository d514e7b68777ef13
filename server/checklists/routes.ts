import { createRoute } from '@hono/zod-openapi';
import {
  type ChecklistDraftInput,
  checklistDraftInput,
  checklistRecord,
  checklistVersion,
} from '../../shared/schemas/checklist.ts';
import { deliveredChecklist } from '../../shared/schemas/content.ts';
import { checklistFunnels } from '../../shared/schemas/reports.ts';
import type { AppDeps } from '../app.ts';
import { milestonesByKey } from '../content/milestones.ts';
import { adminSecurity, answers, routes } from '../http/routes.ts';
import { funnelQuery, idParams, versionedRoutes, workspaceOf } from '../routes/versioned.ts';
import { presentChecklist } from './deliver.ts';
import { checklistFunnel } from './funnel.ts';

const route = {
  funnel: createRoute({
    method: 'get',
    path: '/checklists/{id}/funnel',
    summary: 'Shown, started, per-item, completed and dismissed counts per version',
    security: adminSecurity,
    request: { params: idParams, query: funnelQuery },
    responses: answers(checklistFunnels),
  }),
};

/**
 * Admin API for checklists (mounted under /v1/admin, behind its secret-key check): drafts and
 * immutable versions, preview links and the funnel per version.
 */
export function checklistRoutes(deps: AppDeps) {
  const ws = workspaceOf;
  return routes()
    .route(
      '/',
      versionedRoutes(
        'checklists',
        deps.checklists,
        {
          noun: 'checklist',
          input: checklistDraftInput,
          example: {
            name: 'Onboarding',
            content: {
              title: 'Get started with Ledgerly',
              items: [
                {
                  id: 'send_invoice',
                  title: 'Send your first invoice',
                  completion: { kind: 'event', event: 'Invoice Sent' },
                },
                { id: 'invite', title: 'Invite a teammate', completion: { kind: 'manual' }, required: false },
              ],
            },
          } satisfies ChecklistDraftInput,
          record: checklistRecord,
          version: checklistVersion,
          delivered: deliveredChecklist,
        },
        {
          clock: deps.clock,
          present: async ({ workspace }, record, locale) =>
            presentChecklist(
              { id: record.id, version: 0, content: record.draft, urls: { urls: [], excludeUrls: [] } },
              locale,
              await milestonesByKey(deps.db, workspace.id),
              { doneAt: () => null, seen: false, dismissed: false },
            ),
        },
      ),
    )
    .openapi(route.funnel, async (c) => {
      const id = c.req.param('id');
      const requested = c.req.valid('query').version;
      const versions =
        requested === undefined
          ? await deps.checklists.versions(ws(c), id)
          : [await deps.checklists.version(ws(c), id, requested)];
      return c.json(
        { funnels: await Promise.all(versions.map((v) => checklistFunnel(deps.db, ws(c), v))) },
        200,
      );
    });
}
