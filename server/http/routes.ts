import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { z } from 'zod';
import { errorCodes, problem, toPointer } from '../../shared/problem.ts';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './context.ts';

/**
 * A router whose routes are declared with `createRoute` (their params, query, body and responses as
 * zod schemas), from which `/openapi.json` is generated. Params and queries that fail their schema
 * answer the same 400 problem as `parse` (server/http/parse.ts): every field error with its pointer.
 *
 * @example
 * const app = routes().openapi(createRoute({ method: 'get', path: '/things', ... }), handler)
 */
export const routes = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      throw new ApiError(
        400,
        errorCodes.validationFailed,
        'Invalid request',
        undefined,
        result.error.issues.map((issue) => ({ pointer: toPointer(issue.path), detail: issue.message })),
      );
    },
  });

/** Every error answer: RFC 9457 problem+json. */
const problems = {
  '4XX': {
    description: 'Problem (RFC 9457)',
    content: { 'application/problem+json': { schema: problem } },
  },
} as const;

/** A JSON answer with `status` and its schema, and the problems any route may answer. */
export const answers = <S extends z.ZodType, Status extends number = 200>(
  schema: S,
  description = 'OK',
  status = 200 as Status,
) =>
  ({
    [status]: { description, content: { 'application/json': { schema } } },
    ...problems,
  }) as {
    [K in Status]: { description: string; content: { 'application/json': { schema: S } } };
  } & typeof problems;

/** A 204 answer (deletions), and the problems. */
export const noContent = (description = 'Deleted') => ({ 204: { description }, ...problems }) as const;

/**
 * Admin routes need the workspace secret key as a Bearer token, or a team member's session cookie
 * with a role the route allows (checked in routes/admin.ts, roles in auth/roles.ts).
 */
export const adminSecurity: Record<string, string[]>[] = [{ secretKey: [] }, { sessionCookie: [] }];

/**
 * A request body as documented: its schema and an example a client can send as it is
 * (test/server/openapi-examples.test.ts sends each one).
 */
export const body = <S extends z.ZodType, C extends string = 'application/json'>(
  schema: S,
  example: z.input<S>,
  contentType = 'application/json' as C,
) => ({
  required: true,
  // Keyed by the literal content type, so that hono/client types the body it takes (`json` for JSON).
  content: { [contentType]: { schema, example } } as { [K in C]: { schema: S; example: z.input<S> } },
});

/**
 * A route whose body its handler reads itself: documented with `body`, but not checked by the
 * router's validator, which would answer 415 to the `text/plain` bodies browsers send as CORS
 * simple requests and clients have always been able to send, and read `{}` for them. The handlers
 * read every body as JSON whatever its type (`jsonBody`: 400 `invalid_json`), accept a GET's answer
 * back (versioned content) or merge a partial update before checking it (`parsePatch`), and name
 * each bad field with its pointer as before.
 *
 * @example
 * app.openapi(bodyReadByHandler(app, createRoute({ ..., request: { body: body(input, example) } })), handler)
 */
export function bodyReadByHandler<R extends RouteConfig>(app: OpenAPIHono<AppEnv>, route: R) {
  app.openAPIRegistry.registerPath(route);
  const { body: _documented, ...request } = route.request ?? {};
  // Typed as declared, body included, so that hono/client types what a client sends (`json`); the
  // handler must not call `c.req.valid('json')`, which has nothing to give it.
  return { ...route, request, hide: true } as R & { hide: true };
}
