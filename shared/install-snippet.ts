/**
 * The pre-load snippet (the queue that widget/command-queue.ts replays), exactly as the README's
 * "Install the widget in your app" prints it. Not imported by the widget bundle; the README, the
 * server's banner, the command line, the demo and the console's Install page show it from here.
 *
 * @example
 * const head = `${snippet}\n<script async src="${origin}/widget.js" data-key="${key}"></script>`
 */
export const snippet = `<script>
window.waymark=window.waymark||function(q,w){w={q:q};"identify group track page reset debug on open theme".split(" ").forEach(function(m){w[m]=function(){q.push([m,[].slice.call(arguments),Date.now()])}});return w}([]);
</script>`;

/**
 * What a customer pastes into their page's `<head>`, as the README's "Install the widget in your app"
 * shows it: the pre-load queue stub, then the script tag with the workspace's publishable key. The
 * server's start-up banner, `waymark workspace create` and the console's Install page print it from here.
 *
 * @example
 * installSnippet('https://waymark.example.com', 'pk_...')
 * // <script>\nwindow.waymark=…\n</script>\n<script async src="https://waymark.example.com/widget.js" data-key="pk_..."></script>
 */
export function installSnippet(serverUrl: string, publishableKey: string): string {
  // URL resolution keeps a path prefix (a server behind a proxy at /waymark) and percent-encodes
  // anything that could end the attribute.
  const src = new URL('widget.js', serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`).href;
  return `${snippet}\n<script async src="${src}" data-key="${publishableKey}"></script>`;
}
