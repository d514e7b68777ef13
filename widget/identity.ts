import type { Store } from './storage.ts';

type Traits = Record<string, unknown>;

/** Who the messages are about. Held in memory, copied to storage so that it survives reloads. */
export interface IdentityState {
  /** The visitor's id on this browser; kept across identify() so the server can link both ids. */
  anonymousId: string;
  userId?: string | undefined;
  groupId?: string | undefined;
  /** Identity verification: the host server's hex HMAC of `userId`, sent as `context.userHash`. */
  userHash?: string | undefined;
  /** The host server's hex HMAC of `userId` and `groupId` (membership), sent as `context.groupHash`. */
  groupHash?: string | undefined;
  traits: Traits;
}

export interface Identity {
  readonly state: IdentityState;
  identify(userId: string, traits?: Traits, userHash?: string): void;
  /** A hash is kept with its account: another account without one has none. */
  group(groupId: string, groupHash?: string): void;
  /** Forgets the user (logout): a fresh anonymousId, no userId, traits, groupId or hashes. */
  reset(): void;
}

type Field = 'anonymousId' | 'userId' | 'groupId' | 'userHash' | 'groupHash';

/**
 * Reads the persisted identity under `prefix` (`<prefix>:anonymousId`, `:userId`, ...; one key per
 * field, so two tabs changing different fields never overwrite each other), creating an anonymousId
 * on the first visit.
 *
 * @example
 * const identity = createIdentity(store, 'waymark:pk_live_abc', env.uuid)
 * identity.identify('u1', { plan: 'pro' }, userHash)
 */
export function createIdentity(store: Store, prefix: string, uuid: () => string): Identity {
  const read = (field: Field) => store.get(`${prefix}:${field}`) || undefined;
  const write = (field: Field | 'traits', value: string | undefined) =>
    value === undefined ? store.remove(`${prefix}:${field}`) : store.set(`${prefix}:${field}`, value);

  const state: IdentityState = {
    anonymousId: read('anonymousId') ?? '',
    userId: read('userId'),
    groupId: read('groupId'),
    userHash: read('userHash'),
    groupHash: read('groupHash'),
    traits: parseTraits(store.get(`${prefix}:traits`)),
  };
  const set = (field: Field, value: string | undefined) => {
    state[field] = value as string;
    write(field, value);
  };
  const setTraits = (traits: Traits | undefined) => {
    // Serialised first: traits JSON cannot hold (a cycle, a BigInt) throw before the state changes,
    // instead of staying in memory and breaking every later identify() with traits.
    const json = traits && JSON.stringify(traits);
    state.traits = traits ?? {};
    write('traits', json);
  };
  if (!state.anonymousId) set('anonymousId', uuid());

  return {
    state,
    identify(userId, traits, userHash) {
      if (state.userId !== undefined && state.userId !== userId) {
        // Another user on this browser: nothing of the previous one carries over but the anonymousId.
        setTraits(undefined);
        set('groupId', undefined);
        set('userHash', undefined);
        set('groupHash', undefined);
      }
      set('userId', userId);
      if (traits) setTraits({ ...state.traits, ...traits });
      if (userHash !== undefined) set('userHash', userHash);
    },
    group(groupId, groupHash) {
      if (groupHash !== undefined || groupId !== state.groupId) set('groupHash', groupHash);
      set('groupId', groupId);
    },
    reset() {
      set('userId', undefined);
      set('groupId', undefined);
      set('userHash', undefined);
      set('groupHash', undefined);
      setTraits(undefined);
      set('anonymousId', uuid());
    },
  };
}

function parseTraits(json: string | null): Traits {
  try {
    return dictionary(json && JSON.parse(json)) ?? {};
  } catch {
    return {};
  }
}

/**
 * Traits and properties must be plain objects on the wire: `value` if it is one, else undefined.
 *
 * @example
 * dictionary({ plan: 'pro' }) // { plan: 'pro' }
 * dictionary(['pro']) // undefined
 */
export function dictionary(value: unknown): Traits | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Traits) : undefined;
}
