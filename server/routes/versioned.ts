import { Hono } from 'hono';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import type { VersionedContent } from '../content/versioned.ts';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody, parse } from '../http/parse.ts';

export const versionParam = z.coerce.number().int().min(1);

/** `c.get('tenant').workspace.id` */
export const workspaceOf = (c: { get(key: 'tenant'): { workspace: { id: string } } }) =>
  c.get('tenant').workspace.id;

/**
 * The admin routes every kind of authored content has, under `/<plural>` (mounted behind the
 * secret-key check): list, create, read and edit the draft, publish, archive, and read the
 * immutable versions (which answer 405 to any change).
 */
export function versionedRoutes<C>(
  plural: string,
  service: VersionedContent<C>,
  input: z.ZodType<{ name: string; content: C }>,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ws = workspaceOf;
  app.get(`/${plural}`, async (c) => c.json({ [plural]: await service.list(ws(c)) }));
  app.post(`/${plural}`, async (c) => {
    const body = parse(input, await jsonBody(c.req.raw));
    return c.json(await service.create(ws(c), body), 201);
  });
  app.get(`/${plural}/:id`, async (c) => c.json(await service.get(ws(c), c.req.param('id'))));
  app.put(`/${plural}/:id`, async (c) => {
    const body = parse(input, await jsonBody(c.req.raw));
    return c.json(await service.updateDraft(ws(c), c.req.param('id'), body));
  });
  app.post(`/${plural}/:id/publish`, async (c) =>
    c.json(await service.publish(ws(c), c.req.param('id')), 201),
  );
  app.post(`/${plural}/:id/archive`, async (c) => c.json(await service.archive(ws(c), c.req.param('id'))));
  app.get(`/${plural}/:id/versions`, async (c) =>
    c.json({ versions: await service.versions(ws(c), c.req.param('id')) }),
  );
  app.get(`/${plural}/:id/versions/:version`, async (c) =>
    c.json(await service.version(ws(c), c.req.param('id'), parse(versionParam, c.req.param('version')))),
  );
  app.on(['PUT', 'PATCH', 'DELETE'], `/${plural}/:id/versions/:version`, () => {
    throw new ApiError(
      405,
      errorCodes.immutable,
      'Published versions are immutable',
      `Edit the draft (PUT /v1/admin/${plural}/{id}) and publish it as a new version.`,
    );
  });
  return app;
}
