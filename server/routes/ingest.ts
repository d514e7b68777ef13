import { Hono } from 'hono';
import { errorCodes, toPointer } from '../../shared/problem.ts';
import { limits } from '../../shared/schemas/message.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/context.ts';
import { publicTenant } from '../http/public-auth.ts';

// Segment's HTTP API: `/v1/batch` (and analytics.js's `/v1/b`), and one message per call on
// `/v1/track` ... (analytics.js's default `/v1/t`, `/v1/i`, ...).
const singleMessagePaths: Record<string, string> = {
  track: 'track',
  t: 'track',
  identify: 'identify',
  i: 'identify',
  group: 'group',
  g: 'group',
  page: 'page',
  p: 'page',
  screen: 'screen',
  s: 'screen',
};

/**
 * Public ingestion, authenticated by a publishable (or secret) key. Browsers post as a CORS "simple
 * request" (`text/plain`, key in the body), so the body is read as JSON whatever its content type.
 */
export function ingestRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.options('/*', (c) => {
    const origin = c.req.header('origin');
    if (origin) c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
    c.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    c.header('Access-Control-Max-Age', '86400');
    return c.body(null, 204);
  });

  // The body's size is bounded before this runs (limitBodies in server/http/body-limits.ts).
  app.post('/:kind', async (c) => {
    const kind = c.req.param('kind');
    const single = singleMessagePaths[kind];
    if (kind !== 'batch' && kind !== 'b' && single === undefined) {
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        `There is no ingestion endpoint /v1/${kind}.`,
      );
    }
    const receivedAt = deps.clock();
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(400, errorCodes.invalidJson, 'Invalid JSON', 'The request body is not valid JSON.');
    }

    const tenant = await publicTenant(deps, c, body);
    await deps.rateLimits?.perKey(c, tenant);

    const envelope = single === undefined ? body : asBatch(body, single);
    const result = await deps.ingest.ingest(envelope, {
      tenant,
      receivedAt,
      bodyBytes: Buffer.byteLength(text),
    });
    if (result.accepted + result.duplicates === 0 && result.rejectedCount > 0) {
      throw new ApiError(
        400,
        errorCodes.validationFailed,
        'Invalid request',
        result.rejectedCount > result.rejected.length
          ? `No message in this request was valid; nothing was stored. The errors of the first ${result.rejected.length} of ${result.rejectedCount} are listed.`
          : 'No message in this request was valid; nothing was stored.',
        result.rejected
          .flatMap((r) => r.errors)
          .slice(0, limits.reportedRejections)
          .map((e) => (single ? unwrapPointer(e) : e)),
        undefined,
        { rejectedCount: result.rejectedCount },
      );
    }
    return c.json(result, 200);
  });

  return app;
}

function asBatch(body: unknown, type: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(
      400,
      errorCodes.validationFailed,
      'Invalid request',
      'The body must be a JSON object.',
      [{ pointer: '', detail: 'must be an object' }],
    );
  }
  const { writeKey, sentAt, ...message } = body as Record<string, unknown>;
  return { batch: [{ type, ...message }], sentAt, writeKey };
}

const unwrapPointer = (error: { pointer: string; detail: string }) => ({
  ...error,
  pointer: error.pointer.replace(toPointer(['batch', 0]), ''),
});
