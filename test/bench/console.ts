/**
 * The admin reads the console will call, with real ids from a database made by `npm run seed:large`
 * (or the same generator in a test): the scale benchmark (scale.ts) times them over HTTP and the
 * growth test (test/server/growth.test.ts) compares them between two sizes. One list, so both measure
 * the same endpoints.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/client.ts';

/** Ids of real things in the workspace: published content, its biggest account and that account's busiest user. */
export interface ConsoleIds {
  checklist: string;
  /** The published spotlight with the most people in its funnel (the tour). */
  spotlight: string;
  survey: string;
  /** The account with the most events. */
  account: string;
  /** The busiest member of `account`. */
  user: string;
  /** The first letters of the account's name and of the user's email: what a CS person types. */
  accountSearch: string;
  userSearch: string;
}

/**
 * Finds the ids the console calls need; throws, naming what is missing, when the workspace lacks one
 * (a workspace not made by seed:large).
 *
 * @example
 * await consoleIds(db, 'synthetic') // { checklist: 'cl_…', account: 'acc_000007', user: 'usr_7_3', … }
 */
export async function consoleIds(db: Database, workspaceId: string): Promise<ConsoleIds> {
  const published = (kind: string, order = sql`c.id`) =>
    db.read.all<{ id: string }>(sql`
      SELECT c.id FROM contents c
      WHERE c.workspace_id = ${workspaceId} AND c.kind = ${kind} AND c.published_version IS NOT NULL
      ORDER BY ${order} LIMIT 1`);
  const [checklist] = await published('checklist');
  const [survey] = await published('survey');
  const [spotlight] = await published(
    'spotlight',
    sql`(SELECT count(*) FROM content_users u WHERE u.workspace_id = c.workspace_id AND u.content_id = c.id) DESC, c.id`,
  );
  // Rollups rather than the events: a few hundred thousand rows at 5M events, not millions.
  const [account] = await db.read.all<{ id: string; name: string | null }>(sql`
    SELECT d.account_id AS id, json_extract(a.traits, '$.name') AS name
    FROM account_days d JOIN accounts a ON a.workspace_id = d.workspace_id AND a.id = d.account_id
    WHERE d.workspace_id = ${workspaceId}
    GROUP BY d.account_id ORDER BY sum(d.events) DESC LIMIT 1`);
  const [user] = account
    ? await db.read.all<{ id: string; email: string | null }>(sql`
        SELECT d.user_id AS id, json_extract(u.traits, '$.email') AS email
        FROM users u JOIN user_days d ON d.workspace_id = u.workspace_id AND d.user_id = u.id
        WHERE u.workspace_id = ${workspaceId} AND u.account_id = ${account.id}
        GROUP BY d.user_id ORDER BY sum(d.events) DESC LIMIT 1`)
    : [];
  const missing = Object.entries({ checklist, survey, spotlight, account, user })
    .filter(([, row]) => row === undefined)
    .map(([name]) => name);
  if (missing.length > 0 || !checklist || !survey || !spotlight || !account || !user) {
    throw new Error(`workspace ${workspaceId} has no ${missing.join(', ')}: make it with npm run seed:large`);
  }
  return {
    checklist: checklist.id,
    spotlight: spotlight.id,
    survey: survey.id,
    account: account.id,
    user: user.id,
    accountSearch: (account.name ?? account.id).slice(0, 4).toLowerCase(),
    userSearch: (user.email ?? user.id).slice(0, 4).toLowerCase(),
  };
}

/** One console call: a short name for tables, and its path under `/v1/admin`. */
export interface ConsoleCall {
  name: string;
  path: string;
}

/**
 * Every admin read the console will call (the list: time to value by user and account with
 * cohort and segment, both funnels, survey results with trend and segments, verbatims, account and
 * user pages, lists and search, the events list filtered and not, workspace settings, the health
 * portfolio and the adoption report).
 */
export function consoleCalls(ids: ConsoleIds): ConsoleCall[] {
  const e = encodeURIComponent;
  const ttv = '/reports/time-to-value';
  const survey = `/surveys/${e(ids.survey)}`;
  return [
    { name: 'TTV users', path: `${ttv}?subject=user` },
    {
      name: 'TTV users, month x account.plan',
      path: `${ttv}?subject=user&cohort=month&segment=account.plan`,
    },
    { name: 'TTV accounts', path: `${ttv}?subject=account` },
    { name: 'TTV accounts, week x plan', path: `${ttv}?subject=account&cohort=week&segment=plan` },
    { name: 'checklist funnel', path: `/checklists/${e(ids.checklist)}/funnel` },
    { name: 'spotlight funnel', path: `/spotlights/${e(ids.spotlight)}/funnel` },
    { name: 'survey results', path: `${survey}/results` },
    {
      name: 'survey results, week x account.plan',
      path: `${survey}/results?interval=week&segment=account.plan`,
    },
    {
      name: 'survey results, account.arr bands',
      path: `${survey}/results?segment=account.arr&bands=10000,50000`,
    },
    { name: 'verbatims', path: `${survey}/responses?limit=50` },
    {
      name: 'verbatims, detractors with comment',
      path: `${survey}/responses?group=detractor&hasComment=true&limit=50`,
    },
    { name: 'account page', path: `/accounts/${e(ids.account)}` },
    { name: 'user page', path: `/users/${e(ids.user)}` },
    { name: 'accounts list', path: '/accounts?limit=50' },
    { name: 'accounts search', path: `/accounts?search=${e(ids.accountSearch)}&limit=50` },
    { name: 'users list', path: '/users?limit=50' },
    { name: 'users search', path: `/users?search=${e(ids.userSearch)}&limit=50` },
    { name: "account's users", path: `/users?accountId=${e(ids.account)}&limit=50` },
    { name: 'events', path: '/events?limit=50' },
    { name: 'events by name', path: `/events?limit=50&name=${e('Invoice Sent')}` },
    { name: 'events of account', path: `/events?limit=50&accountId=${e(ids.account)}` },
    { name: 'events of user', path: `/events?limit=50&userId=${e(ids.user)}` },
    { name: 'workspace settings', path: '/workspace' },
    { name: 'health portfolio', path: '/health/accounts?sort=score&limit=50' },
    { name: "account's health", path: `/health/accounts/${e(ids.account)}` },
    { name: 'adoption report', path: '/reports/adoption?days=30' },
  ];
}

/**
 * `POST /v1/content` bodies as the widget sends them on a page view (text/plain, key in the body),
 * for `count` real users spread over the whole workspace (every n-th by id, so big and small accounts
 * alike), each with their account as `groupId`.
 *
 * @example
 * await pageViewBodies(db, 'synthetic', 'pk_…', 200) // ['{"writeKey":"pk_…","anonymousId":"anon-usr_1_1",…}', …]
 */
export async function pageViewBodies(
  db: Database,
  workspaceId: string,
  writeKey: string,
  count: number,
): Promise<string[]> {
  const people = await db.read.all<{ id: string; accountId: string | null }>(
    sql`SELECT id, account_id AS accountId FROM users WHERE workspace_id = ${workspaceId} ORDER BY id`,
  );
  const step = Math.max(1, Math.floor(people.length / count));
  return people
    .filter((_, i) => i % step === 0)
    .slice(0, count)
    .map((p) =>
      JSON.stringify({
        writeKey,
        anonymousId: `anon-${p.id}`,
        userId: p.id,
        ...(p.accountId === null ? {} : { groupId: p.accountId }),
        traits: {},
        groupTraits: {},
        locale: 'en-US',
      }),
    );
}
