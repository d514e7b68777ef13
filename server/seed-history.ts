import { surveyDraftInput } from '../shared/schemas/survey.ts';
import { surveyService } from './content/kinds.ts';
import type { Database } from './db/client.ts';
import type { GoalCatalog } from './goals/catalog.ts';
import { IngestService } from './ingest/ingest-service.ts';
import type { Tenant } from './workspaces/store.ts';

const day = 86_400_000;

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

/** A deterministic random source (mulberry32), so every fresh demo database holds the same history. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const companies: Array<[string, string, number]> = [
  ['Northwind Traders', 'enterprise', 48_000],
  ['Blue Harbor Studio', 'pro', 6_000],
  ['Pinecrest Dental', 'starter', 1_200],
  ['Atlas Logistics', 'enterprise', 60_000],
  ['Juniper & Co', 'pro', 7_200],
  ['Kestrel Labs', 'pro', 4_800],
  ['Oak Street Bakery', 'starter', 900],
  ['Meridian Legal', 'enterprise', 36_000],
  ['Sunbeam Yoga', 'starter', 600],
  ['Copperline Electric', 'pro', 5_400],
];
const firstNames = [
  'Ava',
  'Noah',
  'Mia',
  'Liam',
  'Zoe',
  'Omar',
  'Ines',
  'Kai',
  'Lena',
  'Ravi',
  'Sara',
  'Tom',
];
const comments: Record<'detractor' | 'passive' | 'promoter', string[]> = {
  detractor: [
    'Bank sync breaks every other week and support takes days to answer.',
    'Too expensive for what we use.',
    'The invoice editor is slow with many line items.',
    '',
  ],
  passive: [
    'Does the job. Recurring invoices would make it great.',
    'Good, but the reports are too basic.',
    '',
  ],
  promoter: [
    'We get paid twice as fast since we switched.',
    'Simple, clean, and the team loves it.',
    'Best invoicing tool we have used.',
    '',
  ],
};

/**
 * Six months of a believable customer base, ingested through the real pipeline (so milestones,
 * time to value and NPS responses are computed exactly as for live traffic): ten companies on three
 * plans, their users signing up, creating customers, sending invoices, and answering (or dismissing)
 * the NPS survey. Larger companies are happier; a few users never reach value.
 */
export async function seedHistory(
  db: Database,
  tenant: Tenant,
  goals: GoalCatalog,
  survey: { contentId: string; version: number },
  now: number,
): Promise<void> {
  const rand = random(20261123);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const batch: Array<Record<string, unknown>> = [];
  let seq = 0;
  const at = (t: number) => new Date(Math.min(t, now - 60_000)).toISOString();
  const message = (m: Record<string, unknown>, t: number) =>
    batch.push({
      ...m,
      messageId: `seed-${++seq}`,
      timestamp: at(t),
      context: { library: { name: 'seed' } },
    });

  companies.forEach(([name, plan, arr], c) => {
    const accountId = `acc_seed_${c + 1}`;
    const signup = now - (60 + Math.floor(rand() * 120)) * day;
    const mood = plan === 'enterprise' ? 2 : plan === 'pro' ? 1 : 0;
    const members = 2 + Math.floor(rand() * 3);
    for (let m = 0; m < members; m++) {
      const first = pick(firstNames);
      const userId = `usr_seed_${c + 1}_${m + 1}`;
      const joined = signup + m * Math.floor(rand() * 10) * day;
      const traits = {
        name: `${first} ${name.split(' ')[0]}`,
        email: `${first.toLowerCase()}.${m + 1}@${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
        createdAt: new Date(joined).toISOString(),
      };
      message({ type: 'identify', userId, traits }, joined);
      message(
        { type: 'group', userId, groupId: accountId, traits: { name, plan, arr, seats: members + 2 } },
        joined,
      );
      let t = joined + Math.floor(rand() * 2 * day);
      message(
        { type: 'track', userId, event: 'Customer Created', properties: {}, context: { groupId: accountId } },
        t,
      );
      // About one user in six never sends an invoice: time to value counts them as not reached.
      if (rand() > 0.17) {
        t += Math.floor(rand() * (m === 0 ? 6 : 20) * day);
        message(
          {
            type: 'track',
            userId,
            event: 'Invoice Sent',
            properties: { amount: 200 + Math.floor(rand() * 4000) },
          },
          t,
        );
      }
      if (rand() > 0.5)
        message(
          { type: 'track', userId, event: 'Teammate Invited', properties: { role: 'member' } },
          t + day,
        );

      // The NPS prompt, once they are 30 days in: most answer, some dismiss, some answer twice.
      let asked = joined + (30 + Math.floor(rand() * 20)) * day;
      while (asked < now - day) {
        const ref = { contentId: survey.contentId, version: survey.version };
        message({ type: 'track', userId, event: '$waymark.survey_shown', properties: ref }, asked);
        if (rand() < 0.2) {
          message(
            { type: 'track', userId, event: '$waymark.survey_dismissed', properties: ref },
            asked + 30_000,
          );
          asked += 30 * day;
          continue;
        }
        const score = Math.max(0, Math.min(10, Math.round(7 + mood * 1.2 + (rand() - 0.45) * 5)));
        const group = score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
        const comment = pick(comments[group]);
        const responseId = `seed-r-${seq}`;
        message(
          {
            type: 'track',
            userId,
            event: '$waymark.survey_answered',
            properties: { ...ref, responseId, score },
          },
          asked + 20_000,
        );
        if (comment) {
          message(
            {
              type: 'track',
              userId,
              event: '$waymark.survey_answered',
              properties: { ...ref, responseId, score, comment },
            },
            asked + 60_000,
          );
        }
        asked += 90 * day;
      }
    }
  });

  const ingest = new IngestService({ db, goals, clock: () => now });
  for (let i = 0; i < batch.length; i += 500) {
    const body = { batch: batch.slice(i, i + 500) };
    const result = await ingest.ingest(body, {
      tenant,
      receivedAt: now,
      bodyBytes: JSON.stringify(body).length,
    });
    if (!result.success) throw new Error(`demo history rejected: ${JSON.stringify(result.rejected[0])}`);
  }
}
