/**
 * Whether a browser page at `origin` may call this workspace's public API. Requests without an
 * Origin header (servers, Segment's server libraries) are not browser requests and are allowed; pages
 * served by this server itself (demo, web app) always are.
 *
 * @example
 * originAllowed('https://app.acme.com', ['https://app.acme.com'], ['http://localhost:8787']) // true
 */
export function originAllowed(
  origin: string | undefined,
  allowed: readonly string[],
  own: readonly string[],
): boolean {
  if (!origin) return true;
  if (own.includes(origin) || allowed.includes('*') || allowed.includes(origin)) return true;
  // `https://*.acme.com` allows every subdomain of acme.com.
  return allowed.some((pattern) => {
    const star = pattern.indexOf('://*.');
    if (star < 0) return false;
    const scheme = pattern.slice(0, star + 3);
    const suffix = pattern.slice(star + 4);
    return (
      origin.startsWith(scheme) && origin.endsWith(suffix) && origin.length > scheme.length + suffix.length
    );
  });
}
