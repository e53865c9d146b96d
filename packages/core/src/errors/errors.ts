/**
 * The small error taxonomy providers and the core share. Each kind is recognised by a
 * `Symbol.for` marker rather than `instanceof`, so errors thrown by one bundled copy of the core
 * are understood by another, and the `is*` predicates walk the whole `cause` chain, so wrapping
 * an error never hides what kind it is.
 */

export type ErrorKind =
  | 'NotFound'
  | 'InvalidInput'
  | 'Unsupported'
  | 'Throttled'
  | 'Transient'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'IllegalState';

const KIND = Symbol.for('vkubelet.errorKind');

interface Marked {
  readonly [KIND]: ErrorKind;
}

export interface VkErrorOptions extends ErrorOptions {
  /** For Throttled: how long the backend asked us to wait. */
  readonly retryAfterMs?: number;
}

/** Base of every error the core defines; `kind` says how callers should react. */
export class VkError extends Error implements Marked {
  readonly [KIND]: ErrorKind;
  readonly kind: ErrorKind;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ErrorKind, message: string, options?: VkErrorOptions) {
    super(message, options);
    this[KIND] = kind;
    this.kind = kind;
    this.retryAfterMs = options?.retryAfterMs;
    this.name = `${kind}Error`;
  }
}

/** The thing asked for does not exist (a pod the backend never had, a deleted object). */
export class NotFoundError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('NotFound', message, options);
  }
}

/** The input cannot work however often it is retried (a malformed pod, a bad config). */
export class InvalidInputError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('InvalidInput', message, options);
  }
}

/** A capability or field the provider does not offer. */
export class UnsupportedError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('Unsupported', message, options);
  }
}

/** The backend or API server asked us to slow down; retry after `retryAfterMs` if given. */
export class ThrottledError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('Throttled', message, options);
  }
}

/** A failure worth retrying as is (network, 5xx, timeouts). */
export class TransientError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('Transient', message, options);
  }
}

/** The thing to create already exists. */
export class AlreadyExistsError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('AlreadyExists', message, options);
  }
}

/** An optimistic-concurrency conflict: re-read and try again. */
export class ConflictError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('Conflict', message, options);
  }
}

/** A resourceVersion or continue token that is too old (HTTP 410): relist. */
export class GoneError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('Gone', message, options);
  }
}

/** A call made in the wrong lifecycle state (run twice, used after shutdown). */
export class IllegalStateError extends VkError {
  constructor(message: string, options?: VkErrorOptions) {
    super('IllegalState', message, options);
  }
}

function markerOf(value: unknown): ErrorKind | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const kind = (value as Partial<Marked>)[KIND];
  return typeof kind === 'string' ? kind : undefined;
}

/** The first taxonomy kind found walking `err` and its `cause` chain (cycles are safe). */
export function errorKind(err: unknown): ErrorKind | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const kind = markerOf(current);
    if (kind !== undefined) return kind;
    if (current instanceof AggregateError) {
      for (const inner of current.errors) {
        const innerKind = errorKind(inner);
        if (innerKind !== undefined) return innerKind;
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isNotFound = (err: unknown): boolean => errorKind(err) === 'NotFound';
export const isInvalidInput = (err: unknown): boolean => errorKind(err) === 'InvalidInput';
export const isUnsupported = (err: unknown): boolean => errorKind(err) === 'Unsupported';
export const isThrottled = (err: unknown): boolean => errorKind(err) === 'Throttled';
export const isTransient = (err: unknown): boolean => errorKind(err) === 'Transient';
export const isAlreadyExists = (err: unknown): boolean => errorKind(err) === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => errorKind(err) === 'Conflict';
export const isGone = (err: unknown): boolean => errorKind(err) === 'Gone';
export const isIllegalState = (err: unknown): boolean => errorKind(err) === 'IllegalState';

/** The Retry-After hint anywhere in the chain, in milliseconds. */
export function retryAfterMs(err: unknown): number | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const hint = (current as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof hint === 'number') return hint;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A message for logs and events: the error's own message plus its causes'. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    const message =
      current instanceof Error
        ? current.message
        : typeof current === 'string'
          ? current
          : JSON.stringify(current);
    if (message && !parts.some(p => p.includes(message))) parts.push(message);
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return parts.join(': ');
}
