import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { z } from 'zod';
import type { accountDetail, eventPage, userDetail } from '../../shared/schemas/people.ts';
import { subjectProgress } from '../analytics/time-to-value.ts';
import type { Database } from '../db/client.ts';
import { accounts, events, users } from '../db/schema.ts';

/** What the event log is filtered by (routes/admin.ts validates it). */
export interface EventLogQuery {
  userId?: string | undefined;
  accountId?: string | undefined;
  anonymousId?: string | undefined;
  type?: (typeof events.$inferSelect)['type'] | undefined;
  name?: string | undefined;
  /** Only events before this `[timestamp, seq]` (the previous page's `next`). */
  before?: [number, number] | undefined;
  limit: number;
}

/**
 * A page of the workspace's events, newest first by event time (ties by arrival), so that every
 * filter is one index read in order: events_time, events_{user,account,name}_time. On a report
 * connection, off the main thread.
 *
 * @example
 * await eventLog(db, 'acme', { name: 'Report Created', limit: 50 }) // { events: [...], next: '1733472000000.812' }
 */
export async function eventLog(
  db: Database,
  ws: string,
  q: EventLogQuery,
): Promise<z.infer<typeof eventPage>> {
  const rows = await db.reports
    .select()
    .from(events)
    .where(
      and(
        eq(events.workspaceId, ws),
        q.userId === undefined ? undefined : eq(events.userId, q.userId),
        q.accountId === undefined ? undefined : eq(events.accountId, q.accountId),
        q.anonymousId === undefined ? undefined : eq(events.anonymousId, q.anonymousId),
        q.type === undefined ? undefined : eq(events.type, q.type),
        q.name === undefined ? undefined : eq(events.name, q.name),
        q.before === undefined
          ? undefined
          : or(
              lt(events.timestamp, q.before[0]),
              and(eq(events.timestamp, q.before[0]), lt(events.seq, q.before[1])),
            ),
      ),
    )
    .orderBy(desc(events.timestamp), desc(events.seq))
    .limit(q.limit);
  return {
    events: rows.map((row) => ({
      seq: row.seq,
      messageId: row.messageId,
      type: row.type,
      name: row.name,
      userId: row.userId,
      anonymousId: row.anonymousId,
      accountId: row.accountId,
      timestamp: new Date(row.timestamp).toISOString(),
      receivedAt: new Date(row.receivedAt).toISOString(),
      properties: parseJson(row.properties),
      traits: parseJson(row.traits),
      context: parseJson(row.context),
      identity: row.identity,
    })),
    next: rows.length === q.limit ? cursorOf(rows.at(-1)) : null,
  };
}

/** A user with their progress (milestones, time to value, checklists), or null when unknown. */
export async function userDetailOf(
  db: Database,
  ws: string,
  id: string,
): Promise<z.infer<typeof userDetail> | null> {
  const [user] = await db.read
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, ws), eq(users.id, id)));
  if (!user) return null;
  return { ...presentEntity(user), ...(await subjectProgress(db, ws, 'user', user.id, user.firstSeen)) };
}

/** An account with its progress and its users, or null when unknown. */
export async function accountDetailOf(
  db: Database,
  ws: string,
  id: string,
): Promise<z.infer<typeof accountDetail> | null> {
  const [account] = await db.read
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ws), eq(accounts.id, id)));
  if (!account) return null;
  const members = await db.read
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, ws), eq(users.accountId, id)));
  return {
    ...presentEntity(account),
    ...(await subjectProgress(db, ws, 'account', account.id, account.firstSeen)),
    users: members.map(presentEntity),
  };
}

function presentEntity(row: {
  id: string;
  traits: Record<string, unknown>;
  firstSeen: number;
  lastSeen: number;
  accountId?: string | null;
}) {
  return {
    id: row.id,
    ...(row.accountId === undefined ? {} : { accountId: row.accountId }),
    traits: row.traits,
    firstSeen: new Date(row.firstSeen).toISOString(),
    lastSeen: new Date(row.lastSeen).toISOString(),
  };
}

/** The cursor that continues after `row`: its time and its arrival order. */
const cursorOf = (row: { timestamp: number; seq: number } | undefined) =>
  row ? `${row.timestamp}.${row.seq}` : null;

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}
