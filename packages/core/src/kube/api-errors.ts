/**
 * API server failures mapped onto the core's error taxonomy, so callers branch on `isNotFound`,
 * `isConflict`, `isThrottled`... and never on HTTP codes. The Status the server answered stays
 * on the error (`status`), and a network or parse failure underneath stays as `cause`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { VkError, type ErrorKind } from '../errors/errors.ts';
import type { KubeStatus } from './types.ts';

export interface RequestContext {
  /** HTTP method and path, e.g. `GET /api/v1/namespaces/a/pods/b`. */
  readonly method: string;
  readonly path: string;
}

/**
 * An error from a call to the API server. Its taxonomy kind comes from the HTTP status:
 * 404 NotFound, 409 AlreadyExists or Conflict (by reason), 410 Gone, 429 Throttled,
 * 400/401/403/413/422 InvalidInput, 405/406/415 Unsupported, 408/5xx/network/timeouts Transient.
 */
export class KubeApiError extends VkError {
  /** The Status the server answered; absent when no answer arrived (network, timeout). */
  readonly status: KubeStatus | undefined;
  /** HTTP status code, 0 when no answer arrived. */
  readonly code: number;
  readonly method: string;
  readonly path: string;

  constructor(
    kind: ErrorKind,
    message: string,
    init: RequestContext & {
      status?: KubeStatus;
      code: number;
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    super(kind, message, {
      ...(init.cause !== undefined ? { cause: init.cause } : {}),
      ...(init.retryAfterMs !== undefined ? { retryAfterMs: init.retryAfterMs } : {}),
    });
    this.status = init.status;
    this.code = init.code;
    this.method = init.method;
    this.path = init.path;
  }
}

function kindOf(code: number, reason: string | undefined): ErrorKind {
  if (code === 404) return 'NotFound';
  if (code === 409) return reason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict';
  if (code === 410) return 'Gone';
  if (code === 429) return 'Throttled';
  if (code === 405 || code === 406 || code === 415) return 'Unsupported';
  if (code === 408 || code >= 500) return 'Transient';
  // 400, 401, 403, 413, 422 and the rest of 4xx: retrying the same request cannot help.
  return 'InvalidInput';
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Builds the Status for a failed response whose body may or may not be a Status. */
export function statusFromBody(code: number, body: string): KubeStatus {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'kind' in parsed) {
      const status = parsed as KubeStatus;
      if (status.kind === 'Status') return { ...status, code: status.code ?? code };
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): synthesise a Status below.
  }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    message: body.trim().slice(0, 500) || `HTTP ${code}`,
  };
}

/** The taxonomy error for a Status answer (an HTTP error, or an ERROR event of a watch). */
export function errorFromStatus(
  status: KubeStatus,
  context: RequestContext & { headers?: IncomingHttpHeaders },
): KubeApiError {
  const code = status.code ?? 0;
  const reason = status.reason;
  const fromHeader = context.headers
    ? parseRetryAfter(headerValue(context.headers, 'retry-after'))
    : undefined;
  const fromDetails =
    status.details?.retryAfterSeconds !== undefined
      ? status.details.retryAfterSeconds * 1000
      : undefined;
  const retryAfterMs = fromHeader ?? fromDetails;
  let text = `${context.method} ${context.path}: ${code}${reason ? ` ${reason}` : ''}: ${
    status.message ?? 'no message'
  }`;
  if (code === 401) {
    text += ' (the API server rejected our credentials: check the kubeconfig or token)';
  } else if (code === 403) {
    text += ' (our identity lacks this permission: check its RBAC rules)';
  }
  return new KubeApiError(kindOf(code, reason), text, {
    method: context.method,
    path: context.path,
    status,
    code,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** A request that never got an answer: connection refused or reset, TLS failure, timeout. */
export function errorFromNetwork(cause: unknown, context: RequestContext): KubeApiError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new KubeApiError('Transient', `${context.method} ${context.path}: ${detail}`, {
    method: context.method,
    path: context.path,
    code: 0,
    cause,
  });
}

function findApiError(err: unknown): KubeApiError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    if (current instanceof KubeApiError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The Status an API call answered, anywhere in `err`'s cause chain. */
export function kubeStatusOf(err: unknown): KubeStatus | undefined {
  return findApiError(err)?.status;
}

/** 401: our credentials were not accepted. */
export const isUnauthorized = (err: unknown): boolean => findApiError(err)?.code === 401;
/** 403: authenticated, but not allowed. */
export const isForbidden = (err: unknown): boolean => findApiError(err)?.code === 403;
