/** A leveled logger; `silent` in tests so that output stays readable. */
export interface Logger {
  error(message: string, cause?: unknown): void;
  info(message: string): void;
  debug(message: string): void;
}

const order = { silent: 0, error: 1, info: 2, debug: 3 } as const;

/**
 * @example
 * const log = createLogger('info'); log.info('listening on :8787')
 */
export function createLogger(level: keyof typeof order): Logger {
  const at = order[level];
  return {
    error: (message, cause) => {
      if (at >= order.error) console.error(`[waymark] ${message}`, ...(cause === undefined ? [] : [cause]));
    },
    info: (message) => {
      if (at >= order.info) console.log(`[waymark] ${message}`);
    },
    debug: (message) => {
      if (at >= order.debug) console.log(`[waymark] ${message}`);
    },
  };
}
