/**
 * Proxying to a node's kubelet, as kube-apiserver does for pods/log, pods/exec, pods/attach,
 * pods/portforward and nodes/proxy: resolve the node's address and kubelet port, open TLS with
 * the API server's kubelet client certificate, and relay the request. Upgrades (SPDY,
 * WebSocket) are relayed byte for byte in both directions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { ApiError } from '../api-error.ts';
import { isPlainObject, type KubeObject } from '../kube-object.ts';

type Obj = Record<string, unknown>;

export interface KubeletTarget {
  readonly host: string;
  readonly port: number;
  /** Path and query on the kubelet. */
  readonly path: string;
}

export interface KubeletClientCredentials {
  readonly certPem: string;
  readonly keyPem: string;
}

/** The preference kube-apiserver's --kubelet-preferred-address-types gives by default here. */
const ADDRESS_PREFERENCE = ['InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS', 'Hostname'];

export function kubeletAddress(node: KubeObject): { host: string; port: number } {
  const status = isPlainObject(node.status) ? node.status : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses.filter(isPlainObject) : [];
  const endpoints = isPlainObject(status.daemonEndpoints) ? status.daemonEndpoints : {};
  const kubelet = isPlainObject(endpoints.kubeletEndpoint) ? endpoints.kubeletEndpoint : {};
  const port = typeof kubelet.Port === 'number' && kubelet.Port > 0 ? kubelet.Port : 10250;
  for (const type of ADDRESS_PREFERENCE) {
    const found = addresses.find(
      a => a.type === type && typeof a.address === 'string' && a.address !== '',
    );
    if (found) return { host: found.address as string, port };
  }
  throw ApiError.badRequest(`no preferred addresses found; known addresses: []`);
}

/** The kubelet path for a pod subresource, with the container defaulted as the apiserver does. */
export function podSubresourcePath(
  pod: KubeObject,
  subresource: string,
  query: URLSearchParams,
): string {
  const name = pod.metadata.name ?? '';
  const namespace = pod.metadata.namespace ?? '';
  const spec: Obj = isPlainObject(pod.spec) ? pod.spec : {};
  if (typeof spec.nodeName !== 'string' || spec.nodeName === '') {
    throw ApiError.badRequest(`pod ${name} does not have a host assigned`);
  }
  const params = new URLSearchParams(query);
  if (subresource === 'portforward') {
    return `/portForward/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}${qs(params)}`;
  }
  const container = resolveContainer(pod, params.get('container'));
  params.delete('container');
  const base = subresource === 'log' ? 'containerLogs' : subresource;
  return `/${base}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${qs(params)}`;
}

function qs(params: URLSearchParams): string {
  const text = params.toString();
  return text ? `?${text}` : '';
}

function names(list: unknown): string[] {
  return Array.isArray(list) ? list.filter(isPlainObject).map(c => String(c.name)) : [];
}

function resolveContainer(pod: KubeObject, requested: string | null): string {
  const spec: Obj = isPlainObject(pod.spec) ? pod.spec : {};
  const containers = names(spec.containers);
  const all = [...containers, ...names(spec.initContainers), ...names(spec.ephemeralContainers)];
  const podName = pod.metadata.name ?? '';
  if (requested !== null && requested !== '') {
    if (!all.includes(requested)) {
      throw ApiError.badRequest(`container ${requested} is not valid for pod ${podName}`);
    }
    return requested;
  }
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated !== undefined && all.includes(annotated)) return annotated;
  if (containers.length === 1) return containers[0] as string;
  throw ApiError.badRequest(
    `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`,
  );
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'host',
  'authorization',
]);

/** Relays a plain HTTP request (logs, stats, metrics) and streams the answer back. */
export function proxyHttp(
  req: IncomingMessage,
  res: ServerResponse,
  target: KubeletTarget,
  credentials: KubeletClientCredentials,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(key)) headers[key] = value;
  }
  const upstream = httpsRequest({
    host: target.host,
    port: target.port,
    method: req.method,
    path: target.path,
    headers,
    cert: credentials.certPem,
    key: credentials.keyPem,
    rejectUnauthorized: false,
  });
  upstream.on('response', answer => {
    const out: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(key)) out[key] = value;
    }
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
    res.on('close', () => answer.destroy());
  });
  upstream.on('error', err => {
    if (!res.headersSent) {
      const e = new ApiError(502, 'InternalError', `error trying to reach service: ${err.message}`);
      res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(e.toStatus()));
    } else {
      res.destroy(err);
    }
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

/** Relays an upgrade request (SPDY or WebSocket) and then the raw bytes both ways. */
export function proxyUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  target: KubeletTarget,
  credentials: KubeletClientCredentials,
): void {
  const upstream = tlsConnect({
    host: target.host,
    port: target.port,
    cert: credentials.certPem,
    key: credentials.keyPem,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  });
  const lines = [
    `${req.method ?? 'GET'} ${target.path} HTTP/1.1`,
    `Host: ${target.host}:${target.port}`,
  ];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const key = req.rawHeaders[i] as string;
    const lower = key.toLowerCase();
    if (lower === 'host' || lower === 'authorization') continue;
    if (lower === 'sec-websocket-protocol') {
      // The bearer-token subprotocol authenticated us; the kubelet must not see it.
      const kept = (req.rawHeaders[i + 1] as string)
        .split(',')
        .map(p => p.trim())
        .filter(p => !p.startsWith('base64url.bearer.authorization.k8s.io.'));
      if (kept.length > 0) lines.push(`${key}: ${kept.join(', ')}`);
      continue;
    }
    lines.push(`${key}: ${req.rawHeaders[i + 1] as string}`);
  }
  upstream.once('secureConnect', () => {
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  const fail = (err: Error): void => {
    if (!client.destroyed && client.writable && upstream.bytesRead === 0) {
      const e = new ApiError(502, 'InternalError', `error dialing backend: ${err.message}`);
      const body = JSON.stringify(e.toStatus());
      client.end(
        `HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    } else {
      client.destroy();
    }
  };
  upstream.on('error', fail);
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}
