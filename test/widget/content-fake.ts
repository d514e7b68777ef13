import { type Mock, vi } from 'vitest';
import type { ContentResponse } from '../../shared/schemas/content.ts';
import type { View, ViewHost, ViewModule, ViewState } from '../../widget/view-loader.ts';
import { createWaymark, type Waymark, type WaymarkOptions } from '../../widget/waymark.ts';
import { response } from './checklist-fixture.ts';
import { type FakeEnv, fakeEnv, origin, type Reply, writeKey } from './fake-env.ts';

/**
 * The fake browser of fake-env.ts with a second fake endpoint: `POST /v1/content` answers from
 * `contentReplies` (the fixture response when empty) and records each request's parsed body;
 * `/v1/batch` stays fake-env's.
 */
export const contentUrl = `${origin}/v1/content`;

export interface ContentEnv extends FakeEnv {
  fetch: Mock<FakeEnv['fetch']>;
  contentRequests: Array<{ url: string; init: RequestInit; body: Record<string, unknown> }>;
  contentReplies: Reply[];
  /** Every message of every batch request, in order. */
  messages(): Array<Record<string, unknown>>;
}

export function answer(body: ContentResponse | unknown = response()): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

export function contentEnv(overrides: Parameters<typeof fakeEnv>[0] = {}): ContentEnv {
  const env = fakeEnv(overrides) as ContentEnv;
  const batchFetch = env.fetch;
  env.contentRequests = [];
  env.contentReplies = [];
  env.messages = () => env.requests.flatMap((request) => request.body.batch);
  env.fetch = vi.fn<FakeEnv['fetch']>(async (url, init) => {
    if (url !== contentUrl) return batchFetch(url, init);
    env.contentRequests.push({ url, init, body: JSON.parse(String(init.body)) });
    const reply = env.contentReplies.shift() ?? answer();
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply() : reply;
  });
  return env;
}

/** A stand-in for the UI chunk that records what the core tells it. */
export interface FakeView extends View {
  host?: ViewHost;
  updates: Array<ViewState | undefined>;
  calls: Array<[string, ...unknown[]]>;
  /** The last state, or undefined. */
  last(): ViewState | undefined;
}

export function fakeViewModule(): {
  module: ViewModule;
  view: FakeView;
  load: Mock<() => Promise<ViewModule>>;
} {
  const view: FakeView = {
    updates: [],
    calls: [],
    last: () => view.updates.at(-1),
    update(state) {
      view.updates.push(state);
    },
    observe(message) {
      view.calls.push(['observe', message]);
    },
    delivered(messageIds, delivery) {
      view.calls.push(['delivered', messageIds, delivery]);
    },
    open(checklistId) {
      view.calls.push(['open', checklistId]);
    },
  };
  const module: ViewModule = {
    mount(host) {
      view.host = host;
      return view;
    },
  };
  return { module, view, load: vi.fn<() => Promise<ViewModule>>(async () => module) };
}

/** The widget on a content env; `loadView` defaults to a fake view's loader. */
export function bootWith(env: ContentEnv, options: Partial<WaymarkOptions> = {}): Waymark {
  return createWaymark({ writeKey, apiOrigin: origin, env, loadView: fakeViewModule().load, ...options });
}
