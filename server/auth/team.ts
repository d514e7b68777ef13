import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { errorCodes } from '../../shared/problem.ts';
import { type TeamMember, type TeamRole, teamRole } from '../../shared/schemas/team.ts';
import { type Database, statement } from '../db/client.ts';
import { teamInvitations, teamMembers, teamSessions, teamUsers, workspaces } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';

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

/**
 * The members of a workspace and their roles, in the order they joined it. A stored role Waymark
 * does not know grants nothing, so its holder is no member (as for `roleIn`).
 *
 * @example
 * await membersOf(db, 'acme') // [{ id, userId, name: 'Ana Lima', email, role: 'owner', since }]
 */
export async function membersOf(db: Database, workspaceId: string): Promise<TeamMember[]> {
  const rows = await db.read
    .select({
      id: teamMembers.id,
      userId: teamMembers.userId,
      name: teamUsers.name,
      email: teamUsers.email,
      role: teamMembers.role,
      createdAt: teamMembers.createdAt,
    })
    .from(teamMembers)
    .innerJoin(teamUsers, eq(teamUsers.id, teamMembers.userId))
    .where(eq(teamMembers.organizationId, workspaceId))
    .orderBy(asc(teamMembers.createdAt), asc(teamMembers.id));
  return rows.flatMap(({ createdAt, role: stored, ...row }) => {
    const role = storedRole(stored);
    return role ? [{ ...row, role, since: createdAt.toISOString() }] : [];
  });
}

/**
 * The workspace's team as `userId` may see it: 404 when they are not a member of it (a workspace
 * of someone else's is not shown to exist).
 *
 * @example
 * await teamOf(db, userId, 'acme')
 */
export async function teamOf(db: Database, userId: string, workspaceId: string): Promise<TeamMember[]> {
  if ((await roleIn(db, userId, workspaceId)) === null) throw notYourWorkspace(workspaceId);
  return membersOf(db, workspaceId);
}

/** A change to a membership: a new role, or removal from the workspace. */
export type MembershipChange = { role: TeamRole } | { remove: true };

/**
 * Changes a member's role or removes them, as `actorUserId` asks, under the team rules (README,
 * "Team sign-in"): only owners and admins manage members (403); only an owner grants or takes away
 * the owner role (403); the last owner of a workspace is neither demoted nor removed (409
 * `last_owner`); a workspace the actor is not a member of, or a member not in it, is not found
 * (404). The write is guarded by what the checks read (the actor's and the member's stored roles,
 * and for an owner, that another owner remains), in the same statement, so two owners demoting each
 * other at once cannot leave the workspace without one: the second change is checked again and
 * refused. Answers the member as changed, or null once removed.
 *
 * @example
 * await changeMembership(db, { actorUserId, workspaceId: 'acme', memberId }, { role: 'editor' })
 */
export async function changeMembership(
  db: Database,
  target: { actorUserId: string; workspaceId: string; memberId: string },
  change: MembershipChange,
): Promise<TeamMember | null> {
  const { actorUserId, workspaceId, memberId } = target;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [actor] = await db.read
      .select({ role: teamMembers.role })
      .from(teamMembers)
      .where(and(eq(teamMembers.organizationId, workspaceId), eq(teamMembers.userId, actorUserId)));
    const actorRole = actor ? storedRole(actor.role) : null;
    if (!actor || actorRole === null) throw notYourWorkspace(workspaceId);
    if (!atLeast(actorRole, 'admin')) {
      throw new ApiError(
        403,
        errorCodes.forbidden,
        'Needs the admin role',
        `Managing members needs the admin role or above; you are ${actorRole} in ${workspaceId}.`,
      );
    }
    const [member] = await db.read
      .select({ role: teamMembers.role, userId: teamMembers.userId })
      .from(teamMembers)
      .where(and(eq(teamMembers.organizationId, workspaceId), eq(teamMembers.id, memberId)));
    if (!member) {
      throw new ApiError(404, errorCodes.notFound, 'Not found', `No member ${memberId} in ${workspaceId}.`);
    }
    const memberRole = storedRole(member.role);
    const newRole = 'role' in change ? change.role : null;
    if ((memberRole === 'owner' || newRole === 'owner') && actorRole !== 'owner') {
      throw new ApiError(
        403,
        errorCodes.forbidden,
        'Needs the owner role',
        newRole === 'owner' && memberRole !== 'owner'
          ? `Only an owner may make someone an owner; you are ${actorRole} in ${workspaceId}.`
          : `Only an owner may change or remove an owner; you are ${actorRole} in ${workspaceId}.`,
      );
    }
    const losesOwner = memberRole === 'owner' && newRole !== 'owner';
    if (losesOwner && (await ownerCount(db, workspaceId)) <= 1) {
      const who = member.userId === actorUserId ? 'You are' : 'This member is';
      throw new ApiError(
        409,
        errorCodes.lastOwner,
        'The last owner',
        `${who} the last owner of ${workspaceId}: a workspace keeps at least one owner, so make another member owner first${newRole === null ? '' : ', then change this role'}.`,
      );
    }
    if (newRole !== null && newRole === memberRole && member.role === newRole) {
      return (await membersOf(db, workspaceId)).find((m) => m.id === memberId) ?? null;
    }
    // What the checks above read, still true when the write runs (the writer runs one batch at a time).
    const unchanged = and(
      eq(teamMembers.id, memberId),
      eq(teamMembers.organizationId, workspaceId),
      eq(teamMembers.role, member.role),
      sql`EXISTS (SELECT 1 FROM team_members WHERE organization_id = ${workspaceId} AND user_id = ${actorUserId} AND role = ${actor.role})`,
      losesOwner
        ? sql`(SELECT count(*) FROM team_members WHERE organization_id = ${workspaceId} AND ${holdsOwner(sql.raw('role'))}) > 1`
        : undefined,
    );
    const [result] = await db.writer.batch([
      newRole === null
        ? statement(db.read.delete(teamMembers).where(unchanged))
        : statement(db.read.update(teamMembers).set({ role: newRole }).where(unchanged)),
    ]);
    if (result && result.rowsAffected > 0) {
      return newRole === null
        ? null
        : ((await membersOf(db, workspaceId)).find((m) => m.id === memberId) ?? null);
    }
    // Someone changed the team meanwhile: check again against what it is now.
  }
  throw new ApiError(
    409,
    errorCodes.conflict,
    'The team is changing',
    'The team kept changing while this change was made: reload it and try again.',
  );
}

/** Whether a stored role (better-auth may keep several, `admin,owner`) includes owner, in SQL. */
const holdsOwner = (role: SQL): SQL => sql`(',' || replace(${role}, ' ', '') || ',') LIKE '%,owner,%'`;

/** How many owners a workspace has. */
async function ownerCount(db: Database, workspaceId: string): Promise<number> {
  const rows = await db.read
    .select({ role: teamMembers.role })
    .from(teamMembers)
    .where(eq(teamMembers.organizationId, workspaceId));
  return rows.filter((row) => storedRole(row.role) === 'owner').length;
}

/** A workspace the asker is not a member of: not found, whether it exists or not. */
const notYourWorkspace = (workspaceId: string) =>
  new ApiError(404, errorCodes.notFound, 'Not found', `You are not a member of a workspace ${workspaceId}.`);

/** Whether `email` has an invitation still pending and not expired at `now` (sign-up needs one). */
export async function hasPendingInvitation(db: Database, email: string, now: number): Promise<boolean> {
  const [invited] = await db.read
    .select({ id: teamInvitations.id })
    .from(teamInvitations)
    .where(
      and(
        eq(teamInvitations.email, email),
        eq(teamInvitations.status, 'pending'),
        gt(teamInvitations.expiresAt, new Date(now)),
      ),
    )
    .limit(1);
  return invited !== undefined;
}

/** Whether invitation `invitationId` belongs to workspace `workspaceId`. */
export async function invitationIn(
  db: Database,
  workspaceId: string,
  invitationId: string,
): Promise<boolean> {
  const [found] = await db.read
    .select({ id: teamInvitations.id })
    .from(teamInvitations)
    .where(and(eq(teamInvitations.id, invitationId), eq(teamInvitations.organizationId, workspaceId)));
  return found !== undefined;
}

/**
 * The workspace a session works in from now on, the session found by its id or, right after
 * sign-in, by its token.
 */
export async function setActiveWorkspace(
  db: Database,
  session: { sessionId: string } | { token: string },
  workspaceId: string,
): Promise<void> {
  const which =
    'sessionId' in session ? eq(teamSessions.id, session.sessionId) : eq(teamSessions.token, session.token);
  await db.writer.batch([
    statement(db.read.update(teamSessions).set({ activeOrganizationId: workspaceId }).where(which)),
  ]);
}
