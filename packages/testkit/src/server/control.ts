/**
 * The testkit's own control API under /testkit/v1, so a test or benchmark can drive faults,
 * read request counts and restart a server that runs in another process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api-error.ts';
import { isPlainObject } from '../kube-object.ts';
import type { AccessRule, DefaultPolicy } from './auth.ts';
import type { Faults, InjectedError, RequestMatch } from './faults.ts';
import { sendJson } from './http-io.ts';
import type { RequestCounter } from './request-counter.ts';

export interface Controllable {
  readonly faults: Faults;
  readonly requests: RequestCounter;
  readonly authorizer: {
    defaultPolicy: DefaultPolicy;
    setRules(rules: readonly AccessRule[]): void;
  };
  readonly authenticator: {
    addToken(
      token: string,
      user: { username: string; groups: readonly string[]; uid?: string },
    ): void;
  };
  readonly store: { compact(): void; resourceVersion: number };
  restart(options: { downtimeMs?: number }): Promise<void>;
  issueClientCertificate(
    user: string,
    groups?: readonly string[],
  ): Promise<{ certPem: string; keyPem: string }>;
  issueServingCertificate(options: {
    commonName: string;
    dnsNames?: readonly string[];
    ipAddresses?: readonly string[];
  }): Promise<{ certPem: string; keyPem: string }>;
}

/** A fault operation as sent to POST /testkit/v1/faults. */
export type FaultOperation =
  | { op: 'injectError'; match?: RequestMatch; error: InjectedError; times?: number | null }
  | { op: 'addLatency'; match?: RequestMatch; ms: number; times?: number | null }
  | { op: 'expireNextWatch'; match?: RequestMatch; times?: number }
  | { op: 'dropWatches'; match?: RequestMatch }
  | { op: 'stallWatches'; match?: RequestMatch }
  | { op: 'resumeWatches' }
  | { op: 'compact' }
  | { op: 'clear' };

export function applyFault(target: Controllable, op: FaultOperation): Record<string, unknown> {
  const f = target.faults;
  const times = (t: number | null | undefined, fallback: number): number =>
    t === null ? Infinity : (t ?? fallback);
  switch (op.op) {
    case 'injectError':
      f.injectError(op.match ?? {}, op.error, times(op.times, 1));
      return {};
    case 'addLatency':
      f.addLatency(op.match ?? {}, op.ms, times(op.times, Infinity));
      return {};
    case 'expireNextWatch':
      f.expireNextWatch(op.match ?? {}, op.times ?? 1);
      return {};
    case 'dropWatches':
      return { dropped: f.dropWatches(op.match ?? {}) };
    case 'stallWatches':
      return { stalled: f.stallWatches(op.match ?? {}) };
    case 'resumeWatches':
      f.resumeWatches();
      return {};
    case 'compact':
      target.store.compact();
      return { compactedAt: target.store.resourceVersion };
    case 'clear':
      f.clear();
      return {};
  }
}

export async function handleControl(
  target: Controllable,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  readBody: (req: IncomingMessage) => Promise<unknown>,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/testkit/v1/faults' && method === 'POST') {
    const body = await readBody(req);
    if (!isPlainObject(body) || typeof body.op !== 'string')
      throw ApiError.badRequest('a fault needs an "op"');
    sendJson(res, 200, applyFault(target, body as unknown as FaultOperation));
    return;
  }
  if (path === '/testkit/v1/requests') {
    if (method === 'DELETE') {
      target.requests.reset();
      sendJson(res, 200, {});
      return;
    }
    const userAgent =
      new URL(req.url ?? '/', 'https://x').searchParams.get('userAgent') ?? undefined;
    sendJson(res, 200, {
      items: target.requests.snapshot(userAgent !== undefined ? { userAgent } : {}),
    });
    return;
  }
  if (path === '/testkit/v1/restart' && method === 'POST') {
    const body = await readBody(req);
    const downtimeMs =
      isPlainObject(body) && typeof body.downtimeMs === 'number' ? body.downtimeMs : 0;
    sendJson(res, 202, { restarting: true });
    res.on('finish', () => {
      setTimeout(() => void target.restart({ downtimeMs }), 10);
    });
    return;
  }
  if (path === '/testkit/v1/authorization' && method === 'POST') {
    const body = await readBody(req);
    if (!isPlainObject(body)) throw ApiError.badRequest('expected {defaultPolicy, rules}');
    if (body.defaultPolicy === 'deny' || body.defaultPolicy === 'allow-authenticated')
      target.authorizer.defaultPolicy = body.defaultPolicy;
    if (Array.isArray(body.rules)) target.authorizer.setRules(body.rules as AccessRule[]);
    sendJson(res, 200, {});
    return;
  }
  if (path === '/testkit/v1/tokens' && method === 'POST') {
    const body = await readBody(req);
    if (
      !isPlainObject(body) ||
      typeof body.token !== 'string' ||
      typeof body.username !== 'string'
    ) {
      throw ApiError.badRequest('expected {token, username, groups?}');
    }
    const groups = Array.isArray(body.groups) ? body.groups.map(String) : [];
    target.authenticator.addToken(body.token, { username: body.username, groups });
    sendJson(res, 200, {});
    return;
  }
  if (path === '/testkit/v1/client-certificates' && method === 'POST') {
    const body = await readBody(req);
    if (!isPlainObject(body) || typeof body.user !== 'string')
      throw ApiError.badRequest('expected {user, groups?}');
    const groups = Array.isArray(body.groups) ? body.groups.map(String) : [];
    sendJson(res, 200, await target.issueClientCertificate(body.user, groups));
    return;
  }
  if (path === '/testkit/v1/serving-certificates' && method === 'POST') {
    const body = await readBody(req);
    if (!isPlainObject(body) || typeof body.commonName !== 'string')
      throw ApiError.badRequest('expected {commonName, dnsNames?, ipAddresses?}');
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    sendJson(
      res,
      200,
      await target.issueServingCertificate({
        commonName: body.commonName,
        dnsNames: list(body.dnsNames),
        ipAddresses: list(body.ipAddresses),
      }),
    );
    return;
  }
  throw new ApiError(404, 'NotFound', `no testkit control endpoint ${method} ${path}`);
}
