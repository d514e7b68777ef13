import { matchesFilters, matchesPage, matchesUrl } from '../shared/conditions.ts';
import type { ContentRequest, ContentResponse, DeliveredChecklist } from '../shared/schemas/content.ts';
import type { Env, PageContext } from './env.ts';
import type { Logger } from './logger.ts';
import type { Store } from './storage.ts';

/** How long after the server acknowledged the event behind a local tick the widget asks it to confirm. */
export const confirmDelayMs = 1500;

/** The user fields of a content request, read at the moment the request is made. */
export type Who = Omit<ContentRequest, 'writeKey'> & { anonymousId: string };

export interface ContentOptions {
  /** `${apiOrigin}/v1/content` */
  url: string;
  writeKey: string;
  /** Storage prefix of this write key; the cache lives under `${prefix}:content:…`. */
  prefix: string;
  env: Env;
  store: Store;
  logger: Logger;
  who(): Who;
  /** What there is to show changed (content arrived, an item was ticked, the user changed). */
  onChange(): void;
}

/** What a sent message looks like to local rules. */
export interface Observed {
  type: string;
  event?: string | undefined;
  properties?: Record<string, unknown> | undefined;
  messageId: string;
}

export interface Content {
  /** The last response, merged with local ticks and dismissals; undefined until one is known. */
  current(): ContentResponse | undefined;
  /** The checklists to show on this page: its URL rules match and they are not dismissed. */
  visible(page: Pick<PageContext, 'path' | 'search'>): DeliveredChecklist[];
  /** Fetches after `delayMs` (0 by default); calls in the meantime share the one request. */
  refresh(delayMs?: number): void;
  /**
   * After identify, group or reset: a new user shows their own cached copy (or nothing) at once and
   * fetches; a new account or signature fetches. `forget` drops the previous user's cache (logout).
   */
  sync(forget?: boolean): void;
  /** A message the widget sent: ticks the undone items whose local rule it satisfies. */
  observe(message: Observed, page: Pick<PageContext, 'path' | 'search'>): boolean;
  /** Ticks one item now, until the server has counted `messageId` (a manual tick). */
  tick(checklistId: string, itemId: string, messageId: string): void;
  /** The transport delivered these messages: the server can confirm the ticks they caused. */
  delivered(messageIds: string[]): void;
  /** Hides a checklist for the rest of this page's life (the server learns it from the event). */
  dismiss(checklistId: string): void;
  /**
   * Shows a checklist of this page again, dismissed or not: `checklistId`, or the first one whose URL
   * rules match. Returns its id, or undefined when there is none (or no content yet).
   */
  reopen(page: Pick<PageContext, 'path' | 'search'>, checklistId?: string): string | undefined;
  stop(): void;
}

interface Tick {
  at: string;
  messageId: string;
  /** Number of the delivery that carried `messageId` to the server. */
  delivery?: number;
}

/**
 * The content client: `POST /v1/content` for what this user should see, a per-user cached copy so
 * a page renders at once (then revalidates), and local ticks: an item whose `localRule` a tracked
 * event or page view satisfies is shown done at once, and the server is asked to confirm once the
 * event has reached it.
 *
 * @example
 * const content = createContent({ url: `${origin}/v1/content`, writeKey, prefix, env, store, logger, who, onChange })
 * content.refresh()
 */
export function createContent(options: ContentOptions): Content {
  const { env, store, logger, prefix } = options;
  const cachePrefix = `${prefix}:content:`;
  let response: ContentResponse | undefined;
  let responseJson = '';
  let merged: ContentResponse | undefined;
  let cacheKey = '';
  let identityKey = '';
  let timer: unknown;
  let inFlight = false;
  let again = false;
  let deliveries = 0;
  const ticks = new Map<string, Tick>();
  const dismissals = new Map<string, boolean>();

  const who = () => options.who();
  const keyOf = (w: Who) => `${cachePrefix}${w.userId ? `u:${w.userId}` : `a:${w.anonymousId}`}`;
  const identityOf = (w: Who) => JSON.stringify([w.anonymousId, w.userId, w.groupId, w.userHash]);
  const tickKey = (checklistId: string, itemId: string) => `${checklistId}\n${itemId}`;

  const changed = () => {
    merged = response && {
      ...response,
      checklists: response.checklists.map((checklist) => ({
        ...checklist,
        dismissed: dismissals.get(checklist.id) ?? checklist.dismissed,
        items: checklist.items.map((item) => {
          const tick = ticks.get(tickKey(checklist.id, item.id));
          return tick && !item.doneAt ? { ...item, doneAt: tick.at } : item;
        }),
      })),
    };
    options.onChange();
  };

  const load = () => {
    const w = who();
    cacheKey = keyOf(w);
    identityKey = identityOf(w);
    const json = store.get(cacheKey);
    const cached = json ? parse(json) : undefined;
    response = cached;
    responseJson = cached ? json! : '';
  };

  const accept = (json: string, key: string, sentAtDelivery: number) => {
    const fresh = parse(json);
    if (!fresh) return logger.log('content response not understood', json);
    if (key !== cacheKey) return; // the user changed while the request was out: not theirs to see
    // An answer older than the copy shown (requests overtaking each other) is not news.
    if (response && Date.parse(fresh.servedAt) < Date.parse(response.servedAt)) return;
    for (const [k, tick] of ticks) {
      const [checklistId, itemId] = k.split('\n');
      const item = fresh.checklists.find((c) => c.id === checklistId)?.items.find((i) => i.id === itemId);
      // Done on the server: confirmed. Not done although the server had the event: the server knows best.
      if (!item || item.doneAt || (tick.delivery !== undefined && tick.delivery <= sentAtDelivery)) {
        ticks.delete(k);
      }
    }
    const same = json === responseJson;
    response = fresh;
    responseJson = json;
    if (!same) {
      // One cached copy at a time: the current user's. Someone else's progress stays off this device.
      for (const other of store.keys(cachePrefix)) if (other !== key) store.remove(other);
      store.set(key, json);
    }
    changed();
  };

  const fetchNow = () => {
    timer = undefined;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const w = who();
    const key = keyOf(w);
    const sentAtDelivery = deliveries;
    // new Promise turns a synchronous throw of a patched fetch into a rejection.
    new Promise<Response>((resolve) =>
      resolve(
        env.fetch(options.url, {
          method: 'POST',
          // text/plain keeps this a CORS simple request: no preflight, so one round trip.
          headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
          body: JSON.stringify({ writeKey: options.writeKey, ...w }),
          credentials: 'omit',
        }),
      ),
    )
      .then((res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return res.text();
      })
      .then((json) => accept(json, key, sentAtDelivery))
      .catch((error: unknown) => logger.log('content request failed', error))
      .finally(() => {
        inFlight = false;
        if (again) {
          again = false;
          fetchNow();
        }
      });
  };

  const refresh = (delayMs = 0) => {
    env.clearTimeout(timer);
    timer = env.setTimeout(() => {
      try {
        fetchNow();
      } catch (error) {
        logger.log('internal error', error);
      }
    }, delayMs);
  };

  load();

  return {
    current: () => merged,
    visible: (page) =>
      merged?.checklists.filter(
        (checklist) => !checklist.dismissed && matchesPage(checklist, page.path, page.search),
      ) ?? [],
    refresh,
    sync(forget) {
      const w = who();
      if (keyOf(w) !== cacheKey) {
        if (forget) store.remove(cacheKey);
        ticks.clear();
        dismissals.clear();
        load();
        changed();
        refresh();
      } else if (identityOf(w) !== identityKey) {
        identityKey = identityOf(w);
        refresh();
      }
    },
    observe(message, page) {
      let ticked = false;
      for (const checklist of response?.checklists ?? []) {
        for (const item of checklist.items) {
          const rule = item.localRule;
          const key = tickKey(checklist.id, item.id);
          if (!rule || item.doneAt || ticks.has(key)) continue;
          const matches =
            rule.kind === 'event'
              ? message.type === 'track' &&
                message.event === rule.event &&
                matchesFilters(message.properties, rule.where, env.now())
              : message.type === 'page' && matchesUrl(rule.url, page.path, page.search);
          if (matches) {
            ticks.set(key, { at: new Date(env.now()).toISOString(), messageId: message.messageId });
            ticked = true;
          }
        }
      }
      if (ticked) changed();
      return ticked;
    },
    tick(checklistId, itemId, messageId) {
      ticks.set(tickKey(checklistId, itemId), { at: new Date(env.now()).toISOString(), messageId });
      changed();
    },
    delivered(messageIds) {
      const ids = new Set(messageIds);
      let confirm = false;
      deliveries++;
      for (const tick of ticks.values()) {
        if (tick.delivery === undefined && ids.has(tick.messageId)) {
          tick.delivery = deliveries;
          confirm = true;
        }
      }
      if (confirm) refresh(confirmDelayMs);
    },
    dismiss(checklistId) {
      dismissals.set(checklistId, true);
      changed();
    },
    reopen(page, checklistId) {
      const checklist = response?.checklists.find(
        (c) => (checklistId === undefined || c.id === checklistId) && matchesPage(c, page.path, page.search),
      );
      if (!checklist) return undefined;
      dismissals.set(checklist.id, false);
      changed();
      return checklist.id;
    },
    stop() {
      env.clearTimeout(timer);
    },
  };
}

/**
 * A response or cached copy, if it has the shape the widget relies on. Not a full validation (zod
 * stays out of the widget): the server is ours, the cache may be from an older widget version.
 */
function parse(json: string): ContentResponse | undefined {
  try {
    const value = JSON.parse(json) as ContentResponse;
    return value && Array.isArray(value.checklists) && typeof value.servedAt === 'string' && value.theme
      ? {
          ...value,
          checklists: value.checklists.filter(
            (c) =>
              c &&
              typeof c.id === 'string' &&
              Array.isArray(c.items) &&
              Array.isArray(c.urls) &&
              Array.isArray(c.excludeUrls),
          ),
        }
      : undefined;
  } catch {
    return undefined;
  }
}
