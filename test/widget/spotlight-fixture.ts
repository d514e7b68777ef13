import { parseRichText } from '../../shared/rich-text.ts';
import type { ContentResponse, DeliveredSpotlight, DeliveredStep } from '../../shared/schemas/content.ts';
import { createSpotlightView, type SpotlightView } from '../../widget/spotlight/view.ts';
import { createStore } from '../../widget/storage.ts';
import { createScheduler, type Scheduler } from '../../widget/view/scheduler.ts';
import type { ViewState } from '../../widget/view-loader.ts';
import { response } from './checklist-fixture.ts';
import { type FakeHost, fakeHost } from './checklist-host.ts';
import { type FakeEnv, fakeEnv, prefix } from './fake-env.ts';

/**
 * Spotlights as the server delivers them, and the spotlight view mounted on a fake core with the
 * real scheduler. Host pages are built in happy-dom's document; `[data-tour="<step id>"]` is each
 * step's target unless a test says otherwise.
 */
/** A step; `title` and `body` as authors write them, parsed as the server does (shared/rich-text.ts). */
export function step(
  id: string,
  overrides: Partial<Omit<DeliveredStep, 'title' | 'body'> & { title: string; body: string }> = {},
): DeliveredStep {
  const { title = `Step ${id}`, body = `About **${id}**`, ...rest } = overrides;
  return {
    id,
    kind: 'tooltip',
    title: parseRichText(title),
    body: parseRichText(body),
    anchor: { selector: `[data-tour="${id}"]`, pierceShadow: true },
    placement: { side: 'bottom', align: 'center', offset: 10 },
    advance: 'next',
    whenMissing: 'wait',
    waitSeconds: 5,
    ...rest,
  };
}

export function spotlight(overrides: Partial<DeliveredSpotlight> = {}): DeliveredSpotlight {
  return {
    id: 'sp_tour',
    version: 2,
    locale: 'en',
    steps: [step('a'), step('b'), step('c')],
    trigger: { kind: 'page' },
    urls: [],
    excludeUrls: [],
    priority: 50,
    dismissible: true,
    resumeAt: null,
    preview: false,
    ...overrides,
  };
}

export function spotlightState(
  spotlights: DeliveredSpotlight[],
  overrides: Partial<ContentResponse> = {},
  user = 'u1',
): ViewState {
  return {
    response: { ...response(), checklists: [], spotlights, ...overrides },
    deliveredBefore: 0,
    locale: 'en',
    user,
  };
}

export interface Mounted {
  host: FakeHost;
  env: FakeEnv;
  scheduler: Scheduler;
  view: SpotlightView;
  /** What the view sent, as `[name, properties]`. */
  emitted: FakeHost['emitted'];
}

const mounted: SpotlightView[] = [];

/** Retires every view mounted by the test (no user: no runs, no watchers) and empties the page. */
export function unmountAll(): void {
  for (const view of mounted.splice(0)) view.update(undefined);
  for (const el of document.querySelectorAll('waymark-widget')) el.remove();
  document.body.innerHTML = '';
}

/** The view on a fake core; `env` (and its storage) may be one a previous mount used: a reload. */
export function mountSpotlights(env: FakeEnv = fakeEnv(), cooldownHours = 72): Mounted {
  const host = fakeHost(env);
  let user = 'u1';
  const scheduler = createScheduler({ env, store: createStore(() => env.localStorage), prefix }, () => ({
    user,
    cooldownHours,
  }));
  const view = createSpotlightView(host, { scheduler });
  mounted.push(view);
  const update = view.update;
  view.update = (state) => {
    user = state?.user ?? user;
    update(state);
  };
  return { host, env, scheduler, view, emitted: host.emitted };
}

/** The page: `html` in the body, and the fake location at `path`. */
export function page(env: FakeEnv, path: string, html: string): void {
  document.body.innerHTML = html;
  env.location = { ...env.location, path, search: '', url: `https://app.example.com${path}` };
}

/** Every spotlight layer's shadow root in the document. */
export function layers(): ShadowRoot[] {
  return [...document.querySelectorAll('waymark-widget')]
    .map((el) => el.shadowRoot)
    .filter((root): root is ShadowRoot => !!root);
}

export function $(selector: string): HTMLElement | null {
  for (const root of layers()) {
    const found = root.querySelector<HTMLElement>(selector);
    if (found) return found;
  }
  return null;
}

/** The tooltip or modal showing, if any. */
export const card = () => $('[role="dialog"]');
/** Its title, as text. */
export const title = () => card()?.querySelector('h2')?.textContent ?? null;
export const button = (name: string) =>
  [...(card()?.querySelectorAll('button') ?? [])].find(
    (b) => b.textContent === name || b.getAttribute('aria-label') === name,
  ) ?? null;
