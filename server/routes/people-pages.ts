import { createRoute } from '@hono/zod-openapi';
import {
  accountOverview as accountOverviewAnswer,
  eventsShown,
  userOverview as userOverviewAnswer,
} from '../../shared/schemas/people-detail.ts';
import type { AppDeps } from '../app.ts';
import { adminSecurity, answers, routes } from '../http/routes.ts';
import { accountOverview } from '../people/account-overview.ts';
import { userOverview } from '../people/user-overview.ts';
import { idParams, workspaceOf } from './versioned.ts';

const route = {
  account: createRoute({
    method: 'get',
    path: '/accounts/{id}/overview',
    summary:
      "An account's page: members, milestones, active users per day against seats (18 weeks), core-feature use, checklist progress, NPS answers, latest events",
    security: adminSecurity,
    request: { params: idParams, query: eventsShown },
    responses: answers(accountOverviewAnswer),
  }),
  user: createRoute({
    method: 'get',
    path: '/users/{id}/overview',
    summary:
      "A person's page: traits, account and its health, milestones and time to value, checklist and tour progress, NPS answers, latest events (the product's own unless events=all)",
    security: adminSecurity,
    request: { params: idParams, query: eventsShown },
    responses: answers(userOverviewAnswer),
  }),
};

/**
 * The console's pages of one account or one person (mounted under /v1/admin), each drawn from one
 * answer (README, "Console"); every part is a short indexed read of the rollups and indexes.
 */
export function peoplePageRoutes(deps: AppDeps) {
  const app = routes();
  return app
    .openapi(route.account, async (c) =>
      c.json(
        await accountOverview(
          deps.db,
          deps.health.features,
          workspaceOf(c),
          c.req.param('id'),
          c.req.valid('query').events,
          deps.clock(),
        ),
        200,
      ),
    )
    .openapi(route.user, async (c) =>
      c.json(
        await userOverview(deps.db, workspaceOf(c), c.req.param('id'), c.req.valid('query').events),
        200,
      ),
    );
}
