import { and, asc, eq } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import { errorCodes } from '../../shared/problem.ts';
import {
  type CoreFeature,
  type CoreFeatureDefinition,
  maxCoreFeatures,
} from '../../shared/schemas/core-feature.ts';
import { type Database, statement } from '../db/client.ts';
import { type CoreFeatureRow, coreFeatures } from '../db/schema.ts';
import { bumpGoalsRevision } from '../goals/catalog.ts';
import { ApiError } from '../http/api-error.ts';
import { type FeatureRollupBuilder, forgetFeature, rebuildFeature, storedProofs } from './feature-days.ts';

/**
 * A workspace's core features (at most 10): the few things a healthy account's users do, each proven
 * by one or more tracked events. Adoption is read from their daily rollup (`feature_days`, see
 * feature-days.ts): a change of the proving events commits with a rebuild of that feature's rollup
 * from the stored events, so a new or changed feature applies to all history; until the rebuild is
 * done its use is read from the events, with the same answers.
 */
export class CoreFeatureService {
  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
    /** Runs queued rebuilds (in a server); without it they wait for the next server start. */
    private readonly rollups?: Pick<FeatureRollupBuilder, 'wake'>,
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
      ...rebuildFeature(workspaceId, row.id),
      bumpGoalsRevision(workspaceId),
    ]);
    if (result!.rowsAffected === 0) {
      throw new ApiError(409, errorCodes.conflict, 'Too many core features', undefined, [
        { pointer: '', detail: `a workspace has at most ${maxCoreFeatures} core features; delete one first` },
      ]);
    }
    void this.rollups?.wake();
    return present(row);
  }

  async replace(workspaceId: string, id: string, input: CoreFeatureDefinition): Promise<CoreFeature> {
    const before = await this.#row(workspaceId, id);
    await this.#assertKeyFree(workspaceId, input.key, id);
    const now = this.clock();
    // Only new proving events change what the feature matched; a new name or key keeps its rollup.
    const rematch = JSON.stringify(storedProofs(before.events)) !== JSON.stringify(input.events);
    await this.db.writer.batch([
      statement(
        this.db.read
          .update(coreFeatures)
          .set({ ...input, updatedAt: now })
          .where(and(eq(coreFeatures.workspaceId, workspaceId), eq(coreFeatures.id, id))),
      ),
      ...(rematch ? [...rebuildFeature(workspaceId, id), bumpGoalsRevision(workspaceId)] : []),
    ]);
    if (rematch) void this.rollups?.wake();
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
      ...forgetFeature(workspaceId, id),
      bumpGoalsRevision(workspaceId),
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
  const events = storedProofs(row.events);
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
