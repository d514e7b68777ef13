/**
 * The real Waymark server for the benchmark, in its own process: `createApp` on the database file
 * named by `BENCH_DATABASE_URL` (migrated, workspace already created by run.ts), served by
 * `@hono/node-server` on 127.0.0.1 at a port the OS picks. With `BENCH_STATISTICS=1` it keeps the
 * planner's statistics as server/main.ts does (at start, then on its schedule). Prints `{"port": N}` once listening; on
 * SIGTERM stops taking requests, lets in-flight commits finish, closes the database and exits (so
 * that `--cpu-prof` can write its profile).
 */
import { serve } from '@hono/node-server';
import { createApp } from '../../server/app.ts';
import { keepStatistics, openDatabase } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is required');
const logger = createLogger('error');
const db = await openDatabase({ url, logger });
const stopStatistics =
  process.env.BENCH_STATISTICS === '1'
    ? await keepStatistics(db, (error) => logger.error('PRAGMA optimize failed', error))
    : () => {};
// The ingestion routes never touch dist/; a missing directory keeps the static routes out of the way.
// The load generator is one address sending far more than a client may: limits off, as RATE_LIMITS=off.
const app = createApp({ db, logger, distDir: '/nonexistent-waymark-dist', rateLimits: false });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});

process.once('SIGTERM', () => {
  stopStatistics();
  server.close(async () => {
    await app.close();
    await db.close();
    process.exit(0);
  });
  // Keep-alive connections of a finished load generator are closed by now; do not wait forever.
  setTimeout(() => process.exit(0), 5000).unref();
});
