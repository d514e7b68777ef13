import { eq, or } from 'drizzle-orm';
import { type Database, statement } from '../db/client.ts';
import { type WorkspaceRow, workspaces } from '../db/schema.ts';
import { hashSecretKey, newIdentitySecret, newPublishableKey, newSecretKey } from './keys.ts';

/** A workspace as the request path needs it, and how the caller proved access to it. */
export interface Tenant {
  workspace: WorkspaceRow;
  /** `publishable`: a browser or a client library; `secret`: the customer's own server or the admin. */
  keyKind: 'publishable' | 'secret';
}

/**
 * Finds workspaces by key. Lookups are cached for a few seconds per process: a cache entry only saves a
 * read, it is never needed for correctness (a key change reaches every instance within `ttlMs`).
 */
export class WorkspaceDirectory {
  #cache = new Map<string, { tenant: Tenant | null; expires: number }>();

  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
    private readonly ttlMs = 5_000,
  ) {}

  /**
   * @example
   * const tenant = await directory.byKey('pk_...') // { workspace, keyKind: 'publishable' } or null
   */
  async byKey(key: string): Promise<Tenant | null> {
    const now = this.clock();
    const cached = this.#cache.get(key);
    if (cached && cached.expires > now) return cached.tenant;
    const tenant = await this.#lookup(key);
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(key, { tenant, expires: now + this.ttlMs });
    return tenant;
  }

  /** Drops cached lookups after this process changed a workspace. */
  forget(): void {
    this.#cache.clear();
  }

  async #lookup(key: string): Promise<Tenant | null> {
    if (!/^(pk|sk)_[0-9A-Za-z]{8,64}$/.test(key)) return null;
    const secretHash = hashSecretKey(key);
    const [row] = await this.db.read
      .select()
      .from(workspaces)
      .where(or(eq(workspaces.publishableKey, key), eq(workspaces.secretKeyHash, secretHash)))
      .limit(1);
    if (!row) return null;
    return { workspace: row, keyKind: row.publishableKey === key ? 'publishable' : 'secret' };
  }
}

/** A freshly created workspace and its keys; the secret key is not stored and cannot be shown again. */
export interface CreatedWorkspace {
  workspace: WorkspaceRow;
  publishableKey: string;
  secretKey: string;
  identitySecret: string;
}

/**
 * Creates a workspace with new keys and one identity secret.
 *
 * @example
 * const { publishableKey, secretKey } = await createWorkspace(db, { id: 'acme', name: 'Acme' }, Date.now())
 */
export async function createWorkspace(
  db: Database,
  input: { id: string; name: string; allowedOrigins?: string[] },
  now: number,
): Promise<CreatedWorkspace> {
  const publishableKey = newPublishableKey();
  const secretKey = newSecretKey();
  const identitySecret = newIdentitySecret();
  const row: WorkspaceRow = {
    id: input.id,
    name: input.name,
    publishableKey,
    secretKeyHash: hashSecretKey(secretKey),
    allowedOrigins: input.allowedOrigins ?? [],
    identityVerification: 'off',
    identitySecrets: [identitySecret],
    theme: {},
    goalsRevision: 0,
    promptCooldownHours: 72,
    createdAt: now,
  };
  await db.writer.batch([statement(db.read.insert(workspaces).values(row))]);
  return { workspace: row, publishableKey, secretKey, identitySecret };
}
