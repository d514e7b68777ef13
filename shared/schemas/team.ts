import { z } from 'zod';
import { storedText } from './stored-text.ts';
import { workspaceName } from './workspace.ts';

/** A team member's role in a workspace, least to most powerful (README, "Team sign-in"). */
export const teamRole = z.enum(['viewer', 'editor', 'admin', 'owner']);
export type TeamRole = z.infer<typeof teamRole>;

/** `GET /v1/console/session`: who is signed in, the workspaces they belong to, and the one they work in. */
export const consoleSession = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  workspaces: z.array(z.object({ id: z.string(), name: z.string(), role: teamRole })),
  /** The workspace the admin API works on for this session; null before one is chosen. */
  activeWorkspaceId: z.string().nullable(),
});
export type ConsoleSession = z.infer<typeof consoleSession>;

/** `POST /v1/console/session/workspace`: the workspace the session switches to. */
export const workspaceSwitch = z.strictObject({ workspaceId: z.string().min(1, 'must not be empty') });

/** A team member's password: better-auth's limits (8 to 128 characters). */
export const teamPassword = z.string().min(8, 'must be at least 8 characters').max(128);

/** A team member's email, as typed. */
export const teamEmail = z.email('must be an email address').max(254);

/** `GET /v1/setup`: whether this install still needs its first owner (no team member at all). */
export const setupStatus = z.object({ needsOwner: z.boolean() });

/** `POST /v1/setup`: the first owner and their workspace. */
export const setupInput = z.strictObject({
  name: storedText(z.string().trim().min(1, 'must not be empty').max(200)),
  email: teamEmail,
  password: teamPassword,
  workspaceName,
});
export type SetupInput = z.infer<typeof setupInput>;

/** `POST /v1/setup`'s answer: the session, and the new workspace's keys (the secret key shown this once). */
export const setupResult = consoleSession.extend({
  publishableKey: z.string(),
  secretKey: z.string(),
});

/** A member of a workspace's team, as `GET /v1/console/workspaces/{workspaceId}/members` lists them. */
export const teamMember = z.object({
  /** The membership's id: what the role change and removal routes take. */
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: teamRole,
  /** When they joined this workspace (ISO 8601). */
  since: z.string(),
});
export type TeamMember = z.infer<typeof teamMember>;

/** A workspace's team, in the order they joined it. */
export const teamMemberList = z.object({ members: z.array(teamMember) });

/** `PATCH /v1/console/workspaces/{workspaceId}/members/{memberId}`: the member's new role. */
export const memberRoleChange = z.strictObject({ role: teamRole });

/** `POST /v1/console/workspaces/{workspaceId}/invitations`: who to invite, with which role. */
export const invitationInput = z.strictObject({ email: teamEmail, role: teamRole });

/** Where an invitation stands: pending until accepted, cancelled (or replaced by a new one), or expired. */
export const invitationStatus = z.enum(['pending', 'accepted', 'rejected', 'canceled']);

/** An invitation to a workspace, as its owners and admins see it. */
export const teamInvitation = z.object({
  id: z.string(),
  email: z.string(),
  role: teamRole,
  status: invitationStatus,
  /** When the link stops working (ISO 8601). */
  expiresAt: z.string(),
  /** The console page that accepts it, on this server (the emailed link is this path on its address). */
  path: z.string(),
});
export type TeamInvitation = z.infer<typeof teamInvitation>;

/** A workspace's invitations, newest first. */
export const teamInvitationList = z.object({ invitations: z.array(teamInvitation) });

/** An invitation as the person invited sees it, signed in with the email it was sent to. */
export const receivedInvitation = z.object({
  id: z.string(),
  email: z.string(),
  role: teamRole,
  status: invitationStatus,
  expiresAt: z.string(),
  workspaceId: z.string(),
  workspaceName: z.string(),
  inviterEmail: z.string(),
});
export type ReceivedInvitation = z.infer<typeof receivedInvitation>;
