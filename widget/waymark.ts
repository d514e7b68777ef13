import { version } from '../package.json';
import type { internalPrefix } from '../shared/schemas/internal-event.ts';
import type { MessageInput } from '../shared/schemas/message.ts';
import type { Mode } from '../shared/schemas/theme.ts';
import { watchNavigation } from './auto-page.ts';
import { replay } from './command-queue.ts';
import { type Content, createContent, type Who } from './content.ts';
import type { Env } from './env.ts';
import { createIdentity, dictionary } from './identity.ts';
import { createLogger } from './logger.ts';
import { safeCall } from './safe-call.ts';
import { createStore } from './storage.ts';
import { createTransport } from './transport.ts';
import { createViewLoader, type View, type ViewModule } from './view-loader.ts';

type Dictionary = NonNullable<Extract<MessageInput, { type: 'track' }>['properties']>;
type Id = string | number;
/** What a `callback` item action passes to the function registered with `waymark.on()`. */
export type CallbackDetail = { checklistId: string; itemId: string };

/**
 * shared/schemas/internal-event.ts's prefix, pinned by its literal type: importing the value would
 * bundle zod. The widget's own events use it; `track()` refuses it so that nothing can forge them.
 */
const reserved: typeof internalPrefix = '$waymark.';

/**
 * `window.waymark`. Every method returns nothing and never throws: bad arguments are ignored
 * (and logged with debug on). New features add a method here and a command in createWaymark; the
 * pre-load snippet's method list (widget/command-queue.ts) must name it too.
 *
 * @example
 * waymark.identify('u_42', { plan: 'pro' }, { userHash: '6f1c…' })
 * waymark.group('acme', { name: 'Acme Inc.' }, { groupHash: '9b2e…' })
 * waymark.track('Invoice Sent', { amount: 120 })
 */
export interface WaymarkApi {
  /** Names the user. `userHash`, the hex HMAC-SHA256 of userId your server computed, proves it. */
  identify(userId: Id, traits?: Dictionary, options?: { userHash?: string }): void;
  /**
   * Names the user's account; later messages carry it as `context.groupId`. `groupHash`, the hex
   * HMAC-SHA256 of `userId + "\n" + groupId` your server computed, proves the user belongs to it
   * (sent as `context.groupHash`; required once identity verification is enforced).
   */
  group(groupId: Id, traits?: Dictionary, options?: { groupHash?: string }): void;
  track(event: string, properties?: Dictionary): void;
  /** A page view. Automatic at load and on SPA navigation unless `data-auto-page="false"`. */
  page(name?: string, properties?: Dictionary): void;
  /** Logout: forgets userId, traits, groupId and both hashes, and starts a new anonymousId. */
  reset(): void;
  /** Logs what the widget does and drops to the console (`data-debug` on the tag does the same). */
  debug(on?: boolean): void;
  /**
   * Registers the function a checklist item with the action `callback` named `name` calls
   * (`waymark.on('openImporter', ({ itemId }) => showImporter())`); a later call replaces it.
   */
  on(name: string, callback: (detail: CallbackDetail) => void): void;
  /** Shows the checklist of this page again, even after the user dismissed it, with its panel open. */
  open(checklistId?: string): void;
  /**
   * Light or dark, as the host app shows itself (`auto`: the user's system setting); it overrides
   * the workspace theme's mode. `data-theme` on the script tag sets it at load.
   */
  theme(mode: Mode): void;
  readonly version: string;
}

type Method = Exclude<keyof WaymarkApi, 'version'>;
type Commands = { [M in Method]: (calledAt: number, ...args: Parameters<WaymarkApi[M]>) => void };
type Command = (calledAt: number, ...args: unknown[]) => void;
/** What each public method adds to the common fields (ids, timestamp, context). */
type Fields = MessageInput extends infer M
  ? M extends MessageInput
    ? Omit<M, 'messageId' | 'anonymousId' | 'userId' | 'timestamp' | 'context'>
    : never
  : never;

export interface WaymarkOptions {
  /** The workspace's publishable key (`data-key`). */
  writeKey: string;
  /** Where `/v1/batch` is: the origin the widget's script came from. */
  apiOrigin: string;
  env: Env;
  /** A page view at boot and on every SPA navigation. Default true. */
  autoPage?: boolean;
  debug?: boolean;
  /** `data-theme`: the colour scheme the host page shows, before any `theme()` call. */
  theme?: string | null | undefined;
  /** The pre-load stub's queue (`window.waymark.q`), replayed before anything else. */
  queue?: unknown;
  /**
   * Loads the UI chunk (main.ts: a dynamic import of dist/widget/view-<hash>.js). Only with it
   * does the widget ask `POST /v1/content` what to show; it is called once there is something.
   */
  loadView?: () => Promise<ViewModule>;
}

export interface Waymark {
  api: WaymarkApi;
  /** Unhooks history, listeners and timers (tests; a page never needs it). */
  stop(): void;
}

/**
 * One widget instance: all its state lives in here, none at module level, so two instances (in
 * tests, or two write keys) cannot collide. main.ts wires it to the real browser.
 *
 * @example
 * const { api } = createWaymark({ writeKey: 'pk_live_…', apiOrigin: 'https://waymark.acme.com', env: browserEnv() })
 * api.track('Report Exported')
 */
export function createWaymark(options: WaymarkOptions): Waymark {
  const { writeKey, env } = options;
  const logger = createLogger(!!options.debug);
  const store = createStore(env.storage);
  const prefix = `waymark:${writeKey.slice(0, 16)}`;
  const identity = createIdentity(store, prefix, env.uuid);
  const transport = createTransport({
    url: `${options.apiOrigin}/v1/batch`,
    writeKey,
    prefix,
    env,
    store,
    logger,
    onDelivered: safeCall(logger, (messageIds: string[]) => {
      if (content) view!.delivered(messageIds, content.delivered());
    }),
  });
  const callbacks = new Map<string, (detail: CallbackDetail) => void>();
  let content: Content | undefined;
  let view: View | undefined;
  /** The account's traits given on this page load; the server may not have stored them yet. */
  let groupTraits: Dictionary = {};
  /** The host page's colour scheme (`theme()`), if it chose one. */
  let mode: Mode | undefined;

  const send = (calledAt: number, fields: Fields) => {
    const { anonymousId, userId, groupId, userHash, groupHash } = identity.state;
    const messageId = env.uuid();
    const page = env.page();
    transport.enqueue({
      ...fields,
      messageId,
      anonymousId,
      userId,
      timestamp: new Date(calledAt).toISOString(),
      context: {
        page,
        locale: env.locale(),
        userAgent: env.userAgent(),
        library: { name: 'waymark.js', version },
        groupId,
        userHash,
        groupHash,
      },
    });
    if (fields.type === 'track' || fields.type === 'page') {
      // A checklist item this completes is ticked at once (widget/checklist/controller.ts).
      view?.observe({ ...fields, messageId, page });
    }
    return messageId;
  };
  // A preview link from the admin API (`?waymark_preview=<token>`) shows a draft to its author; kept
  // for the following pages and reloads, until the server no longer honours the token or reset()
  // (sign-out) forgets it, so that the next person on this browser does not inherit it.
  const previewKey = `${prefix}:preview`;
  // The server adds it with URLSearchParams too: `get` decodes exactly what `set` encoded.
  const linked = new URLSearchParams(env.page().search).get('waymark_preview');
  if (linked) store.set(previewKey, linked.slice(0, 512));
  const who = (): Who => {
    const { traits } = identity.state;
    // contentRequest allows 35 characters, the longest BCP 47 tags in use; more would fail the request.
    const locale = ((typeof traits.locale === 'string' && traits.locale) || env.locale()).slice(0, 35);
    // JSON.stringify leaves an undefined preview out of the request.
    return { ...identity.state, groupTraits, locale, preview: store.get(previewKey) || undefined };
  };
  const render = () => {
    const known = content?.current();
    const { locale, userId, anonymousId } = who();
    view?.update(known && { ...known, locale, user: userId ?? anonymousId, mode });
  };

  const commands: Commands = {
    identify(calledAt, userId, traits, identifyOptions) {
      if (!isId(userId)) return logger.log('identify() needs a userId', userId);
      identity.identify(String(userId), dictionary(traits), hashOf(identifyOptions?.userHash));
      send(calledAt, { type: 'identify', traits: dictionary(traits) });
      content?.sync();
    },
    group(calledAt, groupId, traits, groupOptions) {
      if (!isId(groupId)) return logger.log('group() needs a groupId', groupId);
      const id = String(groupId);
      // Traits of another account do not carry over.
      groupTraits = { ...(identity.state.groupId === id ? groupTraits : {}), ...dictionary(traits) };
      identity.group(id, hashOf(groupOptions?.groupHash));
      send(calledAt, { type: 'group', groupId: id, traits: dictionary(traits) });
      content?.sync();
    },
    track(calledAt, event, properties) {
      if (typeof event !== 'string' || !event.trim()) return logger.log('track() needs an event name', event);
      if (event.startsWith(reserved))
        return logger.log(`event names starting with ${reserved} are reserved`, event);
      send(calledAt, { type: 'track', event, properties: dictionary(properties) });
    },
    page(calledAt, name, properties) {
      send(calledAt, {
        type: 'page',
        name: typeof name === 'string' ? name : undefined,
        properties: dictionary(properties),
      });
    },
    reset() {
      identity.reset();
      groupTraits = {};
      store.remove(previewKey);
      content?.sync(true);
    },
    debug(_calledAt, on = true) {
      logger.on = !!on;
    },
    on(_calledAt, name, callback) {
      if (typeof name !== 'string' || typeof callback !== 'function') {
        return logger.log('on() needs a name and a function', name);
      }
      callbacks.set(name, callback);
    },
    theme(_calledAt, chosen) {
      if (!modes.includes(chosen)) return logger.log("theme() needs 'light', 'dark' or 'auto'", chosen);
      mode = chosen;
      render();
    },
    open(_calledAt, checklistId) {
      if (!view) return logger.log('open(): no checklist view');
      view.open(typeof checklistId === 'string' ? checklistId : undefined);
    },
  };
  const run = (method: string, args: unknown[], calledAt: number) => {
    if (Object.hasOwn(commands, method)) {
      (commands[method as Method] as Command)(calledAt, ...args);
    } else {
      logger.log('unknown method', method);
    }
  };

  const api = { version } as WaymarkApi & Record<Method, unknown>;
  for (const method of Object.keys(commands) as Method[]) {
    api[method] = safeCall(logger, (...args: unknown[]) => run(method, args, env.now()));
  }

  if (options.theme) safeCall(logger, commands.theme)(env.now(), options.theme as Mode);
  if (options.loadView) {
    content = createContent({
      url: `${options.apiOrigin}/v1/content`,
      writeKey,
      prefix,
      env,
      store,
      logger,
      who,
      onChange: safeCall(logger, render),
    });
    view = createViewLoader(
      options.loadView,
      {
        env,
        store,
        logger,
        prefix,
        emit: (name, properties) => send(env.now(), { type: 'track', event: reserved + name, properties }),
        callback(name, detail) {
          const callback = callbacks.get(name);
          if (!callback) return logger.log(`no function registered with waymark.on('${name}')`);
          try {
            callback(detail);
          } catch (error) {
            logger.log(`the function registered with waymark.on('${name}') threw`, error);
          }
        },
        // Closures, not methods: they need no `this`.
        refresh: content.refresh,
        flush: transport.flush,
      },
      logger,
    );
    render(); // the cached copy, at once
  }

  let pagedBeforeLoad = false;
  replay(
    options.queue,
    safeCall(logger, (method: string, args: unknown[], calledAt: number) => {
      pagedBeforeLoad ||= method === 'page';
      run(method, args, calledAt);
    }),
    env.now,
  );

  const autoPage = options.autoPage !== false;
  // A page() queued before load already is this load's page view.
  if (autoPage && !pagedBeforeLoad) safeCall(logger, commands.page)(env.now());
  // Checklists show only on the pages their URL rules name, page views or not.
  const stopNavigation =
    autoPage || content
      ? watchNavigation(env, logger, () => {
          if (autoPage) commands.page(env.now());
          render();
        })
      : () => {};
  content?.refresh();

  return {
    api,
    stop() {
      stopNavigation();
      transport.stop();
      content?.stop();
    },
  };
}

const modes: unknown[] = ['light', 'dark', 'auto'];

/** A signature as the host page passed it, if it is a string (anything else is left out). */
const hashOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function isId(value: unknown): value is Id {
  // Number.isFinite is false for anything but a number.
  return (typeof value === 'string' && !!value.trim()) || Number.isFinite(value);
}
