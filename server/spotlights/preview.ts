import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Preview links: `?waymark_preview=<token>` on a page of the customer's app shows a spotlight's
 * draft to whoever opens it, for a limited time. The token names the content and its expiry and is
 * signed with a key only the server holds (derived from the workspace's secret key hash, so rotating
 * the secret key revokes every preview).
 */
export function previewToken(signingKey: string, contentId: string, expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify([contentId, expiresAt])).toString('base64url');
  return `${payload}.${sign(signingKey, payload)}`;
}

/** The content id a token previews, or null when it is forged, malformed or expired. */
export function readPreviewToken(signingKey: string, token: string, now: number): string | null {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(signingKey, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
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
