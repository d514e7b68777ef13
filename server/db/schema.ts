import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
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
   * Bumped whenever the set of goals (milestones, published checklist rules) or of core features
   * changes. Every ingest commit checks it (revision_guard), so no server instance evaluates or rolls
   * up events with stale definitions.
   */
  goalsRevision: integer('goals_revision').notNull().default(0),
  /**
   * Bumped whenever what end users may see changes (a publish, an archive): content delivery keeps
   * each workspace's published content parsed in memory and checks this one number per request.
   */
  contentRevision: integer('content_revision').notNull().default(0),
  /** Hours between two prompts (surveys, spotlights) shown to one user, whatever their kind. */
  promptCooldownHours: integer('prompt_cooldown_hours').notNull().default(72),
  createdAt: integer('created_at').notNull(),
});

/** The two kinds of API key: see `apiKeys`. */
export const keyKinds = ['publishable', 'secret'] as const;

/**
 * A workspace's API keys. Publishable keys (`pk_...`) are safe in a script tag and allow ingestion
 * and content reads only; secret keys (`sk_...`) allow everything and are stored only as their
 * SHA-256, shown once at creation. A rotation creates a new key and gives the previous ones an
 * expiry (an overlap, so that deployments can switch over); a revocation ends a key at once.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    workspaceId: text('workspace_id').notNull(),
    /** A public handle for lists and revocation (`key_...`), never the key itself. */
    id: text('id').notNull(),
    kind: text('kind', { enum: keyKinds }).notNull(),
    /** What a request's key is looked up by: the publishable key itself, or the secret key's SHA-256 (hex). */
    lookup: text('lookup').notNull(),
    /** Enough of the key to recognise it in a list (`pk_3f9a…`, `sk_…c41e`). */
    hint: text('hint').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Set by a rotation: the key keeps working until then. Null: no end. */
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex('api_keys_lookup').on(t.lookup)],
);

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
    // Search by name or email prefix (GET /v1/admin/users?search=), case-insensitive; the id makes a
    // page of matches in id order from the index alone.
    index('users_name').on(t.workspaceId, sql`lower(json_extract(${t.traits}, '$.name'))`, t.id),
    index('users_email').on(t.workspaceId, sql`lower(json_extract(${t.traits}, '$.email'))`, t.id),
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
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('accounts_name').on(t.workspaceId, sql`lower(json_extract(${t.traits}, '$.name'))`),
  ],
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
    /**
     * How the user's membership of the account the message names (a group call, `context.groupId`)
     * was vouched for; null when the message names no account.
     */
    accountIdentity: text('account_identity', { enum: identityStates }),
  },
  (t) => [
    uniqueIndex('events_message').on(t.workspaceId, t.messageId),
    index('events_user_time').on(t.workspaceId, t.userId, t.timestamp),
    index('events_account_time').on(t.workspaceId, t.accountId, t.timestamp),
    index('events_name_time').on(t.workspaceId, t.name, t.timestamp),
    // The admin events list, newest first without a filter (with one: the index of that filter).
    index('events_time').on(t.workspaceId, t.timestamp),
    // One subject's events of one name in time order (then seq: the rowid ends every index): what a
    // page view reads of its user's events (survey displays) and how the count-th event of
    // a goal is found at ingestion, as short range reads whatever the size of the workspace.
    index('events_user_name').on(t.workspaceId, t.userId, t.name, t.timestamp),
    index('events_account_name').on(t.workspaceId, t.accountId, t.name, t.timestamp),
  ],
);

/**
 * Identity-verification traffic per workspace: how many stored messages were signed, unsigned,
 * badly signed or trusted (sent with the secret key), for users (`identity`) and for the accounts
 * they name (`account_identity`). Kept by triggers on `events` (migration 0004), so it counts each
 * stored message once and is never a scan of history.
 */
export const identityTraffic = sqliteTable(
  'identity_traffic',
  {
    workspaceId: text('workspace_id').notNull(),
    subject: text('subject', { enum: ['user', 'account'] }).notNull(),
    state: text('state', { enum: identityStates }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.subject, t.state] })],
);

/**
 * Rate-limit counters that every server instance on this database sees: hits per bucket (a key or
 * a client address, per limit) in a fixed window starting at `window_start`.
 */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    bucket: text('bucket').notNull(),
    windowStart: integer('window_start').notNull(),
    hits: integer('hits').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] }), index('rate_limits_window').on(t.windowStart)],
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
    /**
     * `respondedAt` of the same person's next response to this survey (by time, then id; null on
     * their latest), kept by triggers (migration 0012): a response is the person's latest in a
     * period when it is in the period and its next one is not, a range read with no ranking.
     */
    nextAt: integer('next_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('survey_responses_survey').on(t.workspaceId, t.surveyId, t.respondedAt),
    index('survey_responses_user').on(t.workspaceId, t.userId),
    // Each person's latest response of a period, per score and account, from the index alone. Not
    // the user id: an index holding it would cover a page view's read of one user's responses,
    // which the planner would then walk over the whole workspace rather than use the user index.
    index('survey_responses_latest').on(
      t.workspaceId,
      t.surveyId,
      t.respondedAt,
      t.nextAt,
      t.score,
      t.accountId,
    ),
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

/** The health model's versions (shared/schemas/health-model.ts), as JSON; the newest is in force. */
export const healthModels = sqliteTable(
  'health_models',
  {
    workspaceId: text('workspace_id').notNull(),
    version: integer('version').notNull(),
    model: text('model', { mode: 'json' }).$type<unknown>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.version] })],
);

/** A core feature (shared/schemas/core-feature.ts); `events` is its list of proving events as JSON. */
export const coreFeatures = sqliteTable(
  'core_features',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    events: text('events', { mode: 'json' }).$type<unknown>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('core_features_key').on(t.workspaceId, t.key),
  ],
);

/**
 * One account's health on one day (UTC, `YYYY-MM-DD`): the score, its band and coverage, and every
 * measure's raw value and score (JSON), under the model version that produced it. Written by the daily
 * run (server/health/run.ts), again by a recompute or a backfill of that day.
 */
export const accountHealth = sqliteTable(
  'account_health',
  {
    workspaceId: text('workspace_id').notNull(),
    accountId: text('account_id').notNull(),
    day: text('day').notNull(),
    modelVersion: integer('model_version').notNull(),
    /** Null when the data covers under the model's minimum share of its weight. */
    score: integer('score'),
    band: text('band', { enum: ['red', 'yellow', 'green', 'insufficient'] }).notNull(),
    coverage: real('coverage').notNull(),
    profile: text('profile', { enum: ['default', 'onboarding'] }).notNull(),
    stage: text('stage').notNull(),
    segment: text('segment'),
    /** The whole explanation: measures, groups, cap (server/health/score.ts HealthScore, without totals). */
    detail: text('detail', { mode: 'json' }).$type<unknown>().notNull(),
    computedAt: integer('computed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.accountId, t.day] }),
    index('account_health_day').on(t.workspaceId, t.day, t.score),
  ],
);

/**
 * Each account's newest snapshot with what the portfolio sorts and filters by (score, band, trend
 * against 7 and 30 days before, ARR, renewal, stage, segment, top driver): one row per account,
 * replaced when a newer day's snapshot is written, so the portfolio reads one row per account.
 */
export const accountHealthCurrent = sqliteTable(
  'account_health_current',
  {
    workspaceId: text('workspace_id').notNull(),
    accountId: text('account_id').notNull(),
    day: text('day').notNull(),
    modelVersion: integer('model_version').notNull(),
    score: integer('score'),
    band: text('band', { enum: ['red', 'yellow', 'green', 'insufficient'] }).notNull(),
    coverage: real('coverage').notNull(),
    /** Score now minus score 7 (30) days before; null when either is missing. */
    trend7: integer('trend7'),
    trend30: integer('trend30'),
    stage: text('stage').notNull(),
    segment: text('segment'),
    arr: real('arr'),
    renewalDate: text('renewal_date'),
    topDriver: text('top_driver'),
    computedAt: integer('computed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.accountId] }),
    index('account_health_current_score').on(t.workspaceId, t.score),
    index('account_health_current_band').on(t.workspaceId, t.band, t.score),
  ],
);

/** A workspace's alert rules (shared/schemas/alert-rules.ts) as JSON; no row means the defaults. */
export const alertSettings = sqliteTable('alert_settings', {
  workspaceId: text('workspace_id').primaryKey(),
  rules: text('rules', { mode: 'json' }).$type<unknown>().notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * The alert inbox: one row per rule that fired for an account on a day (unique, so a re-run of the
 * day fires nothing twice), with the score and band before and after, and the drivers.
 */
export const alerts = sqliteTable(
  'alerts',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    accountId: text('account_id').notNull(),
    rule: text('rule').notNull(),
    day: text('day').notNull(),
    firedAt: integer('fired_at').notNull(),
    score: integer('score'),
    previousScore: integer('previous_score'),
    band: text('band').notNull(),
    previousBand: text('previous_band'),
    /** The top drivers at firing time, as JSON: measure, impact, text. */
    drivers: text('drivers', { mode: 'json' }).$type<unknown>().notNull(),
    /** One line in words, also the Slack-compatible `text` of its webhook. */
    text: text('text').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('alerts_once').on(t.workspaceId, t.accountId, t.rule, t.day),
    index('alerts_fired').on(t.workspaceId, t.firedAt),
  ],
);

/**
 * A workspace's health run for one day: claimed with a lease so that one server instance runs it
 * while several share the database; `cursor` is the last account written, so a crashed run resumes.
 */
export const healthRuns = sqliteTable(
  'health_runs',
  {
    workspaceId: text('workspace_id').notNull(),
    day: text('day').notNull(),
    status: text('status', { enum: ['running', 'done'] }).notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    cursor: text('cursor'),
    accounts: integer('accounts').notNull().default(0),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day] })],
);

/**
 * A workspace's webhook endpoints (server/webhooks/). `secrets` holds the signing secret in plain
 * text (it must sign every delivery), the current one first; after a rotation the previous one is
 * second and also signs until `previousSecretExpiresAt`. `eventTypes` null: every event type.
 */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    workspaceId: text('workspace_id').notNull(),
    /** `whe_...` */
    id: text('id').notNull(),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    eventTypes: text('event_types', { mode: 'json' }).$type<string[] | null>(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    secrets: text('secrets', { mode: 'json' }).$type<string[]>().notNull(),
    previousSecretExpiresAt: integer('previous_secret_expires_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** The states of a delivery: `pending` until a 2xx (`delivered`) or until it gives up (`failed`). */
export const deliveryStates = ['pending', 'delivered', 'failed'] as const;

/**
 * The webhook outbox: one row per event and endpoint, written in the transaction that raised the
 * event, delivered by whichever server instance's worker leases it first (`leaseOwner` until
 * `leaseUntil`). `body` is the exact JSON posted, so every attempt signs the same bytes; `log` holds
 * each attempt as JSON (`{at, statusCode, durationMs, error}`).
 */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    /** `whd_...`, sent as `Waymark-Delivery-Id`: the same on every attempt, so receivers dedupe by it. */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: deliveryStates }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastDurationMs: integer('last_duration_ms'),
    log: text('log', { mode: 'json' })
      .$type<Array<{ at: number; statusCode: number | null; durationMs: number; error: string | null }>>()
      .notNull()
      .default(sql`'[]'`),
    createdAt: integer('created_at').notNull(),
    /** When it was delivered or given up on. */
    completedAt: integer('completed_at'),
  },
  (t) => [
    index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_endpoint').on(t.workspaceId, t.endpointId, t.createdAt),
    index('webhook_deliveries_completed').on(t.status, t.completedAt),
  ],
);

/**
 * Per user, per piece of content, per widget event: the latest time it happened (and, for a tour's
 * steps, which step). What a page view needs of the user's history, read by the user's keys instead of
 * from their events. Kept by a trigger on `events` (migration 0006), in the transaction that stores
 * each event (server/content/content-state.ts).
 */
export const userContentState = sqliteTable(
  'user_content_state',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    contentId: text('content_id').notNull(),
    /** The widget event's full name, e.g. `$waymark.checklist_dismissed`. */
    name: text('name').notNull(),
    lastAt: integer('last_at').notNull(),
    /** `stepId` of the latest event, for `spotlight_step_viewed` and `spotlight_dismissed`. */
    stepId: text('step_id'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId, t.contentId, t.name] })],
);

/**
 * Rollups kept at ingestion, in the commit that stores the events they count (server/ingest/rollups.ts):
 * each stored event is counted once (a duplicate is never inserted, so never counted), late and
 * out-of-order events land in their own day, and reports read these instead of the events.
 */

/** Events per user per UTC day (`day` = epoch days): active users over any run of whole days. */
export const userDays = sqliteTable(
  'user_days',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    day: integer('day').notNull(),
    events: integer('events').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId, t.day] }),
    // Distinct active users of a period: one range read of its days.
    index('user_days_day').on(t.workspaceId, t.day, t.userId),
  ],
);

/** Events per account per UTC day. */
export const accountDays = sqliteTable(
  'account_days',
  {
    workspaceId: text('workspace_id').notNull(),
    accountId: text('account_id').notNull(),
    day: integer('day').notNull(),
    events: integer('events').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.accountId, t.day] }),
    index('account_days_day').on(t.workspaceId, t.day, t.accountId),
  ],
);

/**
 * The widget's interactions with one content version, per person: one row per
 * (content, version, event, step, person) with its first and last time and how many events. The
 * checklist and spotlight funnels count these rows. `subject_id` is the user id, or the anonymous
 * id when `anonymous` is 1 (funnels count users; a missing target counts anonymous visitors too).
 */
export const contentUsers = sqliteTable(
  'content_users',
  {
    workspaceId: text('workspace_id').notNull(),
    contentId: text('content_id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    /** The step of a spotlight event that names one; '' otherwise. */
    stepId: text('step_id').notNull(),
    subjectId: text('subject_id').notNull(),
    anonymous: integer('anonymous').notNull(),
    firstAt: integer('first_at').notNull(),
    lastAt: integer('last_at').notNull(),
    events: integer('events').notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.workspaceId, t.contentId, t.version, t.name, t.stepId, t.anonymous, t.subjectId],
    }),
    // A person's rows for one version, whatever the event and step (migration 0013's triggers).
    index('content_users_subject').on(t.workspaceId, t.contentId, t.version, t.subjectId, t.anonymous),
  ],
);

/**
 * Per spotlight version, widget event and step: the users with a `content_users` row (`users`),
 * and of those the ones the version was shown to (`shown`), kept by triggers (migration 0013). The
 * spotlight funnel reads these few rows instead of one row per person.
 */
export const contentCounts = sqliteTable(
  'content_counts',
  {
    workspaceId: text('workspace_id').notNull(),
    contentId: text('content_id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    stepId: text('step_id').notNull(),
    users: integer('users').notNull(),
    shown: integer('shown').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.contentId, t.version, t.name, t.stepId] })],
);

/**
 * Each user a checklist version was shown to, with where they stand: the checklist funnel is one
 * aggregate over a version's rows. Kept by triggers (migration 0010) from content_users (who was
 * shown it, first when), goal_progress (items done), users (whose account an account-wide
 * checklist's items are done by) and milestones (which goal a milestone item reads), so it is
 * exactly as current as they are; the view `checklist_viewer_state` computes a row from them.
 */
export const checklistViewers = sqliteTable(
  'checklist_viewers',
  {
    workspaceId: text('workspace_id').notNull(),
    checklistId: text('checklist_id').notNull(),
    version: integer('version').notNull(),
    userId: text('user_id').notNull(),
    /** When it was first shown to this user. */
    shownAt: integer('shown_at').notNull(),
    /** Items done, by this user or (account-wide) anyone in their account: bit i for item i. */
    done: integer('done').notNull(),
    /** From first shown to the last required item done, never below 0; null until all are done. */
    took: integer('took'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.checklistId, t.version, t.userId] }),
    index('checklist_viewers_user').on(t.workspaceId, t.userId),
    index('checklist_viewers_took').on(t.workspaceId, t.checklistId, t.version, t.took),
  ],
);

/**
 * A checklist version's funnel counts, kept by triggers on `checklist_viewers` (migration 0016): per
 * `item`, the users it was shown to (-1), who started it (-2: an item done), who completed it (-3:
 * every required item done), and who have item i done (i, from 0). The funnel reads these few rows
 * whatever the number of viewers.
 */
export const checklistCounts = sqliteTable(
  'checklist_counts',
  {
    workspaceId: text('workspace_id').notNull(),
    checklistId: text('checklist_id').notNull(),
    version: integer('version').notNull(),
    item: integer('item').notNull(),
    users: integer('users').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.checklistId, t.version, t.item] })],
);

/** Where a spotlight step's target was missing, per person: the funnel's `targetNotFound`. */
export const spotlightMisses = sqliteTable(
  'spotlight_misses',
  {
    workspaceId: text('workspace_id').notNull(),
    contentId: text('content_id').notNull(),
    version: integer('version').notNull(),
    stepId: text('step_id').notNull(),
    selector: text('selector').notNull(),
    url: text('url').notNull(),
    /** The user id, else the anonymous id (counted together, as people). */
    subjectId: text('subject_id').notNull(),
    lastAt: integer('last_at').notNull(),
    events: integer('events').notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.workspaceId, t.contentId, t.version, t.stepId, t.selector, t.url, t.subjectId],
    }),
  ],
);

/**
 * Survey displays and dismissals per survey, UTC day and person (every version): the NPS rates of a
 * period without reading its events.
 */
export const surveyPromptDays = sqliteTable(
  'survey_prompt_days',
  {
    workspaceId: text('workspace_id').notNull(),
    surveyId: text('survey_id').notNull(),
    name: text('name').notNull(),
    day: integer('day').notNull(),
    subjectId: text('subject_id').notNull(),
    anonymous: integer('anonymous').notNull(),
    events: integer('events').notNull(),
    /**
     * The same person's previous day with this survey and event (null on their first), kept by a
     * trigger (migration 0010) whatever order the days arrive in: the people of a period are its
     * rows whose previous day is before the period, one range read with no DISTINCT.
     */
    previousDay: integer('previous_day'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.surveyId, t.name, t.day, t.anonymous, t.subjectId] }),
    index('survey_prompt_days_subject').on(
      t.workspaceId,
      t.surveyId,
      t.name,
      t.anonymous,
      t.subjectId,
      t.day,
    ),
  ],
);

/**
 * Core-feature use per feature, UTC day, user and account (the account the event named): who used
 * a feature in any run of whole days without reading its events. Kept at ingestion with the
 * feature's compiled filters (server/adoption/feature-days.ts); rebuilt from the stored events when
 * the feature's definition changes. `last_at` is the latest use, which picks a user's account when
 * they used the feature under several.
 */
export const featureDays = sqliteTable(
  'feature_days',
  {
    workspaceId: text('workspace_id').notNull(),
    featureId: text('feature_id').notNull(),
    day: integer('day').notNull(),
    userId: text('user_id').notNull(),
    accountId: text('account_id').notNull(),
    events: integer('events').notNull(),
    lastAt: integer('last_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.featureId, t.day, t.userId, t.accountId] }),
    // A user's days with a feature, in order: the previous and next use around a new day (triggers).
    index('feature_days_user').on(t.workspaceId, t.featureId, t.userId, t.day),
  ],
);

/*
 * The adoption report's rollups (migration 0013, README "Rollups"): kept by triggers on `user_days`,
 * `feature_days` and `users`, so they change in the very transaction that changes what they count,
 * and the report reads a few rows per day, account and feature instead of the window's user-days.
 */

/**
 * Each user's 1st, 5th and 13th most recent active days (the frequency bands' thresholds): a user has
 * at least k active days in a window ending today exactly when their k-th most recent day is in it.
 */
export const userActivity = sqliteTable(
  'user_activity',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    latest: integer('latest').notNull(),
    fifth: integer('fifth'),
    thirteenth: integer('thirteenth'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

/**
 * Per UTC day: users active that day (`active`), users whose latest (5th, 13th most recent) active
 * day it is, and accounts whose latest active day it is. Sums over a window's days give its
 * user-days, MAU, WAU, frequency bands and active accounts.
 */
export const activityDays = sqliteTable(
  'activity_days',
  {
    workspaceId: text('workspace_id').notNull(),
    day: integer('day').notNull(),
    active: integer('active').notNull().default(0),
    latest: integer('latest').notNull().default(0),
    fifth: integer('fifth').notNull().default(0),
    thirteenth: integer('thirteenth').notNull().default(0),
    /** Accounts whose current members' latest active day it is (`account_activity`). */
    accounts: integer('accounts').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day] })],
);

/** Per account: the latest active day of any of its current members (null when none was ever active). */
export const accountActivity = sqliteTable(
  'account_activity',
  {
    workspaceId: text('workspace_id').notNull(),
    accountId: text('account_id').notNull(),
    latest: integer('latest'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.accountId] })],
);

/**
 * Per core feature and UTC day, the users whose use that day follows their previous use `gap` days
 * before (capped: `gap` 200 also stands for a first use). Who used a feature in any run of days,
 * and who came back, is a sum of these rows, whatever the number of users.
 */
export const featureGaps = sqliteTable(
  'feature_gaps',
  {
    workspaceId: text('workspace_id').notNull(),
    featureId: text('feature_id').notNull(),
    day: integer('day').notNull(),
    gap: integer('gap').notNull(),
    users: integer('users').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.featureId, t.day, t.gap] })],
);

/** Per core feature and user: their latest use (its `feature_days` row with the greatest `last_at`). */
export const featureUsers = sqliteTable(
  'feature_users',
  {
    workspaceId: text('workspace_id').notNull(),
    featureId: text('feature_id').notNull(),
    userId: text('user_id').notNull(),
    accountId: text('account_id').notNull(),
    day: integer('day').notNull(),
    lastAt: integer('last_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.featureId, t.userId] }),
    index('feature_users_account').on(t.workspaceId, t.featureId, t.accountId, t.day),
  ],
);

/** Per core feature and account: the latest day of a use that is its user's latest use. */
export const featureAccounts = sqliteTable(
  'feature_accounts',
  {
    workspaceId: text('workspace_id').notNull(),
    featureId: text('feature_id').notNull(),
    accountId: text('account_id').notNull(),
    day: integer('day').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.featureId, t.accountId] }),
    // An account's rows across features, when its latest active day moves (a trigger).
    index('feature_accounts_account').on(t.workspaceId, t.accountId, t.day),
  ],
);

/**
 * Per core feature and UTC day: the accounts whose `feature_accounts` day it is, and of those, the
 * ones whose day or latest active day (`account_activity`), the earlier of the two, it is: an
 * account used the feature in a window ending today, and is active in it, when that day is in it.
 */
export const featureAccountDays = sqliteTable(
  'feature_account_days',
  {
    workspaceId: text('workspace_id').notNull(),
    featureId: text('feature_id').notNull(),
    day: integer('day').notNull(),
    accounts: integer('accounts').notNull().default(0),
    active: integer('active').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.featureId, t.day] })],
);

/**
 * A core feature whose `feature_days` are being rebuilt from the stored events with `seq` up to
 * `until_seq` (later events are added by ingestion): walked one proving event name at a time
 * (`name_index` into the sorted names), in (timestamp, seq) order after the cursor. While a row
 * exists the feature's use is read from the events. `generation` changes with every new definition,
 * so a chunk built from an older one adds nothing.
 */
export const featureRebuilds = sqliteTable(
  'feature_rebuilds',
  {
    workspaceId: text('workspace_id').notNull(),
    featureId: text('feature_id').notNull(),
    generation: text('generation').notNull(),
    untilSeq: integer('until_seq').notNull(),
    nameIndex: integer('name_index').notNull().default(0),
    afterTimestamp: integer('after_timestamp').notNull().default(-9007199254740991),
    afterSeq: integer('after_seq').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.featureId] })],
);

/**
 * The last event `seq` stored before the current ingestion commit (one row): the rollup statements
 * of that commit count exactly the events with a greater seq, which are the ones it inserted.
 */
export const rollupMark = sqliteTable('rollup_mark', {
  id: integer('id').primaryKey(),
  seq: integer('seq').notNull(),
});

/*
 * Team sign-in (README, "Team sign-in"): the tables better-auth reads and writes through its drizzle
 * adapter (server/auth/auth.ts names them by its model names: user, session, account, verification,
 * rateLimit, organization, member, invitation). Their column keys are better-auth's field names;
 * its dates are stored as epoch milliseconds like every other time here.
 */

/** A person of the customer's team who signs in to the console (never an end user: see `users`). */
export const teamUsers = sqliteTable('team_users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
  image: text('image'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/** A signed-in browser: the cookie holds `token`; `activeOrganizationId` is the workspace it works in. */
export const teamSessions = sqliteTable(
  'team_sessions',
  {
    id: text('id').primaryKey(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    token: text('token').notNull().unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    userId: text('user_id')
      .notNull()
      .references(() => teamUsers.id, { onDelete: 'cascade' }),
    activeOrganizationId: text('active_organization_id'),
  },
  (t) => [index('team_sessions_user').on(t.userId)],
);

/** How a team user proves who they are: here only `credential`, the scrypt hash of their password. */
export const teamCredentials = sqliteTable(
  'team_credentials',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => teamUsers.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: integer('access_token_expires_at', { mode: 'timestamp_ms' }),
    refreshTokenExpiresAt: integer('refresh_token_expires_at', { mode: 'timestamp_ms' }),
    scope: text('scope'),
    password: text('password'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('team_credentials_user').on(t.userId)],
);

/** Short-lived tokens: password-reset links. */
export const authVerifications = sqliteTable(
  'auth_verifications',
  {
    id: text('id').primaryKey(),
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('auth_verifications_identifier').on(t.identifier)],
);

/** better-auth's request counts per client address and path, shared by every server instance. */
export const authRateLimits = sqliteTable('auth_rate_limits', {
  id: text('id').primaryKey(),
  key: text('key').notNull().unique(),
  count: integer('count').notNull(),
  lastRequest: integer('last_request').notNull(),
});

/** A workspace as a team: exactly one per workspace, with the workspace's id (workspaces/store.ts). */
export const organizations = sqliteTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  logo: text('logo'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  metadata: text('metadata'),
});

/** The team roles, least to most powerful (README, "Team sign-in"). */
export const teamRoles = ['viewer', 'editor', 'admin', 'owner'] as const;

/** A team user's role in one workspace. */
export const teamMembers = sqliteTable(
  'team_members',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => teamUsers.id, { onDelete: 'cascade' }),
    role: text('role').notNull().default('viewer'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('team_members_organization_user').on(t.organizationId, t.userId),
    index('team_members_user').on(t.userId),
  ],
);

/** An invitation by link to join a workspace with a role. */
export const teamInvitations = sqliteTable(
  'team_invitations',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    email: text('email').notNull(),
    role: text('role'),
    status: text('status').notNull().default('pending'),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    inviterId: text('inviter_id')
      .notNull()
      .references(() => teamUsers.id, { onDelete: 'cascade' }),
  },
  (t) => [
    index('team_invitations_email').on(t.email),
    index('team_invitations_organization').on(t.organizationId),
  ],
);

/**
 * Failed sign-ins per email and per client address (`email:<address>`, `address:<ip>`), counted in
 * the database so that every server instance slows down and locks out the same guesser
 * (server/auth/sign-in-guard.ts). A count is forgotten once its last failure is older than the window.
 */
export const signInFailures = sqliteTable('sign_in_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailure: integer('last_failure').notNull(),
});

/** Secrets the server makes itself on first start and every instance shares (the session signing secret). */
export const serverSecrets = sqliteTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: integer('created_at').notNull(),
});

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type KeyKind = (typeof keyKinds)[number];
export type UserRow = typeof users.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type IdentityState = (typeof identityStates)[number];
export type MilestoneRow = typeof milestones.$inferSelect;
export type ContentRow = typeof contents.$inferSelect;
export type SurveyResponseRow = typeof surveyResponses.$inferSelect;
export type CoreFeatureRow = typeof coreFeatures.$inferSelect;
export type AccountHealthRow = typeof accountHealth.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type DeliveryState = (typeof deliveryStates)[number];

/**
 * Users active on a UTC day (a `user_days` row), by the day each was active last before it
 * (`previousDay`, -1 on their first): the distinct users active in days [a, b) are the rows of those
 * days whose previous day is before a, one range read of at most (days of history)^2 rows whatever
 * the number of users. Kept by a trigger on `user_days` (migration 0012), late days slotting in.
 */
export const userDayGaps = sqliteTable(
  'user_day_gaps',
  {
    workspaceId: text('workspace_id').notNull(),
    day: integer('day').notNull(),
    previousDay: integer('previous_day').notNull(),
    users: integer('users').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.previousDay] })],
);

/**
 * Each user's and account's time to a milestone (README, "Time to value"): first-seen time, and
 * `took` (first time reached minus first seen, never below 0; null until reached), in `tookDay`
 * whole days rounded up (-1: not reached). One row per milestone and subject, kept by triggers
 * (migration 0012) as users, accounts, milestones and goal progress change.
 */
export const ttvSubjects = sqliteTable(
  'ttv_subjects',
  {
    workspaceId: text('workspace_id').notNull(),
    milestoneId: text('milestone_id').notNull(),
    subject: text('subject', { enum: ['user', 'account'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    firstSeen: integer('first_seen').notNull(),
    took: integer('took'),
    tookDay: integer('took_day').notNull(),
    /** A user's current account, an account's own id: whose traits an `account.` segment reads. */
    accountId: text('account_id'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.milestoneId, t.subject, t.subjectId] }),
    // The subjects first seen in part of a day (a period's ends, a mark's cut), by time; covering what
    // a histogram and a segment read of each (took_day, and the account an `account.` segment joins).
    index('ttv_subjects_first_seen').on(
      t.workspaceId,
      t.milestoneId,
      t.subject,
      t.firstSeen,
      t.took,
      t.tookDay,
      t.accountId,
    ),
    // The k-th time to value within one day-bucket of durations.
    index('ttv_subjects_took').on(t.workspaceId, t.milestoneId, t.subject, t.tookDay, t.took, t.firstSeen),
  ],
);

/**
 * How many subjects were first seen on a UTC day (`firstDay`) and took `tookDay` whole days (rounded
 * up; -1: not reached) to a milestone: `ttv_subjects` counted, kept by its triggers (migration 0012).
 * Time-to-value counts, marks and the rank of a percentile read these rows, at most (days of
 * history)^2, whatever the number of subjects.
 */
export const ttvDays = sqliteTable(
  'ttv_days',
  {
    workspaceId: text('workspace_id').notNull(),
    milestoneId: text('milestone_id').notNull(),
    subject: text('subject', { enum: ['user', 'account'] }).notNull(),
    firstDay: integer('first_day').notNull(),
    tookDay: integer('took_day').notNull(),
    subjects: integer('subjects').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.milestoneId, t.subject, t.firstDay, t.tookDay] })],
);

export type TeamRole = (typeof teamRoles)[number];
