import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { customAlphabet } from 'nanoid';

const keyBody = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 32);

/** A new publishable key (`pk_...`): safe to paste into a page, allows ingestion and content reads. */
export const newPublishableKey = (): string => `pk_${keyBody()}`;
/** A new secret key (`sk_...`): full admin access; stored only as its SHA-256. */
export const newSecretKey = (): string => `sk_${keyBody()}`;
/** A new identity-verification secret, used by the customer's server to sign user ids. */
export const newIdentitySecret = (): string => `iv_${randomBytes(32).toString('hex')}`;

export function hashSecretKey(secretKey: string): string {
  return createHash('sha256').update(secretKey).digest('hex');
}

/**
 * The signature a customer's server puts in `identify(..., { userHash })` for identity verification.
 *
 * @example
 * userHash('iv_secret', 'user-42') // 64 hex characters, as Intercom's user_hash
 */
export function userHash(identitySecret: string, userId: string): string {
  return createHmac('sha256', identitySecret).update(userId).digest('hex');
}

/** True when `hash` signs `userId` with one of the live secrets (current or previous, for rotation). */
export function verifyUserHash(secrets: readonly string[], userId: string, hash: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hash)) return false;
  const given = Buffer.from(hash.toLowerCase(), 'hex');
  return secrets.some((secret) => timingSafeEqual(Buffer.from(userHash(secret, userId), 'hex'), given));
}
