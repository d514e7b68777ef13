import { snippet } from '../../widget/snippet.ts';

/**
 * What a customer pastes into their page's `<head>`, as the README's "Install the widget in your app"
 * shows it: the pre-load queue stub, then the script tag with the workspace's publishable key. The
 * server's start-up banner and `waymark workspace create` print it from here.
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
