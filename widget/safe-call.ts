import type { Logger } from './logger.ts';

/**
 * Wraps a function so that no exception ever escapes into the host page (posthog-js's `safewrap`):
 * every public method, timer and event listener of the widget goes through this. The error is
 * logged (visible with debug on) and the call returns undefined.
 *
 * @example
 * env.listen('window', 'online', safeCall(logger, () => transport.flush()))
 */
export function safeCall<Args extends unknown[], Result>(
  logger: Logger,
  fn: (...args: Args) => Result,
): (...args: Args) => Result | undefined {
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      logger.log('internal error', error);
      return undefined;
    }
  };
}

/**
 * For a view's handlers: each runs guarded (see safeCall), then `after` (the view redraws).
 *
 * @example
 * const then = guardedThen(logger, draw)
 * button.onclick = then(() => { open = !open })
 */
export function guardedThen(logger: Logger, after: () => void) {
  return <A extends unknown[]>(fn: (...args: A) => void) =>
    safeCall(logger, (...args: A) => {
      fn(...args);
      after();
    });
}
