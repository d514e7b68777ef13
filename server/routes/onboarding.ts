import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import { milestone, milestoneInput } from '../../shared/schemas/milestone.ts';
import { timeToValueReport } from '../../shared/schemas/reports.ts';
import { timeToValue, ttvQuery } from '../analytics/time-to-value.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../http/api-error.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { adminSecurity, answers, body, bodyReadByHandler, noContent, routes } from '../http/routes.ts';
import { idParams, workspaceOf } from './versioned.ts';

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
 * Admin API for onboarding (mounted under /v1/admin, behind its secret-key check): milestones and
 * time to value (checklists are a content kind: server/checklists/routes.ts).
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
