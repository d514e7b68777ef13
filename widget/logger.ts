/**
 * The widget's only output channel: silent unless debug is on (`data-debug` on the script tag, or
 * `waymark.debug(true)`), because a host page's console is not ours to fill.
 */
export interface Logger {
  on: boolean;
  log(...details: unknown[]): void;
}

/**
 * @example
 * const logger = createLogger(false)
 * logger.log('dropped', message) // prints nothing until `logger.on = true`
 */
export function createLogger(on: boolean): Logger {
  const logger: Logger = {
    on,
    log: (...details) => {
      try {
        if (logger.on) console.warn('[waymark]', ...details);
      } catch {
        // A host may have replaced console with something that throws; logging is never worth an error.
      }
    },
  };
  return logger;
}
