import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import { accountImportResult, accountPage, userPage } from '../../shared/schemas/people.ts';
import { importAccountTraits, parseAccountCsv } from '../accounts/import.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../http/api-error.ts';
import { adminSecurity, answers, body, bodyReadByHandler, routes } from '../http/routes.ts';
import { accountList, userList } from '../people/lists.ts';
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
      return c.json(await accountList(db, workspaceOf(c), c.req.valid('query')), 200);
    })
    .openapi(route.users, async (c) => {
      return c.json(await userList(db, workspaceOf(c), c.req.valid('query')), 200);
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
      const changed = await importAccountTraits(db, workspaceOf(c), parsed.rows, deps.clock());
      return c.json(
        {
          rows: parsed.rows.length + new Set(parsed.errors.map((e) => e.line)).size,
          applied: parsed.rows.length,
          changed,
          errors: parsed.errors,
        },
        200,
      );
    });
}
