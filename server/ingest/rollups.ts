import type { InStatement, InValue } from '@libsql/client';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import { internalProperty } from './internal-property.ts';

/**
 * The rollups reports read instead of the events (README, "Rollups"), kept in the ingestion commit
 * that stores the events, so they are exactly as current as the events and never a cache to expire.
 *
 * How each stored event is counted exactly once: `markNewEvents` runs before the commit's event
 * INSERTs and notes the greatest `seq` so far (`seq` is AUTOINCREMENT: never reused, always
 * growing); the rollup statements run after them and aggregate the events with a greater `seq`,
 * which are exactly the rows this commit inserted. A duplicate message is not inserted (ON CONFLICT
 * DO NOTHING), so it is not counted; a replayed batch adds nothing; a late or out-of-order event is
 * counted in the day of its own timestamp. The commit's events are one rowid range read, each rollup
 * one GROUP BY over them: a commit costs what its events cost, whatever the size of history. (`NOT
 * INDEXED` keeps it so: left to itself, the planner walks a whole covering index of the events to
 * avoid sorting a few hundred rows for the GROUP BY; the rowid range is allowed all the same.)
 *
 * Migration 0007 built the same rollups from the events already stored, with the same expressions.
 *
 * @example
 * writer.batch([markNewEvents, ...eventInserts, ...rollupUpdates])
 */
export const markNewEvents: InStatement = {
  sql: 'UPDATE rollup_mark SET seq = (SELECT coalesce(max(seq), 0) FROM events) WHERE id = 1',
  args: [],
};

const newEvents = 'seq > (SELECT seq FROM rollup_mark WHERE id = 1)';
// The UTC day of an event (epoch days), as the rollups key their days.
const day = '(timestamp / 86400000)';
const quoted = (names: readonly string[]) => names.map((name) => `'${name}'`).join(', ');

/** Widget events a funnel counts per person (content_users). */
export const funnelEvents = [
  internalEvent('checklist_shown'),
  internalEvent('checklist_dismissed'),
  internalEvent('spotlight_shown'),
  internalEvent('spotlight_step_viewed'),
  internalEvent('spotlight_completed'),
  internalEvent('spotlight_dismissed'),
] as const;

/** Widget events the NPS rates count per day (survey_prompt_days). */
export const promptEvents = [internalEvent('survey_shown'), internalEvent('survey_dismissed')] as const;

/** The rollup statements of one commit, to run after its event INSERTs and in the same transaction. */
export const rollupUpdates: ReadonlyArray<{ sql: string; args: InValue[] }> = [
  {
    sql: `INSERT INTO user_days (workspace_id, user_id, day, events)
      SELECT workspace_id, user_id, ${day}, count(*) FROM events NOT INDEXED
      WHERE ${newEvents} AND user_id IS NOT NULL
      GROUP BY workspace_id, user_id, ${day}
      ON CONFLICT (workspace_id, user_id, day) DO UPDATE SET events = events + excluded.events`,
    args: [],
  },
  {
    sql: `INSERT INTO account_days (workspace_id, account_id, day, events)
      SELECT workspace_id, account_id, ${day}, count(*) FROM events NOT INDEXED
      WHERE ${newEvents} AND account_id IS NOT NULL
      GROUP BY workspace_id, account_id, ${day}
      ON CONFLICT (workspace_id, account_id, day) DO UPDATE SET events = events + excluded.events`,
    args: [],
  },
  {
    // Internal events refuse NUL and lone surrogates in their properties (internal-event.ts), so
    // json_extract reads them safely.
    sql: `INSERT INTO content_users (workspace_id, content_id, version, name, step_id, subject_id,
        anonymous, first_at, last_at, events)
      SELECT workspace_id, ${internalProperty('contentId')}, ${internalProperty('version')},
        name, coalesce(${internalProperty('stepId')}, ''), coalesce(user_id, anonymous_id),
        user_id IS NULL, min(timestamp), max(timestamp), count(*)
      FROM events NOT INDEXED
      WHERE ${newEvents} AND type = 'track' AND name IN (${quoted(funnelEvents)})
        AND coalesce(user_id, anonymous_id) IS NOT NULL
      GROUP BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (workspace_id, content_id, version, name, step_id, anonymous, subject_id) DO UPDATE SET
        first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
        events = events + excluded.events`,
    args: [],
  },
  {
    sql: `INSERT INTO spotlight_misses (workspace_id, content_id, version, step_id, selector, url,
        subject_id, last_at, events)
      SELECT workspace_id, ${internalProperty('contentId')}, ${internalProperty('version')},
        ${internalProperty('stepId')}, ${internalProperty('selector')},
        ${internalProperty('url')}, coalesce(user_id, anonymous_id), max(timestamp), count(*)
      FROM events NOT INDEXED
      WHERE ${newEvents} AND type = 'track' AND name = '${internalEvent('spotlight_target_not_found')}'
        AND coalesce(user_id, anonymous_id) IS NOT NULL
      GROUP BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (workspace_id, content_id, version, step_id, selector, url, subject_id) DO UPDATE SET
        last_at = max(last_at, excluded.last_at), events = events + excluded.events`,
    args: [],
  },
  {
    sql: `INSERT INTO survey_prompt_days (workspace_id, survey_id, name, day, subject_id, anonymous, events)
      SELECT workspace_id, ${internalProperty('contentId')}, name, ${day},
        coalesce(user_id, anonymous_id), user_id IS NULL, count(*)
      FROM events NOT INDEXED
      WHERE ${newEvents} AND type = 'track' AND name IN (${quoted(promptEvents)})
        AND coalesce(user_id, anonymous_id) IS NOT NULL
      GROUP BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (workspace_id, survey_id, name, day, anonymous, subject_id) DO UPDATE SET
        events = events + excluded.events`,
    args: [],
  },
];
