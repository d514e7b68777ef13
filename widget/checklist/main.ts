import type { View, ViewHost } from '../view-loader.ts';
import { createView } from './view.ts';

/**
 * Entry of the UI chunk (dist/widget/checklist-<hash>.js), the ES module the core script imports
 * once there is a checklist to show (see widget/view-loader.ts). It draws into the widget's shadow
 * root, created the first time a page shows a checklist.
 *
 * @example
 * const view = (await import(chunkUrl)).mount(host)
 * view.update({ response, deliveredBefore: 0, locale: 'fr', user: 'u_42' })
 */
export function mount(host: ViewHost): View {
  return createView(host);
}
