import { act } from 'preact/test-utils';
import { type Mock, vi } from 'vitest';
import { createStore } from '../../widget/storage.ts';
import { mount } from '../../widget/view/main.ts';
import type { View, ViewHost, ViewState } from '../../widget/view-loader.ts';
import { response } from './checklist-fixture.ts';
import { type FakeEnv, fakeEnv, prefix } from './fake-env.ts';

/**
 * The UI chunk mounted on a fake core: `emitted` lists the internal events it sent, and the queries
 * below look inside its shadow root. Preact's `act` runs renders and effects before assertions.
 */
export interface FakeHost extends ViewHost {
  env: FakeEnv;
  emitted: Array<[string, Record<string, unknown>]>;
  logger: { on: boolean; log: Mock<(...details: unknown[]) => void> };
  callback: Mock<ViewHost['callback']>;
  refresh: Mock<ViewHost['refresh']>;
  flush: Mock<ViewHost['flush']>;
}

export function fakeHost(env: FakeEnv = fakeEnv()): FakeHost {
  const emitted: FakeHost['emitted'] = [];
  return {
    env,
    store: createStore(() => env.localStorage),
    logger: { on: false, log: vi.fn<(...details: unknown[]) => void>() },
    prefix,
    emitted,
    emit: vi.fn((name: string, properties: Record<string, unknown>) => {
      emitted.push([name, properties]);
      return `msg-${emitted.length}`;
    }) as unknown as ViewHost['emit'],
    callback: vi.fn<ViewHost['callback']>(),
    refresh: vi.fn<ViewHost['refresh']>(),
    flush: vi.fn<ViewHost['flush']>(),
  };
}

export function viewState(overrides: Partial<ViewState> = {}): ViewState {
  return { response: response(), deliveredBefore: 0, locale: 'en', user: 'u1', ...overrides };
}

/** Mounts the view and draws `state` (renders and effects done). */
export async function mountView(host: FakeHost, state: ViewState | undefined = viewState()): Promise<View> {
  let view!: View;
  await act(() => {
    view = mount(host);
    view.update(state);
  });
  return view;
}

/** Runs `fn` and lets Preact render and run effects. */
export async function run(fn: () => void): Promise<void> {
  await act(fn);
}

export function hosts(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('waymark-widget')];
}

export function shadow(): ShadowRoot {
  const [host] = hosts();
  if (!host?.shadowRoot) throw new Error('the widget has no shadow root on this page');
  return host.shadowRoot;
}

export function $<E extends Element = HTMLElement>(selector: string): E | null {
  return shadow().querySelector<E>(selector);
}

export function $$<E extends Element = HTMLElement>(selector: string): E[] {
  return [...shadow().querySelectorAll<E>(selector)];
}

export function launcher(): HTMLButtonElement | null {
  return $<HTMLButtonElement>('button.launcher');
}

export function panel(): HTMLElement | null {
  return $('[role="dialog"]');
}

/** The item's `<li>`, found by its title. */
export function itemNamed(title: string): HTMLLIElement {
  const li = $$<HTMLLIElement>('li').find((el) => el.querySelector('label')?.textContent?.startsWith(title));
  if (!li) throw new Error(`no item "${title}"`);
  return li;
}

export function press(target: Element, key: string): void {
  target.dispatchEvent(
    new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }),
  );
}

export function removeWidgets(): void {
  for (const host of hosts()) host.remove();
}
