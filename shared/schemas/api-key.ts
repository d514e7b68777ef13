import { z } from 'zod';

/**
 * The two kinds of API key. A publishable key (`pk_...`) is public: it sits in the script tag and
 * allows ingestion and content reads only. A secret key (`sk_...`) allows everything, is stored only
 * as its hash and is shown once, when it is created.
 */
export const apiKeyKind = z.enum(['publishable', 'secret']);
export type ApiKeyKind = z.infer<typeof apiKeyKind>;

/** How long the previous keys keep working after a rotation when the request does not say. */
export const defaultOverlapHours = 24;

/**
 * `POST /v1/admin/keys` and `waymark keys rotate`: a new key of `kind`, and the previous live keys of
 * that kind end `overlapHours` from now (0 ends them at once), so deployments can switch over.
 *
 * @example
 * keyRotation.parse({ kind: 'secret', overlapHours: 2 })
 */
export const keyRotation = z.strictObject({
  kind: apiKeyKind,
  overlapHours: z
    .number()
    .int('must be a whole number of hours')
    .min(0, 'must be 0 (end the previous keys now) or more')
    .max(30 * 24, 'must be at most 720 (30 days)')
    .default(defaultOverlapHours),
});
export type KeyRotation = z.infer<typeof keyRotation>;

/**
 * A key as lists show it: never a secret key, nor its hash.
 *
 * @example
 * { id: 'key_3f9aQ2', kind: 'secret', hint: 'sk_…c41e', createdAt: '2026-11-23T12:00:00.000Z',
 *   expiresAt: null, revokedAt: null, live: true }
 */
export const apiKey = z.object({
  /** The handle to revoke it by (`key_...`); not the key. */
  id: z.string(),
  kind: apiKeyKind,
  /** The publishable key in full, since it is public anyway; never present for a secret key. */
  key: z.string().optional(),
  /** Enough to recognise the key: `pk_3f9a…`, `sk_…c41e`. */
  hint: z.string(),
  createdAt: z.iso.datetime(),
  /** Set by a rotation: the key works until then. */
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  /** Neither revoked nor past its expiry: requests with it are accepted now. */
  live: z.boolean(),
});
export type ApiKey = z.infer<typeof apiKey>;

/**
 * The answer to a rotation: the new key in full (the only time a secret key is ever shown), and the
 * previous keys of its kind with the end the rotation gave them.
 */
export const rotatedApiKey = apiKey.extend({
  key: z.string(),
  previous: z.array(apiKey),
});
export type RotatedApiKey = z.infer<typeof rotatedApiKey>;
