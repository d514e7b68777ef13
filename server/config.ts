import { z } from 'zod';

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
  })
  .transform(({ SEED_DEMO, ...config }) => ({
    ...config,
    SEED_DEMO: SEED_DEMO === undefined ? config.NODE_ENV !== 'production' : SEED_DEMO === 'true',
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
