/**
 * `localStorage` that never throws. It throws on access in sandboxed iframes and strict privacy
 * modes, and on write when full (QuotaExceededError); callers keep their state in memory and treat
 * storage as a best-effort copy, so a failure here only costs persistence across reloads.
 */
export interface Store {
  get(key: string): string | null;
  /** False when the value could not be stored (no storage, or quota exceeded). */
  set(key: string, value: string): boolean;
  remove(key: string): void;
  /** Every key that starts with `prefix`, across all tabs of this origin. */
  keys(prefix: string): string[];
}

/**
 * @example
 * const store = createStore(() => localStorage)
 * store.set('waymark:pk_x:anonymousId', id) // false in Safari's private mode of old, never an exception
 */
export function createStore(open: () => Storage): Store {
  return {
    get(key) {
      try {
        return open().getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        open().setItem(key, value);
        return true;
      } catch {
        return false;
      }
    },
    remove(key) {
      try {
        open().removeItem(key);
      } catch {
        // Nothing to undo: the value was never stored or storage is gone.
      }
    },
    keys(prefix) {
      const found: string[] = [];
      try {
        const storage = open();
        for (let i = 0; i < storage.length; i++) {
          const key = storage.key(i);
          if (key?.startsWith(prefix)) found.push(key);
        }
      } catch {
        // No storage: nothing persisted to find.
      }
      return found;
    },
  };
}
