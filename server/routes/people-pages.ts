import { createRoute } from '@hono/zod-openapi';
import { accountOverview as accountOverviewAnswer } from '../../shared/schemas/people-detail.ts';
import type { AppDeps } from '../app.ts';
import { adminSecurity, answers, routes } from '../http/routes.ts';
import { accountOverview } from '../people/account-overview.ts';
import { idParams, workspaceOf } from './versioned.ts';

const route = {
  account: createRoute({
    method: 'get',
    path: '/accounts/{id}/overview',
    summary:
      "An account's page: members, milestones, active users per day against seats (18 weeks), core-feature use, checklist progress, NPS answers, latest events",
    security: adminSecurity,
    request: { params: idParams },
    responses: answers(accountOverviewAnswer),
  }),
};

/**
 * The console's pages of one account or one person (mounted under /v1/admin), each drawn from one
 * answer (README, "Console"); every part is a short indexed read of the rollups and indexes.
 */
export function peoplePageRoutes(deps: AppDeps) {
  const app = routes();
  return app.openapi(route.account, async (c) =>
    c.json(
      await accountOverview(deps.db, deps.health.features, workspaceOf(c), c.req.param('id'), deps.clock()),
      200,
    ),
  );
}
