import type { InStatement } from '@libsql/client';
import { and, asc, eq, ne } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import { errorCodes } from '../../shared/problem.ts';
import type { ChecklistContent } from '../../shared/schemas/checklist.ts';
import type { EventRule, Milestone, MilestoneDefinition } from '../../shared/schemas/milestone.ts';
import { storedChecklists } from '../checklists/stored.ts';
import { type Database, statement } from '../db/client.ts';
import { type MilestoneRow, milestones } from '../db/schema.ts';
import { bumpGoalsRevision, milestoneGoal } from '../goals/catalog.ts';
import { clearGoal, evaluateGoal } from '../goals/compile.ts';
import { goalId } from '../goals/goal-id.ts';
import { ApiError } from '../http/api-error.ts';
import { activeDrafts, publishedContent } from './versioned.ts';

/**
 * Milestones: create, replace, delete. Every change commits with its backfill in one transaction, so
 * a milestone is never visible without the progress existing events earned it.
 */
export class MilestoneService {
  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
  ) {}

  async list(workspaceId: string): Promise<Milestone[]> {
    const rows = await this.db.read
      .select()
      .from(milestones)
      .where(eq(milestones.workspaceId, workspaceId))
      .orderBy(asc(milestones.createdAt), asc(milestones.key));
    return rows.map(present);
  }

  async get(workspaceId: string, id: string): Promise<Milestone> {
    return present(await this.#row(workspaceId, id));
  }

  /** The value milestone, if the workspace has one. */
  async value(workspaceId: string): Promise<MilestoneRow | null> {
    const [row] = await this.db.read
      .select()
      .from(milestones)
      .where(and(eq(milestones.workspaceId, workspaceId), eq(milestones.isValue, true)));
    return row ?? null;
  }

  async create(workspaceId: string, input: MilestoneDefinition): Promise<Milestone> {
    await this.#assertKeyFree(workspaceId, input.key, null);
    const now = this.clock();
    const row: MilestoneRow = {
      workspaceId,
      id: `ms_${nanoid(12)}`,
      ...input,
      createdAt: now,
      updatedAt: now,
    };
    await this.db.writer.batch([
      statement(this.db.read.insert(milestones).values(row)),
      ...this.#valueUniqueness(row),
      ...backfill(row, now),
    ]);
    return present(row);
  }

  /** Replaces a milestone's definition; progress is recomputed from all events when the rule changed. */
  async replace(workspaceId: string, id: string, input: MilestoneDefinition): Promise<Milestone> {
    const before = await this.#row(workspaceId, id);
    if (input.key !== before.key) await this.#assertNotReferenced(workspaceId, before.key, '/key');
    await this.#assertKeyFree(workspaceId, input.key, id);
    const now = this.clock();
    const row: MilestoneRow = { ...before, ...input, updatedAt: now };
    const ruleChanged = JSON.stringify(before.rule) !== JSON.stringify(row.rule);
    await this.db.writer.batch([
      statement(
        this.db.read
          .update(milestones)
          .set({ ...input, updatedAt: now })
          .where(and(eq(milestones.workspaceId, workspaceId), eq(milestones.id, id))),
      ),
      ...this.#valueUniqueness(row),
      ...(ruleChanged ? backfill(row, now) : []),
    ]);
    return present(row);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    const row = await this.#row(workspaceId, id);
    await this.#assertNotReferenced(workspaceId, row.key, null);
    await this.db.writer.batch([
      statement(
        this.db.read
          .delete(milestones)
          .where(and(eq(milestones.workspaceId, workspaceId), eq(milestones.id, id))),
      ),
      clearGoal(workspaceId, goalId.milestone(id)),
      bumpGoalsRevision(workspaceId),
    ]);
  }

  /** Keys that exist, for validating checklist items that complete through a milestone. */
  keys(workspaceId: string): Promise<Map<string, { id: string; rule: EventRule }>> {
    return milestonesByKey(this.db, workspaceId);
  }

  async #row(workspaceId: string, id: string): Promise<MilestoneRow> {
    const [row] = await this.db.read
      .select()
      .from(milestones)
      .where(and(eq(milestones.workspaceId, workspaceId), eq(milestones.id, id)));
    if (!row)
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        'No milestone with this id in this workspace.',
      );
    return row;
  }

  /** Only one value milestone: marking one unmarks the others, in the same commit. */
  #valueUniqueness(row: MilestoneRow): InStatement[] {
    if (!row.isValue) return [];
    return [
      statement(
        this.db.read
          .update(milestones)
          .set({ isValue: false })
          .where(and(eq(milestones.workspaceId, row.workspaceId), ne(milestones.id, row.id))),
      ),
    ];
  }

  async #assertKeyFree(workspaceId: string, key: string, exceptId: string | null): Promise<void> {
    const [clash] = await this.db.read
      .select({ id: milestones.id })
      .from(milestones)
      .where(and(eq(milestones.workspaceId, workspaceId), eq(milestones.key, key)));
    if (clash && clash.id !== exceptId) {
      throw new ApiError(409, errorCodes.conflict, 'Key in use', undefined, [
        { pointer: '/key', detail: `another milestone already has the key "${key}"` },
      ]);
    }
  }

  /** A milestone that an active checklist's draft or published version completes through cannot go. */
  async #assertNotReferenced(workspaceId: string, key: string, pointer: string | null): Promise<void> {
    const uses = (content: ChecklistContent) =>
      content.items.some((item) => item.completion.kind === 'milestone' && item.completion.milestone === key);
    const published = new Set(
      (await publishedContent(this.db, workspaceId, storedChecklists))
        .filter((row) => uses(row.content))
        .map((row) => row.id),
    );
    const rows = await activeDrafts(this.db, workspaceId, storedChecklists);
    const users = rows.filter((row) => published.has(row.id) || uses(row.draft));
    if (users.length === 0) return;
    const names = users.map((row) => `"${row.name}" (${row.id})`).join(', ');
    const detail = `checklist ${names} completes an item through milestone "${key}"; change or archive it first`;
    throw new ApiError(
      409,
      errorCodes.conflict,
      'Milestone in use',
      detail,
      pointer ? [{ pointer, detail }] : undefined,
    );
  }
}

/**
 * A workspace's milestones by key: checklist items name milestones by key, progress is kept by id,
 * and the widget may tick an item on the milestone's rule itself.
 */
export async function milestonesByKey(
  db: Database,
  workspaceId: string,
): Promise<Map<string, { id: string; rule: EventRule }>> {
  const rows = await db.read
    .select({ id: milestones.id, key: milestones.key, rule: milestones.rule })
    .from(milestones)
    .where(eq(milestones.workspaceId, workspaceId));
  return new Map(rows.map((row) => [row.key, { id: row.id, rule: row.rule }]));
}

function backfill(row: MilestoneRow, now: number): InStatement[] {
  const goal = milestoneGoal(row.workspaceId, row.id, row.rule);
  return [
    clearGoal(row.workspaceId, goal.id),
    evaluateGoal(goal, 'user', 'all', now),
    evaluateGoal(goal, 'account', 'all', now),
    bumpGoalsRevision(row.workspaceId),
  ];
}

function present(row: MilestoneRow): Milestone {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    rule: row.rule,
    isValue: row.isValue,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}
