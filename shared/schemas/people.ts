import { z } from 'zod';

/** Traits as stored: whatever the last identify or group call (or CSV import) set. */
const traits = z.record(z.string(), z.unknown());

/** A user or an account as the admin API shows it. */
export const entity = z.object({
  id: z.string(),
  /** Users only: the account they belong to. */
  accountId: z.string().nullable().optional(),
  traits,
  firstSeen: z.string(),
  lastSeen: z.string(),
});

/** The milestones a user or account reached, and its time to first value (README, "Time to value"). */
const progress = {
  milestones: z.array(z.object({ key: z.string(), name: z.string(), reachedAt: z.string().nullable() })),
  timeToValue: z
    .object({ milestone: z.string(), reachedAt: z.string().nullable(), days: z.number().nullable() })
    .nullable(),
};

/** `GET /v1/admin/users/{id}` */
export const userDetail = entity.extend(progress);
/** `GET /v1/admin/accounts/{id}`: with its members. */
export const accountDetail = entity.extend({ ...progress, users: z.array(entity) });

const messageTypes = ['identify', 'track', 'page', 'screen', 'group'] as const;
const identityStates = ['signed', 'unsigned', 'invalid', 'trusted'] as const;

/** `GET /v1/admin/events`: stored events, newest first; `next` is the cursor of the page after. */
export const eventPage = z.object({
  events: z.array(
    z.object({
      seq: z.number().int(),
      messageId: z.string(),
      type: z.enum(messageTypes),
      name: z.string().nullable(),
      userId: z.string().nullable(),
      anonymousId: z.string().nullable(),
      accountId: z.string().nullable(),
      timestamp: z.string(),
      receivedAt: z.string(),
      properties: z.unknown(),
      traits: z.unknown(),
      context: z.unknown(),
      identity: z.enum(identityStates).nullable(),
    }),
  ),
  next: z.string().nullable(),
});

/** `GET /v1/admin/accounts`: in id order, with their health band when scored. */
export const accountPage = z.object({
  accounts: z.array(
    z.object({
      id: z.string(),
      name: z.string().nullable(),
      traits,
      firstSeen: z.string(),
      lastSeen: z.string(),
      health: z.object({ score: z.number().nullable(), band: z.string() }).nullable(),
    }),
  ),
  next: z.string().nullable(),
});
export type AccountPage = z.infer<typeof accountPage>;

/** `GET /v1/admin/users`: in id order. */
export const userPage = z.object({
  users: z.array(
    z.object({
      id: z.string(),
      accountId: z.string().nullable(),
      name: z.string().nullable(),
      email: z.string().nullable(),
      traits,
      firstSeen: z.string(),
      lastSeen: z.string(),
    }),
  ),
  next: z.string().nullable(),
});
export type UserPage = z.infer<typeof userPage>;

/** `POST /v1/admin/accounts/import`: valid rows applied, bad cells reported by line and column. */
export const accountImportResult = z.object({
  rows: z.number().int(),
  applied: z.number().int(),
  /** Accounts whose stored traits changed (a repeated import changes none). */
  changed: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), column: z.string(), detail: z.string() })),
});
