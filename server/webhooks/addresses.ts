import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a webhook may not reach unless `WEBHOOK_ALLOW_PRIVATE_URLS` allows them: loopback,
 * private networks, link-local (cloud metadata services answer at 169.254.169.254), carrier-grade
 * NAT, and the unspecified, multicast and reserved ranges. Otherwise anyone holding a workspace's
 * secret key could make this server post to services behind its firewall.
 */
const privateRanges = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv6');
}

/**
 * Whether `address` (an IPv4 or IPv6 literal) is one a webhook may not reach by default. An IPv6
 * address that carries an IPv4 one (`::ffff:10.0.0.1`, NAT64 `64:ff9b::a00:1`) is judged by it.
 *
 * @example
 * isPrivateAddress('10.1.2.3') // true
 * isPrivateAddress('::ffff:127.0.0.1') // true
 * isPrivateAddress('93.184.215.14') // false
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return privateRanges.check(bare, 'ipv4');
  if (family !== 6) return false;
  const embedded = embeddedIpv4(bare);
  if (embedded) return privateRanges.check(embedded, 'ipv4');
  return privateRanges.check(bare, 'ipv6');
}

function embeddedIpv4(ipv6: string): string | null {
  const lower = ipv6.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1] ?? null;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const high = Number.parseInt(hex[1] ?? '0', 16);
  const low = Number.parseInt(hex[2] ?? '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * The URL's host when it is an address literal that `isPrivateAddress` refuses, or `localhost`;
 * null otherwise. A host name is not resolved here (saving an endpoint makes no DNS query): what it
 * resolves to is judged when a delivery connects (`guardedLookup`), which also defeats a name that
 * resolves elsewhere later.
 *
 * @example
 * privateHostOf('https://10.0.0.7/hook') // '10.0.0.7'
 * privateHostOf('https://example.com/hook') // null
 */
export function privateHostOf(url: string): string | null {
  const host = new URL(url).hostname;
  if (host === 'localhost' || host.endsWith('.localhost')) return host;
  return isPrivateAddress(host) ? host : null;
}

/**
 * A `lookup` for node:http(s) that refuses to connect to a private address: the check is made on
 * the address the socket will actually use, after DNS, so a public name that resolves to an
 * internal address is refused too.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) {
      callback(error, '', 0);
      return;
    }
    const list = Array.isArray(addresses) ? addresses : [];
    const refused = list.find((entry) => isPrivateAddress(entry.address));
    if (refused || list.length === 0) {
      const reason = refused
        ? `${hostname} resolves to ${refused.address}, a private address (WEBHOOK_ALLOW_PRIVATE_URLS is off)`
        : `${hostname} has no address`;
      callback(Object.assign(new Error(reason), { code: 'EPRIVATEADDRESS' }), '', 0);
      return;
    }
    if (options.all) callback(null, list);
    else {
      const first = list[0];
      callback(null, first?.address ?? '', first?.family ?? 4);
    }
  });
};
