import { and, eq, isNotNull } from 'drizzle-orm';
import type { ChecklistContent } from '../../shared/schemas/checklist.ts';
import type { Database } from '../db/client.ts';
import { checklists, checklistVersions } from '../db/schema.ts';

/** What end users may see now: each active checklist's published version. */
export async function publishedChecklists(
  db: Database,
  workspaceId: string,
): Promise<Array<{ id: string; version: number; content: ChecklistContent }>> {
  return db.read
    .select({ id: checklists.id, version: checklistVersions.version, content: checklistVersions.content })
    .from(checklists)
    .innerJoin(
      checklistVersions,
      and(
        eq(checklistVersions.workspaceId, checklists.workspaceId),
        eq(checklistVersions.checklistId, checklists.id),
        eq(checklistVersions.version, checklists.publishedVersion),
      ),
    )
    .where(
      and(
        eq(checklists.workspaceId, workspaceId),
        eq(checklists.status, 'active'),
        isNotNull(checklists.publishedVersion),
      ),
    );
}
