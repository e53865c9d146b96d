/**
 * Test-only SPDY peers built on the production frame codec:
 *  - `RawSpdyPeer` speaks frames by hand (for protocol-level assertions and malformed input);
 *  - `connectSpdy` performs the HTTP upgrade like kubectl and wraps the socket in a client-role
 *    SpdySession.
 */
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { FrameReader, encodeFrame, type SpdyFrame } from '../frames.ts';
import {
  HeaderCompressor,
  HeaderDecompressor,
  type SpdyHeaders,
  type SpdyHeadersInit,
} from '../header-block.ts';
import { SpdySession, type SpdySessionOptions } from '../session.ts';

/** A connected loopback TCP pair. */
/** The bytes of a SYN_STREAM, its headers compressed in `compressor`'s running context. */
export async function synStreamFrame(
  compressor: HeaderCompressor,
  streamId: number,
  headers: SpdyHeadersInit,
  flags = 0,
): Promise<Buffer> {
  const headerBlock = await compressor.compress(headers);
  return encodeFrame({
    type: 'SYN_STREAM',
    streamId,
    associatedStreamId: 0,
    priority: 0,
    slot: 0,
    flags,
    headerBlock,
  });
}

export async function socketPair(): Promise<{
  client: net.Socket;
  server: net.Socket;
  close: () => void;
}> {
  const listener = net.createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as net.AddressInfo;
  const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = await accepted;
  listener.close();
  return {
    client,
    server,
    close: () => {
      client.destroy();
      server.destroy();
    },
  };
}

export type DecodedFrame = SpdyFrame & { headers?: SpdyHeaders };

/** Frames by hand over a socket, with its own pair of header contexts. */
export class RawSpdyPeer {
  readonly socket: net.Socket;
  readonly frames: DecodedFrame[] = [];
  ended = false;
  readError: unknown;
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private waiters: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      let frames: SpdyFrame[];
      try {
        frames = this.reader.push(chunk);
      } catch (err) {
        this.readError = err;
        this.wake();
        return;
      }
      for (const f of frames) {
        this.chain = this.chain
          .then(async () => {
            if (f.type === 'SYN_STREAM' || f.type === 'SYN_REPLY' || f.type === 'HEADERS') {
              const headers = await this.decompressor.decompress(f.headerBlock);
              this.frames.push({ ...f, headers });
            } else {
              this.frames.push(f);
            }
          })
          .catch((err: unknown) => {
            // Usually the decompressor closed under a frame at teardown; tests check readError.
            this.readError ??= err;
          })
          .finally(() => {
            this.wake();
          });
      }
    });
    socket.on('close', () => {
      void this.chain.then(() => {
        this.ended = true;
        this.wake();
      });
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  send(frame: SpdyFrame): void {
    this.socket.write(encodeFrame(frame));
  }

  async synStream(streamId: number, headers: SpdyHeadersInit, flags = 0): Promise<void> {
    this.write(await synStreamFrame(this.compressor, streamId, headers, flags));
  }

  data(streamId: number, data: Buffer | string, flags = 0): void {
    this.send({ type: 'DATA', streamId, flags, data: Buffer.from(data) });
  }

  /** Wait for the first not-yet-taken frame matching `pred`, removing it from `frames`. */
  async take(pred: (f: DecodedFrame) => boolean, timeoutMs = 5000): Promise<DecodedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (this.ended) throw new Error('connection closed before the frame arrived');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`frame not received within ${timeoutMs} ms`);
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  takeType<T extends DecodedFrame['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<DecodedFrame, { type: T }>> {
    return this.take(f => f.type === type, timeoutMs) as Promise<any>;
  }

  /** Collect the DATA payload of `streamId` until FIN. */
  async readStream(streamId: number, timeoutMs = 5000): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const f = await this.take(x => x.type === 'DATA' && x.streamId === streamId, timeoutMs);
      if (f.type !== 'DATA') throw new Error('unreachable');
      parts.push(f.data);
      if ((f.flags & 1) !== 0) return Buffer.concat(parts);
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('connection did not close');
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.compressor.close();
    this.decompressor.close();
    this.socket.destroy();
  }
}

export interface ConnectOptions {
  readonly port: number;
  readonly path?: string;
  /** Sent as X-Stream-Protocol-Version header lines (one per entry). */
  readonly protocols?: readonly string[];
  readonly headers?: Record<string, string>;
  readonly session?: SpdySessionOptions;
}

export type ConnectResult =
  | { upgraded: true; session: SpdySession; protocol: string | undefined; socket: net.Socket }
  | { upgraded: false; status: number; headers: http.IncomingHttpHeaders; body: string };

/** Upgrade a loopback HTTP connection to SPDY/3.1 as kubectl does. */
export function connectSpdy(options: ConnectOptions): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      Connection: 'Upgrade',
      Upgrade: 'SPDY/3.1',
      ...options.headers,
    };
    if (options.protocols) headers['X-Stream-Protocol-Version'] = [...options.protocols];
    const req = http.request({
      host: '127.0.0.1',
      port: options.port,
      path: options.path ?? '/exec/ns/pod/ctr',
      method: 'POST',
      headers,
      agent: false,
    });
    req.on('upgrade', (res: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      const session = new SpdySession(socket, { role: 'client', ...options.session, head });
      const p = res.headers['x-stream-protocol-version'];
      resolve({ upgraded: true, session, protocol: typeof p === 'string' ? p : undefined, socket });
    });
    req.on('response', res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          upgraded: false,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
