import { randomBytes } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { errorCodes } from '../shared/problem.ts';
import { message } from '../shared/schemas/message.ts';
import { webhookEvent } from '../shared/schemas/webhook.ts';
import { CoreFeatureService } from './adoption/core-features.ts';
import { FeatureRollupBuilder } from './adoption/feature-days.ts';
import { type Auth, createAuth } from './auth/auth.ts';
import { logMailer, type Mailer } from './auth/mail.ts';
import { defaultSignInLimits, SignInGuard, type SignInLimits } from './auth/sign-in-guard.ts';
import { MilestoneService } from './content/milestones.ts';
import type { Database } from './db/client.ts';
import { StorageBusyError } from './db/writer.ts';
import { GoalCatalog } from './goals/catalog.ts';
import { HealthModelStore } from './health/model-store.ts';
import { type HealthDeps, HealthScheduler } from './health/run.ts';
import { ApiError } from './http/api-error.ts';
import { limitBodies } from './http/body-limits.ts';
import { compressJson } from './http/compress-json.ts';
import { defaultRateLimits, type RateLimitSettings, RateLimits } from './http/rate-limit.ts';
import { answers, routes } from './http/routes.ts';
import { IngestService } from './ingest/ingest-service.ts';
import { ingestHooks, type KindServices, kindServices } from './kinds.ts';
import { createLogger, type Logger } from './logger.ts';
import { distDir } from './paths.ts';
import { adminRoutes } from './routes/admin.ts';
import { contentRoutes } from './routes/content.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { staticRoutes } from './routes/static.ts';
import { teamRoutes } from './routes/team.ts';
import { WebhookEndpoints } from './webhooks/endpoints.ts';
import { defaultWebhookSettings, type WebhookSettings, WebhookWorker } from './webhooks/worker.ts';
import { currentPublishableKey, WorkspaceDirectory } from './workspaces/store.ts';

export interface AppOptions {
  db: Database;
  clock?: () => number;
  logger?: Logger;
  /** Where the built widget and demo are (`dist/` at the repository root by default). */
  distDir?: string;
  /** The URL people reach this server at, when it is behind a proxy. */
  publicUrl?: string | undefined;
  /** The workspace whose publishable key the demo page embeds. */
  demoWorkspaceId?: string;
  /** Rate limits (README, "Rate limits"): `defaultRateLimits` unless given; `false` turns them off. */
  rateLimits?: RateLimitSettings | false;
  /** Proxies in front of this server whose `X-Forwarded-For` entry names the client (`TRUST_PROXY`). */
  trustProxy?: number;
  /** Runs the daily health run inside this app (the server does; tests call it themselves). */
  scheduleHealth?: boolean;
  /** Webhook delivery (`defaultWebhookSettings` unless given); the worker starts with `app.webhooks.start()`. */
  webhooks?: Partial<WebhookSettings>;
  /**
   * Signs team session cookies; every instance on one database needs the same (main.ts passes
   * `AUTH_SECRET` or the one kept in the database, see `serverSecret`). Random unless given.
   */
  authSecret?: string;
  /** How password-reset links and invitations reach people; the server log unless given. */
  mail?: Mailer;
  /** Failed sign-ins before slowing down and locking out (`defaultSignInLimits` unless given). */
  signInLimits?: SignInLimits;
}

/** The HTTP app, and what must be stopped before its database closes. */
export type WaymarkApp = ReturnType<typeof routes> & {
  /** The shared rate-limit counts, null when limits are off (tests flush them to share counts now). */
  rateLimits: RateLimits | null;
  /** What the health run needs (tests run it by hand). */
  healthDeps: HealthDeps;
  /** The webhook delivery worker: main.ts starts it; tests call `runOnce()` with their clock. */
  webhooks: WebhookWorker;
  /**
   * Rebuilds of core-feature rollups: started by each definition change; main.ts wakes it at start
   * for those queued before (migration 0011, a stop mid-rebuild). Tests await `wake()`.
   */
  featureRollups: FeatureRollupBuilder;
  /** Team sign-in: main.ts and the seed create the demo owner with it. */
  auth: Auth;
  /**
   * Stops the health schedule, writes the rate-limit counts and stops their timer, and stops the
   * webhook worker and the rollup rebuilds once the work under way is recorded; call it before
   * closing the database.
   */
  close(): Promise<void>;
};

/** What routes are built from: created once per app, so several apps (tests, instances) never share state. */
export interface AppDeps extends KindServices {
  db: Database;
  clock: () => number;
  logger: Logger;
  workspaces: WorkspaceDirectory;
  /** Live milestones and checklist rules per workspace (a guarded cache, see goals/catalog.ts). */
  goals: GoalCatalog;
  milestones: MilestoneService;
  ingest: IngestService;
  webhooks: { endpoints: WebhookEndpoints; worker: WebhookWorker };
  /** Null when rate limits are off. */
  rateLimits: RateLimits | null;
  distDir: string;
  /** Origins of this server itself, whose pages may always call it. */
  ownOrigins(requestUrl: string): string[];
  /** Proxies whose `X-Forwarded-For` entry names the client (see http/client-address.ts). */
  trustProxy: number;
  /** Team sign-in (better-auth): sessions, passwords, workspaces as organizations. */
  auth: Auth;
  /** Failed sign-ins per email and address, shared by every instance. */
  signInGuard: SignInGuard;
  demoKey(): Promise<string | null>;
  /** Account health: the model, core features, and what the daily run and recomputes need. */
  health: HealthDeps;
}

/**
 * Builds the whole HTTP app on a database, without listening: tests call `app.request(...)`, and
 * main.ts hands it to the Node server.
 *
 * @example
 * const app = createApp({ db: await openDatabase({ url: 'file:/tmp/t.db', logger }) })
 * const res = await app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey, batch }) })
 */
export function createApp(options: AppOptions): WaymarkApp {
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? createLogger('info');
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : null;
  const goals = new GoalCatalog(options.db);
  const featureRollups = new FeatureRollupBuilder(options.db, logger);
  const milestones = new MilestoneService(options.db, clock);
  const rateLimitSettings = options.rateLimits ?? defaultRateLimits;
  const rateLimits = rateLimitSettings
    ? new RateLimits(rateLimitSettings, {
        db: options.db,
        clock,
        logger,
        trustProxy: options.trustProxy ?? 0,
      })
    : null;
  const webhookSettings = { ...defaultWebhookSettings, ...options.webhooks };
  const webhooks = {
    endpoints: new WebhookEndpoints(options.db, clock, webhookSettings.allowPrivate),
    worker: new WebhookWorker({ db: options.db, clock, logger, settings: webhookSettings }),
  };
  const ownOrigins = (requestUrl: string) => [
    new URL(requestUrl).origin,
    ...(publicOrigin ? [publicOrigin] : []),
  ];
  const deps: AppDeps = {
    db: options.db,
    clock,
    logger,
    workspaces: new WorkspaceDirectory(options.db, clock),
    goals,
    milestones,
    ...kindServices({ db: options.db, clock, milestones }),
    ingest: new IngestService({ db: options.db, goals, clock, hooks: ingestHooks }),
    webhooks,
    rateLimits,
    distDir: options.distDir ?? distDir,
    ownOrigins,
    trustProxy: options.trustProxy ?? 0,
    auth: createAuth({
      db: options.db,
      logger,
      secret: options.authSecret ?? randomBytes(32).toString('base64url'),
      publicUrl: options.publicUrl,
      ownOrigins,
      mail: options.mail ?? logMailer(logger),
      rateLimits: rateLimitSettings !== false,
    }),
    signInGuard: new SignInGuard(options.db, clock, options.signInLimits ?? defaultSignInLimits),
    health: {
      db: options.db,
      clock,
      logger,
      models: new HealthModelStore(options.db, clock),
      features: new CoreFeatureService(options.db, clock, featureRollups),
      deliveriesQueued: () => webhooks.worker.wake(),
    },
    demoKey: () => currentPublishableKey(options.db, options.demoWorkspaceId ?? 'demo', clock()),
  };

  const app = routes();
  // Ingestion and content (`/v1/batch`, `/v1/t`, `/v1/content`, ...): a flood is refused before its
  // body is read or its key looked up.
  if (rateLimits) app.use('/v1/:kind', rateLimits.perAddress);
  // Before any route reads a body or looks a key up.
  app.use('*', limitBodies());
  // Every JSON answer of 1 KB or more, errors included (`/v1/content` ~7 KB, `/openapi.json` ~370 KB);
  // the widget and demo files go out compressed at build time instead (routes/static.ts).
  app.use(compressJson());
  app.route('/', apiRoutes(deps));
  describeApi(app, publicOrigin);
  app.route('/', staticRoutes(deps));

  app.notFound(() => problemResponse(new ApiError(404, errorCodes.notFound, 'Not found')));
  app.onError((error, c) => {
    const response = problemFor(error);
    // A browser page whose origin was allowed may read why its request failed.
    const origin = c.get('corsOrigin');
    if (origin) {
      response.headers.set('Access-Control-Allow-Origin', origin);
      response.headers.set('Vary', 'Origin');
      // Not a CORS-safelisted header: without this a page (the widget) cannot read when to retry.
      if (response.headers.has('Retry-After')) {
        response.headers.set('Access-Control-Expose-Headers', 'Retry-After');
      }
    }
    return response;
  });

  function problemFor(error: Error): Response {
    if (error instanceof ApiError) return problemResponse(error);
    if (error instanceof StorageBusyError) {
      logger.error('a write gave up on a busy database', error.cause);
      return problemResponse(
        new ApiError(
          503,
          errorCodes.storageUnavailable,
          'Storage busy',
          'Nothing was stored; retry shortly.',
          undefined,
          {
            'Retry-After': '1',
          },
        ),
      );
    }
    if (error instanceof HTTPException) {
      return problemResponse(
        new ApiError(error.status, errorCodes.internal, error.message || 'Request failed'),
      );
    }
    logger.error('unhandled error', error);
    return problemResponse(new ApiError(500, errorCodes.internal, 'Internal error', 'Nothing was stored.'));
  }
  const scheduler = options.scheduleHealth ? new HealthScheduler(deps.health) : null;
  scheduler?.start();
  return Object.assign(app, {
    rateLimits,
    healthDeps: deps.health,
    webhooks: webhooks.worker,
    featureRollups,
    auth: deps.auth,
    close: async () => {
      await scheduler?.stop();
      await webhooks.worker.stop();
      await featureRollups.stop();
      await rateLimits?.close();
    },
  });
}

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness: the database answers',
  responses: answers(
    z.object({
      status: z.literal('ok'),
      /** Connections replaced after SQLITE_BUSY: a rising count means processes contend for the file. */
      busyReplacements: z.number().int(),
    }),
  ),
});

/**
 * Every route of the HTTP API, declared with its request and response schemas: what `/openapi.json`
 * is generated from, and what the console's typed client (`hc<AppType>`, hono/client) is typed by.
 */
function apiRoutes(deps: AppDeps) {
  return routes()
    .route('/v1/admin', adminRoutes(deps))
    .route('/', teamRoutes(deps))
    .route('/v1', contentRoutes(deps))
    .route('/v1', ingestRoutes(deps))
    .openapi(healthRoute, async (c) => {
      await deps.db.read.run('SELECT 1');
      // Connections replaced after SQLITE_BUSY: a rising count means processes contend for the file.
      return c.json({ status: 'ok' as const, busyReplacements: deps.db.writer.replacements }, 200);
    });
}

/**
 * The API's routes and the types of their answers, for `hc<AppType>(url)` (hono/client): a changed
 * response schema fails the type check of the code that reads it.
 */
export type AppType = ReturnType<typeof apiRoutes>;

/**
 * `/openapi.json`, the OpenAPI 3.1 document generated from the declared routes, and `/docs`, an
 * interactive reference that reads it.
 */
function describeApi(app: ReturnType<typeof routes>, publicOrigin: string | null) {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'publishableKey', {
    type: 'http',
    scheme: 'basic',
    description: 'Publishable key as the user name (Segment style); or Bearer, or `writeKey` in the body.',
  });
  registry.registerComponent('securitySchemes', 'secretKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'Workspace secret key (sk_...).',
  });
  registry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: 'waymark.session_token',
    description:
      'A team member signed in at POST /api/auth/sign-in/email (`__Secure-waymark.session_token` behind https); the admin API then works on the session’s active workspace, within the member’s role. Changes need an Origin header of this server.',
  });
  // As JSON Schema, not `registry.register`: that calls the `.openapi()` that @hono/zod-openapi adds to
  // zod schemas made after it loads, and these (from shared/) may be made before, whatever the import order.
  const component = (schema: z.ZodType) =>
    z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Parameters<
      typeof registry.registerComponent<'schemas'>
    >[2];
  registry.registerComponent('schemas', 'Message', component(message));
  /** The body of every webhook delivery. */
  registry.registerComponent('schemas', 'WebhookEvent', component(webhookEvent));
  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Waymark API',
      version: '1',
      description:
        'Ingestion (Segment-compatible), content for the widget, and the admin API. Errors are RFC 9457 problem+json with a stable `code` and a JSON pointer per field.',
    },
    servers: [{ url: publicOrigin ?? new URL(c.req.url).origin }],
  }));
}

function problemResponse(error: ApiError): Response {
  return new Response(JSON.stringify(error.toProblem()), {
    status: error.status,
    headers: { 'Content-Type': 'application/problem+json', ...error.headers },
  });
}
