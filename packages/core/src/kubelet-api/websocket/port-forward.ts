/**
 * Port-forward over WebSocket, in the two forms that reach a kubelet.
 *
 * 1. SPDY tunneled over WebSocket (kubectl 1.31+, `PortForwardWebsockets`): the client offers
 *    `SPDY/3.1+portforward.k8s.io`; each binary message payload is a slice of the SPDY byte
 *    stream (not frame-aligned). {@link acceptSpdyTunnelWebSocket} terminates the WebSocket and
 *    hands back that byte stream as a Duplex, for the SPDY port-forward server to run over.
 *    Normally the apiserver performs this tunneling and talks plain SPDY to the kubelet; a
 *    kubelet reached directly with WebSocket (`ExtendWebsocketsToKubelet`) sees the tunnel.
 * 2. The kubelet's channel protocol (`v4.channel.k8s.io`, `v4.base64.channel.k8s.io`, or none):
 *    ports come from `?port=` query values; each port gets a data channel (2i, both ways) and an
 *    error channel (2i+1, server to client), each opened by the port as a little-endian uint16.
 *    One connection per port; the WebSocket closes once every port is done.
 */
import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { ChannelProtocolError, decodeFrame, encodeDataFrame, type FrameCodec } from './channels.ts';
import { FrameSender, splitChunk } from './sender.ts';
import type { LivenessOptions, WebSocketLiveness } from './keepalive.ts';
import { closeGracefully } from './close.ts';
import { acceptWebSocket, offeredProtocols, rejectUpgrade } from './upgrade.ts';

export const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';
/** How long a client may take to answer our close frame before the socket is dropped. */
const CLOSE_GRACE_MS = 2000;

function closeWebSocket(ws: WebSocket, code: number, reason?: string): void {
  void closeGracefully(ws, code, reason, CLOSE_GRACE_MS);
}
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

/** Whether a request asks for SPDY tunneled over WebSocket. */
export function isSpdyTunnelRequest(req: IncomingMessage): boolean {
  return offeredProtocols(req).some(p => p.startsWith(SPDY_TUNNEL_PREFIX));
}

export interface SpdyTunnel {
  /** The inner SPDY protocol, e.g. `portforward.k8s.io`. */
  readonly protocol: string;
  /** The raw SPDY byte stream. Ending it closes the WebSocket normally. */
  readonly stream: Duplex;
  /** Aborted when the client goes away before the stream is ended. */
  readonly signal: AbortSignal;
}

/** Accepts a tunneled SPDY connection; resolves null after answering 400. */
export async function acceptSpdyTunnelWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  innerProtocols: readonly string[] = [PORT_FORWARD_PROTOCOL],
): Promise<SpdyTunnel | null> {
  const supported = innerProtocols.map(p => SPDY_TUNNEL_PREFIX + p);
  const accepted = await acceptWebSocket(req, socket, head, supported);
  if (accepted === null) return null;
  const { ws } = accepted;
  const abort = new AbortController();
  const sender = new FrameSender(ws);
  let paused = false;
  let ended = false;
  const stream = new Duplex({
    highWaterMark: 64 * 1024,
    read() {
      if (paused) {
        paused = false;
        ws.resume();
      }
    },
    write(chunk: Buffer, _encoding, callback) {
      sender.sendAll(splitChunk(chunk), () => {
        callback();
      });
    },
    final(callback) {
      ended = true;
      closeWebSocket(ws, 1000);
      callback();
    },
    destroy(error, callback) {
      if (error) ws.terminate();
      else closeWebSocket(ws, 1000);
      callback(error);
    },
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const error = new ChannelProtocolError('SPDY tunnel messages must be binary');
      abort.abort(error);
      closeWebSocket(ws, 1002, error.message);
      return;
    }
    if (stream.readableEnded || stream.destroyed) return;
    if (!stream.push(data) && !paused) {
      paused = true;
      ws.pause();
    }
  });
  ws.on('error', () => {
    // 'close' follows.
  });
  ws.once('close', () => {
    if (!ended && !abort.signal.aborted) abort.abort(new Error('client disconnected'));
    if (!stream.readableEnded && !stream.destroyed) stream.push(null);
  });
  return {
    protocol: accepted.protocol.slice(SPDY_TUNNEL_PREFIX.length),
    stream,
    signal: abort.signal,
  };
}

export const PORT_FORWARD_CHANNEL_PROTOCOLS: ReadonlyMap<string, boolean> = new Map([
  ['v4.channel.k8s.io', false],
  ['v4.base64.channel.k8s.io', true],
  ['', false],
]);

export interface ForwardedPort {
  readonly port: number;
  /** Bytes to and from the client for this port. End it when the target connection ends. */
  readonly stream: Duplex;
  /** Reports a failure on the port's error channel (as text) and ends the stream. */
  fail(error: Error): void;
}

export interface PortForwardSession {
  readonly protocol: string;
  readonly ports: readonly ForwardedPort[];
  /** Aborted when the client goes away before every port is done. */
  readonly signal: AbortSignal;
}

/** Parses `?port=` values the way the kubelet does: repeated and/or comma-separated, 1-65535. */
export function parsePorts(url: string | undefined): number[] | Error {
  const query = new URL(url ?? '/', 'http://localhost').searchParams.getAll('port');
  if (query.length === 0) return new Error('query parameter "port" is required');
  const ports: number[] = [];
  for (const value of query) {
    if (value === '') return new Error('query parameter "port" cannot be empty');
    for (const part of value.split(',')) {
      if (!/^\d{1,5}$/.test(part) || Number(part) < 1 || Number(part) > 65535) {
        return new Error(`unable to parse "${value}" as a port`);
      }
      ports.push(Number(part));
    }
  }
  return ports;
}

/**
 * Accepts a channel-protocol port-forward connection for the ports in the request's query
 * (or `ports`, when given). Resolves null after answering 400.
 */
export async function acceptPortForwardWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ports?: readonly number[],
  liveness: LivenessOptions = {},
): Promise<PortForwardSession | null> {
  const parsed = ports ? [...ports] : parsePorts(req.url);
  if (parsed instanceof Error) {
    rejectUpgrade(socket, 400, parsed.message);
    return null;
  }
  const accepted = await acceptWebSocket(
    req,
    socket,
    head,
    [...PORT_FORWARD_CHANNEL_PROTOCOLS.keys()],
    liveness,
  );
  if (accepted === null) return null;
  const codec: FrameCodec = {
    base64: PORT_FORWARD_CHANNEL_PROTOCOLS.get(accepted.protocol) ?? false,
    streamClose: false,
    channelCount: parsed.length * 2,
  };
  return new ChannelPortForward(accepted.ws, accepted.liveness, accepted.protocol, codec, parsed);
}

class ChannelPortForward implements PortForwardSession {
  readonly protocol: string;
  readonly ports: ForwardedPort[];
  readonly #ws: WebSocket;
  readonly #abort = new AbortController();
  #done = 0;
  #paused = false;

  constructor(
    ws: WebSocket,
    liveness: WebSocketLiveness,
    protocol: string,
    codec: FrameCodec,
    ports: number[],
  ) {
    this.#ws = ws;
    this.protocol = protocol;
    const sender = new FrameSender(ws, undefined, () => {
      liveness.touch();
    });
    this.ports = ports.map((port, index) => this.#port(sender, codec, port, index));

    ws.on('message', (data: Buffer) => {
      let frame;
      try {
        frame = decodeFrame(codec, data);
      } catch (error) {
        if (!(error instanceof ChannelProtocolError)) throw error;
        this.#abort.abort(error);
        ws.resume();
        closeWebSocket(ws, 1002, error.message.slice(0, 120));
        return;
      }
      // Odd channels are server-to-client error channels; the kubelet ignores writes there.
      if (frame.type !== 'data' || frame.channel % 2 !== 0 || frame.data.length === 0) return;
      const target = this.ports[frame.channel / 2]?.stream;
      if (target === undefined || target.readableEnded || target.destroyed) return;
      if (!target.push(frame.data) && !this.#paused) {
        this.#paused = true;
        ws.pause();
      }
    });
    ws.on('error', () => {
      // 'close' follows.
    });
    ws.once('close', () => {
      if (this.#done < this.ports.length && !this.#abort.signal.aborted) {
        this.#abort.abort(new Error('client disconnected'));
      }
      for (const p of this.ports) {
        if (!p.stream.readableEnded && !p.stream.destroyed) p.stream.push(null);
      }
    });
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  #port(sender: FrameSender, codec: FrameCodec, port: number, index: number): ForwardedPort {
    const dataChannel = index * 2;
    const errorChannel = dataChannel + 1;
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    sender.send(encodeDataFrame(codec, dataChannel, prefix), noop);
    sender.send(encodeDataFrame(codec, errorChannel, prefix), noop);

    let finished = false;
    const markDone = (): void => {
      if (finished) return;
      finished = true;
      if (++this.#done === this.ports.length && this.#ws.readyState === this.#ws.OPEN) {
        closeWebSocket(this.#ws, 1000);
      }
    };
    const stream = new Duplex({
      highWaterMark: 64 * 1024,
      read: () => {
        if (this.#paused) {
          this.#paused = false;
          this.#ws.resume();
        }
      },
      write: (chunk: Buffer, _encoding, callback) => {
        const frames = splitChunk(chunk).map(part => encodeDataFrame(codec, dataChannel, part));
        sender.sendAll(frames, () => {
          callback();
        });
      },
      final: callback => {
        markDone();
        callback();
      },
      destroy: (error, callback) => {
        markDone();
        callback(error);
      },
    });
    return {
      port,
      stream,
      fail: (error: Error) => {
        const message = Buffer.from(error.message, 'utf8');
        sender.send(encodeDataFrame(codec, errorChannel, message), () => {
          stream.end();
        });
      },
    };
  }
}

function noop(): void {
  // Nothing to wait for.
}
