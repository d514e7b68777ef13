import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import type { ContentRecord, ContentVersion } from '../../shared/schemas/versioned.ts';
import { previewToken } from '../content/preview.ts';
import type { VersionedContent } from '../content/versioned.ts';
import { ApiError } from '../http/api-error.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { adminSecurity, answers, body, bodyReadByHandler, routes } from '../http/routes.ts';
import type { Tenant } from '../workspaces/store.ts';

export const versionParam = z.coerce.number().int().min(1);

/** A funnel's `?version=`: that published version only; without it, every version. */
export const funnelQuery = z.object({ version: versionParam.optional() });

/** The `{id}` of a record in the path. */
export const idParams = z.object({ id: z.string() });

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
export interface PreviewOptions<C, D> {
  clock: () => number;
  present(tenant: Tenant, record: ContentRecord<C>, locale: string | null): Promise<D> | D;
}

/** A kind's schemas, as the routes and the document show them, and an example of its input. */
export interface KindSchemas<C, D> {
  /** What people call one, in summaries: "checklist", "NPS survey"... */
  noun: string;
  input: z.ZodType<{ name: string; content: C }>;
  example: unknown;
  record: z.ZodType<ContentRecord<C>>;
  version: z.ZodType<ContentVersion<C>>;
  /** The content as the widget receives it. */
  delivered: z.ZodType<D>;
}

/** `POST /<plural>/:id/preview`'s answer. */
interface PreviewLink<D> {
  token: string;
  expiresAt: string;
  /** The page given, with the token added; null without one. */
  url: string | null;
  /** The draft as the widget would receive it. */
  delivered: D;
}

const previewExample = { url: 'https://app.acme.com/invoices', expiresInMinutes: 60, locale: 'en' };

/** `c.get('tenant').workspace.id` */
export const workspaceOf = (c: { get(key: 'tenant'): { workspace: { id: string } } }) =>
  c.get('tenant').workspace.id;

/** `{id}` and `{version}` of a published version in the path. */
const versionParams = z.object({ id: z.string(), version: z.string() });

/**
 * The admin routes every kind of authored content has, under `/<plural>` (mounted behind the
 * secret-key check): list, create, read and edit the draft, publish, archive, and read the
 * immutable versions (which answer 405 to any change), and preview links to the draft.
 */
export function versionedRoutes<P extends string, C, D>(
  plural: P,
  service: VersionedContent<C>,
  kind: KindSchemas<C, D>,
  preview: PreviewOptions<C, D>,
) {
  const app = routes();
  const ws = workspaceOf;
  const { input, record, version, noun } = kind;
  const security = adminSecurity;
  const list = createRoute({
    method: 'get',
    path: `/${plural}`,
    summary: `List ${plural}`,
    security,
    // zod types a computed key as any string; the answer's key is the kind's plural.
    responses: answers(
      z.object({ [plural]: z.array(record) }) as unknown as z.ZodType<Record<P, ContentRecord<C>[]>>,
    ),
  });
  const create = createRoute({
    method: 'post',
    path: `/${plural}`,
    summary: `Create a ${noun} (a draft)`,
    security,
    request: { body: body(input, kind.example as z.input<typeof input>) },
    responses: answers(record, 'Created', 201),
  });
  const get = createRoute({
    method: 'get',
    path: `/${plural}/{id}`,
    summary: `Get a ${noun} and its draft`,
    security,
    request: { params: idParams },
    responses: answers(record),
  });
  const edit = createRoute({
    method: 'put',
    path: `/${plural}/{id}`,
    summary: 'Edit the draft (end users see no change until it is published)',
    description:
      'Takes `{name, content}`, or the GET answer as it is: its `draft` is read as `content` and its read-only fields (`id`, `status`, dates, `publishedVersion`, `hasUnpublishedChanges`) are ignored, so a fetched record can be edited and sent back. Errors then point at `/draft/...`.',
    security,
    request: { params: idParams, body: body(input, kind.example as z.input<typeof input>) },
    responses: answers(record),
  });
  const publish = createRoute({
    method: 'post',
    path: `/${plural}/{id}/publish`,
    summary: 'Publish the draft as a new immutable version',
    security,
    request: { params: idParams },
    responses: answers(version, 'Published', 201),
  });
  const previewLink = createRoute({
    method: 'post',
    path: `/${plural}/{id}/preview`,
    summary: `A signed, expiring link that shows the draft in your app (?waymark_preview=), and the ${noun} as the widget would receive it`,
    security,
    request: { params: idParams, body: body(previewRequest, previewExample) },
    responses: answers(
      z.object({
        token: z.string(),
        expiresAt: z.string(),
        url: z.string().nullable(),
        delivered: kind.delivered,
      }) as z.ZodType<PreviewLink<D>>,
      'Created',
      201,
    ),
  });
  const archive = createRoute({
    method: 'post',
    path: `/${plural}/{id}/archive`,
    summary: 'Archive: shown to nobody, history kept',
    security,
    request: { params: idParams },
    responses: answers(record),
  });
  const versions = createRoute({
    method: 'get',
    path: `/${plural}/{id}/versions`,
    summary: 'Published versions, newest first',
    security,
    request: { params: idParams },
    responses: answers(z.object({ versions: z.array(version) })),
  });
  const oneVersion = createRoute({
    method: 'get',
    path: `/${plural}/{id}/versions/{version}`,
    summary: 'One published version (immutable: PUT, PATCH and DELETE answer 405)',
    security,
    request: { params: versionParams },
    responses: answers(version),
  });
  const api = app
    .openapi(list, async (c) =>
      c.json({ [plural]: await service.list(ws(c)) } as Record<P, ContentRecord<C>[]>, 200),
    )
    .openapi(bodyReadByHandler(app, create), async (c) => {
      const body = await jsonBody(c.req.raw);
      return c.json(
        await withPointersAsSent(body, () => service.create(ws(c), parse(input, asInput(body)))),
        201,
      );
    })
    .openapi(get, async (c) => c.json(await service.get(ws(c), c.req.valid('param').id), 200))
    .openapi(bodyReadByHandler(app, edit), async (c) => {
      const body = await jsonBody(c.req.raw);
      return c.json(
        await withPointersAsSent(body, () =>
          service.updateDraft(ws(c), c.req.valid('param').id, parse(input, asInput(body))),
        ),
        200,
      );
    })
    .openapi(publish, async (c) => c.json(await service.publish(ws(c), c.req.valid('param').id), 201))
    // A link that shows the draft in the customer's app (server/content/preview.ts), and the draft as
    // the widget would receive it.
    .openapi(bodyReadByHandler(app, previewLink), async (c) => {
      const request = parse(previewRequest, await jsonBody(c.req.raw));
      const tenant = c.get('tenant');
      const record = await service.get(ws(c), c.req.valid('param').id);
      const expiresAt = preview.clock() + request.expiresInMinutes * 60_000;
      const token = previewToken(tenant.signingKeys, record.id, expiresAt);
      const link = request.url ? new URL(request.url) : null;
      link?.searchParams.set('waymark_preview', token);
      const answer: PreviewLink<D> = {
        token,
        expiresAt: new Date(expiresAt).toISOString(),
        url: link?.href ?? null,
        delivered: await preview.present(tenant, record, request.locale ?? null),
      };
      return c.json(answer, 201);
    })
    .openapi(archive, async (c) => c.json(await service.archive(ws(c), c.req.valid('param').id), 200))
    .openapi(versions, async (c) =>
      c.json({ versions: await service.versions(ws(c), c.req.valid('param').id) }, 200),
    )
    .openapi(oneVersion, async (c) =>
      c.json(
        await service.version(
          ws(c),
          c.req.valid('param').id,
          parse(versionParam, c.req.valid('param').version),
        ),
        200,
      ),
    );
  app.on(['PUT', 'PATCH', 'DELETE'], `/${plural}/:id/versions/:version`, () => {
    throw new ApiError(
      405,
      errorCodes.immutable,
      'Published versions are immutable',
      `Edit the draft (PUT /v1/admin/${plural}/{id}) and publish it as a new version.`,
    );
  });
  return api;
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
