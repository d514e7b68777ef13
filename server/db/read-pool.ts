import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { InValue } from '@libsql/client';
import { drizzle, type SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy';
import type { Logger } from '../logger.ts';
import * as schema from './schema.ts';

/** What a report query runs as: drizzle's query builder, typed like `db.read`, executed in a worker. */
export type ReportsDatabase = SqliteRemoteDatabase<typeof schema>;

type Method = 'run' | 'all' | 'values' | 'get';
interface Reply {
  id: number;
  columns?: string[];
  rows?: unknown[][];
  error?: { message: string; code?: string };
}

// The worker is a script (eval): no file to find from source and from the bundle alike. It opens its
// own read connection (the file is in WAL mode: readers never block the writer or each other).
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { createClient } = require(workerData.libsql);
const client = createClient({ url: workerData.url, authToken: workerData.authToken });
parentPort.on('message', async ({ id, sql, args, close }) => {
  if (close) {
    client.close();
    parentPort.close();
    return;
  }
  try {
    const result = await client.execute({ sql, args });
    parentPort.postMessage({ id, columns: result.columns, rows: result.rows.map((row) => Array.from(row)) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/**
 * Long reads (reports, funnels, NPS results) off the main thread: the libSQL client runs a query
 * synchronously on the thread that calls it, so a 2-second report on the main thread would hold up
 * every page view's content and every ingestion commit for those 2 seconds. Here they run in worker
 * threads, each with its own read connection, and the main thread only maps the rows (drizzle's
 * sqlite-proxy driver, so report code is written with the same typed query builder as `db.read`).
 * Workers start on the first report, so an app that never runs one (most tests) never pays for them.
 *
 * @example
 * const pool = new ReadPool({ url: 'file:data/waymark.db', logger })
 * const rows = await pool.db.select().from(events).where(...) // runs in a worker
 */
export class ReadPool {
  readonly db: ReportsDatabase;
  #workers: Array<{ worker: Worker; busy: number }> = [];
  #pending = new Map<
    number,
    { worker: Worker; resolve: (reply: Reply) => void; reject: (error: unknown) => void }
  >();
  #next = 0;
  #closed = false;

  constructor(
    private readonly options: { url: string; authToken?: string | undefined; logger: Logger; size?: number },
  ) {
    this.db = drizzle(async (sql, params, method) => this.#query(sql, params as InValue[], method), {
      schema,
    });
  }

  /**
   * Asks each worker to close its connection and end by itself, and waits for it to. Not
   * `worker.terminate()`: stopping a thread that holds a native SQLite connection can crash the
   * whole process (the addon's memory is freed under it), which is what terminating did, now and
   * then, to a test run. A worker still in a long query ends when the query does.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#workers.map(
        ({ worker }) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.postMessage({ close: true });
          }),
      ),
    );
    this.#workers = [];
    for (const { reject } of this.#pending.values()) reject(new Error('the read pool was closed'));
    this.#pending.clear();
  }

  async #query(sql: string, args: InValue[], method: Method): Promise<{ rows: unknown[] }> {
    if (this.#closed) throw new Error('the read pool is closed');
    const slot = this.#slot();
    const id = ++this.#next;
    slot.busy++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.#pending.set(id, { worker: slot.worker, resolve, reject });
      slot.worker.postMessage({ id, sql, args });
    }).finally(() => {
      slot.busy--;
    });
    if (reply.error) {
      throw Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
    }
    // Rows as libSQL gives them on the main thread: arrays (what drizzle maps by position) that also
    // carry their columns by name (what raw `db.all(sql...)` callers read).
    const columns = reply.columns ?? [];
    const rows = (reply.rows ?? []).map((values) => {
      const row = values as unknown[] & Record<string, unknown>;
      columns.forEach((column, i) => {
        if (!(column in row)) row[column] = values[i];
      });
      return row;
    });
    // `get` answers one row (itself an array), or nothing.
    if (method === 'get') return { rows: rows[0] as unknown[] };
    if (method === 'run') return { rows: [] };
    return { rows };
  }

  /** The least busy worker, started when first needed (at most `size`, two by default). */
  #slot(): { worker: Worker; busy: number } {
    const idle = this.#workers.find((slot) => slot.busy === 0);
    if (idle) return idle;
    if (this.#workers.length < (this.options.size ?? 2)) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: {
          url: this.options.url,
          authToken: this.options.authToken,
          libsql: createRequire(import.meta.url).resolve('@libsql/client'),
        },
      });
      worker.unref();
      worker.on('message', (reply: Reply) => {
        const pending = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        pending?.resolve(reply);
      });
      worker.on('error', (error) => {
        this.options.logger.error('a report worker failed', error);
        this.#workers = this.#workers.filter((slot) => slot.worker !== worker);
        // Its queries fail (a 500 for that report) rather than wait for ever.
        for (const [id, pending] of this.#pending) {
          if (pending.worker !== worker) continue;
          this.#pending.delete(id);
          pending.reject(error);
        }
      });
      const slot = { worker, busy: 0 };
      this.#workers.push(slot);
      return slot;
    }
    return this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
  }
}
