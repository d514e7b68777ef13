import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Client, createClient, type InArgs, type InStatement } from '@libsql/client';
import { sql } from 'drizzle-orm';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import type { Logger } from '../logger.ts';
import { migrationsFolder } from '../paths.ts';
import { ReadPool, type ReportsDatabase } from './read-pool.ts';
import * as schema from './schema.ts';
import { isBusy, Writer } from './writer.ts';

export interface DatabaseOptions {
  url: string;
  authToken?: string | undefined;
  busyTimeoutMs?: number;
  logger: Logger;
}

/**
 * The database as the app sees it: `read` (drizzle, never written through) and `writer` (the one
 * serialized write path, see writer.ts). Opening applies the committed migrations.
 */
export interface Database {
  /** `$client` runs a hand-written statement where one beats several built ones (a page view's reads). */
  read: LibSQLDatabase<typeof schema> & { $client: Client };
  /**
   * For long reads (reports, funnels, results): the same query builder, run in worker threads with
   * their own connections so that they never hold up ingestion or content delivery (read-pool.ts).
   */
  reports: ReportsDatabase;
  writer: Writer;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the database at `url` and migrates it to the latest schema.
 *
 * @example
 * const db = await openDatabase({ url: 'file:data/waymark.db', logger })
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const isFile = options.url.startsWith('file:');
  if (isFile) ensureDirectory(options.url);
  const connect = (): Client =>
    createClient({
      url: options.url,
      ...(options.authToken ? { authToken: options.authToken } : {}),
      timeout: options.busyTimeoutMs ?? 5000,
    });

  await migrateWithRetry(connect, isFile, options.logger);

  const writer = new Writer(connect, options.logger);
  const readClient = connect();
  const reports = new ReadPool({ url: options.url, authToken: options.authToken, logger: options.logger });
  return {
    read: drizzle(readClient, { schema }),
    reports: reports.db,
    writer,
    url: options.url,
    async close() {
      await reports.close();
      await writer.close();
      readClient.close();
    },
  };
}

// Several server processes may start at once on one database: the migrator's transaction can meet
// BUSY, so it runs on a throw-away client that is replaced on every retry.
async function migrateWithRetry(connect: () => Client, isFile: boolean, logger: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const client = connect();
    try {
      // WAL lets readers and the writer work at once; it is a property of the file, set once.
      if (isFile) await client.execute('PRAGMA journal_mode = WAL');
      await migrate(drizzle(client), { migrationsFolder });
      return;
    } catch (error) {
      if (!isBusy(error) || attempt >= 5) throw error;
      logger.debug(`migration met a busy database, retrying (attempt ${attempt})`);
      await new Promise((r) => setTimeout(r, 100 * attempt));
    } finally {
      client.close();
    }
  }
}

function ensureDirectory(url: string): void {
  const path = url.slice('file:'.length).split('?')[0] ?? '';
  if (path === '' || path === ':memory:') return;
  mkdirSync(dirname(resolve(path)), { recursive: true });
}

/**
 * A drizzle query as a statement for `writer.batch`, so that writes are built with drizzle's types
 * but still go through the one serialized write path.
 *
 * @example
 * await db.writer.batch([statement(db.read.update(users).set({ accountId }).where(...))])
 */
export function statement(query: { toSQL(): { sql: string; params: unknown[] } }): InStatement {
  const { sql, params } = query.toSQL();
  return { sql, args: params as InArgs };
}

/**
 * Gives the query planner statistics: `PRAGMA optimize` analyzes the tables whose statistics are
 * missing or stale, with `analysis_limit` keeping it to a sample (milliseconds, not a scan of millions
 * of rows). Run at start and every few hours (server/main.ts). The hot queries do not depend on it
 * (test/server/query-plans.test.ts pins their plans with and without statistics); reports may.
 *
 * @example
 * await optimizeDatabase(db)
 */
export async function optimizeDatabase(db: Database): Promise<void> {
  await db.writer.batch([
    { sql: 'PRAGMA analysis_limit = 1000', args: [] },
    { sql: 'PRAGMA optimize = 0x10002', args: [] },
  ]);
}

/**
 * Whether the planner's statistics are due again: the events table has grown by half, and by at
 * least 100,000 rows, since they were last gathered (`seq` only grows). A new install that fills fast
 * would otherwise plan with the statistics of its first minutes for hours (README, "Architecture").
 *
 * @example
 * statisticsDue(200_000, 290_000) // false: grown by 45%
 * statisticsDue(200_000, 310_000) // true
 */
export function statisticsDue(analyzedAtSeq: number, currentSeq: number): boolean {
  return currentSeq - analyzedAtSeq >= Math.max(100_000, analyzedAtSeq / 2);
}

/**
 * Keeps the planner's statistics current: `optimizeDatabase` now, every `everyMs` (6 hours), and
 * whenever `statisticsDue` says the events have outgrown them (checked each minute: one read of the
 * largest `seq`). Failures are logged; they only cost plans. Returns a stop function.
 */
export async function keepStatistics(
  db: Database,
  onError: (error: unknown) => void,
  options: { everyMs?: number; checkMs?: number; optimize?: (db: Database) => Promise<void> } = {},
): Promise<() => void> {
  const optimize = options.optimize ?? optimizeDatabase;
  let analyzedAt = 0;
  const run = async () => {
    try {
      const [row] = await db.read.all<{ seq: number | null }>(sql`SELECT max(seq) AS seq FROM events`);
      analyzedAt = row?.seq ?? 0;
      await optimize(db);
    } catch (error) {
      onError(error);
    }
  };
  const check = async () => {
    try {
      const [row] = await db.read.all<{ seq: number | null }>(sql`SELECT max(seq) AS seq FROM events`);
      if (statisticsDue(analyzedAt, row?.seq ?? 0)) await run();
    } catch (error) {
      onError(error);
    }
  };
  await run();
  const timers = [
    setInterval(run, options.everyMs ?? 6 * 3_600_000),
    setInterval(check, options.checkMs ?? 60_000),
  ];
  for (const timer of timers) timer.unref();
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
