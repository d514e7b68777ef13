import { Hono } from 'hono';
import { spotlightDraftInput } from '../../shared/schemas/spotlight.ts';
import { spotlightFunnel } from '../analytics/spotlight-funnel.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/context.ts';
import { parse } from '../http/parse.ts';
import { present } from '../spotlights/deliver.ts';
import { versionedRoutes, versionParam, workspaceOf as ws } from './versioned.ts';

/**
 * Admin API for spotlights and tours (mounted under /v1/admin, behind its secret-key check):
 * drafts and versions, preview links and the step funnel.
 */
export function spotlightRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route(
    '/',
    versionedRoutes('spotlights', deps.spotlights, spotlightDraftInput, {
      clock: deps.clock,
      present: (_tenant, record, locale) =>
        present({ id: record.id, version: 0, content: record.draft }, locale, null, true),
    }),
  );

  app.get('/spotlights/:id/funnel', async (c) => {
    const id = c.req.param('id');
    const requested = c.req.query('version');
    const versions =
      requested === undefined
        ? await deps.spotlights.versions(ws(c), id)
        : [await deps.spotlights.version(ws(c), id, parse(versionParam, requested))];
    return c.json({ funnels: await Promise.all(versions.map((v) => spotlightFunnel(deps.db, ws(c), v))) });
  });
  return app;
}
