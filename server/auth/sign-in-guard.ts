import { eq, inArray, lte, sql } from 'drizzle-orm';
import { errorCodes } from '../../shared/problem.ts';
import { type Database, statement } from '../db/client.ts';
import { signInFailures } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';

/** When failed sign-ins slow down and then lock out a guesser (README, "Team sign-in"). */
export interface SignInLimits {
  /** Failures per email after which each further attempt waits, doubling: 1 s, 2 s, 4 s... */
  emailSlowAfter: number;
  /** Failures per email that lock it out for `windowMs` after the last one, right password or not. */
  emailLockAfter: number;
  addressSlowAfter: number;
  addressLockAfter: number;
  /** A count is forgotten this long after its last failure; it is also the lock-out's length. */
  windowMs: number;
}

export const defaultSignInLimits: SignInLimits = {
  emailSlowAfter: 3,
  emailLockAfter: 10,
  addressSlowAfter: 10,
  addressLockAfter: 50,
  windowMs: 15 * 60_000,
};

/**
 * Counts failed sign-ins per email and per client address in the database (every instance sees the
 * same counts, exactly: one write per failure), and refuses attempts while a count says to wait.
 *
 * @example
 * const guard = new SignInGuard(db, () => Date.now())
 * await guard.check(email, address)             // throws a 429 ApiError while slowed down or locked
 * await guard.failed(email, address)            // after a wrong password
 * await guard.succeeded(email)                  // after a right one
 */
export class SignInGuard {
  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
    private readonly limits: SignInLimits = defaultSignInLimits,
  ) {}

  async check(email: string, address: string): Promise<void> {
    const now = this.clock();
    const rows = await this.db.read
      .select()
      .from(signInFailures)
      .where(inArray(signInFailures.key, [emailKey(email), addressKey(address)]));
    for (const row of rows) {
      if (row.lastFailure + this.limits.windowMs <= now) continue;
      const byEmail = row.key.startsWith('email:');
      const slowAfter = byEmail ? this.limits.emailSlowAfter : this.limits.addressSlowAfter;
      const lockAfter = byEmail ? this.limits.emailLockAfter : this.limits.addressLockAfter;
      const what = byEmail ? 'for this email' : 'from this address';
      if (row.failures >= lockAfter) {
        throw refusal(
          row.lastFailure + this.limits.windowMs - now,
          `${row.failures} failed sign-ins ${what}: locked out for ${this.limits.windowMs / 60_000} minutes after the last one`,
        );
      }
      if (row.failures >= slowAfter) {
        const waitMs = 1000 * 2 ** (row.failures - slowAfter);
        if (row.lastFailure + waitMs > now) {
          throw refusal(
            row.lastFailure + waitMs - now,
            `${row.failures} failed sign-ins ${what}: wait before trying again`,
          );
        }
      }
    }
  }

  async failed(email: string, address: string): Promise<void> {
    const now = this.clock();
    const stale = now - this.limits.windowMs;
    await this.db.writer.batch([
      // Counts nobody can be refused by any more, so that the table holds only live guessers.
      statement(this.db.read.delete(signInFailures).where(lte(signInFailures.lastFailure, stale))),
      ...[emailKey(email), addressKey(address)].map((key) =>
        statement(
          this.db.read
            .insert(signInFailures)
            .values({ key, failures: 1, lastFailure: now })
            .onConflictDoUpdate({
              target: signInFailures.key,
              set: {
                failures: sql`CASE WHEN ${signInFailures.lastFailure} <= ${stale} THEN 1 ELSE ${signInFailures.failures} + 1 END`,
                lastFailure: now,
              },
            }),
        ),
      ),
    ]);
  }

  async succeeded(email: string): Promise<void> {
    await this.db.writer.batch([
      statement(this.db.read.delete(signInFailures).where(eq(signInFailures.key, emailKey(email)))),
    ]);
  }
}

const emailKey = (email: string) => `email:${email.trim().toLowerCase()}`;
const addressKey = (address: string) => `address:${address}`;

function refusal(waitMs: number, detail: string): ApiError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ApiError(
    429,
    errorCodes.rateLimited,
    'Too many failed sign-ins',
    `${detail}; retry in ${seconds} s.`,
    undefined,
    { 'Retry-After': String(seconds) },
  );
}
