import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { npsInterval } from '../../server/analytics/stats.ts';
import { csvField } from '../../server/http/csv.ts';
import { latestPerPerson, npsSummary } from '../../server/surveys/nps-score.ts';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness(); // now = 2026-11-23T12:00Z, a Monday
});
afterEach(async () => {
  await h.close();
});

let responseSeq = 0;
/** Noon UTC of a date, so no case sits on a bucket edge. */
const on = (date: string) => `${date}T12:00:00.000Z`;

async function publishedSurvey(name = 'NPS') {
  const created = await h.admin('/surveys', {
    method: 'POST',
    body: JSON.stringify({ name, content: { productName: 'Acme', ...defaultSurveyText } }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await h.admin(`/surveys/${id}/publish`, { method: 'POST' })).status).toBe(201);
  return id;
}
const member = (userId: string, accountId: string | null, traits: Record<string, unknown> = {}) => [
  h.msg({ type: 'identify', userId, timestamp: on('2026-06-01'), traits: { name: userId } }),
  ...(accountId
    ? [h.msg({ type: 'group', userId, groupId: accountId, timestamp: on('2026-06-01'), traits })]
    : []),
];
const answer = (
  surveyId: string,
  userId: string,
  score: number,
  date: string,
  extra: { comment?: string; responseId?: string } = {},
) =>
  h.msg({
    type: 'track',
    userId,
    event: '$waymark.survey_answered',
    timestamp: on(date),
    properties: {
      contentId: surveyId,
      version: 1,
      responseId: extra.responseId ?? `r-${String(++responseSeq).padStart(8, '0')}`,
      score,
      ...(extra.comment === undefined ? {} : { comment: extra.comment }),
    },
  });
const prompt = (surveyId: string, userId: string, kind: 'shown' | 'dismissed', date: string) =>
  h.msg({
    type: 'track',
    userId,
    event: `$waymark.survey_${kind}`,
    timestamp: on(date),
    properties: { contentId: surveyId, version: 1 },
  });

describe('NPS math', () => {
  it('has no score, margin or interval without responses', () => {
    expect(npsSummary([])).toEqual({
      responses: 0,
      promoters: 0,
      passives: 0,
      detractors: 0,
      shares: { promoters: null, passives: null, detractors: null },
      nps: null,
      marginOfError: null,
      interval: null,
      lowSample: true,
      distribution: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
  });

  // Intervals are adjusted Wald (README, "NPS surveys"): with P promoters and D detractors of n,
  // p~ = (P + 1) / (n + 2), d~ = (D + 1) / (n + 2), Var = (p~ + d~ - (p~ - d~)^2) / (n + 2),
  // margin = 196 * sqrt(Var), interval = 100 * (p~ - d~) -/+ margin, clipped to [-100, 100].
  it('keeps an interval of some width when everyone is a promoter (4 of 4 is not [100, 100])', () => {
    // P = 4, n = 4: p~ = 5/6, d~ = 1/6, centre 66.667; Var = (1 - (4/6)^2) / 6 = 5/54 = .0925926;
    // margin = 196 * .3042903 = 59.64; interval [66.667 - 59.641, 126.31 clipped] = [7.03, 100].
    expect(npsSummary([10, 9, 10, 10])).toMatchObject({
      responses: 4,
      promoters: 4,
      shares: { promoters: 1, passives: 0, detractors: 0 },
      nps: 100,
      marginOfError: 59.64,
      interval: [7.03, 100],
      lowSample: true,
    });
    // P = 3, n = 3: p~ = .8, d~ = .2, centre 60; Var = (1 - .36) / 5 = .128; margin = 196 * .3577709 = 70.12.
    expect(npsSummary([9, 10, 10])).toMatchObject({
      nps: 100,
      marginOfError: 70.12,
      interval: [-10.12, 100],
      distribution: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2],
    });
  });

  it('counts one response', () => {
    // One 6: a detractor. NPS = -100. p~ = 1/3, d~ = 2/3, centre -33.333; Var = (1 - 1/9) / 3 = 8/27;
    // margin = 196 * .5443311 = 106.69; interval [-140.02 clipped, 73.36] = [-100, 73.36].
    expect(npsSummary([6])).toMatchObject({
      responses: 1,
      detractors: 1,
      nps: -100,
      marginOfError: 106.69,
      interval: [-100, 73.36],
      lowSample: true,
    });
  });

  it('computes score and 95% margin for a mixed set', () => {
    // n = 10: promoters 10 10 9 9 9 (5), passives 8 7 (2), detractors 6 3 0 (3).
    // p = .5, d = .3: NPS = 100 * (.5 - .3) = 20.
    // p~ = 6/12 = .5, d~ = 4/12 = .3333, centre 16.667; Var = (.8333 - .02778) / 12 = 29/432 = .0671296;
    // margin = 196 * .2590938 = 50.78; interval [16.667 - 50.782, 16.667 + 50.782] = [-34.12, 67.45].
    expect(npsSummary([10, 10, 9, 9, 9, 8, 7, 6, 3, 0])).toEqual({
      responses: 10,
      promoters: 5,
      passives: 2,
      detractors: 3,
      shares: { promoters: 0.5, passives: 0.2, detractors: 0.3 },
      nps: 20,
      marginOfError: 50.78,
      interval: [-34.12, 67.45],
      lowSample: true,
      distribution: [1, 0, 0, 1, 0, 0, 1, 1, 1, 3, 2],
    });
    expect(npsInterval(5, 3, 10)?.marginOfError).toBeCloseTo(50.7824, 4);
  });

  it('clips the interval to [-100, 100] and greys out fewer than 30 responses only', () => {
    // 10 10 10 0: NPS = 50. p~ = 4/6, d~ = 2/6, centre 33.333; Var = (1 - 1/9) / 6 = 8/54 = .1481481;
    // margin = 196 * .3849002 = 75.44; 33.333 + 75.440 = 108.77 is clipped to 100.
    expect(npsSummary([10, 10, 10, 0])).toMatchObject({
      nps: 50,
      marginOfError: 75.44,
      interval: [-42.11, 100],
    });
    expect(npsSummary(Array.from({ length: 29 }, () => 9)).lowSample).toBe(true);
    expect(npsSummary(Array.from({ length: 30 }, () => 9)).lowSample).toBe(false);
  });

  it('keeps each person their latest response, ties broken by the greater id', () => {
    const latest = latestPerPerson([
      { id: 'r-a', userId: 'u1', respondedAt: 1 },
      { id: 'r-c', userId: 'u1', respondedAt: 5 },
      { id: 'r-b', userId: 'u1', respondedAt: 5 },
      { id: 'r-d', userId: 'u2', respondedAt: 2 },
    ]);
    expect(latest.map((r) => r.id)).toEqual(['r-c', 'r-d']);
  });

  it('writes CSV fields per RFC 4180, defusing formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(null)).toBe('');
    expect(csvField(7)).toBe('7');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    for (const start of ['=', '+', '-', '@', '\t']) expect(csvField(`${start}1`)).toBe(`'${start}1`);
    expect(csvField('\r1')).toBe(`"'\r1"`);
  });
});

/**
 * The fixture most cases below read (survey `sv`, period October 2026 unless said):
 *
 * | user | account (plan)  | responses                                   | Oct's latest |
 * |------|-----------------|---------------------------------------------|--------------|
 * | u1   | acme (pro)      | 3 Oct 2, 10 Oct 20 (and 9 on Jul 1)         | 10 P         |
 * | u2   | acme (pro)      | 9 Oct 6 "Love the 100% uptime"              | 9 P          |
 * | u3   | acme (pro)      | 7 Oct 13 "Fine, 100 times better"           | 7 Pa         |
 * | u4   | globex (free)   | 6 Oct 14, its comment later (and 10 Jul 1)  | 6 D          |
 * | u5   | globex (free)   | 0 Oct 27 'Slow, "buggy", …' (and 9 Jul 2)   | 0 D          |
 * | u6   | initech (none)  | 8 Oct 21 "@everyone +1"                     | 8 Pa         |
 * | u7   | (no account)    | 10 Oct 8                                    | 10 P         |
 * | u8   | acme (pro)      | 2 Sep 20                                    | -            |
 * | u9   | acme            | shown and dismissed Oct 10                  | -            |
 * | u10  | acme            | shown and dismissed Oct 11 and Oct 12       | -            |
 * | u11  | globex          | a page view Oct 15; shown another survey    | -            |
 *
 * October: n = 7, promoters 3 (u1 u2 u7), passives 2 (u3 u6), detractors 2 (u4 u5).
 * NPS = 100 * (3 - 2) / 7 = 14.29. Adjusted: p~ = 4/9, d~ = 3/9, centre 11.111;
 * Var = (7/9 - (1/9)^2) / 9 = 62/729 = .0850480; margin = 196 * .2916299 = 57.16;
 * interval [11.111 - 57.160, 11.111 + 57.160] = [-46.05, 68.27].
 */
describe('survey results', () => {
  let sv: string;
  const october = 'from=2026-10-01&to=2026-10-31';

  beforeEach(async () => {
    sv = await publishedSurvey();
    const other = await publishedSurvey('Other NPS');
    await h.ingest([
      ...member('u1', 'acme', { plan: 'pro', name: 'Acme Inc' }),
      ...member('u2', 'acme'),
      ...member('u3', 'acme'),
      ...member('u4', 'globex', { plan: 'free', name: 'Globex' }),
      ...member('u5', 'globex'),
      ...member('u6', 'initech'),
      ...member('u7', null),
      ...member('u8', 'acme'),
      ...member('u9', 'acme'),
      ...member('u10', 'acme'),
      ...member('u11', 'globex'),
    ]);
    const u4Response = 'r-u4-october';
    const result = await h.ingest([
      answer(sv, 'u1', 9, '2026-07-01'),
      answer(sv, 'u4', 10, '2026-07-01'),
      answer(sv, 'u5', 9, '2026-07-02'),
      answer(sv, 'u8', 2, '2026-09-20'),
      prompt(sv, 'u1', 'shown', '2026-10-02'),
      answer(sv, 'u1', 3, '2026-10-02'),
      prompt(sv, 'u2', 'shown', '2026-10-06'),
      answer(sv, 'u2', 9, '2026-10-06', { comment: 'Love the 100% uptime' }),
      prompt(sv, 'u7', 'shown', '2026-10-08'),
      answer(sv, 'u7', 10, '2026-10-08'),
      prompt(sv, 'u9', 'shown', '2026-10-10'),
      prompt(sv, 'u9', 'dismissed', '2026-10-10'),
      prompt(sv, 'u10', 'shown', '2026-10-11'),
      prompt(sv, 'u10', 'dismissed', '2026-10-11'),
      prompt(sv, 'u10', 'shown', '2026-10-12'),
      prompt(sv, 'u10', 'dismissed', '2026-10-12'),
      prompt(sv, 'u3', 'shown', '2026-10-13'),
      answer(sv, 'u3', 7, '2026-10-13', { comment: 'Fine, 100 times better' }),
      prompt(sv, 'u4', 'shown', '2026-10-14'),
      answer(sv, 'u4', 6, '2026-10-14', { responseId: u4Response }),
      h.msg({ type: 'page', userId: 'u11', name: 'Home', timestamp: on('2026-10-15') }),
      prompt(other, 'u11', 'shown', '2026-10-15'),
      prompt(sv, 'u1', 'shown', '2026-10-20'),
      answer(sv, 'u1', 10, '2026-10-20'),
      prompt(sv, 'u6', 'shown', '2026-10-21'),
      answer(sv, 'u6', 8, '2026-10-21', { comment: '@everyone +1' }),
      prompt(sv, 'u5', 'shown', '2026-10-27'),
      answer(sv, 'u5', 0, '2026-10-27', { comment: 'Slow, "buggy", and\nexpensive' }),
    ]);
    expect(result.rejected).toEqual([]);
    // u4's comment follows in a later request, same response id, a minute after the score.
    await h.ingest([
      h.msg({
        type: 'track',
        userId: 'u4',
        event: '$waymark.survey_answered',
        timestamp: '2026-10-14T12:01:00.000Z',
        properties: {
          contentId: sv,
          version: 1,
          responseId: u4Response,
          score: 6,
          comment: '=HYPERLINK("http://evil","click")',
        },
      }),
    ]);
  });

  it('summarizes each person once, by their latest response in the period', async () => {
    const { status, body } = await h.adminJson(`/surveys/${sv}/results?${october}`);
    expect(status).toBe(200);
    expect(body.survey).toEqual({ id: sv, name: 'NPS' });
    expect(body.period).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    expect(body.summary).toEqual({
      responses: 7,
      promoters: 3,
      passives: 2,
      detractors: 2,
      shares: { promoters: 3 / 7, passives: 2 / 7, detractors: 2 / 7 },
      nps: 14.29,
      marginOfError: 57.16,
      interval: [-46.05, 68.27],
      lowSample: true,
      // scores 10 9 7 6 0 8 10
      distribution: [1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2],
    });
  });

  it('counts displays and dismissals in the rates, never in the NPS', async () => {
    const { body } = await h.adminJson(`/surveys/${sv}/results?${october}`);
    // Displays: u1 twice, u2-u7 once, u9 once, u10 twice = 11, by 9 users (u11 saw another survey).
    // Dismissals: u9 once, u10 twice = 3, by 2 users. Respondents: u1-u7 = 7.
    // Active in October: u1-u7, u9, u10, u11 = 10 (u8 answered in September).
    expect(body.rates).toEqual({
      displays: 11,
      usersShown: 9,
      dismissals: 3,
      usersDismissed: 2,
      activeUsers: 10,
      respondents: 7,
      responseRate: 7 / 9,
      dismissalRate: 2 / 9,
      displayRate: 9 / 10,
    });
    expect(body.summary.responses).toBe(7);
  });

  it('trends by week (from Monday, UTC), each person counted by their latest in the week', async () => {
    const { body } = await h.adminJson(`/surveys/${sv}/results?${october}&interval=week`);
    // Week of Sep 28: u1 3 -> -100. Oct 5: u2 9, u7 10 -> 100. Oct 12: u3 7, u4 6 -> (0 - 1) / 2 = -50.
    // Oct 19: u1 10, u6 8 -> (1 - 0) / 2 = 50. Oct 26: u5 0 -> -100.
    expect(
      body.trend.map((b: { bucket: string; responses: number; nps: number }) => [
        b.bucket,
        b.responses,
        b.nps,
      ]),
    ).toEqual([
      ['2026-09-28', 1, -100],
      ['2026-10-05', 2, 100],
      ['2026-10-12', 2, -50],
      ['2026-10-19', 2, 50],
      ['2026-10-26', 1, -100],
    ]);
  });

  it('trends by month, empty months included', async () => {
    const { body } = await h.adminJson(`/surveys/${sv}/results?from=2026-08-01&to=2026-10-31&interval=month`);
    // August: nobody. September: u8 2 -> -100. October: as the summary above, 14.29.
    expect(
      body.trend.map((b: { bucket: string; responses: number; nps: number | null }) => [
        b.bucket,
        b.responses,
        b.nps,
      ]),
    ).toEqual([
      ['2026-08', 0, null],
      ['2026-09', 1, -100],
      ['2026-10', 7, 14.29],
    ]);
    // The whole period: u8 joins (a detractor): n = 8, (3 - 3) / 8 = 0.
    expect(body.summary).toMatchObject({ responses: 8, nps: 0 });
  });

  it('counts a person once in the summary but once per bucket in the trend, as documented', async () => {
    const { body } = await h.adminJson(`/surveys/${sv}/results?from=2026-07-01&to=2026-10-31&interval=month`);
    // July: u1 9, u4 10, u5 9 (3 promoters). August: nobody. September: u8 2. October: 7 people, as above.
    // Buckets add up to 3 + 0 + 1 + 7 = 11 responses; the summary counts 8 people (u1-u8), each by their
    // latest answer in the whole period: u1 10, u2 9, u3 7, u4 6, u5 0, u6 8, u7 10, u8 2 -> 3 P, 2 Pa,
    // 3 D, NPS 0. The 3 extra in the trend are u1, u4 and u5, who answered in July and in October.
    const trend = body.trend as Array<{ bucket: string; responses: number; promoters: number }>;
    expect(trend.map((b) => [b.bucket, b.responses, b.promoters])).toEqual([
      ['2026-07', 3, 3],
      ['2026-08', 0, 0],
      ['2026-09', 1, 0],
      ['2026-10', 7, 3],
    ]);
    expect(body.summary).toMatchObject({ responses: 8, promoters: 3, passives: 2, detractors: 3, nps: 0 });
    const bucketSum = trend.reduce((sum, b) => sum + b.responses, 0);
    expect(bucketSum).toBe(11);
    // What the README and the OpenAPI description promise: never fewer in the buckets than in the summary.
    expect(bucketSum).toBeGreaterThanOrEqual(body.summary.responses);
    const openapi = await (await h.app.request('/openapi.json')).json();
    expect(openapi.paths['/v1/admin/surveys/{id}/results'].get.description).toContain(
      'latest response within that bucket',
    );
  });

  it('defaults to the 90 days before now', async () => {
    const { body } = await h.adminJson(`/surveys/${sv}/results`);
    // Aug 25 12:00 to Nov 23 12:00: October's 7 people and u8 (Sep 20); July is out.
    expect(body.period).toEqual({ from: '2026-08-25T12:00:00.000Z', to: '2026-11-23T12:00:00.000Z' });
    expect(body.summary.responses).toBe(8);
    expect(body.interval).toBe('month');
  });

  it('splits by an account trait, with a group for those without it', async () => {
    const { body } = await h.adminJson(`/surveys/${sv}/results?${october}&segment=account.plan`);
    // free: u4 6, u5 0 -> -100; p~ = 1/4, d~ = 3/4, centre -50, Var = (1 - .25) / 4 = .1875,
    //   margin = 196 * .4330127 = 84.87, interval [-100 (-134.87 clipped), 34.87].
    // pro: u1 10, u2 9, u3 7 -> 100 * 2 / 3 = 66.67; p~ = 3/5, d~ = 1/5, centre 40, Var = (.8 - .16) / 5
    //   = .128, margin = 196 * .3577709 = 70.12, interval [-30.12, 100] (110.12 clipped).
    // not set: u6 8 (initech has no plan), u7 10 (no account) -> 50; p~ = 2/4, d~ = 1/4, centre 25,
    //   Var = (.75 - .0625) / 4 = .171875, margin = 196 * .4145781 = 81.26, interval [-56.26, 100].
    expect(
      body.segments.map((s: Record<string, unknown>) => [
        s.value,
        s.label,
        s.responses,
        s.nps,
        s.marginOfError,
        s.interval,
      ]),
    ).toEqual([
      ['free', 'free', 2, -100, 84.87, [-100, 34.87]],
      ['pro', 'pro', 3, 66.67, 70.12, [-30.12, 100]],
      [null, '(not set)', 2, 50, 81.26, [-56.26, 100]],
    ]);
  });

  it('splits a numeric trait into bands, as by ARR', async () => {
    await h.ingest([
      h.msg({
        type: 'group',
        userId: 'u1',
        groupId: 'acme',
        timestamp: on('2026-06-02'),
        traits: { arr: 60000 },
      }),
      h.msg({
        type: 'group',
        userId: 'u4',
        groupId: 'globex',
        timestamp: on('2026-06-02'),
        traits: { arr: '9000' },
      }),
      h.msg({
        type: 'group',
        userId: 'u6',
        groupId: 'initech',
        timestamp: on('2026-06-02'),
        traits: { arr: 'n/a' },
      }),
    ]);
    const { body } = await h.adminJson(
      `/surveys/${sv}/results?${october}&segment=account.arr&bands=10000,50000`,
    );
    // < 10000: globex (u4 6, u5 0) -> -100; >= 50000: acme (u1 10, u2 9, u3 7) -> 66.67;
    // no band 10000-50000 answered; not set: initech's "n/a" (u6 8) and u7 without account (10) -> 50.
    expect(body.segments.map((s: Record<string, unknown>) => [s.label, s.value, s.responses, s.nps])).toEqual(
      [
        ['< 10000', { from: null, to: 10000 }, 2, -100],
        ['>= 50000', { from: 50000, to: null }, 3, 66.67],
        ['(not set)', null, 2, 50],
      ],
    );
    const bad = await h.adminJson(`/surveys/${sv}/results?bands=50000,10000&segment=account.arr`);
    expect(bad.body.errors).toEqual([{ pointer: '/bands', detail: 'must ascend' }]);
    const alone = await h.adminJson(`/surveys/${sv}/results?bands=10`);
    expect(alone.body.errors).toEqual([
      { pointer: '/bands', detail: 'needs segment: the numeric trait to band' },
    ]);
  });

  it('breaks results down per account, with its name', async () => {
    const { body } = await h.adminJson(`/surveys/${sv}/results?${october}`);
    // acme: u1 10, u2 9, u3 7 -> 66.67; globex: u4 6, u5 0 -> -100; initech: u6 8 -> 0. u7 has none.
    expect(
      body.accounts.map((a: Record<string, unknown>) => [a.accountId, a.name, a.responses, a.nps]),
    ).toEqual([
      ['acme', 'Acme Inc', 3, 66.67],
      ['globex', 'Globex', 2, -100],
      ['initech', null, 1, 0],
    ]);
    expect(body.accountCount).toBe(3);
    expect(body.segments).toBeUndefined();
    // Sized for a view: the accounts with the most responses, and how many there are in all.
    const top = await h.adminJson(`/surveys/${sv}/results?${october}&accountLimit=2`);
    expect(top.body.accounts.map((a: { accountId: string }) => a.accountId)).toEqual(['acme', 'globex']);
    expect(top.body.accountCount).toBe(3);
    expect(top.body.summary).toEqual(body.summary);
  });

  it('keeps one response per response id: a late comment attaches, a retried message counts once', async () => {
    const retried = answer(sv, 'u7', 3, '2026-10-09');
    expect(await h.ingest([retried])).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await h.ingest([retried])).toMatchObject({ accepted: 0, duplicates: 1 });
    const rows = await h.db.read.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM survey_responses WHERE user_id = 'u4' AND responded_at >= ${Date.parse('2026-10-01')}`,
    );
    expect(rows[0]?.n).toBe(1);
    const { body } = await h.adminJson(`/surveys/${sv}/responses?${october}&accountId=globex`);
    expect(body.responses[1]).toEqual({
      id: 'r-u4-october',
      surveyId: sv,
      version: 1,
      userId: 'u4',
      accountId: 'globex',
      score: 6,
      group: 'detractor',
      comment: '=HYPERLINK("http://evil","click")',
      respondedAt: on('2026-10-14'), // when the score was first given, not the comment
    });
    // u7's latest is now the 3 of Oct 9: promoters 2, detractors 3 -> 100 * (2 - 3) / 7 = -14.29.
    const results = await h.adminJson(`/surveys/${sv}/results?${october}`);
    expect(results.body.summary).toMatchObject({ responses: 7, promoters: 2, detractors: 3, nps: -14.29 });
  });

  describe('verbatims', () => {
    // October's eight responses, newest first: u5 (Oct 27), u6, u1 (Oct 20), u4, u3, u7, u2, u1 (Oct 2).
    const ids = async (query: string) => {
      const { status, body } = await h.adminJson(`/surveys/${sv}/responses?${october}&${query}`);
      expect(status, JSON.stringify(body)).toBe(200);
      return body.responses.map((r: { userId: string; score: number }) => `${r.userId}:${r.score}`);
    };

    it('list every response, the same person twice included, newest first', async () => {
      expect(await ids('')).toEqual(['u5:0', 'u6:8', 'u1:10', 'u4:6', 'u3:7', 'u7:10', 'u2:9', 'u1:3']);
    });

    it('filter by group, account, segment and comment', async () => {
      expect(await ids('group=detractor')).toEqual(['u5:0', 'u4:6', 'u1:3']);
      expect(await ids('group=passive')).toEqual(['u6:8', 'u3:7']);
      expect(await ids('accountId=globex')).toEqual(['u5:0', 'u4:6']);
      expect(await ids('segment=account.plan&value=pro')).toEqual(['u1:10', 'u3:7', 'u2:9', 'u1:3']);
      // No value: those without the trait (initech has no plan; u7 has no account).
      expect(await ids('segment=account.plan')).toEqual(['u6:8', 'u7:10']);
      expect(await ids('segment=user.name&value=u3')).toEqual(['u3:7']);
      expect(await ids('hasComment=true')).toEqual(['u5:0', 'u6:8', 'u4:6', 'u3:7', 'u2:9']);
      expect(await ids('hasComment=false')).toEqual(['u1:10', 'u7:10', 'u1:3']);
      expect(await ids('group=promoter&accountId=acme')).toEqual(['u1:10', 'u2:9']);
    });

    it('search comments case-insensitively, `%` and `_` taken literally', async () => {
      expect(await ids(`q=${encodeURIComponent('100%')}`)).toEqual(['u2:9']);
      expect(await ids('q=100')).toEqual(['u3:7', 'u2:9']);
      expect(await ids('q=LOVE')).toEqual(['u2:9']);
      expect(await ids('q=_')).toEqual([]);
      expect(await ids(`q=${encodeURIComponent('"buggy"')}`)).toEqual(['u5:0']);
    });

    it('page with a cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const { body } = await h.adminJson(`/surveys/${sv}/responses?${october}&${query}`);
        seen.push(...body.responses.map((r: { userId: string; score: number }) => `${r.userId}:${r.score}`));
        cursor = body.next;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(['u5:0', 'u6:8', 'u1:10', 'u4:6', 'u3:7', 'u7:10', 'u2:9', 'u1:3']);
      const bad = await h.adminJson(`/surveys/${sv}/responses?cursor=nope&limit=501`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
        '/cursor',
        '/limit',
      ]);
    });
  });

  it('exports CSV with RFC 4180 quoting and formulas defused', async () => {
    const res = await h.admin(`/surveys/${sv}/responses.csv?${october}&hasComment=true`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="nps-${sv}-2026-10-01-to-2026-10-31.csv"`,
    );
    const text = await res.text();
    const rows = await h.db.read.all<{ id: string; user_id: string; score: number }>(
      sql`SELECT id, user_id, score FROM survey_responses WHERE survey_id = ${sv}`,
    );
    const id = (user: string, score: number) =>
      rows.find((r) => r.user_id === user && r.score === score)?.id as string;
    expect(text).toBe(
      [
        'response_id,survey_id,version,user_id,account_id,score,group,comment,responded_at',
        `${id('u5', 0)},${sv},1,u5,globex,0,detractor,"Slow, ""buggy"", and\nexpensive",${on('2026-10-27')}`,
        `${id('u6', 8)},${sv},1,u6,initech,8,passive,'@everyone +1,${on('2026-10-21')}`,
        `r-u4-october,${sv},1,u4,globex,6,detractor,"'=HYPERLINK(""http://evil"",""click"")",${on('2026-10-14')}`,
        `${id('u3', 7)},${sv},1,u3,acme,7,passive,"Fine, 100 times better",${on('2026-10-13')}`,
        `${id('u2', 9)},${sv},1,u2,acme,9,promoter,Love the 100% uptime,${on('2026-10-06')}`,
        '',
      ].join('\r\n'),
    );
    // Without filters: a header and all 8 October responses (u5's \n stays inside its quoted field).
    const all = await h.admin(`/surveys/${sv}/responses.csv?${october}`);
    expect((await all.text()).split('\r\n').filter(Boolean)).toHaveLength(1 + 8);
  });

  it('gives account health its signals: recent detractors, and accounts whose NPS dropped', async () => {
    const { status, body } = await h.adminJson('/nps/signals');
    expect(status).toBe(200);
    // Since Oct 24 12:00 (30 days before now): only u5's 0 of Oct 27.
    expect(body.since).toBe('2026-10-24T12:00:00.000Z');
    expect(
      body.detractors.map((r: { userId: string; accountId: string; score: number; comment: string }) => [
        r.userId,
        r.accountId,
        r.score,
        r.comment,
      ]),
    ).toEqual([['u5', 'globex', 0, 'Slow, "buggy", and\nexpensive']]);
    // Current window Aug 25 - Nov 23, previous May 27 - Aug 25; each person's latest in each.
    // globex: previous u4 10, u5 9 -> 100; current u4 6, u5 0 -> -100: dropped 200.
    // acme: previous u1 9 -> 100; current u1 10, u2 9, u3 7, u8 2 -> 100 * (2 - 1) / 4 = 25: dropped 75.
    // initech: no previous responses.
    expect(body.accountDrops).toEqual([
      {
        accountId: 'globex',
        name: 'Globex',
        current: { nps: -100, responses: 2 },
        previous: { nps: 100, responses: 2 },
        drop: 200,
      },
      {
        accountId: 'acme',
        name: 'Acme Inc',
        current: { nps: 25, responses: 4 },
        previous: { nps: 100, responses: 1 },
        drop: 75,
      },
    ]);
    const strict = await h.adminJson('/nps/signals?since=2026-10-01&minResponses=2');
    expect(strict.body.detractors.map((r: { userId: string }) => r.userId)).toEqual(['u5', 'u4', 'u1']);
    expect(strict.body.accountDrops.map((a: { accountId: string }) => a.accountId)).toEqual(['globex']);
    expect((await h.adminJson('/nps/signals?minResponses=3')).body.accountDrops).toEqual([]);
  });
});

describe('results requests', () => {
  it('answer 404 for an unknown survey and 400 with pointers for a bad query', async () => {
    const sv = await publishedSurvey();
    expect((await h.adminJson('/surveys/sv_unknown/results')).status).toBe(404);
    expect((await h.adminJson('/surveys/sv_unknown/responses')).status).toBe(404);
    expect((await h.admin('/surveys/sv_unknown/responses.csv')).status).toBe(404);
    const bad = await h.adminJson(
      `/surveys/${sv}/results?interval=year&from=yesterday&segment=${encodeURIComponent('a"b')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/from',
      '/interval',
      '/segment',
    ]);
    const reversed = await h.adminJson(`/surveys/${sv}/results?from=2026-10-31&to=2026-10-01`);
    expect(reversed.body.errors).toEqual([{ pointer: '/to', detail: 'must be after from' }]);
    const long = await h.adminJson(`/surveys/${sv}/results?from=2000-01-01&to=2026-10-31`);
    expect(long.body.errors).toEqual([
      { pointer: '/from', detail: 'the period may be at most 1830 days long' },
    ]);
    const orphanValue = await h.adminJson(`/surveys/${sv}/responses?value=pro`);
    expect(orphanValue.body.errors).toEqual([
      { pointer: '/value', detail: 'needs segment: the trait it is a value of' },
    ]);
  });

  it("break ties between one person's responses at the same time by the greater response id", async () => {
    const sv = await publishedSurvey();
    await h.ingest(member('u1', 'acme'));
    // Same user, same instant: 'r-tie-bbbb' (10) outranks 'r-tie-aaaa' (0), as latestPerPerson does.
    await h.ingest([
      answer(sv, 'u1', 10, '2026-11-20', { responseId: 'r-tie-bbbb' }),
      answer(sv, 'u1', 0, '2026-11-20', { responseId: 'r-tie-aaaa' }),
    ]);
    const { body } = await h.adminJson(`/surveys/${sv}/results`);
    expect(body.summary).toMatchObject({ responses: 1, promoters: 1, detractors: 0 });
    const rows = (await h.adminJson(`/surveys/${sv}/responses`)).body.responses as Array<{
      id: string;
      userId: string;
      respondedAt: string;
    }>;
    expect(latestPerPerson(rows.map((r) => ({ ...r, respondedAt: Date.parse(r.respondedAt) })))[0]?.id).toBe(
      'r-tie-bbbb',
    );
  });

  it('report an empty period without a score', async () => {
    const sv = await publishedSurvey();
    const { body } = await h.adminJson(`/surveys/${sv}/results`);
    expect(body.summary).toMatchObject({ responses: 0, nps: null, marginOfError: null, interval: null });
    expect(body.rates).toMatchObject({ responseRate: null, dismissalRate: null, displayRate: null });
    expect(body.accounts).toEqual([]);
  });

  it('are described in the OpenAPI document', async () => {
    const doc = await (await h.app.request('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/admin/surveys/{id}/results',
        '/v1/admin/surveys/{id}/responses',
        '/v1/admin/surveys/{id}/responses.csv',
        '/v1/admin/nps/signals',
      ]),
    );
  });
});

describe('survey answers that cannot be counted', () => {
  it('are rejected with a pointer to the field, and nothing is stored', async () => {
    const sv = await publishedSurvey();
    await h.ingest(member('u1', null));
    const answered = (properties: Record<string, unknown>, who: Record<string, unknown> = { userId: 'u1' }) =>
      h.msg({
        type: 'track',
        ...who,
        event: '$waymark.survey_answered',
        timestamp: on('2026-11-20'),
        properties: {
          contentId: sv,
          version: 1,
          responseId: `r-${String(++responseSeq).padStart(8, '0')}`,
          score: 8,
          ...properties,
        },
      });
    const res = await h.post({
      batch: [
        answered({ score: 11 }),
        answered({ score: 5.5 }),
        answered({ contentId: 'sv_unknown' }),
        answered({ version: 2 }),
        answered({ comment: 'x'.repeat(2001) }),
        answered({}, { anonymousId: 'anon-1' }),
        // One valid message, so the batch answers 200 with the others in `rejected`.
        h.msg({ type: 'page', userId: 'u1', name: 'Home', timestamp: on('2026-11-20') }),
      ],
    });
    const result = await res.json();
    expect(result).toMatchObject({ success: false, accepted: 1 });
    expect(
      result.rejected.map((r: { index: number; errors: Array<{ pointer: string }> }) => [
        r.index,
        r.errors.map((e) => e.pointer),
      ]),
    ).toEqual([
      [0, ['/batch/0/properties/score']],
      [1, ['/batch/1/properties/score']],
      [2, ['/batch/2/properties/contentId']],
      [3, ['/batch/3/properties/version']],
      [4, ['/batch/4/properties/comment']],
      [5, ['/batch/5/userId']],
    ]);
    const rows = await h.db.read.all<{ n: number }>(sql`SELECT count(*) AS n FROM survey_responses`);
    expect(rows[0]?.n).toBe(0);
  });
});
