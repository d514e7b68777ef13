import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { surveyTextTables } from '../../shared/widget-strings.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const day = 86_400_000;
async function oldUser(userId: string) {
  const createdAt = new Date(h.clock.now - 45 * day).toISOString();
  const res = await h.post({
    batch: [{ type: 'identify', userId, messageId: `i-${userId}`, traits: { createdAt } }],
  });
  expect(res.status).toBe(200);
}
async function publish(body: unknown): Promise<string> {
  const created = await h.adminJson('/surveys', 'POST', body);
  expect(created.status).toBe(201);
  expect((await h.adminJson(`/surveys/${created.body.id}/publish`, 'POST')).status).toBe(201);
  return created.body.id;
}

describe('a survey with only a name', () => {
  it('is saved and published, and shown with the standard text and the workspace name', async () => {
    const id = await publish({ name: 'NPS' });
    await oldUser('u1');
    const [survey] = (await h.content('u1')).surveys;
    // The harness's workspace is named "Test".
    expect(survey).toMatchObject({
      id,
      locale: 'en',
      question: 'How likely are you to recommend Test to a friend or colleague?',
      lowLabel: 'Not at all likely',
      highLabel: 'Extremely likely',
      followUp: {
        detractor: 'What is the main reason for your score? What could we do better?',
        passive: 'What is the main reason for your score? What would make it a 10?',
        promoter: 'What is the main reason for your score? What do you like most?',
      },
      thankYou: 'Thank you for your feedback!',
    });
  });

  it("is shown in the user's language when Waymark has its text in it", async () => {
    await publish({ name: 'NPS' });
    await oldUser('u1');
    const [fr] = (await h.content('u1', { locale: 'fr-CA' })).surveys;
    expect(fr).toMatchObject({
      locale: 'fr',
      question: 'Quelle est la probabilité que vous recommandiez Test à un ami ou un collègue ?',
      lowLabel: 'Pas du tout probable',
      thankYou: 'Merci pour votre avis !',
    });
    const [ja] = (await h.content('u1', { locale: 'ja' })).surveys;
    expect(ja).toMatchObject({ locale: 'en', lowLabel: 'Not at all likely' });
  });

  it("fills only what the author left out, in the survey's own language", async () => {
    await publish({
      name: 'NPS',
      content: { productName: 'Ledgerly', question: 'Would you recommend {product}?', thankYou: 'Cheers!' },
    });
    await oldUser('u1');
    const [survey] = (await h.content('u1', { locale: 'de' })).surveys;
    expect(survey).toMatchObject({
      locale: 'en',
      question: 'Would you recommend Ledgerly?',
      lowLabel: 'Not at all likely',
      thankYou: 'Cheers!',
    });
  });

  it('still refuses a question that names no product', async () => {
    const res = await h.adminJson('/surveys', 'POST', {
      name: 'NPS',
      content: { question: 'Do you like us?' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { pointer: '/content/question', detail: 'should name the product: use {product} or the product name' },
    ]);
  });

  it('has the standard text in every language, with the same placeholders', () => {
    for (const [name, table] of Object.entries(surveyTextTables)) {
      const en: Record<string, string> = table.en;
      for (const [locale, t] of Object.entries(table as Record<string, Record<string, string>>)) {
        expect(Object.keys(t).sort(), `${name}.${locale}`).toEqual(Object.keys(en).sort());
        for (const key of Object.keys(en)) {
          expect(t[key], `${name}.${locale}.${key}`).not.toBe('');
          expect(t[key]?.match(/\{\w+\}/g)?.sort(), `${name}.${locale}.${key}`).toEqual(
            en[key]?.match(/\{\w+\}/g)?.sort(),
          );
        }
      }
    }
  });
});
