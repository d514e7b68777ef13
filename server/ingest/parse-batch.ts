import { nanoid } from 'nanoid';
import { errorCodes, type FieldError, toPointer } from '../../shared/problem.ts';
import { jsonBounds, jsonShapeIssue } from '../../shared/schemas/json-shape.ts';
import {
  batchEnvelope,
  limits,
  type Message,
  message,
  messageContext,
  missingIdentity,
} from '../../shared/schemas/message.ts';
import type { IdentityState } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { verifyGroupHash, verifyUserHash } from '../workspaces/keys.ts';
import type { Tenant } from '../workspaces/store.ts';

/** A validated message, shaped as an `events` row plus what the user and account upserts need. */
export interface IngestEvent {
  workspaceId: string;
  messageId: string;
  type: Message['type'];
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  /** The account named by the message itself: a group's `groupId` or `context.groupId`. */
  accountId: string | null;
  timestamp: number;
  receivedAt: number;
  properties: string | null;
  traits: string | null;
  context: string | null;
  /** How the user was vouched for; null for an anonymous message. */
  identity: IdentityState | null;
  /** How the user's membership of `accountId` was vouched for; null when the message names no account. */
  accountIdentity: IdentityState | null;
}

/** A valid message of a batch: its event, and where it was in the batch (what a rejection points at). */
export interface BatchMessage {
  index: number;
  event: IngestEvent;
}

/** A message refused, by its index in the batch, with a JSON pointer per problem. */
export interface Rejection {
  index: number;
  errors: FieldError[];
}

export interface ParsedBatch {
  messages: BatchMessage[];
  rejected: Rejection[];
}

/**
 * Validates a `POST /v1/batch` body message by message. An envelope problem, or one message over the
 * size limit, throws (nothing is written); a message that fails validation is listed in `rejected`
 * with a JSON pointer per problem, and the others go on.
 *
 * @example
 * parseBatch({ batch: [{ type: 'track', event: 'Invoice Sent', userId: 'u1' }] }, { tenant, receivedAt, bodyBytes })
 */
export function parseBatch(
  body: unknown,
  options: { tenant: Tenant; receivedAt: number; bodyBytes: number },
): ParsedBatch {
  const envelope = batchEnvelope.safeParse(body);
  if (!envelope.success) {
    throw new ApiError(
      400,
      errorCodes.validationFailed,
      'Invalid request',
      'The body must be a Segment batch: {"batch": [...], "sentAt": "..."}.',
      envelope.error.issues.map((issue) => ({ pointer: toPointer(issue.path), detail: issue.message })),
    );
  }
  const { batch, sentAt: batchSentAt } = envelope.data;
  const batchContext = checkedBatchContext(envelope.data.context);
  const messages: BatchMessage[] = [];
  const rejected: Rejection[] = [];
  // Measuring a message's size serializes it, which recurses: a message nested thousands deep would
  // overflow the stack. Such a message is rejected first, on its own, and never measured.
  const tooDeep = new Set<number>();
  batch.forEach((raw, index) => {
    // The message is level 0, so its traits, properties and context get the schemas' own bound.
    const issue = jsonShapeIssue(raw, { depth: jsonBounds.depth, keys: Number.POSITIVE_INFINITY }, 0);
    if (!issue) return;
    tooDeep.add(index);
    rejected.push({
      index,
      errors: [{ pointer: toPointer(['batch', index, ...issue.path]), detail: issue.message }],
    });
  });
  // A body under the per-message limit cannot hold a message over it: skip measuring on the hot path.
  if (options.bodyBytes > limits.messageBytes) assertMessageSizes(batch, tooDeep);

  const hashes = new Map<string, IdentityState>();
  const enforced = options.tenant.workspace.identityVerification === 'enforce';
  batch.forEach((raw, index) => {
    if (tooDeep.has(index)) return;
    const parsed = message.safeParse(raw);
    if (!parsed.success) {
      const issues: Array<{ path: PropertyKey[]; message: string }> = parsed.error.issues;
      // zod skips the "names somebody" refinement when the shape fails; report it all the same, for
      // a message that is an object (a pointer to `userId` in a string or an array names nothing).
      if (namesNobody(raw) && !issues.some((issue) => issue.message === missingIdentity.message)) {
        issues.push({ path: [...missingIdentity.path], message: missingIdentity.message });
      }
      rejected.push({
        index,
        errors: issues.map((issue) => ({
          pointer: toPointer(['batch', index, ...issue.path]),
          detail: issue.message,
        })),
      });
      return;
    }
    const msg = parsed.data;
    const timestamp = correctedTimestamp(msg.timestamp, msg.sentAt ?? batchSentAt, options.receivedAt);
    if (timestamp === null) {
      rejected.push({
        index,
        errors: [
          {
            pointer: toPointer(['batch', index, 'timestamp']),
            detail: `must not be before ${new Date(limits.earliestTimestamp).toISOString()}, after clock-skew correction`,
          },
        ],
      });
      return;
    }
    const event = toEvent(msg, options.tenant, timestamp, options.receivedAt, batchContext);
    event.identity = identityOf(msg, options.tenant, hashes);
    event.accountIdentity = accountIdentityOf(msg, event.accountId, options.tenant, hashes);
    const errors = enforced ? unverified(event, index) : [];
    if (errors.length > 0) {
      rejected.push({ index, errors });
      return;
    }
    messages.push({ index, event });
  });
  rejected.sort((a, b) => a.index - b.index);
  return { messages, rejected };
}

/**
 * The batch's own `context` applies to every message, so its `groupId` names an account as theirs
 * does and must be an id as theirs are (a groupHash signs it: see `idCharacters`).
 */
function checkedBatchContext(context: Record<string, unknown> | undefined) {
  if (context?.groupId == null) return context;
  const groupId = messageContext.shape.groupId.safeParse(context.groupId);
  if (!groupId.success) {
    throw new ApiError(
      400,
      errorCodes.validationFailed,
      'Invalid request',
      "The batch's context.groupId is not a valid id; nothing in this request was stored.",
      groupId.error.issues.map((issue) => ({
        pointer: toPointer(['context', 'groupId', ...issue.path]),
        detail: issue.message,
      })),
    );
  }
  return { ...context, groupId: groupId.data };
}

/** An object message without `userId` or `anonymousId`. */
function namesNobody(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const { userId, anonymousId } = raw as Record<string, unknown>;
  return (userId === undefined || userId === null) && (anonymousId === undefined || anonymousId === null);
}

function assertMessageSizes(batch: unknown[], skip: ReadonlySet<number>): void {
  batch.forEach((raw, index) => {
    if (skip.has(index)) return;
    const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '');
    if (bytes > limits.messageBytes) {
      throw new ApiError(
        413,
        errorCodes.messageTooLarge,
        'Message too large',
        `Each message may hold at most ${limits.messageBytes} bytes; nothing in this request was stored.`,
        [
          {
            pointer: toPointer(['batch', index]),
            detail: `${bytes} bytes, over the ${limits.messageBytes} limit`,
          },
        ],
      );
    }
  });
}

const isVouched = (identity: IdentityState): boolean => identity === 'signed' || identity === 'trusted';

const userHashFormula = 'hex HMAC-SHA256(identity secret, userId)';
const groupHashFormula = 'hex HMAC-SHA256(identity secret, userId + "\\n" + groupId)';

/**
 * Why an enforcing workspace refuses this message, one error per failed check (none: it is stored).
 * A message that names an account must carry the customer server's proof that its user belongs to
 * it, so an anonymous message may name none: browsers can claim any user and any account.
 */
function unverified(event: IngestEvent, index: number): FieldError[] {
  const errors: FieldError[] = [];
  const { identity, accountIdentity } = event;
  if (identity !== null && !isVouched(identity)) {
    errors.push({
      pointer: toPointer(['batch', index, 'userHash']),
      detail:
        identity === 'invalid'
          ? `userHash does not match userId: it must be ${userHashFormula}`
          : `identity verification is required: send userHash = ${userHashFormula}`,
    });
  }
  if (accountIdentity !== null && !isVouched(accountIdentity)) {
    errors.push({
      pointer: toPointer(['batch', index, 'groupHash']),
      detail:
        event.userId === null
          ? `a message without userId cannot name an account while identity verification is enforced: send userId, userHash and groupHash = ${groupHashFormula}`
          : accountIdentity === 'invalid'
            ? `groupHash does not match userId and groupId: it must be ${groupHashFormula}`
            : `account verification is required: send groupHash = ${groupHashFormula}`,
    });
  }
  return errors;
}

function identityOf(msg: Message, tenant: Tenant, cache: Map<string, IdentityState>): IdentityState | null {
  const userId = msg.userId;
  if (userId == null) return null;
  if (tenant.keyKind === 'secret') return 'trusted';
  const hash = msg.userHash ?? msg.context?.userHash;
  if (hash === undefined) return 'unsigned';
  return cached(cache, ['user', userId, hash], () =>
    verifyUserHash(tenant.workspace.identitySecrets, userId, hash),
  );
}

/**
 * Whether the message's user is proven a member of the account it names: `signed` by a groupHash
 * over both ids, `unsigned` without one or without a user to bind it to, `trusted` from the secret key.
 */
function accountIdentityOf(
  msg: Message,
  accountId: string | null,
  tenant: Tenant,
  cache: Map<string, IdentityState>,
): IdentityState | null {
  if (accountId === null) return null;
  if (tenant.keyKind === 'secret') return 'trusted';
  const hash = msg.groupHash ?? msg.context?.groupHash;
  if (hash === undefined || msg.userId == null) return 'unsigned';
  const userId = msg.userId;
  return cached(cache, ['account', userId, accountId, hash], () =>
    verifyGroupHash(tenant.workspace.identitySecrets, userId, accountId, hash),
  );
}

/** A batch repeats the same ids and hashes: each HMAC is computed once per request. */
function cached(cache: Map<string, IdentityState>, key: string[], verify: () => boolean): IdentityState {
  // JSON, not a separator: a hash is any string of up to 128 characters, and no two keys may meet.
  const joined = JSON.stringify(key);
  let state = cache.get(joined);
  if (state === undefined) {
    state = verify() ? 'signed' : 'invalid';
    cache.set(joined, state);
  }
  return state;
}

/** The message as an `events` row; its identity states are filled in by the caller. */
function toEvent(
  msg: Message,
  tenant: Tenant,
  timestamp: number,
  receivedAt: number,
  batchContext: Record<string, unknown> | undefined,
): IngestEvent {
  // The hashes are credentials: checked, never stored (from the batch's context either).
  const {
    userHash: _user,
    groupHash: _group,
    ...context
  } = batchContext ? { ...batchContext, ...msg.context } : (msg.context ?? {});
  const groupId =
    msg.type === 'group' ? msg.groupId : typeof context.groupId === 'string' ? context.groupId : null;
  return {
    workspaceId: tenant.workspace.id,
    messageId: msg.messageId ?? `srv-${nanoid()}`,
    type: msg.type,
    name:
      msg.type === 'track'
        ? msg.event
        : msg.type === 'page' || msg.type === 'screen'
          ? (msg.name ?? null)
          : null,
    userId: msg.userId ?? null,
    anonymousId: msg.anonymousId ?? null,
    accountId: groupId,
    timestamp,
    receivedAt,
    properties: 'properties' in msg && msg.properties ? JSON.stringify(msg.properties) : null,
    traits: 'traits' in msg && msg.traits ? JSON.stringify(msg.traits) : null,
    context: Object.keys(context).length > 0 ? JSON.stringify(context) : null,
    identity: null,
    accountIdentity: null,
  };
}

/**
 * Clock-skew correction, as Segment does it: the device's clock may be off, but the gap between when
 * it says the event happened and when it says it sent it is trustworthy.
 * `timestamp = receivedAt - (sentAt - originalTimestamp)`.
 *
 * Then sanity bounds, as PostHog's ingestion applies them: a time more than a day ahead of the
 * server's clock is taken as the time received; one before 2000 is refused (null). A correction that
 * would leave those bounds is not applied, so an absurd `sentAt` cannot push a sane timestamp out;
 * a device whose clock restarted at 1970 is still brought back to the present by it.
 *
 * @example
 * // device clock 1 h fast: event at 10:00 device time, sent at 10:05 device time, received 09:05 server time
 * correctedTimestamp('...T10:00Z', '...T10:05Z', Date.parse('...T09:05Z')) // 09:00 server time
 */
export function correctedTimestamp(
  timestamp: string | undefined,
  sentAt: string | undefined,
  receivedAt: number,
): number | null {
  if (timestamp === undefined) return receivedAt;
  const original = Date.parse(timestamp);
  const latest = receivedAt + limits.futureSkewMs;
  const sane = (time: number) => time >= limits.earliestTimestamp && time <= latest;
  const corrected = sentAt === undefined ? original : receivedAt - (Date.parse(sentAt) - original);
  const result = sane(corrected) ? corrected : original;
  if (result > latest) return receivedAt;
  return result < limits.earliestTimestamp ? null : result;
}
