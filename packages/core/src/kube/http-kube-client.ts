/**
 * `KubeClient` over node:http(s): JSON in and out, a token bucket per lane, a keep-alive agent
 * per lane, credentials asked for per request, and every answer that is not 2xx turned into a
 * `KubeApiError` of the right taxonomy kind.
 */
import { IllegalStateError, InvalidInputError } from '../errors/errors.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { errorFromStatus, KubeApiError, statusFromBody } from './api-errors.ts';
import { systemNow, systemSleep, type Now, type Sleep } from './clock.ts';
import { loadKubeconfig, type Credentials, type KubeconfigSource } from './credentials.ts';
import { HttpTransport, type HttpResponse } from './http-transport.ts';
import type {
  CallOptions,
  DeleteOptions,
  GetOptions,
  HttpMethod,
  KubeClient,
  LaneOptions,
  ListOptions,
  PatchOptions,
  PatchType,
  RawRequestOptions,
  RequestInfo,
  WatchOptions,
  WriteOptions,
} from './kube-client.ts';
import {
  parseResourcePath,
  queryString,
  resourceLabel,
  resourcePath,
  type ResourceRef,
} from './resource-ref.ts';
import { TokenBucket, type RateLimit } from './token-bucket.ts';
import type { KubeList, KubeObject, KubeStatus } from './types.ts';
import { decodeWatch, type WatchStream } from './watch-stream.ts';

export interface KubeClientOptions extends RateLimit {
  /** `https://host:port`, optionally with a path prefix. */
  readonly server: string;
  readonly credentials: Credentials;
  /** Sent on every request; the API server's audit log and our tests key on it. @default vkubelet */
  readonly userAgent?: string;
  /** Per request (for a watch: until it opens). @default 30000 */
  readonly timeoutMs?: number;
  /** Called once per finished request; exceptions are logged and ignored. */
  readonly onRequest?: (info: RequestInfo) => void;
  readonly logger?: Logger;
  /** Clock of the rate limiters and of the durations reported. */
  readonly now?: Now;
  readonly sleep?: Sleep;
}

export type KubeconfigClientOptions = KubeconfigSource &
  Omit<KubeClientOptions, 'server' | 'credentials'>;

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

const VERB_OF_METHOD: Record<HttpMethod, string> = {
  GET: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** What every lane of one client shares. */
interface Shared {
  readonly server: string;
  readonly credentials: Credentials;
  readonly timeoutMs: number;
  readonly onRequest: ((info: RequestInfo) => void) | undefined;
  readonly logger: Logger;
  readonly now: Now;
  readonly sleep: Sleep;
}

interface Exchange {
  readonly verb: string;
  readonly resource: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
}

function needsName(ref: ResourceRef, verb: string): void {
  if (!ref.name) throw new InvalidInputError(`${verb} ${ref.resource} needs a name`);
}

function collectionOnly(ref: ResourceRef, verb: string): void {
  if (ref.name !== undefined) {
    throw new InvalidInputError(`${verb} ${ref.resource} addresses a collection, not ${ref.name}`);
  }
}

export class HttpKubeClient implements KubeClient {
  readonly laneName: string;
  readonly limiter: TokenBucket;
  private readonly shared: Shared;
  private readonly transport: HttpTransport;
  private readonly userAgent: string;
  private readonly lanes: HttpKubeClient[] = [];
  private closed = false;

  private constructor(
    shared: Shared,
    laneName: string,
    limits: RateLimit,
    userAgent: string,
    tls: Credentials['tls'],
  ) {
    this.shared = shared;
    this.laneName = laneName;
    this.limiter = new TokenBucket({ ...limits, now: shared.now, sleep: shared.sleep });
    this.transport = new HttpTransport(shared.server, tls);
    this.userAgent = userAgent;
  }

  /** A client for `server` with `credentials`; makes no connection until the first call. */
  static create(options: KubeClientOptions): HttpKubeClient {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!(timeoutMs > 0))
      throw new InvalidInputError(`timeoutMs must be positive, got ${timeoutMs}`);
    const shared: Shared = {
      server: options.server,
      credentials: options.credentials,
      timeoutMs,
      onRequest: options.onRequest,
      logger: (options.logger ?? silentLogger).child({ component: 'kube-client' }),
      now: options.now ?? systemNow,
      sleep: options.sleep ?? systemSleep,
    };
    const limits = {
      ...(options.qps !== undefined ? { qps: options.qps } : {}),
      ...(options.burst !== undefined ? { burst: options.burst } : {}),
    };
    return new HttpKubeClient(
      shared,
      'default',
      limits,
      options.userAgent ?? 'vkubelet',
      options.credentials.tls,
    );
  }

  /** Loads a kubeconfig (or the in-cluster config) and creates a client from it. */
  static async fromKubeconfig(options: KubeconfigClientOptions): Promise<HttpKubeClient> {
    const { server, credentials } = await loadKubeconfig(options, options.now);
    return HttpKubeClient.create({ ...options, server, credentials });
  }

  lane(name: string, options: LaneOptions = {}): HttpKubeClient {
    this.assertOpen();
    const lane = new HttpKubeClient(
      this.shared,
      name,
      options,
      options.userAgent ?? this.userAgent,
      this.shared.credentials.tls,
    );
    this.lanes.push(lane);
    return lane;
  }

  close(): void {
    this.closed = true;
    for (const lane of this.lanes.splice(0)) lane.close();
    this.transport.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new IllegalStateError(`kube client lane ${this.laneName} is closed`);
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, options: GetOptions): Promise<T> {
    return this.call<T>(options, () => {
      needsName(ref, 'get');
      return {
        verb: 'get',
        resource: resourceLabel(ref),
        method: 'GET',
        path: resourcePath(ref) + queryString({ resourceVersion: options.resourceVersion }),
      };
    });
  }

  list<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: ListOptions,
  ): Promise<KubeList<T>> {
    return this.call<KubeList<T>>(options, () => {
      collectionOnly(ref, 'list');
      const query = queryString({
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: options.continue,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
      });
      return {
        verb: 'list',
        resource: resourceLabel(ref),
        method: 'GET',
        path: resourcePath(ref) + query,
      };
    });
  }

  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: unknown,
    options: WriteOptions,
  ): Promise<T> {
    return this.call<T>(options, () => {
      if (ref.subresource === undefined) collectionOnly(ref, 'create');
      return {
        verb: 'create',
        resource: resourceLabel(ref),
        method: 'POST',
        path: resourcePath(ref) + writeQuery(options),
        body: JSON.stringify(body),
      };
    });
  }

  update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: unknown,
    options: WriteOptions,
  ): Promise<T> {
    return this.call<T>(options, () => {
      needsName(ref, 'update');
      return {
        verb: 'update',
        resource: resourceLabel(ref),
        method: 'PUT',
        path: resourcePath(ref) + writeQuery(options),
        body: JSON.stringify(body),
      };
    });
  }

  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    type: PatchType,
    patch: unknown,
    options: PatchOptions,
  ): Promise<T> {
    return this.call<T>(options, () => {
      needsName(ref, 'patch');
      if (type === 'apply' && !options.fieldManager) {
        throw new InvalidInputError('a server-side apply patch needs a fieldManager');
      }
      return {
        verb: 'patch',
        resource: resourceLabel(ref),
        method: 'PATCH',
        path:
          resourcePath(ref) +
          writeQuery(options, options.force === undefined ? {} : { force: options.force }),
        // JSON is YAML, so an apply patch goes as JSON too.
        body: JSON.stringify(patch),
        contentType: PATCH_CONTENT_TYPES[type],
      };
    });
  }

  delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: DeleteOptions,
  ): Promise<T | KubeStatus> {
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(options.gracePeriodSeconds !== undefined
        ? { gracePeriodSeconds: options.gracePeriodSeconds }
        : {}),
      ...(options.preconditions !== undefined ? { preconditions: options.preconditions } : {}),
      ...(options.propagationPolicy !== undefined
        ? { propagationPolicy: options.propagationPolicy }
        : {}),
      ...(options.dryRun === true ? { dryRun: ['All'] } : {}),
    };
    return this.call<T | KubeStatus>(options, () => {
      needsName(ref, 'delete');
      return {
        verb: 'delete',
        resource: resourceLabel(ref),
        method: 'DELETE',
        path: resourcePath(ref),
        body: JSON.stringify(body),
      };
    });
  }

  async watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: WatchOptions,
  ): Promise<WatchStream<T>> {
    // One object is watched as its collection filtered by name, as kubectl does.
    const fieldSelector =
      ref.name === undefined
        ? options.fieldSelector
        : [`metadata.name=${ref.name}`, options.fieldSelector].filter(Boolean).join(',');
    const collection: ResourceRef = { ...ref, name: undefined, subresource: undefined };
    const path =
      resourcePath(collection) +
      queryString({
        watch: true,
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: options.allowWatchBookmarks,
        timeoutSeconds: options.timeoutSeconds,
        labelSelector: options.labelSelector,
        fieldSelector,
      });
    const exchange: Exchange = {
      verb: 'watch',
      resource: resourceLabel(collection),
      method: 'GET',
      path,
    };
    this.assertOpen();
    // A watch counts as one request, when it opens.
    const waitMs = await this.limiter.acquire(options.signal);
    const started = this.shared.now();
    let code = 0;
    try {
      const res = await this.transport.open({
        method: 'GET',
        path,
        headers: await this.headers(options.signal, undefined),
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? this.shared.timeoutMs,
      });
      code = res.statusCode ?? 0;
      if (code === 200) return decodeWatch<T>(res, options.signal);
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw this.failure(exchange, {
        statusCode: code,
        headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
    } finally {
      this.report(exchange, code, started, waitMs);
    }
  }

  request<T = unknown>(options: RawRequestOptions): Promise<T> {
    return this.call<T>(options, () => {
      const ref = typeof options.path === 'string' ? parseResourcePath(options.path) : options.path;
      const base = typeof options.path === 'string' ? options.path : resourcePath(options.path);
      if (!base.startsWith('/')) throw new InvalidInputError(`not an absolute path: ${base}`);
      const query = options.query ? queryString(options.query) : '';
      const verb =
        options.method === 'GET' && ref !== undefined && ref.name === undefined
          ? 'list'
          : VERB_OF_METHOD[options.method];
      const body =
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body);
      return {
        verb,
        resource: ref ? resourceLabel(ref) : (base.split('?')[0] ?? base),
        method: options.method,
        path: base.includes('?') && query !== '' ? `${base}&${query.slice(1)}` : base + query,
        ...(body !== undefined ? { body } : {}),
        ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
      };
    });
  }

  /** Builds the exchange (so bad refs reject, not throw), waits for a token, sends. */
  private async call<T>(options: CallOptions, build: () => Exchange): Promise<T> {
    this.assertOpen();
    const exchange = build();
    const waitMs = await this.limiter.acquire(options.signal);
    const started = this.shared.now();
    let code = 0;
    try {
      const response = await this.transport.send({
        method: exchange.method,
        path: exchange.path,
        headers: await this.headers(
          options.signal,
          exchange.body === undefined ? undefined : (exchange.contentType ?? 'application/json'),
        ),
        ...(exchange.body !== undefined ? { body: exchange.body } : {}),
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? this.shared.timeoutMs,
      });
      code = response.statusCode;
      if (code < 200 || code >= 300) throw this.failure(exchange, response);
      if (response.body === '' || options.ignoreResponse === true) return undefined as T;
      try {
        return JSON.parse(response.body) as T;
      } catch (err) {
        throw new KubeApiError('Transient', `${exchange.method} ${exchange.path}: bad JSON`, {
          method: exchange.method,
          path: exchange.path,
          code,
          cause: err,
        });
      }
    } finally {
      this.report(exchange, code, started, waitMs);
    }
  }

  private async headers(
    signal: AbortSignal,
    contentType: string | undefined,
  ): Promise<Record<string, string>> {
    const auth = await this.shared.credentials.headers(signal);
    return {
      ...auth,
      Accept: 'application/json',
      'User-Agent': this.userAgent,
      ...(contentType !== undefined ? { 'Content-Type': contentType } : {}),
    };
  }

  private failure(exchange: Exchange, response: HttpResponse): KubeApiError {
    if (response.statusCode === 401) this.shared.credentials.invalidate();
    return errorFromStatus(statusFromBody(response.statusCode, response.body), {
      method: exchange.method,
      path: exchange.path,
      headers: response.headers,
    });
  }

  private report(exchange: Exchange, code: number, started: number, waitMs: number): void {
    const hook = this.shared.onRequest;
    if (!hook) return;
    try {
      hook({
        lane: this.laneName,
        verb: exchange.verb,
        resource: exchange.resource,
        code,
        durationMs: this.shared.now() - started,
        waitMs,
      });
    } catch (err) {
      this.shared.logger.warn({ err }, 'onRequest hook threw');
    }
  }
}

function writeQuery(options: WriteOptions, extra: Record<string, string | boolean> = {}): string {
  return queryString({
    dryRun: options.dryRun === true ? 'All' : undefined,
    fieldManager: options.fieldManager,
    ...extra,
  });
}
