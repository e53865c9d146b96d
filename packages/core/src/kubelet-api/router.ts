/**
 * The kubelet API's routing: a route table (one place, `routes.ts`) matched by method and path
 * pattern. Patterns are literal segments and `:name` captures (one non-empty segment each); a
 * trailing slash is ignored on both sides, like gorilla/mux's StrictSlash the upstream uses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../observability/logger.ts';
import type { NodeAccessAttributes, UserInfo } from './auth.ts';
import { HttpError } from './http-errors.ts';

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** The `:name` captures of the route's path, decoded. */
  readonly params: ReadonlyMap<string, string>;
  readonly user: UserInfo;
  readonly access: NodeAccessAttributes;
  /** Aborts when the client goes away or the server closes. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface HttpRoute {
  /** For logs and metrics: `containerLogs`, `exec`... */
  readonly name: string;
  readonly methods: readonly string[];
  /** `/containerLogs/:namespace/:pod/:container`. */
  readonly path: string;
  /** Answers a request; absent: the provider lacks the capability (501). */
  readonly handle?: ((ctx: RouteContext, res: ServerResponse) => Promise<void>) | undefined;
  /** Takes over the socket of an `Upgrade` request (SPDY, WebSocket); absent: 400 for upgrades. */
  readonly upgrade?:
    ((ctx: RouteContext, socket: Duplex, head: Buffer) => Promise<void> | void) | undefined;
}

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: HttpRoute; readonly params: Map<string, string> }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] };

function segments(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (err) {
    throw new HttpError(400, `invalid path segment ${JSON.stringify(segment)}`, { cause: err });
  }
}

function matchPath(
  pattern: readonly string[],
  path: readonly string[],
): Map<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params = new Map<string, string>();
  for (const [i, expected] of pattern.entries()) {
    const actual = path[i] ?? '';
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      params.set(expected.slice(1), decodeSegment(actual));
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/** Finds the route for a request: the first whose path and method match. */
export function matchRoute(
  routes: readonly HttpRoute[],
  method: string,
  pathname: string,
): RouteMatch {
  const path = segments(pathname);
  const allow = new Set<string>();
  for (const route of routes) {
    const params = matchPath(segments(route.path), path);
    if (params === undefined) continue;
    if (route.methods.includes(method)) return { kind: 'route', route, params };
    for (const m of route.methods) allow.add(m);
  }
  return allow.size === 0
    ? { kind: 'not-found' }
    : { kind: 'method-not-allowed', allow: [...allow] };
}

/** A `:name` capture of the matched route (the router guarantees it exists). */
export function param(ctx: RouteContext, name: string): string {
  const value = ctx.params.get(name);
  if (value === undefined) throw new Error(`route has no :${name} parameter`);
  return value;
}
