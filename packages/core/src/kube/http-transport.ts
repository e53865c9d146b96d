/**
 * One HTTP(S) exchange with the API server over a keep-alive agent: the deadline, the caller's
 * abort, and network failures all end in one of three ways (the caller's abort reason, a
 * Transient timeout, a Transient network error). Knows nothing about Kubernetes.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { TransientError } from '../errors/errors.ts';
import { errorFromNetwork } from './api-errors.ts';
import { signalWithDeadline, type DeadlineSignal } from '../util/abort.ts';
import type { TlsSettings } from './credentials.ts';

export interface HttpRequest {
  readonly method: string;
  /** Path and query below the server URL (its path prefix is added here). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
  /** For `send`: the whole exchange; for `open`: until the response headers arrive. */
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A deadline combined with the caller's signal, and the error each way of ending maps to. */
class Deadline {
  private readonly caller: AbortSignal;
  private readonly timeoutMs: number;
  private readonly bounded: DeadlineSignal;

  constructor(caller: AbortSignal, timeoutMs: number) {
    this.caller = caller;
    this.timeoutMs = timeoutMs;
    this.bounded = signalWithDeadline(caller, timeoutMs);
  }

  get signal(): AbortSignal {
    return this.bounded.signal;
  }

  clear(): void {
    this.bounded.dispose();
  }

  translate(err: unknown, method: string, path: string): unknown {
    if (this.caller.aborted) return this.caller.reason;
    if (this.bounded.timedOut()) {
      return errorFromNetwork(new TransientError(`no answer within ${this.timeoutMs} ms`), {
        method,
        path,
      });
    }
    return errorFromNetwork(err, { method, path });
  }
}

export class HttpTransport {
  readonly baseUrl: URL;
  private readonly agent: http.Agent;
  private readonly module: typeof http | typeof https;
  private readonly prefix: string;

  /** Creates the agent; no connection is made until the first request. */
  constructor(server: string, tls: TlsSettings) {
    this.baseUrl = new URL(server);
    this.prefix = this.baseUrl.pathname.replace(/\/+$/, '');
    if (this.baseUrl.protocol === 'https:') {
      this.module = https;
      this.agent = new https.Agent({ keepAlive: true, ...tls });
    } else {
      this.module = http;
      this.agent = new http.Agent({ keepAlive: true });
    }
  }

  /** The whole exchange, body read into a string. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const deadline = new Deadline(request.signal, request.timeoutMs);
    try {
      const res = await this.dispatch(request, deadline.signal);
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      if (deadline.signal.aborted || !res.complete) throw new Error('response ended early');
      return {
        statusCode: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
    } catch (err) {
      throw deadline.translate(err, request.method, request.path);
    } finally {
      deadline.clear();
    }
  }

  /**
   * The response as a stream once its headers arrive. The deadline then stops; the caller's
   * signal still ends the stream (the caller reads and destroys it).
   */
  async open(request: HttpRequest): Promise<IncomingMessage> {
    const deadline = new Deadline(request.signal, request.timeoutMs);
    try {
      return await this.dispatch(request, deadline.signal);
    } catch (err) {
      throw deadline.translate(err, request.method, request.path);
    } finally {
      deadline.clear();
    }
  }

  /** Closes every connection of this transport, in-flight requests and open watches included. */
  close(): void {
    this.agent.destroy();
  }

  private dispatch(request: HttpRequest, signal: AbortSignal): Promise<IncomingMessage> {
    const url = this.baseUrl;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
      const req = this.module.request(
        {
          protocol: url.protocol,
          // URL keeps IPv6 brackets; the socket layer wants the bare address.
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: url.port === '' ? undefined : Number(url.port),
          path: `${this.prefix}${request.path}`,
          method: request.method,
          headers,
          agent: this.agent,
          signal,
        },
        resolve,
      );
      req.on('error', reject);
      req.end(request.body);
    });
  }
}
