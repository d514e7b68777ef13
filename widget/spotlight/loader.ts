import { lazy } from '../lazy.ts';
import type { Scheduler } from '../view/scheduler.ts';
import type { Observed, ViewHost, ViewState } from '../view-loader.ts';
import type { SpotlightView } from './view.ts';

/**
 * The spotlight view (widget/spotlight/view.ts, with Floating UI: the widget's largest part) as a
 * chunk of its own, downloaded once the content holds a spotlight for this user, or a checklist item
 * asks for one: pages with only a checklist or a survey never fetch it. Calls made meanwhile are
 * replayed to it; a failed download is logged and not retried on this page.
 *
 * @example
 * const spotlights = lazySpotlights(() => import('./view.ts'), host, { scheduler })
 * spotlights.update(state)
 */
export function lazySpotlights(
  load: () => Promise<typeof import('./view.ts')>,
  host: ViewHost,
  deps: { scheduler: Scheduler },
): SpotlightView {
  let latest: ViewState | undefined;
  const view = lazy(
    () => load().then((module) => module.createSpotlightView(host, deps)),
    host.logger,
    'spotlights',
    (mounted) => mounted.update(latest),
  );
  const { start, later } = view;
  return {
    update(state) {
      latest = state;
      const current = view.current();
      if (current) current.update(state);
      else if (state?.response.spotlights?.length) start();
    },
    observe: (message: Observed) => later((v) => v.observe(message)),
    start(contentId) {
      later((v) => v.start(contentId));
      start();
    },
  };
}
