import { type ChecklistContent, checklistContent } from '../../shared/schemas/checklist.ts';
import type { StoredKind } from '../content/versioned.ts';

/** How checklists are stored and read back (server/content/versioned.ts): by goals, milestones and pages too. */
export const storedChecklists: StoredKind<ChecklistContent> = { kind: 'checklist', schema: checklistContent };
