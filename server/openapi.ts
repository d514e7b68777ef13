import { z } from 'zod';
import { problem } from '../shared/problem.ts';
import { apiKey, keyRotation, rotatedApiKey } from '../shared/schemas/api-key.ts';
import { checklistDraftInput, checklistRecord, checklistVersion } from '../shared/schemas/checklist.ts';
import { contentRequest, contentResponse } from '../shared/schemas/content.ts';
import { batchEnvelope, batchResult, message } from '../shared/schemas/message.ts';
import { milestone, milestoneInput } from '../shared/schemas/milestone.ts';
import { spotlightDraftInput, spotlightRecord, spotlightVersion } from '../shared/schemas/spotlight.ts';
import { surveyDraftInput, surveyRecord, surveyVersion } from '../shared/schemas/survey.ts';
import { npsExportQuery, npsResponsesQuery, npsResultsQuery, npsSignalsQuery } from './analytics/nps.ts';
import { ttvQuery } from './analytics/time-to-value.ts';
import { previewRequest } from './routes/spotlights.ts';

/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the same zod schemas that validate
 * requests (shared/schemas), served at `/openapi.json`.
 */
type Schema = z.ZodType;
const json = (schema: Schema, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const body = (schema: Schema, contentType = 'application/json') => ({
  required: true,
  content: { [contentType]: { schema: json(schema, 'input') } },
});
const ok = (schema: Schema | null, description = 'OK', status = 200) => ({
  [status]: schema
    ? { description, content: { 'application/json': { schema: json(schema, 'output') } } }
    : { description },
  '4XX': {
    description: 'Problem (RFC 9457)',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
});
const admin = { security: [{ secretKey: [] }] };
const idParam = (name = 'id') => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const queryParams = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: json(field as Schema, 'input'),
  }));

/** The paths every kind of authored content has (server/routes/versioned.ts). */
function versionedPaths(plural: string, noun: string, input: Schema, record: Schema, version: Schema) {
  const base = `/v1/admin/${plural}`;
  return {
    [base]: {
      get: { summary: `List ${plural}`, ...admin, responses: ok(z.object({ [plural]: z.array(record) })) },
      post: {
        summary: `Create a ${noun} (a draft)`,
        ...admin,
        requestBody: body(input),
        responses: ok(record, 'Created', 201),
      },
    },
    [`${base}/{id}`]: {
      parameters: [idParam()],
      get: { summary: `Get a ${noun} and its draft`, ...admin, responses: ok(record) },
      put: {
        summary: 'Edit the draft (end users see no change until it is published)',
        ...admin,
        requestBody: body(input),
        responses: ok(record),
      },
    },
    [`${base}/{id}/publish`]: {
      parameters: [idParam()],
      post: {
        summary: 'Publish the draft as a new immutable version',
        ...admin,
        responses: ok(version, 'Published', 201),
      },
    },
    [`${base}/{id}/archive`]: {
      parameters: [idParam()],
      post: { summary: 'Archive: shown to nobody, history kept', ...admin, responses: ok(record) },
    },
    [`${base}/{id}/versions`]: {
      parameters: [idParam()],
      get: {
        summary: 'Published versions, newest first',
        ...admin,
        responses: ok(z.object({ versions: z.array(version) })),
      },
    },
    [`${base}/{id}/versions/{version}`]: {
      parameters: [idParam(), idParam('version')],
      get: {
        summary: 'One published version (immutable: PUT, PATCH and DELETE answer 405)',
        ...admin,
        responses: ok(version),
      },
    },
  };
}

export function openApiDocument(serverUrl: string) {
  const milestones = z.object({ milestones: z.array(milestone) });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Waymark API',
      version: '1',
      description:
        'Ingestion (Segment-compatible), content for the widget, and the admin API. Errors are RFC 9457 problem+json with a stable `code` and a JSON pointer per field.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        publishableKey: {
          type: 'http',
          scheme: 'basic',
          description:
            'Publishable key as the user name (Segment style); or Bearer, or `writeKey` in the body.',
        },
        secretKey: { type: 'http', scheme: 'bearer', description: 'Workspace secret key (sk_...).' },
      },
      schemas: { Problem: json(problem, 'output'), Message: json(message, 'input') },
    },
    paths: {
      '/v1/batch': {
        post: {
          summary: 'Ingest a Segment batch',
          security: [{ publishableKey: [] }],
          requestBody: body(batchEnvelope.extend({ batch: z.array(message) })),
          responses: ok(batchResult),
        },
      },
      '/v1/content': {
        post: {
          summary: 'The content one end user should see now, with their progress',
          description: 'Sent as text/plain so that browsers make no preflight request.',
          requestBody: body(contentRequest, 'text/plain'),
          responses: ok(contentResponse),
        },
      },
      '/v1/admin/milestones': {
        get: { summary: 'List milestones', ...admin, responses: ok(milestones) },
        post: {
          summary: 'Create a milestone (backfilled from existing events)',
          ...admin,
          requestBody: body(milestoneInput),
          responses: ok(milestone, 'Created', 201),
        },
      },
      '/v1/admin/milestones/{id}': {
        parameters: [idParam()],
        get: { summary: 'Get a milestone', ...admin, responses: ok(milestone) },
        put: {
          summary: 'Replace a milestone (recomputed when its rule changes)',
          ...admin,
          requestBody: body(milestoneInput),
          responses: ok(milestone),
        },
        delete: {
          summary: 'Delete a milestone no checklist uses',
          ...admin,
          responses: ok(null, 'Deleted', 204),
        },
      },
      ...versionedPaths('checklists', 'checklist', checklistDraftInput, checklistRecord, checklistVersion),
      ...versionedPaths('surveys', 'NPS survey', surveyDraftInput, surveyRecord, surveyVersion),
      ...versionedPaths(
        'spotlights',
        'spotlight or tour',
        spotlightDraftInput,
        spotlightRecord,
        spotlightVersion,
      ),
      '/v1/admin/spotlights/{id}/preview': {
        parameters: [idParam()],
        post: {
          summary: 'A signed, expiring link that shows the draft in your app (?waymark_preview=)',
          ...admin,
          requestBody: body(previewRequest),
          responses: ok(null, 'Created', 201),
        },
      },
      '/v1/admin/spotlights/{id}/funnel': {
        parameters: [
          idParam(),
          { name: 'version', in: 'query', required: false, schema: { type: 'integer' } },
        ],
        get: {
          summary: 'Shown, each step viewed and dismissed at, completed, completion rate, targets not found',
          ...admin,
          responses: ok(null),
        },
      },
      '/v1/admin/checklists/{id}/funnel': {
        parameters: [
          idParam(),
          { name: 'version', in: 'query', required: false, schema: { type: 'integer' } },
        ],
        get: {
          summary: 'Shown, started, per-item, completed and dismissed counts per version',
          ...admin,
          responses: ok(null),
        },
      },
      '/v1/admin/reports/time-to-value': {
        get: {
          summary: 'Time to first value: median, p90, share reached by day 7/14/30, by cohort and segment',
          ...admin,
          parameters: queryParams(ttvQuery),
          responses: ok(null),
        },
      },
      '/v1/admin/surveys/{id}/results': {
        get: {
          summary:
            'NPS over a period (each person once, by their latest response): score, 95% interval, distribution, response and dismissal rates, trend, segments, the accounts with the most responses (accountLimit) and how many there are',
          ...admin,
          parameters: [idParam(), ...queryParams(npsResultsQuery)],
          responses: ok(null),
        },
      },
      '/v1/admin/surveys/{id}/responses': {
        get: {
          summary: 'Verbatims: every response, newest first, with filters and a cursor',
          ...admin,
          parameters: [idParam(), ...queryParams(npsResponsesQuery)],
          responses: ok(null),
        },
      },
      '/v1/admin/surveys/{id}/responses.csv': {
        get: {
          summary: 'Every response matching the filters as CSV (RFC 4180, formula-safe), as an attachment',
          ...admin,
          parameters: [idParam(), ...queryParams(npsExportQuery)],
          responses: {
            ...ok(null),
            200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
          },
        },
      },
      '/v1/admin/nps/signals': {
        get: {
          summary: 'For account health: recent detractor responses, and accounts whose NPS dropped',
          ...admin,
          parameters: queryParams(npsSignalsQuery),
          responses: ok(null),
        },
      },
      '/v1/admin/users/{id}': {
        parameters: [idParam()],
        get: { summary: 'A user, its traits, milestones and time to value', ...admin, responses: ok(null) },
      },
      '/v1/admin/accounts/{id}': {
        parameters: [idParam()],
        get: {
          summary: 'An account, its members, milestones and time to value',
          ...admin,
          responses: ok(null),
        },
      },
      '/v1/admin/events': {
        get: {
          summary: 'Stored events, newest first, with filters and a cursor',
          ...admin,
          responses: ok(null),
        },
      },
      '/v1/admin/workspace': {
        get: {
          summary: 'The workspace, its keys and identity-verification traffic',
          ...admin,
          responses: ok(null),
        },
        patch: {
          summary: 'Change name, allowed origins, identity verification',
          ...admin,
          responses: ok(null),
        },
      },
      '/v1/admin/keys': {
        get: {
          summary: 'The workspace API keys: publishable ones in full, secret ones never',
          ...admin,
          responses: ok(z.object({ keys: z.array(apiKey) })),
        },
        post: {
          summary: 'Rotate: a new key of a kind (shown once); the previous ones end after the overlap',
          ...admin,
          requestBody: body(keyRotation),
          responses: ok(rotatedApiKey, 'Created', 201),
        },
      },
      '/v1/admin/keys/{id}/revoke': {
        parameters: [idParam()],
        post: {
          summary: 'End a key at once (409 for the last key of its kind without an end date)',
          ...admin,
          responses: ok(apiKey),
        },
      },
    },
  };
}
