import { h } from 'preact';
import { plainText } from '../../shared/rich-text.ts';
import type { DeliveredChecklist, DeliveredItem } from '../../shared/schemas/content.ts';
import { format, type WidgetStrings } from '../../shared/widget-strings.ts';
import { guardedThen, safeCall } from '../safe-call.ts';
import type { Kind } from '../view/kind.ts';
import { recall, remember } from '../view/memory.ts';
import { navigate } from '../view/navigate.ts';
import type { Prompt, Scheduler } from '../view/scheduler.ts';
import { pageDirection, type Region } from '../view/surface.ts';
import type { View, ViewHost } from '../view-loader.ts';
import { App, type Handlers } from './app.tsx';
import { createController } from './controller.ts';
import { edges, panelId, progress } from './panel.tsx';
import { css } from './styles.ts';

/** Checklists: the launcher and its panel (README, "Onboarding"). */
export const checklist: Kind = {
  name: 'checklist',
  region: 'cl',
  css,
  create: (host, { region, scheduler, open }) =>
    createView(host, { region, scheduler, spotlight: (contentId) => open('spotlight', contentId) }),
};

/** What this user has seen of a checklist on this device, so that `shown` and `completed` go once. */
interface Memory {
  shown?: number;
  completed?: number;
}

/**
 * The checklist view: its state (which checklist, open or not, what to announce) lives here, in one
 * object per mount; Preact draws it (app.tsx, a pure function of that state) into its region of the
 * shadow root. Sends the widget's interaction events: shown (once per version and user), opened,
 * closed, item clicked, item checked, completed (once per version and user), dismissed. Its open
 * panel holds the screen (widget/view/scheduler.ts): opening by itself on first view, it waits for a
 * prompt showing to close; opened by the user, it takes the screen at once.
 *
 * @example
 * const view = createView(host, { region, scheduler })
 * view.update({ response, deliveredBefore: 0, locale: 'en', user: 'u_42' })
 */
export function createView(
  host: ViewHost,
  {
    region,
    scheduler,
    spotlight,
  }: {
    region: Region;
    scheduler: Scheduler;
    /** Starts a spotlight or tour: an item's `spotlight` action ("Show me"). */
    spotlight?: (contentId: string) => void;
  },
): View {
  let selected: string | undefined;
  let openId: string | undefined;
  let announcement = '';
  let focus: string | undefined;
  let drawing = false;
  let again = false;
  /** `user, checklist, version` seen by this view: the first-sight logic runs once each. */
  const met = new Set<string>();
  /** Done item ids per `user, checklist`, to announce what became done. */
  const doneBefore = new Map<string, Set<string>>();
  const controller = createController(host, () => draw());
  // The panel's height follows the window's: whether it hides more (its scroll shadows) may change.
  host.env.listen(
    'window',
    'resize',
    safeCall(host.logger, () => edges(region.root()?.querySelector('.scroll'))),
  );
  const guard = <A extends unknown[]>(fn: (...args: A) => void) => safeCall(host.logger, fn);
  /** A handler: guarded, then the view redraws. */
  const then = guardedThen(host.logger, () => draw());
  /** The checklist that opens by itself (first view) once the scheduler gives it the screen. */
  let autoOpen: DeliveredChecklist | undefined;
  const prompt: Prompt = {
    // Onboarding before any survey or spotlight (their priorities are 0-100, 50 by default).
    priority: 100,
    show: guard(() => {
      if (autoOpen) open(autoOpen, false);
      autoOpen = undefined;
      draw();
    }),
    // Something the user opened took the screen (a spotlight's "Show me").
    hide: guard(() => {
      const shown = controller.state()?.response.checklists.find((c) => c.id === openId);
      if (shown) close(shown, false);
      openId = undefined;
      draw();
    }),
  };

  const user = () => controller.state()?.user ?? '';
  const memoryKey = (c: DeliveredChecklist) => `${host.prefix}:ui:${user()}:${c.id}`;
  const ref = (c: DeliveredChecklist) => ({ contentId: c.id, version: c.version });

  const open = (c: DeliveredChecklist, focusPanel: boolean) => {
    selected = c.id;
    if (focusPanel) focus = `#${panelId}`;
    if (openId !== c.id) {
      openId = c.id;
      host.emit('checklist_opened', ref(c));
    }
  };
  const close = (c: DeliveredChecklist, returnFocus: boolean) => {
    openId = undefined;
    host.emit('checklist_closed', ref(c));
    if (returnFocus) focus = '.launcher';
  };

  /** First sight of this version: `shown`; first sight ever, if the author wants it: the panel opens. */
  const meet = (c: DeliveredChecklist) => {
    const key = `${user()}\n${c.id}\n${c.version}`;
    if (met.has(key)) return;
    met.add(key);
    const memory = recall<Memory>(host.store, memoryKey(c));
    if (memory.shown !== c.version) {
      remember<Memory>(host.store, memoryKey(c), { shown: c.version });
      host.emit('checklist_shown', ref(c));
      // Not when the user switched to it in the open panel: it shows already.
      if (memory.shown === undefined && !c.seen && c.openOnFirstView && openId === undefined) {
        autoOpen = c;
        scheduler.request(prompt);
      }
    }
  };

  /** Completion (once), and the live region's news: which items became done since the last draw. */
  const follow = (c: DeliveredChecklist, t: WidgetStrings) => {
    const { done, total, complete } = progress(c);
    if (complete && recall<Memory>(host.store, memoryKey(c)).completed !== c.version) {
      remember<Memory>(host.store, memoryKey(c), { completed: c.version });
      host.emit('checklist_completed', ref(c));
    }
    const key = `${user()}\n${c.id}`;
    const now = new Set(c.items.filter((item) => item.doneAt).map((item) => item.id));
    const before = doneBefore.get(key);
    doneBefore.set(key, now);
    const newly = before ? c.items.filter((item) => now.has(item.id) && !before.has(item.id)) : [];
    if (newly.length) {
      announcement = newly
        .map((item) => format(t.itemDone, { title: plainText(item.title), done, total }))
        .join(' ');
    }
  };

  const paint = () => {
    const state = controller.state();
    const checklists = state ? controller.visible(host.env.page()) : [];
    // The server orders them by priority; the panel's switcher reaches the others.
    const checklist = checklists.find((c) => c.id === selected) ?? checklists[0];
    if (checklist && state) {
      meet(checklist);
      follow(checklist, state.response.strings);
    }
    region.draw(
      checklist && state
        ? h(App, {
            checklist,
            index: checklists.indexOf(checklist),
            count: checklists.length,
            theme: state.response.theme,
            mode: state.mode,
            t: state.response.strings,
            dir: pageDirection(checklist.locale || state.locale),
            open: openId === checklist.id,
            announcement,
            on: handlers(checklist, checklists),
          })
        : null,
      focus,
    );
    focus = undefined;
    edges(region.root()?.querySelector('.scroll'));
    // The open panel holds the screen; a first-view opening still waiting for it keeps waiting.
    if (checklist && openId === checklist.id) scheduler.take(prompt);
    else if (!autoOpen || autoOpen.id !== checklist?.id) {
      autoOpen = undefined;
      scheduler.release(prompt);
    }
  };

  /** Draws now; a draw asked for while drawing (an event that ticks an item...) follows it. */
  const draw = () => {
    if (drawing) {
      again = true;
      return;
    }
    drawing = true;
    try {
      do {
        again = false;
        paint();
      } while (again);
    } finally {
      drawing = false;
    }
  };

  const handlers = (c: DeliveredChecklist, all: DeliveredChecklist[]): Handlers => {
    return {
      switchTo: then((step: number) => {
        const next = all[(all.indexOf(c) + step + all.length) % all.length]!;
        selected = next.id;
        // The panel stays open, on the other checklist.
        close(c, false);
        open(next, false);
      }),
      toggle: then(() => (openId === c.id ? close(c, false) : open(c, true))),
      close: then(() => close(c, true)),
      keyDown: then((event: KeyboardEvent) => {
        if (event.key !== 'Escape' || openId !== c.id) return;
        event.stopPropagation(); // the Escape was for us, not for the host page's own dialogs
        close(c, true);
      }),
      dismiss: then(() => {
        openId = undefined;
        controller.dismiss(c);
      }),
      check: then((item: DeliveredItem) => controller.check(c, item.id)),
      act: then((item: DeliveredItem) => {
        host.emit('checklist_item_clicked', { ...ref(c), itemId: item.id });
        const action = item.action;
        if (action?.kind === 'url') {
          if (!action.newTab) openId = undefined; // out of the way of the page the user goes to
          navigate(action.url, action.newTab);
        } else if (action?.kind === 'callback') {
          host.callback(action.name, { checklistId: c.id, itemId: item.id });
        } else if (action?.kind === 'spotlight') {
          openId = undefined; // the panel makes way for the tour it starts
          spotlight?.(action.contentId);
        }
      }),
    };
  };

  return {
    update(state) {
      controller.update(state);
      draw();
    },
    observe: (message) => controller.observe(message),
    delivered: (messageIds, delivery) => controller.delivered(messageIds, delivery),
    open(checklistId) {
      // A checklist of this page, no longer dismissed: visible.
      const checklist = controller.reopen(host.env.page(), checklistId);
      if (!checklist) return host.logger.log('open(): no such checklist on this page', checklistId);
      open(checklist, true);
      draw();
    },
  };
}
