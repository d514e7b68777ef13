import { and, desc, eq } from 'drizzle-orm';
import { defaultHealthModel, type HealthModel, healthModel } from '../../shared/schemas/health-model.ts';
import type { Database } from '../db/client.ts';
import { healthModels } from '../db/schema.ts';

/** A version of a workspace's health model. Version 0 is the shipped default, in force until one is saved. */
export interface ModelVersion {
  version: number;
  model: HealthModel;
  createdAt: string | null;
}

const shipped: ModelVersion = { version: 0, model: healthModel.parse(defaultHealthModel), createdAt: null };

/**
 * The health model's versions: every save is a new version, never an update, so each stored score
 * names the model that produced it and that model can still be read.
 */
export class HealthModelStore {
  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
  ) {}

  async current(workspaceId: string): Promise<ModelVersion> {
    const [row] = await this.db.read
      .select()
      .from(healthModels)
      .where(eq(healthModels.workspaceId, workspaceId))
      .orderBy(desc(healthModels.version))
      .limit(1);
    return row ? present(row) : shipped;
  }

  async version(workspaceId: string, version: number): Promise<ModelVersion | null> {
    if (version === 0) return shipped;
    const [row] = await this.db.read
      .select()
      .from(healthModels)
      .where(and(eq(healthModels.workspaceId, workspaceId), eq(healthModels.version, version)));
    return row ? present(row) : null;
  }

  async list(workspaceId: string): Promise<ModelVersion[]> {
    const rows = await this.db.read
      .select()
      .from(healthModels)
      .where(eq(healthModels.workspaceId, workspaceId))
      .orderBy(desc(healthModels.version));
    return [...rows.map(present), shipped];
  }

  /** Saves a validated model as the next version (numbered in the write transaction: no two saves share one). */
  async save(workspaceId: string, model: HealthModel): Promise<ModelVersion> {
    const now = this.clock();
    const [result] = await this.db.writer.batch([
      {
        sql: `INSERT INTO health_models (workspace_id, version, model, created_at)
          SELECT ?, coalesce(max(version), 0) + 1, ?, ? FROM health_models WHERE workspace_id = ?
          RETURNING version`,
        args: [workspaceId, JSON.stringify(model), now, workspaceId],
      },
    ]);
    return { version: Number(result!.rows[0]!.version), model, createdAt: new Date(now).toISOString() };
  }
}

function present(row: typeof healthModels.$inferSelect): ModelVersion {
  // Stored models were validated when saved; parsing again fills defaults added since.
  return {
    version: row.version,
    model: healthModel.parse(row.model),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}
