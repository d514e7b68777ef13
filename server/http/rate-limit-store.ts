import type { InStatement } from '@libsql/client';
import type { ClientRateLimitInfo, Store } from 'hono-rate-limiter';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { AppEnv } from './context.ts';

/** One bucket's hits in one fixed window, as this instance knows them. */
interface Count {
  bucket: string;
  windowStart: number;
  windowEnd: number;
  /** Every instance's hits, as the database last answered (ours included up to that write). */
  known: number;
  /** This instance's hits not written yet (negative after more decrements than hits). */
  pending: number;
  /** This instance's hits in the write under way. */
  sending: number;
}

export interface SharedCountsOptions {
  db: Database;
  clock: () => number;
  logger: Logger;
  /** How long hits wait before they are written, together with every other bucket's. */
  syncMs?: number;
  /** Buckets held in memory at most; a flood of addresses evicts the oldest (see `hit`). */
  maxEntries?: number;
  /**
   * The longest window any instance counts in: rows are deleted only once it has passed since they
   * started, so that an instance that has not yet counted in a long window never deletes a live one.
   */
  longestWindowMs?: number;
}

/** Rows per INSERT: three parameters each, well under SQLite's 32,766 per statement. */
const rowsPerStatement = 500;
/** How often windows that ended are swept from memory and the table. */
const sweepEveryMs = 60_000;

/**
 * Fixed-window hit counts that every instance on one database shares (table `rate_limits`), at the
 * cost of one write per sync interval rather than one per request.
 *
 * Each instance counts hits in memory and decides with what the database last said plus its own
 * hits since. At most every `syncMs` (only while there are hits) it adds its hits to the table in ONE
 * write through the database's serialized writer (`INSERT ... ON CONFLICT DO UPDATE SET hits = hits +
 * excluded.hits RETURNING`), which also tells it the other instances' hits. So N instances let a client
 * through at most the limit plus what reaches them within one sync interval; an instance learns of a
 * bucket when it first writes a hit of its own to it.
 *
 * @example
 * const counts = new SharedCounts({ db, clock: Date.now, logger })
 * counts.hit('ip:203.0.113.7', 60_000) // { total: 1, resetAt: <the window's end> }
 * await counts.close()
 */
export class SharedCounts {
  readonly #db: Database;
  readonly #clock: () => number;
  readonly #logger: Logger;
  readonly #syncMs: number;
  readonly #maxEntries: number;
  /** Insertion-ordered by `${bucket}\n${windowStart}`: windows only move forward, so the oldest come first. */
  readonly #counts = new Map<string, Count>();
  /** Counts with hits to write. */
  readonly #dirty = new Set<Count>();
  /** Counts forgotten by `reset`, whose rows the next write deletes. */
  readonly #resets: Array<{ bucket: string; windowStart: number }> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writes: Promise<void> = Promise.resolve();
  #closed = false;
  #longestWindowMs = 0;
  #nextSweep = 0;

  constructor(options: SharedCountsOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#syncMs = options.syncMs ?? 250;
    this.#maxEntries = options.maxEntries ?? 50_000;
    this.#longestWindowMs = options.longestWindowMs ?? 0;
  }

  /**
   * Counts `by` hits (negative: takes them back) for `bucket` in the current `windowMs` window, and
   * returns every instance's hits in it as far as this one knows.
   *
   * @example
   * const { total, resetAt } = counts.hit(`admin:${address}`, 300_000)
   */
  hit(bucket: string, windowMs: number, by = 1): { total: number; resetAt: number } {
    const count = this.#count(bucket, windowMs, true);
    count.pending += by;
    this.#dirty.add(count);
    this.#schedule();
    return { total: totalOf(count), resetAt: count.windowEnd };
  }

  /**
   * Every instance's hits for `bucket` in the current window as far as this one knows, counting none.
   *
   * @example
   * if (counts.peek(`admin:${address}`, 300_000).total >= 20) refuse()
   */
  peek(bucket: string, windowMs: number): { total: number; resetAt: number } {
    const count = this.#count(bucket, windowMs, false);
    const windowEnd = windowStartAt(this.#clock(), windowMs) + windowMs;
    return { total: count ? totalOf(count) : 0, resetAt: count?.windowEnd ?? windowEnd };
  }

  /**
   * Forgets `bucket`'s current window, here and (with the next write) in the table: its client starts
   * from zero on every instance, give or take hits another instance writes meanwhile.
   */
  reset(bucket: string, windowMs: number): void {
    const windowStart = windowStartAt(this.#clock(), windowMs);
    const count = this.#counts.get(keyOf(bucket, windowStart));
    if (count) this.#forget(count);
    this.#resets.push({ bucket, windowStart });
    this.#schedule();
  }

  /** Buckets held in memory (for tests of the bound). */
  get size(): number {
    return this.#counts.size;
  }

  /**
   * Writes the hits counted so far and learns every instance's totals for them, now (the timer does
   * this on its own every `syncMs`). Resolves when the write has committed or failed.
   *
   * @example
   * await counts.flush()
   */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // One write at a time: a write's answer must not overtake an earlier one's.
    const write = this.#writes.then(() => this.#write());
    this.#writes = write;
    return write;
  }

  /** Writes what is pending and stops the timer; hits counted later are never written. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #count(bucket: string, windowMs: number, create: true): Count;
  #count(bucket: string, windowMs: number, create: false): Count | undefined;
  #count(bucket: string, windowMs: number, create: boolean): Count | undefined {
    const windowStart = windowStartAt(this.#clock(), windowMs);
    const key = keyOf(bucket, windowStart);
    const found = this.#counts.get(key);
    if (found || !create) return found;
    if (this.#counts.size >= this.#maxEntries) this.#evict();
    this.#longestWindowMs = Math.max(this.#longestWindowMs, windowMs);
    const count = {
      bucket,
      windowStart,
      windowEnd: windowStart + windowMs,
      known: 0,
      pending: 0,
      sending: 0,
    };
    this.#counts.set(key, count);
    return count;
  }

  /**
   * Makes room: windows that ended go first; if that frees too little (a flood of new addresses within
   * one window), the oldest entries go, down to 90% of the bound, so that the next evictions are a
   * while away. An evicted bucket's unwritten hits are lost: the price of bounded memory, paid by
   * clients that each sent little, since the flood is spread over so many buckets.
   */
  #evict(): void {
    this.#sweep(this.#clock());
    const target = Math.floor(this.#maxEntries * 0.9);
    for (const count of this.#counts.values()) {
      if (this.#counts.size <= target) break;
      this.#forget(count);
    }
  }

  #sweep(now: number): void {
    for (const count of this.#counts.values()) if (count.windowEnd <= now) this.#forget(count);
  }

  #forget(count: Count): void {
    this.#counts.delete(keyOf(count.bucket, count.windowStart));
    this.#dirty.delete(count);
  }

  /** Arms the write timer for hits waiting to be written; no timer runs while there are none. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#syncMs);
    // Counting must never keep a process alive that has nothing else to do.
    this.#timer.unref?.();
  }

  async #write(): Promise<void> {
    const now = this.#clock();
    const statements: InStatement[] = [];
    const sweep = now >= this.#nextSweep;
    if (sweep) {
      this.#nextSweep = now + sweepEveryMs;
      this.#sweep(now);
    }
    const resets = this.#resets.splice(0);
    for (const { bucket, windowStart } of resets) {
      statements.push({
        sql: 'DELETE FROM rate_limits WHERE bucket = ? AND window_start = ?',
        args: [bucket, windowStart],
      });
    }
    const sent = [...this.#dirty].filter((count) => count.pending !== 0 && count.windowEnd > now);
    this.#dirty.clear();
    for (let i = 0; i < sent.length; i += rowsPerStatement) {
      const rows = sent.slice(i, i + rowsPerStatement);
      statements.push({
        sql: `INSERT INTO rate_limits (bucket, window_start, hits) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}
          ON CONFLICT (bucket, window_start) DO UPDATE SET hits = hits + excluded.hits
          RETURNING bucket, window_start, hits`,
        args: rows.flatMap((count) => [count.bucket, count.windowStart, count.pending]),
      });
    }
    // A window's rows are kept until the longest window has passed since it started, so none still running goes.
    if (sweep && this.#longestWindowMs > 0) {
      statements.push({
        sql: 'DELETE FROM rate_limits WHERE window_start < ?',
        args: [now - this.#longestWindowMs],
      });
    }
    if (statements.length === 0) return;
    for (const count of sent) {
      count.sending = count.pending;
      count.pending = 0;
    }
    try {
      const results = await this.#db.writer.batch(statements);
      for (const count of sent) count.sending = 0;
      for (const row of results.flatMap((result) => result.rows)) {
        const count = this.#counts.get(keyOf(String(row.bucket), Number(row.window_start)));
        if (count) count.known = Number(row.hits);
      }
    } catch (error) {
      // Nothing was written: the hits wait for the next write, which the next hit schedules (a
      // database closed under a live app is not retried in a loop).
      this.#resets.unshift(...resets);
      for (const count of sent) {
        count.pending += count.sending;
        count.sending = 0;
        if (this.#counts.has(keyOf(count.bucket, count.windowStart))) this.#dirty.add(count);
      }
      this.#logger.error('writing rate-limit counts failed; they are kept for the next write', error);
    }
  }
}

/**
 * hono-rate-limiter's `Store` over shared counts: one per limiter, its buckets named `${prefix}:key`,
 * counted in the limiter's `windowMs`.
 *
 * @example
 * rateLimiter({ store: new SharedStore(counts, 'ip'), windowMs: 60_000, limit: 1200, keyGenerator })
 */
export class SharedStore implements Store<AppEnv> {
  readonly localKeys = false;
  #windowMs = 60_000;

  constructor(
    private readonly counts: SharedCounts,
    readonly prefix: string,
  ) {}

  init(options: { windowMs: number }): void {
    this.#windowMs = options.windowMs;
  }

  get(key: string): ClientRateLimitInfo {
    return info(this.counts.peek(`${this.prefix}:${key}`, this.#windowMs));
  }

  increment(key: string): ClientRateLimitInfo {
    return info(this.counts.hit(`${this.prefix}:${key}`, this.#windowMs));
  }

  decrement(key: string): void {
    this.counts.hit(`${this.prefix}:${key}`, this.#windowMs, -1);
  }

  resetKey(key: string): void {
    this.counts.reset(`${this.prefix}:${key}`, this.#windowMs);
  }
}

/** The start of the fixed window holding `now`: the same on every instance, whenever it started. */
export function windowStartAt(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}

const keyOf = (bucket: string, windowStart: number) => `${bucket}\n${windowStart}`;

/** Never below zero: decrements written before their hits can leave a bucket negative for a moment. */
const totalOf = (count: Count) => Math.max(0, count.known + count.sending + count.pending);

const info = ({ total, resetAt }: { total: number; resetAt: number }): ClientRateLimitInfo => ({
  totalHits: total,
  resetTime: new Date(resetAt),
});
