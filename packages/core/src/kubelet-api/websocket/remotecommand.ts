/**
 * The kubelet side of exec/attach over WebSocket: the remote command sub-protocol, all
 * versions kubectl and the apiserver speak (`v5.channel.k8s.io`, `v4.channel.k8s.io`,
 * `v4.base64.channel.k8s.io`, `channel.k8s.io`, `base64.channel.k8s.io`, and none).
 *
 * Channels: 0 stdin, 1 stdout, 2 stderr, 3 error (status), 4 resize (JSON
 * `{"Width":n,"Height":n}`). On open the server sends an empty frame on the lowest writable
 * channel it serves (stdout, else stderr, else error), as the kubelet does, so clients know the
 * session is live. With a tty, stderr is not served (the terminal merges it into stdout).
 */
import type { IncomingMessage } from 'node:http';
import { Readable, Writable, type Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { AttachIO, ExecResult, TerminalSize } from '../../provider/contract.ts';
import {
  ChannelProtocolError,
  ERROR,
  REMOTE_COMMAND_CHANNELS,
  RESIZE,
  STDERR,
  STDIN,
  STDOUT,
  decodeFrame,
  encodeDataFrame,
  type Frame,
  type FrameCodec,
} from './channels.ts';
import { closeGracefully } from './close.ts';
import { FrameSender, splitChunk } from './sender.ts';
import { encodeStatus, statusFor, type StatusFormat } from './status.ts';
import { acceptWebSocket, type AcceptedWebSocket } from './upgrade.ts';

interface ProtocolSpec {
  readonly codec: FrameCodec;
  readonly status: StatusFormat;
}

const binary = (streamClose: boolean): FrameCodec => ({
  base64: false,
  streamClose,
  channelCount: REMOTE_COMMAND_CHANNELS,
});
const base64: FrameCodec = {
  base64: true,
  streamClose: false,
  channelCount: REMOTE_COMMAND_CHANNELS,
};

/** Supported remote command protocols; `''` is a client that offered none (binary, v1 status). */
export const REMOTE_COMMAND_PROTOCOLS: ReadonlyMap<string, ProtocolSpec> = new Map([
  ['v5.channel.k8s.io', { codec: binary(true), status: 'json' }],
  ['v4.channel.k8s.io', { codec: binary(false), status: 'json' }],
  ['v4.base64.channel.k8s.io', { codec: base64, status: 'json' }],
  ['channel.k8s.io', { codec: binary(false), status: 'text' }],
  ['base64.channel.k8s.io', { codec: base64, status: 'text' }],
  ['', { codec: binary(false), status: 'text' }],
]);

export interface RemoteCommandOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  /** Outgoing bytes the socket may hold before stdout/stderr writes wait. Default 1 MiB. */
  readonly highWaterMark?: number;
  /** How long {@link RemoteCommandSession.finish} waits for the client's close reply. */
  readonly closeTimeoutMs?: number;
  /** Close the session after this long without a message either way (kubelet StreamIdleTimeout). */
  readonly idleTimeoutMs?: number;
  /** Ping the client this often; drop it when a ping goes unanswered until the next. */
  readonly keepaliveMs?: number;
}

/** An accepted exec/attach session: hand it to the provider as its {@link AttachIO}. */
export interface RemoteCommandSession extends AttachIO {
  /** The negotiated sub-protocol; `''` when the client offered none. */
  readonly protocol: string;
  /** Aborted when the client goes away (or breaks the protocol) before {@link finish}. */
  readonly signal: AbortSignal;
  /**
   * Ends the session: flushes stdout and stderr, writes the result on the error channel in the
   * negotiated format, and closes the WebSocket. Safe to call more than once.
   */
  finish(result: ExecResult | Error): Promise<void>;
}

const RESIZE_BUFFER_LIMIT = 4096;
const RESIZE_QUEUE_LIMIT = 32;

/**
 * Upgrades `req` to a remote command WebSocket session. Resolves null after answering 400 when
 * no offered protocol is supported or the request is not a valid WebSocket upgrade.
 */
export async function acceptRemoteCommandWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: RemoteCommandOptions,
): Promise<RemoteCommandSession | null> {
  const accepted = await acceptWebSocket(req, socket, head, [...REMOTE_COMMAND_PROTOCOLS.keys()], {
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    ...(options.keepaliveMs === undefined ? {} : { keepaliveMs: options.keepaliveMs }),
  });
  if (accepted === null) return null;
  const spec = REMOTE_COMMAND_PROTOCOLS.get(accepted.protocol);
  if (spec === undefined) throw new Error(`unreachable: protocol ${accepted.protocol}`);
  return new Session(accepted, spec, options);
}

class Session implements RemoteCommandSession {
  readonly protocol: string;
  readonly tty: boolean;
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  readonly resize?: AsyncIterable<TerminalSize>;

  readonly #ws: WebSocket;
  readonly #spec: ProtocolSpec;
  readonly #sender: FrameSender;
  readonly #abort = new AbortController();
  readonly #resizeQueue: AsyncQueue<TerminalSize> | undefined;
  readonly #closeTimeoutMs: number;
  #resizeText = '';
  #stdinPaused = false;
  #broken = false;
  #finishing: Promise<void> | undefined;

  constructor(accepted: AcceptedWebSocket, spec: ProtocolSpec, options: RemoteCommandOptions) {
    const { ws, liveness } = accepted;
    this.#ws = ws;
    this.#spec = spec;
    this.protocol = accepted.protocol;
    this.tty = options.tty;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.#sender = new FrameSender(ws, options.highWaterMark, () => {
      liveness.touch();
    });

    if (options.stdin) {
      this.stdin = new Readable({
        highWaterMark: 64 * 1024,
        read: () => {
          if (this.#stdinPaused) {
            this.#stdinPaused = false;
            this.#ws.resume();
          }
        },
      });
    }
    if (options.stdout) this.stdout = this.#channelWritable(STDOUT);
    if (options.stderr && !options.tty) this.stderr = this.#channelWritable(STDERR);
    if (options.tty) {
      this.#resizeQueue = new AsyncQueue(RESIZE_QUEUE_LIMIT);
      this.resize = this.#resizeQueue;
    }

    ws.on('message', data => {
      this.#onMessage(data as Buffer);
    });
    ws.on('error', () => {
      // 'close' follows; the error itself (e.g. an oversized message) needs no other handling.
    });
    ws.once('close', () => {
      this.#onClose(liveness.reason);
    });

    // Tell the client the session is live: an empty frame on the lowest writable channel.
    const first = options.stdout ? STDOUT : this.stderr !== undefined ? STDERR : ERROR;
    this.#sender.send(encodeDataFrame(spec.codec, first, new Uint8Array(0)), noop);
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  finish(result: ExecResult | Error): Promise<void> {
    this.#finishing ??= this.#finish(result);
    return this.#finishing;
  }

  async #finish(result: ExecResult | Error): Promise<void> {
    await Promise.all([endWritable(this.stdout), endWritable(this.stderr)]);
    const payload = encodeStatus(statusFor(result), this.#spec.status);
    if (payload !== undefined && this.#sender.open) {
      const frame = encodeDataFrame(this.#spec.codec, ERROR, Buffer.from(payload, 'utf8'));
      await new Promise<void>(resolve => {
        this.#sender.send(frame, resolve);
      });
    }
    await this.#close(1000, '');
  }

  #close(code: number, reason: string): Promise<void> {
    return closeGracefully(this.#ws, code, reason, this.#closeTimeoutMs);
  }

  #channelWritable(channel: number): Writable {
    return new Writable({
      highWaterMark: 64 * 1024,
      write: (chunk: Buffer, _encoding, callback) => {
        if (chunk.length === 0) {
          callback();
          return;
        }
        const frames = splitChunk(chunk).map(part =>
          encodeDataFrame(this.#spec.codec, channel, part),
        );
        this.#sender.sendAll(frames, () => {
          callback();
        });
      },
    });
  }

  #onMessage(data: Buffer): void {
    if (this.#broken) return;
    let frame: Frame;
    try {
      frame = decodeFrame(this.#spec.codec, data);
    } catch (error) {
      if (!(error instanceof ChannelProtocolError)) throw error;
      this.#protocolError(error);
      return;
    }
    if (frame.type === 'close') {
      if (frame.channel === STDIN) this.#endStdin();
      else if (frame.channel === RESIZE) this.#resizeQueue?.end();
      return;
    }
    switch (frame.channel) {
      case STDIN:
        this.#onStdin(frame.data);
        return;
      case RESIZE:
        this.#onResize(frame.data);
        return;
      default:
        // Server-to-client channels: a client writing there is ignored, as the kubelet does.
        return;
    }
  }

  #onStdin(data: Buffer): void {
    const stdin = this.stdin;
    if (stdin === undefined || stdin.readableEnded || stdin.destroyed || data.length === 0) return;
    if (!stdin.push(data) && !this.#stdinPaused) {
      this.#stdinPaused = true;
      this.#ws.pause();
    }
  }

  #endStdin(): void {
    const stdin = this.stdin;
    if (stdin === undefined || stdin.destroyed) return;
    if (!stdin.readableEnded) stdin.push(null);
    if (this.#stdinPaused) {
      this.#stdinPaused = false;
      this.#ws.resume();
    }
  }

  /** Resize messages are JSON objects, possibly several per frame or split across frames. */
  #onResize(data: Buffer): void {
    const queue = this.#resizeQueue;
    if (queue === undefined) return;
    this.#resizeText += data.toString('utf8');
    if (this.#resizeText.length > RESIZE_BUFFER_LIMIT) {
      this.#protocolError(new ChannelProtocolError('resize message too large'));
      return;
    }
    for (;;) {
      const end = jsonObjectEnd(this.#resizeText);
      if (end === -1) {
        if (/^\s*$/.test(this.#resizeText)) this.#resizeText = '';
        else if (!/^\s*\{/.test(this.#resizeText)) {
          this.#protocolError(new ChannelProtocolError('malformed resize message'));
        }
        return;
      }
      const text = this.#resizeText.slice(0, end);
      this.#resizeText = this.#resizeText.slice(end);
      const size = parseTerminalSize(text);
      if (size === undefined) {
        this.#protocolError(new ChannelProtocolError('malformed resize message'));
        return;
      }
      queue.push(size);
    }
  }

  #protocolError(error: ChannelProtocolError): void {
    this.#broken = true;
    this.#abort.abort(error);
    void this.#close(1002, error.message.slice(0, 120));
  }

  #onClose(timedOut: string | undefined): void {
    if (this.#finishing === undefined && !this.#abort.signal.aborted) {
      this.#abort.abort(new Error(timedOut ?? 'client disconnected'));
    }
    this.#endStdin();
    this.#resizeQueue?.end();
  }
}

function noop(): void {
  // Nothing to wait for.
}

function endWritable(stream: Writable | undefined): Promise<void> {
  if (stream === undefined || stream.writableFinished || stream.destroyed) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    stream.once('finish', resolve);
    stream.once('close', resolve);
    stream.once('error', () => {
      resolve();
    });
    if (!stream.writableEnded) stream.end();
  });
}

/** Index just past the first complete top-level JSON object in `text`, or -1. */
function jsonObjectEnd(text: string): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      depth++;
      started = true;
    } else if (c === '}') {
      depth--;
      if (depth === 0 && started) return i + 1;
      if (depth < 0) return i + 1;
    } else if (!started && c !== undefined && !/\s/.test(c)) {
      return i + 1;
    }
  }
  return -1;
}

/** Go's JSON decoding matches field names case-insensitively; sizes are uint16. */
function parseTerminalSize(text: string): TerminalSize | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let width = 0;
  let height = 0;
  for (const [key, field] of Object.entries(value)) {
    const name = key.toLowerCase();
    if (name !== 'width' && name !== 'height') continue;
    if (typeof field !== 'number' || !Number.isInteger(field) || field < 0 || field > 0xffff) {
      return undefined;
    }
    if (name === 'width') width = field;
    else height = field;
  }
  return { width, height };
}

/** A small single-consumer async queue that drops the oldest items past its limit. */
class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  readonly #limit: number;
  #waiter: ((result: IteratorResult<T, undefined>) => void) | undefined;
  #ended = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (this.#items.length > this.#limit) this.#items.shift();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => {
        if (this.#items.length > 0) {
          const value = this.#items.shift() as T;
          return Promise.resolve({ value, done: false });
        }
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise(resolve => {
          this.#waiter = resolve;
        });
      },
      return: () => {
        this.end();
        this.#items.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
