import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ConsoleSession, TeamRole as Role } from '../../shared/schemas/team.ts';

export type { ConsoleSession, TeamRole as Role } from '../../shared/schemas/team.ts';

/** Roles from least to most powerful: each may do what the ones before it may (README, "Team sign-in"). */
const ranks: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };
/** Whether `role` is at least `needed`, as the server checks it (server/auth/roles.ts). */
export const atLeast = (role: Role, needed: Role) => ranks[role] >= ranks[needed];

export interface SessionState {
  session: ConsoleSession;
  workspace: ConsoleSession['workspaces'][number];
  /**
   * Whether this member's role allows a kind of change: the console offers only those (the server
   * refuses the others anyway).
   */
  can(needed: Role): boolean;
  switchWorkspace(id: string): Promise<void>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

/** The signed-in member's session: views are only rendered inside one. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside a signed-in console');
  return state;
}

/** Where the console lives on the server (server/routes/static.ts). */
export const base = '/app';
