/**
 * How the client proves who it is. TLS material is fixed per client (it goes into the keep-alive
 * agents); request headers are asked for on every request, so a rotating service-account token
 * or an exec plugin's short-lived token is picked up without restarting anything.
 *
 * `@kubernetes/client-node`'s KubeConfig does the loading (kubeconfig, in-cluster, exec plugins,
 * auth providers, token files); nothing else of client-node is used. Its modules cost ~80 MB of
 * resident memory, most of a virtual kubelet's idle footprint, so it runs in a short-lived child
 * process (kubeconfig-child.ts, util/child-script.ts). Only credentials that client-node must
 * keep minting (exec plugins, auth providers) load it into this process.
 */
import { readFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { runChildScript, siblingScript } from '../util/child-script.ts';
import { systemNow, type Now } from './clock.ts';
import {
  headersOf,
  openKubeconfig,
  tlsOf,
  type KubeconfigSource,
  type ResolvedKubeconfig,
  type TlsSettings,
} from './kubeconfig-load.ts';

export type { KubeconfigSource, TlsSettings } from './kubeconfig-load.ts';

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

export interface LoadedKubeconfig {
  /** `https://host:port`, possibly with a path prefix (Rancher-style proxies). */
  readonly server: string;
  readonly credentials: Credentials;
}

/** How long live headers are reused before asking client-node again. */
const LIVE_HEADERS_MS = 5_000;
/** How long a token file's token is reused before the file is read again (client-node's period). */
const TOKEN_FILE_MS = 60_000;

/**
 * Headers cached for `ttlMs` and then fetched again, one fetch at a time (an exec plugin should
 * not run once per concurrent request); `invalidate` forces the next fetch.
 */
function refreshingCredentials(
  tls: TlsSettings,
  first: Record<string, string>,
  fetch: () => Promise<Record<string, string>>,
  ttlMs: number,
  now: Now,
): Credentials {
  let cached: { headers: Record<string, string>; at: number } | undefined = {
    headers: first,
    at: now(),
  };
  let pending: Promise<Record<string, string>> | undefined;
  return {
    tls,
    headers: async signal => {
      signal.throwIfAborted();
      if (cached && now() - cached.at < ttlMs) return cached.headers;
      pending ??= fetch()
        .then(headers => {
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
}

function fromBase64(value: string | undefined): Buffer | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}

/** The credentials client-node keeps minting, with client-node loaded in this process. */
async function liveKubeconfig(source: KubeconfigSource, now: Now): Promise<LoadedKubeconfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const { server } = openKubeconfig(kc, source);
  const resolve = async (): Promise<RequestOptions> => {
    const options: RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(options);
    return options;
  };
  const first = await resolve();
  const fetch = async (): Promise<Record<string, string>> => headersOf(await resolve());
  return {
    server,
    credentials: refreshingCredentials(tlsOf(first), headersOf(first), fetch, LIVE_HEADERS_MS, now),
  };
}

/** Reads the kubeconfig (or in-cluster config) once; the returned credentials stay live. */
export async function loadKubeconfig(
  source: KubeconfigSource,
  now: Now = systemNow,
): Promise<LoadedKubeconfig> {
  const answer = (await runChildScript(siblingScript(import.meta.url, 'kubeconfig-child'), source, {
    what: 'kubeconfig',
  })) as ResolvedKubeconfig;
  if (answer.refresh === 'live') return liveKubeconfig(source, now);
  const { ca, cert, key, servername, rejectUnauthorized } = answer.tls;
  const tls: TlsSettings = {
    ...(ca !== undefined ? { ca: fromBase64(ca) } : {}),
    ...(cert !== undefined ? { cert: fromBase64(cert) } : {}),
    ...(key !== undefined ? { key: fromBase64(key) } : {}),
    ...(servername !== undefined ? { servername } : {}),
    ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}),
  };
  const headers = answer.headers;
  const refresh = answer.refresh;
  if (refresh === 'none')
    return { server: answer.server, credentials: staticCredentials({ tls, headers }) };
  // The kubelet rotates the projected token file; read it again as client-node would.
  let last = { ...headers };
  const reread = async (): Promise<Record<string, string>> => {
    try {
      const token = (await readFile(refresh.tokenFile, 'utf8')).trim();
      last = { ...headers, Authorization: `Bearer ${token}` };
    } catch {
      // Mid-rotation or briefly unreadable: the last token is still the best guess.
    }
    return last;
  };
  // Read here too: client-node keeps a trailing newline, which is no valid header value.
  const first = await reread();
  return {
    server: answer.server,
    credentials: refreshingCredentials(tls, first, reread, TOKEN_FILE_MS, now),
  };
}
