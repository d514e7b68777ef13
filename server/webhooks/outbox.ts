import type { InStatement, InValue } from '@libsql/client';
import { nanoid } from 'nanoid';
import { type WebhookEvent, webhookEventType } from '../../shared/schemas/webhook.ts';

/** What a module raising an event gives: its data, and a one-line summary for people (and Slack). */
export interface WebhookPayload {
  data: Record<string, unknown>;
  /** Plain text; it is made one line and escaped for Slack here. */
  text: string;
}

/** Slack reads `text` as mrkdwn: `&`, `<` and `>` must be escaped, or `<…>` would become a link. */
const slackEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const maxTextChars = 3000;

/**
 * `text` as one line, escaped for Slack's mrkdwn.
 *
 * @example
 * slackText('Acme <Corp>\ndropped to red') // 'Acme &lt;Corp&gt; dropped to red'
 */
export function slackText(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().slice(0, maxTextChars);
  return line.replace(/[&<>]/g, (c) => slackEscapes[c] ?? c);
}

/**
 * Adds to `tx` (the statements of a write transaction, as `db.writer.batch` takes them) the one
 * statement that queues `type` for every enabled endpoint of the workspace whose filter takes it:
 * one delivery row each. The endpoints are read inside that transaction, so the event and its
 * deliveries commit together or not at all, and an endpoint created a moment later never gets it.
 * The delivery worker (worker.ts) posts them. Answers the event as every endpoint will receive it.
 *
 * @example
 * const tx = [statement(db.read.insert(alerts).values(alert))]
 * enqueueWebhook(tx, 'acme', 'alert.created', { data: { alert }, text: 'Acme Corp moved to red' }, now)
 * await db.writer.batch(tx)
 */
export function enqueueWebhook(
  tx: InStatement[],
  workspaceId: string,
  type: string,
  payload: WebhookPayload,
  now: number,
  /** A condition the transaction must meet for anything to be queued (e.g. that an alert row was written). */
  onlyIf?: { sql: string; args: InValue[] },
): WebhookEvent {
  const { event, body } = buildEvent(workspaceId, type, payload, now);
  tx.push({
    sql: `INSERT INTO webhook_deliveries
            (id, workspace_id, endpoint_id, event_id, event_type, body, next_attempt_at, created_at)
          SELECT ${newDeliveryIdSql}, workspace_id, id, ?, ?, ?, ?, ?
          FROM webhook_endpoints
          WHERE workspace_id = ? AND enabled = 1
            AND (event_types IS NULL OR EXISTS (SELECT 1 FROM json_each(event_types) WHERE value = ?))
            ${onlyIf ? `AND (${onlyIf.sql})` : ''}`,
    args: [event.id, type, body, now, now, workspaceId, type, ...(onlyIf?.args ?? [])],
  });
  return event;
}

/**
 * The statement that queues `type` for one endpoint only, whatever its filter (the test event);
 * it returns the new delivery's id.
 */
export function enqueueForEndpoint(
  workspaceId: string,
  endpointId: string,
  type: string,
  payload: WebhookPayload,
  now: number,
): { event: WebhookEvent; statement: InStatement } {
  const { event, body } = buildEvent(workspaceId, type, payload, now);
  return {
    event,
    statement: {
      sql: `INSERT INTO webhook_deliveries
              (id, workspace_id, endpoint_id, event_id, event_type, body, next_attempt_at, created_at)
            SELECT ${newDeliveryIdSql}, workspace_id, id, ?, ?, ?, ?, ?
            FROM webhook_endpoints WHERE workspace_id = ? AND id = ?
            RETURNING id`,
      args: [event.id, type, body, now, now, workspaceId, endpointId],
    },
  };
}

// Generated in SQL because the rows are made by INSERT … SELECT: one per matching endpoint.
const newDeliveryIdSql = `'whd_' || lower(hex(randomblob(12)))`;

function buildEvent(workspaceId: string, type: string, payload: WebhookPayload, now: number) {
  // A wrong type is a bug in the module raising it, not bad input: fail loudly, before anything commits.
  webhookEventType.parse(type);
  const event: WebhookEvent = {
    id: `evt_${nanoid(16)}`,
    type,
    createdAt: new Date(now).toISOString(),
    workspaceId,
    data: payload.data,
    text: slackText(payload.text),
  };
  return { event, body: JSON.stringify(event) };
}
