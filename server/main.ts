import { serve } from '@hono/node-server';
import { installSnippet } from '../shared/install-snippet.ts';
import { createApp } from './app.ts';
import { serverSecret } from './auth/auth.ts';
import { smtpMailer } from './auth/mail.ts';
import { loadConfig, rateLimitSettings, webhookSettings } from './config.ts';
import { keepStatistics, openDatabase } from './db/client.ts';
import { createLogger } from './logger.ts';
import {
  type DemoKeys,
  demoOwner,
  demoWorkspaceId,
  removePlainTextDemoKeys,
  seedDemo,
  seedDemoOwner,
} from './seed.ts';
import { listWorkspaces } from './workspaces/store.ts';

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
const removed = await removePlainTextDemoKeys(config.DATABASE_URL);
if (removed) {
  logger.info(
    `removed ${removed}: it held the demo workspace's secret key in plain text. That key works until ` +
      `you replace it: npm run waymark -- keys rotate --workspace ${demoWorkspaceId} --kind secret --overlap-hours 0`,
  );
}
const keys = config.SEED_DEMO ? await seedDemo(db, Date.now()) : null;
// Planner statistics at start, every 6 hours, and when the events outgrow them (see keepStatistics).
await keepStatistics(db, (error) => logger.error('PRAGMA optimize failed', error));
const workspaceCount = keys ? null : (await listWorkspaces(db, Date.now())).length;
const app = createApp({
  db,
  logger,
  publicUrl: config.PUBLIC_URL,
  demoWorkspaceId,
  rateLimits: rateLimitSettings(config),
  trustProxy: config.TRUST_PROXY,
  scheduleHealth: true,
  webhooks: webhookSettings(config),
  authSecret: config.AUTH_SECRET ?? (await serverSecret(db, Date.now())),
  ...(config.SMTP_URL ? { mail: smtpMailer(config.SMTP_URL, config.MAIL_FROM, logger) } : {}),
});
// The demo workspace's owner, with a fixed password the start-up message prints (README, "Quick start").
const demoSignIn = keys ? await seedDemoOwner(db, app.auth, Date.now()) : false;
// Delivers the webhook outbox in this process; several instances share it through leases.
app.webhooks.start();
// Builds the core-feature rollups queued before this start (migration 0011, a stop mid-rebuild).
void app.featureRollups.wake();
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  const base = config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://localhost:${info.port}`;
  logger.info(`listening on ${base} (database: ${config.DATABASE_URL})`);
  if (keys) announce(base, keys);
  if (demoSignIn) {
    logger.info(
      `sign in to the console: ${base}/app as ${demoOwner.email} / ${demoOwner.password} (the demo owner)`,
    );
  } else if (!keys) {
    logger.info(`console: ${base}/app (an install without an owner starts there with its first one)`);
  } else if (workspaceCount === 0) {
    logger.info(
      'no workspace yet: create one with\n  npm run waymark -- workspace create --name "Acme" --origin https://app.acme.com',
    );
  }
});

function announce(base: string, keys: DemoKeys) {
  const secret = keys.created
    ? [
        `  secret key:       ${keys.secretKey}`,
        '                    shown this once (it is stored only as a hash): keep it now',
        `  try the admin API: curl -H "Authorization: Bearer ${keys.secretKey}" ${base}/v1/admin/events?limit=5`,
      ]
    : [
        '  secret key:       shown once, when the demo workspace was created; for a new one:',
        `                    npm run waymark -- keys rotate --workspace ${demoWorkspaceId} --kind secret`,
      ];
  logger.info(
    [
      keys.created ? 'created the demo workspace' : 'demo workspace',
      `  demo product:     ${base}/demo/`,
      `  publishable key:  ${keys.publishableKey}`,
      ...secret,
      "  install the widget: paste this into your pages' <head>",
      installSnippet(base, keys.publishableKey),
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
