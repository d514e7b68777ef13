import { isIP, isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * What a request is counted under when no address is known: `app.request()` in tests has no socket.
 * Every such request shares it, so a limit still holds for them together.
 */
export const unknownAddress = 'unknown';

/**
 * The address a request is rate limited under: the socket's peer, or, behind `trustProxy` proxies
 * (the `TRUST_PROXY` setting), the entry of `X-Forwarded-For` that the outermost trusted proxy
 * added. Entries further left are whatever the client wrote and are never read. An IPv6 address
 * counts as its /64: one host usually holds a whole /64, so counting single addresses would let it
 * use 2^64 of them.
 *
 * @example
 * clientAddress(c, 0) // '203.0.113.7' (the socket's peer)
 * clientAddress(c, 1) // with `X-Forwarded-For: 198.51.100.2, 2001:db8:1:2:3:4:5:6` -> '2001:db8:1:2::/64'
 */
export function clientAddress(c: Context, trustProxy: number): string {
  const socket = socketAddress(c);
  if (trustProxy > 0) {
    // Each proxy appends the address it received the request from: the last entry was added by the
    // proxy nearest to us, the one `trustProxy` entries from the end by the outermost trusted one.
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    // A shorter chain than configured: the request passed fewer proxies, so its first entry is the client.
    const entry = forwarded[Math.max(0, forwarded.length - trustProxy)];
    if (entry !== undefined && isIP(entry) !== 0) return addressBucket(entry);
  }
  return socket === undefined ? unknownAddress : addressBucket(socket);
}

/** The socket's remote address under @hono/node-server; undefined in `app.request()` (no socket). */
function socketAddress(c: Context): string | undefined {
  const bindings: unknown = c.env;
  if (typeof bindings !== 'object' || bindings === null) return undefined;
  if (!('incoming' in bindings) && !('server' in bindings)) return undefined;
  return getConnInfo(c).remote.address;
}

/**
 * An IPv4 address as is, an IPv4-mapped IPv6 address (`::ffff:203.0.113.7`, as a dual-stack socket
 * reports IPv4 peers) as its IPv4 address, any other IPv6 address as its /64.
 *
 * @example
 * addressBucket('2001:db8::1') // '2001:db8:0:0::/64'
 */
export function addressBucket(address: string): string {
  const text = address.split('%')[0] ?? address; // a zone id (`fe80::1%eth0`) names an interface
  if (!isIPv6(text)) return text;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped?.[1]) return mapped[1];
  return `${ipv6Groups(text).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, in lower-case hex without leading zeros. */
function ipv6Groups(text: string): string[] {
  let hex = text;
  // A trailing dotted quad (`64:ff9b::198.51.100.2`) is the last two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(hex);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    hex = `${hex.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = hex.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16).toString(16));
}
