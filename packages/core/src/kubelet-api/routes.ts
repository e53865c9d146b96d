/**
 * The kubelet API's route table without the streaming routes (exec, attach, portForward, which
 * are added by their own modules through `extraRoutes`): `/healthz`, `/pods`, `/runningpods/`,
 * `/stats/summary`, `/metrics/resource` and `/containerLogs/{ns}/{pod}/{container}`.
 * A capability the provider lacks leaves its route without a handler, answered with 501.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import {
  hasContainerLogs,
  hasMetricsResource,
  hasStatsSummary,
  type Provider,
} from '../provider/contract.ts';
import { parseLogOptions } from './log-options.ts';
import { param, type HttpRoute, type RouteContext } from './router.ts';

/** Prometheus text exposition 0.0.4, as upstream Virtual Kubelet labels `/metrics/resource`. */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4';

export interface CoreRouteDeps {
  readonly provider: Provider;
  /** The API pods bound to this node (the pod controller's cache). */
  readonly listPods: (signal: AbortSignal) => Promise<readonly Pod[]> | readonly Pod[];
}

function writeBody(res: ServerResponse, contentType: string, body: string): void {
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function writePodList(res: ServerResponse, pods: readonly Pod[]): void {
  const list = { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods };
  writeBody(res, 'application/json', JSON.stringify(list));
}

/**
 * Copies a provider's log stream to the response, each chunk written (and so flushed) as it
 * arrives, at most `limitBytes` bytes. Ends when the stream ends, the limit is reached or the
 * request's signal aborts (client gone); the provider's stream is destroyed in every case.
 */
export async function streamLogs(
  source: Readable,
  res: ServerResponse,
  limitBytes: number | undefined,
  signal: AbortSignal,
): Promise<void> {
  const stop = (): void => {
    source.destroy();
  };
  signal.addEventListener('abort', stop, { once: true });
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  let remaining = limitBytes ?? Number.POSITIVE_INFINITY;
  try {
    for await (const chunk of source) {
      let data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      if (data.byteLength > remaining) data = data.subarray(0, remaining);
      remaining -= data.byteLength;
      if (data.byteLength > 0 && !res.write(data)) await once(res, 'drain', { signal });
      if (remaining <= 0) break;
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    signal.removeEventListener('abort', stop);
    source.destroy();
  }
  if (!signal.aborted) res.end();
}

/** The route table, in one place. */
export function coreRoutes(deps: CoreRouteDeps): HttpRoute[] {
  const { provider } = deps;
  return [
    {
      name: 'healthz',
      methods: ['GET'],
      path: '/healthz',
      handle: async (_ctx, res) => {
        writeBody(res, 'text/plain; charset=utf-8', 'ok');
        return Promise.resolve();
      },
    },
    {
      name: 'pods',
      methods: ['GET'],
      path: '/pods',
      handle: async (ctx, res) => {
        writePodList(res, await deps.listPods(ctx.signal));
      },
    },
    {
      name: 'runningpods',
      methods: ['GET'],
      path: '/runningpods/',
      handle: async (ctx, res) => {
        writePodList(res, await provider.getPods(ctx.signal));
      },
    },
    {
      name: 'stats-summary',
      methods: ['GET'],
      path: '/stats/summary',
      handle: hasStatsSummary(provider)
        ? async (ctx, res) => {
            const summary = await provider.getStatsSummary(ctx.signal);
            writeBody(res, 'application/json', JSON.stringify(summary));
          }
        : undefined,
    },
    {
      name: 'metrics-resource',
      methods: ['GET'],
      path: '/metrics/resource',
      handle: hasMetricsResource(provider)
        ? async (ctx, res) => {
            writeBody(res, PROMETHEUS_TEXT, await provider.getMetricsResource(ctx.signal));
          }
        : undefined,
    },
    {
      name: 'container-logs',
      methods: ['GET'],
      path: '/containerLogs/:namespace/:pod/:container',
      handle: hasContainerLogs(provider)
        ? async (ctx: RouteContext, res) => {
            const options = parseLogOptions(ctx.url.searchParams);
            const source = await provider.getContainerLogs(
              param(ctx, 'namespace'),
              param(ctx, 'pod'),
              param(ctx, 'container'),
              options,
              ctx.signal,
            );
            await streamLogs(source, res, options.limitBytes, ctx.signal);
          }
        : undefined,
    },
  ];
}
