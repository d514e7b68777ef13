import { createRoute } from '@hono/zod-openapi';
import { errorCodes, toPointer } from '../../shared/problem.ts';
import { batchEnvelope, batchResult, limits, message } from '../../shared/schemas/message.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../http/api-error.ts';
import { publicTenant } from '../http/public-auth.ts';
import { answers, body, routes } from '../http/routes.ts';

const batchExample = {
  batch: [
    {
      type: 'identify' as const,
      userId: 'user-42',
      messageId: 'msg-1',
      timestamp: '2026-11-23T12:00:00.000Z',
      traits: { name: 'Grace', email: 'grace@acme.com', createdAt: '2026-10-01T09:00:00Z' },
    },
    {
      type: 'group' as const,
      userId: 'user-42',
      groupId: 'acme',
      messageId: 'msg-2',
      traits: { plan: 'growth' },
    },
    {
      type: 'track' as const,
      userId: 'user-42',
      event: 'Invoice Sent',
      messageId: 'msg-3',
      properties: { amount: 120, currency: 'USD' },
    },
  ],
  sentAt: '2026-11-23T12:00:01.000Z',
};

/**
 * `/v1/batch` as documented. Every ingestion path shares one handler (`/:kind` below), which reads
 * the body itself: browsers send it as `text/plain`, and a batch keeps its valid messages when
 * others are rejected, so it is not checked as a whole before the handler runs.
 */
const batchRoute = createRoute({
  method: 'post',
  path: '/batch',
  summary: 'Ingest a Segment batch',
  security: [{ publishableKey: [] }],
  request: { body: body(batchEnvelope.extend({ batch: message.array() }), batchExample) },
  responses: answers(batchResult),
});

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
export function ingestRoutes(deps: AppDeps) {
  const app = routes();
  app.openAPIRegistry.registerPath(batchRoute);

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
