import type { InStatement } from '@libsql/client';
import { errorCodes, type FieldError } from '../../shared/problem.ts';
import type { ChecklistContent, ChecklistItem } from '../../shared/schemas/checklist.ts';
import type { MilestoneService } from '../content/milestones.ts';
import { VersionedContent } from '../content/versioned.ts';
import type { Database } from '../db/client.ts';
import { bumpGoalsRevision, itemGoal } from '../goals/catalog.ts';
import { clearGoal, evaluateGoal } from '../goals/compile.ts';
import { ApiError } from '../http/api-error.ts';
import { storedChecklists } from './stored.ts';

export type ChecklistService = VersionedContent<ChecklistContent>;

/**
 * Checklists: drafts and immutable versions (server/content/versioned.ts). Items name milestones
 * that must exist; publishing recomputes, from all events and in the same transaction, the progress
 * of items whose rule is new or changed.
 */
export function checklistService(
  db: Database,
  milestones: MilestoneService,
  clock: () => number,
): ChecklistService {
  return new VersionedContent<ChecklistContent>(
    db,
    storedChecklists,
    { label: 'Checklist', idPrefix: 'cl' },
    clock,
    {
      async validate(workspaceId, content, at) {
        const keys = await milestones.keys(workspaceId);
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
      },
      onPublish(workspaceId, id, previous, next, now): InStatement[] {
        return [
          ...changedItems(previous, next).flatMap((item) => {
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
      },
      // Archived checklists are evaluated no more.
      onArchive: (workspaceId) => [bumpGoalsRevision(workspaceId)],
    },
  );
}

/** Items that are new or whose completion rule differs from the previous version. */
function changedItems(previous: ChecklistContent | null, next: ChecklistContent): ChecklistItem[] {
  const before = new Map(previous?.items.map((item) => [item.id, JSON.stringify(item.completion)]) ?? []);
  return next.items.filter((item) => before.get(item.id) !== JSON.stringify(item.completion));
}
