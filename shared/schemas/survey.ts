import { z } from 'zod';
import { surveyDefaults } from '../widget-strings.ts';
import { audience } from './condition.ts';
import { themeOverrides } from './theme.ts';
import {
  type ContentRecord,
  type ContentVersion,
  contentRecord,
  contentVersion,
  draftInput,
  locale,
  text,
} from './versioned.ts';

/**
 * An NPS survey, as authored (a draft) and as published (an immutable version). `{product}` in the
 * question is replaced by `productName`. Text is shown as text, never as markup.
 */

/** Promoters 9-10, passives 7-8, detractors 0-6. */
export const npsGroups = ['detractor', 'passive', 'promoter'] as const;
export type NpsGroup = (typeof npsGroups)[number];
export const npsGroupOf = (score: number): NpsGroup =>
  score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';

/** The longest comment kept; longer ones are rejected, not cut. */
export const maxCommentLength = 2000;

/**
 * A survey's words. Each may be left out: the survey then shows Waymark's standard text
 * (shared/widget-strings.ts, `surveyDefaults`) in the language it is shown in.
 */
const surveyText = z.object({
  question: text(300).min(1, 'must not be empty').optional(),
  lowLabel: text(60).min(1, 'must not be empty').optional(),
  highLabel: text(60).min(1, 'must not be empty').optional(),
  /** The open question after the score, per group of the score just given. */
  followUp: z
    .object({
      detractor: text(300).min(1, 'must not be empty').optional(),
      passive: text(300).min(1, 'must not be empty').optional(),
      promoter: text(300).min(1, 'must not be empty').optional(),
    })
    .default({}),
  thankYou: text(300).min(1, 'must not be empty').optional(),
});

const translation = z.object({
  question: text(300).optional(),
  lowLabel: text(60).optional(),
  highLabel: text(60).optional(),
  followUp: z
    .object({
      detractor: text(300).optional(),
      passive: text(300).optional(),
      promoter: text(300).optional(),
    })
    .default({}),
  thankYou: text(300).optional(),
});
export type SurveyTranslation = z.infer<typeof translation>;

/**
 * When a user may be asked. Defaults (README, "NPS surveys"): first ask 30 days after the user's
 * `createdAt`, again 90 days after a response or 30 after a dismissal.
 */
export const sampling = z.object({
  /** Days after the user's `createdAt` trait (else their first-seen time) before the first ask. */
  firstAskAfterDays: z.number().int().min(0).max(3650).default(30),
  askAgainAfterResponseDays: z.number().int().min(1).max(3650).default(90),
  askAgainAfterDismissDays: z.number().int().min(1).max(3650).default(30),
  /** Share of eligible users asked (0-1), drawn per user and 30-day cycle so it is stable on reload. */
  rate: z.number().min(0).max(1).default(1),
  /** Displays left unanswered (neither answered nor dismissed) before backing off like a dismissal. */
  maxUnansweredDisplays: z.number().int().min(1).max(20).default(3),
  /** Hours before an unanswered prompt is shown again. */
  redisplayAfterHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 90)
    .default(24),
  /** Seconds on the page before the prompt appears. */
  delaySeconds: z.number().int().min(0).max(600).default(3),
});
export type Sampling = z.infer<typeof sampling>;

export const surveyContent = z
  .object({
    /** What `{product}` stands for; left out, the workspace's name. */
    productName: text(80).min(1, 'must not be empty').optional(),
    ...surveyText.shape,
    position: z.enum(['bottom-right', 'bottom-left', 'bottom-bar']).default('bottom-right'),
    /** Overrides of the workspace theme for this survey. */
    theme: themeOverrides.default({}),
    audience: audience.default({ match: 'all', conditions: [], urls: [], excludeUrls: [] }),
    sampling: sampling.default(sampling.parse({})),
    /** Among surveys a user is eligible for, the highest priority is asked first. */
    priority: z.number().int().min(0).max(100).default(50),
    locale: locale.default('en'),
    translations: z.record(locale, translation).default({}),
  })
  .superRefine((content, ctx) => {
    const { question, productName } = content;
    if (
      question !== undefined &&
      !question.includes('{product}') &&
      !(productName !== undefined && question.includes(productName))
    )
      ctx.addIssue({
        code: 'custom',
        path: ['question'],
        message: 'should name the product: use {product} or the product name',
      });
  });
export type SurveyContent = z.infer<typeof surveyContent>;
export type SurveyContentInput = z.input<typeof surveyContent>;

/** A survey's text in English, as shown when its author writes none: what an author starts from. */
export const defaultSurveyText = surveyDefaults('en').text satisfies z.input<typeof surveyText>;

/** A survey needs nothing but a name: `{ "name": "NPS" }` is a draft that can be published. */
export const surveyDraftInput = draftInput(surveyContent.prefault({}));
export type SurveyDraftInput = z.input<typeof surveyDraftInput>;
export const surveyRecord = contentRecord(surveyContent);
export type SurveyRecord = ContentRecord<SurveyContent>;
export const surveyVersion = contentVersion(surveyContent);
export type SurveyVersion = ContentVersion<SurveyContent>;
