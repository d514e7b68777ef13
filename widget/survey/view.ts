import { h } from 'preact';
import { matchesPage } from '../../shared/conditions.ts';
import type { DeliveredSurvey } from '../../shared/schemas/content.ts';
import { dayMs, hourMs } from '../../shared/time.ts';
import { format } from '../../shared/widget-strings.ts';
import { guardedThen, safeCall } from '../safe-call.ts';
import type { Kind } from '../view/kind.ts';
import { recall, remember } from '../view/memory.ts';
import type { Prompt, Scheduler } from '../view/scheduler.ts';
import { pageDirection, type Region } from '../view/surface.ts';
import type { ViewHost, ViewState } from '../view-loader.ts';
import { groupOf, SurveyApp, type SurveyHandlers, type SurveyState } from './prompt.tsx';
import { css } from './styles.ts';

/** NPS surveys: one prompt at a time (README, "NPS surveys"). */
export const survey: Kind = {
  name: 'survey',
  region: 'sv',
  css,
  create: (host, context) => createSurveyView(host, context),
};

/** How long the thank-you stays before the prompt closes by itself. */
export const thanksMs = 6000;
/** A survey's place among prompts waiting for the screen (surveys' default priority; checklists 100). */
const priority = 50;

/**
 * What this device saw of one user and one survey (epoch ms): the server applies the same rules,
 * but may not have the events yet, and the cached content response still offers the survey.
 */
interface Memory {
  shown?: number;
  answered?: number;
  dismissed?: number;
}

/**
 * One display of a survey on this page: from eligible (waiting for its delay and the screen) to
 * closed. `visible`: it holds the screen now (another prompt the user opened may have taken it).
 */
interface Display extends SurveyState {
  user: string;
  /** Made once per display: the score and the comment that follows are one response. */
  responseId: string;
  /** The score last sent as this display's response (the user settled on it). */
  sent?: number;
  prompt: Prompt;
  /** It appeared (`survey_shown` sent); from then on it stays until closed, whatever the server says. */
  shown?: boolean;
  /** The delay before it asks for the screen, then the thank-you's time. */
  timer?: unknown;
}

export interface SurveyView {
  /** New content, user or page (SPA navigation). */
  update(state: ViewState | undefined): void;
}

/**
 * The NPS prompt's state, one object per mount; Preact draws it (prompt.tsx) into its region of the
 * shadow root. The server delivers at most one survey the user is eligible for; this view shows it
 * `delaySeconds` after the page matches its URL rules, once the scheduler gives it the screen, unless
 * this device saw the user answer, dismiss or leave it unanswered too recently. Sends `survey_shown`,
 * `survey_answered` (at once on each settled score, again with the comment, one responseId) and
 * `survey_dismissed` (closed before a score).
 *
 * @example
 * const survey = createSurveyView(host, { region, scheduler })
 * survey.update({ response, deliveredBefore: 0, locale: 'en', user: 'u_42' })
 */
export function createSurveyView(
  host: ViewHost,
  { region, scheduler }: { region: Region; scheduler: Scheduler },
): SurveyView {
  const { env } = host;
  let state: ViewState | undefined;
  let display: Display | undefined;
  let announcement = '';
  let focus: string | undefined;
  /** Where focus was before it entered the prompt: where it goes back when the prompt closes. */
  let cameFrom: HTMLElement | undefined;
  const guard = <A extends unknown[]>(fn: (...args: A) => void) => safeCall(host.logger, fn);
  /** A handler: guarded, then the view redraws. */
  const then = guardedThen(host.logger, () => draw());

  const memoryKey = (user: string, survey: DeliveredSurvey) => `${host.prefix}:survey:${user}:${survey.id}`;
  const note = (d: Display, patch: Memory) => remember(host.store, memoryKey(d.user, d.survey), patch);
  /** Answered, dismissed or shown recently enough on this device not to be asked again yet. */
  const suppressed = (user: string, survey: DeliveredSurvey) => {
    const {
      answered = -Infinity,
      dismissed = -Infinity,
      shown = -Infinity,
    } = recall<Memory>(host.store, memoryKey(user, survey));
    return (
      env.now() <
      Math.max(
        answered + survey.askAgainAfterResponseDays * dayMs,
        dismissed + survey.askAgainAfterDismissDays * dayMs,
        shown + survey.redisplayAfterHours * hourMs,
      )
    );
  };
  const ref = (d: Display) => ({ contentId: d.survey.id, version: d.survey.version });

  const begin = (user: string, survey: DeliveredSurvey) => {
    const d: Display = {
      user,
      survey,
      responseId: env.uuid(),
      comment: '',
      prompt: {
        priority,
        cooldownId: survey.id,
        show: guard(() => show(d)),
        hide: guard(() => {
          d.visible = false;
          draw();
        }),
      },
    };
    display = d;
    d.timer = env.setTimeout(
      guard(() => scheduler.request(d.prompt)),
      survey.delaySeconds * 1000,
    );
  };

  /**
   * The scheduler gave it the screen: it appears (the first time: `survey_shown`, announced). Only
   * the current display can be given it: `end` withdraws a display's prompt.
   */
  const show = (d: Display) => {
    if (!d.shown) {
      // Another tab may have answered it while this one waited.
      if (suppressed(d.user, d.survey)) return end(d);
      d.shown = true;
      note(d, { shown: env.now() });
      host.emit('survey_shown', ref(d));
      announcement = format(state?.response.strings.appeared, { question: d.survey.question });
    }
    d.visible = true;
    draw();
  };

  /** Gone for this page: closed, thanked, another user, or a page its URL rules leave out. */
  const end = (d: Display) => {
    env.clearTimeout(d.timer);
    scheduler.release(d.prompt);
    if (display !== d) return;
    display = undefined;
    announcement = '';
    // Focus inside the prompt goes back where it came from rather than to the top of the page.
    if (region.root()?.activeElement?.closest('.survey') && cameFrom?.isConnected) cameFrom.focus();
    cameFrom = undefined;
    draw();
  };

  /**
   * The score the user settled on is their response: saved at once (stored, then sent now), so that
   * a user who picks a score and leaves has answered. Settled: picked by a click, Space or Enter;
   * kept while moving on to the comment; or chosen by arrows when the page goes away.
   */
  const settle = (d: Display) => {
    const score = d.score;
    if (score === undefined || d.sent === score) return;
    d.sent = score;
    note(d, { answered: env.now() });
    host.emit('survey_answered', { ...ref(d), responseId: d.responseId, score });
    host.flush();
  };

  /**
   * Closing before a score was settled is a dismissal (scores only passed with the arrow keys are
   * none); after one, the response stands and nothing is sent.
   */
  const close = (d: Display) => {
    if (d.sent === undefined) {
      note(d, { dismissed: env.now() });
      host.emit('survey_dismissed', ref(d));
    }
    end(d);
  };

  const handlers = (d: Display): SurveyHandlers => {
    return {
      pick: then((score: number, byKey: boolean) => {
        const before = d.score;
        d.score = score;
        // Arrow keys pass scores on the way to one: only a click, Space or Enter settles at once.
        if (byKey) focus = '[aria-checked="true"]';
        else settle(d);
        const group = groupOf(score);
        if (before === undefined || groupOf(before) !== group) announcement = d.survey.followUp[group];
      }),
      moveOn: guard(() => settle(d)),
      input(comment) {
        d.comment = comment;
      },
      submit: then(() => {
        const comment = d.comment.trim();
        if (comment && d.score !== undefined) {
          d.sent = d.score;
          note(d, { answered: env.now() });
          host.emit('survey_answered', { ...ref(d), responseId: d.responseId, score: d.score, comment });
          host.flush();
        } else settle(d);
        d.thanked = true;
        focus = '.thanks';
        d.timer = env.setTimeout(
          guard(() => end(d)),
          thanksMs,
        );
      }),
      close: then(() => close(d)),
      keyDown: then((event: KeyboardEvent) => {
        if (event.key !== 'Escape') return;
        event.stopPropagation(); // the Escape was for us, not for the host page's own dialogs
        close(d);
      }),
      focusIn(event) {
        const from = event.relatedTarget;
        if (from instanceof HTMLElement && !from.closest('.survey')) cameFrom = from;
      },
    };
  };

  const draw = () => {
    const d = display;
    region.draw(
      d && state
        ? h(SurveyApp, {
            state: d,
            t: state.response.strings,
            dir: pageDirection(d.survey.locale || state.locale),
            mode: state.mode,
            announcement,
            on: handlers(d),
          })
        : null,
      focus,
    );
    focus = undefined;
  };

  // Leaving the page settles on the score the arrow keys reached.
  env.listen(
    'window',
    'pagehide',
    guard(() => display && settle(display)),
  );

  return {
    update(next) {
      state = next;
      const { path = '/', search } = env.page();
      // Every server that delivered surveys sent them whole (content.ts gives older copies none).
      const offered = next?.response.surveys[0];
      const d = display;
      if (d) {
        // Once it appeared it stays (the server, told it was shown, stops offering it), but only here.
        const offeredStill = d.shown || offered?.id === d.survey.id;
        if (d.user !== next?.user || !offeredStill || !matchesPage(d.survey, path, search)) end(d);
        else if (!d.shown && offered) d.survey = offered;
      }
      if (
        !display &&
        next &&
        offered &&
        matchesPage(offered, path, search) &&
        !suppressed(next.user, offered)
      ) {
        begin(next.user, offered);
      }
      draw();
    },
  };
}
