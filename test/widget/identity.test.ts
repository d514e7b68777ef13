import { describe, expect, it } from 'vitest';
import { createIdentity } from '../../widget/identity.ts';
import { createStore, type Store } from '../../widget/storage.ts';
import { FullStorage, MemoryStorage, throwingStorage } from './fake-env.ts';

const prefix = 'waymark:pk_test';

function setup(storage: Storage = new MemoryStorage()) {
  let n = 0;
  const uuid = () => `uuid-${++n}`;
  const store: Store = createStore(() => storage);
  return { storage, store, uuid, identity: () => createIdentity(store, prefix, uuid) };
}

describe('identity', () => {
  it('creates an anonymousId on the first visit and stores it', () => {
    const { storage, identity } = setup();
    const { state } = identity();

    expect(state).toEqual({
      anonymousId: 'uuid-1',
      userId: undefined,
      groupId: undefined,
      userHash: undefined,
      traits: {},
    });
    expect(storage.getItem(`${prefix}:anonymousId`)).toBe('uuid-1');
  });

  it('keeps the anonymousId across instances (page loads) on the same storage', () => {
    const { identity } = setup();
    const first = identity().state.anonymousId;
    const second = identity();

    expect(second.state.anonymousId).toBe(first);
  });

  it('restores the user, account, hash and traits on the next page load', () => {
    const { identity } = setup();
    const before = identity();
    before.identify('u1', { name: 'Ann' }, 'hash-1');
    before.group('acme');

    expect(identity().state).toEqual({
      anonymousId: 'uuid-1',
      userId: 'u1',
      groupId: 'acme',
      userHash: 'hash-1',
      traits: { name: 'Ann' },
    });
  });

  it('merges traits of repeated identify calls for the same user', () => {
    const { storage, identity } = setup();
    const id = identity();
    id.identify('u1', { name: 'Ann', plan: 'free' });
    id.identify('u1', { plan: 'pro' });

    expect(id.state.traits).toEqual({ name: 'Ann', plan: 'pro' });
    expect(JSON.parse(storage.getItem(`${prefix}:traits`)!)).toEqual({ name: 'Ann', plan: 'pro' });
  });

  it('keeps the account and hash when the same user identifies again without them', () => {
    const { identity } = setup();
    const id = identity();
    id.identify('u1', {}, 'hash-1');
    id.group('acme');
    id.identify('u1');

    expect(id.state).toMatchObject({ userId: 'u1', groupId: 'acme', userHash: 'hash-1' });
  });

  it('forgets the previous user’s traits, account and hash when another user identifies, keeping the anonymousId', () => {
    const { storage, identity } = setup();
    const id = identity();
    id.identify('u1', { name: 'Ann' }, 'hash-1');
    id.group('acme');
    id.identify('u2', { name: 'Bob' });

    expect(id.state).toEqual({
      anonymousId: 'uuid-1',
      userId: 'u2',
      groupId: undefined,
      userHash: undefined,
      traits: { name: 'Bob' },
    });
    expect(storage.getItem(`${prefix}:groupId`)).toBeNull();
    expect(storage.getItem(`${prefix}:userHash`)).toBeNull();
    expect(identity().state).toEqual(id.state);
  });

  it('reset() forgets userId, traits, account and hash and starts a new anonymousId, also in storage', () => {
    const { storage, identity } = setup();
    const id = identity();
    id.identify('u1', { name: 'Ann' }, 'hash-1');
    id.group('acme');
    id.reset();

    const expected = {
      anonymousId: 'uuid-2',
      userId: undefined,
      groupId: undefined,
      userHash: undefined,
      traits: {},
    };
    expect(id.state).toEqual(expected);
    expect(identity().state).toEqual(expected);
    expect([...(storage as MemoryStorage).map.keys()]).toEqual([`${prefix}:anonymousId`]);
  });

  it('keeps the account’s groupHash with its account: restored on reload, dropped for another account without one', () => {
    const { storage, identity } = setup();
    const id = identity();
    id.identify('u1', {}, 'hash-1');
    id.group('acme', 'acme-hash');
    expect(identity().state).toMatchObject({ groupId: 'acme', groupHash: 'acme-hash' });

    id.group('acme'); // the same account again, without its hash: still proven
    expect(id.state.groupHash).toBe('acme-hash');
    id.group('globex', 'globex-hash');
    expect(id.state.groupHash).toBe('globex-hash');
    id.group('initech'); // another account: globex's hash says nothing about it
    expect(id.state).toMatchObject({ groupId: 'initech', groupHash: undefined });
    expect(storage.getItem(`${prefix}:groupHash`)).toBeNull();
  });

  it('forgets the groupHash when another user identifies and on reset()', () => {
    const { storage, identity } = setup();
    const id = identity();
    id.identify('u1', {}, 'hash-1');
    id.group('acme', 'acme-hash');
    id.identify('u1');
    expect(id.state.groupHash).toBe('acme-hash');
    id.identify('u2');
    expect(id.state).toMatchObject({ groupId: undefined, groupHash: undefined });

    id.group('acme', 'acme-hash-u2');
    id.reset();
    expect(id.state.groupHash).toBeUndefined();
    expect(storage.getItem(`${prefix}:groupHash`)).toBeNull();
  });

  it('keeps write keys apart', () => {
    const { store, uuid } = setup();
    const a = createIdentity(store, 'waymark:pk_a', uuid);
    const b = createIdentity(store, 'waymark:pk_b', uuid);
    a.identify('ua');

    expect(a.state.anonymousId).not.toBe(b.state.anonymousId);
    expect(createIdentity(store, 'waymark:pk_b', uuid).state.userId).toBeUndefined();
  });

  it.each([
    ['not JSON', '{oops'],
    ['an array', '[1,2]'],
    ['a string', '"x"'],
    ['null', 'null'],
  ])('reads stored traits that are %s as no traits', (_, stored) => {
    const { storage, identity } = setup();
    storage.setItem(`${prefix}:traits`, stored);

    expect(identity().state.traits).toEqual({});
  });

  it('works in memory when localStorage throws on every call', () => {
    const { identity } = setup(throwingStorage());
    const id = identity();
    id.identify('u1', { name: 'Ann' }, 'h');
    id.group('acme');

    expect(id.state).toEqual({
      anonymousId: 'uuid-1',
      userId: 'u1',
      groupId: 'acme',
      userHash: 'h',
      traits: { name: 'Ann' },
    });
    id.reset();
    expect(id.state).toMatchObject({ anonymousId: 'uuid-2', userId: undefined, traits: {} });
  });

  it('works in memory when localStorage is full', () => {
    const { identity } = setup(new FullStorage());
    const id = identity();
    id.identify('u1', { a: 1 });

    expect(id.state).toMatchObject({ anonymousId: 'uuid-1', userId: 'u1', traits: { a: 1 } });
  });

  it('stays usable after traits that cannot be stored as JSON', () => {
    const { storage, identity } = setup();
    const id = identity();
    id.identify('u1', { name: 'Ann' });
    const circular: Record<string, unknown> = {};
    circular.self = circular;

    try {
      id.identify('u1', { circular });
    } catch {
      // waymark.ts runs this through safeCall; what matters is the state left behind.
    }
    id.identify('u1', { plan: 'pro' });
    expect(id.state.traits).toEqual({ name: 'Ann', plan: 'pro' });
    expect(JSON.parse(storage.getItem(`${prefix}:traits`)!)).toEqual({ name: 'Ann', plan: 'pro' });
  });
});
