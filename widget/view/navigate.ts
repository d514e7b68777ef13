/**
 * Follows an item's `url` action. A path of this site goes through the History API, followed by a
 * `popstate` event, which is how single-page-app routers (React Router, Vue Router, Angular...) learn
 * the URL changed, so the app routes without a reload; another site is a normal navigation.
 * Only http(s) URLs are followed, whatever the content says.
 *
 * @example
 * navigate('/invoices/new', false) // history.pushState + popstate
 */
export function navigate(url: string, newTab: boolean, win: Window = window): void {
  const target = new URL(url, win.location.href);
  if (!/^https?:$/.test(target.protocol)) return;
  if (newTab) {
    win.open(target.href, '_blank', 'noopener,noreferrer');
  } else if (target.origin === win.location.origin) {
    win.history.pushState(null, '', target.href);
    win.dispatchEvent(new PopStateEvent('popstate', { state: null }));
  } else {
    win.location.assign(target.href);
  }
}
