import type { InStatement, InValue } from '@libsql/client';
import { globSource } from '../../shared/conditions.ts';
import type { Comparison, PropertyFilter, UrlRule } from '../../shared/schemas/condition.ts';

/**
 * A goal is anything reached from event evidence: a milestone, or a checklist item whose completion
 * is an event, a page visit or a manual tick (itself a `$waymark.` event). Each compiles to one SQL
 * statement that finds, per user or per account, the time of the `count`-th matching event and
 * records the earliest such time: the same statement serves ingestion (scoped to the subjects of a
 * commit) and backfill (every subject).
 */
export interface Goal {
  /** `milestone:<id>` or `item:<checklistId>:<itemId>`. */
  id: string;
  workspaceId: string;
  /** `track` events by name, or `page` views by URL. */
  on: { type: 'track'; event: string; where: readonly PropertyFilter[] } | { type: 'page'; url: UrlRule };
  count: number;
  /** Only events within this many days of the subject's first-seen time count. */
  withinDays?: number | undefined;
}

export type Subject = 'user' | 'account';
const dayMs = 86_400_000;

/**
 * Records who reached the goal: every subject (`'all'`: a backfill), or only the users or accounts of
 * the given events (an ingest commit: the events' own account, which SQL resolved when they were
 * inserted, is read back through their message ids).
 *
 * An ingest commit never rescans a subject's history to find what it already knows:
 * - a one-event goal (most are) is reached at the earliest matching event of the commit, kept if it
 *   is earlier than what was recorded (a late, out-of-order event moves the time back);
 * - a `count`-th-event goal is looked up only for subjects not yet reached by the time of the commit's
 *   earliest candidate event (a later event cannot move the count-th one), and then by a short read
 *   of that subject's events of that name in time order (index `events_<subject>_name`), stopping at
 *   the count-th match.
 *
 * @example
 * evaluateGoal(goal, 'account', { messageIds: ['m1', 'm2'] }, Date.now())
 */
export function evaluateGoal(
  goal: Goal,
  subject: Subject,
  scope: { messageIds: readonly string[] } | 'all',
  now: number,
): InStatement {
  if (scope === 'all' || (goal.count > 1 && goal.on.type !== 'track'))
    return backfill(goal, subject, scope, now);
  const column = subject === 'user' ? 'e.user_id' : 'e.account_id';
  const candidates = `e.workspace_id = ? AND e.message_id IN (${scope.messageIds.map(() => '?').join(', ')})
    AND ${column} IS NOT NULL`;
  const [matchSql, matchArgs] = matching(goal, subject, now);
  const upsert = `ON CONFLICT (workspace_id, goal, subject, subject_id)
      DO UPDATE SET reached_at = min(goal_progress.reached_at, excluded.reached_at)`;
  if (goal.count === 1) {
    return {
      sql: `INSERT INTO goal_progress (workspace_id, goal, subject, subject_id, reached_at)
        SELECT ?, ?, ?, ${column}, min(e.timestamp) FROM events e ${matchSql.join}
        WHERE ${candidates} AND ${matchSql.where}
        GROUP BY ${column}
        ${upsert}`,
      args: [
        goal.workspaceId,
        goal.id,
        subject,
        ...matchArgs.join,
        goal.workspaceId,
        ...scope.messageIds,
        ...matchArgs.where,
      ],
    };
  }
  return {
    sql: `INSERT INTO goal_progress (workspace_id, goal, subject, subject_id, reached_at)
      SELECT ?, ?, ?, subject_id, reached_at FROM (
        SELECT c.subject_id, (
          SELECT e.timestamp FROM events e ${matchSql.join}
          WHERE e.workspace_id = ? AND ${column} = c.subject_id AND ${matchSql.where}
          ORDER BY e.timestamp, e.seq LIMIT 1 OFFSET ?
        ) AS reached_at
        FROM (
          SELECT ${column} AS subject_id, min(e.timestamp) AS earliest FROM events e
          WHERE ${candidates} GROUP BY ${column}
        ) c
        WHERE NOT EXISTS (SELECT 1 FROM goal_progress g WHERE g.workspace_id = ? AND g.goal = ?
          AND g.subject = ? AND g.subject_id = c.subject_id AND g.reached_at <= c.earliest)
      ) WHERE reached_at IS NOT NULL
      ${upsert}`,
    args: [
      goal.workspaceId,
      goal.id,
      subject,
      ...matchArgs.join,
      goal.workspaceId,
      ...matchArgs.where,
      goal.count - 1,
      goal.workspaceId,
      ...scope.messageIds,
      goal.workspaceId,
      goal.id,
      subject,
    ],
  };
}

/** Every subject's progress from all of history: a milestone created or changed, a checklist published. */
function backfill(
  goal: Goal,
  subject: Subject,
  scope: { messageIds: readonly string[] } | 'all',
  now: number,
): InStatement {
  const column = subject === 'user' ? 'e.user_id' : 'e.account_id';
  const [matchSql, matchArgs] = matching(goal, subject, now);
  const where = ['e.workspace_id = ?', `${column} IS NOT NULL`, matchSql.where];
  const args: InValue[] = [goal.workspaceId, ...matchArgs.where];
  if (scope !== 'all') {
    const own = subject === 'user' ? 'user_id' : 'account_id';
    where.push(
      `${column} IN (SELECT ${own} FROM events WHERE workspace_id = ? AND message_id IN (${scope.messageIds
        .map(() => '?')
        .join(', ')}))`,
    );
    args.push(goal.workspaceId, ...scope.messageIds);
  }
  return {
    sql: `INSERT INTO goal_progress (workspace_id, goal, subject, subject_id, reached_at)
      SELECT ?, ?, ?, subject_id, timestamp FROM (
        SELECT ${column} AS subject_id, e.timestamp,
          row_number() OVER (PARTITION BY ${column} ORDER BY e.timestamp, e.seq) AS n
        FROM events e ${matchSql.join}
        WHERE ${where.join(' AND ')}
      ) WHERE n = ?
      ON CONFLICT (workspace_id, goal, subject, subject_id)
        DO UPDATE SET reached_at = min(goal_progress.reached_at, excluded.reached_at)`,
    args: [goal.workspaceId, goal.id, subject, ...matchArgs.join, ...args, goal.count],
  };
}

/**
 * What makes an event count toward a goal (its type and name or URL, its property filters, its
 * window after the subject's first-seen time), as SQL on the alias `e`, with the join the window needs.
 */
function matching(
  goal: Goal,
  subject: Subject,
  now: number,
): [{ join: string; where: string }, { join: InValue[]; where: InValue[] }] {
  const where: string[] = [];
  const args: InValue[] = [];
  if (goal.on.type === 'track') {
    const [sql, values] = trackSql(goal.on.event, goal.on.where, now);
    where.push(sql);
    args.push(...values);
  } else {
    where.push(`e.type = 'page'`);
    const [sql, values] = urlSql(goal.on.url);
    where.push(sql);
    args.push(...values);
  }
  let join = '';
  if (goal.withinDays !== undefined) {
    const table = subject === 'user' ? 'users' : 'accounts';
    const column = subject === 'user' ? 'e.user_id' : 'e.account_id';
    join = `JOIN ${table} s ON s.workspace_id = e.workspace_id AND s.id = ${column}`;
    where.push('e.timestamp <= s.first_seen + ?');
    args.push(goal.withinDays * dayMs);
  }
  return [
    { join, where: where.join(' AND ') },
    { join: [], where: args },
  ];
}

/**
 * SQL (on the alias `e`) for a `track` event named `event` whose properties pass every filter; also
 * used by core-feature adoption (server/adoption/).
 */
export function trackSql(
  event: string,
  filters: readonly PropertyFilter[],
  now: number,
): [string, InValue[]] {
  const where = [`e.type = 'track'`, 'e.name = ?'];
  const args: InValue[] = [event];
  for (const filter of filters) {
    const [sql, values] = filterSql(propertyValue(filter.property), filter, now);
    where.push(sql);
    args.push(...values);
  }
  return [where.join(' AND '), args];
}

/** Forgets a goal's progress (before a backfill with a changed rule). */
export function clearGoal(workspaceId: string, goalId: string): InStatement {
  return {
    sql: 'DELETE FROM goal_progress WHERE workspace_id = ? AND goal = ?',
    args: [workspaceId, goalId],
  };
}

/**
 * SQL for an event property: its value `x` and its JSON type `t` ('integer', 'real', 'text', 'true',
 * 'false', 'null', 'array', 'object', or NULL when absent). A dotted name matches an exact key
 * first, then the nested path, as `lookup` in shared/conditions.ts does. Property names cannot contain
 * `"` (schema) and `'` is escaped, so the paths are safe literals.
 */
interface Property {
  x: string;
  t: string;
  path: string;
}
function propertyValue(property: string): Property {
  const literal = (parts: string[]) =>
    `'$${parts
      .map((p) => `."${p}"`)
      .join('')
      .replaceAll("'", "''")}'`;
  const exact = literal([property]);
  const path = property.includes('.')
    ? `(CASE WHEN json_type(e.properties, ${exact}) IS NOT NULL THEN ${exact} ELSE ${literal(property.split('.'))} END)`
    : exact;
  return { x: `json_extract(e.properties, ${path})`, t: `json_type(e.properties, ${path})`, path };
}

/** A number, or a numeric string; never a boolean (JSON true/false extract as 1/0 in SQL). */
const numeric = ({ x, t }: Property) =>
  `(CASE WHEN ${t} IN ('integer', 'real') THEN ${x}
    WHEN ${t} = 'text' AND trim(${x}) <> '' AND trim(${x}) NOT GLOB '*[^0-9.eE+-]*' THEN CAST(${x} AS REAL) END)`;
/** Epoch milliseconds, or an ISO 8601 string as epoch milliseconds. */
const epochMs = ({ x, t }: Property) =>
  `(CASE WHEN ${t} IN ('integer', 'real') THEN ${x}
    WHEN ${t} = 'text' AND ${x} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
      THEN CAST(round((julianday(${x}) - 2440587.5) * 86400000) AS INTEGER) END)`;

/**
 * SQL for one comparison, mirroring `compare` in shared/conditions.ts (test/server/goal-sql.test.ts
 * checks that they agree). Every predicate is wrapped so that an unknown (NULL) reads as false.
 */
function filterSql(p: Property, comparison: Comparison, now: number): [string, InValue[]] {
  const { x, t } = p;
  const sameAs = (value: string | number | boolean): [string, InValue[]] => {
    if (typeof value === 'boolean') return [`${t} = ?`, [value ? 'true' : 'false']];
    const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
    const text = typeof value === 'string' ? `(${t} = 'text' AND ${x} = ?)` : '0';
    const textArgs = typeof value === 'string' ? [value] : [];
    if (!Number.isFinite(n)) return [text, textArgs];
    return [`(${text} OR coalesce(${numeric(p)} = ?, 0))`, [...textArgs, n]];
  };
  const anyOf = (values: readonly (string | number | boolean)[]): [string, InValue[]] => {
    const parts = values.map(sameAs);
    return [`(${parts.map(([sql]) => sql).join(' OR ')})`, parts.flatMap(([, args]) => args)];
  };
  const not = ([sql, args]: [string, InValue[]]): [string, InValue[]] => [
    `(${x} IS NULL OR NOT coalesce(${sql}, 0))`,
    args,
  ];
  switch (comparison.op) {
    case 'exists':
      return [`${x} IS NOT NULL`, []];
    case 'notExists':
      return [`${x} IS NULL`, []];
    case 'equals':
      return [`coalesce(${sameAs(comparison.value)[0]}, 0)`, sameAs(comparison.value)[1]];
    case 'notEquals':
      return not(sameAs(comparison.value));
    case 'contains':
      // A string containing the text (case-insensitive), or an array with the value as an element.
      return [
        `coalesce((${t} = 'text' AND instr(lower(${x}), lower(?)) > 0)
          OR (${t} = 'array' AND EXISTS (SELECT 1 FROM json_each(e.properties, ${p.path}) j
            WHERE j.type = 'text' AND j.value = ?)), 0)`,
        [comparison.value, comparison.value],
      ];
    case 'gt':
      return [`coalesce(${numeric(p)} > ?, 0)`, [comparison.value]];
    case 'lt':
      return [`coalesce(${numeric(p)} < ?, 0)`, [comparison.value]];
    case 'before':
    case 'after': {
      const bound =
        typeof comparison.value === 'object'
          ? now - comparison.value.daysAgo * dayMs
          : Date.parse(comparison.value);
      return [`coalesce(${epochMs(p)} ${comparison.op === 'before' ? '<' : '>'} ?, 0)`, [bound]];
    }
    case 'in': {
      const [sql, args] = anyOf(comparison.value);
      return [`coalesce(${sql}, 0)`, args];
    }
    case 'notIn':
      return not(anyOf(comparison.value));
    default:
      return ['0', []];
  }
}

/** A page view's URL rule, on `context.page.path` (and `.search`), with libSQL's REGEXP for globs. */
function urlSql(rule: UrlRule): [string, InValue[]] {
  const path = `rtrim(json_extract(e.context, '$.page.path'), '/')`;
  const target = rule.withQuery
    ? `(${path} || coalesce(json_extract(e.context, '$.page.search'), ''))`
    : path;
  const pattern = rule.withQuery
    ? rule.pattern
    : rule.pattern.length > 1
      ? rule.pattern.replace(/\/$/, '')
      : '';
  switch (rule.match) {
    case 'exact':
      return [`${target} = ?`, [pattern]];
    case 'prefix':
      return [`substr(${target}, 1, ?) = ?`, [rule.pattern.length, rule.pattern]];
    case 'glob':
      return [`${target} REGEXP ?`, [globSource(pattern)]];
    default:
      return ['0', []];
  }
}
