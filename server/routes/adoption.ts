import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { adoptionAccountsAnswer } from '../../shared/schemas/adoption.ts';
import {
  adoptionAccounts,
  adoptionAccountsCsv,
  adoptionAccountsExportQuery,
  adoptionAccountsQuery,
} from '../adoption/accounts.ts';
import type { AppDeps } from '../app.ts';
import { adminSecurity, answers, routes } from '../http/routes.ts';
import { workspaceOf } from './versioned.ts';

const security = adminSecurity;
const route = {
  accounts: createRoute({
    method: 'get',
    path: '/reports/adoption/accounts',
    summary:
      "Core features by account (the heatmap): each account's active users in the window and, per core feature, how many of them used it and their share; searched, sorted and paged on the server",
    security,
    request: { query: adoptionAccountsQuery },
    responses: answers(adoptionAccountsAnswer),
  }),
  accountsCsv: createRoute({
    method: 'get',
    path: '/reports/adoption/accounts.csv',
    summary:
      'Core features by account as CSV (RFC 4180, formula-safe), as an attachment: every account matching the search, in the same order',
    security,
    request: { query: adoptionAccountsExportQuery },
    responses: {
      ...answers(z.string()),
      200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
    },
  }),
};

/**
 * The adoption view's heatmap (mounted under /v1/admin; README, "Adoption"): thin
 * routes over server/adoption/, which reads the rollups.
 */
export function adoptionRoutes(deps: AppDeps) {
  const app = routes();
  const ws = workspaceOf;
  return app
    .openapi(route.accounts, async (c) => {
      const q = c.req.valid('query');
      const heatmap = await adoptionAccounts(deps.db, deps.health.features, ws(c), q, deps.clock());
      const [accounts, total] = await Promise.all([heatmap.page(q.limit, q.offset), heatmap.count()]);
      const next = q.offset + accounts.length < total ? q.offset + accounts.length : null;
      return c.json({ window: heatmap.window, features: heatmap.features, accounts, total, next }, 200);
    })
    .openapi(route.accountsCsv, async (c) => {
      const heatmap = await adoptionAccounts(
        deps.db,
        deps.health.features,
        ws(c),
        c.req.valid('query'),
        deps.clock(),
      );
      const filename = `adoption-by-account-${heatmap.window.to}.csv`;
      return c.body(adoptionAccountsCsv(heatmap), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${filename}"`,
        'Cache-Control': 'no-store',
      });
    });
}
