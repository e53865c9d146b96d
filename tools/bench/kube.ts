/**
 * A minimal Kubernetes REST client for the benchmark's own processes (load generator, watcher,
 * baseline kubelet): keep-alive HTTPS, JSON bodies, NDJSON watch streams. No limiter, no cache,
 * no typed models, so the benchmark measures the virtual kubelet and not itself. Credentials come
 * from a kubeconfig through @kubernetes/client-node (tokens, client certificates, exec plugins).
 */
import type { IncomingMessage } from 'node:http';
import { Agent, request, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeResponse {
  readonly status: number;
  readonly text: string;
}

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: PodLike;
}

/** The parts of a pod (or Status, for ERROR events) the benchmark reads. */
export interface PodLike {
  readonly kind?: string;
  readonly code?: number;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly deletionTimestamp?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly spec?: { readonly nodeName?: string; readonly containers?: readonly unknown[] };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly conditions?: readonly { readonly type?: string; readonly reason?: string }[];
    readonly containerStatuses?: readonly {
      readonly state?: { readonly running?: unknown };
    }[];
  };
}

export interface WatchHandle {
  /** Resolves when the stream ends (server close, error or `stop`). */
  readonly ended: Promise<void>;
  stop(): void;
}

export class KubeHttp {
  readonly server: string;
  private readonly base: RequestOptions;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly agent: Agent;

  private constructor(server: string, headers: Record<string, string>, agent: Agent) {
    this.server = server;
    this.headers = headers;
    this.base = { headers };
    this.agent = agent;
  }

  static async fromKubeconfig(path: string, userAgent: string, maxSockets = 64): Promise<KubeHttp> {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error(`${path}: no current cluster`);
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const agent = new Agent({
      keepAlive: true,
      maxSockets,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
      ...(opts.key !== undefined ? { key: opts.key } : {}),
      ...(opts.rejectUnauthorized !== undefined
        ? { rejectUnauthorized: opts.rejectUnauthorized }
        : {}),
    });
    const headers = { ...(opts.headers as Record<string, string> | undefined) };
    headers['User-Agent'] = userAgent;
    return new KubeHttp(cluster.server, headers, agent);
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.server),
        {
          ...this.base,
          method,
          agent: this.agent,
          headers: {
            ...this.headers,
            Accept: 'application/json',
            ...(payload !== undefined
              ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.request(method, path, body, contentType);
    if (res.status >= 300) {
      throw new Error(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
    }
    return JSON.parse(res.text) as T;
  }

  /** Opens a watch; each NDJSON line is handed over with the local time it was read. */
  watch(path: string, onEvent: (event: WatchEvent, at: number) => void): WatchHandle {
    let req: ReturnType<typeof request> | undefined;
    let stopped = false;
    const ended = new Promise<void>(resolve => {
      req = request(new URL(path, this.server), {
        ...this.base,
        method: 'GET',
        // A watch gets its own connection: it never returns to the pool.
        agent: false,
        ...(this.agent.options.ca !== undefined ? { ca: this.agent.options.ca } : {}),
        ...(this.agent.options.cert !== undefined ? { cert: this.agent.options.cert } : {}),
        ...(this.agent.options.key !== undefined ? { key: this.agent.options.key } : {}),
        ...(this.agent.options.rejectUnauthorized !== undefined
          ? { rejectUnauthorized: this.agent.options.rejectUnauthorized }
          : {}),
      });
      req.on('error', () => {
        resolve();
      });
      req.on('close', () => {
        resolve();
      });
      req.on('response', (res: IncomingMessage) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let nl;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line.trim() === '' || stopped) continue;
            onEvent(JSON.parse(line) as WatchEvent, at);
          }
        });
        res.on('end', () => {
          resolve();
        });
        res.on('error', () => {
          resolve();
        });
      });
      req.end();
    });
    return {
      ended,
      stop: () => {
        stopped = true;
        req?.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Whether the pod is Running with every container started (the watcher's "Running"). */
export function isRunning(pod: PodLike): boolean {
  if (pod.status?.phase !== 'Running') return false;
  const statuses = pod.status.containerStatuses ?? [];
  const wanted = pod.spec?.containers?.length ?? 1;
  return statuses.length >= wanted && statuses.every(s => s.state?.running !== undefined);
}

/** Runs `work` over `count` items with at most `concurrency` in flight. */
export async function pool(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => {
    setTimeout(resolve, ms);
  });
