import { and, desc, eq, lt, or } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import { errorCodes } from '../../shared/problem.ts';
import {
  testEventType,
  type WebhookDelivery,
  type WebhookDeliveryPage,
  type WebhookEndpoint,
  type WebhookEndpointInput,
  type WebhookEndpointPatch,
  type WebhookEndpointWithSecret,
  type WebhookSecretRotation,
} from '../../shared/schemas/webhook.ts';
import { type Database, statement } from '../db/client.ts';
import {
  type DeliveryState,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  webhookDeliveries,
  webhookEndpoints,
} from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { privateHostOf } from './addresses.ts';
import { enqueueForEndpoint } from './outbox.ts';
import { newSigningSecret, secretHint } from './signing.ts';

const hour = 3_600_000;
const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/**
 * A workspace's webhook endpoints and their delivery log, for the admin API
 * (server/routes/webhooks.ts). `allowPrivate` is `WEBHOOK_ALLOW_PRIVATE_URLS`.
 */
export class WebhookEndpoints {
  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
    private readonly allowPrivate: boolean,
  ) {}

  async list(workspaceId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db.read
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.workspaceId, workspaceId))
      .orderBy(webhookEndpoints.createdAt, webhookEndpoints.id);
    return rows.map(presentEndpoint);
  }

  async get(workspaceId: string, id: string): Promise<WebhookEndpoint> {
    return presentEndpoint(await this.#row(workspaceId, id));
  }

  /** Creates an endpoint with a new signing secret, answered this once. */
  async create(workspaceId: string, input: WebhookEndpointInput): Promise<WebhookEndpointWithSecret> {
    this.#checkAddress(input.url);
    const now = this.clock();
    const secret = newSigningSecret();
    const id = `whe_${nanoid(16)}`;
    await this.db.writer.batch([
      statement(
        this.db.read.insert(webhookEndpoints).values({
          workspaceId,
          id,
          url: normalized(input.url),
          description: input.description,
          eventTypes: input.eventTypes,
          enabled: input.enabled,
          secrets: [secret],
          createdAt: now,
          updatedAt: now,
        }),
      ),
    ]);
    return { ...(await this.get(workspaceId, id)), secret };
  }

  async update(workspaceId: string, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
    await this.#row(workspaceId, id);
    if (patch.url !== undefined) this.#checkAddress(patch.url);
    if (Object.keys(patch).length > 0) {
      await this.db.writer.batch([
        statement(
          this.db.read
            .update(webhookEndpoints)
            .set({
              ...patch,
              ...(patch.url === undefined ? {} : { url: normalized(patch.url) }),
              updatedAt: this.clock(),
            })
            .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id))),
        ),
      ]);
    }
    return this.get(workspaceId, id);
  }

  /** Deletes the endpoint and its deliveries, pending ones included, in one transaction. */
  async remove(workspaceId: string, id: string): Promise<void> {
    await this.#row(workspaceId, id);
    await this.db.writer.batch([
      statement(
        this.db.read
          .delete(webhookDeliveries)
          .where(and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.endpointId, id))),
      ),
      statement(
        this.db.read
          .delete(webhookEndpoints)
          .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id))),
      ),
    ]);
  }

  /**
   * A new signing secret, answered this once; the previous one keeps signing beside it for
   * `overlapHours` (0: at once), and one older than that stops now.
   */
  async rotateSecret(
    workspaceId: string,
    id: string,
    input: WebhookSecretRotation,
  ): Promise<WebhookEndpointWithSecret> {
    const row = await this.#row(workspaceId, id);
    const now = this.clock();
    const secret = newSigningSecret();
    const current = row.secrets[0];
    const keepPrevious = input.overlapHours > 0 && current !== undefined;
    await this.db.writer.batch([
      statement(
        this.db.read
          .update(webhookEndpoints)
          .set({
            secrets: keepPrevious ? [secret, current] : [secret],
            previousSecretExpiresAt: keepPrevious ? now + input.overlapHours * hour : null,
            updatedAt: now,
          })
          .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id))),
      ),
    ]);
    return { ...(await this.get(workspaceId, id)), secret };
  }

  /** Queues a `webhook.test` event for this endpoint alone, whatever its event filter. */
  async sendTest(workspaceId: string, id: string): Promise<WebhookDelivery> {
    const row = await this.#row(workspaceId, id);
    if (!row.enabled) {
      throw new ApiError(
        409,
        errorCodes.conflict,
        'Endpoint disabled',
        'Enable the endpoint (PATCH {"enabled": true}) before sending it a test event.',
      );
    }
    const { statement: insert } = enqueueForEndpoint(
      workspaceId,
      id,
      testEventType,
      {
        data: { endpointId: id, url: row.url },
        text: `Test event from Waymark for webhook ${id}`,
      },
      this.clock(),
    );
    const [inserted] = await this.db.writer.batch([insert]);
    const deliveryId = String(inserted?.rows[0]?.id ?? '');
    const [delivery] = await this.db.read
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, deliveryId));
    if (!delivery) throw new Error(`the test delivery ${deliveryId} was not found after its insert`);
    return presentDelivery(delivery);
  }

  /**
   * The endpoint's deliveries, newest first, each with its attempts: a page, and the cursor of the
   * next (`<createdAt>.<id>` of its last delivery; null when none is older).
   */
  async deliveries(
    workspaceId: string,
    id: string,
    query: { status?: DeliveryState | undefined; before?: [number, string] | undefined; limit: number },
  ): Promise<WebhookDeliveryPage> {
    await this.#row(workspaceId, id);
    const t = webhookDeliveries;
    const rows = await this.db.read
      .select()
      .from(t)
      .where(
        and(
          eq(t.workspaceId, workspaceId),
          eq(t.endpointId, id),
          query.status === undefined ? undefined : eq(t.status, query.status),
          query.before === undefined
            ? undefined
            : or(
                lt(t.createdAt, query.before[0]),
                and(eq(t.createdAt, query.before[0]), lt(t.id, query.before[1])),
              ),
        ),
      )
      .orderBy(desc(t.createdAt), desc(t.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      deliveries: page.map(presentDelivery),
      next: rows.length > query.limit && last ? `${last.createdAt}.${last.id}` : null,
    };
  }

  async #row(workspaceId: string, id: string): Promise<WebhookEndpointRow> {
    const [row] = await this.db.read
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)));
    if (!row)
      throw new ApiError(404, errorCodes.notFound, 'Not found', 'No webhook with this id in this workspace.');
    return row;
  }

  #checkAddress(url: string): void {
    const host = this.allowPrivate ? null : privateHostOf(url);
    if (host === null) return;
    throw new ApiError(400, errorCodes.validationFailed, 'Invalid request', undefined, [
      {
        pointer: '/url',
        detail: `must not reach a private, loopback or link-local address (${host}); the server's WEBHOOK_ALLOW_PRIVATE_URLS setting allows them`,
      },
    ]);
  }
}

/** The URL as it will be requested (host in lower case and punycode, path percent-encoded). */
const normalized = (url: string) => new URL(url).href;

function presentEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    secretHint: secretHint(row.secrets[0] ?? ''),
    previousSecretExpiresAt: row.secrets.length > 1 ? iso(row.previousSecretExpiresAt) : null,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

function presentDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastDurationMs: row.lastDurationMs,
    createdAt: new Date(row.createdAt).toISOString(),
    completedAt: iso(row.completedAt),
    log: row.log.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
  };
}
