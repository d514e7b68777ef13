import { z } from 'zod';
import { healthModel, measureIds } from './health-model.ts';

/**
 * The answers of the admin API's account-health routes (README, "Account health"): what the console
 * reads, and what `/openapi.json` documents.
 */

const band = z.enum(['red', 'yellow', 'green', 'insufficient']);
const measure = z.enum(measureIds);
/** A raw measured value: a number, a payment status, or null when there is no data. */
const raw = z.union([z.number(), z.string()]).nullable();

/** `GET /v1/admin/health/model` and each of `/versions`: version 0 is the shipped default. */
export const healthModelVersion = z.object({
  version: z.number().int(),
  model: healthModel,
  createdAt: z.string().nullable(),
});

/** One account's newest snapshot, as the portfolio lists it. */
const portfolioRow = z.object({
  accountId: z.string(),
  name: z.string().nullable(),
  day: z.string(),
  score: z.number().nullable(),
  band,
  coverage: z.number(),
  /** Points against the snapshot 7 (30) days before; null without one. */
  trend7: z.number().nullable(),
  trend30: z.number().nullable(),
  arr: z.number().nullable(),
  renewalDate: z.string().nullable(),
  stage: z.string(),
  segment: z.string().nullable(),
  topDriver: z.string().nullable(),
  modelVersion: z.number().int(),
});

/** `GET /v1/admin/health/accounts`: `next` is the offset of the page after, null on the last. */
export const portfolioPage = z.object({
  accounts: z.array(portfolioRow),
  total: z.number().int(),
  next: z.number().int().nullable(),
});

/** A measure's part in a score, in points and in words. */
const driver = z.object({
  measure,
  group: z.string(),
  impact: z.number(),
  score: z.number().nullable(),
  text: z.string(),
});

/** The account's score against the snapshot of 7 (30) days before: what moved it. */
const against = z
  .object({
    day: z.string(),
    score: z.number().nullable(),
    band,
    change: z.number().nullable(),
    changes: z.array(z.object({ measure: z.string(), points: z.number(), text: z.string() })),
  })
  .nullable();

/** `GET /v1/admin/health/accounts/{id}` */
export const accountHealthDetail = z.object({
  accountId: z.string(),
  traits: z.record(z.string(), z.unknown()),
  day: z.string(),
  score: z.number().nullable(),
  band,
  coverage: z.number(),
  profile: z.enum(['default', 'onboarding']),
  stage: z.string(),
  segment: z.string().nullable(),
  modelVersion: z.number().int(),
  /** The critical measure that capped the band, if any. */
  cappedBy: z.string().nullable(),
  groups: z.array(
    z.object({ key: z.string(), label: z.string(), score: z.number().nullable(), weight: z.number() }),
  ),
  measures: z.array(
    z.object({
      measure,
      group: z.string(),
      raw,
      score: z.number().nullable(),
      hasData: z.boolean(),
      weight: z.number(),
      impact: z.number(),
    }),
  ),
  /** What the measures were computed from (README, "Account health"). */
  facts: z.object({
    ageDays: z.number(),
    seats: z.number().nullable(),
    activeUsers: z.number().int(),
    previousActiveUsers: z.number().int(),
    arr: z.number().nullable(),
    renewalDate: z.string().nullable(),
    featuresUsed: z.array(z.string()),
    milestonesReached: z.number().int(),
    milestonesTotal: z.number().int(),
    npsResponses: z.number().int(),
    bestNpsScore: z.number().nullable(),
    advocacy: z.enum(['champion', 'happy', 'satisfied']).nullable(),
  }),
  drivers: z.array(driver),
  against7: against,
  against30: against,
  history: z.array(z.object({ day: z.string(), score: z.number().nullable(), band })),
});

const mover = z.object({
  accountId: z.string(),
  score: z.number().nullable(),
  band,
  trend7: z.number().nullable(),
  topDriver: z.string().nullable(),
});

/** `GET /v1/admin/health/distribution`: accounts and ARR per band, the week's biggest movers. */
export const healthDistribution = z.object({
  bands: z.array(z.object({ band, accounts: z.number().int(), arr: z.number() })),
  movers: z.object({ falling: z.array(mover), rising: z.array(mover) }),
});

/** `GET /v1/admin/alerts`: newest first; `next` is the cursor of the page after. */
export const alertPage = z.object({
  alerts: z.array(
    z.object({
      id: z.string(),
      accountId: z.string(),
      rule: z.string(),
      day: z.string(),
      firedAt: z.string(),
      score: z.number().nullable(),
      previousScore: z.number().nullable(),
      band: z.string(),
      previousBand: z.string().nullable(),
      drivers: z.unknown(),
      text: z.string(),
    }),
  ),
  next: z.string().nullable(),
});

/** `POST /v1/admin/health/recompute`: the day written and how many accounts. */
export const recomputeResult = z.object({ day: z.string(), accounts: z.number().int() });
/** `POST /v1/admin/health/backfill`: how many days were written. */
export const backfillResult = z.object({ days: z.number().int() });
