import { safeCall } from '../safe-call.ts';
import type { Scheduler } from '../view/scheduler.ts';
import type { Observed, ViewHost, ViewState } from '../view-loader.ts';
import type { SpotlightView } from './view.ts';

/** Messages (event triggers) and starts kept for the spotlight view while it downloads (at most this many). */
const backlogSize = 50;

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
  let view: SpotlightView | undefined;
  let latest: ViewState | undefined;
  let loading = false;
  const backlog: Array<(view: SpotlightView) => void> = [];
  const start = () => {
    if (loading) return;
    loading = true;
    // new Promise turns a synchronous throw of the loader into a rejection.
    new Promise<typeof import('./view.ts')>((resolve) => resolve(load()))
      .then(
        safeCall(host.logger, (module) => {
          const mounted = module.createSpotlightView(host, deps);
          mounted.update(latest);
          for (const call of backlog.splice(0)) call(mounted);
          view = mounted;
        }),
      )
      .catch((error: unknown) => host.logger.log('could not load the spotlights', error));
  };
  const later = (call: (view: SpotlightView) => void) => {
    if (view) return call(view);
    backlog.push(call);
    if (backlog.length > backlogSize) backlog.shift();
  };
  return {
    update(state) {
      latest = state;
      if (view) view.update(state);
      else if (state?.response.spotlights?.length) start();
    },
    observe: (message: Observed) => later((v) => v.observe(message)),
    start(contentId) {
      later((v) => v.start(contentId));
      start();
    },
  };
}
