import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Preview links: `?waymark_preview=<token>` on a page of the customer's app shows a spotlight's
 * draft to whoever opens it, for a limited time. The token names the content and its expiry and is
 * signed with a key only the server holds, derived from the hash of the workspace's newest live
 * secret key (`Tenant.signingKeys`): revoking that key, or its expiry after a rotation, ends every
 * preview signed with it.
 *
 * @example
 * const token = previewToken(tenant.signingKeys, 'tour-1', Date.now() + 3_600_000)
 */
export function previewToken(signingKeys: readonly string[], contentId: string, expiresAt: number): string {
  const [newest] = signingKeys;
  if (newest === undefined) throw new Error('a preview needs a live secret key to sign with');
  const payload = Buffer.from(JSON.stringify([contentId, expiresAt])).toString('base64url');
  return `${payload}.${sign(newest, payload)}`;
}

/** The content id a token previews, or null when it is forged, malformed, expired or its key is gone. */
export function readPreviewToken(signingKeys: readonly string[], token: string, now: number): string | null {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return null;
  const given = Buffer.from(signature);
  const signed = signingKeys.some((key) => {
    const expected = Buffer.from(sign(key, payload));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return null;
  try {
    const [contentId, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [
      unknown,
      unknown,
    ];
    return typeof contentId === 'string' && typeof expiresAt === 'number' && now < expiresAt
      ? contentId
      : null;
  } catch {
    return null;
  }
}

const sign = (key: string, payload: string) =>
  createHmac('sha256', `waymark-preview:${key}`).update(payload).digest('base64url');
