/** A tiny HTTPS client for tests that need to see the raw wire: status codes, headers, bodies, watch lines. */
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly text: string;
  readonly body: unknown;
}

export interface RawClientOptions {
  readonly url: string;
  readonly caPem: string;
  readonly token?: string | undefined;
  readonly cert?: { certPem: string; keyPem: string };
}

export class RawClient {
  readonly options: RawClientOptions;

  constructor(options: RawClientOptions) {
    this.options = options;
  }

  withToken(token: string | undefined): RawClient {
    return new RawClient({ ...this.options, token });
  }

  private requestOptions(method: string, headers: Record<string, string>): RequestOptions {
    return {
      method,
      ca: this.options.caPem,
      ...(this.options.cert
        ? { cert: this.options.cert.certPem, key: this.options.cert.keyPem }
        : {}),
      headers: {
        ...(this.options.token !== undefined
          ? { Authorization: `Bearer ${this.options.token}` }
          : {}),
        ...headers,
      },
    };
  }

  send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    const payload =
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const allHeaders = {
      ...(payload !== undefined
        ? {
            'Content-Type': 'application/json',
            'Content-Length': String(Buffer.byteLength(payload)),
          }
        : {}),
      ...headers,
    };
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.options.url),
        this.requestOptions(method, allHeaders),
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text) as unknown;
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  get(path: string, headers?: Record<string, string>): Promise<RawResponse> {
    return this.send('GET', path, undefined, headers);
  }

  post(path: string, body: unknown, headers?: Record<string, string>): Promise<RawResponse> {
    return this.send('POST', path, body, headers);
  }

  put(path: string, body: unknown): Promise<RawResponse> {
    return this.send('PUT', path, body);
  }

  patch(path: string, body: unknown, type: string): Promise<RawResponse> {
    return this.send('PATCH', path, body, { 'Content-Type': type });
  }

  delete(path: string, body?: unknown): Promise<RawResponse> {
    return this.send('DELETE', path, body);
  }

  /** Opens a watch and collects its events; `close()` ends it, `ended` resolves when the server ends it. */
  watch(path: string): WatchStream {
    return new WatchStream(this, path);
  }

  openStream(
    path: string,
    onResponse: (res: IncomingMessage) => void,
    onError: (err: Error) => void,
  ): () => void {
    const req = request(
      new URL(path, this.options.url),
      this.requestOptions('GET', {}),
      onResponse,
    );
    req.on('error', onError);
    req.end();
    return () => req.destroy();
  }
}

export interface WatchEvent {
  readonly type: string;
  readonly object: {
    kind?: string;
    metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
    [k: string]: unknown;
  };
}

export class WatchStream {
  readonly events: WatchEvent[] = [];
  status = 0;
  readonly ended: Promise<'end' | 'error'>;
  private readonly cancel: () => void;
  private waiters: (() => void)[] = [];

  constructor(client: RawClient, path: string) {
    let finish: (how: 'end' | 'error') => void = () => undefined;
    this.ended = new Promise(resolve => (finish = resolve));
    this.cancel = client.openStream(
      path,
      res => {
        this.status = res.statusCode ?? 0;
        let buffer = '';
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          let newline;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.trim() !== '') this.events.push(JSON.parse(line) as WatchEvent);
          }
          this.notify();
        });
        res.on('end', () => {
          finish('end');
          this.notify();
        });
        res.on('error', () => {
          finish('error');
        });
        res.on('aborted', () => {
          finish('error');
        });
      },
      () => {
        finish('error');
        this.notify();
      },
    );
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once `predicate` holds for the collected events (or rejects after `timeoutMs`). */
  async until(
    predicate: (events: WatchEvent[]) => boolean,
    timeoutMs = 5000,
  ): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `watch condition not met; events: ${JSON.stringify(this.events.map(e => [e.type, e.object.metadata.name]))}`,
        );
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }

  close(): void {
    this.cancel();
  }
}
