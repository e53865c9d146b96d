import { describe, expect, it } from 'vitest';
import {
  describeError,
  errorKind,
  isAlreadyExists,
  isConflict,
  isGone,
  isInvalidInput,
  isNotFound,
  isThrottled,
  isTransient,
  retryAfterMs,
} from '../errors/errors.ts';
import {
  errorFromNetwork,
  errorFromStatus,
  isForbidden,
  isUnauthorized,
  kubeStatusOf,
  parseRetryAfter,
  statusFromBody,
} from './api-errors.ts';
import type { KubeStatus } from './types.ts';

const context = { method: 'GET', path: '/api/v1/namespaces/a/pods/b' };

function status(code: number, reason?: string, extra: Partial<KubeStatus> = {}): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    message: `answer ${code}`,
    ...(reason !== undefined ? { reason } : {}),
    ...extra,
  };
}

describe(errorFromStatus, () => {
  it.each([
    [404, 'NotFound', 'NotFound'],
    [409, 'AlreadyExists', 'AlreadyExists'],
    [409, 'Conflict', 'Conflict'],
    [410, 'Expired', 'Gone'],
    [410, 'Gone', 'Gone'],
    [429, 'TooManyRequests', 'Throttled'],
    [400, 'BadRequest', 'InvalidInput'],
    [422, 'Invalid', 'InvalidInput'],
    [401, 'Unauthorized', 'InvalidInput'],
    [403, 'Forbidden', 'InvalidInput'],
    [415, 'UnsupportedMediaType', 'Unsupported'],
    [405, 'MethodNotAllowed', 'Unsupported'],
    [500, 'InternalError', 'Transient'],
    [503, 'ServiceUnavailable', 'Transient'],
    [504, 'Timeout', 'Transient'],
    [408, 'Timeout', 'Transient'],
  ] as const)('maps %i %s to %s', (code, reason, kind) => {
    expect(errorKind(errorFromStatus(status(code, reason), context))).toBe(kind);
  });

  it('keeps the Status and says what was asked', () => {
    const answer = status(404, 'NotFound', { message: 'pods "b" not found' });
    const err = errorFromStatus(answer, context);
    expect(err.status).toBe(answer);
    expect(err.code).toBe(404);
    expect(err.message).toBe('GET /api/v1/namespaces/a/pods/b: 404 NotFound: pods "b" not found');
    const wrapped = new Error('sync failed', { cause: err });
    expect(isNotFound(wrapped)).toBe(true);
    expect(kubeStatusOf(wrapped)?.reason).toBe('NotFound');
    expect(describeError(wrapped)).toContain('pods "b" not found');
  });

  it('takes Retry-After from the header first, then from details', () => {
    const fromHeader = errorFromStatus(
      status(429, 'TooManyRequests', { details: { retryAfterSeconds: 9 } }),
      { ...context, headers: { 'retry-after': '3' } },
    );
    expect(isThrottled(fromHeader)).toBe(true);
    expect(retryAfterMs(fromHeader)).toBe(3000);
    const fromDetails = errorFromStatus(
      status(429, 'TooManyRequests', { details: { retryAfterSeconds: 2 } }),
      context,
    );
    expect(retryAfterMs(fromDetails)).toBe(2000);
    const plain = errorFromStatus(status(429), context);
    expect(retryAfterMs(plain)).toBeUndefined();
  });

  it('says clearly when credentials or permissions are the problem', () => {
    const unauthorized = errorFromStatus(status(401, 'Unauthorized'), context);
    expect(isUnauthorized(unauthorized)).toBe(true);
    expect(unauthorized.message).toMatch(/rejected our credentials/);
    const forbidden = errorFromStatus(status(403, 'Forbidden'), context);
    expect(isForbidden(new Error('x', { cause: forbidden }))).toBe(true);
    expect(isUnauthorized(forbidden)).toBe(false);
    expect(forbidden.message).toMatch(/RBAC/);
  });

  it('does not confuse conflicts with existing objects', () => {
    expect(isConflict(errorFromStatus(status(409, 'Conflict'), context))).toBe(true);
    expect(isAlreadyExists(errorFromStatus(status(409, 'Conflict'), context))).toBe(false);
    expect(isAlreadyExists(errorFromStatus(status(409, 'AlreadyExists'), context))).toBe(true);
    expect(isGone(errorFromStatus(status(410), context))).toBe(true);
    expect(isInvalidInput(errorFromStatus(status(422, 'Invalid'), context))).toBe(true);
  });
});

describe(statusFromBody, () => {
  it('uses a Status body as is', () => {
    const body = JSON.stringify(status(409, 'Conflict'));
    expect(statusFromBody(409, body)).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  it('synthesises a Status for bodies that are not one', () => {
    expect(statusFromBody(502, '<html>Bad Gateway</html>')).toMatchObject({
      kind: 'Status',
      code: 502,
      message: '<html>Bad Gateway</html>',
    });
    expect(statusFromBody(503, '').message).toBe('HTTP 503');
    expect(statusFromBody(500, '{"kind":"Pod"}').message).toBe('{"kind":"Pod"}');
  });
});

describe(errorFromNetwork, () => {
  it('is Transient and keeps the socket error as cause', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const err = errorFromNetwork(socket, context);
    expect(isTransient(err)).toBe(true);
    expect(err.cause).toBe(socket);
    expect(err.code).toBe(0);
    expect(err.status).toBeUndefined();
  });
});

describe(parseRetryAfter, () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('5')).toBe(5000);
    expect(parseRetryAfter('0')).toBe(0);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
