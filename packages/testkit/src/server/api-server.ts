/**
 * The testkit API server: an HTTPS server speaking kube-apiserver's REST and watch protocol,
 * with its own CA, token authentication, an authorizer tests can reconfigure, built-in
 * controllers (namespaces, CSR signing, garbage collection, optionally a scheduler), a kubelet
 * proxy, fault injection and request counting. `TestApiServer.start()` is the only way in: the
 * constructor does no I/O.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { stringify as toYaml } from 'yaml';
import { ApiError } from '../api-error.ts';
import { startCsrSigner } from '../controllers/csr-signer.ts';
import { startGarbageCollector } from '../controllers/garbage-collector.ts';
import { startNamespaceController } from '../controllers/namespace-controller.ts';
import { startScheduler } from '../controllers/scheduler.ts';
import type { KubeObject } from '../kube-object.ts';
import {
  CertificateAuthority,
  ServiceAccountTokenIssuer,
  userFromPeerCertificate,
  type IssuedCertificate,
} from '../pki/index.ts';
import { findResource, type ResourceDescriptor } from '../resources/registry.ts';
import { strategiesFor } from '../resources/strategies.ts';
import { ObjectStore } from '../store/object-store.ts';
import {
  Authenticator,
  Authorizer,
  forbiddenError,
  type AccessRule,
  type DefaultPolicy,
  type UserInfo,
} from './auth.ts';
import { coreVersions, group, groupList, resourceList, versionDocument } from './discovery.ts';
import { Faults, type RequestAttributes } from './faults.ts';
import { handleResource, type HandlerContext } from './handlers.ts';
import { readObjectBody, sendError, sendJson, writeSocketError } from './http-io.ts';
import { serveOpenApi } from './openapi.ts';
import { kubeletAddress, podSubresourcePath, proxyUpgrade } from './proxy.ts';
import { parseRequestInfo, type RequestInfo } from './request-info.ts';
import { RequestCounter } from './request-counter.ts';
import { Rest } from './rest.ts';
import type { TokenIssuer } from './reviews.ts';
import { handleControl } from './control.ts';

export interface TestApiServerOptions {
  /** Listen address; loopback by default. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Extra static bearer tokens. An admin token (system:masters) always exists. */
  readonly tokens?: Readonly<
    Record<string, { username: string; groups?: readonly string[]; uid?: string }>
  >;
  /** Allow requests without credentials as system:anonymous (off, as --anonymous-auth=false). */
  readonly anonymous?: boolean;
  /** What authenticated users outside system:masters may do when no rule matches. */
  readonly defaultPolicy?: DefaultPolicy;
  readonly rules?: readonly AccessRule[];
  /** Run the built-in scheduler (off by default: tests bind pods themselves). */
  readonly scheduler?: boolean;
  /** How often watches with allowWatchBookmarks get a BOOKMARK. */
  readonly bookmarkIntervalMs?: number;
  /** Events kept for watch resumption; older resourceVersions answer 410. */
  readonly historyLimit?: number;
  /** What /version reports. */
  readonly kubernetesVersion?: string;
  /** Called with controller failures (they never crash the server). */
  readonly onError?: (source: string, err: unknown) => void;
}

export const ADMIN_TOKEN = 'testkit-admin-token';
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceDescriptor;
const NODES = findResource('', 'v1', 'nodes') as ResourceDescriptor;
const PODS = findResource('', 'v1', 'pods') as ResourceDescriptor;

export class TestApiServer {
  readonly store: ObjectStore;
  readonly rest: Rest;
  readonly faults = new Faults();
  readonly requests = new RequestCounter();
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly ca: CertificateAuthority;
  readonly adminToken = ADMIN_TOKEN;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly stopControllers: (() => void)[] = [];
  private readonly options: TestApiServerOptions;
  private readonly context: HandlerContext;
  private listeningPort = 0;
  private running = false;

  private constructor(
    options: TestApiServerOptions,
    ca: CertificateAuthority,
    serving: IssuedCertificate,
    kubeletClient: IssuedCertificate,
    tokens: ServiceAccountTokenIssuer,
  ) {
    this.options = options;
    this.ca = ca;
    this.store = new ObjectStore({
      ...(options.historyLimit !== undefined ? { historyLimit: options.historyLimit } : {}),
    });
    const now = (): Date => new Date();
    this.rest = new Rest(this.store, strategiesFor(), now);
    this.authorizer = new Authorizer(
      options.defaultPolicy ?? 'allow-authenticated',
      options.rules ?? [],
    );
    const issuer = this.tokenIssuer(tokens);
    this.authenticator = new Authenticator(
      {
        tokens: {
          ...options.tokens,
          [ADMIN_TOKEN]: { username: 'testkit-admin', groups: ['system:masters'] },
        },
        anonymous: options.anonymous ?? false,
      },
      async token => (await issuer.verifyForReview(token, undefined))?.user,
      socket => userFromPeerCertificate(socket.getPeerCertificate(true)),
    );
    this.context = {
      store: this.store,
      rest: this.rest,
      faults: this.faults,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      kubeletClient: kubeletClient,
      now,
      authenticator: this.authenticator,
      authorizer: this.authorizer,
      tokens: issuer,
      apiAudiences: [API_AUDIENCE],
    };
    this.server = createServer({
      cert: serving.certPem,
      key: serving.keyPem,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.handle(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.handleUpgrade(req, socket, head);
    });
    this.server.on('secureConnection', (socket: TLSSocket) => {
      this.track(socket);
    });
    this.server.on('tlsClientError', () => undefined);
    this.server.on('clientError', (_err, socket: Duplex) => {
      socket.destroy();
    });
  }

  /** Creates the PKI, seeds the default namespaces, starts controllers and listens. */
  static async start(options: TestApiServerOptions = {}): Promise<TestApiServer> {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-testkit-ca' });
    const serving = await ca.issueServerCertificate({
      commonName: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
      ipAddresses: [
        '127.0.0.1',
        '::1',
        ...(options.host && /^[\d.:]+$/.test(options.host) ? [options.host] : []),
      ],
    });
    const kubeletClient = await ca.issueClientCertificate({
      user: 'kube-apiserver-kubelet-client',
      groups: ['system:masters'],
    });
    const tokens = await ServiceAccountTokenIssuer.create({
      issuer: API_AUDIENCE,
      apiAudiences: [API_AUDIENCE],
    });
    const server = new TestApiServer(options, ca, serving, kubeletClient, tokens);
    server.seed();
    server.startControllers();
    await server.listen(options.port ?? 0);
    return server;
  }

  get port(): number {
    return this.listeningPort;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `https://${host}:${this.listeningPort}`;
  }

  get caPem(): string {
    return this.ca.certPem;
  }

  /** A kubeconfig for this server; by default as the admin (token), or any token user. */
  kubeconfig(
    options: { token?: string; clientCertificate?: IssuedCertificate; contextName?: string } = {},
  ): string {
    const name = options.contextName ?? 'testkit';
    const user: Record<string, string> = options.clientCertificate
      ? {
          'client-certificate-data': Buffer.from(options.clientCertificate.certPem).toString(
            'base64',
          ),
          'client-key-data': Buffer.from(options.clientCertificate.keyPem).toString('base64'),
        }
      : { token: options.token ?? ADMIN_TOKEN };
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name,
          cluster: {
            server: this.url,
            'certificate-authority-data': Buffer.from(this.ca.certPem).toString('base64'),
          },
        },
      ],
      users: [{ name, user }],
      contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
      'current-context': name,
      preferences: {},
    });
  }

  /** A client certificate for `user` signed by the server's CA (client-certificate auth). */
  issueClientCertificate(user: string, groups: readonly string[] = []): Promise<IssuedCertificate> {
    return this.ca.issueClientCertificate({ user, groups });
  }

  /** A serving certificate signed by the server's CA (a kubelet's, for tests and demos). */
  issueServingCertificate(options: {
    commonName: string;
    dnsNames?: readonly string[];
    ipAddresses?: readonly string[];
  }): Promise<IssuedCertificate> {
    return this.ca.issueServerCertificate({
      commonName: options.commonName,
      dnsNames: [...(options.dnsNames ?? [])],
      ipAddresses: [...(options.ipAddresses ?? [])],
    });
  }

  /** Drops every connection and stops answering for `downtimeMs`, keeping all data. */
  async restart(options: { downtimeMs?: number } = {}): Promise<void> {
    await this.close();
    await new Promise(resolve => setTimeout(resolve, options.downtimeMs ?? 0));
    await this.listen(this.listeningPort);
  }

  async stop(): Promise<void> {
    for (const stop of this.stopControllers.splice(0)) stop();
    await this.close();
  }

  private async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const closed = new Promise<void>(resolve => {
      this.server.close(() => {
        resolve();
      });
    });
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(err);
      };
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address();
    this.listeningPort = typeof address === 'object' && address !== null ? address.port : port;
    this.running = true;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
    });
  }

  private seed(): void {
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.rest.create(NAMESPACES, undefined, { metadata: { name } });
    }
  }

  private startControllers(): void {
    const report = (source: string, err: unknown): void => this.options.onError?.(source, err);
    this.stopControllers.push(
      startNamespaceController(this.store, this.rest, this.ca.certPem, report),
      startGarbageCollector(this.store, this.rest, report),
      startCsrSigner(
        this.store,
        async r =>
          this.ca.signCertificateSigningRequest({
            requestPem: r.requestPem,
            signerName: r.signerName,
            usages: r.usages,
            expirationSeconds: r.expirationSeconds,
          }),
        report,
      ),
    );
    if (this.options.scheduler)
      this.stopControllers.push(startScheduler(this.store, this.rest, report));
  }

  /** The service-account token issuer, with bound objects checked against live state. */
  private tokenIssuer(tokens: ServiceAccountTokenIssuer): TokenIssuer {
    return {
      issue: async request => tokens.issue(request),
      verifyForReview: async (token, audiences) => {
        const result = await tokens.verify(token, audiences ? { audiences } : {});
        if (!result.authenticated) return undefined;
        const claims = result.claims;
        const sa = this.store.get(
          'serviceaccounts',
          claims.namespace,
          claims.serviceaccount.name ?? '',
        );
        if (!sa || sa.metadata.uid !== claims.serviceaccount.uid) return undefined;
        if (claims.pod) {
          const pod = this.store.get('pods', claims.namespace, claims.pod.name ?? '');
          if (!pod || pod.metadata.uid !== claims.pod.uid) return undefined;
        }
        return {
          user: { ...result.user, groups: [...result.user.groups] },
          audiences: [...result.audiences],
        };
      },
    };
  }

  private attributesOf(info: RequestInfo, req: IncomingMessage): RequestAttributes {
    const userAgent = req.headers['user-agent'] ?? '';
    return info.isResourceRequest
      ? {
          verb: info.verb,
          resource: info.descriptor.resource,
          subresource: info.subresource,
          namespace: info.namespace,
          name: info.name,
          userAgent,
        }
      : {
          verb: info.verb,
          resource: undefined,
          subresource: undefined,
          namespace: undefined,
          name: undefined,
          userAgent,
        };
  }

  private async admit(
    info: RequestInfo,
    req: IncomingMessage,
  ): Promise<{ user: UserInfo; attributes: RequestAttributes }> {
    const attributes = this.attributesOf(info, req);
    const latency = this.faults.takeLatency(attributes);
    if (latency > 0) await new Promise(resolve => setTimeout(resolve, latency));
    const user = await this.authenticator.authenticate(req);
    const authz = info.isResourceRequest
      ? {
          user,
          verb: info.verb,
          resourceRequest: true,
          group: info.group,
          resource: info.descriptor.resource,
          ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
          ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
          ...(info.name !== undefined ? { name: info.name } : {}),
        }
      : { user, verb: info.verb, resourceRequest: false, path: info.path };
    if (!this.authorizer.authorize(authz).allowed) throw forbiddenError(authz);
    const injected = this.faults.takeError(attributes);
    if (injected) {
      const err =
        injected.code === 429
          ? ApiError.tooManyRequests(injected.retryAfterSeconds ?? 1)
          : new ApiError(
              injected.code,
              reasonOf(injected.code),
              injected.message ?? `injected fault (${injected.code})`,
              injected.retryAfterSeconds !== undefined
                ? { retryAfterSeconds: injected.retryAfterSeconds }
                : undefined,
            );
      throw err;
    }
    return { user, attributes };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let info: RequestInfo | undefined;
    const userAgent = req.headers['user-agent'] ?? '';
    res.on('finish', () => {
      const resource = info?.isResourceRequest
        ? info.subresource
          ? `${info.descriptor.resource}/${info.subresource}`
          : info.descriptor.resource
        : (info?.path ?? req.url ?? '');
      this.requests.record(
        userAgent,
        info?.verb ?? (req.method ?? '').toLowerCase(),
        resource,
        res.statusCode,
      );
    });
    try {
      info = parseRequestInfo(req.method ?? 'GET', req.url ?? '/');
      const { user, attributes } = await this.admit(info, req);
      if (info.isResourceRequest) {
        await handleResource(this.context, info, user, attributes, req, res);
      } else {
        await this.handleNonResource(info, user, req, res);
      }
    } catch (err) {
      const apiError =
        err instanceof ApiError
          ? err
          : ApiError.internal(err instanceof Error ? err.message : String(err), err);
      if (!(err instanceof ApiError)) this.options.onError?.('request', err);
      sendError(res, apiError);
    }
  }

  private async handleNonResource(
    info: Exclude<RequestInfo, { isResourceRequest: true }>,
    user: UserInfo,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const path = info.path.replace(/\/+$/, '') || '/';
    if (path.startsWith('/testkit/')) {
      if (!user.groups.includes('system:masters'))
        throw ApiError.forbidden('the testkit control API is for system:masters');
      await handleControl(this, path, req, res, readObjectBody);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw ApiError.methodNotAllowed(`${req.method ?? ''} is not allowed on ${path}`);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const parts = path.split('/').filter(Boolean);
    let body: unknown;
    if (path === '/version') body = versionDocument(this.options.kubernetesVersion ?? 'v1.33.0');
    else if (path === '/api') body = coreVersions(`${this.host}:${this.listeningPort}`);
    else if (path === '/apis') body = groupList();
    else if (parts[0] === 'api' && parts.length === 2) body = resourceList('', parts[1] ?? '');
    else if (parts[0] === 'apis' && parts.length === 2) body = group(parts[1] ?? '');
    else if (parts[0] === 'apis' && parts.length === 3)
      body = resourceList(parts[1] ?? '', parts[2] ?? '');
    else if (parts[0] === 'openapi') {
      serveOpenApi(req, res, path, this.options.kubernetesVersion ?? 'v1.33.0');
      return;
    }
    if (body === undefined)
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    sendJson(res, 200, body);
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    let info: RequestInfo | undefined;
    try {
      info = parseRequestInfo(req.method ?? 'GET', req.url ?? '/');
      await this.admit(info, req);
      if (!info.isResourceRequest || info.name === undefined)
        throw ApiError.badRequest(
          'upgrade is only supported for pod exec, attach, portforward and node proxy',
        );
      let target: { host: string; port: number; path: string };
      if (
        info.descriptor.resource === 'pods' &&
        ['exec', 'attach', 'portforward'].includes(info.subresource ?? '')
      ) {
        const pod: KubeObject = this.rest.get(PODS, info.namespace, info.name);
        const path = podSubresourcePath(pod, info.subresource ?? '', info.query);
        const node = this.rest.get(
          NODES,
          undefined,
          String((pod.spec as { nodeName?: string }).nodeName),
        );
        target = { ...kubeletAddress(node), path };
      } else if (info.descriptor.resource === 'nodes' && info.subresource === 'proxy') {
        const node = this.rest.get(NODES, undefined, info.name);
        const search = info.query.toString();
        target = { ...kubeletAddress(node), path: `/${info.rest}${search ? `?${search}` : ''}` };
      } else {
        throw ApiError.badRequest(
          'upgrade is only supported for pod exec, attach, portforward and node proxy',
        );
      }
      this.requests.record(
        req.headers['user-agent'] ?? '',
        info.verb,
        `${info.descriptor.resource}/${info.subresource ?? ''}`,
        101,
      );
      proxyUpgrade(req, socket, head, target, this.context.kubeletClient);
    } catch (err) {
      const apiError = err instanceof ApiError ? err : ApiError.internal(String(err), err);
      writeSocketError(socket, apiError);
    }
  }
}

function reasonOf(code: number): ApiError['reason'] {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return 'InternalError';
  }
}
