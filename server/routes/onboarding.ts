import { Hono } from 'hono';
import { errorCodes } from '../../shared/problem.ts';
import { checklistDraftInput } from '../../shared/schemas/checklist.ts';
import { milestoneInput } from '../../shared/schemas/milestone.ts';
import { checklistFunnel } from '../analytics/checklist-funnel.ts';
import { timeToValue, ttvQuery } from '../analytics/time-to-value.ts';
import type { AppDeps } from '../app.ts';
import { presentChecklist } from '../content/deliver.ts';
import { milestonesByKey } from '../content/milestones.ts';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { versionedRoutes, versionParam, workspaceOf } from './versioned.ts';

/**
 * Admin API for onboarding (mounted under /v1/admin, behind its secret-key check): milestones,
 * checklists with drafts and immutable versions, time to value and checklist funnels.
 */
export function onboardingRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ws = workspaceOf;

  app.get('/milestones', async (c) => c.json({ milestones: await deps.milestones.list(ws(c)) }));
  app.post('/milestones', async (c) => {
    const input = parse(milestoneInput, await jsonBody(c.req.raw));
    return c.json(await deps.milestones.create(ws(c), input), 201);
  });
  app.get('/milestones/:id', async (c) => c.json(await deps.milestones.get(ws(c), c.req.param('id'))));
  app.put('/milestones/:id', async (c) => {
    const input = parse(milestoneInput, await jsonBody(c.req.raw));
    return c.json(await deps.milestones.replace(ws(c), c.req.param('id'), input));
  });
  app.delete('/milestones/:id', async (c) => {
    await deps.milestones.delete(ws(c), c.req.param('id'));
    return c.body(null, 204);
  });

  app.route(
    '/',
    versionedRoutes('checklists', deps.checklists, checklistDraftInput, {
      clock: deps.clock,
      present: async ({ workspace }, record, locale) =>
        presentChecklist(
          { id: record.id, version: 0, content: record.draft, urls: { urls: [], excludeUrls: [] } },
          locale,
          await milestonesByKey(deps.db, workspace.id),
          { doneAt: () => null, seen: false, dismissed: false },
        ),
    }),
  );

  app.get('/checklists/:id/funnel', async (c) => {
    const id = c.req.param('id');
    const requested = c.req.query('version');
    const versions =
      requested === undefined
        ? await deps.checklists.versions(ws(c), id)
        : [await deps.checklists.version(ws(c), id, parse(versionParam, requested))];
    return c.json({ funnels: await Promise.all(versions.map((v) => checklistFunnel(deps.db, ws(c), v))) });
  });

  app.get('/reports/time-to-value', async (c) => {
    const query = parse(ttvQuery, c.req.query());
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
    return c.json({ milestone: { id: value.id, key: value.key, name: value.name }, ...report });
  });

  return app;
}
