import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { migrationsFolder } from '../../server/paths.ts';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * The rollups kept at ingestion (server/ingest/rollups.ts) against the events themselves: whatever
 * arrives (duplicates in a batch, a retried batch, events out of order and days late), each rollup
 * equals the same aggregate computed from the stored events, and reports read from them answer what
 * the events say, to the event, for periods that start and end mid-day.
 */
let h: Harness;
beforeEach(async () => {
  h = await createHarness(undefined, { rateLimits: false }); // now = 2026-11-23T12:00Z
});
afterEach(async () => {
  await h.close();
});

const hour = 3_600_000;
const now = Date.parse('2026-11-23T12:00:00.000Z');
const at = (t: number) => new Date(t).toISOString();

/** A deterministic mixed history: users in accounts, product events, widget events, anonymous visitors. */
function history(seed: number, count: number, survey: string) {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const userId = `u${Math.floor(rand() * 12)}`;
    const anonymous = rand() < 0.1;
    const who = anonymous ? { anonymousId: `a${Math.floor(rand() * 4)}` } : { userId };
    // Up to 20 days back, at any hour: many batches end up out of time order.
    const timestamp = at(now - Math.floor(rand() * 20 * 24) * hour - Math.floor(rand() * hour));
    const context = rand() < 0.7 ? { groupId: `acc${Math.floor(rand() * 3)}` } : {};
    const kind = pick([
      'product',
      'product',
      'checklist',
      'spotlight',
      'step',
      'missing',
      'survey',
      'page',
    ] as const);
    const messageId = `m${seed}-${i}`;
    const ref = { contentId: kind === 'survey' ? survey : kind === 'checklist' ? 'cl1' : 'sp1', version: 1 };
    switch (kind) {
      case 'product':
        return { type: 'track', messageId, ...who, event: 'Invoice Sent', timestamp, context };
      case 'page':
        return { type: 'page', messageId, ...who, name: 'Home', timestamp, context };
      case 'checklist':
        return {
          type: 'track',
          messageId,
          ...who,
          event: pick(['$waymark.checklist_shown', '$waymark.checklist_dismissed']),
          properties: ref,
          timestamp,
          context,
        };
      case 'spotlight':
        return {
          type: 'track',
          messageId,
          ...who,
          event: pick(['$waymark.spotlight_shown', '$waymark.spotlight_completed']),
          properties: ref,
          timestamp,
          context,
        };
      case 'step':
        return {
          type: 'track',
          messageId,
          ...who,
          event: pick(['$waymark.spotlight_step_viewed', '$waymark.spotlight_dismissed']),
          properties: { ...ref, stepId: pick(['s1', 's2']), stepIndex: 0 },
          timestamp,
          context,
        };
      case 'missing':
        return {
          type: 'track',
          messageId,
          ...who,
          event: '$waymark.spotlight_target_not_found',
          properties: {
            ...ref,
            stepId: 's2',
            selector: pick(['#a', '#b']),
            url: pick(['/x', '/y']),
            outcome: 'skipped',
          },
          timestamp,
          context,
        };
      default: // 'survey'
        return {
          type: 'track',
          messageId,
          ...who,
          event: pick(['$waymark.survey_shown', '$waymark.survey_dismissed']),
          properties: ref,
          timestamp,
          context,
        };
    }
  });
}

/** A published survey: the server refuses survey events that name none. */
async function publishedSurvey(): Promise<string> {
  const created = await h.adminJson('/surveys', 'POST', {
    name: 'NPS',
    content: { productName: 'Acme', ...defaultSurveyText },
  });
  const surveyId = created.body.id as string;
  expect((await h.adminJson(`/surveys/${surveyId}/publish`, 'POST')).status).toBe(201);
  return surveyId;
}

async function post(batch: unknown[]) {
  const res = await h.post({ batch });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.rejected ?? [], JSON.stringify(body.rejected?.slice(0, 2))).toEqual([]);
  return body as { accepted: number; duplicates?: number };
}

/** Each rollup as stored, and as computed from the stored events, in one comparable order. */
async function rollupsAndTruth() {
  const all = (query: ReturnType<typeof sql>) => h.db.read.all<Record<string, unknown>>(query);
  const day = sql`(timestamp / 86400000)`;
  return {
    stored: {
      userDays: await all(sql`SELECT workspace_id, user_id, day, events FROM user_days ORDER BY 1, 2, 3`),
      accountDays: await all(
        sql`SELECT workspace_id, account_id, day, events FROM account_days ORDER BY 1, 2, 3`,
      ),
      contentUsers: await all(sql`SELECT content_id, version, name, step_id, subject_id, anonymous,
        first_at, last_at, events FROM content_users ORDER BY 1, 2, 3, 4, 5, 6`),
      misses: await all(sql`SELECT content_id, version, step_id, selector, url, subject_id, last_at, events
        FROM spotlight_misses ORDER BY 1, 2, 3, 4, 5, 6`),
      prompts: await all(sql`SELECT survey_id, name, day, subject_id, anonymous, events, previous_day
        FROM survey_prompt_days ORDER BY 1, 2, 3, 4, 5`),
    },
    truth: {
      userDays: await all(sql`SELECT workspace_id, user_id, ${day} AS day, count(*) AS events FROM events
        WHERE user_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`),
      accountDays: await all(sql`SELECT workspace_id, account_id, ${day} AS day, count(*) AS events
        FROM events WHERE account_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`),
      contentUsers: await all(sql`SELECT json_extract(properties, '$.contentId') AS content_id,
        json_extract(properties, '$.version') AS version, name,
        coalesce(json_extract(properties, '$.stepId'), '') AS step_id,
        coalesce(user_id, anonymous_id) AS subject_id, user_id IS NULL AS anonymous,
        min(timestamp) AS first_at, max(timestamp) AS last_at, count(*) AS events
        FROM events WHERE name LIKE '$waymark.checklist%' OR name IN ('$waymark.spotlight_shown',
          '$waymark.spotlight_completed', '$waymark.spotlight_step_viewed', '$waymark.spotlight_dismissed')
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`),
      misses: await all(sql`SELECT json_extract(properties, '$.contentId') AS content_id,
        json_extract(properties, '$.version') AS version, json_extract(properties, '$.stepId') AS step_id,
        json_extract(properties, '$.selector') AS selector, json_extract(properties, '$.url') AS url,
        coalesce(user_id, anonymous_id) AS subject_id, max(timestamp) AS last_at, count(*) AS events
        FROM events WHERE name = '$waymark.spotlight_target_not_found'
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`),
      // With each person's previous day (with that survey and event), whatever order days arrived in.
      prompts: await all(sql`SELECT *, lag(day) OVER (PARTITION BY survey_id, name, anonymous, subject_id
          ORDER BY day) AS previous_day
        FROM (SELECT json_extract(properties, '$.contentId') AS survey_id, name, ${day} AS day,
          coalesce(user_id, anonymous_id) AS subject_id, user_id IS NULL AS anonymous, count(*) AS events
          FROM events WHERE name IN ('$waymark.survey_shown', '$waymark.survey_dismissed')
          GROUP BY 1, 2, 3, 4, 5)
        ORDER BY 1, 2, 3, 4, 5`),
    },
  };
}

describe('rollups kept at ingestion', () => {
  it('equal the events they count, through duplicates, retries and out-of-order, late events', async () => {
    const surveyId = await publishedSurvey();
    const first = history(1, 400, surveyId);
    // A batch with repeats of its own messages (a client retrying while the first try is in flight).
    expect((await post([...first.slice(0, 200), ...first.slice(0, 50)])).accepted).toBe(200);
    // The rest, then the whole history again (a retry after a lost answer): only new events count.
    expect((await post(first.slice(200))).accepted).toBe(200);
    expect((await post(first)).accepted).toBe(0);
    // A second history, older and interleaved in time with the first.
    expect((await post(history(2, 300, surveyId))).accepted).toBe(300);

    const { stored, truth } = await rollupsAndTruth();
    expect(stored.userDays.length).toBeGreaterThan(20);
    expect(stored.contentUsers.length).toBeGreaterThan(10);
    expect(stored.misses.length).toBeGreaterThan(2);
    expect(stored.prompts.length).toBeGreaterThan(10);
    expect(stored).toEqual(truth);
  });

  it('count events committed together by several requests once each', async () => {
    const events = history(3, 300, await publishedSurvey());
    // Concurrent requests are grouped into one commit (group commit); two of them overlap.
    const results = await Promise.all([
      post(events.slice(0, 120)),
      post(events.slice(100, 220)),
      post(events.slice(200, 300)),
    ]);
    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(300);
    const { stored, truth } = await rollupsAndTruth();
    expect(stored).toEqual(truth);
  });
});

describe('NPS rates from the rollups', () => {
  it('equal the events of a period that starts and ends mid-day', async () => {
    const surveyId = await publishedSurvey();
    await post(history(4, 500, surveyId));
    await post(history(5, 300, surveyId));

    const from = now - 9 * 24 * hour - 5 * hour; // 2026-11-14T07:00Z
    const to = now - 2 * 24 * hour + 3 * hour; // 2026-11-21T15:00Z
    const res = await h.adminJson(`/surveys/${surveyId}/results?from=${at(from)}&to=${at(to)}`);
    expect(res.status).toBe(200);

    const [truth] = await h.db.read.all<Record<string, number>>(sql`
      SELECT
        (SELECT count(*) FROM events WHERE name = '$waymark.survey_shown'
          AND timestamp >= ${from} AND timestamp < ${to}) AS displays,
        (SELECT count(DISTINCT user_id) FROM events WHERE name = '$waymark.survey_shown'
          AND timestamp >= ${from} AND timestamp < ${to}) AS usersShown,
        (SELECT count(*) FROM events WHERE name = '$waymark.survey_dismissed'
          AND timestamp >= ${from} AND timestamp < ${to}) AS dismissals,
        (SELECT count(DISTINCT user_id) FROM events WHERE name = '$waymark.survey_dismissed'
          AND timestamp >= ${from} AND timestamp < ${to}) AS usersDismissed,
        (SELECT count(DISTINCT user_id) FROM events
          WHERE timestamp >= ${from} AND timestamp < ${to}) AS activeUsers`);
    expect(truth?.displays).toBeGreaterThan(10);
    expect(res.body.rates).toMatchObject(truth as Record<string, number>);

    // People shown and dismissed over periods that start on every day of the history, mid-day or at
    // midnight: each person counted once, whether seen on whole days, partial days or both.
    const people = (name: string, a: number, b: number) => sql`(SELECT count(DISTINCT user_id) FROM events
      WHERE name = ${name} AND timestamp >= ${a} AND timestamp < ${b})`;
    for (let back = 1; back <= 21; back += 2) {
      const a = now - back * 24 * hour - (back % 4) * 5 * hour;
      const b = Math.min(now, a + (1 + (back % 5)) * 24 * hour + (back % 3) * 7 * hour);
      const period = await h.adminJson(`/surveys/${surveyId}/results?from=${at(a)}&to=${at(b)}`);
      const [counted] = await h.db.read.all<Record<string, number>>(sql`SELECT
        ${people('$waymark.survey_shown', a, b)} AS usersShown,
        ${people('$waymark.survey_dismissed', a, b)} AS usersDismissed`);
      expect(period.body.rates, `${at(a)} to ${at(b)}`).toMatchObject(counted as Record<string, number>);
    }

    // Within one day, and across exactly one day boundary.
    for (const [a, b] of [
      [now - 30 * hour, now - 26 * hour],
      [now - 14 * hour, now - 10 * hour],
    ] as const) {
      const within = await h.adminJson(`/surveys/${surveyId}/results?from=${at(a)}&to=${at(b)}`);
      const [active] = await h.db.read.all<{ n: number }>(sql`SELECT count(DISTINCT user_id) AS n
        FROM events WHERE timestamp >= ${a} AND timestamp < ${b}`);
      expect(within.body.rates.activeUsers).toBe(active?.n);
    }
  });
});

describe('migrations 0009 and 0010', () => {
  it('build the survey days, with each person’s previous day, from the events already stored', async () => {
    // A database as release 0008 left it, with survey events stored before the rollups existed.
    const url = `file:${join(h.dir, 'old.db')}`;
    const older = join(h.dir, 'migrations-0008');
    cpSync(migrationsFolder, older, { recursive: true });
    const journalFile = join(older, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number }> };
    journal.entries = journal.entries.filter((entry) => entry.idx <= 8);
    writeFileSync(journalFile, JSON.stringify(journal));
    const client = createClient({ url });
    await migrate(drizzle(client), { migrationsFolder: older });
    const day = 24 * hour;
    const rows = [
      // u1 shown on days 9, 5 (twice), 2 and 7, stored in that order; dismissed on day 5.
      ['u1', '$waymark.survey_shown', 9],
      ['u1', '$waymark.survey_shown', 5],
      ['u1', '$waymark.survey_shown', 5],
      ['u1', '$waymark.survey_shown', 2],
      ['u1', '$waymark.survey_dismissed', 5],
      ['u1', '$waymark.survey_shown', 7],
      ['u2', '$waymark.survey_shown', 7],
    ] as const;
    await client.batch(
      rows.map(([userId, name, back], i) => ({
        sql: `INSERT INTO events (workspace_id, message_id, type, name, user_id, timestamp, received_at, properties)
          VALUES ('ws1', ?, 'track', ?, ?, ?, ?, '{"contentId":"sv_1","version":1}')`,
        args: [`m${i}`, name, userId, now - back * day, now],
      })),
    );
    client.close();

    const migrated = await openDatabase({ url, logger: createLogger('silent') });
    try {
      const days = await migrated.read.all<Record<string, unknown>>(sql`
        SELECT subject_id, name, ${Math.floor(now / day)} - day AS back, events, previous_day IS NULL AS first,
          ${Math.floor(now / day)} - previous_day AS previous
        FROM survey_prompt_days ORDER BY subject_id, name, day`);
      expect(days).toEqual([
        { subject_id: 'u1', name: '$waymark.survey_dismissed', back: 5, events: 1, first: 1, previous: null },
        { subject_id: 'u1', name: '$waymark.survey_shown', back: 9, events: 1, first: 1, previous: null },
        { subject_id: 'u1', name: '$waymark.survey_shown', back: 7, events: 1, first: 0, previous: 9 },
        { subject_id: 'u1', name: '$waymark.survey_shown', back: 5, events: 2, first: 0, previous: 7 },
        { subject_id: 'u1', name: '$waymark.survey_shown', back: 2, events: 1, first: 0, previous: 5 },
        { subject_id: 'u2', name: '$waymark.survey_shown', back: 7, events: 1, first: 1, previous: null },
      ]);
    } finally {
      await migrated.close();
    }
  });
});
