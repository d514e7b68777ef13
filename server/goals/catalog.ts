import type { InStatement } from '@libsql/client';
import { eq } from 'drizzle-orm';
import type { ChecklistContent, ChecklistItem } from '../../shared/schemas/checklist.ts';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import type { EventRule } from '../../shared/schemas/milestone.ts';
import { type FeatureRule, storedProofs } from '../adoption/feature-days.ts';
import { storedChecklists } from '../checklists/stored.ts';
import { publishedContent } from '../content/versioned.ts';
import type { Database } from '../db/client.ts';
import { coreFeatures, milestones, workspaces } from '../db/schema.ts';
import { isBusy, StorageBusyError } from '../db/writer.ts';
import type { Goal } from './compile.ts';
import { goalId } from './goal-id.ts';

export function milestoneGoal(workspaceId: string, milestoneId: string, rule: EventRule): Goal {
  return {
    id: goalId.milestone(milestoneId),
    workspaceId,
    on: { type: 'track', event: rule.event, where: rule.where },
    count: rule.count,
    withinDays: rule.withinDays,
  };
}

/** The goal of a checklist item, or null when it completes through a milestone (whose goal it reads). */
export function itemGoal(workspaceId: string, checklistId: string, item: ChecklistItem): Goal | null {
  const id = goalId.item(checklistId, item.id);
  const rule = item.completion;
  switch (rule.kind) {
    case 'event':
      return {
        id,
        workspaceId,
        on: { type: 'track', event: rule.event, where: rule.where },
        count: rule.count,
        withinDays: rule.withinDays,
      };
    case 'url':
      return { id, workspaceId, on: { type: 'page', url: rule.url }, count: 1 };
    case 'manual':
      return {
        id,
        workspaceId,
        on: {
          type: 'track',
          event: internalEvent('checklist_item_checked'),
          where: [
            { property: 'contentId', op: 'equals', value: checklistId },
            { property: 'itemId', op: 'equals', value: item.id },
          ],
        },
        count: 1,
      };
    default:
      return null;
  }
}

export function checklistGoals(workspaceId: string, checklistId: string, content: ChecklistContent): Goal[] {
  return content.items.flatMap((item) => itemGoal(workspaceId, checklistId, item) ?? []);
}

/** The statement every goal change commits with: ingest commits built from older goals then fail their guard. */
export function bumpGoalsRevision(workspaceId: string): InStatement {
  return {
    sql: 'UPDATE workspaces SET goals_revision = goals_revision + 1 WHERE id = ?',
    args: [workspaceId],
  };
}

/**
 * Fails (CHECK constraint) the batch it is in unless the workspace's goals are still at `revision`.
 * Put first in a batch so nothing before it runs in vain.
 */
export function revisionGuard(workspaceId: string, revision: number): InStatement {
  return {
    sql: `INSERT INTO revision_guard (id, ok)
      VALUES (1, coalesce((SELECT goals_revision FROM workspaces WHERE id = ?), 0) = ?)
      ON CONFLICT (id) DO NOTHING`,
    args: [workspaceId, revision],
  };
}

export function isRevisionConflict(error: unknown): boolean {
  return String((error as { message?: unknown })?.message ?? '').includes('revision_guard');
}

export interface WorkspaceGoals {
  revision: number;
  goals: Goal[];
  /** The core features, whose daily use each commit adds to (server/adoption/feature-days.ts). */
  features: FeatureRule[];
}

/**
 * Each workspace's live goals (milestones and the items of published, active checklists) and core
 * features (whose use each commit rolls up), kept in memory between commits. The memory is only a cache: every commit that uses it carries a revision
 * guard, and a commit whose guard fails reloads and retries, so an instance never evaluates events
 * with goals or core features another instance has changed.
 */
export class GoalCatalog {
  #cache = new Map<string, WorkspaceGoals>();

  constructor(private readonly db: Database) {}

  async get(workspaceId: string): Promise<WorkspaceGoals> {
    const cached = this.#cache.get(workspaceId);
    if (cached) return cached;
    let loaded: WorkspaceGoals;
    try {
      loaded = await this.#load(workspaceId);
    } catch (error) {
      // Another process holds the file: answer 503 (retry), as a busy write does, not 500.
      throw isBusy(error) ? new StorageBusyError(error) : error;
    }
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(workspaceId, loaded);
    return loaded;
  }

  forget(workspaceId?: string): void {
    if (workspaceId === undefined) this.#cache.clear();
    else this.#cache.delete(workspaceId);
  }

  async #load(workspaceId: string): Promise<WorkspaceGoals> {
    const { read } = this.db;
    // The revision is read first: goals changed after this read bump it, and the guard catches that.
    const [workspace] = await read
      .select({ revision: workspaces.goalsRevision })
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId));
    const milestoneRows = await read
      .select({ id: milestones.id, rule: milestones.rule })
      .from(milestones)
      .where(eq(milestones.workspaceId, workspaceId));
    const published = await publishedContent(this.db, workspaceId, storedChecklists);
    const featureRows = await read
      .select({ id: coreFeatures.id, events: coreFeatures.events })
      .from(coreFeatures)
      .where(eq(coreFeatures.workspaceId, workspaceId));
    return {
      revision: workspace?.revision ?? 0,
      goals: [
        ...milestoneRows.map((row) => milestoneGoal(workspaceId, row.id, row.rule)),
        ...published.flatMap((row) => checklistGoals(workspaceId, row.id, row.content)),
      ],
      features: featureRows.map((row) => ({ id: row.id, events: storedProofs(row.events) })),
    };
  }
}
