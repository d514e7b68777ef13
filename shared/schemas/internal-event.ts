import { z } from 'zod';
import { storedText } from './stored-text.ts';
import { maxCommentLength } from './survey.ts';

/**
 * The widget's own interactions, recorded through the same pipeline as the host app's events.
 * Their names start with a prefix that `waymark.track()` refuses and the server accepts only with
 * the properties below, so a customer's events can never be mistaken for them.
 */
export const internalPrefix = '$waymark.';

/**
 * The server reads these properties back one by one with SQLite's json_extract, which cuts text at
 * NUL and turns an unpaired surrogate into bytes that are not UTF-8 (on which libSQL's client aborts
 * the process): every text property refuses both (storedText).
 */
const ref = storedText(z.string().min(1).max(64));
const contentRef = {
  contentId: ref,
  version: z.number().int().min(1),
};
const itemRef = { ...contentRef, itemId: ref };
const stepRef = { ...contentRef, stepId: ref };

export const internalEvents = {
  checklist_shown: z.object(contentRef),
  checklist_opened: z.object(contentRef),
  checklist_closed: z.object(contentRef),
  checklist_item_clicked: z.object(itemRef),
  /** The user ticked an item whose completion rule is `manual`. */
  checklist_item_checked: z.object(itemRef),
  checklist_completed: z.object(contentRef),
  checklist_dismissed: z.object(contentRef),
  survey_shown: z.object(contentRef),
  /** Closed before giving a score; closing after one is not a dismissal. */
  survey_dismissed: z.object(contentRef),
  /**
   * A score, sent the moment it is picked, and again with the comment: both carry the same
   * `responseId` (made by the widget), so they are one response however often they arrive.
   */
  survey_answered: z.object({
    ...contentRef,
    responseId: z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -'),
    score: z.number().int('must be a whole number').min(0, 'must be 0 to 10').max(10, 'must be 0 to 10'),
    comment: storedText(
      z.string().trim().max(maxCommentLength, `must be at most ${maxCommentLength} characters`),
    ).optional(),
  }),
  /** A spotlight or tour started: its first step shown (a resumed tour does not send it again). */
  spotlight_shown: z.object(contentRef),
  spotlight_step_viewed: z.object({ ...stepRef, stepIndex: z.number().int().min(0).max(19) }),
  /**
   * The user moved to a step (Next, Back, a click on the target, a skip past a missing one) before
   * it shows, perhaps on another page: where a tour resumes, not a view (the funnel ignores it).
   */
  spotlight_step_reached: z.object({ ...stepRef, stepIndex: z.number().int().min(0).max(19) }),
  /** The last step was finished. */
  spotlight_completed: z.object(contentRef),
  spotlight_dismissed: z.object(stepRef),
  /** A step's target did not appear in time (or is hidden): what its author needs to fix it. */
  spotlight_target_not_found: z.object({
    ...stepRef,
    selector: storedText(z.string().max(500)),
    /** The page path (and query) where it was looked for. */
    url: storedText(z.string().max(2000)),
    /**
     * What the step did about it: waited on, was skipped, or (a target there but hidden, `whenHidden:
     * 'center'`) showed in the middle of the screen.
     */
    outcome: z.enum(['waiting', 'skipped', 'centered']),
  }),
} as const;
export type InternalEventName = keyof typeof internalEvents;

/** `$waymark.checklist_shown` for `checklist_shown`. */
export const internalEvent = (name: InternalEventName): string => `${internalPrefix}${name}`;
