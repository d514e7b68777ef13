import type { Store } from '../storage.ts';

/**
 * What this device saw of a checklist or a survey: a small JSON record in the widget's store. A
 * missing or damaged one reads as `{}`.
 *
 * @example
 * recall<{ shown?: number }>(host.store, `${host.prefix}:ui:u_42:cl_1`).shown
 */
export function recall<M extends object>(store: Store, key: string): M {
  try {
    return JSON.parse(store.get(key) ?? '{}') ?? {};
  } catch {
    return {} as M;
  }
}

/** Merges `patch` into the record under `key`. */
export function remember<M extends object>(store: Store, key: string, patch: M): void {
  store.set(key, JSON.stringify({ ...recall(store, key), ...patch }));
}
