import { z } from 'zod';
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

const surveyText = z.object({
  question: text(300).min(1, 'must not be empty'),
  lowLabel: text(60).min(1, 'must not be empty'),
  highLabel: text(60).min(1, 'must not be empty'),
  /** The open question after the score, per group of the score just given. */
  followUp: z.object({
    detractor: text(300).min(1, 'must not be empty'),
    passive: text(300).min(1, 'must not be empty'),
    promoter: text(300).min(1, 'must not be empty'),
  }),
  thankYou: text(300).min(1, 'must not be empty'),
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
 * When a user may be asked. Defaults from ../shared/DOMAIN.md: first ask 30 days after the user's
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
    productName: text(80).min(1, 'must not be empty'),
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
    if (!content.question.includes('{product}') && !content.question.includes(content.productName))
      ctx.addIssue({
        code: 'custom',
        path: ['question'],
        message: 'should name the product: use {product} or the product name',
      });
  });
export type SurveyContent = z.infer<typeof surveyContent>;
export type SurveyContentInput = z.input<typeof surveyContent>;

/** A new survey's text in English: what an author starts from. */
export const defaultSurveyText = {
  question: 'How likely are you to recommend {product} to a friend or colleague?',
  lowLabel: 'Not at all likely',
  highLabel: 'Extremely likely',
  followUp: {
    detractor: 'What is the main reason for your score? What could we do better?',
    passive: 'What is the main reason for your score? What would make it a 10?',
    promoter: 'What is the main reason for your score? What do you like most?',
  },
  thankYou: 'Thank you for your feedback!',
} satisfies z.input<typeof surveyText>;

export const surveyDraftInput = draftInput(surveyContent);
export type SurveyDraftInput = z.input<typeof surveyDraftInput>;
export const surveyRecord = contentRecord(surveyContent);
export type SurveyRecord = ContentRecord<SurveyContent>;
export const surveyVersion = contentVersion(surveyContent);
export type SurveyVersion = ContentVersion<SurveyContent>;
