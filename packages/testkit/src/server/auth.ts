/**
 * Who is calling and what they may do. Authentication accepts static bearer tokens, service
 * account JWTs and client certificates (as kube-apiserver with --token-auth-file and
 * --client-ca-file); authorization is a small rule list that tests reconfigure, and that the
 * TokenReview, SubjectAccessReview and SelfSubjectAccessReview endpoints answer from too.
 */
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { ApiError } from '../api-error.ts';

export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export const ANONYMOUS: UserInfo = {
  username: 'system:anonymous',
  groups: ['system:unauthenticated'],
};

export type TokenVerifier = (token: string) => Promise<UserInfo | undefined>;
export type CertificateUser = (socket: TLSSocket) => UserInfo | undefined;

export interface AuthenticatorOptions {
  /** Static bearer tokens and who they are. */
  readonly tokens?: Readonly<
    Record<string, Omit<UserInfo, 'groups'> & { groups?: readonly string[] }>
  >;
  /** Lets requests without credentials through as system:anonymous. Off by default. */
  readonly anonymous?: boolean;
}

function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes('system:authenticated')
    ? user
    : { ...user, groups: [...user.groups, 'system:authenticated'] };
}

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();
  anonymous: boolean;
  private readonly verifyServiceAccountToken: TokenVerifier;
  private readonly certificateUser: CertificateUser;

  constructor(
    options: AuthenticatorOptions,
    verifyServiceAccountToken: TokenVerifier,
    certificateUser: CertificateUser,
  ) {
    this.verifyServiceAccountToken = verifyServiceAccountToken;
    this.certificateUser = certificateUser;
    for (const [token, user] of Object.entries(options.tokens ?? {})) {
      this.addToken(token, { ...user, groups: user.groups ?? [] });
    }
    this.anonymous = options.anonymous ?? false;
  }

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(token, withAuthenticated(user));
  }

  removeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** A bearer token's user, or undefined when nobody issued it (TokenReview uses this too). */
  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const known = this.tokens.get(token);
    if (known) return known;
    const sa = await this.verifyServiceAccountToken(token);
    return sa ? withAuthenticated(sa) : undefined;
  }

  /** The request's user; 401 for bad credentials, or no credentials without anonymous access. */
  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    const token = bearerToken(req);
    if (token !== undefined) {
      const user = await this.authenticateToken(token);
      if (!user) throw ApiError.unauthorized();
      return user;
    }
    const socket = req.socket;
    if (socket instanceof TLSSocket && socket.authorized) {
      const user = this.certificateUser(socket);
      if (user) return withAuthenticated(user);
    }
    if (this.anonymous) return ANONYMOUS;
    throw ApiError.unauthorized();
  }
}

const WS_TOKEN_PROTOCOL = 'base64url.bearer.authorization.k8s.io.';

/** `Authorization: Bearer x`, or the WebSocket subprotocol form kubectl and browsers use. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? '';
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    for (const p of protocols.split(',').map(s => s.trim())) {
      if (p.startsWith(WS_TOKEN_PROTOCOL)) {
        return Buffer.from(p.slice(WS_TOKEN_PROTOCOL.length), 'base64url').toString('utf8');
      }
    }
  }
  return undefined;
}

export interface AuthorizationAttributes {
  readonly user: UserInfo;
  readonly verb: string;
  readonly resourceRequest: boolean;
  readonly group?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly path?: string;
}

/** One allow rule, RBAC-like; '*' matches anything in a list. */
export interface AccessRule {
  readonly users?: readonly string[];
  readonly groups?: readonly string[];
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  /** `pods`, `nodes/proxy`, `nodes/*`, `*`. */
  readonly resources?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface AuthorizationDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

export type DefaultPolicy = 'allow-authenticated' | 'deny';

function matches(list: readonly string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

function matchesPath(list: readonly string[] | undefined, path: string): boolean {
  if (list === undefined) return false;
  return list.some(
    p => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))),
  );
}

export class Authorizer {
  private rules: AccessRule[] = [];
  defaultPolicy: DefaultPolicy;

  constructor(
    defaultPolicy: DefaultPolicy = 'allow-authenticated',
    rules: readonly AccessRule[] = [],
  ) {
    this.defaultPolicy = defaultPolicy;
    this.rules = [...rules];
  }

  setRules(rules: readonly AccessRule[]): void {
    this.rules = [...rules];
  }

  addRule(rule: AccessRule): void {
    this.rules.push(rule);
  }

  authorize(a: AuthorizationAttributes): AuthorizationDecision {
    if (a.user.groups.includes('system:masters')) {
      return { allowed: true, reason: 'system:masters is allowed everything' };
    }
    // Discovery and health are open to everyone, as the default system:discovery roles make them.
    if (!a.resourceRequest && isPublicPath(a.path ?? '')) {
      return { allowed: true, reason: 'discovery is public' };
    }
    for (const rule of this.rules) {
      const subject =
        (rule.users === undefined && rule.groups === undefined) ||
        (rule.users?.includes(a.user.username) ?? false) ||
        (rule.groups?.some(g => a.user.groups.includes(g)) ?? false);
      if (!subject || !matches(rule.verbs, a.verb)) continue;
      if (a.resourceRequest) {
        if (rule.nonResourceURLs !== undefined && rule.resources === undefined) continue;
        const resource = a.subresource
          ? `${a.resource ?? ''}/${a.subresource}`
          : (a.resource ?? '');
        const resourceOk =
          rule.resources === undefined ||
          rule.resources.includes('*') ||
          rule.resources.includes(resource) ||
          (a.subresource !== undefined && rule.resources.includes(`${a.resource ?? ''}/*`));
        if (
          resourceOk &&
          matches(rule.apiGroups, a.group ?? '') &&
          (rule.namespaces === undefined || matches(rule.namespaces, a.namespace ?? '')) &&
          (rule.resourceNames === undefined || matches(rule.resourceNames, a.name ?? ''))
        ) {
          return { allowed: true, reason: 'allowed by rule' };
        }
      } else if (matchesPath(rule.nonResourceURLs, a.path ?? '')) {
        return { allowed: true, reason: 'allowed by rule' };
      }
    }
    if (
      this.defaultPolicy === 'allow-authenticated' &&
      a.user.groups.includes('system:authenticated')
    ) {
      return { allowed: true, reason: 'authenticated users are allowed by default' };
    }
    return { allowed: false, reason: '' };
  }
}

function isPublicPath(path: string): boolean {
  return (
    path === '/api' ||
    path === '/apis' ||
    path.startsWith('/api/') ||
    path.startsWith('/apis/') ||
    path === '/version' ||
    path.startsWith('/openapi/') ||
    path === '/healthz' ||
    path === '/livez' ||
    path === '/readyz'
  );
}

/** The 403 message kube-apiserver's RBAC gives. */
export function forbiddenError(a: AuthorizationAttributes): ApiError {
  const who = `User "${a.user.username}"`;
  if (!a.resourceRequest) {
    return ApiError.forbidden(`forbidden: ${who} cannot ${a.verb} path "${a.path ?? ''}"`);
  }
  const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
  const target = a.name ? `${resource} "${a.name}"` : resource;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return ApiError.forbidden(
    `${target} is forbidden: ${who} cannot ${a.verb} resource "${resource}" in API group "${a.group ?? ''}"${scope}`,
    {
      ...(a.name ? { name: a.name } : {}),
      ...(a.group ? { group: a.group } : {}),
      kind: a.resource ?? '',
    },
  );
}
