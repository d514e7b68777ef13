/// <reference types="vite/client" />
import type { JSONParsed } from 'hono/utils/types';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ContentResponse } from '../../../shared/schemas/content.ts';
import type { Theme } from '../../../shared/schemas/theme.ts';
import type { DeliveredOf, PreviewInput, PreviewKind } from './widget-preview-content.ts';
// The frame's script as a URL and nothing else: Vite bundles it on its own (a "worker" build,
// vite.config.ts), so the widget's UI reaches the console only inside the preview's frame.
import frameScript from './widget-preview-frame.ts?worker&url';

export type { DeliveredOf, PreviewKind } from './widget-preview-content.ts';

/**
 * What `deliver` answers: one item of `kind` as the widget receives it, or a whole `/v1/content`
 * answer, as built or as the typed client reads it from JSON (`JSONParsed`, which types rich text
 * loosely). Either way the frame checks it before drawing.
 */
export type PreviewDelivered<K extends PreviewKind> =
  | DeliveredOf[K]
  | ContentResponse
  | JSONParsed<DeliveredOf[K]>
  | JSONParsed<ContentResponse>;

export interface WidgetPreviewProps<K extends PreviewKind> {
  kind: K;
  /** The content's languages, in the draft's order: the language picker offers them, the first is drawn first. */
  locales: readonly string[];
  /**
   * The draft as the widget would receive it in `locale`: the `delivered` that
   * `POST /v1/admin/<plural>/{id}/preview` answers for `{ locale }`, or a whole `/v1/content` answer.
   * Asked again when the language changes and when a new function is passed: keep it stable between
   * renders (`useCallback`, or `useMemo` keyed on the saved draft) so that each change of the draft
   * asks once. null while the draft has errors. Whatever it answers is checked before it is drawn;
   * a throw or a rejection is shown, never thrown further.
   */
  deliver: ((locale: string) => PreviewDelivered<K> | Promise<PreviewDelivered<K>>) | null;
  /** The workspace's theme (`GET /v1/admin/workspace`'s `theme`) for an item that carries none; default: Waymark's. */
  theme?: Partial<Theme> | undefined;
  /** The region's name for screen readers; default "Preview". */
  label?: string;
}

type Device = 'desktop' | 'phone';
/** The frame's real size at each width: a laptop's window, and a phone's (375 px, an iPhone's). */
const sizes: Record<Device, { width: number; height: number }> = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 667 },
};

type Loaded<K extends PreviewKind> =
  | { state: 'loading' }
  | { state: 'ready'; delivered: PreviewDelivered<K> }
  | { state: 'invalid'; problems: string[] }
  | { state: 'failed'; message: string };

const srcdoc = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Widget preview</title><script type="module" src="${frameScript}"></script></head><body></body></html>`;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A live preview of a checklist, survey or spotlight draft, drawn by the widget's real UI in a frame
 * of the real width (1280 px desktop, scaled to fit; 375 px phone), light or dark, in each of the
 * content's languages, with "Replay" to show it again after it was dismissed or completed. The frame
 * sends nothing and stores nothing: see widget-preview-frame.ts and README, "Console".
 *
 * @example
 * const deliver = useCallback(
 *   (locale: string) =>
 *     ok(api.v1.admin.checklists[':id'].preview.$post({ param: { id }, json: { locale } })).then((p) => p.delivered),
 *   [id, savedAt],
 * )
 * <WidgetPreview kind="checklist" locales={['en', 'fr']} theme={workspace.theme} deliver={valid ? deliver : null} />
 */
export function WidgetPreview<K extends PreviewKind>({
  kind,
  locales,
  deliver,
  theme,
  label = 'Preview',
}: WidgetPreviewProps<K>) {
  const [picked, setPicked] = useState(locales[0] ?? 'en');
  const locale = locales.includes(picked) ? picked : (locales[0] ?? 'en');
  const [mode, setMode] = useState<'light' | 'dark'>(() =>
    document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light',
  );
  const [device, setDevice] = useState<Device>('desktop');
  /** Bumped by "Replay": a new frame, so the widget starts over with nothing remembered. */
  const [run, setRun] = useState(0);
  /** The run whose frame has loaded its script. */
  const [loadedRun, setLoadedRun] = useState(-1);
  const [loaded, setLoaded] = useState<Loaded<K>>({ state: 'loading' });
  const [drawn, setDrawn] = useState<{ problems: string[] } | { failed: string } | null>(null);
  const [available, setAvailable] = useState(0);
  const section = useRef<HTMLElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);

  useEffect(() => {
    const element = section.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setAvailable(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!deliver) {
      setLoaded({ state: 'invalid', problems: [] });
      return;
    }
    let current = true;
    setLoaded((before) => (before.state === 'ready' ? before : { state: 'loading' }));
    new Promise<PreviewDelivered<K>>((resolve) => resolve(deliver(locale))).then(
      (delivered) => current && setLoaded({ state: 'ready', delivered }),
      (error: unknown) => current && setLoaded({ state: 'failed', message: messageOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [deliver, locale]);

  const themeKey = JSON.stringify(theme ?? null);
  useEffect(() => {
    if (loaded.state !== 'ready' || loadedRun !== run) return;
    const preview = frame.current?.contentWindow?.waymarkPreview;
    if (!preview) {
      setDrawn({ failed: 'The preview could not start: its script did not load.' });
      return;
    }
    const input: PreviewInput = { kind, delivered: loaded.delivered, locale, mode, theme };
    try {
      setDrawn({ problems: preview.show(JSON.stringify(input)) });
    } catch (error) {
      setDrawn({ failed: `The preview could not be drawn: ${messageOf(error)}` });
    }
  }, [loaded, loadedRun, run, kind, locale, mode, themeKey]);

  const size = sizes[device];
  const scale = available > 0 ? Math.min(1, available / size.width) : 1;
  const problems =
    loaded.state === 'invalid'
      ? loaded.problems
      : drawn && 'problems' in drawn && drawn.problems.length > 0
        ? drawn.problems
        : null;
  const failed =
    loaded.state === 'failed' ? loaded.message : drawn && 'failed' in drawn ? drawn.failed : null;
  const showing = problems === null && failed === null && loaded.state === 'ready';

  return (
    <section class="widget-preview" aria-label={label} ref={section}>
      <div class="widget-preview-tools">
        <fieldset>
          <legend class="visually-hidden">Colours</legend>
          {(['light', 'dark'] as const).map((m) => (
            <button type="button" key={m} aria-pressed={mode === m} onClick={() => setMode(m)}>
              {m === 'light' ? 'Light' : 'Dark'}
            </button>
          ))}
        </fieldset>
        <fieldset>
          <legend class="visually-hidden">Width</legend>
          {(['desktop', 'phone'] as const).map((d) => (
            <button type="button" key={d} aria-pressed={device === d} onClick={() => setDevice(d)}>
              {d === 'desktop' ? 'Desktop' : 'Phone'}
            </button>
          ))}
        </fieldset>
        <label>
          Language{' '}
          <select
            value={locale}
            disabled={locales.length < 2}
            onChange={(e) => setPicked(e.currentTarget.value)}
          >
            {(locales.length ? locales : [locale]).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setRun((n) => n + 1)} disabled={!showing}>
          Replay
        </button>
      </div>
      {kind === 'spotlight' && (
        <p class="sub">
          Steps point at placeholder blocks: the preview has no page of your app to find their targets on.
        </p>
      )}
      {loaded.state === 'loading' && (
        <p class="state" role="status">
          <span class="spinner" aria-hidden="true" /> Drawing the preview…
        </p>
      )}
      {problems && (
        <div class="state" role="status">
          <p>Fix the errors to see the preview.</p>
          {problems.length > 0 && (
            <ul>
              {problems.slice(0, 5).map((p) => (
                <li key={p}>
                  <code>{p}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {failed && (
        <p class="state error" role="alert">
          {failed}
        </p>
      )}
      <div
        class="widget-preview-stage"
        hidden={!showing}
        style={{ width: `${size.width * scale}px`, height: `${size.height * scale}px` }}
      >
        <iframe
          key={run}
          ref={frame}
          title={`${label}: ${kind}, ${mode}, ${device}, ${locale}`}
          srcdoc={srcdoc}
          // Scripts of our own origin; no popups, no top navigation, no forms.
          sandbox="allow-scripts allow-same-origin"
          onLoad={() => setLoadedRun(run)}
          style={{
            width: `${size.width}px`,
            height: `${size.height}px`,
            transform: `scale(${scale})`,
          }}
        />
      </div>
    </section>
  );
}
