import type { InStatement } from '@libsql/client';
import { and, desc, eq } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import { errorCodes, type FieldError } from '../../shared/problem.ts';
import type {
  ChecklistContent,
  ChecklistItem,
  ChecklistRecord,
  ChecklistVersion,
} from '../../shared/schemas/checklist.ts';
import { type Database, statement } from '../db/client.ts';
import { type ChecklistRow, checklists, checklistVersions } from '../db/schema.ts';
import { bumpGoalsRevision, itemGoal } from '../goals/catalog.ts';
import { clearGoal, evaluateGoal } from '../goals/compile.ts';
import { ApiError } from '../http/api-error.ts';
import type { MilestoneService } from './milestones.ts';

/**
 * Checklists: a draft anyone with the secret key edits freely, and immutable published versions that
 * end users see. Publishing commits the version, the pointer to it and the backfill of changed item
 * rules in one transaction.
 */
export class ChecklistService {
  constructor(
    private readonly db: Database,
    private readonly milestones: MilestoneService,
    private readonly clock: () => number,
  ) {}

  async list(workspaceId: string): Promise<ChecklistRecord[]> {
    const rows = await this.db.read
      .select()
      .from(checklists)
      .where(eq(checklists.workspaceId, workspaceId))
      .orderBy(desc(checklists.createdAt));
    return Promise.all(rows.map((row) => this.#present(row)));
  }

  async get(workspaceId: string, id: string): Promise<ChecklistRecord> {
    return this.#present(await this.#row(workspaceId, id));
  }

  async create(
    workspaceId: string,
    input: { name: string; content: ChecklistContent },
  ): Promise<ChecklistRecord> {
    await this.#assertMilestonesExist(workspaceId, input.content);
    const now = this.clock();
    const row: ChecklistRow = {
      workspaceId,
      id: `cl_${nanoid(12)}`,
      name: input.name,
      status: 'active',
      draft: input.content,
      draftUpdatedAt: now,
      publishedVersion: null,
      createdAt: now,
    };
    await this.db.writer.batch([statement(this.db.read.insert(checklists).values(row))]);
    return this.#present(row);
  }

  /** Edits the draft only: what end users see changes when the draft is published. */
  async updateDraft(
    workspaceId: string,
    id: string,
    input: { name: string; content: ChecklistContent },
  ): Promise<ChecklistRecord> {
    const row = await this.#row(workspaceId, id);
    if (row.status === 'archived') throw archived();
    await this.#assertMilestonesExist(workspaceId, input.content);
    const now = this.clock();
    await this.db.writer.batch([
      statement(
        this.db.read
          .update(checklists)
          .set({ name: input.name, draft: input.content, draftUpdatedAt: now })
          .where(and(eq(checklists.workspaceId, workspaceId), eq(checklists.id, id))),
      ),
    ]);
    return this.#present({ ...row, name: input.name, draft: input.content, draftUpdatedAt: now });
  }

  /** Publishes the draft as the next version. Items whose rule changed are recomputed from all events. */
  async publish(workspaceId: string, id: string): Promise<ChecklistVersion> {
    const row = await this.#row(workspaceId, id);
    if (row.status === 'archived') throw archived();
    await this.#assertMilestonesExist(workspaceId, row.draft, '/draft');
    const previous =
      row.publishedVersion === null ? null : await this.version(workspaceId, id, row.publishedVersion);
    const latest = await this.#latestVersion(workspaceId, id);
    const version = latest + 1;
    const now = this.clock();
    const statements: InStatement[] = [
      statement(
        this.db.read
          .insert(checklistVersions)
          .values({ workspaceId, checklistId: id, version, content: row.draft, publishedAt: now }),
      ),
      statement(
        this.db.read
          .update(checklists)
          .set({ publishedVersion: version })
          .where(and(eq(checklists.workspaceId, workspaceId), eq(checklists.id, id))),
      ),
      ...changedItems(previous?.content ?? null, row.draft).flatMap((item) => {
        const goal = itemGoal(workspaceId, id, item);
        if (!goal) return [];
        return [
          clearGoal(workspaceId, goal.id),
          evaluateGoal(goal, 'user', 'all', now),
          evaluateGoal(goal, 'account', 'all', now),
        ];
      }),
      bumpGoalsRevision(workspaceId),
    ];
    await this.db.writer.batch(statements);
    return { checklistId: id, version, content: row.draft, publishedAt: new Date(now).toISOString() };
  }

  /** Archived checklists are shown to nobody and evaluated no more; their history stays readable. */
  async archive(workspaceId: string, id: string): Promise<ChecklistRecord> {
    const row = await this.#row(workspaceId, id);
    await this.db.writer.batch([
      statement(
        this.db.read
          .update(checklists)
          .set({ status: 'archived' })
          .where(and(eq(checklists.workspaceId, workspaceId), eq(checklists.id, id))),
      ),
      bumpGoalsRevision(workspaceId),
    ]);
    return this.#present({ ...row, status: 'archived' });
  }

  async versions(workspaceId: string, id: string): Promise<ChecklistVersion[]> {
    await this.#row(workspaceId, id);
    const rows = await this.db.read
      .select()
      .from(checklistVersions)
      .where(and(eq(checklistVersions.workspaceId, workspaceId), eq(checklistVersions.checklistId, id)))
      .orderBy(desc(checklistVersions.version));
    return rows.map(presentVersion);
  }

  async version(workspaceId: string, id: string, version: number): Promise<ChecklistVersion> {
    const [row] = await this.db.read
      .select()
      .from(checklistVersions)
      .where(
        and(
          eq(checklistVersions.workspaceId, workspaceId),
          eq(checklistVersions.checklistId, id),
          eq(checklistVersions.version, version),
        ),
      );
    if (!row)
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        `Checklist ${id} has no published version ${version}.`,
      );
    return presentVersion(row);
  }

  async #latestVersion(workspaceId: string, id: string): Promise<number> {
    const [row] = await this.db.read
      .select({ version: checklistVersions.version })
      .from(checklistVersions)
      .where(and(eq(checklistVersions.workspaceId, workspaceId), eq(checklistVersions.checklistId, id)))
      .orderBy(desc(checklistVersions.version))
      .limit(1);
    return row?.version ?? 0;
  }

  async #row(workspaceId: string, id: string): Promise<ChecklistRow> {
    const [row] = await this.db.read
      .select()
      .from(checklists)
      .where(and(eq(checklists.workspaceId, workspaceId), eq(checklists.id, id)));
    if (!row)
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        'No checklist with this id in this workspace.',
      );
    return row;
  }

  async #present(row: ChecklistRow): Promise<ChecklistRecord> {
    const published =
      row.publishedVersion === null
        ? null
        : await this.version(row.workspaceId, row.id, row.publishedVersion);
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      draft: row.draft,
      draftUpdatedAt: new Date(row.draftUpdatedAt).toISOString(),
      publishedVersion: row.publishedVersion,
      hasUnpublishedChanges:
        published === null || JSON.stringify(published.content) !== JSON.stringify(row.draft),
      createdAt: new Date(row.createdAt).toISOString(),
    };
  }

  async #assertMilestonesExist(
    workspaceId: string,
    content: ChecklistContent,
    at = '/content',
  ): Promise<void> {
    const keys = await this.milestones.keys(workspaceId);
    const errors: FieldError[] = [];
    content.items.forEach((item, index) => {
      if (item.completion.kind === 'milestone' && !keys.has(item.completion.milestone)) {
        errors.push({
          pointer: `${at}/items/${index}/completion/milestone`,
          detail: `names no milestone of this workspace ("${item.completion.milestone}")`,
        });
      }
    });
    if (errors.length > 0)
      throw new ApiError(400, errorCodes.validationFailed, 'Invalid request', undefined, errors);
  }
}

/** Items that are new or whose completion rule differs from the previous version. */
function changedItems(previous: ChecklistContent | null, next: ChecklistContent): ChecklistItem[] {
  const before = new Map(previous?.items.map((item) => [item.id, JSON.stringify(item.completion)]) ?? []);
  return next.items.filter((item) => before.get(item.id) !== JSON.stringify(item.completion));
}

function presentVersion(row: typeof checklistVersions.$inferSelect): ChecklistVersion {
  return {
    checklistId: row.checklistId,
    version: row.version,
    content: row.content,
    publishedAt: new Date(row.publishedAt).toISOString(),
  };
}

const archived = () =>
  new ApiError(
    409,
    errorCodes.conflict,
    'Checklist archived',
    'An archived checklist cannot be edited or published.',
  );
