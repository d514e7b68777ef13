import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { and, eq, or, sql } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import type { Database } from '../db/client.ts';
import { type DeliveryState, webhookEndpoints } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { httpSender, type Send, type SendResult } from './send.ts';
import { signatureHeader } from './signing.ts';

/** How deliveries are made (README, "Webhooks" and "Configuration"). */
export interface WebhookSettings {
  /** Whether this instance's worker delivers at all (`WEBHOOK_DELIVERY`); queueing works either way. */
  deliver: boolean;
  /** How often an idle worker looks for due deliveries. */
  pollMs: number;
  /** One attempt's limit, from connecting to the end of the answer. */
  timeoutMs: number;
  /** Attempts before a delivery is marked failed. */
  maxAttempts: number;
  /** Whether endpoints may be (or resolve to) loopback, private or link-local addresses. */
  allowPrivate: boolean;
  /** Deliveries one claim takes; they are sent at once, side by side. */
  batchSize: number;
}

export const defaultWebhookSettings: WebhookSettings = {
  deliver: true,
  pollMs: 1000,
  timeoutMs: 10_000,
  maxAttempts: 8,
  allowPrivate: false,
  batchSize: 10,
};

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** Delivered rows are kept this long for the log, failed ones longer (someone may look into them). */
export const keepDelivered = 7 * day;
export const keepFailed = 30 * day;
const pruneEvery = hour;

/**
 * The wait after the `attempts`-th failed attempt: 1 minute, tripled each time, never more than
 * 12 hours, times a random 0.8 to 1.2 so that receivers coming back up are not hit by every
 * instance at once. Eight attempts span about 18 hours.
 *
 * @example
 * retryDelayMs(1, () => 0.5) // 60_000
 * retryDelayMs(3, () => 0.5) // 540_000 (9 minutes)
 */
export function retryDelayMs(attempts: number, random: () => number): number {
  const base = Math.min(minute * 3 ** Math.max(0, attempts - 1), 12 * hour);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * `Retry-After` (seconds, or an HTTP date) as milliseconds from `now`, at most a day; null when
 * absent or unreadable.
 *
 * @example
 * retryAfterMs('120', now) // 120_000
 */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), day) : null;
}

/** What an answer means: done, try again later, or stop (a 4xx other than 408 and 429, a redirect). */
export function outcomeOf(result: SendResult): 'delivered' | 'retry' | 'permanent' {
  const code = result.statusCode;
  if (code === null) return result.permanent ? 'permanent' : 'retry';
  if (code >= 200 && code < 300) return 'delivered';
  if (code === 408 || code === 429 || code >= 500) return 'retry';
  return 'permanent';
}

interface Claimed {
  id: string;
  workspaceId: string;
  endpointId: string;
  eventType: string;
  body: string;
  attempts: number;
}

/**
 * Delivers the webhook outbox. Every server instance runs one; they share the work through a lease
 * in the database: a claim is one write transaction that marks due, unleased rows as this worker's
 * until `leaseUntil`, and write transactions are serialized, so two instances never claim the same
 * row and each event goes out once. A worker that dies mid-send leaves its lease to expire, and the
 * row is sent again (at least once: receivers dedupe by `Waymark-Delivery-Id`).
 *
 * @example
 * const worker = new WebhookWorker({ db, clock: Date.now, logger, settings })
 * worker.start() // … await worker.stop()
 */
export class WebhookWorker {
  /** This worker's name in `lease_owner`: unique per process and per worker. */
  readonly owner = `${hostname()}:${process.pid}:${nanoid(8)}`;
  readonly settings: WebhookSettings;
  #db: Database;
  #clock: () => number;
  #logger: Logger;
  #send: Send;
  #random: () => number;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> | null = null;
  #running = false;
  #lastPrune = 0;

  constructor(options: {
    db: Database;
    clock: () => number;
    logger: Logger;
    settings: WebhookSettings;
    /** How an attempt is posted (node:http(s) by default). */
    send?: Send;
    random?: () => number;
  }) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.settings = options.settings;
    this.#send =
      options.send ??
      httpSender({ timeoutMs: options.settings.timeoutMs, allowPrivate: options.settings.allowPrivate });
    this.#random = options.random ?? Math.random;
  }

  /** Starts polling (no-op when `deliver` is off or it runs already). */
  start(): void {
    if (this.#running || !this.settings.deliver) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Looks for due deliveries now rather than at the next poll (after queueing one on this instance). */
  wake(): void {
    if (this.#running && this.#tick === null) this.#schedule(0);
  }

  /** Stops polling and waits for the attempts under way to be recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tick;
  }

  /**
   * Claims up to `batchSize` due deliveries and makes one attempt at each, side by side; answers
   * how many it claimed. Tests call it directly, with an injected clock.
   */
  async runOnce(): Promise<number> {
    const now = this.#clock();
    // An idle poll is one indexed read: no write transaction (and no turn of the writer) unless
    // something is due.
    const due = await this.#db.read.all(
      sql`SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ${now}
          AND (lease_until IS NULL OR lease_until <= ${now}) LIMIT 1`,
    );
    if (due.length === 0) return 0;
    const leaseMs = this.settings.timeoutMs + minute;
    const [claim] = await this.#db.writer.batch([
      {
        sql: `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?
              WHERE id IN (
                SELECT d.id FROM webhook_deliveries d
                JOIN webhook_endpoints e
                  ON e.workspace_id = d.workspace_id AND e.id = d.endpoint_id AND e.enabled = 1
                WHERE d.status = 'pending' AND d.next_attempt_at <= ?
                  AND (d.lease_until IS NULL OR d.lease_until <= ?)
                ORDER BY d.next_attempt_at LIMIT ?)
              RETURNING id, workspace_id, endpoint_id, event_type, body, attempts`,
        args: [this.owner, now + leaseMs, now, now, this.settings.batchSize],
      },
    ]);
    const claimed: Claimed[] = (claim?.rows ?? []).map((row) => ({
      id: String(row.id),
      workspaceId: String(row.workspace_id),
      endpointId: String(row.endpoint_id),
      eventType: String(row.event_type),
      body: String(row.body),
      attempts: Number(row.attempts),
    }));
    if (claimed.length === 0) return 0;
    const endpoints = await this.#db.read
      .select()
      .from(webhookEndpoints)
      .where(
        or(
          ...claimed.map((d) =>
            and(eq(webhookEndpoints.workspaceId, d.workspaceId), eq(webhookEndpoints.id, d.endpointId)),
          ),
        ),
      );
    await Promise.all(
      claimed.map(async (delivery) => {
        const endpoint = endpoints.find(
          (e) => e.workspaceId === delivery.workspaceId && e.id === delivery.endpointId,
        );
        // Deleted since the claim: its deliveries went with it.
        if (!endpoint) return;
        await this.#attempt(delivery, endpoint);
      }),
    );
    return claimed.length;
  }

  /**
   * Deletes delivered rows older than `keepDelivered` and failed ones older than `keepFailed`;
   * answers how many.
   */
  async prune(): Promise<number> {
    const now = this.#clock();
    const results = await this.#db.writer.batch([
      {
        sql: `DELETE FROM webhook_deliveries WHERE status = 'delivered' AND completed_at < ?`,
        args: [now - keepDelivered],
      },
      {
        sql: `DELETE FROM webhook_deliveries WHERE status = 'failed' AND completed_at < ?`,
        args: [now - keepFailed],
      },
    ]);
    return results.reduce((sum, result) => sum + result.rowsAffected, 0);
  }

  async #attempt(
    delivery: Claimed,
    endpoint: { url: string; secrets: string[]; previousSecretExpiresAt: number | null },
  ): Promise<void> {
    const at = this.#clock();
    const live =
      endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > at
        ? endpoint.secrets.slice(0, 2)
        : endpoint.secrets.slice(0, 1);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Waymark-Webhooks/1',
      'waymark-delivery-id': delivery.id,
      'waymark-event': delivery.eventType,
      'waymark-signature': signatureHeader(live, Math.floor(at / 1000), delivery.body),
    };
    const started = performance.now();
    let result: SendResult;
    try {
      result = await this.#send(endpoint.url, headers, delivery.body);
    } catch (error) {
      result = { statusCode: null, retryAfter: null, error: (error as Error).message };
    }
    const durationMs = Math.round(performance.now() - started);
    const now = this.#clock();
    const attempts = delivery.attempts + 1;
    const outcome = outcomeOf(result);
    let status: DeliveryState = 'pending';
    let nextAttemptAt = now;
    if (outcome === 'delivered') status = 'delivered';
    else if (outcome === 'permanent' || attempts >= this.settings.maxAttempts) status = 'failed';
    else {
      const backOff = retryDelayMs(attempts, this.#random);
      nextAttemptAt = now + Math.max(backOff, retryAfterMs(result.retryAfter, now) ?? 0);
    }
    const entry = { at: now, statusCode: result.statusCode, durationMs, error: result.error };
    // Recorded only while the lease is still this worker's: after a lease lapsed another worker owns the row.
    await this.#db.writer.batch([
      {
        sql: `UPDATE webhook_deliveries
              SET status = ?, attempts = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL,
                  last_status_code = ?, last_error = ?, last_duration_ms = ?, completed_at = ?,
                  log = json_insert(log, '$[#]', json(?))
              WHERE id = ? AND lease_owner = ?`,
        args: [
          status,
          attempts,
          nextAttemptAt,
          result.statusCode,
          result.error,
          durationMs,
          status === 'pending' ? null : now,
          JSON.stringify(entry),
          delivery.id,
          this.owner,
        ],
      },
    ]);
    if (status === 'failed') {
      this.#logger.info(
        `webhook delivery ${delivery.id} failed after ${attempts} attempt(s): ${result.error}`,
      );
    }
  }

  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#tick = this.#loop().finally(() => {
        this.#tick = null;
        if (this.#running) this.#schedule(this.settings.pollMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  async #loop(): Promise<void> {
    try {
      // A full batch means more may be due: keep going until a claim comes back short.
      while (this.#running && (await this.runOnce()) === this.settings.batchSize) {}
      if (this.#running && this.#clock() - this.#lastPrune >= pruneEvery) {
        this.#lastPrune = this.#clock();
        await this.prune();
      }
    } catch (error) {
      this.#logger.error('webhook delivery round failed', error);
    }
  }
}
