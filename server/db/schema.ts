import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { EventRule } from '../../shared/schemas/milestone.ts';
import { contentKinds } from '../../shared/schemas/versioned.ts';

/**
 * The storage model. Times are epoch milliseconds; trait and property bags are JSON text.
 * Every table but `workspaces` is keyed by workspace first: data never crosses tenants.
 */

/** A tenant: one customer's product, with its keys and ingestion settings. */
export const workspaces = sqliteTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Publishable key (`pk_...`): safe in a script tag, allows ingestion and content reads only. */
  publishableKey: text('publishable_key').notNull().unique(),
  /** SHA-256 (hex) of the secret key (`sk_...`); the key itself is shown once, at creation. */
  secretKeyHash: text('secret_key_hash').notNull().unique(),
  /** Origins allowed to call the public API from a browser, as JSON; `["*"]` allows any. */
  allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  /** `off`: signatures are checked and counted but not required; `enforce`: unsigned user messages are rejected. */
  identityVerification: text('identity_verification', { enum: ['off', 'enforce'] })
    .notNull()
    .default('off'),
  /** Current and previous identity secrets (two live at once for rotation), as JSON. */
  identitySecrets: text('identity_secrets', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  /** The widget's look (shared/schemas/theme.ts), as JSON; `{}` means the defaults. */
  theme: text('theme', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  /**
   * Bumped whenever the set of goals (milestones, published checklist rules) changes. Every ingest
   * commit checks it (revision_guard), so no server instance evaluates events with stale goals.
   */
  goalsRevision: integer('goals_revision').notNull().default(0),
  /** Hours between two prompts (surveys, spotlights) shown to one user, whatever their kind. */
  promptCooldownHours: integer('prompt_cooldown_hours').notNull().default(72),
  createdAt: integer('created_at').notNull(),
});

/** An end user of a customer's product, as identified by the customer's own user id. */
export const users = sqliteTable(
  'users',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    accountId: text('account_id'),
    traits: text('traits', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    /** Timestamp of the newest message whose traits were merged; older messages only fill gaps. */
    traitsAt: integer('traits_at').notNull().default(0),
    firstSeen: integer('first_seen').notNull(),
    lastSeen: integer('last_seen').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('users_account').on(t.workspaceId, t.accountId),
  ],
);

/** A customer's customer (a company, a team): Segment's "group". */
export const accounts = sqliteTable(
  'accounts',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    traits: text('traits', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    traitsAt: integer('traits_at').notNull().default(0),
    firstSeen: integer('first_seen').notNull(),
    lastSeen: integer('last_seen').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** How a message's user was vouched for: see identity verification in the README. */
export const identityStates = ['signed', 'unsigned', 'invalid', 'trusted'] as const;

/** Every accepted message, once: `(workspace_id, message_id)` is the exactly-once key. */
export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id').notNull(),
    messageId: text('message_id').notNull(),
    type: text('type', { enum: ['identify', 'track', 'page', 'screen', 'group'] }).notNull(),
    /** `event` of a track, `name` of a page or screen, null otherwise. */
    name: text('name'),
    userId: text('user_id'),
    anonymousId: text('anonymous_id'),
    accountId: text('account_id'),
    /** Client time corrected for clock skew: receivedAt - (sentAt - timestamp). */
    timestamp: integer('timestamp').notNull(),
    receivedAt: integer('received_at').notNull(),
    properties: text('properties'),
    traits: text('traits'),
    context: text('context'),
    /** null for anonymous messages. */
    identity: text('identity', { enum: identityStates }),
  },
  (t) => [
    uniqueIndex('events_message').on(t.workspaceId, t.messageId),
    index('events_user_time').on(t.workspaceId, t.userId, t.timestamp),
    index('events_account_time').on(t.workspaceId, t.accountId, t.timestamp),
    index('events_name_time').on(t.workspaceId, t.name, t.timestamp),
  ],
);

/**
 * A write that must not commit when the goals it was built from are stale: inserting `ok = 0` fails
 * the CHECK and rolls back the whole batch (see server/goals/catalog.ts). Never holds more than one row.
 */
export const revisionGuard = sqliteTable(
  'revision_guard',
  { id: integer('id').primaryKey(), ok: integer('ok').notNull() },
  (t) => [check('revision_guard_ok', sql`${t.ok} = 1`)],
);

/** A named adoption milestone (shared/schemas/milestone.ts); `rule` is its event rule as JSON. */
export const milestones = sqliteTable(
  'milestones',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    rule: text('rule', { mode: 'json' }).$type<EventRule>().notNull(),
    isValue: integer('is_value', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('milestones_key').on(t.workspaceId, t.key),
  ],
);

/**
 * Authored content of every kind (checklists, surveys): its editable draft, and which immutable
 * version end users see. The draft's shape depends on `kind` (shared/schemas/<kind>.ts).
 */
export const contents = sqliteTable(
  'contents',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    kind: text('kind', { enum: contentKinds }).notNull(),
    name: text('name').notNull(),
    status: text('status', { enum: ['active', 'archived'] })
      .notNull()
      .default('active'),
    draft: text('draft', { mode: 'json' }).$type<unknown>().notNull(),
    draftUpdatedAt: integer('draft_updated_at').notNull(),
    publishedVersion: integer('published_version'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('contents_kind').on(t.workspaceId, t.kind)],
);

/** Published versions: written once, never updated. */
export const contentVersions = sqliteTable(
  'content_versions',
  {
    workspaceId: text('workspace_id').notNull(),
    contentId: text('content_id').notNull(),
    version: integer('version').notNull(),
    content: text('content', { mode: 'json' }).$type<unknown>().notNull(),
    publishedAt: integer('published_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.contentId, t.version] })],
);

/**
 * NPS responses, projected from `$waymark.survey_answered` events in the commit that stores them:
 * one row per response id (the score, then the comment, update the same row), so a retried or
 * offline answer counts once. `respondedAt` is when the score was first given.
 */
export const surveyResponses = sqliteTable(
  'survey_responses',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    surveyId: text('survey_id').notNull(),
    version: integer('version').notNull(),
    userId: text('user_id').notNull(),
    accountId: text('account_id'),
    score: integer('score').notNull(),
    comment: text('comment'),
    respondedAt: integer('responded_at').notNull(),
    /** Timestamp of the event the score and comment come from (the latest wins). */
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('survey_responses_survey').on(t.workspaceId, t.surveyId, t.respondedAt),
    index('survey_responses_user').on(t.workspaceId, t.userId),
  ],
);

/**
 * When a user, or an account, first met a goal: a milestone (`milestone:<id>`) or a checklist item
 * (`item:<checklistId>:<itemId>`). Evaluated as events arrive, in the same commit (server/goals/).
 */
export const goalProgress = sqliteTable(
  'goal_progress',
  {
    workspaceId: text('workspace_id').notNull(),
    goal: text('goal').notNull(),
    subject: text('subject', { enum: ['user', 'account'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    reachedAt: integer('reached_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.goal, t.subject, t.subjectId] }),
    index('goal_progress_subject').on(t.workspaceId, t.subject, t.subjectId),
  ],
);

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type IdentityState = (typeof identityStates)[number];
export type MilestoneRow = typeof milestones.$inferSelect;
export type ContentRow = typeof contents.$inferSelect;
export type SurveyResponseRow = typeof surveyResponses.$inferSelect;
