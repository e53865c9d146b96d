/**
 * The logging interface the core and providers write to. It is pino's shape (pino is the
 * default implementation), so any structured logger can be adapted; components get children
 * tagged with `{ component }` and, per pod, `{ pod: 'ns/name' }`.
 */
import { pino, type Level } from 'pino';

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = Level | 'silent';

/**
 * A child of `root` carrying `bindings`. pino writes a key once per child that bound it, so a
 * component's sub-component (the pod informer's reflector) would print `component` twice;
 * here each child is made from the root with its ancestors' bindings merged, the nearest winning.
 */
function scoped(root: pino.Logger, bindings: Record<string, unknown>): Logger {
  const logger = Object.keys(bindings).length === 0 ? root : root.child(bindings);
  return {
    debug: (fields, message) => {
      logger.debug(fields, message);
    },
    info: (fields, message) => {
      logger.info(fields, message);
    },
    warn: (fields, message) => {
      logger.warn(fields, message);
    },
    error: (fields, message) => {
      logger.error(fields, message);
    },
    child: more => scoped(root, { ...bindings, ...more }),
  };
}

/** Structured JSON logs to stdout (or `destination`), as the shipped binaries write them. */
export function createLogger(
  options: { level?: LogLevel; destination?: NodeJS.WritableStream } = {},
): Logger {
  const base = { level: options.level ?? 'info', base: { name: 'vkubelet' } };
  const root = options.destination
    ? pino(base, options.destination as unknown as pino.DestinationStream)
    : pino(base);
  return scoped(root, {});
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
