import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { errorCodes } from '../../shared/problem.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { Tenant } from '../workspaces/store.ts';
import { ApiError } from './api-error.ts';
import { clientAddress } from './client-address.ts';
import type { AppEnv } from './context.ts';
import { SharedCounts, SharedStore, windowStartAt } from './rate-limit-store.ts';

/** At most `limit` in each fixed window of `windowMs` (windows start at multiples of it since 1970). */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** The limits of one server, the same on every instance (README, "Rate limits"). */
export interface RateLimitSettings {
  /** Requests per client address on ingestion and `/v1/content`, counted before anything is read. */
  address: RateLimit;
  /** Requests per key (a whole customer's traffic) on the same routes, once the key is known valid. */
  key: RateLimit;
  /** Failed admin authentications per address; beyond it, every admin request from it is refused. */
  adminFailures: RateLimit;
  /** How often an instance writes its counts and learns the others' (ms). */
  syncMs?: number;
  /** Buckets one instance holds in memory at most. */
  maxEntries?: number;
}

/**
 * @example
 * createApp({ db, rateLimits: { ...defaultRateLimits, address: { limit: 600, windowMs: 60_000 } } })
 */
export const defaultRateLimits: RateLimitSettings = {
  address: { limit: 1_200, windowMs: 60_000 },
  key: { limit: 60_000, windowMs: 60_000 },
  adminFailures: { limit: 20, windowMs: 5 * 60_000 },
};

export interface RateLimitDeps {
  db: Database;
  clock: () => number;
  logger: Logger;
  /** Proxies in front of the server whose `X-Forwarded-For` entry is believed (see client-address.ts). */
  trustProxy: number;
}

/**
 * The server's rate limits, counted in the database so that every instance enforces the same ones
 * (see rate-limit-store.ts). Refusals are 429 problems (`rate_limited`) with `Retry-After`: the
 * seconds until the window ends.
 *
 * @example
 * const limits = new RateLimits(defaultRateLimits, { db, clock, logger, trustProxy: 0 })
 * app.use('/v1/:kind', limits.perAddress)  // before any parsing
 * await limits.perKey(c, tenant)           // once the key is known valid
 * await limits.close()
 */
export class RateLimits {
  readonly counts: SharedCounts;
  /** Middleware: counts every request by client address, and refuses it over the limit. */
  readonly perAddress: MiddlewareHandler<AppEnv>;
  /**
   * Middleware before admin authentication: refuses every request (a right key included) from an
   * address over its failures, and counts a failure for each request that ends in 401.
   */
  readonly adminFailures: MiddlewareHandler<AppEnv>;
  readonly #perKey: MiddlewareHandler<AppEnv>;

  constructor(settings: RateLimitSettings, deps: RateLimitDeps) {
    const { clock, trustProxy } = deps;
    const { address, key, adminFailures } = settings;
    this.counts = new SharedCounts({
      db: deps.db,
      clock,
      logger: deps.logger,
      longestWindowMs: Math.max(address.windowMs, key.windowMs, adminFailures.windowMs),
      ...(settings.syncMs === undefined ? {} : { syncMs: settings.syncMs }),
      ...(settings.maxEntries === undefined ? {} : { maxEntries: settings.maxEntries }),
    });

    this.perAddress = rateLimiter<AppEnv>({
      ...address,
      store: new SharedStore(this.counts, 'ip'),
      keyGenerator: (c) => clientAddress(c, trustProxy),
      // Its own headers would count seconds by the machine's clock; ours come with the problem.
      standardHeaders: false,
      handler: (c) => {
        // The key (and so the workspace's allowed origins) is not read yet: the answer carries nothing
        // of any workspace, so any page may read it, and its widget learn when to retry.
        const origin = c.req.header('origin');
        if (origin) c.set('corsOrigin', origin);
        throw tooMany(clock(), address, `More than ${address.limit} requests from this address`);
      },
    });
    this.#perKey = rateLimiter<AppEnv>({
      ...key,
      store: new SharedStore(this.counts, 'key'),
      keyGenerator: (c) => c.get('tenant').keyId,
      standardHeaders: false,
      handler: () => {
        throw tooMany(clock(), key, `More than ${key.limit} requests with this key`);
      },
    });

    // Not hono-rate-limiter's skipSuccessfulRequests: it counts every request first and takes back the
    // successful ones when they end, so a client sending 21 requests at once with the right key
    // would be refused. Here only failures count, and the check only reads.
    this.adminFailures = async (c, next) => {
      const bucket = `admin:${clientAddress(c, trustProxy)}`;
      if (this.counts.peek(bucket, adminFailures.windowMs).total >= adminFailures.limit) {
        throw tooMany(
          clock(),
          adminFailures,
          `${adminFailures.limit} failed authentications from this address`,
        );
      }
      await next();
      if (c.res.status === 401) this.counts.hit(bucket, adminFailures.windowMs);
    };
  }

  /**
   * Counts a request for its key, and throws a 429 `ApiError` over the limit. Called once the key is
   * known valid, so that only real keys get buckets.
   *
   * @example
   * const tenant = await publicTenant(deps, c, body)
   * await deps.rateLimits?.perKey(c, tenant)
   */
  async perKey(c: Context<AppEnv>, tenant: Tenant): Promise<void> {
    c.set('tenant', tenant);
    await this.#perKey(c, async () => {});
  }

  /** Writes the counts now (the timer does it on its own): tests share counts between instances with it. */
  flush(): Promise<void> {
    return this.counts.flush();
  }

  /** Writes what is counted and stops the timer: before the database closes. */
  close(): Promise<void> {
    return this.counts.close();
  }
}

function tooMany(now: number, { windowMs }: RateLimit, what: string): ApiError {
  const retryAfter = Math.max(1, Math.ceil((windowStartAt(now, windowMs) + windowMs - now) / 1000));
  return new ApiError(
    429,
    errorCodes.rateLimited,
    'Too many requests',
    `${what} in ${windowMs / 1000} s; retry in ${retryAfter} s.`,
    undefined,
    { 'Retry-After': String(retryAfter) },
  );
}
