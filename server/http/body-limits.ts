import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorCodes } from '../../shared/problem.ts';
import { limits } from '../../shared/schemas/message.ts';
import { ApiError } from './api-error.ts';

/**
 * The most a request body may hold, per kind of route, fitted to what it carries: ingestion takes
 * Segment's 500 KB, `POST /v1/content` only ids, a locale and traits, the admin API authored content.
 */
export const bodyLimits = {
  ingest: limits.requestBytes,
  content: 64 * 1024,
  admin: 1024 * 1024,
  /** Any other route: none reads a body, so an unknown path never buffers much before its 404. */
  other: 16 * 1024,
} as const;

/** Which limit a path falls under (the routes of app.ts). */
export function bodyLimitOf(path: string): keyof typeof bodyLimits {
  if (path.startsWith('/v1/admin/')) return 'admin';
  if (path === '/v1/content') return 'content';
  // `/v1/batch`, `/v1/track`, `/v1/t`, ...: every other single segment under /v1 is ingestion's.
  if (/^\/v1\/[^/]+$/.test(path)) return 'ingest';
  return 'other';
}

/**
 * Refuses a body over its route's limit with 413 `payload_too_large`, before anything reads it:
 * on a declared `Content-Length` at once, and on a streamed (chunked) body as soon as the bytes read
 * pass the limit, so neither memory nor a key lookup is spent on it. Registered first in app.ts.
 *
 * @example
 * app.use('*', limitBodies())
 */
export function limitBodies(): MiddlewareHandler {
  const limiters = Object.fromEntries(
    Object.entries(bodyLimits).map(([kind, maxSize]) => [
      kind,
      bodyLimit({
        maxSize,
        onError: () => {
          throw new ApiError(
            413,
            errorCodes.payloadTooLarge,
            'Request too large',
            `A request to this endpoint may hold at most ${maxSize} bytes; nothing was stored.`,
          );
        },
      }),
    ]),
  ) as Record<keyof typeof bodyLimits, MiddlewareHandler>;
  return (c, next) => limiters[bodyLimitOf(c.req.path)](c, next);
}
