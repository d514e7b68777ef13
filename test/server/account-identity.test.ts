import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupHash, userHash, verifyGroupHash } from '../../server/workspaces/keys.ts';
import { defaultSurveyText } from '../../shared/schemas/survey.ts';
import { createHarness, type Harness, storedEvents } from './harness.ts';

/**
 * Identity verification for accounts (issue 10): with enforcement on, a browser may name an account
 * only with the customer server's proof that its user belongs to it (`groupHash`), and may not choose
 * its audience; with it off, everything is stored as before, with its account identity state.
 */

let h: Harness;
beforeEach(async () => {
  h = await createHarness(); // now = 2026-11-23T12:00Z
});
afterEach(async () => {
  await h.close();
});

let seq = 0;
const msg = (m: Record<string, unknown>) => ({ messageId: `m${++seq}`, ...m });
const signUser = (userId: string) => userHash(h.ws.identitySecret, userId);
const signGroup = (userId: string, groupId: string) => groupHash(h.ws.identitySecret, userId, groupId);
const yesterday = '2026-11-22T12:00:00.000Z';

const enforce = async () =>
  expect((await h.adminJson('/workspace', 'PATCH', { identityVerification: 'enforce' })).status).toBe(200);
/** The browser's way in: the publishable key. */
const fromBrowser = async (batch: unknown[]) => {
  const res = await h.post({ batch });
  expect(res.status).toBe(200);
  return res.json();
};
/** A browser batch of which nothing may be stored: the pointers and details of its 400. */
const refused = async (batch: unknown[]) => {
  const res = await h.post({ batch });
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = await res.json();
  expect(body.code).toBe('validation_failed');
  return body.errors;
};
/** The customer's own server: the secret key. */
const fromServer = async (batch: unknown[]) => {
  const res = await h.post({ batch }, { headers: { authorization: `Bearer ${h.ws.secretKey}` } });
  expect(await res.json()).toMatchObject({ success: true, rejected: [] });
};
const accountIdentities = async () =>
  (await storedEvents(h.db)).map((e) => [e.message_id, e.account_identity]);
const accountTraffic = async () => (await h.adminJson('/workspace')).body.identityVerification.accountTraffic;

/** victim-co, an enterprise customer set up by the customer's server, with one member, v1. */
async function victimCo() {
  await fromServer([
    msg({ type: 'identify', userId: 'v1', timestamp: yesterday, traits: { name: 'Vera', role: 'admin' } }),
    msg({
      type: 'group',
      userId: 'v1',
      groupId: 'victim-co',
      timestamp: yesterday,
      traits: { name: 'Victim Co', plan: 'enterprise' },
    }),
  ]);
}

const groupHashRequired = (index: number) => ({
  pointer: `/batch/${index}/groupHash`,
  detail:
    'account verification is required: send groupHash = hex HMAC-SHA256(identity secret, userId + "\\n" + groupId)',
});
const anonymousNamesAccount = (index: number) => ({
  pointer: `/batch/${index}/groupHash`,
  detail:
    'a message without userId cannot name an account while identity verification is enforced: send userId, userHash and groupHash = hex HMAC-SHA256(identity secret, userId + "\\n" + groupId)',
});

describe('groupHash', () => {
  it('is hex HMAC-SHA256(secret, userId + "\\n" + groupId), as the README documents it', () => {
    // From `printf 'user-42\nacme' | openssl dgst -sha256 -hmac iv_secret`.
    const expected = '1898a355c07f54e5964a7644245268f242f001b7779abfda19356d67c2dd4e5c';
    expect(groupHash('iv_secret', 'user-42', 'acme')).toBe(expected);
    expect(verifyGroupHash(['iv_other', 'iv_secret'], 'user-42', 'acme', expected.toUpperCase())).toBe(true);
    expect(verifyGroupHash(['iv_secret'], 'user-42', 'acme2', expected)).toBe(false);
    // The user's own signature does not stand for a membership.
    expect(verifyGroupHash(['iv_secret'], 'user-42', 'acme', userHash('iv_secret', 'user-42'))).toBe(false);
    expect(verifyGroupHash(['iv_secret'], 'user-42', 'acme', 'not-hex')).toBe(false);
  });
});

describe('an anonymous group call (the issue: another company’s plan and name rewritten)', () => {
  const attack = () =>
    msg({
      type: 'group',
      anonymousId: 'visitor',
      groupId: 'victim-co',
      traits: { name: 'Pwned', plan: 'free' },
    });

  it('is refused under enforcement, and the account keeps its traits', async () => {
    await victimCo();
    await enforce();
    // Even with a groupHash: there is no user for it to bind to the account.
    const withHash = { ...attack(), groupHash: signGroup('', 'victim-co') };
    expect(await refused([attack(), withHash])).toEqual([anonymousNamesAccount(0), anonymousNamesAccount(1)]);
    expect((await h.adminJson('/accounts/victim-co')).body.traits).toEqual({
      name: 'Victim Co',
      plan: 'enterprise',
    });
  });

  it('is stored as unsigned while enforcement is off', async () => {
    await victimCo();
    expect(await fromBrowser([attack()])).toMatchObject({ accepted: 1, rejected: [] });
    expect((await h.adminJson('/accounts/victim-co')).body.traits).toEqual({ name: 'Pwned', plan: 'free' });
    expect((await accountIdentities()).at(-1)).toEqual([`m${seq}`, 'unsigned']);
    expect(await accountTraffic()).toEqual({
      signed: 0,
      unsigned: 1,
      invalid: 0,
      trusted: 1,
      signedShare: 0,
    });
  });
});

describe('an anonymous track naming an account (the issue: a milestone and a time to value for it)', () => {
  const attack = () =>
    msg({ type: 'track', anonymousId: 'visitor', event: 'Invoice Sent', context: { groupId: 'victim-co' } });

  beforeEach(async () => {
    await h.adminJson('/milestones', 'POST', {
      key: 'invoice_sent',
      name: 'Sent an invoice',
      rule: { event: 'Invoice Sent' },
      isValue: true,
    });
    await victimCo();
  });

  it('is refused under enforcement: the account reaches nothing; anonymous traffic naming no account still flows', async () => {
    await enforce();
    const page = msg({ type: 'page', anonymousId: 'visitor', name: 'Pricing' });
    expect(await fromBrowser([attack(), page])).toEqual({
      success: false,
      accepted: 1,
      duplicates: 0,
      rejected: [{ index: 0, errors: [anonymousNamesAccount(0)] }],
      rejectedCount: 1,
    });
    const account = (await h.adminJson('/accounts/victim-co')).body;
    expect(account.milestones).toEqual([{ key: 'invoice_sent', name: 'Sent an invoice', reachedAt: null }]);
    expect(account.timeToValue).toEqual({ milestone: 'invoice_sent', reachedAt: null, days: null });
    expect((await accountIdentities()).at(-1)).toEqual([page.messageId, null]);
  });

  it('is stored as unsigned while enforcement is off', async () => {
    const sent = attack();
    await fromBrowser([sent]);
    const account = (await h.adminJson('/accounts/victim-co')).body;
    expect(account.milestones[0].reachedAt).toBe('2026-11-23T12:00:00.000Z');
    expect((await accountIdentities()).at(-1)).toEqual([sent.messageId, 'unsigned']);
  });
});

describe('a verified user answering NPS as another account (the issue: victim-co’s NPS from 100 to 0)', () => {
  let surveyId: string;
  let responses = 0;
  const answer = (userId: string, score: number, extra: Record<string, unknown> = {}) =>
    msg({
      type: 'track',
      userId,
      event: '$waymark.survey_answered',
      timestamp: yesterday,
      properties: { contentId: surveyId, version: 1, responseId: `r-${++responses}-attack`, score },
      ...extra,
    });
  const victimNps = async () => {
    const { body } = await h.adminJson(`/surveys/${surveyId}/results`);
    return body.accounts.map((a: Record<string, unknown>) => [a.accountId, a.responses, a.nps]);
  };
  const fiveZeros = () =>
    ['a1', 'a2', 'a3', 'a4', 'a5'].map((userId) =>
      answer(userId, 0, { userHash: signUser(userId), context: { groupId: 'victim-co' } }),
    );

  beforeEach(async () => {
    const created = await h.adminJson('/surveys', 'POST', {
      name: 'NPS',
      content: { productName: 'Acme', ...defaultSurveyText },
    });
    surveyId = created.body.id;
    expect((await h.adminJson(`/surveys/${surveyId}/publish`, 'POST')).status).toBe(201);
    await victimCo();
    await fromServer([answer('v1', 10)]);
    expect(await victimNps()).toEqual([['victim-co', 1, 100]]);
  });

  it('is refused under enforcement, message by message, and victim-co’s NPS stays 100', async () => {
    await enforce();
    // The attacker's answer as themself, in the same batch, is stored: only the forged ones fail.
    const own = answer('a1', 3, { userHash: signUser('a1') });
    expect(await fromBrowser([...fiveZeros(), own])).toEqual({
      success: false,
      accepted: 1,
      duplicates: 0,
      rejected: [0, 1, 2, 3, 4].map((i) => ({ index: i, errors: [groupHashRequired(i)] })),
      rejectedCount: 5,
    });
    expect(await victimNps()).toEqual([['victim-co', 1, 100]]);
  });

  it('is refused with a groupHash signed for another account', async () => {
    await enforce();
    const forged = answer('a1', 0, {
      userHash: signUser('a1'),
      groupHash: signGroup('a1', 'attacker-co'),
      context: { groupId: 'victim-co' },
    });
    expect(await refused([forged])).toEqual([
      {
        pointer: '/batch/0/groupHash',
        detail:
          'groupHash does not match userId and groupId: it must be hex HMAC-SHA256(identity secret, userId + "\\n" + groupId)',
      },
    ]);
  });

  it('is stored while enforcement is off, each answer recorded as unsigned', async () => {
    await fromBrowser(fiveZeros());
    expect(await victimNps()).toEqual([['victim-co', 6, -66.67]]);
    expect(await accountTraffic()).toMatchObject({ signed: 0, unsigned: 5, invalid: 0 });
  });
});

describe('a signed account', () => {
  it('is written and named under enforcement, its tracks reach its milestones, and no hash is stored', async () => {
    await h.adminJson('/milestones', 'POST', {
      key: 'invoice_sent',
      name: 'Sent an invoice',
      rule: { event: 'Invoice Sent' },
    });
    await enforce();
    const user = { userId: 'u1', userHash: signUser('u1') };
    // As the widget sends them: both hashes in the context of every message once group() was called.
    const context = { groupId: 'acme', userHash: signUser('u1'), groupHash: signGroup('u1', 'acme') };
    expect(
      await fromBrowser([
        msg({ type: 'identify', ...user, timestamp: yesterday, traits: { name: 'Ann' } }),
        msg({
          type: 'group',
          ...user,
          groupId: 'acme',
          groupHash: signGroup('u1', 'acme'),
          timestamp: yesterday,
          traits: { name: 'Acme', plan: 'pro' },
        }),
        msg({ type: 'track', userId: 'u1', event: 'Invoice Sent', context }),
      ]),
    ).toEqual({ success: true, accepted: 3, duplicates: 0, rejected: [], rejectedCount: 0 });
    const acme = (await h.adminJson('/accounts/acme')).body;
    expect(acme.traits).toEqual({ name: 'Acme', plan: 'pro' });
    expect(acme.users.map((u: { id: string }) => u.id)).toEqual(['u1']);
    expect(acme.milestones[0].reachedAt).toBe('2026-11-23T12:00:00.000Z');
    expect((await accountIdentities()).map(([, state]) => state)).toEqual([null, 'signed', 'signed']);
    expect(await accountTraffic()).toEqual({
      signed: 2,
      unsigned: 0,
      invalid: 0,
      trusted: 0,
      signedShare: 1,
    });
    const stored = (await storedEvents(h.db)).map((e) => String(e.context));
    expect(stored.some((c) => c.includes('Hash'))).toBe(false);
  });

  it('never stores a hash, not even one sent in the batch’s own context', async () => {
    const res = await h.post({
      batch: [msg({ type: 'track', userId: 'u1', event: 'X' })],
      context: { userHash: signUser('u1'), groupHash: signGroup('u1', 'acme'), campaign: 'fall' },
    });
    expect(res.status).toBe(200);
    expect((await storedEvents(h.db)).map((e) => JSON.parse(String(e.context)))).toEqual([
      { campaign: 'fall' },
    ]);
  });

  it('counts an account named by the batch’s own context as named by each message', async () => {
    await enforce();
    const track = msg({ type: 'track', userId: 'u1', userHash: signUser('u1'), event: 'X' });
    const unsigned = await h.post({ batch: [track], context: { groupId: 'victim-co' } });
    expect(unsigned.status).toBe(400);
    expect((await unsigned.json()).errors).toEqual([groupHashRequired(0)]);
    const badId = await h.post({ batch: [track], context: { groupId: 'victim-co\u0000' } });
    expect(badId.status).toBe(400);
    expect((await badId.json()).errors).toEqual([
      {
        pointer: '/context/groupId',
        detail: 'must not contain control characters (U+0000 to U+001F) or an unpaired surrogate',
      },
    ]);
    const signed = await h.post({
      batch: [{ ...track, groupHash: signGroup('u1', 'acme') }],
      context: { groupId: 'acme' },
    });
    expect(await signed.json()).toMatchObject({ accepted: 1, rejected: [] });
    expect(await accountIdentities()).toEqual([[track.messageId, 'signed']]);
  });

  it('reports the user and the account signatures a message lacks in one rejection', async () => {
    await enforce();
    expect(await refused([msg({ type: 'group', userId: 'u1', groupId: 'acme' })])).toEqual([
      {
        pointer: '/batch/0/userHash',
        detail: 'identity verification is required: send userHash = hex HMAC-SHA256(identity secret, userId)',
      },
      groupHashRequired(0),
    ]);
  });

  it('needs nothing from the secret key: the customer’s server is trusted', async () => {
    await enforce();
    await fromServer([msg({ type: 'group', userId: 'u1', groupId: 'acme', traits: { plan: 'pro' } })]);
    expect(await accountIdentities()).toEqual([[`m${seq}`, 'trusted']]);
  });

  it('is recorded as signed, unsigned or invalid while enforcement is off', async () => {
    const group = (id: string, extra: Record<string, unknown>) =>
      msg({ type: 'group', userId: 'u1', userHash: signUser('u1'), groupId: id, ...extra });
    await fromBrowser([
      group('acme', { groupHash: signGroup('u1', 'acme') }),
      group('acme', { context: { groupHash: signGroup('u1', 'acme') } }),
      group('acme', {}),
      group('globex', { groupHash: signGroup('u1', 'acme') }),
      msg({ type: 'identify', userId: 'u1', userHash: signUser('u1') }),
    ]);
    expect((await accountIdentities()).map(([, state]) => state)).toEqual([
      'signed',
      'signed',
      'unsigned',
      'invalid',
      null,
    ]);
    expect(await accountTraffic()).toEqual({
      signed: 2,
      unsigned: 1,
      invalid: 1,
      trusted: 0,
      signedShare: 0.5,
    });
  });
});

describe('POST /v1/content and accounts', () => {
  async function accountChecklist() {
    const created = await h.adminJson('/checklists', 'POST', {
      name: 'Team onboarding',
      content: {
        title: 'Set up your team',
        scope: 'account',
        items: [
          {
            id: 'customer',
            title: 'Add a customer',
            completion: { kind: 'event', event: 'Customer Created' },
          },
        ],
      },
    });
    expect((await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST')).status).toBe(201);
  }
  beforeEach(async () => {
    await accountChecklist();
    await victimCo();
    await fromServer([
      msg({ type: 'track', userId: 'v1', event: 'Customer Created', timestamp: yesterday }),
      msg({ type: 'identify', userId: 'mallory', timestamp: yesterday }),
      msg({ type: 'group', userId: 'mallory', groupId: 'attacker-co', timestamp: yesterday }),
    ]);
  });
  const doneAt = (response: { checklists: Array<{ items: Array<{ doneAt: string | null }> }> }) =>
    response.checklists[0]?.items[0]?.doneAt;
  const contentRequest = (body: Record<string, unknown>) =>
    h.app.request('/v1/content', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: h.ws.publishableKey, ...body }),
    });

  it('refuses another account’s progress under enforcement (the issue: victim-co’s checklist read)', async () => {
    await enforce();
    const res = await contentRequest({
      userId: 'mallory',
      userHash: signUser('mallory'),
      groupId: 'victim-co',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 401,
      code: 'identity_not_verified',
      errors: [
        {
          pointer: '/groupHash',
          detail: 'must be HMAC-SHA256(identitySecret, userId + "\\n" + groupId) in hex for this workspace',
        },
      ],
    });
    // Without a groupId: the user's stored account, which only a signed group call can have set.
    const own = await h.content('mallory', { userHash: signUser('mallory') });
    expect(doneAt(own)).toBeNull();
  });

  it('gives a member their account’s progress with a valid groupHash, and an anonymous visitor none', async () => {
    await enforce();
    const member = await h.content('v1', {
      userHash: signUser('v1'),
      groupId: 'victim-co',
      groupHash: signGroup('v1', 'victim-co'),
    });
    expect(doneAt(member)).toBe(yesterday);
    expect(doneAt(await h.content('v1', { userHash: signUser('v1') }))).toBe(yesterday);
    const anonymous = await h.content('ignored', {
      userId: null,
      anonymousId: 'visitor',
      groupId: 'victim-co',
    });
    expect(anonymous.checklists).toEqual([]);
  });

  it('refuses ids a groupHash could not sign unambiguously', async () => {
    const res = await contentRequest({ userId: 'v1', groupId: 'victim-co\nx' });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      {
        pointer: '/groupId',
        detail: 'must not contain control characters (U+0000 to U+001F) or an unpaired surrogate',
      },
    ]);
  });

  it('answers with the account named while enforcement is off, as before', async () => {
    expect(doneAt(await h.content('mallory', { groupId: 'victim-co' }))).toBe(yesterday);
  });
});

describe('audiences under enforcement', () => {
  async function adminsChecklist() {
    const created = await h.adminJson('/checklists', 'POST', {
      name: 'Admins',
      content: {
        title: 'For admins on enterprise',
        audience: {
          conditions: [
            { on: 'user', trait: 'role', op: 'equals', value: 'admin' },
            { on: 'account', trait: 'plan', op: 'equals', value: 'enterprise' },
          ],
        },
        items: [{ id: 'a', title: 'A', completion: { kind: 'manual' } }],
      },
    });
    expect((await h.adminJson(`/checklists/${created.body.id}/publish`, 'POST')).status).toBe(201);
  }
  beforeEach(async () => {
    await adminsChecklist();
    await victimCo();
    await fromServer([
      msg({ type: 'identify', userId: 'u2', timestamp: yesterday, traits: { role: 'member' } }),
      msg({
        type: 'group',
        userId: 'u2',
        groupId: 'small-co',
        timestamp: yesterday,
        traits: { plan: 'free' },
      }),
    ]);
  });
  const claims = { traits: { role: 'admin' }, groupTraits: { plan: 'enterprise' } };

  it('read stored traits only: what the browser claims about itself puts nobody in an audience', async () => {
    await enforce();
    expect((await h.content('u2', { userHash: signUser('u2'), ...claims })).checklists).toEqual([]);
    // Stored traits still count, whatever the request says.
    const admin = await h.content('v1', {
      userHash: signUser('v1'),
      traits: { role: 'member' },
      groupTraits: { plan: 'free' },
    });
    expect(admin.checklists).toHaveLength(1);
  });

  it('take the traits the widget knows first while enforcement is off (this page load’s identify)', async () => {
    expect((await h.content('u2', claims)).checklists).toHaveLength(1);
  });
});
