import { join } from 'node:path';
import { createClient } from '@libsql/client';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { expect } from 'vitest';
import type { Harness } from './harness.ts';

/** One statement the reports pool ran: which request ran it, its SQL text and its arguments. */
export interface Statement {
  path: string;
  sql: string;
  params: unknown[];
}

/**
 * Every statement the reports pool runs while `run` runs (`label` names the request that follows, so
 * a failing plan says which one ran it).
 */
export async function reportStatements(
  h: Harness,
  run: (label: (path: string) => void) => Promise<unknown>,
): Promise<Statement[]> {
  const dialect = new SQLiteSyncDialect();
  const captured: Statement[] = [];
  const reports = h.db.reports as { all: (query: SQL) => Promise<unknown[]> };
  const all = reports.all.bind(reports);
  let path = '';
  reports.all = (query: SQL) => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    captured.push({ path, sql: text, params });
    return all(query);
  };
  try {
    await run((next) => {
      path = next;
    });
  } finally {
    reports.all = all;
  }
  return captured;
}

/** The statements the given admin GETs (JSON or CSV) run, each answering 200. */
export function statementsOfGets(h: Harness, paths: string[]) {
  return reportStatements(h, async (label) => {
    for (const path of paths) {
      label(path);
      const res = await h.admin(path);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      await res.text();
    }
  });
}

/** `ANALYZE` on the harness's database, as a long-running install will have run it. */
export async function analyze(h: Harness) {
  const client = createClient({ url: `file:${join(h.dir, 'test.db')}` });
  try {
    await client.execute('ANALYZE');
  } finally {
    client.close();
  }
}

/**
 * Each statement with SQLite's plan for it, its steps joined by ` | `, and `where`: the request,
 * the start of the SQL and the plan, for an assertion's message.
 */
export async function queryPlans(h: Harness, statements: Statement[]) {
  const client = createClient({ url: `file:${join(h.dir, 'test.db')}` });
  try {
    const plans: Array<Statement & { plan: string; where: string }> = [];
    for (const statement of statements) {
      const result = await client.execute({
        sql: `EXPLAIN QUERY PLAN ${statement.sql}`,
        args: statement.params as never,
      });
      const plan = result.rows.map((row) => String(row.detail)).join(' | ');
      plans.push({ ...statement, plan, where: `${statement.path}: ${statement.sql.slice(0, 300)}\n${plan}` });
    }
    return plans;
  } finally {
    client.close();
  }
}
