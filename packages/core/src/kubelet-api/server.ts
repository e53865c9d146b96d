/**
 * The kubelet HTTP API server (what the API server proxies `kubectl logs`, `top`, metrics-server
 * and Prometheus scrapes to): HTTPS on :10250, every request authenticated and authorized
 * (`auth.ts`), then routed through the route table (`routes.ts`, plus `extraRoutes` for the
 * streaming routes exec/attach/portForward). Upgrade requests go through the same checks and
 * are handed to the route's `upgrade` handler.
 *
 * ```ts
 * const server = new KubeletApiServer({
 *   nodeName: 'vk-1',
 *   provider,
 *   listPods: () => podCache.list(),
 *   tls: { serving: { certFile, keyFile }, clientCa: { file: caFile } },
 *   authentication: { reviewToken: kubeTokenReviewer(client) },
 *   authorization: kubeSubjectAccessReviewer(client),
 * });
 * const port = await server.start(signal); // closes when signal aborts
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { describeError } from '../errors/errors.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import type { Provider } from '../provider/contract.ts';
import { KubeletAuth, type ReviewToken, type SubjectAccessReview } from './auth.ts';
import {
  errorAnswer,
  HttpError,
  METHOD_NOT_ALLOWED_MESSAGE,
  NOT_FOUND_MESSAGE,
  NOT_IMPLEMENTED_MESSAGE,
  rawErrorResponse,
  writeError,
} from './http-errors.ts';
import { matchRoute, type HttpRoute, type RouteContext } from './router.ts';
import { coreRoutes } from './routes.ts';
import {
  loadTlsMaterial,
  sameMaterial,
  secureContextOptions,
  watchDirectories,
  watchedFiles,
  type KubeletTlsOptions,
  type TlsMaterial,
} from './tls.ts';
import { linkedSignal } from '../util/abort.ts';

export interface KubeletAuthenticationOptions {
  /** Bearer tokens; see `kubeTokenReviewer`. Without it every token is refused (401). */
  readonly reviewToken?: ReviewToken;
  /** Requests without credentials are `system:anonymous` instead of 401. @default false */
  readonly anonymous?: boolean;
  readonly tokenSuccessTtlMs?: number;
  readonly tokenFailureTtlMs?: number;
}

export interface KubeletApiServerOptions {
  readonly nodeName: string;
  readonly provider: Provider;
  /** The API pods bound to this node, for `GET /pods`. */
  readonly listPods: (signal: AbortSignal) => Promise<readonly Pod[]> | readonly Pod[];
  readonly tls: KubeletTlsOptions;
  /** @default 10250; 0 picks a free port */
  readonly port?: number;
  /** @default every address */
  readonly host?: string;
  readonly authentication?: KubeletAuthenticationOptions;
  /** `AlwaysAllow` for development, or a SubjectAccessReview (see `kubeSubjectAccessReviewer`). */
  readonly authorization: 'AlwaysAllow' | SubjectAccessReview;
  readonly allowTtlMs?: number;
  readonly denyTtlMs?: number;
  /** More routes (exec, attach, portForward), matched after the core ones. */
  readonly extraRoutes?: readonly HttpRoute[];
  readonly logger?: Logger;
  /** Called after each TLS reload attempt (error when the new material was refused). */
  readonly onTlsReload?: (error?: unknown) => void;
  /** Milliseconds clock for the auth caches. @default Date.now */
  readonly now?: () => number;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

export class KubeletApiServer {
  readonly #options: KubeletApiServerOptions;
  readonly #routes: readonly HttpRoute[];
  readonly #auth: KubeletAuth;
  readonly #log: Logger;
  readonly #closing = new AbortController();
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #material: TlsMaterial | undefined;
  #stopWatching: (() => void) | undefined;
  #reloading: Promise<void> = Promise.resolve();

  /** No I/O here: files are read and the port bound by `listen`/`start`. */
  constructor(options: KubeletApiServerOptions) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'kubelet-api' });
    this.#routes = [...coreRoutes(options), ...(options.extraRoutes ?? [])];
    const authn = options.authentication ?? {};
    this.#auth = new KubeletAuth({
      nodeName: options.nodeName,
      authorization: options.authorization,
      ...(authn.reviewToken ? { reviewToken: authn.reviewToken } : {}),
      ...(authn.anonymous === undefined ? {} : { anonymous: authn.anonymous }),
      ...(authn.tokenSuccessTtlMs === undefined
        ? {}
        : { tokenSuccessTtlMs: authn.tokenSuccessTtlMs }),
      ...(authn.tokenFailureTtlMs === undefined
        ? {}
        : { tokenFailureTtlMs: authn.tokenFailureTtlMs }),
      ...(options.allowTtlMs === undefined ? {} : { allowTtlMs: options.allowTtlMs }),
      ...(options.denyTtlMs === undefined ? {} : { denyTtlMs: options.denyTtlMs }),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Loads the TLS material, binds the port and serves; returns the bound port. */
  async listen(): Promise<number> {
    if (this.#server !== undefined) throw new Error('the kubelet API server is already listening');
    const material = await loadTlsMaterial(this.#options.tls);
    const server = createServer({
      ...secureContextOptions(material),
      requestCert: true,
      rejectUnauthorized: false,
      headersTimeout: 30_000,
      requestTimeout: 0,
    });
    this.#material = material;
    this.#auth.clientCaConfigured = material.caPem !== undefined;
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.#onRequest(req, res);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.#onUpgrade(req, socket, head);
    });
    server.on('tlsClientError', (err: Error) => {
      this.#log.debug({ err: err.message }, 'TLS handshake failed');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port ?? 10250, this.#options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (this.#options.tls.watchFiles !== false) {
      const files = watchedFiles(this.#options.tls);
      if (files.length > 0) {
        this.#stopWatching = watchDirectories(files, () => {
          void this.reloadTls();
        });
      }
    }
    const port = this.port;
    this.#log.info({ port }, 'kubelet API listening');
    return port;
  }

  /** `listen`, and `close` when `signal` aborts. */
  async start(signal: AbortSignal): Promise<number> {
    signal.throwIfAborted();
    const port = await this.listen();
    signal.addEventListener('abort', () => void this.close(), { once: true });
    return port;
  }

  get port(): number {
    const address = this.#server?.address();
    if (address === null || address === undefined || typeof address === 'string') {
      throw new Error('the kubelet API server is not listening');
    }
    return address.port;
  }

  /**
   * Reads the TLS material again and, if it changed and is valid, serves it to new connections.
   * Called on file changes; call it after rotating a callback-provided certificate.
   */
  reloadTls(): Promise<void> {
    this.#reloading = this.#reloading.then(async () => {
      const server = this.#server;
      if (server === undefined || this.#closing.signal.aborted) return;
      try {
        const material = await loadTlsMaterial(this.#options.tls);
        if (sameMaterial(this.#material, material)) return;
        server.setSecureContext(secureContextOptions(material));
        this.#material = material;
        this.#auth.clientCaConfigured = material.caPem !== undefined;
        this.#log.info({}, 'kubelet API certificate reloaded');
        this.#options.onTlsReload?.();
      } catch (err) {
        // A half-written pair (cert renewed, key not yet): keep serving the old one.
        this.#log.warn({ err: describeError(err) }, 'kubelet API certificate not reloaded');
        this.#options.onTlsReload?.(err);
      }
    });
    return this.#reloading;
  }

  /** Stops listening, aborts every request in flight and drops every connection. */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined || this.#closing.signal.aborted) return;
    this.#closing.abort(new Error('kubelet API server closing'));
    this.#stopWatching?.();
    const closed = new Promise<void>(resolve => {
      server.close(() => {
        resolve();
      });
    });
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    await this.#reloading;
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestAbort = new AbortController();
    // Detached when the request ends, so scrapes over months leave nothing on #closing.
    const linked = linkedSignal([requestAbort.signal, this.#closing.signal]);
    const signal = linked.signal;
    res.once('close', () => {
      if (!res.writableFinished) requestAbort.abort(new Error('client disconnected'));
      linked.dispose();
    });
    let routeName = 'unmatched';
    try {
      const { ctx, route } = await this.#prepare(req, signal);
      routeName = route.name;
      if (route.handle === undefined) throw new HttpError(501, NOT_IMPLEMENTED_MESSAGE);
      await route.handle(ctx, res);
    } catch (err) {
      if (signal.aborted) return; // the client is gone or the server is closing
      const { status, message, headers } = errorAnswer(err);
      const fields = { route: routeName, path: req.url, status, err: describeError(err) };
      if (status >= 500 && status !== 501) this.#log.error(fields, 'kubelet API request failed');
      else this.#log.debug(fields, 'kubelet API request refused');
      writeError(res, status, message, headers);
    }
  }

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const signal = this.#closing.signal;
    try {
      const { ctx, route } = await this.#prepare(req, signal);
      if (route.upgrade === undefined) {
        throw route.handle === undefined
          ? new HttpError(501, NOT_IMPLEMENTED_MESSAGE)
          : new HttpError(400, `${route.name} does not support protocol upgrades`);
      }
      await route.upgrade(ctx, socket, head);
    } catch (err) {
      if (!socket.writable) return;
      const { status, message } = errorAnswer(err);
      this.#log.debug(
        { path: req.url, status, err: describeError(err) },
        'kubelet API upgrade refused',
      );
      socket.end(rawErrorResponse(status, REASONS[status] ?? 'Error', message));
    }
  }

  /** Authentication, authorization and routing, shared by requests and upgrades. */
  async #prepare(
    req: IncomingMessage,
    signal: AbortSignal,
  ): Promise<{ ctx: RouteContext; route: HttpRoute }> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const method = req.method ?? 'GET';
    const onError = (fields: Record<string, unknown>, message: string): void => {
      this.#log.warn(fields, message);
    };
    const user = await this.#auth.authenticate(req, signal, onError);
    const access = await this.#auth.authorize(user, method, url.pathname, signal, onError);
    const match = matchRoute(this.#routes, method, url.pathname);
    if (match.kind === 'not-found') throw new HttpError(404, NOT_FOUND_MESSAGE);
    if (match.kind === 'method-not-allowed') {
      throw new HttpError(405, METHOD_NOT_ALLOWED_MESSAGE, {
        headers: { allow: match.allow.join(', ') },
      });
    }
    const log = this.#log.child({ route: match.route.name, user: user.username });
    const ctx: RouteContext = { req, url, params: match.params, user, access, signal, log };
    return { ctx, route: match.route };
  }
}
