import type { InStatement, InValue } from '@libsql/client';
import { featureDaysUpdates } from '../adoption/feature-days.ts';
import type { Writer } from '../db/writer.ts';
import { type GoalCatalog, isRevisionConflict, revisionGuard } from '../goals/catalog.ts';
import { evaluateGoal, type Goal } from '../goals/compile.ts';
import type { IngestHooks } from './hooks.ts';
import type { IngestEvent } from './parse-batch.ts';
import { markNewEvents, rollupUpdates } from './rollups.ts';

/** What one submitted request learns from the commit that held its events. */
export interface StoreResult {
  accepted: number;
  duplicates: number;
}

// SQLite allows 32766 bound values per statement; 400 rows of 16 stays well under.
const rowsPerStatement = 400;

/**
 * Writes the events of several requests in ONE transaction and tells each request how many of its
 * events were new. Exactly-once comes from the `(workspace_id, message_id)` unique index:
 * `ON CONFLICT DO NOTHING RETURNING` reports which rows were really inserted, so a retried batch
 * stores nothing again, even when the retry reaches another server process.
 *
 * User and account upserts are idempotent (min/max of times, trait merges ordered by message time),
 * so replaying them for a duplicate message changes nothing.
 *
 * @example
 * const [forRequestA, forRequestB] = await storeEvents(writer, [eventsOfA, eventsOfB])
 */
export async function storeEvents(
  deps: { writer: Writer; goals: GoalCatalog; clock: () => number; hooks: readonly IngestHooks[] },
  requests: IngestEvent[][],
): Promise<StoreResult[]> {
  // A messageId may appear twice in one commit (a client retrying while its first try is in flight):
  // the first occurrence owns the row; later ones are duplicates.
  const owner = new Map<string, number>();
  const unique: IngestEvent[] = [];
  requests.forEach((events, requestIndex) => {
    for (const event of events) {
      const key = eventKey(event.workspaceId, event.messageId);
      if (owner.has(key)) continue;
      owner.set(key, requestIndex);
      unique.push(event);
    }
  });

  const writes = [
    ...accountUpserts(unique),
    ...userUpserts(unique),
    ...membershipUpdates(unique),
    ...memberActivity(unique),
  ];
  const eventInserts: InStatement[] = [];
  for (let i = 0; i < unique.length; i += rowsPerStatement) {
    eventInserts.push(eventInsert(unique.slice(i, i + rowsPerStatement)));
  }

  // Goals are evaluated in the same transaction as the events that reach them. Another instance may
  // change a workspace's goals meanwhile: its revision bump fails our guard, and we rebuild.
  const workspaceIds = [...new Set(unique.map((event) => event.workspaceId))];
  const inserted = new Set<string>();
  for (let attempt = 1; unique.length > 0; attempt++) {
    const guards: InStatement[] = [];
    const evaluations: InStatement[] = [];
    const featureUpdates: InStatement[] = [];
    for (const workspaceId of workspaceIds) {
      const { revision, goals, features } = await deps.goals.get(workspaceId);
      guards.push(revisionGuard(workspaceId, revision));
      evaluations.push(...goalEvaluations(goals, unique, deps.clock()));
      featureUpdates.push(...featureDaysUpdates(workspaceId, features, trackedNames(unique, workspaceId)));
    }
    const projections = deps.hooks.flatMap(({ project }) =>
      project ? workspaceIds.flatMap((workspaceId) => project(workspaceId, unique)) : [],
    );
    // The rollups count the events this commit inserts: marked before, counted after (rollups.ts,
    // and feature-days.ts for core-feature use).
    const before = [...guards, ...writes, markNewEvents];
    try {
      const results = await deps.writer.batch([
        ...before,
        ...eventInserts,
        ...rollupUpdates,
        ...featureUpdates,
        ...evaluations,
        ...projections,
      ]);
      // The event INSERTs' answers: the rows really inserted (RETURNING), so neither duplicates nor replays.
      for (const result of results.slice(before.length, before.length + eventInserts.length)) {
        for (const row of result.rows)
          inserted.add(eventKey(String(row.workspace_id), String(row.message_id)));
      }
      break;
    } catch (error) {
      if (!isRevisionConflict(error) || attempt >= 5) throw error;
      for (const workspaceId of workspaceIds) deps.goals.forget(workspaceId);
    }
  }

  return requests.map((events, requestIndex) => {
    let accepted = 0;
    for (const event of events) {
      const key = eventKey(event.workspaceId, event.messageId);
      if (owner.get(key) === requestIndex && inserted.delete(key)) accepted++;
    }
    return { accepted, duplicates: events.length - accepted };
  });
}

/** For each goal some events of this commit may advance, its evaluation for their users and accounts. */
function goalEvaluations(goals: readonly Goal[], events: readonly IngestEvent[], now: number): InStatement[] {
  const statements: InStatement[] = [];
  for (const goal of goals) {
    const messageIds = events
      .filter(
        (event) =>
          event.workspaceId === goal.workspaceId &&
          event.type === goal.on.type &&
          (goal.on.type === 'page' || event.name === goal.on.event),
      )
      .map((event) => event.messageId);
    if (messageIds.length === 0) continue;
    statements.push(
      evaluateGoal(goal, 'user', { messageIds }, now),
      evaluateGoal(goal, 'account', { messageIds }, now),
    );
  }
  return statements;
}

/** The names of a workspace's `track` events in this commit: which core features it may prove. */
function trackedNames(events: readonly IngestEvent[], workspaceId: string): Set<string> {
  const names = new Set<string>();
  for (const event of events) {
    if (event.workspaceId === workspaceId && event.type === 'track' && event.name !== null)
      names.add(event.name);
  }
  return names;
}

const eventKey = (workspaceId: string, messageId: string): string => `${workspaceId}\u0000${messageId}`;

const traitMerge = (table: string): string =>
  // A newer message's traits win; an older one (late or out of order) only fills traits not yet known.
  `traits = CASE WHEN excluded.traits_at >= ${table}.traits_at
      THEN json_patch(${table}.traits, excluded.traits) ELSE json_patch(excluded.traits, ${table}.traits) END,
    traits_at = max(${table}.traits_at, excluded.traits_at),
    first_seen = min(${table}.first_seen, excluded.first_seen),
    last_seen = max(${table}.last_seen, excluded.last_seen)`;

interface EntityRow {
  workspaceId: string;
  id: string;
  traits: string;
  traitsAt: number;
  firstSeen: number;
  lastSeen: number;
  accountId: string | null;
}

/**
 * One row per message that carries traits, plus one row per entity that only needs its seen-times
 * moved (activity of many messages collapsed), so a busy user costs one row per commit, not one per event.
 */
function entityRows(
  events: IngestEvent[],
  idOf: (event: IngestEvent) => string | null,
  carriesTraits: (event: IngestEvent) => boolean,
): EntityRow[] {
  const rows: EntityRow[] = [];
  const activity = new Map<string, EntityRow>();
  for (const event of events) {
    const id = idOf(event);
    if (id === null) continue;
    if (carriesTraits(event) && event.traits !== null) {
      rows.push({
        workspaceId: event.workspaceId,
        id,
        traits: event.traits,
        traitsAt: event.timestamp,
        firstSeen: event.timestamp,
        lastSeen: event.timestamp,
        accountId: null,
      });
      continue;
    }
    const key = eventKey(event.workspaceId, id);
    const seen = activity.get(key);
    if (seen) {
      seen.firstSeen = Math.min(seen.firstSeen, event.timestamp);
      seen.lastSeen = Math.max(seen.lastSeen, event.timestamp);
      seen.accountId ??= event.type === 'group' ? null : event.accountId;
    } else {
      activity.set(key, {
        workspaceId: event.workspaceId,
        id,
        traits: '{}',
        traitsAt: 0,
        firstSeen: event.timestamp,
        lastSeen: event.timestamp,
        accountId: event.type === 'group' ? null : event.accountId,
      });
    }
  }
  return [...rows, ...activity.values()];
}

function accountUpserts(events: IngestEvent[]): InStatement[] {
  const rows = entityRows(
    events,
    (event) => event.accountId,
    (event) => event.type === 'group',
  );
  return chunks(rows).map((chunk) => ({
    sql: `INSERT INTO accounts (workspace_id, id, traits, traits_at, first_seen, last_seen)
      VALUES ${chunk.map(() => '(?, ?, json(?), ?, ?, ?)').join(', ')}
      ON CONFLICT (workspace_id, id) DO UPDATE SET ${traitMerge('accounts')}`,
    args: chunk.flatMap((r) => [r.workspaceId, r.id, r.traits, r.traitsAt, r.firstSeen, r.lastSeen]),
  }));
}

function userUpserts(events: IngestEvent[]): InStatement[] {
  const rows = entityRows(
    events,
    (event) => event.userId,
    (event) => event.type === 'identify',
  );
  return chunks(rows).map((chunk) => ({
    // `context.groupId` places a user in an account only while the user has none: membership
    // itself changes through `group` calls (membershipUpdates).
    sql: `INSERT INTO users (workspace_id, id, account_id, traits, traits_at, first_seen, last_seen)
      VALUES ${chunk.map(() => '(?, ?, ?, json(?), ?, ?, ?)').join(', ')}
      ON CONFLICT (workspace_id, id) DO UPDATE SET ${traitMerge('users')},
        account_id = coalesce(users.account_id, excluded.account_id)`,
    args: chunk.flatMap((r) => [
      r.workspaceId,
      r.id,
      r.accountId,
      r.traits,
      r.traitsAt,
      r.firstSeen,
      r.lastSeen,
    ]),
  }));
}

/** `group(accountId)` by a known user makes that the user's account; the newest call in a commit wins. */
function membershipUpdates(events: IngestEvent[]): InStatement[] {
  const groups = events
    .filter((event) => event.type === 'group' && event.userId !== null)
    .sort((a, b) => a.timestamp - b.timestamp);
  return chunks(groups).map((chunk) => ({
    sql: `INSERT INTO users (workspace_id, id, account_id, first_seen, last_seen)
      VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
      ON CONFLICT (workspace_id, id) DO UPDATE SET account_id = excluded.account_id`,
    args: chunk.flatMap((e) => [e.workspaceId, e.userId, e.accountId, e.timestamp, e.timestamp]),
  }));
}

/**
 * A track or page that names no account belongs to its user's current account (see eventInsert), so
 * it moves that account's last-seen time too. Which account that is is known only in SQL, after the
 * membership updates of this same commit: hence after them, and a join rather than a row per event.
 */
function memberActivity(events: IngestEvent[]): InStatement[] {
  const latest = new Map<string, { workspaceId: string; userId: string; at: number }>();
  for (const event of events) {
    if (event.accountId !== null || event.userId === null || event.type === 'group') continue;
    const key = eventKey(event.workspaceId, event.userId);
    const seen = latest.get(key);
    if (seen) seen.at = Math.max(seen.at, event.timestamp);
    else latest.set(key, { workspaceId: event.workspaceId, userId: event.userId, at: event.timestamp });
  }
  return chunks([...latest.values()]).map((chunk) => ({
    sql: `WITH activity (workspace_id, user_id, at) AS (VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')})
      UPDATE accounts SET last_seen = max(accounts.last_seen, member.at)
      FROM (SELECT users.workspace_id, users.account_id, max(activity.at) AS at
        FROM activity JOIN users ON users.workspace_id = activity.workspace_id AND users.id = activity.user_id
        WHERE users.account_id IS NOT NULL
        GROUP BY users.workspace_id, users.account_id) AS member
      WHERE accounts.workspace_id = member.workspace_id AND accounts.id = member.account_id`,
    args: chunk.flatMap((row) => [row.workspaceId, row.userId, row.at]),
  }));
}

function eventInsert(events: IngestEvent[]): InStatement {
  const args: InValue[] = [];
  const values = events.map((e) => {
    args.push(e.workspaceId, e.messageId, e.type, e.name, e.userId, e.anonymousId);
    let account = '?';
    if (e.accountId !== null || e.userId === null) {
      args.push(e.accountId);
    } else {
      // A track or page without context.groupId belongs to its user's account (set earlier in this
      // same transaction when the batch also carried the group call).
      account = '(SELECT account_id FROM users WHERE workspace_id = ? AND id = ?)';
      args.push(e.workspaceId, e.userId);
    }
    args.push(e.timestamp, e.receivedAt, e.properties, e.traits, e.context, e.identity, e.accountIdentity);
    return `(?, ?, ?, ?, ?, ?, ${account}, ?, ?, ?, ?, ?, ?, ?)`;
  });
  return {
    sql: `INSERT INTO events (workspace_id, message_id, type, name, user_id, anonymous_id, account_id,
        timestamp, received_at, properties, traits, context, identity, account_identity)
      VALUES ${values.join(', ')}
      ON CONFLICT (workspace_id, message_id) DO NOTHING
      RETURNING workspace_id, message_id`,
    args,
  };
}

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += rowsPerStatement) out.push(rows.slice(i, i + rowsPerStatement));
  return out;
}
