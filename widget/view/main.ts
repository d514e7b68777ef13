// biome-ignore-all assist/source/organizeImports: the spotlights first: in this order the chunk gzips 0.1 KB smaller (README, "Size")
import { createSpotlightView } from '../spotlight/view.ts';
import { css as checklistCss } from '../checklist/styles.ts';
import { createView as createChecklistView } from '../checklist/view.ts';
import { css as surveyCss } from '../survey/styles.ts';
import { createSurveyView } from '../survey/view.ts';
import type { View, ViewHost, ViewState } from '../view-loader.ts';
import { createScheduler } from './scheduler.ts';
import { createSurface } from './surface.ts';

/** The stylesheet of the widget's shadow root: the checklist's (with the shared palette), then the survey's. */
export const css = checklistCss + surveyCss;

/**
 * Entry of the UI chunk (dist/widget/view-<hash>.js), the ES module the core script imports once
 * there is a checklist, a survey or a spotlight to show (see widget/view-loader.ts). The checklist
 * and the survey draw into one shadow root, created the first time one of them has something to
 * show; spotlights have a shadow root of their own, which follows a target into the top layer (a
 * modal dialog). All take turns on the screen through one scheduler (widget/view/scheduler.ts).
 * One chunk rather than a second one for spotlights: two gzip streams cost 0.9 KB more than one,
 * and every byte counts against the widget's 24 KB cap (README, "Size").
 *
 * @example
 * const view = (await import(chunkUrl)).mount(host)
 * view.update({ response, deliveredBefore: 0, locale: 'fr', user: 'u_42' })
 */
export function mount(host: ViewHost): View {
  let state: ViewState | undefined;
  const { cl, sv } = createSurface(css, ['cl', 'sv']);
  const scheduler = createScheduler(
    host,
    () => state && { user: state.user, cooldownHours: state.response.promptCooldownHours },
  );
  const spotlights = createSpotlightView(host, { scheduler });
  const checklist = createChecklistView(host, { region: cl, scheduler, spotlight: spotlights.start });
  const survey = createSurveyView(host, { region: sv, scheduler });
  return {
    update(next) {
      state = next;
      checklist.update(next);
      survey.update(next);
      spotlights.update(next);
      scheduler.update();
    },
    observe(message) {
      checklist.observe(message);
      spotlights.observe(message);
    },
    delivered: checklist.delivered,
    open: checklist.open,
  };
}
