import { z } from 'zod';

/** A share 0-1, null when its whole is 0 (nobody to divide by). */
const share = z.number().nullable();

/** The window of an adoption answer: whole UTC days ending with today's. */
const adoptionWindow = z.object({ days: z.number().int(), from: z.string(), to: z.string() });

/**
 * One UTC day of `GET /v1/admin/reports/adoption?include=series` (README, "Adoption"): the users
 * active that day (DAU), in the 7 and 30 days ending it (WAU, MAU), and stickiness = DAU ÷ MAU.
 *
 * @example
 * { day: '2026-11-17', dau: 12, wau: 40, mau: 95, stickiness: 0.126 }
 */
export const adoptionDay = z.object({
  day: z.string(),
  dau: z.number().int(),
  wau: z.number().int(),
  mau: z.number().int(),
  stickiness: share,
});
export interface AdoptionSeries {
  window: z.infer<typeof adoptionWindow>;
  days: Array<z.infer<typeof adoptionDay>>;
}

/** One core feature's cell of an account's heatmap row. */
const featureCell = z.object({
  key: z.string(),
  /** Active members who used it under this account in the window; null while it cannot be counted. */
  users: z.number().int().nullable(),
  /** `users` ÷ the account's active users; null when none is active or it cannot be counted. */
  share,
});

/**
 * `GET /v1/admin/reports/adoption/accounts` (README, "Adoption"): core features by account, a page
 * of accounts with their active users in the window and, per core feature, how many of them used it.
 *
 * @example
 * { window: { days: 30, from: '2026-10-25', to: '2026-11-23' },
 *   features: [{ key: 'invoicing', name: 'Invoicing', known: true }],
 *   accounts: [{ accountId: 'acme', name: 'Acme', activeUsers: 4,
 *     features: [{ key: 'invoicing', users: 3, share: 0.75 }] }],
 *   total: 1, next: null }
 */
export const adoptionAccountsAnswer = z.object({
  window: adoptionWindow,
  /** The core features, in the cells' order; `known` is false while one's use cannot be counted (being rebuilt, or matching relative to now). */
  features: z.array(z.object({ key: z.string(), name: z.string(), known: z.boolean() })),
  accounts: z.array(
    z.object({
      accountId: z.string(),
      name: z.string().nullable(),
      activeUsers: z.number().int(),
      features: z.array(featureCell),
    }),
  ),
  /** Accounts matching the search. */
  total: z.number().int(),
  /** The offset of the next page, null on the last. */
  next: z.number().int().nullable(),
});
export type AdoptionAccounts = z.infer<typeof adoptionAccountsAnswer>;
