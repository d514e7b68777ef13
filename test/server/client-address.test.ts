import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { addressBucket, clientAddress } from '../../server/http/client-address.ts';

describe('addressBucket', () => {
  it('keeps an IPv4 address, unwraps an IPv4-mapped one, and cuts IPv6 to its /64', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('1:2:3:4:5::')).toBe('1:2:3:4::/64');
    // NAT64: the IPv4 part is the last 32 bits, outside the /64.
    expect(addressBucket('64:ff9b::198.51.100.2')).toBe('64:ff9b:0:0::/64');
  });
});

describe('clientAddress', () => {
  const app = (trustProxy: number) => new Hono().get('/', (c) => c.text(clientAddress(c, trustProxy)));
  const seen = async (trustProxy: number, forwarded?: string) =>
    (
      await app(trustProxy).request('/', {
        headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
      })
    ).text();

  it('takes the entry the outermost trusted proxy added, never one the client wrote', async () => {
    // The client wrote 192.0.2.66; proxy 1 saw 198.51.100.2, proxy 2 (ours, nearest) saw 203.0.113.9.
    const chain = '192.0.2.66, 198.51.100.2, 203.0.113.9';
    expect(await seen(1, chain)).toBe('203.0.113.9');
    expect(await seen(2, chain)).toBe('198.51.100.2');
    // Fewer entries than trusted proxies: the request passed fewer proxies; the first entry is the client.
    expect(await seen(5, '198.51.100.2')).toBe('198.51.100.2');
  });

  it('falls back to the one shared bucket without a socket (app.request), or when the header is unusable', async () => {
    expect(await seen(0, '198.51.100.2')).toBe('unknown');
    expect(await seen(1)).toBe('unknown');
    expect(await seen(1, 'not-an-address')).toBe('unknown');
  });
});
