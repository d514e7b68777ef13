import type { z } from 'zod';
import type { DeliveredChecklist } from '../shared/schemas/content.ts';
import type { InternalEventName, internalEvents } from '../shared/schemas/internal-event.ts';
import type { Theme } from '../shared/schemas/theme.ts';
import type { Logger } from './logger.ts';
import type { Store } from './storage.ts';

/**
 * The contract between the core script and the UI chunk (dist/widget/checklist-<hash>.js), which the
 * core downloads only once there is something to show. The chunk exports `mount(host)`; the core
 * keeps the data (content, local ticks, dismissals, which checklists match this page) and the chunk
 * only draws it and reports what the user does.
 */
export interface ViewState {
  theme: Theme;
  /** The checklists to show on this page, in order; the view shows the first (or the one opened). */
  checklists: DeliveredChecklist[];
  /** The user's locale (their `locale` trait or the browser's): the widget's own strings and direction. */
  locale: string;
  /** Whose view state this is (userId, else anonymousId): what was shown, completed, left open. */
  user: string;
}

/** The properties of an internal event, exactly as shared/schemas/internal-event.ts defines them. */
export type InternalProperties<N extends InternalEventName> = z.infer<(typeof internalEvents)[N]>;

/** What the core lends the view. */
export interface ViewHost {
  store: Store;
  logger: Logger;
  /** Storage prefix of this write key. */
  prefix: string;
  /** Records one of the widget's own interactions (`$waymark.<name>`). */
  emit<N extends InternalEventName>(name: N, properties: InternalProperties<N>): void;
  /** The user ticked a manual item: recorded, and shown done until the server confirms. */
  check(checklist: DeliveredChecklist, itemId: string): void;
  /** The user dismissed the checklist: recorded, and hidden until `waymark.open()`. */
  dismiss(checklist: DeliveredChecklist): void;
  /** Calls the function the host app registered with `waymark.on(name, fn)`. */
  callback(name: string, detail: { checklistId: string; itemId: string }): void;
}

export interface View {
  update(state: ViewState): void;
  /** Opens the panel of `checklistId` (or of the checklist shown). */
  open(checklistId?: string): void;
}

export interface ViewModule {
  mount(host: ViewHost): View;
}

export interface ViewLoader {
  /** Draws `state`, downloading the chunk first when it has something to show. */
  show(state: ViewState): void;
  open(checklistId?: string): void;
}

/**
 * Downloads the UI chunk the first time there is something to show, once: a failed download is
 * logged and not retried on this page, and the page is left as it was.
 *
 * @example
 * const views = createViewLoader(() => import(chunkUrl), host, logger)
 * views.show({ theme, checklists, locale: 'en', user: 'u_42' })
 */
export function createViewLoader(load: () => Promise<ViewModule>, host: ViewHost, logger: Logger): ViewLoader {
  let view: View | undefined;
  let latest: ViewState | undefined;
  let loading = false;
  let opening: [string | undefined] | undefined;

  return {
    show(state) {
      latest = state;
      if (view) return view.update(state);
      if (loading || !state.checklists.length) return;
      loading = true;
      // new Promise turns a synchronous throw of the loader into a rejection.
      new Promise<ViewModule>((resolve) => resolve(load()))
        .then((module) => {
          view = module.mount(host);
          view.update(latest!);
          if (opening) view.open(...opening);
        })
        .catch((error: unknown) => logger.log('could not load the checklist view', error));
    },
    open(checklistId) {
      if (view) view.open(checklistId);
      else opening = [checklistId];
    },
  };
}
