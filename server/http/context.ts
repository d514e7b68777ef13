import type { Tenant } from '../workspaces/store.ts';

/** Values the middleware puts on a request's context for the routes after it. */
export interface AppEnv {
  Variables: {
    tenant: Tenant;
    /**
     * A browser origin allowed for this request's workspace (or, on a refusal that reveals nothing of
     * any workspace, such as a rate limit per address, the request's origin): error responses carry
     * CORS for it too.
     */
    corsOrigin?: string;
  };
}
