/**
 * What the kubeconfig child process and the in-process (live credentials) path share: opening
 * and checking a kubeconfig with client-node's KubeConfig, and turning the request options it
 * fills in into headers and TLS settings. Only client-node's types are imported here, so loading
 * this module never loads client-node.
 */
import type { KubeConfig, User } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';
import { describeError, InvalidInputError, UnsupportedError } from '../errors/errors.ts';

export interface KubeconfigSource {
  /** A kubeconfig file; without it and without `inCluster`: $KUBECONFIG, ~/.kube/config, in-cluster. */
  readonly path?: string;
  /** A context other than the current one. */
  readonly context?: string;
  /** The pod's service account (token and CA under /var/run/secrets/kubernetes.io/serviceaccount). */
  readonly inCluster?: boolean;
}

/** How the credentials change over time. */
export type CredentialRefresh =
  /** Fixed: a token, basic auth or a client certificate. */
  | 'none'
  /** A token file (the in-cluster service-account token) that the kubelet rotates. */
  | { readonly tokenFile: string }
  /** Exec plugins and auth providers (OIDC, Azure, GCP) mint tokens over time. */
  | 'live';

/** Loads the source into `kc`, checks it, and returns the server and how credentials refresh. */
export function openKubeconfig(
  kc: KubeConfig,
  source: KubeconfigSource,
): { server: string; refresh: CredentialRefresh } {
  try {
    if (source.inCluster === true) kc.loadFromCluster();
    else if (source.path !== undefined) kc.loadFromFile(source.path);
    else kc.loadFromDefault();
  } catch (err) {
    // A missing file, broken YAML, a missing in-cluster token: the config is wrong, not flaky.
    const what = source.path ?? (source.inCluster === true ? 'in-cluster config' : 'kubeconfig');
    throw new InvalidInputError(`cannot load ${what}: ${describeError(err)}`, { cause: err });
  }
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
  return { server: cluster.server, refresh: refreshOf(kc.getCurrentUser()) };
}

function refreshOf(user: User | null): CredentialRefresh {
  // client-node leaves absent entries null or undefined.
  const exec: unknown = user?.exec;
  if (exec !== undefined && exec !== null) return 'live';
  const provider = user?.authProvider as { config?: { tokenFile?: unknown } } | null | undefined;
  if (provider === undefined || provider === null) return 'none';
  // client-node's own token-file provider (what loadFromCluster sets up) only re-reads a file.
  const tokenFile = provider.config?.tokenFile;
  return typeof tokenFile === 'string' ? { tokenFile } : 'live';
}

/** What the kubeconfig child process answers (kubeconfig-child.ts); TLS material in base64. */
export type ResolvedKubeconfig =
  | {
      readonly server: string;
      readonly refresh: Exclude<CredentialRefresh, 'live'>;
      readonly headers: Readonly<Record<string, string>>;
      readonly tls: {
        readonly ca?: string | undefined;
        readonly cert?: string | undefined;
        readonly key?: string | undefined;
        readonly servername?: string | undefined;
        readonly rejectUnauthorized?: boolean | undefined;
      };
    }
  | { readonly server: string; readonly refresh: 'live' };

/** The headers client-node put into request options. */
export function headersOf(options: RequestOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  // Basic auth lands in `auth`, not in a header.
  if (typeof options.auth === 'string') {
    out.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  }
  return out;
}

export interface TlsSettings {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** SNI and certificate name to expect (kubeconfig `tls-server-name`). */
  readonly servername?: string;
  /** false only for `insecure-skip-tls-verify`. @default true */
  readonly rejectUnauthorized?: boolean;
}

function bufferish(value: unknown): string | Buffer | undefined {
  return typeof value === 'string' || Buffer.isBuffer(value) ? value : undefined;
}

/** The TLS settings client-node put into request options. */
export function tlsOf(options: RequestOptions): TlsSettings {
  const ca = bufferish(options.ca);
  const cert = bufferish(options.cert);
  const key = bufferish(options.key);
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(options.servername !== undefined ? { servername: options.servername } : {}),
    ...(options.rejectUnauthorized !== undefined
      ? { rejectUnauthorized: options.rejectUnauthorized }
      : {}),
  };
}
