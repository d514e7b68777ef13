import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { type Database, statement } from '../db/client.ts';
import {
  apiKeys,
  identityTraffic,
  type KeyKind,
  organizations,
  type WorkspaceRow,
  workspaces,
} from '../db/schema.ts';
import {
  hashSecretKey,
  isKeyShaped,
  newIdentitySecret,
  newKeyId,
  newPublishableKey,
  newSecretKey,
} from './keys.ts';

/** A workspace as the request path needs it, and how the caller proved access to it. */
export interface Tenant {
  workspace: WorkspaceRow;
  /** `publishable`: a browser or a client library; `secret`: the customer's own server, the admin, or a signed-in team member. */
  keyKind: KeyKind;
  /** The id (`key_...`) of the key the request came with, or `session:<id>` for a signed-in member. */
  keyId: string;
  /**
   * What preview links are signed with: the lookups (hashes) of the workspace's live secret keys,
   * newest first. Revoking a secret key, or its expiry after a rotation, ends its previews.
   */
  signingKeys: string[];
}

/** SQL order: the newest key first; of two created in the same millisecond, the one inserted last. */
export const newestFirst = [desc(apiKeys.createdAt), desc(sql`rowid`)];

/** SQL: the key is neither revoked nor past the expiry a rotation gave it. */
export const liveKey = (now: number) =>
  and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)));

/**
 * Finds workspaces by key. Lookups are cached for a few seconds per process: a cache entry only saves a
 * read, it is never needed for correctness (a key change reaches every instance within `ttlMs`).
 *
 * The cache is bounded in entries, and so in bytes: only key-shaped strings (at most 67 characters)
 * are ever looked up or cached, so a flood of junk keys costs neither memory nor database reads.
 */
export class WorkspaceDirectory {
  /** Insertion-ordered: the first entry is the least recently used. */
  #cache = new Map<string, { tenant: Tenant | null; expires: number }>();

  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 1_000,
  ) {}

  /**
   * @example
   * const tenant = await directory.byKey('pk_...') // { workspace, keyKind: 'publishable', ... } or null
   */
  async byKey(key: string): Promise<Tenant | null> {
    if (!isKeyShaped(key)) return null;
    const now = this.clock();
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      if (cached.expires > now) {
        this.#cache.set(key, cached);
        return cached.tenant;
      }
    }
    const found = await this.#lookup(key, now);
    if (this.#cache.size >= this.maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    // An entry never outlives the key nor the secret keys it holds for previews: a rotated key stops
    // at its expiry, not up to ttlMs later.
    this.#cache.set(key, {
      tenant: found?.tenant ?? null,
      expires: Math.min(now + this.ttlMs, found?.expiresAt ?? Number.POSITIVE_INFINITY),
    });
    return found?.tenant ?? null;
  }

  /**
   * The workspace a signed-in team member works on, as a secret key would see it: the same routes
   * serve both (routes/admin.ts). Not cached: one read of the workspace and its secret keys.
   *
   * @example
   * const tenant = await directory.byWorkspace('acme', 'session:abc') // null if the workspace is gone
   */
  async byWorkspace(workspaceId: string, via: string): Promise<Tenant | null> {
    const [workspace] = await this.db.read.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    if (!workspace) return null;
    return {
      workspace,
      keyKind: 'secret',
      keyId: via,
      signingKeys: await this.#signingKeys(workspaceId, this.clock()),
    };
  }

  /** How many lookups are cached (for tests of the bound). */
  get size(): number {
    return this.#cache.size;
  }

  /** Drops cached lookups after this process changed a workspace or its keys. */
  forget(): void {
    this.#cache.clear();
  }

  async #lookup(key: string, now: number): Promise<{ tenant: Tenant; expiresAt: number } | null> {
    const lookup = key.startsWith('sk_') ? hashSecretKey(key) : key;
    const [row] = await this.db.read
      .select({ id: apiKeys.id, kind: apiKeys.kind, expiresAt: apiKeys.expiresAt, workspace: workspaces })
      .from(apiKeys)
      .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
      .where(and(eq(apiKeys.lookup, lookup), liveKey(now)))
      .limit(1);
    // A publishable key is never accepted where a secret one is named, and the other way round.
    if (!row || row.kind !== (key.startsWith('sk_') ? 'secret' : 'publishable')) return null;
    const secrets = await this.#secretKeys(row.workspace.id, now);
    return {
      tenant: {
        workspace: row.workspace,
        keyKind: row.kind,
        keyId: row.id,
        signingKeys: secrets.map((secret) => secret.lookup),
      },
      expiresAt: Math.min(...[row, ...secrets].map((live) => live.expiresAt ?? Number.POSITIVE_INFINITY)),
    };
  }

  #secretKeys(workspaceId: string, now: number) {
    return this.db.read
      .select({ lookup: apiKeys.lookup, expiresAt: apiKeys.expiresAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.kind, 'secret'), liveKey(now)))
      .orderBy(...newestFirst);
  }

  async #signingKeys(workspaceId: string, now: number): Promise<string[]> {
    return (await this.#secretKeys(workspaceId, now)).map((secret) => secret.lookup);
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
 * Creates a workspace with one publishable key, one secret key and one identity secret, and its
 * organization (the same id), which holds its team members (README, "Team sign-in").
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
    allowedOrigins: input.allowedOrigins ?? [],
    identityVerification: 'off',
    identitySecrets: [identitySecret],
    theme: {},
    goalsRevision: 0,
    contentRevision: 0,
    promptCooldownHours: 72,
    createdAt: now,
  };
  await db.writer.batch([
    statement(db.read.insert(workspaces).values(row)),
    statement(
      db.read
        .insert(organizations)
        .values({ id: row.id, name: row.name, slug: row.id, createdAt: new Date(now) }),
    ),
    keyInsert(db, row.id, 'publishable', publishableKey, now),
    keyInsert(db, row.id, 'secret', secretKey, now),
  ]);
  return { workspace: row, publishableKey, secretKey, identitySecret };
}

/**
 * The statement that stores a new key: a publishable key as it is, a secret key as its hash. `id` is
 * the key's public handle, generated unless the caller needs to know it beforehand.
 *
 * @example
 * await db.writer.batch([keyInsert(db, 'acme', 'secret', newSecretKey(), Date.now())])
 */
export function keyInsert(
  db: Database,
  workspaceId: string,
  kind: KeyKind,
  key: string,
  now: number,
  id = newKeyId(),
) {
  return statement(
    db.read.insert(apiKeys).values({
      workspaceId,
      id,
      kind,
      lookup: kind === 'secret' ? hashSecretKey(key) : key,
      hint: kind === 'secret' ? `sk_…${key.slice(-4)}` : `${key.slice(0, 7)}…`,
      createdAt: now,
    }),
  );
}

/**
 * The workspace's newest live publishable key: the one its install snippet and the demo page show.
 *
 * @example
 * await currentPublishableKey(db, 'demo', Date.now()) // 'pk_...' or null
 */
export async function currentPublishableKey(
  db: Database,
  workspaceId: string,
  now: number,
): Promise<string | null> {
  const [row] = await db.read
    .select({ lookup: apiKeys.lookup })
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.kind, 'publishable'), liveKey(now)))
    .orderBy(...newestFirst)
    .limit(1);
  return row?.lookup ?? null;
}

/** A workspace as `waymark workspace list` shows it. */
export interface WorkspaceSummary {
  id: string;
  name: string;
  /** The newest live publishable key, the one an install snippet names. */
  publishableKey: string | null;
  createdAt: number;
}

/**
 * Every workspace, oldest first, with its current publishable key.
 *
 * @example
 * await listWorkspaces(db, Date.now()) // [{ id: 'demo', name: 'Ledgerly (demo)', publishableKey: 'pk_...', createdAt }]
 */
export async function listWorkspaces(db: Database, now: number): Promise<WorkspaceSummary[]> {
  const rows = await db.read
    .select({ id: workspaces.id, name: workspaces.name, createdAt: workspaces.createdAt })
    .from(workspaces)
    .orderBy(workspaces.createdAt, workspaces.id);
  return Promise.all(
    rows.map(async (row) => ({ ...row, publishableKey: await currentPublishableKey(db, row.id, now) })),
  );
}

/**
 * A workspace id made from its name: lowercase letters, digits and dashes (empty if none are left).
 *
 * @example
 * workspaceIdFromName('Acme Café') // 'acme-cafe'
 */
export function workspaceIdFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 64)
    .replace(/^-+|-+$/g, '');
}

/**
 * `id` if no workspace has it, else `id-2`, `id-3`... (the first free one).
 *
 * @example
 * await freeWorkspaceId(db, 'acme') // 'acme-2' when acme exists
 */
export async function freeWorkspaceId(db: Database, id: string): Promise<string> {
  const base = id === '' ? 'workspace' : id;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, 60)}-${n}`;
    const [taken] = await db.read
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(eq(workspaces.id, candidate));
    if (!taken) return candidate;
  }
}

/** A workspace's stored row (settings, secrets), read fresh rather than from the directory's cache. */
export async function workspaceRow(db: Database, id: string) {
  const [workspace] = await db.read.select().from(workspaces).where(eq(workspaces.id, id));
  return workspace;
}

/** Settings to change on a workspace (`PATCH /v1/admin/workspace`, checked there). */
export type WorkspaceSettingsPatch = Partial<
  Pick<
    typeof workspaces.$inferInsert,
    'name' | 'allowedOrigins' | 'identityVerification' | 'theme' | 'promptCooldownHours'
  >
>;

/** Writes changed settings; a new name renames its organization (the team) too, in the same write. */
export async function updateWorkspaceSettings(
  db: Database,
  id: string,
  patch: WorkspaceSettingsPatch,
): Promise<void> {
  await db.writer.batch([
    statement(db.read.update(workspaces).set(patch).where(eq(workspaces.id, id))),
    ...(patch.name === undefined
      ? []
      : [statement(db.read.update(organizations).set({ name: patch.name }).where(eq(organizations.id, id)))]),
  ]);
}

/** The identity secrets a workspace accepts now, newest first. */
export async function saveIdentitySecrets(db: Database, id: string, live: string[]): Promise<void> {
  await db.writer.batch([
    statement(db.read.update(workspaces).set({ identitySecrets: live }).where(eq(workspaces.id, id))),
  ]);
}

/** The `identity_traffic` counters kept at ingestion: messages per subject and signature state. */
export function identityTrafficRows(db: Database, workspaceId: string) {
  return db.read.select().from(identityTraffic).where(eq(identityTraffic.workspaceId, workspaceId));
}
