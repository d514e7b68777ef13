import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const group = (messageId: string, timestamp: string) => ({
  type: 'group',
  userId: 'u1',
  groupId: 'acme',
  messageId,
  timestamp,
  traits: { name: 'Acme' },
});
const track = (messageId: string, timestamp: string, userId = 'u1') => ({
  type: 'track',
  event: 'Invoice Sent',
  userId,
  messageId,
  timestamp,
});
const page = (messageId: string, timestamp: string) => ({ type: 'page', userId: 'u1', messageId, timestamp });

async function accountLastSeen(): Promise<string> {
  const res = await h.admin('/accounts/acme');
  expect(res.status).toBe(200);
  return (await res.json()).lastSeen;
}

describe("an account's last seen follows its members' activity", () => {
  it('moves with a track and a page of a member that name no account, in later requests', async () => {
    expect((await h.post({ batch: [group('g1', '2026-11-02T00:00:00Z')] })).status).toBe(200);
    await h.post({ batch: [track('t1', '2026-11-05T00:00:00Z')] });
    expect(await accountLastSeen()).toBe('2026-11-05T00:00:00.000Z');
    await h.post({ batch: [page('p1', '2026-11-07T00:00:00Z')] });
    expect(await accountLastSeen()).toBe('2026-11-07T00:00:00.000Z');
  });

  it('moves in the same batch as the group call that makes the user a member', async () => {
    await h.post({ batch: [group('g1', '2026-11-02T00:00:00Z'), track('t1', '2026-11-06T00:00:00Z')] });
    expect(await accountLastSeen()).toBe('2026-11-06T00:00:00.000Z');
  });

  it('never moves back for an older event, nor for users of no account or another account', async () => {
    await h.post({ batch: [group('g1', '2026-11-04T00:00:00Z')] });
    await h.post({ batch: [track('t1', '2026-11-01T00:00:00Z'), track('t2', '2026-11-09T00:00:00Z', 'u2')] });
    expect(await accountLastSeen()).toBe('2026-11-04T00:00:00.000Z');
  });
});
