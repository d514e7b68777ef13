import { h, render } from 'preact';
import { createShadowHost, type ShadowHost } from '../shadow-root.ts';
import type { View, ViewHost } from '../view-loader.ts';
import { type OpenRequest, Root } from './app.tsx';
import { createController } from './controller.ts';
import { css } from './styles.ts';

/**
 * Entry of the UI chunk (dist/widget/checklist-<hash>.js), the ES module the core script imports
 * once there is a checklist to show (see widget/view-loader.ts). Preact renders into the widget's
 * shadow root, created the first time this page shows a checklist.
 *
 * @example
 * const view = (await import(chunkUrl)).mount(host)
 * view.update({ response, deliveredBefore: 0, locale: 'fr', user: 'u_42' })
 */
export function mount(host: ViewHost): View {
  let shadow: ShadowHost | undefined;
  let request: OpenRequest = { n: 0 };
  const controller = createController(host, () => draw());

  const draw = () => {
    const state = controller.state();
    const checklists = state ? controller.visible(host.env.page()) : [];
    if (!shadow && !checklists.length) return;
    shadow ??= createShadowHost(css);
    shadow.reattach();
    render(
      h(Root, {
        host,
        controller,
        checklists,
        theme: state?.response.theme,
        locale: state?.locale ?? '',
        user: state?.user ?? '',
        request,
        documentDir: document.documentElement.getAttribute('dir') ?? '',
      }),
      shadow.container,
    );
  };

  return {
    update(state) {
      controller.update(state);
      draw();
    },
    observe: (message) => controller.observe(message),
    delivered: (messageIds, delivery) => controller.delivered(messageIds, delivery),
    open(checklistId) {
      const shown = controller.reopen(host.env.page(), checklistId);
      if (!shown) return host.logger.log('open(): no such checklist on this page', checklistId);
      request = { checklistId: shown, n: request.n + 1 };
      draw();
    },
  };
}
