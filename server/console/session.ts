import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** A member's role in a workspace (README, "Console"): viewers read, editors also change content. */
export type Role = 'owner' | 'admin' | 'editor' | 'viewer';

/** `GET /v1/console/session`: who is signed in, their workspaces, the one they are looking at. */
export interface ConsoleSession {
  user: { id: string; email: string; name: string };
  workspaces: Array<{ id: string; name: string; role: Role }>;
  /** Null before one is chosen: the console then chooses the first. */
  activeWorkspaceId: string | null;
}

export interface SessionState {
  session: ConsoleSession;
  workspace: ConsoleSession['workspaces'][number];
  /** Whether this member may change anything (the server refuses a viewer's changes anyway). */
  canEdit: boolean;
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
