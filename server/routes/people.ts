import { createRoute } from '@hono/zod-openapi';
import { and, asc, eq, gt, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import { accountImportResult, accountPage, userPage } from '../../shared/schemas/people.ts';
import { accountTraitWrites, parseAccountCsv } from '../accounts/import.ts';
import type { AppDeps } from '../app.ts';
import { accountHealthCurrent, accounts, users } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { adminSecurity, answers, body, bodyReadByHandler, routes } from '../http/routes.ts';
import { workspaceOf } from './versioned.ts';

export const peopleQuery = z.object({
  /** Ids, names (and for users, emails) starting with this text, case-insensitive for names and emails. */
  search: z.string().trim().min(1).max(200).optional(),
  /** Users only: members of this account. */
  accountId: z.string().min(1).max(200).optional(),
  /** Cursor: the `next` of the previous page (the last id it held). */
  after: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** Accounts have no account to filter by. */
const accountQuery = peopleQuery.omit({ accountId: true });

const route = {
  accounts: createRoute({
    method: 'get',
    path: '/accounts',
    summary: 'Accounts in id order, with name and health; search by id or name prefix (case-insensitive)',
    security: adminSecurity,
    request: { query: accountQuery },
    responses: answers(accountPage),
  }),
  users: createRoute({
    method: 'get',
    path: '/users',
    summary: 'Users in id order; search by id, name or email prefix; filter by account',
    security: adminSecurity,
    request: { query: peopleQuery },
    responses: answers(userPage),
  }),
  importAccounts: createRoute({
    method: 'post',
    path: '/accounts/import',
    summary:
      'Account traits from a CSV export (id column + one column per trait): bad cells reported by line and column, valid rows applied, idempotent',
    security: adminSecurity,
    request: {
      body: body(
        z.string(),
        'id,name,arr,seats,renewalDate,paymentStatus\nacme,Acme Inc,120000,25,2027-03-01,current\n',
        'text/csv',
      ),
    },
    responses: answers(accountImportResult),
  }),
};

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
 * Admin API for the people behind the events (mounted under /v1/admin): the account and user lists
 * CS teams search by name instead of opaque ids, and account traits imported from a CRM or billing
 * export as CSV.
 */
export function peopleRoutes(deps: AppDeps) {
  const app = routes();
  const { db } = deps;

  return app
    .openapi(route.accounts, async (c) => {
      const q = c.req.valid('query');
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
            and(
              eq(accounts.workspaceId, workspaceOf(c)),
              match,
              idOrder(accounts.id, viaExpression).after(q.after),
            ),
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
      return c.json(
        {
          accounts: rows.map((r) => ({
            id: r.id,
            name: typeof r.traits.name === 'string' ? r.traits.name : null,
            traits: r.traits,
            firstSeen: new Date(r.firstSeen).toISOString(),
            lastSeen: new Date(r.lastSeen).toISOString(),
            health: r.band === null ? null : { score: r.score, band: r.band },
          })),
          next: rows.length === q.limit ? rows.at(-1)!.id : null,
        },
        200,
      );
    })
    .openapi(route.users, async (c) => {
      const q = c.req.valid('query');
      const name = sql`lower(json_extract(${users.traits}, '$.name'))`;
      const email = sql`lower(json_extract(${users.traits}, '$.email'))`;
      const matching = (match: SQL | undefined, viaExpression: boolean) =>
        and(
          eq(users.workspaceId, workspaceOf(c)),
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
                  eq(users.workspaceId, workspaceOf(c)),
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
      return c.json(
        {
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
        },
        200,
      );
    })
    .openapi(bodyReadByHandler(app, route.importAccounts), async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!type.startsWith('text/csv')) {
        throw new ApiError(415, errorCodes.validationFailed, 'Send CSV', undefined, [
          { pointer: '', detail: 'send the file as Content-Type: text/csv' },
        ]);
      }
      const parsed = parseAccountCsv(await c.req.text());
      if (parsed.fatal) {
        throw new ApiError(400, errorCodes.validationFailed, 'Unreadable CSV', parsed.fatal, [
          { pointer: '', detail: parsed.fatal },
        ]);
      }
      const results =
        parsed.rows.length === 0
          ? []
          : await db.writer.batch(accountTraitWrites(workspaceOf(c), parsed.rows, deps.clock()));
      return c.json(
        {
          rows: parsed.rows.length + new Set(parsed.errors.map((e) => e.line)).size,
          applied: parsed.rows.length,
          changed: results.reduce((n, r) => n + r.rowsAffected, 0),
          errors: parsed.errors,
        },
        200,
      );
    });
}
