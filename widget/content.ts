import type { ContentRequest, ContentResponse } from '../shared/schemas/content.ts';
import type { Env } from './env.ts';
import type { Logger } from './logger.ts';
import { safeCall } from './safe-call.ts';
import type { Store } from './storage.ts';
import { post, reason } from './transport.ts';

/** The user fields of a content request, read at the moment the request is made. */
export type Who = Omit<ContentRequest, 'writeKey'> & { anonymousId: string; locale: string };

export interface ContentOptions {
  /** `${apiOrigin}/v1/content` */
  url: string;
  writeKey: string;
  /** Storage prefix of this write key; the cached copy lives under `${prefix}:content:<user>`. */
  prefix: string;
  env: Env;
  store: Store;
  logger: Logger;
  who(): Who;
  /** The content changed: a cached copy, a new answer, another user (with nothing yet). */
  onChange(): void;
}

/** A response and what the server had received when it answered. */
export interface Known {
  response: ContentResponse;
  /**
   * How many of the transport's deliveries (counted by `delivered()`) the server had acknowledged
   * when this was requested: the view trusts it over a local tick whose event came in one of them.
   */
  deliveredBefore: number;
}

export interface Content {
  /** What is known for the current user; undefined until a cached copy or an answer exists. */
  current(): Known | undefined;
  /** Fetches after `delayMs` (0 by default); calls in the meantime share that one request. */
  refresh(delayMs?: number): void;
  /**
   * After identify, group or reset: another user shows their own cached copy (or nothing) at once and
   * fetches; another account or signature fetches. `forget` drops the previous user's copy (logout).
   */
  sync(forget?: boolean): void;
  /** Counts one acknowledged delivery of the transport, and returns its number. */
  delivered(): number;
  stop(): void;
}

/**
 * The shape of the cached answer, in its storage key: a copy of an earlier shape is never read (the
 * next answer's write removes it). 2: text as rich-text nodes, the theme as delivered.
 */
const cacheFormat = 2;

/**
 * The content client: `POST /v1/content` tells what this user should see, and the answer is cached
 * for them so that the next page renders at once, then revalidates. One request at a time; calls
 * while one is out are served by one more afterwards.
 *
 * @example
 * const content = createContent({ url: `${origin}/v1/content`, writeKey, prefix, env, store, logger, who, onChange })
 * content.refresh()
 */
export function createContent(options: ContentOptions): Content {
  const { env, store, logger, prefix } = options;
  const cachePrefix = `${prefix}:content:`;
  let known: Known | undefined;
  let cacheKey = '';
  let identityKey = '';
  let timer: unknown;
  /** When the pending timer fires; Infinity when none is pending. */
  let due = Number.POSITIVE_INFINITY;
  let inFlight = false;
  let again = false;
  let deliveries = 0;

  const keyOf = (w: Who) =>
    `${cachePrefix}${cacheFormat}:${w.userId ? `u:${w.userId}` : `a:${w.anonymousId}`}`;
  // The locale too: the response holds the widget's strings in it.
  const identityOf = (w: Who) =>
    JSON.stringify([w.anonymousId, w.userId, w.groupId, w.userHash, w.groupHash, w.locale]);

  const load = () => {
    const w = options.who();
    cacheKey = keyOf(w);
    identityKey = identityOf(w);
    const response = parse(store.get(cacheKey) ?? '');
    known = response && { response, deliveredBefore: 0 };
  };

  const accept = (json: string, key: string, deliveredBefore: number) => {
    const response = parse(json);
    if (!response) return logger.log('content response not understood', json);
    // The user changed while the request was out: the answer is not theirs to see.
    if (key !== cacheKey) return;
    // Requests overtaking each other: an answer older than the one shown is not news.
    if (known && Date.parse(response.servedAt) < Date.parse(known.response.servedAt)) return;
    // One cached copy at a time, the current user's: nobody else's progress stays on this device.
    for (const other of store.keys(cachePrefix)) if (other !== key) store.remove(other);
    store.set(key, json);
    const previous = known && shown(known);
    known = { response, deliveredBefore };
    // The same content again (revalidating a cached copy, most often): nothing to redraw.
    if (shown(known) !== previous) options.onChange();
  };

  const fetchNow = () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const w = options.who();
    const key = keyOf(w);
    const deliveredBefore = deliveries;
    post(env, options.url, JSON.stringify({ writeKey: options.writeKey, ...w }))
      .then((response) =>
        response.ok
          ? response.text()
          : reason(response).then((why) => {
              throw why;
            }),
      )
      .then((json) => accept(json, key, deliveredBefore))
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
    // A request already due sooner serves this call too; a later one must not postpone it.
    if (due <= env.now() + delayMs) return;
    env.clearTimeout(timer);
    due = env.now() + delayMs;
    timer = env.setTimeout(
      safeCall(logger, () => {
        due = Number.POSITIVE_INFINITY;
        fetchNow();
      }),
      delayMs,
    );
  };

  load();

  return {
    current: () => known,
    refresh,
    sync(forget) {
      const w = options.who();
      if (keyOf(w) !== cacheKey) {
        if (forget) store.remove(cacheKey);
        load();
        options.onChange();
        refresh();
      } else if (identityOf(w) !== identityKey) {
        identityKey = identityOf(w);
        refresh();
      }
    },
    delivered: () => ++deliveries,
    stop() {
      env.clearTimeout(timer);
      due = Number.POSITIVE_INFINITY;
    },
  };
}

/**
 * What the view is given of an answer, as text to compare: all but `servedAt`, which differs every
 * time (JSON.stringify leaves undefined out; answers of the same server have the same key order).
 */
function shown({ response, deliveredBefore }: Known): string {
  return JSON.stringify([deliveredBefore, { ...response, servedAt: undefined }]);
}

/**
 * A response or cached copy, if it has the shape the widget relies on: not a full validation (zod
 * stays out of the widget), since the server is ours, but a cached copy may come from an older one.
 */
function parse(json: string): ContentResponse | undefined {
  try {
    const value = JSON.parse(json) as ContentResponse | null;
    // A copy cached by a server that did not send the widget's strings yet is not understood: the
    // widget waits for a fresh answer rather than show buttons without names.
    if (
      !(
        value?.theme &&
        value.strings &&
        Array.isArray(value.checklists) &&
        typeof value.servedAt === 'string'
      )
    ) {
      return undefined;
    }
    // A copy cached before surveys or spotlights existed has none.
    value.surveys ??= [];
    value.spotlights ??= [];
    return value;
  } catch {
    return undefined;
  }
}
