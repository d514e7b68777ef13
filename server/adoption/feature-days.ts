import type { InStatement, InValue } from '@libsql/client';
import { type SQL, sql } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import { type CoreFeature, coreFeatureInput } from '../../shared/schemas/core-feature.ts';
import type { Database } from '../db/client.ts';
import { trackSql } from '../goals/compile.ts';
import type { Logger } from '../logger.ts';

/**
 * Core-feature use per day (`feature_days`, README "Rollups"): who used which core feature on which
 * UTC day, under which account. It is kept three ways, all with the one condition `featureMatch`
 * compiles from a feature's proving events (the goal compiler's `trackSql`):
 * - at ingestion, in the commit that stores the events, over that commit's new events only (the
 *   `seq` range after `rollup_mark`, as rollups.ts does): a duplicate is never inserted so never
 *   counted, and a late event lands in its own day;
 * - when a definition is created or its proving events change, the feature's rows are deleted and
 *   rebuilt from the events stored until then, in bounded chunks (`FeatureRollupBuilder`), while
 *   ingestion already adds the events after; reads use the events for that feature until it is done;
 * - migration 0011 queued the features defined before it, built the same way.
 * A feature with a `{daysAgo}` date filter matches differently each day: it is never rolled up and
 * its use is always read from the events.
 */

const dayMs = 86_400_000;
/** Events per rebuild transaction: each holds the writer for a few tens of milliseconds at most. */
const rebuildChunk = 5_000;
/** A cursor before any event of a name. */
const start = { timestamp: Number.MIN_SAFE_INTEGER, seq: 0 };

export type FeatureRule = Pick<CoreFeature, 'id' | 'events'>;
type Proof = CoreFeature['events'][number];

/** Parses a stored definition's proving events (filling defaults added since), as the API presents them. */
export const storedProofs = (events: unknown): Proof[] =>
  coreFeatureInput.pick({ events: true }).parse({ events }).events;

/** Whether what the feature matches is fixed once the event is stored (no filter relative to "now"). */
export function isRollable(events: readonly Proof[]): boolean {
  return events.every((proof) =>
    proof.where.every(
      (filter) => !((filter.op === 'before' || filter.op === 'after') && typeof filter.value === 'object'),
    ),
  );
}

/**
 * The condition (on the alias `e`) that an event proves use of a feature: a `track` call matching any
 * of its proving events with every filter, as the goal compiler writes it. `now` only matters to
 * `{daysAgo}` filters, which rolled-up features do not have.
 */
export function featureMatch(events: readonly Proof[], now: number): [string, InValue[]] {
  const parts = events.map((proof) => trackSql(proof.event, proof.where, now));
  return [parts.map(([where]) => `(${where})`).join(' OR '), parts.flatMap(([, args]) => args)];
}

type Statement = { sql: string; args: InValue[] };

const upsert = `ON CONFLICT (workspace_id, feature_id, day, user_id, account_id) DO UPDATE SET
  events = events + excluded.events, last_at = max(last_at, excluded.last_at)`;

/**
 * The statements that add one ingestion commit's events to its workspace's features (after the event
 * INSERTs, in the same transaction), for the features some of those events may prove: each one
 * GROUP BY over the commit's rowid range, whatever the size of history.
 */
export function featureDaysUpdates(
  workspaceId: string,
  features: readonly FeatureRule[],
  names: ReadonlySet<string>,
): Statement[] {
  return features
    .filter((feature) => isRollable(feature.events) && feature.events.some((proof) => names.has(proof.event)))
    .map((feature) => {
      const [match, args] = featureMatch(feature.events, 0);
      return {
        sql: `INSERT INTO feature_days (workspace_id, feature_id, day, user_id, account_id, events, last_at)
          SELECT e.workspace_id, ?, e.timestamp / ${dayMs}, e.user_id, e.account_id, count(*), max(e.timestamp)
          FROM events e NOT INDEXED
          WHERE e.seq > (SELECT seq FROM rollup_mark WHERE id = 1) AND e.workspace_id = ?
            AND e.user_id IS NOT NULL AND e.account_id IS NOT NULL AND (${match})
          GROUP BY 3, 4, 5
          ${upsert}`,
        args: [feature.id, workspaceId, ...args],
      };
    });
}

/**
 * What a definition change commits with (after the definition itself): the feature's rows go, and a
 * rebuild from the events stored so far is queued (replacing one under way); the events of later
 * commits are added by ingestion. Queued only while the feature exists, so a refused create queues nothing.
 */
export function rebuildFeature(workspaceId: string, featureId: string): InStatement[] {
  return [
    ...forgetRows(workspaceId, featureId),
    {
      sql: `INSERT INTO feature_rebuilds (workspace_id, feature_id, generation, until_seq, name_index,
          after_timestamp, after_seq)
        SELECT ?, ?, ?, (SELECT coalesce(max(seq), 0) FROM events), 0, ?, ?
        WHERE EXISTS (SELECT 1 FROM core_features WHERE workspace_id = ? AND id = ?)
        ON CONFLICT (workspace_id, feature_id) DO UPDATE SET generation = excluded.generation,
          until_seq = excluded.until_seq, name_index = 0, after_timestamp = excluded.after_timestamp,
          after_seq = excluded.after_seq`,
      args: [workspaceId, featureId, nanoid(12), start.timestamp, start.seq, workspaceId, featureId],
    },
  ];
}

/** What deleting a feature commits with: its rows and any rebuild under way go too. */
export function forgetFeature(workspaceId: string, featureId: string): InStatement[] {
  return [
    ...forgetRows(workspaceId, featureId),
    {
      sql: 'DELETE FROM feature_rebuilds WHERE workspace_id = ? AND feature_id = ?',
      args: [workspaceId, featureId],
    },
  ];
}

// The feature's days, and what migration 0013's triggers keep from them (gaps between a user's
// uses, each user's and account's latest use, accounts per day): a rebuild refills them all
// through those triggers.
const forgetRows = (workspaceId: string, featureId: string): InStatement[] =>
  ['feature_days', 'feature_gaps', 'feature_users', 'feature_accounts', 'feature_account_days'].map(
    (table) => ({
      sql: `DELETE FROM ${table} WHERE workspace_id = ? AND feature_id = ?`,
      args: [workspaceId, featureId],
    }),
  );

interface RebuildRow extends RebuildCursor {
  events: string;
}

/**
 * Runs the queued rebuilds in this process, one chunk per write transaction. A chunk is the next
 * `rebuildChunk` events of one proving event name (walked by the name-and-time index, so a rebuild
 * costs the feature's own events, never a pass over all history), added and its cursor moved in one
 * transaction that first checks the cursor is still where it was read: a chunk applies at most once,
 * even when several instances run the same queue, and not at all after a newer definition.
 * Between chunks other writes (ingestion) take their turn.
 */
export class FeatureRollupBuilder {
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly chunk = rebuildChunk,
  ) {}

  /** Starts (or continues) building every queued feature; resolves when the queue is empty. */
  wake(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = async () => {
      do {
        this.#again = false;
        while (!this.#stopped && (await this.#step()));
      } while (this.#again && !this.#stopped);
    };
    this.#running = run()
      .catch((error) =>
        this.logger.error('core-feature rollup rebuild failed; retried at the next change or start', error),
      )
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }

  /** Stops after the chunk in progress (a rebuild resumes from its cursor at the next start). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** One chunk of the first queued rebuild; false when none is queued. */
  async #step(): Promise<boolean> {
    const [job] = await this.db.read.all<RebuildRow>(sql`
      SELECT r.workspace_id, r.feature_id, r.generation, r.until_seq, r.name_index, r.after_timestamp,
        r.after_seq, f.events
      FROM feature_rebuilds r JOIN core_features f ON f.workspace_id = r.workspace_id AND f.id = r.feature_id
      LIMIT 1`);
    if (!job) return false;
    const proofs = storedProofs(JSON.parse(job.events));
    const names = [...new Set(proofs.map((proof) => proof.event))].sort();
    const name = isRollable(proofs) ? names[job.name_index] : undefined;
    if (name === undefined) {
      // Every name walked (or nothing to roll up): from now on the feature is read from its rollup.
      const guard = cursorGuard(job);
      await this.db.writer.batch([
        {
          sql: `DELETE FROM feature_rebuilds WHERE workspace_id = ? AND feature_id = ? AND ${guard.sql}`,
          args: [job.workspace_id, job.feature_id, ...guard.args],
        },
      ]);
      return true;
    }
    // The chunk's last event; none when the rest of this name fits in one chunk.
    const [end] = await this.db.read.all<{ timestamp: number; seq: number }>(sql`
      SELECT e.timestamp, e.seq FROM events e INDEXED BY events_name_time
      WHERE e.workspace_id = ${job.workspace_id} AND e.name = ${name} AND e.seq <= ${job.until_seq}
        AND e.timestamp >= ${job.after_timestamp} AND (e.timestamp > ${job.after_timestamp} OR e.seq > ${job.after_seq})
      ORDER BY e.timestamp, e.seq LIMIT 1 OFFSET ${this.chunk - 1}`);
    await this.db.writer.batch(rebuildChunkStatements(job, proofs, name, end ?? null));
    return true;
  }
}

/** Where a rebuild stands: a feature's definition generation, and its cursor. */
export interface RebuildCursor {
  workspace_id: string;
  feature_id: string;
  generation: string;
  until_seq: number;
  name_index: number;
  after_timestamp: number;
  after_seq: number;
}

/** True while the rebuild is still at this generation and cursor: what makes a chunk apply at most once. */
function cursorGuard(job: RebuildCursor): { sql: string; args: InValue[] } {
  return {
    sql: `EXISTS (SELECT 1 FROM feature_rebuilds WHERE workspace_id = ? AND feature_id = ? AND generation = ?
      AND name_index = ? AND after_timestamp = ? AND after_seq = ?)`,
    args: [
      job.workspace_id,
      job.feature_id,
      job.generation,
      job.name_index,
      job.after_timestamp,
      job.after_seq,
    ],
  };
}

/**
 * One rebuild chunk: the events of `name` (stored up to `until_seq`) after the cursor and up to `end`
 * (the rest of the name when null) that prove the feature, added to its days; then the cursor moved.
 * One name-and-time index range, whatever else the workspace stores.
 */
export function rebuildChunkStatements(
  job: RebuildCursor,
  proofs: readonly Proof[],
  name: string,
  end: { timestamp: number; seq: number } | null,
): Statement[] {
  const guard = cursorGuard(job);
  const [match, matchArgs] = featureMatch(
    proofs.filter((proof) => proof.event === name),
    0,
  );
  const upTo = end ? 'AND e.timestamp <= ? AND (e.timestamp < ? OR e.seq <= ?)' : '';
  const upToArgs = end ? [end.timestamp, end.timestamp, end.seq] : [];
  const next = end
    ? [job.name_index, end.timestamp, end.seq]
    : [job.name_index + 1, start.timestamp, start.seq];
  return [
    {
      sql: `INSERT INTO feature_days (workspace_id, feature_id, day, user_id, account_id, events, last_at)
        SELECT e.workspace_id, ?, e.timestamp / ${dayMs}, e.user_id, e.account_id, count(*), max(e.timestamp)
        FROM events e INDEXED BY events_name_time
        WHERE e.workspace_id = ? AND e.name = ? AND e.timestamp >= ? AND (e.timestamp > ? OR e.seq > ?)
          ${upTo} AND e.seq <= ? AND e.user_id IS NOT NULL AND e.account_id IS NOT NULL AND (${match})
          AND ${guard.sql}
        GROUP BY 3, 4, 5
        ${upsert}`,
      args: [
        job.feature_id,
        job.workspace_id,
        name,
        job.after_timestamp,
        job.after_timestamp,
        job.after_seq,
        ...upToArgs,
        job.until_seq,
        ...matchArgs,
        ...guard.args,
      ],
    },
    {
      sql: `UPDATE feature_rebuilds SET name_index = ?, after_timestamp = ?, after_seq = ?
        WHERE workspace_id = ? AND feature_id = ? AND ${guard.sql}`,
      args: [...next, job.workspace_id, job.feature_id, ...guard.args],
    },
  ];
}

/** One use of a feature: the user, the account the event named, and when (the latest such use). */
interface Use {
  user_id: string;
  account_id: string;
  last_at: number;
}

/**
 * Per core feature (by key), who used it in `[from, to)`: each user with the account of their latest
 * use. Whole UTC days come from `feature_days` (one primary-key range per feature); the parts of a
 * day at either end (`to` = now, in a recompute) and features being rebuilt or with `{daysAgo}`
 * filters come from the events (one name-and-time index range per proving event), as before the rollup.
 */
export async function featureUsers(
  db: Database,
  workspaceId: string,
  features: ReadonlyArray<Pick<CoreFeature, 'id' | 'key' | 'events'>>,
  from: number,
  to: number,
): Promise<Map<string, Map<string, string>>> {
  const rebuilding = new Set(
    features.length === 0
      ? []
      : (
          await db.reports.all<{ feature_id: string }>(
            sql`SELECT feature_id FROM feature_rebuilds WHERE workspace_id = ${workspaceId}`,
          )
        ).map((row) => row.feature_id),
  );
  const [firstDay, endDay] = [Math.ceil(from / dayMs), Math.floor(to / dayMs)];
  const perFeature = await Promise.all(
    features.map(async (feature) => {
      const reads: Promise<Use[]>[] = [];
      if (rebuilding.has(feature.id) || !isRollable(feature.events) || firstDay >= endDay) {
        reads.push(fromEvents(db, workspaceId, feature.events, from, to));
      } else {
        reads.push(
          usesOf(
            db,
            sql`SELECT user_id, account_id, max(last_at) AS last_at FROM feature_days
              WHERE workspace_id = ${workspaceId} AND feature_id = ${feature.id}
                AND day >= ${firstDay} AND day < ${endDay}
              GROUP BY user_id`,
          ),
        );
        if (from < firstDay * dayMs)
          reads.push(fromEvents(db, workspaceId, feature.events, from, firstDay * dayMs));
        if (endDay * dayMs < to) reads.push(fromEvents(db, workspaceId, feature.events, endDay * dayMs, to));
      }
      const latest = new Map<string, Use>();
      for (const uses of await Promise.all(reads)) {
        for (const use of uses) {
          const seen = latest.get(use.user_id);
          if (!seen || use.last_at > seen.last_at) latest.set(use.user_id, use);
        }
      }
      return [feature.key, new Map([...latest].map(([user, use]) => [user, use.account_id]))] as const;
    }),
  );
  return new Map(perFeature);
}

/**
 * The rows of a `(user_id, account_id, last_at)` query as one JSON array: thousands of rows cross
 * from the read worker as one string rather than one cloned and mapped object each.
 */
async function usesOf(db: Database, query: SQL): Promise<Use[]> {
  const [row] = await db.reports.all<{ uses: string }>(
    sql`SELECT json_group_array(json_array(user_id, account_id, last_at)) AS uses FROM (${query})`,
  );
  const uses = JSON.parse(row?.uses ?? '[]') as Array<[string, string, number]>;
  return uses.map(([user_id, account_id, last_at]) => ({ user_id, account_id, last_at }));
}

/** Each user's latest use in `[from, to)` read from the events: one index range per proving event. */
async function fromEvents(
  db: Database,
  workspaceId: string,
  proofs: readonly Proof[],
  from: number,
  to: number,
): Promise<Use[]> {
  const perProof = await Promise.all(
    proofs.map((proof) => {
      // `to` is "now" for a `{daysAgo}` filter, as the report has always read it.
      const [where, args] = trackSql(proof.event, proof.where, to);
      return usesOf(
        db,
        sql`SELECT e.user_id, e.account_id, max(e.timestamp) AS last_at FROM events e
          WHERE e.workspace_id = ${workspaceId} AND e.timestamp >= ${from} AND e.timestamp < ${to}
            AND e.account_id IS NOT NULL AND e.user_id IS NOT NULL AND ${fragment(where, args)}
          GROUP BY e.user_id`,
      );
    }),
  );
  return perProof.flat();
}

/**
 * A `?`-placeholder fragment (from the goal compiler) as a drizzle SQL fragment with the same bound
 * values. A `?` inside a single-quoted literal (a JSON path naming a property) is text, not a placeholder.
 */
function fragment(text: string, args: readonly InValue[]): SQL {
  const chunks: SQL[] = [];
  let quoted = false;
  let from = 0;
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "'") quoted = !quoted;
    else if (text[i] === '?' && !quoted) {
      chunks.push(sql.raw(text.slice(from, i)), sql`${args[next++] ?? null}`);
      from = i + 1;
    }
  }
  chunks.push(sql.raw(text.slice(from)));
  return sql.join(chunks, sql.raw(''));
}
