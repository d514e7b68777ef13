import type { Client, InStatement, ResultSet } from '@libsql/client';
import type { Logger } from '../logger.ts';

/**
 * The one path by which this process writes to the database.
 *
 * Why it exists (README, "Architecture": the libSQL trap): with @libsql/client on a `file:`
 * database, a connection that met `SQLITE_BUSY` can be left inside an implicit transaction, and every
 * later write on it reports success but is never committed. So:
 * - writes are serialized: one batch at a time, each one non-interactive transaction (`BEGIN IMMEDIATE`
 *   ... `COMMIT` with no `await` of ours in between), so this process never contends with itself;
 * - the client has a busy timeout, so another process's lock is waited for, not failed on;
 * - a client that saw BUSY is closed (which rolls back whatever it held) and replaced before a retry.
 * A promise from `batch` resolves only after COMMIT returned: a caller may acknowledge at that point.
 */
export class Writer {
  #client: Client;
  #tail: Promise<unknown> = Promise.resolve();
  #replacements = 0;

  constructor(
    private readonly connect: () => Client,
    private readonly logger: Logger,
    private readonly maxAttempts = 4,
  ) {
    this.#client = connect();
  }

  /**
   * Runs the statements in one write transaction, after every batch submitted before it.
   *
   * @example
   * const [inserted] = await writer.batch([{ sql: 'INSERT INTO t VALUES (?) RETURNING id', args: [1] }])
   */
  batch(statements: InStatement[]): Promise<ResultSet[]> {
    const run = this.#tail.then(() => this.#execute(statements));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** How many times a connection was replaced after BUSY (for tests and diagnostics). */
  get replacements(): number {
    return this.#replacements;
  }

  async close(): Promise<void> {
    await this.#tail;
    this.#client.close();
  }

  async #execute(statements: InStatement[]): Promise<ResultSet[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#client.batch(statements, 'write');
      } catch (error) {
        if (!isBusy(error)) throw error;
        // Never reuse a connection that saw BUSY: its later writes may be silently lost.
        this.#replace();
        if (attempt >= this.maxAttempts) throw new StorageBusyError(error);
        this.logger.debug(`database busy, retrying on a new connection (attempt ${attempt})`);
        await sleep(25 * 2 ** attempt * (0.5 + Math.random()));
      }
    }
  }

  #replace(): void {
    try {
      this.#client.close();
    } catch (error) {
      this.logger.error('closing a busy database connection failed', error);
    }
    this.#client = this.connect();
    this.#replacements++;
  }
}

/** Thrown when the database stayed locked by another process through every retry. */
export class StorageBusyError extends Error {
  constructor(cause: unknown) {
    super('The database is busy; nothing was written.', { cause });
    this.name = 'StorageBusyError';
  }
}

/** True for SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_RECOVERY, ...). */
export function isBusy(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  return /database is locked|SQLITE_BUSY/i.test(error.message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
