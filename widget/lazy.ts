import type { Logger } from './logger.ts';

/** Calls made before a lazily loaded view exists, replayed to it once it does (at most this many). */
const backlogSize = 50;

export interface Lazy<V> {
  /** The view, once loaded. */
  current(): V | undefined;
  /** Starts the one download (later calls do nothing). */
  start(): void;
  /** Calls the view now, or once it is loaded. */
  later(call: (view: V) => void): void;
}

/**
 * A view in a chunk of its own, downloaded once: `create` imports and mounts it, `first` brings it
 * up to date, then the calls made meanwhile are replayed. A failed download is logged, not retried
 * on this page, and leaves the page as it was.
 *
 * @example
 * const view = lazy(() => import(url).then((m) => m.mount(host)), logger, 'view', (v) => v.update(latest))
 * view.later((v) => v.open())
 */
export function lazy<V>(
  create: () => Promise<V>,
  logger: Logger,
  what: string,
  first: (view: V) => void,
): Lazy<V> {
  let view: V | undefined;
  let loading = false;
  const backlog: Array<(view: V) => void> = [];
  return {
    current: () => view,
    start() {
      if (loading) return;
      loading = true;
      // new Promise turns a synchronous throw of the loader into a rejection.
      new Promise<V>((resolve) => resolve(create()))
        .then((mounted) => {
          first(mounted);
          for (const call of backlog.splice(0)) call(mounted);
          view = mounted;
        })
        .catch((error: unknown) => logger.log(`could not load the ${what}`, error));
    },
    later(call) {
      if (view) return call(view);
      backlog.push(call);
      if (backlog.length > backlogSize) backlog.shift();
    },
  };
}
