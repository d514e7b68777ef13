import { Hono } from 'hono';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import type { ContentRecord } from '../../shared/schemas/versioned.ts';
import { previewToken } from '../content/preview.ts';
import type { VersionedContent } from '../content/versioned.ts';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody, parse } from '../http/parse.ts';
import type { Tenant } from '../workspaces/store.ts';

export const versionParam = z.coerce.number().int().min(1);

/** `POST /<plural>/:id/preview`: a signed link that shows the draft in the customer's app. */
export const previewRequest = z.object({
  /** A page of the customer's app to open the preview on; the link is this URL with the token added. */
  url: z.url({ protocol: /^https?$/ }).optional(),
  expiresInMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  locale: z.string().max(35).optional(),
});

/** What a kind needs for preview links: the clock, and its draft as the widget would receive it. */
export interface PreviewOptions<C> {
  clock: () => number;
  present(tenant: Tenant, record: ContentRecord<C>, locale: string | null): Promise<unknown> | unknown;
}

/** `c.get('tenant').workspace.id` */
export const workspaceOf = (c: { get(key: 'tenant'): { workspace: { id: string } } }) =>
  c.get('tenant').workspace.id;

/**
 * The admin routes every kind of authored content has, under `/<plural>` (mounted behind the
 * secret-key check): list, create, read and edit the draft, publish, archive, and read the
 * immutable versions (which answer 405 to any change), and preview links to the draft.
 */
export function versionedRoutes<C>(
  plural: string,
  service: VersionedContent<C>,
  input: z.ZodType<{ name: string; content: C }>,
  preview: PreviewOptions<C>,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ws = workspaceOf;
  app.get(`/${plural}`, async (c) => c.json({ [plural]: await service.list(ws(c)) }));
  app.post(`/${plural}`, async (c) => {
    const body = await jsonBody(c.req.raw);
    return c.json(
      await withPointersAsSent(body, () => service.create(ws(c), parse(input, asInput(body)))),
      201,
    );
  });
  app.get(`/${plural}/:id`, async (c) => c.json(await service.get(ws(c), c.req.param('id'))));
  app.put(`/${plural}/:id`, async (c) => {
    const body = await jsonBody(c.req.raw);
    return c.json(
      await withPointersAsSent(body, () =>
        service.updateDraft(ws(c), c.req.param('id'), parse(input, asInput(body))),
      ),
    );
  });
  app.post(`/${plural}/:id/publish`, async (c) =>
    c.json(await service.publish(ws(c), c.req.param('id')), 201),
  );
  // A link that shows the draft in the customer's app (server/content/preview.ts), and the draft as
  // the widget would receive it.
  app.post(`/${plural}/:id/preview`, async (c) => {
    const request = parse(previewRequest, await jsonBody(c.req.raw));
    const tenant = c.get('tenant');
    const record = await service.get(ws(c), c.req.param('id'));
    const expiresAt = preview.clock() + request.expiresInMinutes * 60_000;
    const token = previewToken(tenant.signingKeys, record.id, expiresAt);
    const link = request.url ? new URL(request.url) : null;
    link?.searchParams.set('waymark_preview', token);
    return c.json(
      {
        token,
        expiresAt: new Date(expiresAt).toISOString(),
        url: link?.href ?? null,
        delivered: await preview.present(tenant, record, request.locale ?? null),
      },
      201,
    );
  });
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

/** A body in the shape a GET answers (`draft`, not `content`). */
const isRecordShape = (body: unknown): body is { draft: unknown } =>
  typeof body === 'object' &&
  body !== null &&
  !Array.isArray(body) &&
  'draft' in body &&
  !('content' in body);

/**
 * What a GET answered is accepted back as it is: its `draft` is read as `content`, and its
 * read-only fields (id, status, dates, publishedVersion, hasUnpublishedChanges) are ignored, as any
 * field the input does not know is.
 */
const asInput = (body: unknown): unknown => (isRecordShape(body) ? { ...body, content: body.draft } : body);

/**
 * Runs a create or an edit of `body`; when the body came in a GET's shape, the pointers of its
 * errors name `/draft`, the field the client sent, rather than `/content`.
 */
async function withPointersAsSent<T>(body: unknown, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(isRecordShape(body) && error instanceof ApiError && error.errors)) throw error;
    const errors = error.errors.map((e) => ({
      ...e,
      pointer: e.pointer.replace(/^\/content(?=\/|$)/, '/draft'),
    }));
    throw new ApiError(
      error.status,
      error.code,
      error.title,
      error.detail,
      errors,
      error.headers,
      error.members,
    );
  }
}
