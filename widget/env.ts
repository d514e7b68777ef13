import type { MessageContext } from '../shared/schemas/message.ts';

/** `context.page` of every message: where the visitor is when the call is made. */
export type PageContext = NonNullable<MessageContext['page']>;

/**
 * Everything the widget needs from the browser, as one injectable object: tests pass their own
 * fetch, clock or storage (`{ ...browserEnv(), fetch: mockFetch }`), and a host page whose globals
 * misbehave can only reach the widget through here.
 */
export interface Env {
  now(): number;
  random(): number;
  /** A random message or visitor id (RFC 4122 v4). */
  uuid(): string;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** `navigator.sendBeacon`; false when the browser has none or refused to queue the body. */
  sendBeacon(url: string, body: Blob): boolean;
  online(): boolean;
  hidden(): boolean;
  /** `localStorage`; reading it throws in sandboxed iframes and strict privacy modes. */
  storage(): Storage;
  history(): History;
  /** Adds an event listener and returns the function that removes it. */
  listen(target: 'window' | 'document', type: string, listener: (event: Event) => void): () => void;
  page(): PageContext;
  locale(): string;
  userAgent(): string;
}

/**
 * The real browser, read at call time (so fake timers and stubbed globals installed later apply).
 * The only place in the widget that names `window`, `document`, `navigator`, `location`, `history`
 * or `localStorage`.
 *
 * @example
 * createWaymark({ writeKey, apiOrigin, env: { ...browserEnv(), fetch: vi.fn() } })
 */
export function browserEnv(): Env {
  return {
    now: () => Date.now(),
    random: () => Math.random(),
    uuid: () =>
      // randomUUID exists only in secure contexts (https, localhost); getRandomValues everywhere.
      crypto.randomUUID?.() ??
      '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
        (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16),
      ),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
    fetch: (url, init) => fetch(url, init),
    sendBeacon: (url, body) => !!navigator.sendBeacon?.(url, body),
    online: () => navigator.onLine !== false,
    // True exactly when visibilityState is 'hidden' (HTML, "Page visibility").
    hidden: () => document.hidden,
    storage: () => localStorage,
    history: () => history,
    listen(target, type, listener) {
      const node = target === 'window' ? window : document;
      node.addEventListener(type, listener);
      return () => node.removeEventListener(type, listener);
    },
    page: () => ({
      path: location.pathname,
      url: location.href,
      title: document.title,
      referrer: document.referrer,
      search: location.search,
    }),
    locale: () => navigator.language,
    userAgent: () => navigator.userAgent,
  };
}

/**
 * The `<script data-key>` tag that loaded the widget. `currentScript` is null once the script has
 * finished its first run and inside some loaders, hence the selector.
 */
export function widgetScript(): HTMLScriptElement | null {
  // An SVG <script> has no `src` property: it is passed over as well.
  const current = document.currentScript as HTMLScriptElement | null;
  return current?.src
    ? current
    : document.querySelector<HTMLScriptElement>('script[src*="widget.js"][data-key]');
}

/** `window.waymark`: the pre-load stub, an already installed widget, or nothing. */
export function readGlobal(): unknown {
  return (window as { waymark?: unknown }).waymark;
}

/** Installs the public API as `window.waymark`, the one global the widget defines. */
export function writeGlobal(api: object): void {
  (window as { waymark?: unknown }).waymark = api;
}

/**
 * The console's origin when this page is a preview link the console opened for its element picker
 * (README, "Element picker"): `waymark_pick=<origin>` beside a `waymark_preview` token, in a tab that
 * another window opened. Otherwise null, and the picker's chunk is never downloaded.
 */
export function pickRequest(): string | null {
  const params = new URLSearchParams(location.search);
  return (params.get('waymark_preview') && window.opener && params.get('waymark_pick')) || null;
}

/**
 * The picker's way back: a message to the window that opened this tab, delivered only if that
 * window is at `origin` (postMessage's target origin), and closing this tab afterwards.
 */
export function openerChannel(origin: string): { post(message: unknown): void; close(): void } {
  return {
    post: (message) => (window.opener as Window | null)?.postMessage(message, origin),
    close: () => window.close(),
  };
}
