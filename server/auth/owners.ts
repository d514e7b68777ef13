import type { TeamRole } from '../../shared/schemas/team.ts';
import type { Database } from '../db/client.ts';
import type { Auth } from './auth.ts';
import { addMember } from './team.ts';

/** A team user who already exists with this email. */
export class EmailTaken extends Error {}

/** A new team member's name, email and password. */
export interface TeamUserInput {
  name: string;
  email: string;
  password: string;
}

/**
 * Creates a team user who signs in with email and password (hashed by better-auth, scrypt), without
 * signing them in. Throws `EmailTaken` if the email is already a team user's.
 *
 * @example
 * const userId = await createTeamUser(auth, { name: 'Ana', email: 'ana@acme.com', password: '...' })
 */
export async function createTeamUser(auth: Auth, input: TeamUserInput): Promise<string> {
  const context = await auth.$context;
  const email = input.email.trim().toLowerCase();
  if (await context.internalAdapter.findUserByEmail(email)) {
    throw new EmailTaken(`${email} is already a team member's email`);
  }
  const hash = await context.password.hash(input.password);
  const user = await context.internalAdapter.createUser(
    { email, name: input.name, emailVerified: false },
    { method: 'email-password' },
  );
  await context.internalAdapter.linkAccount({
    userId: user.id,
    providerId: 'credential',
    accountId: user.id,
    password: hash,
  });
  return user.id;
}

/**
 * Creates a team user with a role in workspaces: the first owner (setup, `create-owner`), the
 * demo owner (seed.ts), or a member in tests.
 *
 * @example
 * const userId = await createMember({ db, auth, now: Date.now() }, input, ['acme'], 'owner')
 */
export async function createMember(
  deps: { db: Database; auth: Auth; now: number },
  input: TeamUserInput,
  workspaceIds: readonly string[],
  role: TeamRole,
): Promise<string> {
  const userId = await createTeamUser(deps.auth, input);
  await addMember(deps.db, userId, workspaceIds, role, deps.now);
  return userId;
}
