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

/** A tour's or spotlight's progress for one user: the latest time of each thing they did with it. */
export const tourProgress = z.object({
  id: z.string(),
  name: z.string(),
  shownAt: z.string().nullable(),
  /** The step they last viewed, and when. */
  lastStep: z.string().nullable(),
  lastStepAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  dismissedAt: z.string().nullable(),
});

/**
 * `GET /v1/admin/users/{id}/overview`: a person's page (README, "Console"): traits, account,
 * milestones and time to value, checklist and tour progress, NPS answers, latest events.
 */
export const userOverview = z.object({
  user: userDetail,
  account: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  checklists: z.array(
    checklistProgress.extend({
      shownAt: z.string().nullable(),
      dismissedAt: z.string().nullable(),
    }),
  ),
  tours: z.array(tourProgress),
  responses: z.array(npsAnswer),
  events: z.array(recentEvent),
});
export type UserOverview = z.infer<typeof userOverview>;
