/** A tiny HTTPS client for the kubelet API tests. */
import { once } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import { TLSSocket, type PeerCertificate } from 'node:tls';

export interface CallOptions {
  readonly method?: string;
  readonly token?: string;
  readonly cert?: { readonly certPem: string; readonly keyPem: string };
  readonly headers?: Record<string, string>;
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly peer: PeerCertificate;
}

export function requestOptions(
  port: number,
  caPem: string,
  path: string,
  options: CallOptions = {},
): RequestOptions {
  return {
    host: '127.0.0.1',
    port,
    path,
    method: options.method ?? 'GET',
    ca: caPem,
    agent: false,
    ...(options.cert ? { cert: options.cert.certPem, key: options.cert.keyPem } : {}),
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
  };
}

export async function call(
  port: number,
  caPem: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const req = request(requestOptions(port, caPem, path, options));
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const socket = res.socket;
  if (!(socket instanceof TLSSocket)) throw new Error('not a TLS connection');
  const peer = socket.getPeerCertificate();
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: Buffer.concat(chunks).toString('utf8'),
    peer,
  };
}

/** Polls `check` until it is true (or fails the test after `timeoutMs`). */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}
