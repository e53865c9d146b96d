/**
 * `/exec` and `/attach`: a session with a container's stdin, stdout, stderr and terminal size,
 * over SPDY/3.1 (what the kube-apiserver uses towards kubelets) or WebSocket (a client reaching
 * the kubelet directly, kubectl's default). Whatever the transport, the provider sees one
 * `AttachIO`, and its exit code reaches the client the way the kubelet reports it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';
import { describeError } from '../errors/errors.ts';
import type { AttachIO, ExecResult, Provider, TerminalSize } from '../provider/contract.ts';
import { HttpError } from './http-errors.ts';
import type { HttpRoute, RouteContext } from './router.ts';
import { waitForStreams, type SpdyStream } from './spdy/session.ts';
import { acceptSpdyUpgrade } from './spdy/upgrade.ts';
import {
  DEFAULT_STREAM_CREATION_TIMEOUT_MS,
  livenessOf,
  type StreamTimeouts,
} from './stream-timeouts.ts';
import { acceptRemoteCommandWebSocket } from './websocket/remotecommand.ts';
import { isWebSocketUpgrade } from './websocket/upgrade.ts';
import { encodeStatus, statusFor } from './websocket/status.ts';

/** SPDY sub-protocols, newest first; v4 and v5 carry a Status on the error stream, older ones text. */
const SPDY_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];

export interface RemoteCommandDeps extends StreamTimeouts {
  readonly provider: Provider;
}

interface SessionOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  readonly command: readonly string[];
}

/** The kubelet's query: `input/output/error/tty=1` from the API server, or `stdin/stdout/stderr/tty=true`. */
export function sessionOptions(url: URL, exec: boolean): SessionOptions {
  const flag = (...names: string[]): boolean =>
    names.some(n => ['1', 'true'].includes(url.searchParams.get(n) ?? ''));
  const options = {
    stdin: flag('stdin', 'input'),
    stdout: flag('stdout', 'output'),
    stderr: flag('stderr', 'error'),
    tty: flag('tty'),
    command: url.searchParams.getAll('command'),
  };
  if (options.tty && options.stderr)
    throw new HttpError(400, 'you may not specify tty=true and stderr=true');
  if (!options.stdin && !options.stdout && !options.stderr) {
    throw new HttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  }
  if (exec && options.command.length === 0) throw new HttpError(400, 'you must specify a command');
  return options;
}

/** Terminal sizes from a stream of concatenated JSON objects (`{"Width":80,"Height":24}`). */
async function* resizeEvents(stream: Readable): AsyncGenerator<TerminalSize> {
  let buffer = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    buffer += chunk.toString('utf8');
    for (;;) {
      const end = buffer.indexOf('}');
      if (end < 0) break;
      const text = buffer.slice(buffer.indexOf('{'), end + 1);
      buffer = buffer.slice(end + 1);
      try {
        const size = JSON.parse(text) as Record<string, unknown>;
        const width = Number(size.Width ?? size.width);
        const height = Number(size.Height ?? size.height);
        if (Number.isFinite(width) && Number.isFinite(height)) yield { width, height };
      } catch {
        // A malformed size is ignored, as the kubelet does.
      }
    }
    if (buffer.length > 4096) buffer = '';
  }
}

type Runner = (io: AttachIO, signal: AbortSignal) => Promise<ExecResult>;

async function serveSpdy(
  ctx: RouteContext,
  socket: Duplex,
  head: Buffer,
  options: SessionOptions,
  run: Runner,
  timeouts: StreamTimeouts,
): Promise<void> {
  const accepted = acceptSpdyUpgrade(ctx.req, socket, head, {
    protocols: SPDY_PROTOCOLS,
    session: livenessOf(timeouts),
  });
  if (!accepted.ok) return;
  const { session, protocol } = accepted;
  const expected =
    1 +
    Number(options.stdin) +
    Number(options.stdout) +
    Number(options.stderr && !options.tty) +
    Number(options.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io');
  let streams: SpdyStream[];
  try {
    streams = await waitForStreams(
      session,
      expected,
      timeouts.streamCreationTimeoutMs ?? DEFAULT_STREAM_CREATION_TIMEOUT_MS,
    );
  } catch (err) {
    ctx.log.debug({ err: describeError(err) }, 'streams not created in time');
    session.destroy();
    return;
  }
  const byType = new Map(streams.map(s => [s.header('streamtype') ?? '', s]));
  const error = byType.get('error');
  const stdout = byType.get('stdout');
  const stderr = byType.get('stderr');
  const resize = byType.get('resize');
  const stdin = options.stdin ? byType.get('stdin') : undefined;
  const io: AttachIO = {
    tty: options.tty,
    ...(stdin ? { stdin } : {}),
    ...(stdout ? { stdout } : {}),
    ...(stderr && !options.tty ? { stderr } : {}),
    ...(resize ? { resize: resizeEvents(resize) } : {}),
  };
  const gone = new AbortController();
  const onGone = (): void => {
    gone.abort(new Error('client disconnected'));
  };
  session.once('close', onGone);
  let result: ExecResult | Error;
  try {
    result = await run(io, AbortSignal.any([ctx.signal, gone.signal]));
  } catch (err) {
    result = err instanceof Error ? err : new Error(String(err));
  }
  session.off('close', onGone);
  if (gone.signal.aborted) return;
  const payload = encodeStatus(
    statusFor(result),
    protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io' ? 'json' : 'text',
  );
  await Promise.all([stdout, stderr].map(s => (s ? endStream(s) : Promise.resolve())));
  if (error) {
    if (payload !== undefined) error.write(payload);
    await endStream(error);
  }
  session.close(5000);
}

function endStream(stream: SpdyStream): Promise<void> {
  return new Promise(resolve => {
    if (stream.writableEnded) {
      resolve();
      return;
    }
    stream.end(() => {
      resolve();
    });
  });
}

async function serveWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: SessionOptions,
  run: Runner,
  parent: AbortSignal,
  timeouts: StreamTimeouts,
): Promise<void> {
  const session = await acceptRemoteCommandWebSocket(req, socket, head, {
    ...options,
    ...livenessOf(timeouts),
  });
  if (session === null) return;
  let result: ExecResult | Error;
  try {
    result = await run(session, AbortSignal.any([parent, session.signal]));
  } catch (err) {
    result = err instanceof Error ? err : new Error(String(err));
  }
  await session.finish(result);
}

function remoteCommandRoute(name: 'exec' | 'attach', deps: RemoteCommandDeps): HttpRoute {
  const provider = deps.provider;
  const capable =
    name === 'exec'
      ? provider.runInContainer !== undefined
      : provider.attachToContainer !== undefined;
  return {
    name,
    methods: ['GET', 'POST'],
    path: `/${name}/:namespace/:pod/:container`,
    handle: capable
      ? () => {
          throw new HttpError(400, 'Upgrade request required');
        }
      : undefined,
    upgrade: capable
      ? async (ctx, socket, head) => {
          const namespace = ctx.params.get('namespace') ?? '';
          const pod = ctx.params.get('pod') ?? '';
          const container = ctx.params.get('container') ?? '';
          const options = sessionOptions(ctx.url, name === 'exec');
          const run: Runner = (io, signal) =>
            name === 'exec'
              ? (provider.runInContainer?.(
                  namespace,
                  pod,
                  container,
                  options.command,
                  io,
                  signal,
                ) ?? Promise.reject(new Error('exec unsupported')))
              : (provider.attachToContainer?.(namespace, pod, container, io, signal) ??
                Promise.reject(new Error('attach unsupported')));
          if (isWebSocketUpgrade(ctx.req))
            await serveWebSocket(ctx.req, socket, head, options, run, ctx.signal, deps);
          else await serveSpdy(ctx, socket, head, options, run, deps);
        }
      : undefined,
  };
}

/** The `/exec` and `/attach` routes for the kubelet API server. */
export function remoteCommandRoutes(deps: RemoteCommandDeps): HttpRoute[] {
  return [remoteCommandRoute('exec', deps), remoteCommandRoute('attach', deps)];
}
