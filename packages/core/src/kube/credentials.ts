/**
 * How the client proves who it is. TLS material is fixed per client (it goes into the keep-alive
 * agents); request headers are asked for on every request, so a rotating service-account token
 * or an exec plugin's short-lived token is picked up without restarting anything.
 *
 * `@kubernetes/client-node`'s KubeConfig does the loading (kubeconfig, in-cluster, exec plugins,
 * token files); nothing else of client-node is used.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';
import { InvalidInputError, UnsupportedError } from '../errors/errors.ts';
import { systemNow, type Now } from './clock.ts';

export interface TlsSettings {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** SNI and certificate name to expect (kubeconfig `tls-server-name`). */
  readonly servername?: string;
  /** false only for `insecure-skip-tls-verify`. @default true */
  readonly rejectUnauthorized?: boolean;
}

export interface Credentials {
  readonly tls: TlsSettings;
  /** Headers to send (Authorization, Impersonate-User...). */
  headers(signal: AbortSignal): Promise<Readonly<Record<string, string>>>;
  /** The server answered 401: forget cached headers so the next request fetches fresh ones. */
  invalidate(): void;
}

/** Fixed credentials: a bearer token and/or a client certificate. */
export function staticCredentials(options: {
  tls?: TlsSettings;
  token?: string;
  headers?: Readonly<Record<string, string>>;
}): Credentials {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  return {
    tls: options.tls ?? {},
    headers: () => Promise.resolve(headers),
    invalidate: () => undefined,
  };
}

export interface KubeconfigSource {
  /** A kubeconfig file; without it and without `inCluster`: $KUBECONFIG, ~/.kube/config, in-cluster. */
  readonly path?: string;
  /** A context other than the current one. */
  readonly context?: string;
  /** The pod's service account (token and CA under /var/run/secrets/kubernetes.io/serviceaccount). */
  readonly inCluster?: boolean;
}

export interface LoadedKubeconfig {
  /** `https://host:port`, possibly with a path prefix (Rancher-style proxies). */
  readonly server: string;
  readonly credentials: Credentials;
}

/** How long resolved headers are reused before asking the KubeConfig again. */
const HEADER_CACHE_MS = 5_000;

function bufferish(value: unknown): string | Buffer | undefined {
  return typeof value === 'string' || Buffer.isBuffer(value) ? value : undefined;
}

/** Reads the kubeconfig (or in-cluster config) once; the returned credentials stay live. */
export async function loadKubeconfig(
  source: KubeconfigSource,
  now: Now = systemNow,
): Promise<LoadedKubeconfig> {
  const kc = new KubeConfig();
  if (source.inCluster === true) kc.loadFromCluster();
  else if (source.path !== undefined) kc.loadFromFile(source.path);
  else kc.loadFromDefault();
  if (source.context !== undefined) {
    if (!kc.getContexts().some(c => c.name === source.context)) {
      throw new InvalidInputError(`kubeconfig has no context ${source.context}`);
    }
    kc.setCurrentContext(source.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InvalidInputError('kubeconfig names no cluster for its current context');
  if (!/^https?:\/\//.test(cluster.server)) {
    throw new InvalidInputError(`kubeconfig server is not an http(s) URL: ${cluster.server}`);
  }
  if (cluster.proxyUrl) {
    throw new UnsupportedError(`kubeconfig proxy-url is not supported (${cluster.proxyUrl})`);
  }

  const resolve = async (): Promise<RequestOptions> => {
    const options: RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(options);
    return options;
  };
  const first = await resolve();
  const tls: TlsSettings = {
    ...(bufferish(first.ca) !== undefined ? { ca: bufferish(first.ca) } : {}),
    ...(bufferish(first.cert) !== undefined ? { cert: bufferish(first.cert) } : {}),
    ...(bufferish(first.key) !== undefined ? { key: bufferish(first.key) } : {}),
    ...(first.servername !== undefined ? { servername: first.servername } : {}),
    ...(first.rejectUnauthorized !== undefined
      ? { rejectUnauthorized: first.rejectUnauthorized }
      : {}),
  };

  const headersOf = (options: RequestOptions): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    // Basic auth lands in `auth`, not in a header.
    if (typeof options.auth === 'string') {
      out.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    }
    return out;
  };

  let cached: { headers: Record<string, string>; at: number } | undefined = {
    headers: headersOf(first),
    at: now(),
  };
  let pending: Promise<Record<string, string>> | undefined;
  const credentials: Credentials = {
    tls,
    headers: async signal => {
      signal.throwIfAborted();
      if (cached && now() - cached.at < HEADER_CACHE_MS) return cached.headers;
      // One refresh at a time: an exec plugin should not run once per concurrent request.
      pending ??= resolve()
        .then(options => {
          const headers = headersOf(options);
          cached = { headers, at: now() };
          return headers;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
    invalidate: () => {
      cached = undefined;
    },
  };
  return { server: cluster.server, credentials };
}
