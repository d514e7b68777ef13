import type { DeliveredSurvey } from '../../shared/schemas/content.ts';
import type { maxCommentLength, NpsGroup } from '../../shared/schemas/survey.ts';
import type { Mode } from '../../shared/schemas/theme.ts';
import type { WidgetStrings } from '../../shared/widget-strings.ts';
import { CloseButton } from '../view/close-button.tsx';
import { themed } from '../view/surface.ts';

/** What the user can do; widget/survey/view.ts handles it. */
export interface SurveyHandlers {
  /**
   * A score picked by a click, Space or Enter, or reached with the arrow keys (`byKey`: focus
   * follows the choice, and the score is not settled yet).
   */
  pick(score: number, byKey: boolean): void;
  /** Focus moved on from the scale to the comment or its button: the score reached is settled. */
  moveOn(): void;
  input(comment: string): void;
  submit(): void;
  close(): void;
  /** Any key inside the prompt (Escape closes it). */
  keyDown(event: KeyboardEvent): void;
  /** Focus moved into the prompt, from `event.relatedTarget`. */
  focusIn(event: FocusEvent): void;
}

/** What the prompt shows of one display of a survey; widget/survey/view.ts keeps it. */
export interface SurveyState {
  survey: DeliveredSurvey;
  /** Drawn now (it holds the screen); otherwise only the live region is there. */
  visible?: boolean;
  score?: number;
  comment: string;
  thanked?: boolean;
}

export interface SurveyAppProps {
  /** The display drawn (its survey's theme applies). */
  state: SurveyState;
  t: WidgetStrings;
  dir: 'ltr' | 'rtl';
  /** The host page's choice of light or dark (`waymark.theme()`), over the survey's theme. */
  mode: Mode | undefined;
  /** What the polite live region says. */
  announcement: string;
  on: SurveyHandlers;
}

/** Ids, unique within the shadow root. */
export const questionId = 'wm-nps-q';
export const commentId = 'wm-nps-comment';
const scores = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/** shared/schemas/survey.ts's limit, pinned by its literal type (importing the value would bundle zod). */
const maxComment: typeof maxCommentLength = 2000;
/** shared/schemas/survey.ts's npsGroupOf, for the same reason: promoters 9-10, passives 7-8. */
export const groupOf = (score: number): NpsGroup =>
  score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';

/**
 * The NPS prompt: a labelled region (not a dialog: it appears by itself and leaves focus where the
 * user is; the live region says it is there), with the question, a 0-10 radio group, then the
 * follow-up question of the score's group and a comment, then the thank-you. The live region is
 * drawn before the prompt appears, so that screen readers take note of its change. Content is text.
 */
export function SurveyApp(props: SurveyAppProps) {
  const { state, t, dir, mode, announcement, on } = props;
  const { survey } = state;
  return (
    <div class="root" dir={dir} {...themed(survey.theme, mode)}>
      <div class="sr" role="status" aria-live="polite">
        {announcement}
      </div>
      {state.visible && (
        <section
          class="survey"
          aria-label={t.survey}
          data-position={survey.position}
          lang={survey.locale || undefined}
          onKeyDown={on.keyDown}
          onFocusIn={on.focusIn}
        >
          <div class="top">
            {state.thanked ? (
              <p class="q thanks" tabIndex={-1}>
                {survey.thankYou || t.thanks}
              </p>
            ) : (
              <p class="q" id={questionId}>
                {survey.question}
              </p>
            )}
            <CloseButton label={t.close} onClick={on.close} />
          </div>
          {!state.thanked && <Ask {...props} />}
        </section>
      )}
    </div>
  );
}

type AskProps = Pick<SurveyAppProps, 'state' | 't' | 'dir' | 'on'>;

/**
 * The scale of the question (the `.q` above it), an ARIA radio group (WAI-ARIA APG): one tab stop (the checked radio,
 * else the first), arrow keys move and check (Left and Right follow the reading direction), Home and
 * End check 0 and 10; a click, Space or Enter picks. The end labels are drawn under the scale and
 * named in the end radios.
 */
function Ask({ state, t, dir, on }: AskProps) {
  const { survey, score } = state;
  const keyDown = (event: KeyboardEvent) => {
    const ahead = dir === 'rtl' ? -1 : 1;
    const moves: Record<string, number> = { ArrowRight: ahead, ArrowLeft: -ahead, ArrowDown: 1, ArrowUp: -1 };
    const move = moves[event.key];
    // Nothing picked yet, the first radio has focus: the first arrow moves from it, and wraps.
    const next =
      event.key === 'Home' ? 0 : event.key === 'End' ? 10 : move && ((score ?? 0) + move + 11) % 11;
    if (next === undefined) return;
    event.preventDefault();
    on.pick(next, true);
  };
  const group = score === undefined ? undefined : groupOf(score);
  return (
    <>
      <div class="scale" role="radiogroup" aria-labelledby={questionId} onKeyDown={keyDown}>
        {scores.map((n) => (
          // biome-ignore lint/a11y/useSemanticElements: the APG radio group (one tab stop, arrows that pick, Home and End), which native radios are not alike in every browser
          <button
            key={n}
            type="button"
            role="radio"
            aria-checked={score === n}
            aria-label={n === 0 ? `0, ${survey.lowLabel}` : n === 10 ? `10, ${survey.highLabel}` : undefined}
            tabIndex={n === (score ?? 0) ? 0 : -1}
            onClick={() => on.pick(n, false)}
          >
            {n}
          </button>
        ))}
      </div>
      <div class="ends" aria-hidden="true">
        <span>{survey.lowLabel}</span>
        <span>{survey.highLabel}</span>
      </div>
      {group && (
        <form
          class="more"
          onFocusIn={on.moveOn}
          onSubmit={(event) => {
            event.preventDefault();
            on.submit();
          }}
        >
          <label for={commentId}>{survey.followUp[group]}</label>
          <textarea
            id={commentId}
            rows={3}
            maxLength={maxComment}
            value={state.comment}
            onInput={(event) => on.input(event.currentTarget.value)}
          />
          <button type="submit" class="send">
            {t.submit}
          </button>
        </form>
      )}
    </>
  );
}
