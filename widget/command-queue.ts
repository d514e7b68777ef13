/**
 * Calls made before the widget loaded. The host pastes this snippet BEFORE the widget's script tag,
 * so that `waymark.track(...)` works at once; each call is queued with the time it was made
 * (`[method, arguments, Date.now()]`), and the widget replays the queue in order when it loads,
 * keeping those times as the messages' timestamps:
 *
 * ```html
 * <script>
 * window.waymark=window.waymark||function(q,w){w={q:q};"identify group track page reset debug on open theme".split(" ").forEach(function(m){w[m]=function(){q.push([m,[].slice.call(arguments),Date.now()])}});return w}([]);
 * </script>
 * <script async src="https://HOST/widget.js" data-key="pk_..."></script>
 * ```
 *
 * The same text is exported as `snippet` from shared/install-snippet.ts (outside the bundle) for the README
 * and the demo. A test checks that both copies are identical.
 */
export type QueuedCall = [method: string, args: unknown[], calledAt?: number];

/** `window.waymark` as the snippet defines it. */
export interface Stub {
  q: QueuedCall[];
}

/**
 * Replays the queued calls in order through `run`, with the time each was made (or `now` for a
 * queue written by hand without times). Malformed entries are skipped.
 *
 * @example
 * replay(stub.q, (method, args, at) => commands[method]?.(at, ...args), Date.now)
 */
export function replay(
  queue: unknown,
  run: (method: string, args: unknown[], calledAt: number) => void,
  now: () => number,
): void {
  if (!Array.isArray(queue)) return;
  for (const call of queue as unknown[]) {
    const [method, args, calledAt]: unknown[] = Array.isArray(call) ? call : [];
    if (typeof method === 'string') {
      run(method, Array.isArray(args) ? args : [], typeof calledAt === 'number' ? calledAt : now());
    }
  }
}
