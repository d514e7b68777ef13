import type { ChecklistContent } from '../../shared/schemas/checklist.ts';
import { checklistStates } from '../content/content-state.ts';
import type { KindRecord } from '../content/kind-record.ts';
import { deliverChecklists } from './deliver.ts';
import { checklistFunnel } from './funnel.ts';
import { checklistRoutes } from './routes.ts';
import { checklistService } from './service.ts';
import { storedChecklists } from './stored.ts';

/**
 * Checklists (README, "How to add a content kind"): items that tick themselves from goals evaluated
 * at ingestion; publishing recomputes the progress of changed items (./service.ts).
 */
export const checklistKind = {
  ...storedChecklists,
  service: ({ db, milestones, clock }) => checklistService(db, milestones, clock),
  deliver: ({ subject, now, read }, published, draft) => ({
    checklists: deliverChecklists(published, draft, subject, now, {
      progress: read.progress,
      milestoneByKey: read.milestoneByKey,
      states: checklistStates(read.states),
    }),
  }),
  routes: checklistRoutes,
  analytics: { funnel: checklistFunnel },
} satisfies KindRecord<ChecklistContent, ReturnType<typeof checklistRoutes>>;
