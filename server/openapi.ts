import { z } from 'zod';
import { problem } from '../shared/problem.ts';
import { alertRules, alertRulesPatch } from '../shared/schemas/alert-rules.ts';
import { apiKey, keyRotation, rotatedApiKey } from '../shared/schemas/api-key.ts';
import { checklistDraftInput, checklistRecord, checklistVersion } from '../shared/schemas/checklist.ts';
import { contentRequest, contentResponse } from '../shared/schemas/content.ts';
import { coreFeature, coreFeatureInput } from '../shared/schemas/core-feature.ts';
import { defaultHealthModel, healthModel } from '../shared/schemas/health-model.ts';
import { batchEnvelope, batchResult, message } from '../shared/schemas/message.ts';
import { milestone, milestoneInput } from '../shared/schemas/milestone.ts';
import { spotlightDraftInput, spotlightRecord, spotlightVersion } from '../shared/schemas/spotlight.ts';
import { surveyDraftInput, surveyRecord, surveyVersion } from '../shared/schemas/survey.ts';
import {
  webhookDelivery,
  webhookDeliveryQuery,
  webhookEndpoint,
  webhookEndpointInput,
  webhookEndpointPatch,
  webhookEndpointWithSecret,
  webhookEvent,
  webhookSecretRotation,
} from '../shared/schemas/webhook.ts';
import { adoptionQuery } from './adoption/report.ts';
import { npsExportQuery, npsResponsesQuery, npsResultsQuery, npsSignalsQuery } from './analytics/nps.ts';
import { ttvQuery } from './analytics/time-to-value.ts';
import { workspacePatch } from './routes/admin.ts';
import { alertQuery, backfillBody, portfolioQuery, recomputeBody } from './routes/health.ts';
import { peopleQuery } from './routes/people.ts';
import { previewRequest } from './routes/versioned.ts';

/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the same zod schemas that validate
 * requests (shared/schemas), served at `/openapi.json`.
 */
type Schema = z.ZodType;
const json = (schema: Schema, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

/**
 * The zod schema each request body of the document was generated from, refinements included: what
 * test/server/openapi-examples.test.ts checks each body's example against.
 */
export const requestBodySchemas = new WeakMap<object, Schema>();

/** A request body: its schema and an example of it. */
function body(schema: Schema, example: unknown, contentType = 'application/json') {
  const requestBody = {
    required: true,
    content: { [contentType]: { schema: json(schema, 'input'), example } },
  };
  requestBodySchemas.set(requestBody, schema);
  return requestBody;
}

/** Request examples, one per kind of body: what a client can send as it is. */
const examples = {
  coreFeature: {
    key: 'invoicing',
    name: 'Invoicing',
    events: [{ event: 'Invoice Sent', where: [{ property: 'amount', op: 'gt', value: 0 }] }],
  },
  alertRules: { scoreDrop: { points: 15 }, lowAdoption: { enabled: false } },
  recompute: {},
  accountsCsv: 'id,name,arr,seats,renewalDate,paymentStatus\nacme,Acme Inc,120000,25,2027-03-01,current\n',
  backfill: { from: '2026-11-01', to: '2026-11-07' },
  webhook: {
    url: 'https://hooks.example.com/waymark',
    description: 'CS alerts',
    eventTypes: ['alert.created'],
  },
  webhookPatch: { description: 'CS alerts to #cs-alerts' },
  webhookSecret: { overlapHours: 24 },
  batch: {
    batch: [
      {
        type: 'identify',
        userId: 'user-42',
        messageId: 'msg-1',
        timestamp: '2026-11-23T12:00:00.000Z',
        traits: { name: 'Grace', email: 'grace@acme.com', createdAt: '2026-10-01T09:00:00Z' },
      },
      { type: 'group', userId: 'user-42', groupId: 'acme', messageId: 'msg-2', traits: { plan: 'growth' } },
      {
        type: 'track',
        userId: 'user-42',
        event: 'Invoice Sent',
        messageId: 'msg-3',
        properties: { amount: 120, currency: 'USD' },
      },
    ],
    sentAt: '2026-11-23T12:00:01.000Z',
  },
  content: { writeKey: 'pk_live_example', userId: 'user-42', groupId: 'acme', locale: 'en' },
  milestone: {
    key: 'invoice_sent',
    name: 'Sent an invoice',
    rule: { event: 'Invoice Sent', where: [{ property: 'amount', op: 'gt', value: 0 }], count: 1 },
    isValue: true,
  },
  checklists: {
    name: 'Onboarding',
    content: {
      title: 'Get started with Ledgerly',
      items: [
        {
          id: 'send_invoice',
          title: 'Send your first invoice',
          completion: { kind: 'event', event: 'Invoice Sent' },
        },
        { id: 'invite', title: 'Invite a teammate', completion: { kind: 'manual' }, required: false },
      ],
    },
  },
  surveys: { name: 'NPS', content: { productName: 'Ledgerly' } },
  spotlights: {
    name: 'CSV export',
    content: {
      steps: [
        {
          id: 'export',
          kind: 'hotspot',
          title: 'Export to CSV',
          body: 'Download every invoice as a spreadsheet.',
          anchor: { selector: '[data-tour="export"]' },
        },
      ],
    },
  },
  preview: { url: 'https://app.acme.com/invoices', expiresInMinutes: 60, locale: 'en' },
  keyRotation: { kind: 'secret', overlapHours: 24 },
  workspacePatch: { theme: { mode: 'dark' }, promptCooldownHours: 48 },
} as const;
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
function versionedPaths(
  plural: 'checklists' | 'surveys' | 'spotlights',
  noun: string,
  input: Schema,
  record: Schema,
  version: Schema,
) {
  const base = `/v1/admin/${plural}`;
  return {
    [base]: {
      get: { summary: `List ${plural}`, ...admin, responses: ok(z.object({ [plural]: z.array(record) })) },
      post: {
        summary: `Create a ${noun} (a draft)`,
        ...admin,
        requestBody: body(input, examples[plural]),
        responses: ok(record, 'Created', 201),
      },
    },
    [`${base}/{id}`]: {
      parameters: [idParam()],
      get: { summary: `Get a ${noun} and its draft`, ...admin, responses: ok(record) },
      put: {
        summary: 'Edit the draft (end users see no change until it is published)',
        description:
          'Takes `{name, content}`, or the GET answer as it is: its `draft` is read as `content` and its read-only fields (`id`, `status`, dates, `publishedVersion`, `hasUnpublishedChanges`) are ignored, so a fetched record can be edited and sent back. Errors then point at `/draft/...`.',
        ...admin,
        requestBody: body(input, examples[plural]),
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
    [`${base}/{id}/preview`]: {
      parameters: [idParam()],
      post: {
        summary: `A signed, expiring link that shows the draft in your app (?waymark_preview=), and the ${noun} as the widget would receive it`,
        ...admin,
        requestBody: body(previewRequest, examples.preview),
        responses: ok(null, 'Created', 201),
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

/** How the results' trend and summary count people (README, "NPS surveys"). */
const trendVersusSummary =
  '`summary`, `segments` and `accounts` count each person once: their latest response in the whole period. ' +
  '`trend` counts each person once per bucket: their latest response within that bucket (week or month). ' +
  "Someone who answered in two buckets counts in both, so the buckets' `responses` add up to at least " +
  "the summary's `responses` (equal only when nobody answered in two buckets), and the summary is not " +
  'an average of the buckets.';

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
      schemas: {
        Problem: json(problem, 'output'),
        Message: json(message, 'input'),
        /** The body of every webhook delivery. */
        WebhookEvent: json(webhookEvent, 'output'),
      },
    },
    paths: {
      '/v1/batch': {
        post: {
          summary: 'Ingest a Segment batch',
          security: [{ publishableKey: [] }],
          requestBody: body(batchEnvelope.extend({ batch: z.array(message) }), examples.batch),
          responses: ok(batchResult),
        },
      },
      '/v1/content': {
        post: {
          summary: 'The content one end user should see now, with their progress',
          description: 'Sent as text/plain so that browsers make no preflight request.',
          requestBody: body(contentRequest, examples.content, 'text/plain'),
          responses: ok(contentResponse),
        },
      },
      '/v1/admin/milestones': {
        get: { summary: 'List milestones', ...admin, responses: ok(milestones) },
        post: {
          summary: 'Create a milestone (backfilled from existing events)',
          ...admin,
          requestBody: body(milestoneInput, examples.milestone),
          responses: ok(milestone, 'Created', 201),
        },
      },
      '/v1/admin/milestones/{id}': {
        parameters: [idParam()],
        get: { summary: 'Get a milestone', ...admin, responses: ok(milestone) },
        put: {
          summary: 'Replace a milestone (recomputed when its rule changes)',
          ...admin,
          requestBody: body(milestoneInput, examples.milestone),
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
          description: trendVersusSummary,
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
      '/v1/admin/accounts': {
        get: {
          summary:
            'Accounts in id order, with name and health; search by id or name prefix (case-insensitive)',
          ...admin,
          parameters: queryParams(peopleQuery.omit({ accountId: true })),
          responses: ok(null),
        },
      },
      '/v1/admin/users': {
        get: {
          summary: 'Users in id order; search by id, name or email prefix; filter by account',
          ...admin,
          parameters: queryParams(peopleQuery),
          responses: ok(null),
        },
      },
      '/v1/admin/accounts/import': {
        post: {
          summary:
            'Account traits from a CSV export (id column + one column per trait): bad cells reported by line and column, valid rows applied, idempotent',
          ...admin,
          requestBody: body(z.string(), examples.accountsCsv, 'text/csv'),
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
          summary: 'Change name, allowed origins, identity verification, theme, prompt cooldown',
          description:
            'Only the fields named change; nested objects (the theme) field by field. The merged settings are checked as a whole.',
          ...admin,
          requestBody: body(workspacePatch, examples.workspacePatch),
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
          requestBody: body(keyRotation, examples.keyRotation),
          responses: ok(rotatedApiKey, 'Created', 201),
        },
      },
      '/v1/admin/health/model': {
        get: {
          summary: 'The health model in force and its version (0: the shipped default)',
          ...admin,
          responses: ok(null),
        },
        put: {
          summary:
            'Save a new version of the health model (validated: weights, thresholds in order, known measures)',
          ...admin,
          requestBody: body(healthModel, defaultHealthModel),
          responses: ok(null),
        },
      },
      '/v1/admin/health/model/versions': {
        get: {
          summary: 'Every saved version of the health model, newest first',
          ...admin,
          responses: ok(null),
        },
      },
      '/v1/admin/core-features': {
        get: {
          summary: 'List core features',
          ...admin,
          responses: ok(z.object({ coreFeatures: z.array(coreFeature) })),
        },
        post: {
          summary: 'Name a core feature by the events that prove use (at most 10)',
          ...admin,
          requestBody: body(coreFeatureInput, examples.coreFeature),
          responses: ok(coreFeature, 'Created', 201),
        },
      },
      '/v1/admin/core-features/{id}': {
        parameters: [idParam()],
        get: { summary: 'Get a core feature', ...admin, responses: ok(coreFeature) },
        put: {
          summary: 'Replace a core feature',
          ...admin,
          requestBody: body(coreFeatureInput, examples.coreFeature),
          responses: ok(coreFeature),
        },
        delete: { summary: 'Delete a core feature', ...admin, responses: ok(null, 'Deleted', 204) },
      },
      '/v1/admin/health/accounts': {
        get: {
          summary:
            'Portfolio: every account with score, band, trend (7 and 30 days), coverage, ARR, renewal, stage, segment, top driver; filtered, sorted and paged on the server',
          ...admin,
          parameters: queryParams(portfolioQuery),
          responses: ok(null),
        },
      },
      '/v1/admin/health/accounts/{id}': {
        parameters: [idParam()],
        get: {
          summary:
            "One account's health: score, groups, measures with raw values, drivers in words, change against 7 and 30 days before, 18 weeks of history",
          ...admin,
          responses: ok(null),
        },
      },
      '/v1/admin/health/distribution': {
        get: {
          summary: "Accounts and ARR per band, and the week's biggest movers",
          ...admin,
          responses: ok(null),
        },
      },
      '/v1/admin/reports/adoption': {
        get: {
          summary:
            'Adoption over a window: DAU, WAU, MAU, stickiness, active days per active user, frequency bands; per core feature its users, accounts, adoption rate and depth; breadth',
          ...admin,
          parameters: queryParams(adoptionQuery),
          responses: ok(null),
        },
      },
      '/v1/admin/alerts': {
        get: {
          summary: 'The alert inbox: rules that fired, newest first, with before/after, drivers and a cursor',
          ...admin,
          parameters: queryParams(alertQuery),
          responses: ok(null),
        },
      },
      '/v1/admin/alerts/rules': {
        get: {
          summary: 'The alert rules, their thresholds and cooldowns',
          ...admin,
          responses: ok(alertRules),
        },
        patch: {
          summary: 'Change some fields of some rules (the others keep their values)',
          ...admin,
          requestBody: body(alertRulesPatch, examples.alertRules),
          responses: ok(alertRules),
        },
      },
      '/v1/admin/health/recompute': {
        post: {
          summary: "Recompute today's snapshot now, for one account or all",
          ...admin,
          requestBody: body(recomputeBody, examples.recompute),
          responses: ok(null),
        },
      },
      '/v1/admin/health/backfill': {
        post: {
          summary: 'Write the daily snapshots of a date range from stored events (at most 400 days)',
          ...admin,
          requestBody: body(backfillBody, examples.backfill),
          responses: ok(null),
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
      '/v1/admin/webhooks': {
        get: {
          summary: 'The webhook endpoints (their signing secrets never)',
          ...admin,
          responses: ok(z.object({ webhooks: z.array(webhookEndpoint) })),
        },
        post: {
          summary: 'Create an endpoint; its signing secret is in this answer only',
          description:
            'https://, or http:// to localhost or 127.0.0.1. Private, loopback and link-local addresses are refused unless the server allows them (WEBHOOK_ALLOW_PRIVATE_URLS). Every delivery posts a signed event (see the `WebhookEvent` schema and the README, "Webhooks").',
          ...admin,
          requestBody: body(webhookEndpointInput, examples.webhook),
          responses: ok(webhookEndpointWithSecret, 'Created', 201),
        },
      },
      '/v1/admin/webhooks/{id}': {
        parameters: [idParam()],
        get: { summary: 'An endpoint', ...admin, responses: ok(webhookEndpoint) },
        patch: {
          summary: 'Change an endpoint: only the fields sent',
          ...admin,
          requestBody: body(webhookEndpointPatch, examples.webhookPatch),
          responses: ok(webhookEndpoint),
        },
        delete: {
          summary: 'Delete an endpoint and its deliveries',
          ...admin,
          responses: ok(null, 'Deleted', 204),
        },
      },
      '/v1/admin/webhooks/{id}/secret': {
        parameters: [idParam()],
        post: {
          summary: 'Rotate the signing secret (shown once); the previous one also signs for overlapHours',
          ...admin,
          requestBody: body(webhookSecretRotation, examples.webhookSecret),
          responses: ok(webhookEndpointWithSecret, 'Created', 201),
        },
      },
      '/v1/admin/webhooks/{id}/test': {
        parameters: [idParam()],
        post: {
          summary: 'Queue a webhook.test event for this endpoint alone (409 when it is disabled)',
          ...admin,
          responses: ok(webhookDelivery, 'Queued', 202),
        },
      },
      '/v1/admin/webhooks/{id}/deliveries': {
        get: {
          parameters: [idParam(), ...queryParams(webhookDeliveryQuery)],
          summary: 'The delivery log, newest first: status, attempts, last error, next attempt',
          ...admin,
          responses: ok(z.object({ deliveries: z.array(webhookDelivery) })),
        },
      },
    },
  };
}
