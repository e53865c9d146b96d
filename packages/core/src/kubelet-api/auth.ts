/**
 * Authentication and authorization of kubelet API requests, as the kubelet does them
 * (`pkg/kubelet/server/auth.go` and the apiserver's delegating authenticator/authorizer):
 *
 * - Authentication tries, in order, a client certificate that chains to the configured client CA
 *   (user = subject CN, groups = subject O), then a bearer token reviewed by the API server
 *   (TokenReview). Both are always on, so token clients such as metrics-server and Prometheus
 *   work whether or not a client CA is set (upstream forces client certificates then). A
 *   credential that fails gives 401 even when anonymous access is on; no credential at all is
 *   `system:anonymous` only when anonymous access is enabled, otherwise 401 `Unauthorized`.
 * - Authorization asks a SubjectAccessReview for resource `nodes`, name = the node, a
 *   subresource from the path (`/stats` → stats, `/metrics` → metrics, `/logs` → log,
 *   everything else → proxy) and the verb from the method; a denial is 403 with the kubelet's
 *   message, a failed review 500.
 * - Answers are cached like the kubelet's defaults: token reviews 2 minutes (authenticated and
 *   not), access reviews 5 minutes when allowed and 30 seconds when denied. Errors are never cached.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { describeError } from '../errors/errors.ts';
import { HttpError } from './http-errors.ts';
import { TtlCache } from './ttl-cache.ts';

export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** What a SubjectAccessReview is asked about one kubelet API request. */
export interface NodeAccessAttributes {
  readonly user: UserInfo;
  /** get, create, update, patch, delete (or the lowercased method). */
  readonly verb: string;
  /** The API group of `nodes`: the core group. */
  readonly apiGroup: '';
  readonly apiVersion: 'v1';
  readonly resource: 'nodes';
  /** The node's name. */
  readonly name: string;
  /** stats, metrics, log or proxy. */
  readonly subresource: string;
  /** The request path, for logs. */
  readonly path: string;
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly reason?: string;
}

/** Reviews a bearer token: the user, or undefined when the token is not valid. Throws when it cannot tell. */
export type ReviewToken = (token: string, signal: AbortSignal) => Promise<UserInfo | undefined>;
/** Asks whether a user may do something to the node. Throws when it cannot tell. */
export type SubjectAccessReview = (
  attributes: NodeAccessAttributes,
  signal: AbortSignal,
) => Promise<AccessDecision>;

export interface KubeletAuthOptions {
  readonly nodeName: string;
  /** Bearer-token authentication; without it a token is a failed credential (401). */
  readonly reviewToken?: ReviewToken;
  /** Requests without any credential become `system:anonymous`. @default false */
  readonly anonymous?: boolean;
  /** `AlwaysAllow` (development) or a SubjectAccessReview function. */
  readonly authorization: 'AlwaysAllow' | SubjectAccessReview;
  /** @default 120_000 (kubelet `authentication.webhook.cacheTTL`) */
  readonly tokenSuccessTtlMs?: number;
  /** @default 120_000 (the delegating authenticator uses the same TTL for failures) */
  readonly tokenFailureTtlMs?: number;
  /** @default 300_000 (kubelet `authorization.webhook.cacheAuthorizedTTL`) */
  readonly allowTtlMs?: number;
  /** @default 30_000 (kubelet `authorization.webhook.cacheUnauthorizedTTL`) */
  readonly denyTtlMs?: number;
  /** Milliseconds clock for the caches. @default Date.now */
  readonly now?: () => number;
}

export const ANONYMOUS_USER: UserInfo = {
  username: 'system:anonymous',
  groups: ['system:unauthenticated'],
};
const AUTHENTICATED_GROUP = 'system:authenticated';
const WEBSOCKET_TOKEN_PROTOCOL = 'base64url.bearer.authorization.k8s.io.';

/** The kubelet's verb for an HTTP method (`pkg/kubelet/server/auth.go`). */
export function verbForMethod(method: string): string {
  switch (method.toUpperCase()) {
    case 'POST':
      return 'create';
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

/** True when `path` is `prefix` or below it (the kubelet's `isSubpath`). */
function isSubpath(path: string, prefix: string): boolean {
  return path === prefix || (path.startsWith(prefix) && path[prefix.length] === '/');
}

/** The kubelet's subresource for a request path. */
export function subresourceForPath(path: string): string {
  if (isSubpath(path, '/stats')) return 'stats';
  if (isSubpath(path, '/metrics')) return 'metrics';
  if (isSubpath(path, '/logs')) return 'log';
  return 'proxy';
}

export function nodeAccessAttributes(
  user: UserInfo,
  method: string,
  path: string,
  nodeName: string,
): NodeAccessAttributes {
  return {
    user,
    verb: verbForMethod(method),
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'nodes',
    name: nodeName,
    subresource: subresourceForPath(path),
    path,
  };
}

/** The kubelet's 403 body (without Go's trailing newline). */
export function forbiddenMessage(a: NodeAccessAttributes): string {
  return `Forbidden (user=${a.user.username}, verb=${a.verb}, resource=${a.resource}, subresource(s)=[${a.subresource}])`;
}

/** The bearer token of a request: `Authorization: Bearer …` or the WebSocket subprotocol form. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    for (const protocol of protocols.split(',')) {
      const trimmed = protocol.trim();
      if (trimmed.startsWith(WEBSOCKET_TOKEN_PROTOCOL)) {
        const encoded = trimmed.slice(WEBSOCKET_TOKEN_PROTOCOL.length);
        const token = Buffer.from(encoded, 'base64url').toString('utf8');
        return token === '' ? undefined : token;
      }
    }
  }
  return undefined;
}

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED_GROUP)
    ? user
    : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

function asArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

type CertificateOutcome = { readonly user: UserInfo } | { readonly error: string } | undefined;

/**
 * The user of a verified client certificate. The TLS layer verified the chain against the
 * client CA (`socket.authorized`); a certificate that does not chain is a failed credential.
 */
function certificateUser(req: IncomingMessage, clientCaConfigured: boolean): CertificateOutcome {
  const socket = req.socket as Partial<TLSSocket>;
  if (!clientCaConfigured || typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  if (Object.keys(peer).length === 0) return undefined;
  if (socket.authorized !== true) {
    const why = socket.authorizationError;
    return { error: `x509: ${why === undefined ? 'certificate not trusted' : String(why)}` };
  }
  const cn = asArray(peer.subject.CN)[0] ?? '';
  if (cn === '') return { error: 'x509: certificate has no common name' };
  return {
    user: withAuthenticatedGroup({
      username: cn,
      groups: asArray(peer.subject.O),
      extra: {
        'authentication.kubernetes.io/credential-id': [
          `X509SHA256=${createHash('sha256').update(peer.raw).digest('hex')}`,
        ],
      },
    }),
  };
}

export interface AuthFailureLog {
  (fields: Record<string, unknown>, message: string): void;
}

/** Authenticates and authorizes kubelet API requests; one instance per server. */
export class KubeletAuth {
  readonly #options: KubeletAuthOptions;
  readonly #tokens: TtlCache<UserInfo | null>;
  readonly #decisions: TtlCache<AccessDecision>;
  #clientCaConfigured = false;

  constructor(options: KubeletAuthOptions) {
    this.#options = options;
    this.#tokens = new TtlCache({ ...(options.now ? { now: options.now } : {}) });
    this.#decisions = new TtlCache({ ...(options.now ? { now: options.now } : {}) });
  }

  /** Set by the server when its TLS context carries a client CA. */
  set clientCaConfigured(value: boolean) {
    this.#clientCaConfigured = value;
  }

  /**
   * Who made the request; throws HttpError 401 when a credential fails or none is given and
   * anonymous access is off. `onError` hears review failures (logged by the server).
   */
  async authenticate(
    req: IncomingMessage,
    signal: AbortSignal,
    onError?: AuthFailureLog,
  ): Promise<UserInfo> {
    const failures: string[] = [];
    const fromCertificate = certificateUser(req, this.#clientCaConfigured);
    if (fromCertificate !== undefined) {
      if ('user' in fromCertificate) return fromCertificate.user;
      failures.push(fromCertificate.error);
    }
    const token = bearerToken(req);
    if (token !== undefined) {
      const user = await this.#reviewToken(token, signal, onError);
      if (user !== undefined) return user;
      failures.push('invalid bearer token');
    }
    if (failures.length === 0 && this.#options.anonymous === true) return ANONYMOUS_USER;
    throw new HttpError(401, 'Unauthorized');
  }

  /** Throws HttpError 403 (denied) or 500 (the review failed). */
  async authorize(
    user: UserInfo,
    method: string,
    path: string,
    signal: AbortSignal,
    onError?: AuthFailureLog,
  ): Promise<NodeAccessAttributes> {
    const attributes = nodeAccessAttributes(user, method, path, this.#options.nodeName);
    const review = this.#options.authorization;
    if (review === 'AlwaysAllow') return attributes;
    const key = JSON.stringify([
      user.username,
      user.uid,
      user.groups,
      user.extra,
      attributes.verb,
      attributes.subresource,
      attributes.name,
    ]);
    let decision = this.#decisions.get(key);
    if (decision === undefined) {
      try {
        decision = await review(attributes, signal);
      } catch (err) {
        onError?.({ err: describeError(err), user: user.username }, 'subject access review failed');
        throw new HttpError(
          500,
          `Authorization error (user=${user.username}, verb=${attributes.verb}, resource=${attributes.resource}, subresource(s)=[${attributes.subresource}])`,
          { cause: err },
        );
      }
      this.#decisions.set(
        key,
        decision,
        decision.allowed
          ? (this.#options.allowTtlMs ?? 300_000)
          : (this.#options.denyTtlMs ?? 30_000),
      );
    }
    if (!decision.allowed) throw new HttpError(403, forbiddenMessage(attributes));
    return attributes;
  }

  async #reviewToken(
    token: string,
    signal: AbortSignal,
    onError?: AuthFailureLog,
  ): Promise<UserInfo | undefined> {
    const review = this.#options.reviewToken;
    if (review === undefined) return undefined;
    const key = createHash('sha256').update(token).digest('base64');
    const cached = this.#tokens.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let user: UserInfo | undefined;
    try {
      user = await review(token, signal);
    } catch (err) {
      onError?.({ err: describeError(err) }, 'token review failed');
      return undefined;
    }
    if (user === undefined) {
      this.#tokens.set(key, null, this.#options.tokenFailureTtlMs ?? 120_000);
      return undefined;
    }
    const authenticated = withAuthenticatedGroup(user);
    this.#tokens.set(key, authenticated, this.#options.tokenSuccessTtlMs ?? 120_000);
    return authenticated;
  }
}
