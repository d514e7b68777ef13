import { dirname, join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { loadConfig, rateLimitSettings } from './config.ts';
import { openDatabase } from './db/client.ts';
import { createLogger } from './logger.ts';
import { type DemoKeys, demoWorkspaceId, seedDemo } from './seed.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const logger = createLogger(config.LOG_LEVEL);
const db = await openDatabase({
  url: config.DATABASE_URL,
  authToken: config.DATABASE_AUTH_TOKEN,
  busyTimeoutMs: config.DATABASE_BUSY_TIMEOUT_MS,
  logger,
});
const dbFile = config.DATABASE_URL.startsWith('file:')
  ? resolve(config.DATABASE_URL.slice(5).split('?')[0] ?? '')
  : null;
const keys = config.SEED_DEMO
  ? await seedDemo(db, Date.now(), dbFile ? join(dirname(dbFile), 'demo-keys.json') : null)
  : null;
const app = createApp({
  db,
  logger,
  publicUrl: config.PUBLIC_URL,
  demoWorkspaceId,
  rateLimits: rateLimitSettings(config),
  trustProxy: config.TRUST_PROXY,
});
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  const base = config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://localhost:${info.port}`;
  logger.info(`listening on ${base} (database: ${config.DATABASE_URL})`);
  if (keys) announce(base, keys);
});

function announce(base: string, keys: DemoKeys) {
  logger.info(
    [
      keys.created ? 'created the demo workspace' : 'demo workspace',
      `  demo product:     ${base}/demo/`,
      `  widget script:    ${base}/widget.js`,
      `  publishable key:  ${keys.publishableKey}`,
      `  secret key:       ${keys.secretKey ?? '(shown at first start only)'}`,
      `  install snippet:  <script async src="${base}/widget.js" data-key="${keys.publishableKey}"></script>`,
      `  try the admin API: curl -H "Authorization: Bearer ${keys.secretKey ?? 'sk_...'}" ${base}/v1/admin/events?limit=5`,
    ].join('\n'),
  );
}

// Stop taking requests, let in-flight writes commit, then close the database.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(async () => {
      await app.close();
      await db.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
