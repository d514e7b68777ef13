import type { Tenant } from '../workspaces/store.ts';

/** Values the middleware puts on a request's context for the routes after it. */
export interface AppEnv {
  Variables: {
    tenant: Tenant;
    /** A browser origin allowed for this request's workspace: error responses carry CORS for it too. */
    corsOrigin?: string;
  };
}
