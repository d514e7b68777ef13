import type { Env } from './env.ts';
import type { Logger } from './logger.ts';
import { safeCall } from './safe-call.ts';

type HistoryMethod = 'pushState' | 'replaceState';

/**
 * Calls `onNavigate` when a single-page app changes its URL (path or query; a new #hash is not a
 * page): after `history.pushState`/`replaceState` and on `popstate`. The host's history functions
 * are wrapped, not replaced: the original runs first, its result (and any exception it throws) is
 * the host's as before, and nothing the widget does afterwards can throw into the host's router.
 * Returns the function that unwraps them again.
 *
 * @example
 * const stop = watchNavigation(env, logger, () => commands.page(env.now()))
 */
export function watchNavigation(env: Env, logger: Logger, onNavigate: () => void): () => void {
  const here = () => {
    const page = env.page();
    return `${page.path}${page.search}`;
  };
  let last = here();
  const check = safeCall(logger, () => {
    const now = here();
    if (now !== last) {
      last = now;
      onNavigate();
    }
  });

  const history = env.history();
  const unwrap = (['pushState', 'replaceState'] as const).map((name: HistoryMethod) => {
    const original = history[name];
    const wrapped = function (this: History, ...args: Parameters<History[HistoryMethod]>) {
      const result = original.apply(this, args);
      check();
      return result;
    };
    history[name] = wrapped;
    // Another script may have wrapped ours since; unwrapping then would drop its wrapper too.
    return () => {
      if (history[name] === wrapped) history[name] = original;
    };
  });
  const unlisten = env.listen('window', 'popstate', check);

  return () => {
    for (const restore of unwrap) restore();
    unlisten();
  };
}
