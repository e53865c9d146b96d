/**
 * `/portForward/{ns}/{pod}`: the `portforward.k8s.io` protocol over SPDY/3.1, either directly
 * (the kube-apiserver's way) or tunnelled through a WebSocket (`SPDY/3.1+portforward.k8s.io`,
 * kubectl 1.31+ through an API server that passes it on). Each client connection is a pair of
 * streams sharing a `requestid`: `error` and `data`, both naming the `port`; the data stream is
 * handed to the provider, and a failure is reported on the error stream.
 */
import type { Duplex } from 'node:stream';
import { describeError } from '../errors/errors.ts';
import type { Provider } from '../provider/contract.ts';
import { HttpError } from './http-errors.ts';
import type { HttpRoute, RouteContext } from './router.ts';
import { SpdySession, type SpdyStream } from './spdy/session.ts';
import { acceptSpdyUpgrade } from './spdy/upgrade.ts';
import {
  DEFAULT_STREAM_CREATION_TIMEOUT_MS,
  livenessOf,
  type StreamTimeouts,
} from './stream-timeouts.ts';
import { acceptSpdyTunnelWebSocket, isSpdyTunnelRequest } from './websocket/port-forward.ts';
import { isWebSocketUpgrade } from './websocket/upgrade.ts';

const PROTOCOL = 'portforward.k8s.io';

/** `streamCreationTimeoutMs` bounds the wait for the second stream of a pair. */
export interface PortForwardDeps extends StreamTimeouts {
  readonly provider: Provider;
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Serves port-forward pairs on a session until it closes. */
function servePairs(
  session: SpdySession,
  ctx: RouteContext,
  deps: PortForwardDeps,
  namespace: string,
  pod: string,
): void {
  const pairs = new Map<string, Pair>();
  const gone = new AbortController();
  const signal = AbortSignal.any([ctx.signal, gone.signal]);
  session.once('close', () => {
    gone.abort(new Error('port-forward session closed'));
    for (const p of pairs.values()) clearTimeout(p.timer);
  });
  session.on('stream', (stream: SpdyStream) => {
    const id = stream.header('requestid') ?? '';
    const type = stream.header('streamtype') ?? '';
    if (type !== 'error' && type !== 'data') {
      stream.reset(1);
      return;
    }
    let pair = pairs.get(id);
    if (!pair) {
      const created: Pair = {
        timer: setTimeout(() => {
          pairs.delete(id);
          created.error?.end(`timed out waiting for the other stream of request ${id}`);
          created.data?.destroy();
        }, deps.streamCreationTimeoutMs ?? DEFAULT_STREAM_CREATION_TIMEOUT_MS),
      };
      pair = created;
      pairs.set(id, pair);
    }
    pair[type] = stream;
    if (!pair.error || !pair.data) return;
    clearTimeout(pair.timer);
    pairs.delete(id);
    void forward(pair.error, pair.data, deps.provider, namespace, pod, signal, ctx);
  });
}

async function forward(
  error: SpdyStream,
  data: SpdyStream,
  provider: Provider,
  namespace: string,
  pod: string,
  signal: AbortSignal,
  ctx: RouteContext,
): Promise<void> {
  const port = Number(data.header('port'));
  try {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`invalid port ${data.header('port') ?? ''}`);
    if (!provider.portForward) throw new Error('port forwarding is not supported by this provider');
    await provider.portForward(namespace, pod, port, data, signal);
  } catch (err) {
    const message = `error forwarding port ${port} to pod ${namespace}/${pod}: ${describeError(err)}`;
    ctx.log.debug({ port, err: describeError(err) }, 'port-forward failed');
    if (!error.writableEnded) error.write(message);
  } finally {
    if (!data.writableEnded) data.end();
    if (!error.writableEnded) error.end();
  }
}

export function portForwardRoute(deps: PortForwardDeps): HttpRoute {
  const capable = deps.provider.portForward !== undefined;
  return {
    name: 'portForward',
    methods: ['GET', 'POST'],
    path: '/portForward/:namespace/:pod',
    handle: capable
      ? () => {
          throw new HttpError(400, 'Upgrade request required');
        }
      : undefined,
    upgrade: capable
      ? async (ctx: RouteContext, socket: Duplex, head: Buffer) => {
          const namespace = ctx.params.get('namespace') ?? '';
          const pod = ctx.params.get('pod') ?? '';
          if (isWebSocketUpgrade(ctx.req)) {
            if (!isSpdyTunnelRequest(ctx.req)) {
              throw new HttpError(
                400,
                'port-forward over WebSocket needs the SPDY/3.1+portforward.k8s.io sub-protocol',
              );
            }
            const tunnel = await acceptSpdyTunnelWebSocket(ctx.req, socket, head, [PROTOCOL]);
            if (tunnel === null) return;
            const session = new SpdySession(tunnel.stream, {
              role: 'server',
              sendFlowControl: false,
              ...livenessOf(deps),
            });
            servePairs(session, ctx, deps, namespace, pod);
            return;
          }
          const accepted = acceptSpdyUpgrade(ctx.req, socket, head, {
            protocols: [PROTOCOL],
            session: livenessOf(deps),
          });
          if (!accepted.ok) return;
          servePairs(accepted.session, ctx, deps, namespace, pod);
        }
      : undefined,
  };
}
