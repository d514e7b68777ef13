/**
 * The key a request authenticates with, from wherever a Segment-compatible client puts it:
 * HTTP Basic with the key as user name (Segment's server libraries), `Bearer <key>`, or a `writeKey`
 * field in the JSON body (analytics.js, and `navigator.sendBeacon`, which cannot set headers).
 *
 * @example
 * keyFromRequest('Basic cGtfYWJjOg==', undefined) // 'pk_abc'
 */
export function keyFromRequest(authorization: string | undefined, body: unknown): string | null {
  if (authorization) {
    const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return value;
    if (scheme?.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const user = decoded.split(':', 1)[0];
      if (user) return user;
    }
  }
  if (body !== null && typeof body === 'object' && 'writeKey' in body && typeof body.writeKey === 'string') {
    return body.writeKey || null;
  }
  return null;
}
