import { type SpotlightContent, spotlightContent } from '../../shared/schemas/spotlight.ts';
import type { KindRecord } from '../content/kind-record.ts';
import { deliverSpotlights } from './deliver.ts';
import { opensByItself } from './eligibility.ts';
import { spotlightFunnel } from './funnel.ts';
import { spotlightRoutes } from './routes.ts';
import { spotlightService } from './service.ts';

/**
 * Spotlights and tours (README, "Spotlights and tours"): steps anchored to the customer's page, due
 * by their frequency (./eligibility.ts), their CSS selectors checked when saved (./service.ts).
 */
export const spotlightKind = {
  kind: 'spotlight',
  schema: spotlightContent,
  service: ({ db, clock }) => spotlightService(db, clock),
  opensByItself,
  deliver: ({ subject, now, history }, published, draft) => ({
    spotlights: deliverSpotlights(published, draft, subject, { now, history }),
  }),
  routes: spotlightRoutes,
  analytics: { funnel: spotlightFunnel },
} satisfies KindRecord<SpotlightContent, ReturnType<typeof spotlightRoutes>>;
