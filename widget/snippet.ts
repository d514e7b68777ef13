/**
 * The pre-load snippet (documented in widget/command-queue.ts), for the README and the demo to
 * print. Not imported by the widget bundle.
 *
 * @example
 * const head = `${snippet}\n<script async src="${origin}/widget.js" data-key="${key}"></script>`
 */
export const snippet = `<script>
window.waymark=window.waymark||function(q,w){w={q:q};"identify group track page reset debug on open theme".split(" ").forEach(function(m){w[m]=function(){q.push([m,[].slice.call(arguments),Date.now()])}});return w}([]);
</script>`;
