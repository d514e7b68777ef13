import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import {
  type ChecklistDraftInput,
  checklistDraftInput,
  checklistRecord,
  checklistVersion,
} from '../../shared/schemas/checklist.ts';
import { deliveredChecklist } from '../../shared/schemas/content.ts';
import { milestone, milestoneInput } from '../../shared/schemas/milestone.ts';
import { checklistFunnels, timeToValueReport } from '../../shared/schemas/reports.ts';
import { checklistFunnel } from '../analytics/checklist-funnel.ts';
import { timeToValue, ttvQuery } from '../analytics/time-to-value.ts';
import type { AppDeps } from '../app.ts';
import { presentChecklist } from '../content/deliver.ts';
import { milestonesByKey } from '../content/milestones.ts';
import { ApiError } from '../http/api-error.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { adminSecurity, answers, body, bodyReadByHandler, noContent, routes } from '../http/routes.ts';
import { funnelQuery, idParams, versionedRoutes, workspaceOf } from './versioned.ts';

const security = adminSecurity;
const milestoneExample = {
  key: 'invoice_sent',
  name: 'Sent an invoice',
  rule: { event: 'Invoice Sent', where: [{ property: 'amount', op: 'gt' as const, value: 0 }], count: 1 },
  isValue: true,
};
const route = {
  listMilestones: createRoute({
    method: 'get',
    path: '/milestones',
    summary: 'List milestones',
    security,
    responses: answers(z.object({ milestones: z.array(milestone) })),
  }),
  createMilestone: createRoute({
    method: 'post',
    path: '/milestones',
    summary: 'Create a milestone (backfilled from existing events)',
    security,
    request: { body: body(milestoneInput, milestoneExample) },
    responses: answers(milestone, 'Created', 201),
  }),
  getMilestone: createRoute({
    method: 'get',
    path: '/milestones/{id}',
    summary: 'Get a milestone',
    security,
    request: { params: idParams },
    responses: answers(milestone),
  }),
  replaceMilestone: createRoute({
    method: 'put',
    path: '/milestones/{id}',
    summary: 'Replace a milestone (recomputed when its rule changes)',
    security,
    request: { params: idParams, body: body(milestoneInput, milestoneExample) },
    responses: answers(milestone),
  }),
  deleteMilestone: createRoute({
    method: 'delete',
    path: '/milestones/{id}',
    summary: 'Delete a milestone no checklist uses',
    security,
    request: { params: idParams },
    responses: noContent(),
  }),
  funnel: createRoute({
    method: 'get',
    path: '/checklists/{id}/funnel',
    summary: 'Shown, started, per-item, completed and dismissed counts per version',
    security,
    request: { params: idParams, query: funnelQuery },
    responses: answers(checklistFunnels),
  }),
  timeToValue: createRoute({
    method: 'get',
    path: '/reports/time-to-value',
    summary: 'Time to first value: median, p90, share reached by day 7/14/30, by cohort and segment',
    security,
    request: { query: ttvQuery },
    responses: answers(timeToValueReport),
  }),
};

/**
 * Admin API for onboarding (mounted under /v1/admin, behind its secret-key check): milestones,
 * checklists with drafts and immutable versions, time to value and checklist funnels.
 */
export function onboardingRoutes(deps: AppDeps) {
  const app = routes();
  const ws = workspaceOf;

  return app
    .openapi(route.listMilestones, async (c) =>
      c.json({ milestones: await deps.milestones.list(ws(c)) }, 200),
    )
    .openapi(bodyReadByHandler(app, route.createMilestone), async (c) => {
      const input = parse(milestoneInput, await jsonBody(c.req.raw));
      return c.json(await deps.milestones.create(ws(c), input), 201);
    })
    .openapi(route.getMilestone, async (c) =>
      c.json(await deps.milestones.get(ws(c), c.req.param('id')), 200),
    )
    .openapi(bodyReadByHandler(app, route.replaceMilestone), async (c) => {
      const input = parse(milestoneInput, await jsonBody(c.req.raw));
      return c.json(await deps.milestones.replace(ws(c), c.req.param('id'), input), 200);
    })
    .openapi(route.deleteMilestone, async (c) => {
      await deps.milestones.delete(ws(c), c.req.param('id'));
      return c.body(null, 204);
    })
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
    })
    .openapi(route.timeToValue, async (c) => {
      const query = c.req.valid('query');
      const value = await deps.milestones.value(ws(c));
      if (!value) {
        throw new ApiError(
          409,
          errorCodes.conflict,
          'No value milestone',
          'Mark one milestone as the value milestone (isValue: true) to measure time to value.',
        );
      }
      const report = await timeToValue(deps.db, ws(c), value.id, query, deps.clock());
      return c.json({ milestone: { id: value.id, key: value.key, name: value.name }, ...report }, 200);
    });
}
