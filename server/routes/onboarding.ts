import { Hono } from 'hono';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import { checklistDraftInput } from '../../shared/schemas/checklist.ts';
import { milestoneInput } from '../../shared/schemas/milestone.ts';
import { checklistFunnel } from '../analytics/checklist-funnel.ts';
import { timeToValue, ttvQuery } from '../analytics/time-to-value.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody, parse } from '../http/parse.ts';

const versionParam = z.coerce.number().int().min(1);

/**
 * Admin API for onboarding (mounted under /v1/admin, behind its secret-key check): milestones,
 * checklists with drafts and immutable versions, time to value and checklist funnels.
 */
export function onboardingRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ws = (c: { get(key: 'tenant'): { workspace: { id: string } } }) => c.get('tenant').workspace.id;

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

  app.get('/checklists', async (c) => c.json({ checklists: await deps.checklists.list(ws(c)) }));
  app.post('/checklists', async (c) => {
    const input = parse(checklistDraftInput, await jsonBody(c.req.raw));
    return c.json(await deps.checklists.create(ws(c), input), 201);
  });
  app.get('/checklists/:id', async (c) => c.json(await deps.checklists.get(ws(c), c.req.param('id'))));
  app.put('/checklists/:id', async (c) => {
    const input = parse(checklistDraftInput, await jsonBody(c.req.raw));
    return c.json(await deps.checklists.updateDraft(ws(c), c.req.param('id'), input));
  });
  app.post('/checklists/:id/publish', async (c) =>
    c.json(await deps.checklists.publish(ws(c), c.req.param('id')), 201),
  );
  app.post('/checklists/:id/archive', async (c) =>
    c.json(await deps.checklists.archive(ws(c), c.req.param('id'))),
  );
  app.get('/checklists/:id/versions', async (c) =>
    c.json({ versions: await deps.checklists.versions(ws(c), c.req.param('id')) }),
  );
  app.get('/checklists/:id/versions/:version', async (c) =>
    c.json(
      await deps.checklists.version(ws(c), c.req.param('id'), parse(versionParam, c.req.param('version'))),
    ),
  );
  app.on(['PUT', 'PATCH', 'DELETE'], '/checklists/:id/versions/:version', () => {
    throw new ApiError(
      405,
      errorCodes.immutable,
      'Published versions are immutable',
      'Edit the draft (PUT /v1/admin/checklists/{id}) and publish it as a new version.',
    );
  });
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
