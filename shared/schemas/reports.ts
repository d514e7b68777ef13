import { z } from 'zod';
import { adoptionDay } from './adoption.ts';
import { npsGroups } from './survey.ts';

/**
 * The answers of the admin API's reports (README, "Onboarding", "NPS surveys", "Adoption"): what the
 * console reads, and what `/openapi.json` documents.
 */

/** A count over a number of people; null when there is nobody to count over. */
const share = z.number().nullable();

/** `GET /v1/admin/checklists/{id}/funnel`: per published version. */
export const checklistFunnels = z.object({
  funnels: z.array(
    z.object({
      checklistId: z.string(),
      version: z.number().int(),
      shown: z.number().int(),
      started: z.number().int(),
      items: z.array(
        z.object({ id: z.string(), title: z.string(), required: z.boolean(), completed: z.number().int() }),
      ),
      completed: z.number().int(),
      dismissed: z.number().int(),
      medianDaysToComplete: z.number().nullable(),
    }),
  ),
});

/** `GET /v1/admin/spotlights/{id}/funnel`: per published version. */
export const spotlightFunnels = z.object({
  funnels: z.array(
    z.object({
      spotlightId: z.string(),
      version: z.number().int(),
      shown: z.number().int(),
      steps: z.array(
        z.object({
          id: z.string(),
          index: z.number().int(),
          title: z.string(),
          viewed: z.number().int(),
          dismissedHere: z.number().int(),
        }),
      ),
      completed: z.number().int(),
      dismissed: z.number().int(),
      completionRate: share,
      /** Anchors the widget could not find, per step, selector and page. */
      targetNotFound: z.array(
        z.object({
          lastAt: z.string(),
          stepId: z.string(),
          selector: z.string(),
          url: z.string(),
          events: z.number().int(),
          users: z.number().int(),
        }),
      ),
    }),
  ),
});

const reachedBy = z.object({ eligible: z.number().int(), reached: z.number().int(), share });
const ttvSummary = z.object({
  subjects: z.number().int(),
  reached: z.number().int(),
  neverReached: z.number().int(),
  medianDays: z.number().nullable(),
  p90Days: z.number().nullable(),
  reachedBy: z.object({ day7: reachedBy, day14: reachedBy, day30: reachedBy }),
});

/** `GET /v1/admin/reports/time-to-value` */
export const timeToValueReport = z.object({
  milestone: z.object({ id: z.string(), key: z.string(), name: z.string() }),
  subject: z.enum(['user', 'account']),
  overall: ttvSummary,
  cohorts: z.array(ttvSummary.extend({ cohort: z.string() })).optional(),
  segments: z.array(ttvSummary.extend({ value: z.unknown() })).optional(),
});

/** NPS over a set of responses, each person once (README, "NPS surveys"). */
const npsSummary = z.object({
  responses: z.number().int(),
  promoters: z.number().int(),
  passives: z.number().int(),
  detractors: z.number().int(),
  shares: z.object({ promoters: share, passives: share, detractors: share }),
  nps: z.number().nullable(),
  marginOfError: z.number().nullable(),
  /** The 95% interval of the score. */
  interval: z.tuple([z.number(), z.number()]).nullable(),
  lowSample: z.boolean(),
  /** Responses per score, 0 to 10. */
  distribution: z.array(z.number().int()),
});

/** `GET /v1/admin/surveys/{id}/results` */
export const npsResultsReport = z.object({
  survey: z.object({ id: z.string(), name: z.string() }),
  period: z.object({ from: z.string(), to: z.string() }),
  interval: z.enum(['week', 'month']),
  summary: npsSummary,
  rates: z.object({
    responseRate: share,
    dismissalRate: share,
    displayRate: share,
    respondents: z.number().int(),
    displays: z.number().int(),
    usersShown: z.number().int(),
    dismissals: z.number().int(),
    usersDismissed: z.number().int(),
    activeUsers: z.number().int(),
  }),
  trend: z.array(npsSummary.extend({ bucket: z.string() })),
  segments: z.array(npsSummary.extend({ value: z.unknown(), label: z.string() })).optional(),
  accountCount: z.number().int(),
  accounts: z.array(npsSummary.extend({ accountId: z.string(), name: z.string().nullable() })),
});

/** One NPS response, with its comment. */
const verbatim = z.object({
  id: z.string(),
  surveyId: z.string(),
  version: z.number().int(),
  userId: z.string(),
  accountId: z.string().nullable(),
  score: z.number().int(),
  group: z.enum(npsGroups),
  comment: z.string().nullable(),
  respondedAt: z.string(),
});

/** `GET /v1/admin/surveys/{id}/responses`: newest first; `next` is the cursor of the page after. */
export const npsResponsePage = z.object({ responses: z.array(verbatim), next: z.string().nullable() });

/** `GET /v1/admin/nps/signals`: what account health reads of NPS. */
export const npsSignalsReport = z.object({
  since: z.string(),
  detractors: z.array(verbatim),
  accountDrops: z.array(
    z.object({
      accountId: z.string(),
      name: z.string().nullable(),
      current: z.object({ nps: z.number(), responses: z.number().int() }),
      previous: z.object({ nps: z.number(), responses: z.number().int() }),
      drop: z.number(),
    }),
  ),
});

/** `GET /v1/admin/reports/adoption` (README, "Adoption"). */
export const adoptionReportAnswer = z.object({
  window: z.object({ days: z.number().int(), from: z.string(), to: z.string() }),
  activeUsers: z.object({ dau: z.number().int(), wau: z.number().int(), mau: z.number().int() }),
  stickiness: share,
  activeDaysPerActiveUser: z.number().nullable(),
  frequency: z.array(z.object({ band: z.enum(['1-4', '5-12', '13+']), users: z.number().int() })),
  activeAccounts: z.number().int(),
  breadth: z.number().nullable(),
  features: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      users: z.number().int(),
      accounts: z.number().int(),
      adoptionRate: share,
      accountAdoptionRate: share,
      previousUsers: z.number().int(),
      depth: z.number().nullable(),
    }),
  ),
  /** With `include=series`: each day of the window, oldest first. */
  series: z.array(adoptionDay).optional(),
});
