/**
 * How the kubelet API answers failures: one function maps any error to a status code and a
 * plain-text body, the way Go's `http.Error` writes them (the kubelet and upstream Virtual
 * Kubelet both use it): `text/plain; charset=utf-8`, `X-Content-Type-Options: nosniff`, the
 * message plus a newline.
 */
import type { ServerResponse } from 'node:http';
import { describeError, errorKind } from '../errors/errors.ts';

/** An answer decided by the server itself (404 route, 401, 403, 400 for a query value). */
export class HttpError extends Error {
  readonly status: number;
  /** Extra response headers (`Allow` for a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    message: string,
    options?: ErrorOptions & { readonly headers?: Readonly<Record<string, string>> },
  ) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
    this.headers = options?.headers ?? {};
  }
}

/** Upstream Virtual Kubelet's bodies (`node/api/server.go`). */
export const NOT_FOUND_MESSAGE = '404 request not found';
export const NOT_IMPLEMENTED_MESSAGE = '501 not implemented';
export const METHOD_NOT_ALLOWED_MESSAGE = '405 method not allowed';

export interface ErrorAnswer {
  readonly status: number;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The one place errors become status codes: HttpError keeps its own, then the taxonomy
 * (NotFound → 404, InvalidInput → 400, Unsupported → 501, Throttled → 429,
 * Transient → 503), anything else → 500.
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof HttpError) {
    return { status: err.status, message: err.message, headers: err.headers };
  }
  const message = describeError(err);
  const headers = {};
  switch (errorKind(err)) {
    case 'NotFound':
      return { status: 404, message, headers };
    case 'InvalidInput':
      return { status: 400, message, headers };
    case 'Unsupported':
      return { status: 501, message, headers };
    case 'Throttled':
      return { status: 429, message, headers };
    case 'Transient':
      return { status: 503, message, headers };
    default:
      return { status: 500, message, headers };
  }
}

/** Writes a Go `http.Error`-style answer unless the response has already started. */
export function writeError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    // Too late for a status: the best signal left is a broken stream.
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The raw HTTP/1.1 answer for an upgrade request refused before any handler took the socket. */
export function rawErrorResponse(status: number, reason: string, message: string): string {
  const body = `${message}\n`;
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    'X-Content-Type-Options: nosniff\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}
