import { browserEnv, pickRequest, readGlobal, widgetScript, writeGlobal } from './env.ts';
import type { PickerModule } from './picker/main.ts';
import type { ViewModule } from './view-loader.ts';
import { createWaymark } from './waymark.ts';

/** The UI chunk's file name (content-hashed), set by vite.config.ts; absent under vitest. */
declare const __WAYMARK_VIEW_CHUNK__: string | undefined;
/** The element picker's chunk (content-hashed), set by vite.config.ts; absent under vitest. */
declare const __WAYMARK_PICKER_CHUNK__: string | undefined;

/**
 * Script-tag entry: `<script async src="https://HOST/widget.js" data-key="pk_…"></script>`.
 * Reads the tag's attributes, replays the pre-load snippet's queue, then installs `window.waymark`.
 * Attributes: `data-key` (required), `data-auto-page="false"` (no automatic page views),
 * `data-debug` (log to the console), `data-theme` (`light`, `dark` or `auto`: see `waymark.theme()`). The API origin is the origin of the tag's `src`; the UI chunk
 * (checklists, surveys) is loaded from beside it only when there is something to show.
 */
try {
  const existing = readGlobal() as { version?: unknown; q?: unknown } | undefined;
  const script = widgetScript();
  const writeKey = script?.getAttribute('data-key');
  // A second copy of the script on the page finds the first one's API (it has a version) and stops.
  if (typeof existing?.version !== 'string' && script && writeKey) {
    const debug = script.getAttribute('data-debug');
    const { api } = createWaymark({
      writeKey,
      apiOrigin: new URL(script.src).origin,
      env: browserEnv(),
      autoPage: script.getAttribute('data-auto-page') !== 'false',
      debug: debug !== null && debug !== 'false',
      theme: script.getAttribute('data-theme'),
      queue: existing?.q,
      // Served next to widget.js as /widget/<file>. A dynamic import works from a classic script.
      loadView: () =>
        import(
          /* @vite-ignore */ new URL(
            `widget/${typeof __WAYMARK_VIEW_CHUNK__ === 'string' ? __WAYMARK_VIEW_CHUNK__ : 'view.js'}`,
            script.src,
          ).href
        ) as Promise<ViewModule>,
    });
    writeGlobal(api);
    // A preview link the console opened for its element picker (README, "Element picker"): the
    // picker's own chunk, which no other page downloads.
    const origin = pickRequest();
    if (origin)
      (
        import(
          /* @vite-ignore */ new URL(
            `widget/${typeof __WAYMARK_PICKER_CHUNK__ === 'string' ? __WAYMARK_PICKER_CHUNK__ : 'picker.js'}`,
            script.src,
          ).href
        ) as Promise<PickerModule>
      )
        .then((picker) => picker.pick(origin))
        .catch(() => {});
  }
} catch {
  // Never break the host page: a widget that cannot even boot stays out of the way.
}
