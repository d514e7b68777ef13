import { and, asc, eq, gt, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { AccountPage, UserPage } from '../../shared/schemas/people.ts';
import type { Database } from '../db/client.ts';
import { accountHealthCurrent, accounts, users } from '../db/schema.ts';

/** What the account and user lists take: a prefix search, a cursor and a page size (routes/people.ts). */
export interface PeopleQuery {
  search?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** `lower(expr)` starts with `prefix`, as a range on the expression's index (LIKE could not use it). */
function startsWith(expression: SQL, prefix: string): SQL {
  const lower = prefix.toLowerCase();
  return and(gte(expression, lower), lt(expression, `${lower}\u{10FFFF}`))!;
}
const idStartsWith = (column: typeof accounts.id | typeof users.id, prefix: string) =>
  and(gte(column, prefix), lt(column, `${prefix}\u{10FFFF}`))!;

/**
 * Paging in id order. With `viaExpression`, `+id` keeps the planner off the primary key (a name or
 * email search reads its expression's index range and sorts the matches, instead of walking every id).
 */
function idOrder(column: typeof accounts.id | typeof users.id, viaExpression: boolean) {
  return {
    after: (cursor: string | undefined) =>
      cursor === undefined ? undefined : viaExpression ? sql`+${column} > ${cursor}` : gt(column, cursor),
    order: viaExpression ? sql`+${column}` : asc(column),
  };
}

/**
 * One page from the pages of several searches (by id, by name, by email), each already in id order:
 * one index range read per search instead of an OR the planner would answer with a scan.
 */
function mergePages<R extends { id: string }>(pages: R[][], limit: number): R[] {
  const byId = new Map<string, R>();
  for (const row of pages.flat()) byId.set(row.id, row);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, limit);
}

/**
 * A page of accounts in id order, with their name and health; a search matches an id or a name
 * prefix (case-insensitive), each through its own index range.
 *
 * @example
 * await accountList(db, 'acme', { search: 'glob', limit: 50 }) // { accounts: [...], next: 'globex' | null }
 */
export async function accountList(db: Database, workspaceId: string, q: PeopleQuery): Promise<AccountPage> {
  const name = sql`lower(json_extract(${accounts.traits}, '$.name'))`;
  // `+id` keeps the planner off the primary key for name and email searches: it reads the
  // expression's index range and sorts the matches, instead of walking every id in order.
  const page = (match: SQL | undefined, viaExpression = false) =>
    db.reports
      .select({
        id: accounts.id,
        traits: accounts.traits,
        firstSeen: accounts.firstSeen,
        lastSeen: accounts.lastSeen,
        score: accountHealthCurrent.score,
        band: accountHealthCurrent.band,
      })
      .from(accounts)
      .leftJoin(
        accountHealthCurrent,
        and(
          eq(accountHealthCurrent.workspaceId, accounts.workspaceId),
          eq(accountHealthCurrent.accountId, accounts.id),
        ),
      )
      .where(
        and(eq(accounts.workspaceId, workspaceId), match, idOrder(accounts.id, viaExpression).after(q.after)),
      )
      .orderBy(idOrder(accounts.id, viaExpression).order)
      .limit(q.limit);
  const rows =
    q.search === undefined
      ? await page(undefined)
      : mergePages(
          await Promise.all([
            page(idStartsWith(accounts.id, q.search)),
            page(startsWith(name, q.search), true),
          ]),
          q.limit,
        );
  return {
    accounts: rows.map((r) => ({
      id: r.id,
      name: typeof r.traits.name === 'string' ? r.traits.name : null,
      traits: r.traits,
      firstSeen: new Date(r.firstSeen).toISOString(),
      lastSeen: new Date(r.lastSeen).toISOString(),
      health: r.band === null ? null : { score: r.score, band: r.band },
    })),
    next: rows.length === q.limit ? rows.at(-1)!.id : null,
  };
}

/**
 * A page of users in id order; a search matches an id, a name or an email prefix; `accountId`
 * keeps an account's members.
 *
 * @example
 * await userList(db, 'acme', { accountId: 'globex', limit: 50 })
 */
export async function userList(
  db: Database,
  workspaceId: string,
  q: PeopleQuery & { accountId?: string | undefined },
): Promise<UserPage> {
  const name = sql`lower(json_extract(${users.traits}, '$.name'))`;
  const email = sql`lower(json_extract(${users.traits}, '$.email'))`;
  const matching = (match: SQL | undefined, viaExpression: boolean) =>
    and(
      eq(users.workspaceId, workspaceId),
      q.accountId === undefined ? undefined : eq(users.accountId, q.accountId),
      match,
      idOrder(users.id, viaExpression).after(q.after),
    );
  // `+id` keeps the planner off the primary key for name and email searches: it reads the
  // expression's index range and sorts the matches, instead of walking every id in order. The
  // page's ids come from that index alone (it holds the id, migration 0013), and only those
  // users' rows are read: a common prefix matches thousands, each row a JSON document.
  const page = (match: SQL | undefined, viaExpression = false) =>
    viaExpression
      ? db.reports
          .select()
          .from(users)
          .where(
            and(
              eq(users.workspaceId, workspaceId),
              inArray(
                users.id,
                db.reports
                  .select({ id: users.id })
                  .from(users)
                  .where(matching(match, true))
                  .orderBy(idOrder(users.id, true).order)
                  .limit(q.limit),
              ),
            ),
          )
          .orderBy(asc(users.id))
      : db.reports
          .select()
          .from(users)
          .where(matching(match, false))
          .orderBy(idOrder(users.id, false).order)
          .limit(q.limit);
  const rows =
    q.search === undefined
      ? await page(undefined)
      : mergePages(
          await Promise.all([
            page(idStartsWith(users.id, q.search)),
            page(startsWith(name, q.search), true),
            page(startsWith(email, q.search), true),
          ]),
          q.limit,
        );
  return {
    users: rows.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      name: typeof r.traits.name === 'string' ? r.traits.name : null,
      email: typeof r.traits.email === 'string' ? r.traits.email : null,
      traits: r.traits,
      firstSeen: new Date(r.firstSeen).toISOString(),
      lastSeen: new Date(r.lastSeen).toISOString(),
    })),
    next: rows.length === q.limit ? rows.at(-1)!.id : null,
  };
}
