import { describe, expect, it } from 'vitest';
import { diffContent } from '../../../server/console/content-diff.ts';

// The builder's version history: two versions of a checklist compared field by field, in words.
const base = {
  title: 'Get started',
  items: [
    { id: 'a', title: 'First', required: true, completion: { kind: 'manual' } },
    { id: 'b', title: 'Second', required: true, completion: { kind: 'event', event: 'X', where: [] } },
  ],
  audience: { match: 'all', urls: [] },
};

describe('diffContent', () => {
  it('finds nothing between equal versions', () => {
    expect(diffContent(base, structuredClone(base))).toEqual([]);
  });

  it('names each changed field in words, with its value before and after', () => {
    const after = structuredClone(base);
    after.title = 'Start here';
    after.items[1]!.required = false;
    after.items[1]!.completion.event = 'Invoice Sent';
    expect(diffContent(base, after)).toEqual([
      { field: 'Title', before: 'Get started', after: 'Start here' },
      { field: 'Item b › Required', before: 'yes', after: 'no' },
      { field: 'Item b › Completion › Event', before: 'X', after: 'Invoice Sent' },
    ]);
  });

  it('reads a move as a new order, not as every field of two items changed', () => {
    const after = { ...base, items: [base.items[1], base.items[0]] };
    expect(diffContent(base, after)).toEqual([{ field: 'Item order', before: 'a, b', after: 'b, a' }]);
  });

  it('says what was added and removed', () => {
    const after = {
      ...base,
      items: [base.items[0]],
      audience: { match: 'all', urls: [{ match: 'prefix', pattern: '/app' }] },
    };
    expect(diffContent(base, after)).toEqual([
      { field: 'Item order', before: 'a, b', after: 'a' },
      { field: 'Audience › Shown on URL 1 › Match', before: null, after: 'prefix' },
      { field: 'Audience › Shown on URL 1 › Pattern', before: null, after: '/app' },
      { field: 'Item b › Id', before: 'b', after: null },
      { field: 'Item b › Title', before: 'Second', after: null },
      { field: 'Item b › Required', before: 'yes', after: null },
      { field: 'Item b › Completion › Kind', before: 'event', after: null },
      { field: 'Item b › Completion › Event', before: 'X', after: null },
      { field: 'Item b › Completion › Property filter', before: '(none)', after: null },
      { field: 'Audience › Shown on URL', before: '(none)', after: null },
    ]);
  });
});
