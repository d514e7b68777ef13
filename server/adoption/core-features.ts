import { and, asc, eq } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import { errorCodes } from '../../shared/problem.ts';
import {
  type CoreFeature,
  type CoreFeatureDefinition,
  coreFeatureInput,
  maxCoreFeatures,
} from '../../shared/schemas/core-feature.ts';
import { type Database, statement } from '../db/client.ts';
import { type CoreFeatureRow, coreFeatures } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';

/**
 * A workspace's core features (at most 10): the few things a healthy account's users do, each proven
 * by one or more tracked events. Adoption is read from the events themselves (indexed by name and
 * time), so a new or changed feature applies to all history at once, with no backfill.
 */
export class CoreFeatureService {
  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
  ) {}

  async list(workspaceId: string): Promise<CoreFeature[]> {
    const rows = await this.db.read
      .select()
      .from(coreFeatures)
      .where(eq(coreFeatures.workspaceId, workspaceId))
      .orderBy(asc(coreFeatures.createdAt), asc(coreFeatures.key));
    return rows.map(present);
  }

  async get(workspaceId: string, id: string): Promise<CoreFeature> {
    return present(await this.#row(workspaceId, id));
  }

  async create(workspaceId: string, input: CoreFeatureDefinition): Promise<CoreFeature> {
    await this.#assertKeyFree(workspaceId, input.key, null);
    const now = this.clock();
    const row: CoreFeatureRow = {
      workspaceId,
      id: `cf_${nanoid(12)}`,
      ...input,
      createdAt: now,
      updatedAt: now,
    };
    // The cap is checked in the write transaction itself, so two concurrent creates cannot pass it.
    const [result] = await this.db.writer.batch([
      {
        sql: `INSERT INTO core_features (workspace_id, id, key, name, description, events, created_at, updated_at)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?
          WHERE (SELECT count(*) FROM core_features WHERE workspace_id = ?) < ?`,
        args: [
          workspaceId,
          row.id,
          row.key,
          row.name,
          row.description,
          JSON.stringify(row.events),
          now,
          now,
          workspaceId,
          maxCoreFeatures,
        ],
      },
    ]);
    if (result!.rowsAffected === 0) {
      throw new ApiError(409, errorCodes.conflict, 'Too many core features', undefined, [
        { pointer: '', detail: `a workspace has at most ${maxCoreFeatures} core features; delete one first` },
      ]);
    }
    return present(row);
  }

  async replace(workspaceId: string, id: string, input: CoreFeatureDefinition): Promise<CoreFeature> {
    const before = await this.#row(workspaceId, id);
    await this.#assertKeyFree(workspaceId, input.key, id);
    const now = this.clock();
    await this.db.writer.batch([
      statement(
        this.db.read
          .update(coreFeatures)
          .set({ ...input, updatedAt: now })
          .where(and(eq(coreFeatures.workspaceId, workspaceId), eq(coreFeatures.id, id))),
      ),
    ]);
    return present({ ...before, ...input, updatedAt: now });
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.#row(workspaceId, id);
    await this.db.writer.batch([
      statement(
        this.db.read
          .delete(coreFeatures)
          .where(and(eq(coreFeatures.workspaceId, workspaceId), eq(coreFeatures.id, id))),
      ),
    ]);
  }

  async #row(workspaceId: string, id: string): Promise<CoreFeatureRow> {
    const [row] = await this.db.read
      .select()
      .from(coreFeatures)
      .where(and(eq(coreFeatures.workspaceId, workspaceId), eq(coreFeatures.id, id)));
    if (!row)
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        'No core feature with this id in this workspace.',
      );
    return row;
  }

  async #assertKeyFree(workspaceId: string, key: string, exceptId: string | null): Promise<void> {
    const [clash] = await this.db.read
      .select({ id: coreFeatures.id })
      .from(coreFeatures)
      .where(and(eq(coreFeatures.workspaceId, workspaceId), eq(coreFeatures.key, key)));
    if (clash && clash.id !== exceptId) {
      throw new ApiError(409, errorCodes.conflict, 'Key in use', undefined, [
        { pointer: '/key', detail: `another core feature already has the key "${key}"` },
      ]);
    }
  }
}

function present(row: CoreFeatureRow): CoreFeature {
  // Stored events were validated when written; parsing fills defaults added since.
  const { events } = coreFeatureInput.pick({ events: true }).parse({ events: row.events });
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    events,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}
