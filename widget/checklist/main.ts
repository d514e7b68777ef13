import { h, render } from 'preact';
import { createShadowHost, type ShadowHost } from '../shadow-root.ts';
import type { View, ViewHost, ViewState } from '../view-loader.ts';
import { type OpenRequest, Root } from './app.tsx';
import { css } from './styles.ts';

/**
 * Entry of the UI chunk (dist/widget/checklist-<hash>.js), an ES module the core script imports
 * once it has a checklist to show (see widget/view-loader.ts). Preact renders into the widget's
 * shadow root, created on the first update.
 *
 * @example
 * const view = (await import(chunkUrl)).mount(host)
 * view.update({ theme, checklists, locale: 'fr', user: 'u_42' })
 */
export function mount(host: ViewHost): View {
  let shadow: ShadowHost | undefined;
  let state: ViewState | undefined;
  let request: OpenRequest = { n: 0 };

  const draw = () => {
    if (!state) return;
    shadow ??= createShadowHost(css);
    shadow.reattach();
    const documentDir = document.documentElement.getAttribute('dir') ?? '';
    render(h(Root, { host, state, request, documentDir }), shadow.container);
  };

  return {
    update(next) {
      state = next;
      draw();
    },
    open(checklistId) {
      request = { checklistId, n: request.n + 1 };
      draw();
    },
  };
}
