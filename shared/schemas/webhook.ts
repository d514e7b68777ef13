import { z } from 'zod';
import { storedText } from './stored-text.ts';

/**
 * Webhooks: a workspace's endpoints, the deliveries to them, and the event every delivery posts.
 * See the README, "Webhooks".
 */

/** Hosts a plain `http://` URL may name: a receiver on the developer's own machine. */
export const loopbackHosts = ['localhost', '127.0.0.1', '[::1]'] as const;

/**
 * An endpoint's URL: `https://`, or `http://` to localhost, 127.0.0.1 or [::1] (development). No
 * user name or password (they would show in every list), no fragment. Private addresses are judged
 * by the server, which knows whether its configuration allows them.
 *
 * @example
 * webhookUrl.parse('https://hooks.slack.com/services/T000/B000/XXXX')
 * webhookUrl.safeParse('http://example.com/hook').success // false: http only to localhost
 */
export const webhookUrl = storedText(z.string().trim().max(2048)).superRefine((text, ctx) => {
  let url: URL;
  try {
    // The scheme's slashes are required: the URL parser would read `https:example.com` as a host.
    if (!/^https?:\/\//i.test(text)) throw new TypeError('no scheme');
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://example.com/hooks' });
    return;
  }
  if (url.protocol === 'http:' && !(loopbackHosts as readonly string[]).includes(url.hostname)) {
    ctx.addIssue({ code: 'custom', message: 'must be https:// (http:// only to localhost or 127.0.0.1)' });
  } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', message: 'must be https://' });
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
  }
  if (url.hash !== '') ctx.addIssue({ code: 'custom', message: 'must not contain a #fragment' });
});

/**
 * An event type: dotted lower-case words, such as `alert.created`. `webhook.test` is what the
 * "send test event" route posts.
 */
export const webhookEventType = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'must be dotted lower-case words, such as alert.created');

/** The event type of `POST /v1/admin/webhooks/{id}/test`. */
export const testEventType = 'webhook.test';

const description = storedText(z.string().trim().max(500));
/** Null (or left out): every event type. */
const eventTypes = z
  .array(webhookEventType)
  .min(1, 'must name at least one type, or be null for all')
  .max(50);

/**
 * `POST /v1/admin/webhooks`.
 *
 * @example
 * webhookEndpointInput.parse({ url: 'https://example.com/waymark', eventTypes: ['alert.created'] })
 */
export const webhookEndpointInput = z.strictObject({
  url: webhookUrl,
  description: description.default(''),
  eventTypes: eventTypes.nullable().default(null),
  enabled: z.boolean().default(true),
});
export type WebhookEndpointInput = z.infer<typeof webhookEndpointInput>;

/** `PATCH /v1/admin/webhooks/{id}`: only the fields sent change. */
export const webhookEndpointPatch = z.strictObject({
  url: webhookUrl.optional(),
  description: description.optional(),
  eventTypes: eventTypes.nullable().optional(),
  enabled: z.boolean().optional(),
});
export type WebhookEndpointPatch = z.infer<typeof webhookEndpointPatch>;

/**
 * `POST /v1/admin/webhooks/{id}/secret`: a new signing secret; the previous one keeps signing
 * (a second `v1=` in the signature) for `overlapHours`, so the receiver can switch over.
 */
export const webhookSecretRotation = z.strictObject({
  overlapHours: z
    .number()
    .int('must be a whole number of hours')
    .min(0, 'must be 0 (stop signing with the previous secret now) or more')
    .max(30 * 24, 'must be at most 720 (30 days)')
    .default(24),
});
export type WebhookSecretRotation = z.infer<typeof webhookSecretRotation>;

/**
 * An endpoint as lists show it: its secret never, only a hint to recognise it.
 *
 * @example
 * { id: 'whe_V1StGXR8Z5jd', url: 'https://example.com/waymark', description: '', eventTypes: null,
 *   enabled: true, secretHint: 'whsec_…9f3a', previousSecretExpiresAt: null, createdAt: '…', updatedAt: '…' }
 */
export const webhookEndpoint = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()).nullable(),
  enabled: z.boolean(),
  secretHint: z.string(),
  /** After a rotation: until then the previous secret signs too. */
  previousSecretExpiresAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>;

/** The answer to a create or a secret rotation: the only time the secret is ever shown. */
export const webhookEndpointWithSecret = webhookEndpoint.extend({ secret: z.string() });
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecret>;

export const deliveryStatus = z.enum(['pending', 'delivered', 'failed']);

/** One HTTP attempt of a delivery. */
export const deliveryAttempt = z.object({
  at: z.iso.datetime(),
  /** Null when no answer came (a network error, a timeout, a refused address). */
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
});

/** A delivery as the log shows it, with each attempt. */
export const webhookDelivery = z.object({
  /** Sent as `Waymark-Delivery-Id`, the same on every attempt. */
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: deliveryStatus,
  attempts: z.number().int(),
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: z.iso.datetime().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastDurationMs: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
  /** When it was delivered, or given up on. */
  completedAt: z.iso.datetime().nullable(),
  log: z.array(deliveryAttempt),
});
export type WebhookDelivery = z.infer<typeof webhookDelivery>;

/**
 * `GET /v1/admin/webhooks/{id}/deliveries`: newest first, a page at a time; `before` is the `next`
 * of the page before (`<createdAt ms>.<delivery id>`).
 */
export const webhookDeliveryQuery = z.object({
  status: deliveryStatus.optional(),
  before: z
    .string()
    .regex(/^\d{1,15}\.whd_[\w-]+$/, 'must be the `next` cursor of a previous page')
    .transform((cursor) => {
      const dot = cursor.indexOf('.');
      return [Number(cursor.slice(0, dot)), cursor.slice(dot + 1)] as [number, string];
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** A page of the delivery log; `next` (null on the last page) asks for the page after it as `before`. */
export const webhookDeliveryPage = z.object({
  deliveries: z.array(webhookDelivery),
  next: z.string().nullable(),
});
export type WebhookDeliveryPage = z.infer<typeof webhookDeliveryPage>;

/**
 * The JSON body of every delivery. `text` is a one-line summary, escaped for Slack (`&`, `<`, `>`),
 * so that a Slack incoming webhook works as a receiver unchanged (Slack ignores the other fields).
 *
 * @example
 * { id: 'evt_…', type: 'alert.created', createdAt: '2026-11-23T12:00:00.000Z', workspaceId: 'acme',
 *   data: { … }, text: 'Acme Corp moved from green to yellow' }
 */
export const webhookEvent = z.object({
  id: z.string(),
  type: z.string(),
  createdAt: z.iso.datetime(),
  workspaceId: z.string(),
  data: z.record(z.string(), z.unknown()),
  text: z.string(),
});
export type WebhookEvent = z.infer<typeof webhookEvent>;
