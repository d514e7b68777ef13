import { and, eq, exists, inArray, isNull, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { errorCodes } from '../../shared/problem.ts';
import type { ApiKey, KeyRotation, RotatedApiKey } from '../../shared/schemas/api-key.ts';
import { type Database, statement } from '../db/client.ts';
import { type ApiKeyRow, apiKeys } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { newKeyId, newPublishableKey, newSecretKey } from './keys.ts';
import { keyInsert, liveKey, newestFirst } from './store.ts';

/**
 * Rotation and revocation of a workspace's API keys, for the admin API (server/routes/keys.ts) and
 * the command line (server/cli.ts). Callers that hold a `WorkspaceDirectory` call its `forget()`
 * after a change; other server instances see it within the directory's few seconds of cache.
 *
 * One rule keeps a workspace from locking itself out: each kind always has at least one live key
 * without an end date. A rotation adds one (the new key has no end), and a revocation is refused
 * when it would remove the last one.
 */

const hour = 3_600_000;

/**
 * A key as lists show it: the publishable key in full (it is public), a secret key never.
 *
 * @example
 * presentKey(row, Date.now()) // { id: 'key_…', kind: 'secret', hint: 'sk_…c41e', live: true, … }
 */
export function presentKey(row: ApiKeyRow, now: number): ApiKey {
  const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
  return {
    id: row.id,
    kind: row.kind,
    ...(row.kind === 'publishable' ? { key: row.lookup } : {}),
    hint: row.hint,
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    live: row.revokedAt === null && (row.expiresAt === null || row.expiresAt > now),
  };
}

/**
 * The workspace's keys, live or not, publishable first, newest first within a kind.
 *
 * @example
 * await listKeys(db, 'acme', Date.now()) // [{ kind: 'publishable', key: 'pk_…', … }, { kind: 'secret', … }]
 */
export async function listKeys(db: Database, workspaceId: string, now: number): Promise<ApiKey[]> {
  const rows = await db.read
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, workspaceId))
    .orderBy(apiKeys.kind, ...newestFirst);
  return rows.map((row) => presentKey(row, now));
}

/**
 * Creates a key of `kind` and gives the previous live keys of that kind an end `overlapHours` from
 * now (never a later end than one they already had). The new key is in the answer, and nowhere else
 * ever again when it is a secret key.
 *
 * @example
 * const { key, previous } = await rotateKey(db, 'acme', { kind: 'secret', overlapHours: 24 }, Date.now())
 * // previous[0].expiresAt: 24 hours from now; deploy `key` before then
 */
export async function rotateKey(
  db: Database,
  workspaceId: string,
  input: KeyRotation,
  now: number,
): Promise<RotatedApiKey> {
  const key = input.kind === 'secret' ? newSecretKey() : newPublishableKey();
  const id = newKeyId();
  const endsAt = now + input.overlapHours * hour;
  // One transaction: the previous keys end and the new one starts together, or neither happens.
  const [ended] = await db.writer.batch([
    statement(
      db.read
        .update(apiKeys)
        .set({ expiresAt: sql`min(coalesce(${apiKeys.expiresAt}, ${endsAt}), ${endsAt})` })
        .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.kind, input.kind), liveKey(now)))
        .returning({ id: apiKeys.id }),
    ),
    keyInsert(db, workspaceId, input.kind, key, now, id),
  ]);
  const previousIds = (ended?.rows ?? []).map((row) => String(row.id));
  const rows = await db.read
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), inArray(apiKeys.id, [id, ...previousIds])))
    .orderBy(...newestFirst);
  const created = rows.find((row) => row.id === id);
  if (!created) throw new Error(`the new key ${id} was not found after its insert`);
  return {
    ...presentKey(created, now),
    key,
    previous: rows.filter((row) => row.id !== id).map((row) => presentKey(row, now)),
  };
}

/**
 * Ends a key at once. Refused (409) when it is its kind's last live key without an end date: the
 * workspace would lose that kind of access, now or when the others expire. Revoking a revoked key
 * changes nothing and answers it as it is.
 *
 * @example
 * await revokeKey(db, 'acme', 'key_3f9aQ2', Date.now()) // { id: 'key_3f9aQ2', live: false, revokedAt: … }
 */
export async function revokeKey(
  db: Database,
  workspaceId: string,
  keyId: string,
  now: number,
): Promise<ApiKey> {
  const find = async () => {
    const [row] = await db.read
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, keyId)));
    return row;
  };
  const row = await find();
  if (!row)
    throw new ApiError(404, errorCodes.notFound, 'Not found', 'No key with this id in this workspace.');
  if (row.revokedAt !== null) return presentKey(row, now);

  // The check is part of the write, so two revocations at once (two instances, or the command line
  // and the API) cannot both pass it and leave no key.
  const other = alias(apiKeys, 'other');
  const [result] = await db.writer.batch([
    statement(
      db.read
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(
          and(
            eq(apiKeys.workspaceId, workspaceId),
            eq(apiKeys.id, keyId),
            isNull(apiKeys.revokedAt),
            exists(
              db.read
                .select({ one: sql`1` })
                .from(other)
                .where(
                  and(
                    eq(other.workspaceId, workspaceId),
                    eq(other.kind, row.kind),
                    ne(other.id, keyId),
                    isNull(other.revokedAt),
                    isNull(other.expiresAt),
                  ),
                ),
            ),
          ),
        ),
    ),
  ]);
  const after = await find();
  if (result?.rowsAffected === 1 || (after && after.revokedAt !== null)) return presentKey(after ?? row, now);
  throw new ApiError(
    409,
    errorCodes.conflict,
    'Last key',
    `${keyId} is this workspace's last ${row.kind} key without an end date: create a new ${row.kind} key first (a rotation), then revoke this one.`,
  );
}
