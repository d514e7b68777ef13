import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { customAlphabet } from 'nanoid';

const keyBody = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 32);

/** A new publishable key (`pk_...`): safe to paste into a page, allows ingestion and content reads. */
export const newPublishableKey = (): string => `pk_${keyBody()}`;
/** A new secret key (`sk_...`): full admin access; stored only as its SHA-256. */
export const newSecretKey = (): string => `sk_${keyBody()}`;
/** A new identity-verification secret, used by the customer's server to sign user ids. */
export const newIdentitySecret = (): string => `iv_${randomBytes(32).toString('hex')}`;

/** A new public handle for a key (`key_...`), for lists and revocation. */
export const newKeyId = (): string => `key_${keyBody().slice(0, 16)}`;

/**
 * Whether a string has the shape of a Waymark key. Checked before any lookup or cache: a string that
 * cannot be a key (a 490 KB "key", say) is refused at once and remembered nowhere.
 *
 * @example
 * isKeyShaped('pk_' + 'a'.repeat(32)) // true
 * isKeyShaped('x'.repeat(500_000)) // false
 */
export const isKeyShaped = (key: string): boolean =>
  key.length <= 67 && /^(pk|sk)_[0-9A-Za-z]{8,64}$/.test(key);

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
  return signedByAny(secrets, hash, (secret) => userHash(secret, userId));
}

/**
 * The signature a customer's server puts in `group(..., { groupHash })`: it proves that the user is a
 * member of the account, which the browser alone cannot. A line feed separates the ids; ids never hold
 * one (the message schema refuses control characters), so no two (userId, groupId) pairs sign alike.
 *
 * @example
 * groupHash('iv_secret', 'user-42', 'acme') // hex HMAC-SHA256('iv_secret', 'user-42\nacme')
 */
export function groupHash(identitySecret: string, userId: string, groupId: string): string {
  return createHmac('sha256', identitySecret).update(`${userId}\n${groupId}`).digest('hex');
}

/** True when `hash` signs the pair (`userId`, `groupId`) with one of the live secrets. */
export function verifyGroupHash(
  secrets: readonly string[],
  userId: string,
  groupId: string,
  hash: string,
): boolean {
  return signedByAny(secrets, hash, (secret) => groupHash(secret, userId, groupId));
}

/** Compares in constant time against each live secret's signature; a hash that is not 64 hex digits fails. */
function signedByAny(secrets: readonly string[], hash: string, sign: (secret: string) => string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hash)) return false;
  const given = Buffer.from(hash.toLowerCase(), 'hex');
  return secrets.some((secret) => timingSafeEqual(Buffer.from(sign(secret), 'hex'), given));
}
