import type { z } from 'zod';
import type { ContentResponse } from '../shared/schemas/content.ts';
import type { InternalEventName, internalEvents } from '../shared/schemas/internal-event.ts';
import type { Mode } from '../shared/schemas/theme.ts';
import type { Env, PageContext } from './env.ts';
import type { Logger } from './logger.ts';
import type { Store } from './storage.ts';

/**
 * The contract between the core script and the UI chunk (dist/widget/view-<hash>.js). The core
 * fetches and caches content and sends events; the chunk, downloaded only once a response holds a
 * checklist that is not dismissed, a survey or a spotlight, does the rest: which checklists, prompts
 * and spotlights this page shows and when, local ticks, dismissals, drawing, and reporting what the
 * user does. Keeping that
 * logic out of the core keeps the script every page downloads small.
 */
export interface ViewState {
  response: ContentResponse;
  /** See Known.deliveredBefore in widget/content.ts. */
  deliveredBefore: number;
  /** The user's locale (their `locale` trait or the browser's): the widget's own strings. */
  locale: string;
  /** Whose view this is (userId, else anonymousId): what was shown, completed or left open. */
  user: string;
  /** Light or dark as the host page chose (`waymark.theme()`, `data-theme`), over the theme's. */
  mode?: Mode | undefined;
}

/** The properties of an internal event, exactly as shared/schemas/internal-event.ts defines them. */
export type InternalProperties<N extends InternalEventName> = z.infer<(typeof internalEvents)[N]>;

/** A message the core sent (track or page), for local ticks. */
export interface Observed {
  type: string;
  event?: string | undefined;
  properties?: Record<string, unknown> | undefined;
  messageId: string;
  /** Where the user was when it was sent. */
  page: Pick<PageContext, 'path' | 'search'>;
}

/** What the core lends the view. */
export interface ViewHost {
  env: Env;
  store: Store;
  logger: Logger;
  /** Storage prefix of this write key. */
  prefix: string;
  /** Records one of the widget's own interactions (`$waymark.<name>`); returns its messageId. */
  emit<N extends InternalEventName>(name: N, properties: InternalProperties<N>): string;
  /** Calls the function the host app registered with `waymark.on(name, fn)`. */
  callback(name: string, detail: { checklistId: string; itemId: string }): void;
  /** Asks the server again after `delayMs`. */
  refresh(delayMs: number): void;
  /** Sends queued events now rather than with the next batch. */
  flush(): void;
}

export interface View {
  /** New content or user; also called on SPA navigation (the page may show other checklists). */
  update(state: ViewState | undefined): void;
  observe(message: Observed): void;
  /** The transport's delivery number `delivery` carried these messages to the server. */
  delivered(messageIds: string[], delivery: number): void;
  /** Shows `checklistId` (or this page's first checklist) again, dismissed or not, panel open. */
  open(checklistId?: string): void;
}

export interface ViewModule {
  mount(host: ViewHost): View;
}

/** Calls made before the UI chunk is loaded, replayed to it once it is (at most this many). */
const backlogSize = 50;

/**
 * Downloads the UI chunk when there is something to show (a checklist not dismissed, a survey, a
 * spotlight, or `open()`), once: a failed download is logged, not retried on this page, and leaves
 * the page as it was. Once mounted, the view is brought up to date, then the calls made meanwhile
 * are replayed.
 *
 * @example
 * const view = createViewLoader(() => import(chunkUrl), host, logger)
 * view.update({ response, deliveredBefore: 0, locale: 'en', user: 'u_42' })
 */
export function createViewLoader(load: () => Promise<ViewModule>, host: ViewHost, logger: Logger): View {
  let latest: ViewState | undefined;
  let opening = false;
  let view: View | undefined;
  let loading = false;
  const backlog: Array<(view: View) => void> = [];
  const start = () => {
    if (loading) return;
    loading = true;
    // new Promise turns a synchronous throw of the loader into a rejection.
    new Promise<ViewModule>((resolve) => resolve(load()))
      .then((module) => {
        const mounted = module.mount(host);
        mounted.update(latest);
        for (const call of backlog.splice(0)) call(mounted);
        view = mounted;
      })
      .catch((error: unknown) => logger.log('could not load the view', error));
  };
  /** Calls the view now, or once it is loaded. */
  const later = (call: (view: View) => void) => {
    if (view) return call(view);
    backlog.push(call);
    if (backlog.length > backlogSize) backlog.shift();
  };

  return {
    update(state) {
      latest = state;
      if (view) view.update(state);
      else if (
        state &&
        (state.response.surveys.length ||
          state.response.spotlights.length ||
          state.response.checklists.some((checklist) => opening || !checklist.dismissed))
      )
        start();
    },
    observe: (message) => later((v) => v.observe(message)),
    delivered: (messageIds, delivery) => later((v) => v.delivered(messageIds, delivery)),
    open(checklistId) {
      opening = true;
      later((v) => v.open(checklistId));
      if (latest?.response.checklists.length) start();
    },
  };
}
