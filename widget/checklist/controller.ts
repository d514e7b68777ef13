import { matchesFilters, matchesPage, matchesUrl } from '../../shared/conditions.ts';
import type { DeliveredChecklist } from '../../shared/schemas/content.ts';
import type { PageContext } from '../env.ts';
import type { Observed, ViewHost, ViewState } from '../view-loader.ts';

/** How long after the server acknowledged the event behind a local tick the view asks it to confirm. */
export const confirmDelayMs = 1500;
/**
 * Events the view cannot judge (items without a local rule: milestones, counts, a teammate's work in
 * an account checklist) also make it ask again after delivery, but not more often than this.
 */
export const activityGapMs = 10_000;
/**
 * Local ticks are kept on the device (one record, the current user's) so that the next page load
 * shows them too: a reload or a host page's navigation often comes before the server has confirmed
 * a tick, and the cached copy it starts from would show the item undone. A carried tick stands at
 * most this long after it was made, so one the server never got cannot linger.
 */
export const carryMs = 10 * 60_000;

type Page = Pick<PageContext, 'path' | 'search'>;

interface Tick {
  at: string;
  messageId: string;
  /** The transport's delivery that carried `messageId` to the server. */
  delivery?: number;
  /**
   * Carried from an earlier page load, where the server acknowledged the event: this page's next
   * delivery stands for it (an answer requested after that one is the server's word on it).
   */
  acknowledged?: boolean;
}

/** What storage keeps of the local ticks: whose they are, and each tick by `checklistId\nitemId`. */
interface Carried {
  user: string;
  ticks: Array<[string, Tick]>;
}

export interface Controller {
  state(): ViewState | undefined;
  /** New content or user. Ticks the new content confirms, or contradicts after the server had the event, go. */
  update(state: ViewState | undefined): void;
  /** The checklists this page shows (URL rules match, not dismissed), with local ticks applied. */
  visible(page: Page): DeliveredChecklist[];
  /** Ticks the undone items whose `localRule` a sent track or page message satisfies. */
  observe(message: Observed): void;
  delivered(messageIds: string[], delivery: number): void;
  /** The user ticked a manual item: `checklist_item_checked`, shown done at once. */
  check(checklist: DeliveredChecklist, itemId: string): void;
  /** `checklist_dismissed`, and hidden until `reopen`. */
  dismiss(checklist: DeliveredChecklist): void;
  /** Undoes a dismissal of `checklistId`, or of this page's first checklist; returns the one shown. */
  reopen(page: Page, checklistId?: string): DeliveredChecklist | undefined;
}

/**
 * The view's data: the core's content plus what happened since (local ticks, carried to the next
 * page load too, see carryMs; dismissals and reopening on this page). A local tick stands until the
 * server has it (done there too), or until an answer requested after the server acknowledged the
 * event says otherwise: the server knows best.
 *
 * @example
 * const controller = createController(host, draw)
 * controller.update(state)
 * controller.visible(host.env.page())
 */
export function createController(host: ViewHost, onChange: () => void): Controller {
  let state: ViewState | undefined;
  let checklists: DeliveredChecklist[] = [];
  const ticks = new Map<string, Tick>();
  const dismissals = new Map<string, boolean>();
  /** Tracked events that may complete an item only the server can judge. */
  const activity = new Set<string>();
  let lastAsked = -Infinity;
  const key = (checklistId: string, itemId: string) => `${checklistId}\n${itemId}`;
  const carriedKey = `${host.prefix}:ticks`;
  /** Writes the current user's ticks (or removes the record when there are none). */
  const save = () => {
    if (!state || ticks.size === 0) return host.store.remove(carriedKey);
    const carried: Carried = { user: state.user, ticks: [...ticks] };
    host.store.set(carriedKey, JSON.stringify(carried));
  };
  /** The ticks an earlier page load of `user` made, recent enough to stand. */
  const restore = (user: string) => {
    try {
      const carried: Partial<Carried> | null = JSON.parse(host.store.get(carriedKey) ?? 'null');
      if (carried?.user !== user) return;
      for (const [key, t] of carried.ticks ?? []) {
        if (typeof key !== 'string' || typeof t.messageId !== 'string') continue;
        if (!(host.env.now() - Date.parse(t.at) < carryMs)) continue;
        // Delivered on that page load, or carried already: the server acknowledged the event.
        const acknowledged = t.acknowledged === true || t.delivery !== undefined;
        ticks.set(key, { at: t.at, messageId: t.messageId, acknowledged });
      }
    } catch {
      // A damaged record (or one of an older widget, a list of objects) carries nothing more.
    }
  };
  const tick = (checklistId: string, itemId: string, messageId: string) => {
    ticks.set(key(checklistId, itemId), { at: new Date(host.env.now()).toISOString(), messageId });
    save();
  };

  const merged = (checklist: DeliveredChecklist): DeliveredChecklist => ({
    ...checklist,
    dismissed: dismissals.get(checklist.id) ?? checklist.dismissed,
    items: checklist.items.map((item) => {
      const ticked = !item.doneAt && ticks.get(key(checklist.id, item.id));
      return ticked ? { ...item, doneAt: ticked.at } : item;
    }),
  });

  return {
    state: () => state,
    update(next) {
      const before = state;
      // Another user: their ticks of an earlier page load, if any (nobody else's stay on the device).
      let changed = next?.user !== before?.user;
      if (changed) {
        ticks.clear();
        dismissals.clear();
        if (next) restore(next.user);
      }
      state = next;
      // A checklist without items (a damaged cached copy: every server sent them whole) is left out.
      checklists = (next?.response.checklists ?? []).filter((c) => Array.isArray(c?.items));
      for (const [k, t] of ticks) {
        const [checklistId, itemId] = k.split('\n');
        const item = checklists.find((c) => c.id === checklistId)?.items.find((i) => i.id === itemId);
        if (!item || item.doneAt || (t.delivery !== undefined && t.delivery <= next!.deliveredBefore)) {
          ticks.delete(k);
          changed = true;
        }
      }
      // Nothing known yet on this page load (no cached copy): the record waits for the first answer.
      if (changed && (next || before)) save();
    },
    visible: (page) =>
      checklists.map(merged).filter((c) => !c.dismissed && matchesPage(c, page.path ?? '/', page.search)),
    observe(message) {
      let ticked = false;
      for (const checklist of checklists) {
        for (const item of checklist.items) {
          const rule = item.localRule;
          if (!rule || item.doneAt || ticks.has(key(checklist.id, item.id))) continue;
          const matches =
            rule.kind === 'event'
              ? message.type === 'track' &&
                message.event === rule.event &&
                matchesFilters(message.properties, rule.where ?? [], host.env.now())
              : rule.kind === 'url' &&
                message.type === 'page' &&
                matchesUrl(rule.url, message.page.path ?? '/', message.page.search);
          if (matches) {
            tick(checklist.id, item.id, message.messageId);
            ticked = true;
          }
        }
      }
      const serverJudged = (c: DeliveredChecklist) =>
        !c.dismissed && c.items.some((item) => !item.doneAt && !item.localRule && !item.manual);
      const fromHost = message.type === 'track' && !message.event?.startsWith('$waymark.');
      if (fromHost && !ticked && activity.size < 100 && checklists.some(serverJudged)) {
        activity.add(message.messageId);
      }
      if (!ticked) return;
      host.flush(); // the sooner the server has the event, the sooner it confirms the tick
      onChange();
    },
    delivered(messageIds, delivery) {
      const ids = new Set(messageIds);
      let confirm = false;
      for (const t of ticks.values()) {
        if (t.delivery === undefined && (t.acknowledged || ids.has(t.messageId))) {
          t.delivery = delivery;
          confirm = true;
        }
      }
      if (confirm) {
        save();
        host.refresh(confirmDelayMs);
      }
      if (messageIds.some((id) => activity.has(id))) {
        activity.clear();
        const now = host.env.now();
        const wait = Math.max(confirmDelayMs, lastAsked + activityGapMs - now);
        lastAsked = now + wait;
        host.refresh(wait);
      }
    },
    check(checklist, itemId) {
      const ref = { contentId: checklist.id, version: checklist.version, itemId };
      tick(checklist.id, itemId, host.emit('checklist_item_checked', ref));
      host.flush();
      onChange();
    },
    dismiss(checklist) {
      host.emit('checklist_dismissed', { contentId: checklist.id, version: checklist.version });
      dismissals.set(checklist.id, true);
      onChange();
    },
    reopen(page, checklistId) {
      const checklist = checklists.find(
        (c) =>
          (checklistId === undefined || c.id === checklistId) &&
          matchesPage(c, page.path ?? '/', page.search),
      );
      if (checklist) dismissals.set(checklist.id, false);
      return checklist;
    },
  };
}
