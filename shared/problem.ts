import { z } from 'zod';

/**
 * Stable error codes a client can match on. The human text may change; these do not.
 *
 * @example
 * if (problem.code === errorCodes.validationFailed) showFieldErrors(problem.errors)
 */
export const errorCodes = {
  validationFailed: 'validation_failed',
  partiallyRejected: 'partially_rejected',
  invalidJson: 'invalid_json',
  payloadTooLarge: 'payload_too_large',
  messageTooLarge: 'message_too_large',
  missingKey: 'missing_key',
  invalidKey: 'invalid_key',
  /** No session cookie, or its session ended (signed out, expired): sign in again. */
  notSignedIn: 'not_signed_in',
  /** Signed in, but the member's role (or membership) does not allow this; `detail` names the role needed. */
  forbidden: 'forbidden',
  /** A change signed in by cookie without the Origin of this server's own pages (CSRF). */
  crossSiteRequest: 'cross_site_request',
  originNotAllowed: 'origin_not_allowed',
  identityNotVerified: 'identity_not_verified',
  notFound: 'not_found',
  conflict: 'conflict',
  /** The change would leave a workspace without an owner: another member must be made owner first. */
  lastOwner: 'last_owner',
  immutable: 'immutable',
  /** Too many requests from this client address or for this key; `Retry-After` says when to retry. */
  rateLimited: 'rate_limited',
  storageUnavailable: 'storage_unavailable',
  internal: 'internal_error',
} as const;
export type ErrorCode = (typeof errorCodes)[keyof typeof errorCodes];

/** One problem with one field, located by an RFC 6901 JSON pointer into the request body. */
export const fieldError = z.object({
  pointer: z.string(),
  detail: z.string(),
});
export type FieldError = z.infer<typeof fieldError>;

/**
 * RFC 9457 problem details, with a stable `code` and every field error at once.
 *
 * @example
 * { "type": "about:blank", "title": "Invalid request", "status": 400, "code": "validation_failed",
 *   "errors": [{ "pointer": "/batch/3/messageId", "detail": "Required" }] }
 */
export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(fieldError).optional(),
  /**
   * A batch that stored nothing: how many of its messages were rejected. `errors` lists the
   * problems of the first of them only, so that a junk batch gets a small answer.
   */
  rejectedCount: z.number().int().optional(),
});
export type Problem = z.infer<typeof problem>;

/**
 * Turns a JSON path (as zod reports it) into an RFC 6901 pointer.
 *
 * @example
 * toPointer(['batch', 3, 'messageId']) // "/batch/3/messageId"
 */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
