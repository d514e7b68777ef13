import { z } from 'zod';
import { defaultRateLimits, type RateLimitSettings } from './http/rate-limit.ts';
import { defaultWebhookSettings, type WebhookSettings } from './webhooks/worker.ts';

/**
 * Server settings, read from the environment once at start-up. A bad value stops the server with a
 * message that names the variable, instead of failing later on the first request.
 */
export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    HOST: z.string().default('0.0.0.0'),
    /** `file:` path (embedded, the default) or a libSQL server: `libsql://`, `http(s)://`, `ws(s)://`. */
    DATABASE_URL: z
      .string()
      .regex(
        /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/,
        'must start with file:, libsql://, http(s):// or ws(s)://',
      )
      .default('file:data/waymark.db'),
    DATABASE_AUTH_TOKEN: z.string().optional(),
    /** How long a write waits for another process's lock before giving up (ms, `file:` only). */
    DATABASE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
    /** The URL people reach this server at, used in printed links and the install snippet. */
    PUBLIC_URL: z.url().optional(),
    /** `production` makes the demo workspace opt-in (see SEED_DEMO). */
    NODE_ENV: z.string().optional(),
    /**
     * Whether to create the demo workspace on first start. Default: yes, except with
     * `NODE_ENV=production`, where a demo (with its own keys) must be asked for explicitly.
     */
    SEED_DEMO: z.enum(['true', 'false']).optional(),
    LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
    /**
     * Signs team session cookies. Unset: a random one is made on first start and kept in the
     * database, which every instance on it shares.
     */
    AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Sends password-reset links and invitations by mail; unset, they are printed to the log. */
    SMTP_URL: z
      .string()
      .regex(
        /^smtps?:\/\/[^/\s]+/,
        'must be an smtp:// or smtps:// URL, such as smtps://user:pass@smtp.example.com',
      )
      .optional(),
    /** The sender of those mails. */
    MAIL_FROM: z.string().min(3).default('Waymark <waymark@localhost>'),
    /**
     * How many proxies (load balancers, CDNs) stand in front of the server: the client's address is the
     * `X-Forwarded-For` entry the outermost of them added. 0: the socket's peer is the client, and the
     * header, which anyone can write, is ignored.
     */
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    /** `off` turns every rate limit off (benchmarks from one address). */
    RATE_LIMITS: z.enum(['on', 'off']).default('on'),
    /** Requests a minute per client address on ingestion and `/v1/content`. */
    RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(defaultRateLimits.address.limit),
    /** Requests a minute per key (publishable or secret) on the same routes. */
    RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).default(defaultRateLimits.key.limit),
    /** Failed admin authentications per client address in 5 minutes. */
    RATE_LIMIT_ADMIN_FAILURES: z.coerce.number().int().min(1).default(defaultRateLimits.adminFailures.limit),
    /** `off`: this instance queues webhook deliveries but does not send them (another instance does). */
    WEBHOOK_DELIVERY: z.enum(['on', 'off']).default('on'),
    /**
     * Whether webhook URLs may name or resolve to loopback, private or link-local addresses. Default:
     * yes, except with `NODE_ENV=production`, where a secret-key holder must not reach the server's
     * own network.
     */
    WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).optional(),
    /** One delivery attempt's limit (ms), from connecting to the end of the answer. */
    WEBHOOK_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(defaultWebhookSettings.timeoutMs),
    /** Attempts before a delivery is marked failed (back-off: 1 minute, tripled each time, at most 12 h). */
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(defaultWebhookSettings.maxAttempts),
    /** How often an idle delivery worker looks for due deliveries (ms). */
    WEBHOOK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(defaultWebhookSettings.pollMs),
  })
  .transform(({ SEED_DEMO, WEBHOOK_ALLOW_PRIVATE_URLS, ...config }) => ({
    ...config,
    SEED_DEMO: SEED_DEMO === undefined ? config.NODE_ENV !== 'production' : SEED_DEMO === 'true',
    WEBHOOK_ALLOW_PRIVATE_URLS:
      WEBHOOK_ALLOW_PRIVATE_URLS === undefined
        ? config.NODE_ENV !== 'production'
        : WEBHOOK_ALLOW_PRIVATE_URLS === 'true',
  }));
export type Config = z.infer<typeof configSchema>;

/**
 * Parses the environment, or throws an Error whose message lists every bad variable.
 *
 * @example
 * const config = loadConfig(process.env) // { PORT: 8787, DATABASE_URL: 'file:data/waymark.db', ... }
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
}

/**
 * The rate limits the configuration asks for, or `false` when `RATE_LIMITS=off`.
 *
 * @example
 * createApp({ db, rateLimits: rateLimitSettings(config), trustProxy: config.TRUST_PROXY })
 */
export function rateLimitSettings(config: Config): RateLimitSettings | false {
  if (config.RATE_LIMITS === 'off') return false;
  const { address, key, adminFailures } = defaultRateLimits;
  return {
    address: { ...address, limit: config.RATE_LIMIT_PER_ADDRESS },
    key: { ...key, limit: config.RATE_LIMIT_PER_KEY },
    adminFailures: { ...adminFailures, limit: config.RATE_LIMIT_ADMIN_FAILURES },
  };
}

/**
 * Webhook delivery as the configuration asks for it.
 *
 * @example
 * createApp({ db, webhooks: webhookSettings(config) })
 */
export function webhookSettings(config: Config): WebhookSettings {
  return {
    ...defaultWebhookSettings,
    deliver: config.WEBHOOK_DELIVERY === 'on',
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    pollMs: config.WEBHOOK_POLL_MS,
  };
}
