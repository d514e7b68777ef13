import { browserEnv, type Env } from '../../../widget/env.ts';
import { createLogger } from '../../../widget/logger.ts';
import type { Store } from '../../../widget/storage.ts';
import { mount } from '../../../widget/view/main.ts';
import type { View, ViewHost } from '../../../widget/view-loader.ts';
import { type PreviewInput, previewResponse, previewTargets } from './widget-preview-content.ts';

/**
 * The script of the widget preview's frame (README, "Console"): the widget's real UI (`mount` from
 * widget/view/main.ts, the code the widget's own chunk is built from) running in the frame's own
 * window, so that its fixed positions, top layer and modal dialogs stay in the frame, its
 * `document` is the frame's, and its media queries read the frame's width. The console loads it by
 * URL only (WidgetPreview.tsx), so neither the widget's bundle nor the console's views carry it.
 *
 * The host lent to the widget is a preview's: storage in memory, gone with the frame; `emit`
 * records nothing; `fetch` and `sendBeacon` refuse; `refresh` and `flush` do nothing. A preview
 * never sends an event nor changes what any user has seen. It draws on a neutral placeholder page
 * whose blocks (`[data-preview-target]`) are what a spotlight's steps point at.
 */
export interface PreviewFrame {
  /** Draws the JSON of a `PreviewInput`; returns what is wrong with it (nothing once drawn). */
  show(json: string): string[];
}

declare global {
  interface Window {
    /** The frame's `PreviewFrame`, once its script ran (typed here for the console that calls it). */
    waymarkPreview?: PreviewFrame;
  }
}

/** The widget's storage in a preview: a map, gone with the frame, emptied by `clear` when the content is drawn again. */
function memoryStore(): Store & { clear(): void } {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => {
      values.set(key, value);
      return true;
    },
    remove: (key) => {
      values.delete(key);
    },
    keys: (prefix) => [...values.keys()].filter((key) => key.startsWith(prefix)),
    clear: () => values.clear(),
  };
}

const placeholderCss = `
:root{color-scheme:light;--bg:#f4f5f7;--block:#ffffff;--line:#d5d8de;--text:#555b66}
:root[data-mode=dark]{color-scheme:dark;--bg:#15171b;--block:#23262c;--line:#3a3f48;--text:#a9afba}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--text);font:14px/1.4 system-ui,sans-serif}
#app-bar{height:48px;border-bottom:1px solid var(--line);background:var(--block);display:flex;align-items:center;gap:16px;padding:0 16px}
#app-blocks{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:16px;padding:24px 16px}
[data-preview-target]{min-height:96px;border:1px dashed var(--line);border-radius:8px;background:var(--block);display:grid;place-items:center;padding:12px;text-align:center}
`;

/** The neutral page the widget draws on: a header and the blocks steps point at. */
function placeholderPage(doc: Document): void {
  const style = doc.createElement('style');
  style.textContent = placeholderCss;
  doc.head.appendChild(style);
  // Plain blocks, not landmarks: axe counts landmarks across frames, and the console has its own.
  const header = doc.createElement('div');
  header.id = 'app-bar';
  header.textContent = 'Your app';
  const main = doc.createElement('div');
  main.id = 'app-blocks';
  for (let i = 0; i < previewTargets; i++) {
    const block = main.appendChild(doc.createElement('div'));
    block.dataset.previewTarget = String(i);
    block.textContent = `Placeholder ${i + 1}`;
  }
  doc.body.append(header, main);
}

function previewHost(store: Store): ViewHost {
  const env: Env = {
    ...browserEnv(),
    fetch: () => Promise.reject(new Error('a preview sends nothing')),
    sendBeacon: () => false,
    storage: () => {
      throw new Error('a preview keeps nothing');
    },
    page: () => ({ path: '/', url: '', title: '', referrer: '', search: '' }),
  };
  return {
    env,
    store,
    logger: createLogger(false),
    prefix: 'waymark:preview',
    // An id for the widget to follow its own events by; nothing is recorded or sent.
    emit: () => env.uuid(),
    callback: () => {},
    refresh: () => {},
    flush: () => {},
  };
}

placeholderPage(document);
// A checklist item's or a step's link would take the frame away from the preview: the Navigation
// API (Chromium) lets the frame refuse; elsewhere, the sandbox keeps it from opening windows.
(window as { navigation?: EventTarget }).navigation?.addEventListener('navigate', (event) =>
  event.preventDefault(),
);

let view: View | undefined;
const store = memoryStore();
const host = previewHost(store);
const frame: PreviewFrame = {
  show(json) {
    const input = JSON.parse(json) as PreviewInput;
    const built = previewResponse(input, Date.now());
    if (!built.ok) return built.problems;
    document.documentElement.dataset.mode = input.mode;
    document.documentElement.lang = input.locale;
    view ??= mount(host);
    // Drawn afresh, as a new page shows it: a survey or a tour already on screen keeps the copy it
    // started with (widget/survey/view.ts), so the one shown ends, with what the preview remembered.
    view.update(undefined);
    store.clear();
    view.update({
      response: built.response,
      deliveredBefore: 0,
      locale: input.locale,
      user: 'preview',
      mode: input.mode,
    });
    return [];
  },
};
window.waymarkPreview = frame;
