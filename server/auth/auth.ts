import { randomBytes } from 'node:crypto';
import type { Client, InStatement, ResultSet } from '@libsql/client';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { organization } from 'better-auth/plugins';
import { createAccessControl } from 'better-auth/plugins/access';
import { adminAc, defaultStatements, memberAc, ownerAc } from 'better-auth/plugins/organization/access';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { type Database, statement } from '../db/client.ts';
import {
  authRateLimits,
  authVerifications,
  organizations,
  serverSecrets,
  teamCredentials,
  teamInvitations,
  teamMembers,
  teamSessions,
  teamUsers,
} from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { Mailer } from './mail.ts';
import { firstWorkspaceOf } from './team.ts';

/** How long a session lasts without use; each day of use extends it (README, "Team sign-in"). */
export const sessionDays = 7;

/** The header the server sets to the client's address for better-auth's rate limits (any sent one is replaced). */
export const clientAddressHeader = 'x-waymark-client-address';

/** Where the console answers an invitation link (the console's own route). */
export const invitationPath = (id: string) => `/app/invitations/${encodeURIComponent(id)}`;

const access = createAccessControl(defaultStatements);

/**
 * The team roles as better-auth's organization plugin knows them: owner and admin manage the
 * workspace's members and invitations; editor and viewer manage none. What each may do through the
 * admin API is decided by roles.ts, not here.
 */
const roles = {
  owner: ownerAc,
  admin: adminAc,
  editor: access.newRole(memberAc.statements),
  viewer: access.newRole(memberAc.statements),
};

export interface AuthOptions {
  db: Database;
  logger: Logger;
  /** Signs the session cookie; the same on every instance (see `serverSecret`). */
  secret: string;
  /** `PUBLIC_URL`: where people reach the server. Without it, each request's own origin. */
  publicUrl: string | undefined;
  /** Origins whose pages may make state-changing calls: the server's own. */
  ownOrigins(requestUrl: string): string[];
  mail: Mailer;
  /** better-auth's request limits per address (README, "Team sign-in"); off with the app's rate limits. */
  rateLimits: boolean;
}

/**
 * better-auth, configured for Waymark: email and password sign-in (scrypt hashes), sessions in the
 * database behind an httpOnly SameSite=Lax cookie (Secure when `publicUrl` is https), password reset
 * by link, and workspaces as organizations with the four team roles. Mounted at `/api/auth/*` by
 * routes/team.ts.
 *
 * @example
 * const auth = createAuth({ db, logger, secret, publicUrl, ownOrigins, mail, rateLimits: true })
 * await auth.handler(request)
 */
export function createAuth(options: AuthOptions) {
  const { db, logger } = options;
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  return betterAuth({
    appName: 'Waymark',
    secret: options.secret,
    ...(publicOrigin ? { baseURL: publicOrigin } : {}),
    basePath: '/api/auth',
    database: drizzleAdapter(writerRouted(db), {
      provider: 'sqlite',
      schema: {
        user: teamUsers,
        session: teamSessions,
        account: teamCredentials,
        verification: authVerifications,
        rateLimit: authRateLimits,
        organization: organizations,
        member: teamMembers,
        invitation: teamInvitations,
      },
    }),
    trustedOrigins: (request) =>
      request ? options.ownOrigins(request.url) : publicOrigin ? [publicOrigin] : [],
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      // A reset link works for an hour, and ends every session of the account.
      resetPasswordTokenExpiresIn: 3600,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url }) => {
        await options.mail({
          to: user.email,
          subject: 'Reset your Waymark password',
          text: `Someone asked to reset the password of ${user.email} on Waymark.\n\nOpen this link within an hour to choose a new one:\n${url}\n\nIf it was not you, ignore this message.`,
          link: url,
        });
      },
    },
    session: {
      expiresIn: sessionDays * 24 * 3600,
      // Sliding: a session used a day or more after its last extension is extended by `expiresIn`.
      updateAge: 24 * 3600,
    },
    rateLimit: {
      enabled: options.rateLimits,
      // Shared by every instance; sign-in failures have their own stricter guard (sign-in-guard.ts).
      storage: 'database',
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: 60, max: 30 },
        '/sign-up/email': { window: 60, max: 10 },
        '/request-password-reset': { window: 60, max: 5 },
        '/reset-password': { window: 60, max: 10 },
      },
    },
    advanced: {
      cookiePrefix: 'waymark',
      useSecureCookies: publicOrigin?.startsWith('https://') ?? false,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' },
      ipAddress: { ipAddressHeaders: [clientAddressHeader] },
      // Explicit, because better-auth turns both off when NODE_ENV is `test`.
      disableCSRFCheck: false,
      disableOriginCheck: false,
    },
    databaseHooks: {
      session: {
        create: {
          // A new session starts in the member's first workspace, so the console opens on data.
          before: async (session) => ({
            data: { ...session, activeOrganizationId: await firstWorkspaceOf(db, session.userId) },
          }),
        },
      },
    },
    logger: {
      level: 'warn',
      log: (level, message) => {
        if (level === 'error') logger.error(`auth: ${message}`);
        else logger.debug(`auth: ${message}`);
      },
    },
    plugins: [
      organization({
        ac: access,
        roles,
        creatorRole: 'owner',
        // A workspace comes with keys and an organization of the same id (workspaces/store.ts): never
        // created, renamed or deleted through better-auth.
        allowUserToCreateOrganization: false,
        disableOrganizationDeletion: true,
        invitationExpiresIn: 7 * 24 * 3600,
        cancelPendingInvitationsOnReInvite: true,
        sendInvitationEmail: async ({ id, email, role, organization: workspace, inviter }, request) => {
          // The server's public address, else the one the inviter reached it at.
          const origin = publicOrigin ?? (request ? new URL(request.url).origin : 'http://localhost:8787');
          const link = `${origin}${invitationPath(id)}`;
          await options.mail({
            to: email,
            subject: `Join ${workspace.name} on Waymark`,
            text: `${inviter.user.name} invites you to ${workspace.name} on Waymark as ${role}.\n\nOpen this link within 7 days to accept:\n${link}`,
            link,
          });
        },
      }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * A drizzle database for better-auth whose writes go through the app's one write path
 * (db/writer.ts: the libSQL trap) and whose reads use the read connection. better-auth's drizzle
 * adapter, without transactions, sends every statement alone through `execute`.
 */
function writerRouted(db: Database) {
  const reader = db.read.$client;
  const execute = async (query: InStatement): Promise<ResultSet> => {
    const text = typeof query === 'string' ? query : query.sql;
    if (/^\s*select\b/i.test(text)) return reader.execute(query);
    const [result] = await db.writer.batch([query]);
    if (!result) throw new Error('a write returned no result');
    return result;
  };
  const routed: Client = new Proxy(reader, {
    get(target, property) {
      if (property === 'execute') return execute;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return drizzle(routed);
}

/**
 * The secret that signs session cookies: `AUTH_SECRET` when set, else one made on first start and
 * kept in the database, so every instance on it signs and checks the same cookies.
 *
 * @example
 * const secret = config.AUTH_SECRET ?? (await serverSecret(db, Date.now()))
 */
export async function serverSecret(db: Database, now: number): Promise<string> {
  const name = 'auth';
  await db.writer.batch([
    statement(
      db.read
        .insert(serverSecrets)
        .values({ name, value: randomBytes(32).toString('base64url'), createdAt: now })
        .onConflictDoNothing(),
    ),
  ]);
  const [row] = await db.read.select().from(serverSecrets).where(eq(serverSecrets.name, name));
  if (!row) throw new Error('the auth secret was not stored');
  return row.value;
}
