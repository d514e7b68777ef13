import { describe, expect, expectTypeOf, it } from 'vitest';
import type { EventRow } from '../../server/db/schema.ts';
import { toPointer } from '../../shared/problem.ts';
import { batchEnvelope, type Message, message } from '../../shared/schemas/message.ts';

describe('message schema', () => {
  it('accepts each Segment message type', () => {
    const base = { userId: 'u1', messageId: 'm', timestamp: '2026-11-23T10:00:00.000Z' };
    for (const extra of [
      { type: 'identify', traits: { name: 'Ann' } },
      { type: 'track', event: 'Invoice Sent', properties: { amount: 1 } },
      { type: 'page', name: 'Home' },
      { type: 'screen', name: 'Home' },
      { type: 'group', groupId: 'acme', traits: { plan: 'pro' } },
    ]) {
      expect(message.safeParse({ ...base, ...extra }).success).toBe(true);
    }
  });

  it('turns numeric ids into strings and drops unknown top-level fields', () => {
    const parsed = message.parse({
      type: 'track',
      event: 'X',
      userId: 42,
      integrations: { All: true },
      channel: 'server',
    });
    expect(parsed).toEqual({ type: 'track', event: 'X', userId: '42' });
  });

  it('needs a userId or an anonymousId', () => {
    const result = message.safeParse({ type: 'page' });
    expect(result.error?.issues.map((i) => [toPointer(i.path), i.message])).toEqual([
      ['/userId', 'userId or anonymousId is required'],
    ]);
  });

  it('rejects an empty event name, a timestamp without a time zone, and a messageId over 100 characters', () => {
    const result = message.safeParse({
      type: 'track',
      userId: 'u',
      event: '  ',
      timestamp: '2026-11-23T10:00:00',
      messageId: 'x'.repeat(101),
    });
    expect(result.error?.issues.map((i) => toPointer(i.path)).sort()).toEqual([
      '/event',
      '/messageId',
      '/timestamp',
    ]);
  });

  it('keeps context fields it does not know', () => {
    const parsed = message.parse({
      type: 'page',
      anonymousId: 'a',
      context: { page: { path: '/x' }, campaign: { name: 'c' } },
    });
    expect(parsed.context).toEqual({ page: { path: '/x' }, campaign: { name: 'c' } });
  });

  it('requires a non-empty batch array', () => {
    expect(batchEnvelope.safeParse({ batch: [] }).success).toBe(false);
    expect(
      batchEnvelope.safeParse({ batch: [{}], sentAt: '2026-11-23T10:00:00Z', writeKey: 'pk_x' }).success,
    ).toBe(true);
  });

  it('refuses control characters in ids: `userId + "\\n" + groupId` is what a groupHash signs', () => {
    const result = message.safeParse({
      type: 'group',
      userId: 'u1\nacme',
      anonymousId: 'a\u0001b',
      groupId: 'acme\tinc',
    });
    expect(result.error?.issues.map((i) => [toPointer(i.path), i.message])).toEqual([
      ['/userId', 'must not contain control characters (U+0000 to U+001F) or an unpaired surrogate'],
      ['/anonymousId', 'must not contain control characters (U+0000 to U+001F) or an unpaired surrogate'],
      ['/groupId', 'must not contain control characters (U+0000 to U+001F) or an unpaired surrogate'],
    ]);
    expect(
      message.safeParse({ type: 'track', event: 'X', userId: 'u1', context: { groupId: 'a\u001fb' } }).error
        ?.issues[0]?.path,
    ).toEqual(['context', 'groupId']);
    // Leading and trailing whitespace is trimmed as before; other characters are ids as they were.
    expect(message.parse({ type: 'group', userId: ' u1\n', groupId: 'Ünïcode ✓ \u007f' })).toMatchObject({
      userId: 'u1',
      groupId: 'Ünïcode ✓ \u007f',
    });
  });

  it('takes emoji and other paired surrogates in ids, refusing only NUL and a lone half', () => {
    const track = (userId: string) => message.safeParse({ type: 'track', event: 'E', userId }).success;
    expect([track('ana-\u{1F600}'), track('ana\ud83d'), track('ana\ude00'), track('a\u0000')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('bounds nesting and keys per object, not the length of arrays', () => {
    const long = message.safeParse({
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
      properties: { products: Array.from({ length: 1000 }, (_, i) => ({ sku: `s${i}`, price: i })) },
    });
    expect(long.success).toBe(true);
    const wide = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, i]));
    const result = message.safeParse({ type: 'identify', userId: 'u1', traits: { nested: wide } });
    expect(result.error?.issues.map((i) => [toPointer(i.path), i.message])).toEqual([
      ['/traits/nested', 'must not hold more than 256 keys (it holds 257)'],
    ]);
  });

  it('escapes JSON pointer segments (RFC 6901)', () => {
    expect(toPointer(['properties', 'a/b', 'c~d', 0])).toBe('/properties/a~1b/c~0d/0');
  });

  it('types: message types are exactly the event types the events table stores', () => {
    expectTypeOf<Message['type']>().toEqualTypeOf<EventRow['type']>();
  });
});

describe('a widget event without its properties', () => {
  it('is refused at `properties` itself, not at a field inside it that the body does not have', () => {
    const result = message.safeParse({ type: 'track', userId: 'u1', event: '$waymark.survey_shown' });
    expect(result.error?.issues.map((issue) => [toPointer(issue.path), issue.message])).toEqual([
      ['/properties', 'required for $waymark.survey_shown'],
    ]);
  });
});
