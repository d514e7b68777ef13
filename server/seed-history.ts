import { surveyDraftInput } from '../shared/schemas/survey.ts';
import type { Database } from './db/client.ts';
import type { GoalCatalog } from './goals/catalog.ts';
import { ingestHistory } from './seed/ingest-history.ts';
import { type SyntheticOptions, syntheticHistory } from './seed/synthetic.ts';
import { surveyService } from './surveys/service.ts';
import type { Tenant } from './workspaces/store.ts';

/** The demo's NPS survey: asks users 30 days after they signed up, in English or French. */
export async function seedSurvey(db: Database, workspaceId: string, now: number) {
  const surveys = surveyService(db, () => now);
  const survey = await surveys.create(
    workspaceId,
    surveyDraftInput.parse({
      name: 'Ledgerly NPS',
      content: {
        productName: 'Ledgerly',
        question: 'How likely are you to recommend {product} to a friend or colleague?',
        lowLabel: 'Not at all likely',
        highLabel: 'Extremely likely',
        followUp: {
          detractor: 'Sorry to hear that. What is the main reason for your score?',
          passive: 'Thanks! What would make {product} a 10 for you?',
          promoter: 'Wonderful! What do you like most about {product}?',
        },
        thankYou: 'Thank you: the Ledgerly team reads every answer.',
        sampling: { firstAskAfterDays: 30, delaySeconds: 2 },
        translations: {
          fr: {
            question: 'Quelle est la probabilité que vous recommandiez {product} à un ami ou un collègue ?',
            lowLabel: 'Pas du tout probable',
            highLabel: 'Très probable',
            followUp: {
              detractor: 'Désolés. Quelle est la raison principale de votre note ?',
              passive: 'Merci ! Qu’est-ce qui ferait de {product} un 10 pour vous ?',
              promoter: 'Super ! Qu’aimez-vous le plus dans {product} ?',
            },
            thankYou: 'Merci : l’équipe Ledgerly lit chaque réponse.',
          },
        },
      },
    }),
  );
  return surveys.publish(workspaceId, survey.id);
}

/**
 * The size and seed of the demo's history: small enough to seed in a few seconds on every first start
 * (and in every browser test), large enough that the reports have something to say. With this seed
 * the history shows every story (test/server/seed.test.ts checks its shape through the admin API):
 * accounts that never reach value, churning ones with detractors; another seed may not.
 */
export const demoHistory = { seed: 7, accounts: 40, users: 240, events: 12_000, days: 180 } as const;

/**
 * Six months of a believable customer base for the demo (server/seed/synthetic.ts: Pareto usage,
 * accounts that onboard fast, slowly or never, churning and growing ones; checklist, tour and NPS
 * events), ingested through the real pipeline, so milestones, checklist progress, time to value and
 * NPS responses are computed exactly as for live traffic. Its message ids start with `seed-`.
 */
export async function seedHistory(
  db: Database,
  tenant: Tenant,
  goals: GoalCatalog,
  content: SyntheticOptions['content'],
  now: number,
): Promise<void> {
  const history = syntheticHistory({ ...demoHistory, now, content, idPrefix: 'seed' });
  await ingestHistory(db, tenant, goals, history, { now });
}
