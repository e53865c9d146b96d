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

/** Structured JSON logs to stdout (or `destination`), as the shipped binaries write them. */
export function createLogger(
  options: { level?: LogLevel; destination?: NodeJS.WritableStream } = {},
): Logger {
  const base = { level: options.level ?? 'info', base: { name: 'vkubelet' } };
  return options.destination
    ? pino(base, options.destination as unknown as pino.DestinationStream)
    : pino(base);
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
