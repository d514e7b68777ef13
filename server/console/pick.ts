import { type Picked, picked, pickParam } from '../../shared/schemas/picker.ts';

export type { Picked };

/** How often a pending pick checks whether the author closed the app's tab. */
const closedPollMs = 400;

/**
 * The element picker, console side (README, "Element picker"): opens a preview link of the
 * customer's app in a new tab with `waymark_pick=<this console's origin>` added; the widget there
 * shows the picker, and the author's choice comes back as one message. Only a message from that tab,
 * from the preview page's origin, and of the shape `picked` (shared/schemas/picker.ts) counts:
 * anything else the console receives is ignored. Resolves with the choice, or null once the tab is
 * closed without one (the author cancelled). Rejects, with a sentence to show, when the link is not
 * an http(s) preview link or the browser refused to open a tab.
 *
 * Call it from the click handler of a button: browsers open tabs only for a user's action (Chrome
 * allows a few seconds, enough to ask the server for the link first). The tab must keep its
 * `window.opener` (no `noopener`), which is how the picker answers; an app page that sends
 * `Cross-Origin-Opener-Policy: same-origin` cuts that link, and then the pick resolves null.
 *
 * @example
 * const link = await ok(api.v1.admin.spotlights[':id'].preview.$post({ param: { id }, json: { url: 'https://app.acme.com/invoices' } }))
 * const choice = await pickElement(link.url!)
 * // { type: 'waymark:picked', selector: '[data-tour="export"]', matches: 1, url: 'https://app.acme.com/invoices?…' }
 * if (choice) step.anchor = { selector: choice.selector, text: choice.text, pierceShadow: true }
 */
export function pickElement(previewUrl: string, win: Window = window): Promise<Picked | null> {
  let url: URL;
  try {
    url = new URL(previewUrl);
  } catch {
    return Promise.reject(new Error('The preview link is not a URL.'));
  }
  if (!/^https?:$/.test(url.protocol) || !url.searchParams.get('waymark_preview')) {
    return Promise.reject(
      new Error('Picking needs a preview link of a page of your app (with its waymark_preview token).'),
    );
  }
  url.searchParams.set(pickParam, win.location.origin);
  const opened = win.open(url.href, '_blank');
  if (!opened) {
    return Promise.reject(new Error('The browser did not open the tab: allow pop-ups for this console.'));
  }
  return new Promise((resolve) => {
    const finish = (result: Picked | null) => {
      win.removeEventListener('message', receive);
      win.clearInterval(poll);
      resolve(result);
    };
    const receive = (event: MessageEvent) => {
      if (event.source !== opened || event.origin !== url.origin) return;
      const parsed = picked.safeParse(event.data);
      if (parsed.success) finish(parsed.data);
    };
    // A tab seen closed gets one more round: its message, posted just before it closed, may still be
    // on its way.
    let closedSeen = false;
    const poll = win.setInterval(() => {
      if (closedSeen) finish(null);
      closedSeen = opened.closed;
    }, closedPollMs);
    win.addEventListener('message', receive);
  });
}
