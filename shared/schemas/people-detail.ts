import { z } from 'zod';
import { accountDetail, userDetail } from './people.ts';
import { npsGroups } from './survey.ts';

/** An NPS answer on a person's or account's page, with its survey's name. */
export const npsAnswer = z.object({
  id: z.string(),
  surveyId: z.string(),
  survey: z.string(),
  userId: z.string(),
  score: z.number().int(),
  group: z.enum(npsGroups),
  comment: z.string().nullable(),
  respondedAt: z.string(),
});

/** One of the latest events on a page: what happened, who, when (the full event is in `/events`). */
export const recentEvent = z.object({
  seq: z.number().int(),
  type: z.enum(['identify', 'track', 'page', 'screen', 'group']),
  name: z.string().nullable(),
  userId: z.string().nullable(),
  anonymousId: z.string().nullable(),
  accountId: z.string().nullable(),
  timestamp: z.string(),
});

/** A published checklist's items, each done or not for the user or account (README, "Console"). */
export const checklistProgress = z.object({
  id: z.string(),
  version: z.number().int(),
  title: z.string(),
  /** `account`: an item is done for everyone in the account once any member does it. */
  scope: z.enum(['user', 'account']),
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      required: z.boolean(),
      /** When it was first done, or null. */
      doneAt: z.string().nullable(),
    }),
  ),
  /** Required items done, and how many there are. */
  requiredDone: z.number().int(),
  requiredTotal: z.number().int(),
});

/**
 * `GET /v1/admin/accounts/{id}/overview`: what an account's page draws besides its health score
 * (README, "Console"): the account and its members, active users per day against seats, its use of
 * each core feature, each published checklist's progress, its members' NPS answers, its latest events.
 */
export const accountOverview = z.object({
  account: accountDetail,
  activity: z.object({
    /** The 126 UTC days (18 weeks) the score's history covers, ending today. */
    from: z.string(),
    to: z.string(),
    /** The `seats` trait now (traits have no history), or null when it is not a number. */
    seats: z.number().nullable(),
    days: z.array(
      z.object({
        day: z.string(),
        /** Current members active that day (any event). */
        active: z.number().int(),
        /** Current members active in the 30 days ending that day: what the score compares with seats. */
        active30: z.number().int(),
      }),
    ),
  }),
  features: z.object({
    /** The window of `used` and `usersInWindow`: whole UTC days ending today. */
    days: z.number().int(),
    from: z.string(),
    list: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        /**
         * False while the feature's rollup is rebuilt after a change to its events, or when a date
         * filter relative to now keeps it out of the rollup: then nothing below is known here.
         */
        known: z.boolean(),
        used: z.boolean(),
        /** First and last use by a current member, under this account, ever. */
        firstUse: z.string().nullable(),
        lastUse: z.string().nullable(),
        usersInWindow: z.number().int(),
        usersEver: z.number().int(),
      }),
    ),
  }),
  checklists: z.array(checklistProgress),
  responses: z.array(npsAnswer),
  events: z.array(recentEvent),
});
export type AccountOverview = z.infer<typeof accountOverview>;

/** Which events a page lists: the product's own (the default), or the widget's `$waymark.*` ones too. */
export const eventsShown = z.object({
  events: z.enum(['product', 'all']).default('product'),
});

/** A tour's or spotlight's version as one user went through it: the widget's events about it. */
export const tourProgress = z.object({
  id: z.string(),
  version: z.number().int(),
  name: z.string(),
  /** When it first started for them (its first step shown). */
  shownAt: z.string().nullable(),
  /** Each step of the version, in order, and when they first viewed it (null: never). */
  steps: z.array(z.object({ id: z.string(), title: z.string(), viewedAt: z.string().nullable() })),
  stepsViewed: z.number().int(),
  /** The step they viewed last, and when. */
  lastStep: z.object({ id: z.string(), title: z.string(), at: z.string() }).nullable(),
  /** When they finished its last step. */
  completedAt: z.string().nullable(),
  /** Their latest dismissal, at which step. */
  dismissed: z.object({ stepId: z.string(), stepTitle: z.string(), at: z.string() }).nullable(),
});

/**
 * `GET /v1/admin/users/{id}/overview`: a person's page (README, "Console"): traits, milestones and
 * time to value; their account with its health; each checklist and tour version they were shown and
 * how far they got; their NPS answers; their latest events (the product's own unless `events=all`).
 */
export const userOverview = z.object({
  user: userDetail,
  account: z
    .object({
      id: z.string(),
      name: z.string().nullable(),
      /** The account's current health (README, "Account health"), null until it is scored. */
      health: z.object({ score: z.number().nullable(), band: z.string() }).nullable(),
    })
    .nullable(),
  checklists: z.array(
    checklistProgress.extend({
      /** When this version was first shown to them. */
      shownAt: z.string(),
      /** Their first item done (or their account's, for an account-wide checklist). */
      startedAt: z.string().nullable(),
      /** When every required item was done (never before it was shown). */
      completedAt: z.string().nullable(),
      dismissedAt: z.string().nullable(),
    }),
  ),
  tours: z.array(tourProgress),
  responses: z.array(npsAnswer),
  events: z.array(recentEvent),
});
export type UserOverview = z.infer<typeof userOverview>;
