import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { type TeamRole, teamRole } from '../../shared/schemas/team.ts';
import { type Database, statement } from '../db/client.ts';
import { teamMembers, teamUsers, workspaces } from '../db/schema.ts';

/** Each role and the ones below it, least powerful first. */
const rank: Record<TeamRole, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** Whether `role` is `needed` or more powerful. */
export const atLeast = (role: TeamRole, needed: TeamRole): boolean => rank[role] >= rank[needed];

/**
 * A member's role as stored: better-auth keeps several as `admin,editor`; the most powerful known
 * one counts, and an unknown one none.
 */
export function storedRole(stored: string): TeamRole | null {
  let best: TeamRole | null = null;
  for (const name of stored.split(',')) {
    const parsed = teamRole.safeParse(name.trim());
    if (parsed.success && (best === null || rank[parsed.data] > rank[best])) best = parsed.data;
  }
  return best;
}

/** A workspace a team user belongs to, with their role there. */
export interface Membership {
  id: string;
  name: string;
  role: TeamRole;
}

/**
 * The workspaces a team user belongs to, in the order they joined them.
 *
 * @example
 * await workspacesOf(db, userId) // [{ id: 'demo', name: 'Ledgerly (demo)', role: 'owner' }]
 */
export async function workspacesOf(db: Database, userId: string): Promise<Membership[]> {
  const rows = await db.read
    .select({ id: workspaces.id, name: workspaces.name, role: teamMembers.role })
    .from(teamMembers)
    .innerJoin(workspaces, eq(workspaces.id, teamMembers.organizationId))
    .where(eq(teamMembers.userId, userId))
    .orderBy(asc(teamMembers.createdAt), asc(workspaces.id));
  return rows.flatMap((row) => {
    const role = storedRole(row.role);
    return role ? [{ id: row.id, name: row.name, role }] : [];
  });
}

/** The workspace a new session starts in: the user's first one, or null without any. */
export async function firstWorkspaceOf(db: Database, userId: string): Promise<string | null> {
  return (await workspacesOf(db, userId))[0]?.id ?? null;
}

/** A team user's role in a workspace, or null when they are not a member. */
export async function roleIn(db: Database, userId: string, workspaceId: string): Promise<TeamRole | null> {
  const [row] = await db.read
    .select({ role: teamMembers.role })
    .from(teamMembers)
    .where(and(eq(teamMembers.userId, userId), eq(teamMembers.organizationId, workspaceId)));
  return row ? storedRole(row.role) : null;
}

/** Whether the install still needs its first owner: no team member in any workspace. */
export async function needsOwner(db: Database): Promise<boolean> {
  const [row] = await db.read.select({ id: teamMembers.id }).from(teamMembers).limit(1);
  return row === undefined;
}

/**
 * Makes a team user a member of workspaces with a role (a workspace they already belong to keeps
 * their current role).
 *
 * @example
 * await addMember(db, userId, ['acme'], 'owner', Date.now())
 */
export async function addMember(
  db: Database,
  userId: string,
  workspaceIds: readonly string[],
  role: TeamRole,
  now: number,
): Promise<void> {
  if (workspaceIds.length === 0) return;
  await db.writer.batch(
    workspaceIds.map((organizationId) =>
      statement(
        db.read
          .insert(teamMembers)
          .values({ id: randomUUID(), organizationId, userId, role, createdAt: new Date(now) })
          .onConflictDoNothing(),
      ),
    ),
  );
}

/**
 * The workspaces nobody can reach from the console: those without any member (created before team
 * sign-in, or by `waymark workspace create`). The first owner joins them.
 */
export async function workspacesWithoutMembers(db: Database): Promise<string[]> {
  const rows = await db.read.all<{ id: string }>(
    sql`SELECT id FROM workspaces WHERE id NOT IN (SELECT organization_id FROM team_members) ORDER BY created_at, id`,
  );
  return rows.map((row) => row.id);
}

/** The team user with this email, or null. */
export async function teamUserByEmail(db: Database, email: string): Promise<{ id: string } | null> {
  const [row] = await db.read
    .select({ id: teamUsers.id })
    .from(teamUsers)
    .where(eq(teamUsers.email, email.trim().toLowerCase()));
  return row ?? null;
}
