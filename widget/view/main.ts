import type { View, ViewHost, ViewState } from '../view-loader.ts';
import type { KindView } from './kind.ts';
import { kinds } from './kinds.ts';
import { createScheduler } from './scheduler.ts';
import { createSurface } from './surface.ts';

/** The stylesheet of the widget's shadow root: each kind's rules (with the shared palette), in the registry's order. */
export const css = kinds.map((kind) => kind.css ?? '').join('');

/**
 * Entry of the UI chunk (dist/widget/view-<hash>.js), the ES module the core script imports once
 * there is a checklist, a survey or a spotlight to show (see widget/view-loader.ts). One view per
 * content kind (widget/view/kinds.ts): those with a stylesheet draw into one shadow root, created
 * the first time one of them has something to show, each into its region; spotlights have a shadow
 * root of their own, which follows a target into the top layer (a modal dialog). All take turns on
 * the screen through one scheduler (widget/view/scheduler.ts). One chunk rather than one per kind:
 * two gzip streams cost 0.9 KB more than one, and every byte counts against the widget's 24 KB cap
 * (README, "Size").
 *
 * @example
 * const view = (await import(chunkUrl)).mount(host)
 * view.update({ response, deliveredBefore: 0, locale: 'fr', user: 'u_42' })
 */
export function mount(host: ViewHost): View {
  let state: ViewState | undefined;
  const regions = createSurface(
    css,
    kinds.flatMap((kind) => kind.region ?? []),
  );
  const scheduler = createScheduler(
    host,
    () => state && { user: state.user, cooldownHours: state.response.promptCooldownHours },
  );
  const views: Record<string, KindView> = {};
  for (const kind of kinds) {
    views[kind.name] = kind.create(host, {
      region: regions[kind.region ?? '']!,
      scheduler,
      open: (name, contentId) => views[name]?.open?.(contentId),
    });
  }
  const all = Object.values(views);
  return {
    update(next) {
      state = next;
      for (const view of all) view.update(next);
      scheduler.update();
    },
    observe(message) {
      for (const view of all) view.observe?.(message);
    },
    delivered(messageIds, delivery) {
      for (const view of all) view.delivered?.(messageIds, delivery);
    },
    // The host page's `waymark.open()` opens a checklist.
    open: (checklistId) => views.checklist?.open?.(checklistId),
  };
}
