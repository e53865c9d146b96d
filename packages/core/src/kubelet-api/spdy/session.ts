/**
 * A SPDY/3.1 session over an upgraded socket (or any Duplex).
 *
 * Server role (the kubelet side): accepts client-initiated streams (odd ids), replies with
 * SYN_REPLY, carries data both ways. A client role exists too (used by the test client), able to
 * open streams with SYN_STREAM and await the SYN_REPLY.
 *
 * Memory is bounded in both directions:
 *  - sending: data leaves only within the peer's stream and session windows (when
 *    `sendFlowControl` is on) and a stream's write callback waits for the socket to drain, so a
 *    producer piping into a SpdyStream is paused by ordinary Writable backpressure;
 *  - receiving: WINDOW_UPDATE is granted only as the stream's reader consumes bytes, and if a
 *    stream's buffer still fills (a peer that ignores windows, as Go's spdystream does) the socket
 *    is paused until that reader catches up, so TCP pushes back on the peer.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameReader,
  GoAwayStatus,
  MAX_STREAM_ID,
  MAX_WINDOW_DELTA,
  RstStatus,
  SettingsId,
  SpdyProtocolError,
  encodeDataFrameHeader,
  encodeFrame,
  type SpdyFrame,
} from './frames.ts';
import {
  HeaderCompressor,
  HeaderDecompressor,
  headerValue,
  type SpdyHeaders,
  type SpdyHeadersInit,
} from './header-block.ts';

export const DEFAULT_INITIAL_WINDOW = 64 * 1024;
const DEFAULT_MAX_DATA_FRAME = 32 * 1024;

export interface SpdySessionOptions {
  /** 'server' accepts odd client streams (default); 'client' opens them. */
  readonly role?: 'server' | 'client';
  /**
   * No frame in either direction for this long → GOAWAY and close. 0/undefined: never. Our
   * keepalive PINGs and their answers do not count, so keepalive never holds an idle session
   * open; a peer's own PINGs do (as in Go's spdystream, which kubectl speaks).
   */
  readonly idleTimeoutMs?: number;
  /**
   * Send a PING this often, so intermediaries keep an idle connection; a PING still unanswered
   * at the next one means the peer is gone, and the session is destroyed. 0/undefined: never.
   */
  readonly keepaliveMs?: number;
  /**
   * Respect the peer's stream and session windows when sending (default true). Go's spdystream
   * (kubectl, the apiserver) never sends WINDOW_UPDATE and relies on TCP backpressure, so a
   * session talking to it must turn this off or stall after 64 KiB.
   */
  readonly sendFlowControl?: boolean;
  /** Our receive window per stream, announced by SETTINGS if not 64 KiB. */
  readonly initialWindowSize?: number;
  /** Reset a stream that overruns the window we granted (default false: Go ignores windows). */
  readonly strictReceiveWindow?: boolean;
  /** Send an empty SYN_REPLY before emitting 'stream' (default true). */
  readonly autoReply?: boolean;
  /** Largest DATA payload we send (default 32 KiB). */
  readonly maxDataFrameSize?: number;
  /** Largest frame payload accepted (default 16 MiB - 1, the protocol ceiling). */
  readonly maxFramePayload?: number;
  /** Largest decompressed header block accepted (default 256 KiB). */
  readonly maxHeaderBlockBytes?: number;
  /** Streams open at once before REFUSED_STREAM (default 100). */
  readonly maxConcurrentStreams?: number;
  /** Bytes already read past the HTTP upgrade. */
  readonly head?: Buffer;
}

export interface SpdySessionEvents {
  stream: [stream: SpdyStream];
  ping: [id: number];
  goaway: [lastGoodStreamId: number, status: number];
  /** A protocol violation that ended the session (already answered with GOAWAY). */
  sessionError: [error: Error];
  close: [];
}

type Waiter = () => void;

/** Half of a window: the batching threshold for WINDOW_UPDATE. */
function grantThreshold(window: number): number {
  return Math.max(1, Math.floor(window / 2));
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  readonly role: 'server' | 'client';
  private readonly socket: Duplex;
  private readonly reader: FrameReader;
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor: HeaderDecompressor;
  private readonly streams = new Map<number, SpdyStream>();
  private readonly options: Required<
    Omit<SpdySessionOptions, 'head' | 'role' | 'idleTimeoutMs' | 'keepaliveMs'>
  > & { idleTimeoutMs: number; keepaliveMs: number };

  private inbox: SpdyFrame[] = [];
  private processing = false;
  private readonly readBlockers = new Set<number | 'inflate'>();
  private writeChain: Promise<void> = Promise.resolve();
  private drainWaiters: Waiter[] = [];

  private lastRemoteStreamId = 0;
  private nextLocalStreamId: number;
  private nextPingId: number;
  private readonly pendingPings = new Map<number, () => void>();

  /** Peer's window for streams opened from now on (SETTINGS_INITIAL_WINDOW_SIZE). */
  private peerInitialWindow = DEFAULT_INITIAL_WINDOW;
  /** SPDY/3.1 session-level windows. */
  private sessionSendWindow = DEFAULT_INITIAL_WINDOW;
  private sessionWindowWaiters: Waiter[] = [];
  private sessionUngranted = 0;

  private goingAway = false;
  private peerWentAway = false;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  /** The last keepalive PING sent. */
  private keepaliveId: number | undefined;
  /** Anything heard from the peer since that PING went out. */
  private keepaliveAnswered = true;
  /** We held the socket paused since that PING, so an answer may not have been read yet. */
  private readBlockedSinceKeepalive = false;

  constructor(socket: Duplex, options: SpdySessionOptions = {}) {
    super();
    this.socket = socket;
    this.role = options.role ?? 'server';
    this.options = {
      idleTimeoutMs: options.idleTimeoutMs ?? 0,
      keepaliveMs: options.keepaliveMs ?? 0,
      sendFlowControl: options.sendFlowControl ?? true,
      initialWindowSize: options.initialWindowSize ?? DEFAULT_INITIAL_WINDOW,
      strictReceiveWindow: options.strictReceiveWindow ?? false,
      autoReply: options.autoReply ?? true,
      maxDataFrameSize: options.maxDataFrameSize ?? DEFAULT_MAX_DATA_FRAME,
      maxFramePayload: options.maxFramePayload ?? 0xff_ffff,
      maxHeaderBlockBytes: options.maxHeaderBlockBytes ?? 256 * 1024,
      maxConcurrentStreams: options.maxConcurrentStreams ?? 100,
    };
    if (
      !Number.isInteger(this.options.initialWindowSize) ||
      this.options.initialWindowSize < 1 ||
      this.options.initialWindowSize > MAX_WINDOW_DELTA
    ) {
      throw new RangeError('initialWindowSize must be in [1, 2^31-1]');
    }
    this.nextLocalStreamId = this.role === 'server' ? 2 : 1;
    this.nextPingId = this.role === 'server' ? 2 : 1;
    this.reader = new FrameReader({ maxFramePayload: this.options.maxFramePayload });
    this.decompressor = new HeaderDecompressor({
      maxBlockBytes: this.options.maxHeaderBlockBytes,
    });

    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onSocketGone);
    socket.on('close', this.onSocketGone);
    socket.on('end', this.onSocketEnd);

    if (this.options.initialWindowSize !== DEFAULT_INITIAL_WINDOW) {
      void this.sendFrame({
        type: 'SETTINGS',
        flags: 0,
        settings: [
          { flags: 0, id: SettingsId.INITIAL_WINDOW_SIZE, value: this.options.initialWindowSize },
        ],
      });
    }
    this.touch();
    if (this.options.keepaliveMs > 0) {
      this.keepaliveTimer = setInterval(() => {
        this.onKeepalive();
      }, this.options.keepaliveMs);
      this.keepaliveTimer.unref();
    }
    if (options.head && options.head.length > 0) this.onData(options.head);
  }

  /** True once the session can no longer carry frames. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Streams currently open. */
  get activeStreams(): ReadonlyMap<number, SpdyStream> {
    return this.streams;
  }

  get initialWindowSize(): number {
    return this.options.initialWindowSize;
  }

  // -------------------------------------------------------------------------------------------
  // Public operations

  /** Client role: open a stream and wait for its SYN_REPLY. */
  async openStream(headers: SpdyHeadersInit, options: { fin?: boolean } = {}): Promise<SpdyStream> {
    if (this.closed || this.goingAway || this.peerWentAway) {
      throw new Error('SPDY session is closing');
    }
    const id = this.nextLocalStreamId;
    if (id > MAX_STREAM_ID) throw new Error('SPDY stream ids exhausted');
    this.nextLocalStreamId += 2;
    const stream = this.createStream(id, decodeInit(headers), 0);
    stream.markLocalInitiated();
    const fin = options.fin ?? false;
    await this.sendHeaderFrame(
      headerBlock => ({
        type: 'SYN_STREAM',
        streamId: id,
        associatedStreamId: 0,
        priority: 0,
        slot: 0,
        flags: fin ? FLAG_FIN : 0,
        headerBlock,
      }),
      headers,
    );
    if (fin) stream.end();
    await stream.waitReplied();
    return stream;
  }

  /** Send a PING and resolve with the round trip in milliseconds. */
  ping(timeoutMs = 10_000): Promise<number> {
    const id = this.takePingId();
    const started = performance.now();
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingPings.delete(id);
        reject(new Error(`PING ${id} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingPings.set(id, () => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      this.sendFrame({ type: 'PING', id }).catch((err: unknown) => {
        clearTimeout(timer);
        this.pendingPings.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  private takePingId(): number {
    const id = this.nextPingId;
    this.nextPingId += 2;
    if (this.nextPingId > MAX_STREAM_ID) this.nextPingId = this.role === 'server' ? 2 : 1;
    return id;
  }

  private isKeepaliveAnswer(frame: SpdyFrame): boolean {
    return frame.type === 'PING' && frame.id === this.keepaliveId;
  }

  private onKeepalive(): void {
    if (this.closed) return;
    if (!this.keepaliveAnswered) {
      if (this.readBlockers.size > 0 || this.readBlockedSinceKeepalive) {
        this.readBlockedSinceKeepalive = this.readBlockers.size > 0;
        return;
      }
      this.destroy();
      return;
    }
    if (this.keepaliveId !== undefined) this.pendingPings.delete(this.keepaliveId);
    const id = this.takePingId();
    this.keepaliveId = id;
    this.keepaliveAnswered = false;
    this.readBlockedSinceKeepalive = this.readBlockers.size > 0;
    this.pendingPings.set(id, () => undefined);
    this.enqueue(() => [encodeFrame({ type: 'PING', id })], false).catch(() => undefined);
  }

  /**
   * Graceful close: GOAWAY(OK), refuse new streams, end the socket once open streams finish.
   * Pass `timeoutMs` to force the socket shut if they do not.
   */
  close(timeoutMs?: number): void {
    if (this.closed) return;
    if (!this.goingAway) {
      this.goingAway = true;
      this.sendFrame({
        type: 'GOAWAY',
        lastGoodStreamId: this.lastRemoteStreamId,
        status: GoAwayStatus.OK,
      }).catch(() => undefined);
    }
    if (timeoutMs !== undefined) {
      setTimeout(() => {
        this.destroy();
      }, timeoutMs).unref();
    }
    this.maybeFinish();
  }

  /** Tear everything down now. */
  destroy(): void {
    this.teardown(false);
  }

  /**
   * Stop the session. `flush`: end the socket so frames already written (a final GOAWAY) reach
   * the peer, with a short deadline before the socket is destroyed anyway.
   */
  private teardown(flush: boolean): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearInterval(this.keepaliveTimer);
    this.socket.off('data', this.onData);
    this.socket.off('drain', this.onDrain);
    for (const stream of [...this.streams.values()]) stream.abortFromSession();
    this.streams.clear();
    for (const w of this.drainWaiters.splice(0)) w();
    for (const w of this.sessionWindowWaiters.splice(0)) w();
    this.compressor.close();
    this.decompressor.close();
    if (flush && !this.socket.destroyed) {
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
      }, 1000).unref();
    } else {
      this.socket.destroy();
    }
    this.emit('close');
  }

  // -------------------------------------------------------------------------------------------
  // Outgoing frames

  /** Queue a complete frame; resolves once handed to the socket (and drained if it was full). */
  sendFrame(frame: SpdyFrame): Promise<void> {
    return this.enqueue(() => [encodeFrame(frame)]);
  }

  /** @internal queue a frame whose header block still needs compressing, keeping order. */
  sendHeaderFrame(
    build: (headerBlock: Buffer) => SpdyFrame,
    headers: SpdyHeadersInit = {},
  ): Promise<void> {
    // Compression is started now, in call order, so the shared zlib context sees blocks in the
    // same order the frames go out; the write chain keeps that order on the wire.
    const block = this.compressor.compress(headers);
    block.catch(() => undefined);
    return this.enqueue(async () => [encodeFrame(build(await block))]);
  }

  /** A method, not an inline check: `closed` can flip across any await. */
  private assertOpen(): void {
    if (this.closed) throw new Error('SPDY session closed');
  }

  private assertSendable(stream: SpdyStream): void {
    this.assertOpen();
    if (stream.resetStatus !== undefined) throw new Error(`stream ${stream.id} was reset`);
  }

  /** `activity`: whether the frames postpone the idle timeout (keepalive PINGs do not). */
  private enqueue(produce: () => Buffer[] | Promise<Buffer[]>, activity = true): Promise<void> {
    const run = async (): Promise<void> => {
      this.assertOpen();
      const buffers = await produce();
      this.assertOpen();
      let flowing = true;
      for (const b of buffers) flowing = this.socket.write(b);
      if (activity) this.touch();
      if (!flowing) await this.waitDrain();
    };
    const next = this.writeChain.then(run);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private waitDrain(): Promise<void> {
    if (this.closed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise(resolve => this.drainWaiters.push(resolve));
  }

  private readonly onDrain = (): void => {
    for (const w of this.drainWaiters.splice(0)) w();
  };

  /** @internal send one stream's bytes within the windows; resolves when all are queued. */
  async sendData(stream: SpdyStream, data: Buffer, fin: boolean): Promise<void> {
    let offset = 0;
    do {
      this.assertSendable(stream);
      const remaining = data.length - offset;
      let n = Math.min(remaining, this.options.maxDataFrameSize);
      if (this.options.sendFlowControl && remaining > 0) {
        await this.waitForSendWindow(stream);
        this.assertSendable(stream);
        n = Math.min(n, stream.sendWindow, this.sessionSendWindow);
        stream.sendWindow -= n;
        this.sessionSendWindow -= n;
      }
      const slice = data.subarray(offset, offset + n);
      offset += n;
      const last = offset >= data.length;
      const flags = fin && last ? FLAG_FIN : 0;
      await this.enqueue(() => [encodeDataFrameHeader(stream.id, flags, slice.length), slice]);
    } while (offset < data.length);
  }

  private async waitForSendWindow(stream: SpdyStream): Promise<void> {
    while (!this.closed && stream.resetStatus === undefined) {
      if (stream.sendWindow <= 0) {
        await stream.waitWindow();
      } else if (this.sessionSendWindow <= 0) {
        await new Promise<void>(resolve => this.sessionWindowWaiters.push(resolve));
      } else {
        return;
      }
    }
  }

  /** @internal the reader of `stream` consumed bytes: grant window as appropriate. */
  grantWindow(stream: SpdyStream, consumed: number, force = false): void {
    if (this.closed) return;
    if (consumed > 0 && !stream.remoteEnded && stream.resetStatus === undefined) {
      stream.ungranted += consumed;
      if (force || stream.ungranted >= grantThreshold(this.options.initialWindowSize)) {
        const delta = Math.min(stream.ungranted, MAX_WINDOW_DELTA);
        stream.ungranted -= delta;
        this.sendFrame({ type: 'WINDOW_UPDATE', streamId: stream.id, delta }).catch(
          () => undefined,
        );
      }
    }
    this.creditSession(consumed);
  }

  private creditSession(consumed: number): void {
    if (consumed <= 0 || this.closed) return;
    this.sessionUngranted += consumed;
    if (this.sessionUngranted >= grantThreshold(DEFAULT_INITIAL_WINDOW)) {
      const delta = Math.min(this.sessionUngranted, MAX_WINDOW_DELTA);
      this.sessionUngranted -= delta;
      this.sendFrame({ type: 'WINDOW_UPDATE', streamId: 0, delta }).catch(() => undefined);
    }
  }

  /** @internal stream buffer full/emptied: pause or resume reading the socket. */
  setReadBlocked(key: number | 'inflate', blocked: boolean): void {
    if (blocked) {
      this.readBlockers.add(key);
      this.readBlockedSinceKeepalive = true;
    } else this.readBlockers.delete(key);
    if (this.closed) return;
    if (this.readBlockers.size > 0) this.socket.pause();
    else this.socket.resume();
  }

  // -------------------------------------------------------------------------------------------
  // Incoming frames

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return;
    let frames: SpdyFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (!this.reader.idle || !frames.every(f => this.isKeepaliveAnswer(f))) this.touch();
    // Any byte from the peer shows it is alive, whether or not it answered the PING yet.
    this.keepaliveAnswered = true;
    if (frames.length === 0) return;
    for (const f of frames) this.inbox.push(f);
    void this.processInbox();
  };

  private async processInbox(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (!this.closed && this.inbox.length > 0) {
        const frame = this.inbox.shift();
        if (!frame) break;
        const pending = this.handleFrame(frame);
        if (pending) {
          // Header blocks decompress asynchronously; hold the socket so the inbox stays small.
          this.setReadBlocked('inflate', true);
          try {
            await pending;
          } finally {
            this.setReadBlocked('inflate', false);
          }
        }
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.processing = false;
    }
  }

  /** Handle one frame; returns a promise only when work had to go async. */
  private handleFrame(frame: SpdyFrame): Promise<void> | undefined {
    switch (frame.type) {
      case 'DATA':
        this.onDataFrame(frame.streamId, frame.flags, frame.data);
        return undefined;
      case 'SYN_STREAM':
        return this.onSynStream(frame.streamId, frame.flags, frame.priority, frame.headerBlock);
      case 'SYN_REPLY':
        return this.onSynReply(frame.streamId, frame.flags, frame.headerBlock);
      case 'HEADERS':
        return this.onHeaders(frame.streamId, frame.flags, frame.headerBlock);
      case 'RST_STREAM': {
        const stream = this.streams.get(frame.streamId);
        stream?.onRemoteReset(frame.status);
        return undefined;
      }
      case 'SETTINGS':
        for (const s of frame.settings) {
          if (s.id === SettingsId.INITIAL_WINDOW_SIZE) this.onPeerInitialWindow(s.value);
        }
        return undefined;
      case 'PING':
        if (frame.id % 2 === this.nextPingId % 2) {
          const done = this.pendingPings.get(frame.id);
          this.pendingPings.delete(frame.id);
          done?.();
        } else {
          this.emit('ping', frame.id);
          this.sendFrame({ type: 'PING', id: frame.id }).catch(() => undefined);
        }
        return undefined;
      case 'GOAWAY':
        this.peerWentAway = true;
        this.emit('goaway', frame.lastGoodStreamId, frame.status);
        this.maybeFinish();
        return undefined;
      case 'WINDOW_UPDATE':
        this.onWindowUpdate(frame.streamId, frame.delta);
        return undefined;
      case 'UNKNOWN':
        // SPDY/3 §2.2.1: an unrecognised control frame type MUST be ignored.
        return undefined;
    }
  }

  private onDataFrame(streamId: number, flags: number, data: Buffer): void {
    const stream = this.streams.get(streamId);
    if (!stream) {
      // Still count it against the session window, then give it back.
      this.creditSession(data.length);
      this.resetStream(streamId, RstStatus.INVALID_STREAM);
      return;
    }
    if (stream.remoteEnded) {
      this.creditSession(data.length);
      this.resetStream(streamId, RstStatus.STREAM_ALREADY_CLOSED);
      stream.onRemoteReset(RstStatus.STREAM_ALREADY_CLOSED);
      return;
    }
    if (!stream.replied && stream.isLocallyInitiated) {
      this.creditSession(data.length);
      this.resetStream(streamId, RstStatus.PROTOCOL_ERROR);
      stream.onRemoteReset(RstStatus.PROTOCOL_ERROR);
      return;
    }
    stream.receiveWindow -= data.length;
    if (stream.receiveWindow < 0 && this.options.strictReceiveWindow) {
      this.creditSession(data.length);
      this.resetStream(streamId, RstStatus.FLOW_CONTROL_ERROR);
      stream.onRemoteReset(RstStatus.FLOW_CONTROL_ERROR);
      return;
    }
    stream.onRemoteData(data);
    if ((flags & FLAG_FIN) !== 0) stream.onRemoteEnd();
  }

  private async onSynStream(
    streamId: number,
    flags: number,
    priority: number,
    headerBlock: Buffer,
  ): Promise<void> {
    // Always inflate: the shared zlib context must see every block even if we refuse the stream.
    const headers = await this.decompressor.decompress(headerBlock, streamId);
    const peerParity = this.role === 'server' ? 1 : 0;
    if (streamId % 2 !== peerParity || streamId <= this.lastRemoteStreamId) {
      throw new SpdyProtocolError(
        `SYN_STREAM id ${streamId} is not a new ${this.role === 'server' ? 'odd' : 'even'} id`,
      );
    }
    this.lastRemoteStreamId = streamId;
    if (this.goingAway || this.peerWentAway) {
      this.resetStream(streamId, RstStatus.REFUSED_STREAM);
      return;
    }
    if (this.streams.size >= this.options.maxConcurrentStreams) {
      this.resetStream(streamId, RstStatus.REFUSED_STREAM);
      return;
    }
    const stream = this.createStream(streamId, headers, priority);
    if ((flags & FLAG_FIN) !== 0) stream.onRemoteEnd();
    if ((flags & FLAG_UNIDIRECTIONAL) !== 0) stream.markUnidirectional();
    if (this.options.autoReply && (flags & FLAG_UNIDIRECTIONAL) === 0) {
      void stream.reply().catch(() => undefined);
    }
    this.emit('stream', stream);
  }

  private async onSynReply(streamId: number, flags: number, headerBlock: Buffer): Promise<void> {
    const headers = await this.decompressor.decompress(headerBlock, streamId);
    const stream = this.streams.get(streamId);
    if (!stream?.isLocallyInitiated) {
      this.resetStream(streamId, RstStatus.INVALID_STREAM);
      return;
    }
    if (stream.replied) {
      this.resetStream(streamId, RstStatus.STREAM_IN_USE);
      stream.onRemoteReset(RstStatus.STREAM_IN_USE);
      return;
    }
    stream.onReplied(headers);
    if ((flags & FLAG_FIN) !== 0) stream.onRemoteEnd();
  }

  private async onHeaders(streamId: number, flags: number, headerBlock: Buffer): Promise<void> {
    const headers = await this.decompressor.decompress(headerBlock, streamId);
    const stream = this.streams.get(streamId);
    if (!stream) {
      this.resetStream(streamId, RstStatus.INVALID_STREAM);
      return;
    }
    stream.emit('headers', headers);
    if ((flags & FLAG_FIN) !== 0) stream.onRemoteEnd();
  }

  private onPeerInitialWindow(value: number): void {
    if (value > MAX_WINDOW_DELTA) {
      this.fail(new SpdyProtocolError(`SETTINGS_INITIAL_WINDOW_SIZE ${value} exceeds 2^31-1`));
      return;
    }
    const delta = value - this.peerInitialWindow;
    this.peerInitialWindow = value;
    for (const stream of this.streams.values()) stream.adjustSendWindow(delta);
  }

  private onWindowUpdate(streamId: number, delta: number): void {
    if (streamId === 0) {
      this.sessionSendWindow += delta;
      if (this.sessionSendWindow > MAX_WINDOW_DELTA) {
        this.fail(
          new SpdyProtocolError('session window overflow', 0, RstStatus.FLOW_CONTROL_ERROR),
        );
        return;
      }
      for (const w of this.sessionWindowWaiters.splice(0)) w();
      return;
    }
    const stream = this.streams.get(streamId);
    if (!stream) return; // Late update for a finished stream: harmless.
    if (stream.sendWindow + delta > MAX_WINDOW_DELTA) {
      this.resetStream(streamId, RstStatus.FLOW_CONTROL_ERROR);
      stream.onRemoteReset(RstStatus.FLOW_CONTROL_ERROR);
      return;
    }
    stream.adjustSendWindow(delta);
  }

  /** @internal */
  resetStream(streamId: number, status: number): void {
    this.sendFrame({ type: 'RST_STREAM', streamId, status }).catch(() => undefined);
  }

  private createStream(id: number, headers: SpdyHeaders, priority: number): SpdyStream {
    const stream = new SpdyStream(this, id, headers, priority, {
      sendWindow: this.peerInitialWindow,
      receiveWindow: this.options.initialWindowSize,
    });
    this.streams.set(id, stream);
    return stream;
  }

  /** @internal */
  forgetStream(stream: SpdyStream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
    this.setReadBlocked(stream.id, false);
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.closed) return;
    if ((this.goingAway || this.peerWentAway) && this.streams.size === 0) {
      // Flush whatever is queued, then end the socket.
      void this.writeChain.then(() => {
        if (this.closed) return;
        this.socket.end(() => {
          this.destroy();
        });
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Failure, idle, socket end

  private fail(err: unknown): void {
    if (this.closed) return;
    const error =
      err instanceof SpdyProtocolError
        ? err
        : new SpdyProtocolError(
            err instanceof Error ? err.message : String(err),
            0,
            RstStatus.INTERNAL_ERROR,
          );
    this.goingAway = true;
    const status =
      error.status === RstStatus.INTERNAL_ERROR
        ? GoAwayStatus.INTERNAL_ERROR
        : GoAwayStatus.PROTOCOL_ERROR;
    const goaway = encodeFrame({
      type: 'GOAWAY',
      lastGoodStreamId: this.lastRemoteStreamId,
      status,
    });
    // Skip the queue: framing is lost, nothing else is worth sending.
    try {
      this.socket.write(goaway);
    } catch {
      // The socket is already gone; nothing to tell the peer.
    }
    this.emit('sessionError', error);
    this.teardown(true);
  }

  private touch(): void {
    if (this.options.idleTimeoutMs <= 0 || this.closed) return;
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.onIdle();
    }, this.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private onIdle(): void {
    if (this.closed) return;
    this.goingAway = true;
    try {
      this.socket.write(
        encodeFrame({
          type: 'GOAWAY',
          lastGoodStreamId: this.lastRemoteStreamId,
          status: GoAwayStatus.OK,
        }),
      );
    } catch {
      // Socket gone already.
    }
    this.teardown(true);
  }

  private readonly onSocketEnd = (): void => {
    // The peer will send nothing more: streams it has not finished never will be.
    if (!this.reader.idle) {
      this.fail(new SpdyProtocolError('connection ended inside a frame'));
      return;
    }
    for (const stream of [...this.streams.values()]) stream.onRemoteGone();
    this.destroy();
  };

  private readonly onSocketGone = (): void => {
    this.destroy();
  };
}

function decodeInit(init: SpdyHeadersInit): SpdyHeaders {
  const out: SpdyHeaders = Object.create(null) as SpdyHeaders;
  for (const [k, v] of Object.entries(init)) {
    out[k.toLowerCase()] = typeof v === 'string' ? [v] : [...v];
  }
  return out;
}

export interface SpdyStreamEvents {
  headers: [headers: SpdyHeaders];
  reset: [status: number];
}

/**
 * One SPDY stream as a Duplex. Reading yields the peer's DATA; writing sends DATA within the
 * windows; end() sends FIN. It never emits 'error': a reset (either side) is reported by the
 * 'reset' event and `resetStatus`, then the stream is destroyed quietly.
 */
export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  readonly priority: number;
  /** Headers of the SYN_REPLY (client role), once received. */
  replyHeaders: SpdyHeaders | undefined;
  resetStatus: number | undefined;

  /** @internal */ sendWindow: number;
  /** @internal */ receiveWindow: number;
  /** @internal */ ungranted = 0;
  /** @internal */ remoteEnded = false;
  /** @internal */ replied = false;

  private readonly session: SpdySession;
  private locallyInitiated = false;
  private unidirectional = false;
  private windowWaiters: Waiter[] = [];
  private replyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private replyPromise: Promise<void> | undefined;
  private localEnded = false;
  private readBlocked = false;
  private pushed = 0;
  private accounted = 0;

  /** @internal created by SpdySession only. */
  constructor(
    session: SpdySession,
    id: number,
    headers: SpdyHeaders,
    priority: number,
    windows: { sendWindow: number; receiveWindow: number },
  ) {
    super({
      allowHalfOpen: true,
      // A peer honouring our window never fills this; one that ignores windows (Go's
      // spdystream) does, and then the socket is paused until the reader catches up.
      readableHighWaterMark: 2 * windows.receiveWindow,
      writableHighWaterMark: 64 * 1024,
    });
    this.session = session;
    this.id = id;
    this.headers = headers;
    this.priority = priority;
    this.sendWindow = windows.sendWindow;
    this.receiveWindow = windows.receiveWindow;
  }

  /** First value of a request header (names are lowercase on the wire). */
  header(name: string): string | undefined {
    return headerValue(this.headers, name.toLowerCase());
  }

  get isLocallyInitiated(): boolean {
    return this.locallyInitiated;
  }

  /** Send SYN_REPLY (server role). Idempotent; later data waits for it. */
  reply(headers: SpdyHeadersInit = {}, options: { fin?: boolean } = {}): Promise<void> {
    if (this.replyPromise) return this.replyPromise;
    const fin = options.fin ?? false;
    this.replyPromise = this.session
      .sendHeaderFrame(
        headerBlock => ({
          type: 'SYN_REPLY',
          streamId: this.id,
          flags: fin ? FLAG_FIN : 0,
          headerBlock,
        }),
        headers,
      )
      .then(() => {
        this.replied = true;
        if (fin) {
          this.localEnded = true;
          this.end();
        }
      });
    return this.replyPromise;
  }

  /** Send a HEADERS frame on this stream. */
  sendHeaders(headers: SpdyHeadersInit, options: { fin?: boolean } = {}): Promise<void> {
    const fin = options.fin ?? false;
    return this.session.sendHeaderFrame(
      headerBlock => ({
        type: 'HEADERS',
        streamId: this.id,
        flags: fin ? FLAG_FIN : 0,
        headerBlock,
      }),
      headers,
    );
  }

  /** Abort the stream with RST_STREAM (default CANCEL). */
  reset(status: number = RstStatus.CANCEL): void {
    if (this.resetStatus !== undefined) return;
    this.resetStatus = status;
    this.session.resetStream(this.id, status);
    this.emit('reset', status);
    this.wakeAll();
    this.destroy();
  }

  // ----- internal hooks used by the session --------------------------------------------------

  /** @internal */
  markLocalInitiated(): void {
    this.locallyInitiated = true;
    this.replyPromise = Promise.resolve();
  }

  /** @internal */
  markUnidirectional(): void {
    this.unidirectional = true;
    this.localEnded = true;
    this.end();
  }

  /** @internal */
  waitReplied(): Promise<void> {
    if (this.replied) return Promise.resolve();
    if (this.resetStatus !== undefined || this.destroyed) {
      return Promise.reject(new Error(`stream ${this.id} was reset before its reply`));
    }
    return new Promise((resolve, reject) => this.replyWaiters.push({ resolve, reject }));
  }

  /** @internal */
  onReplied(headers: SpdyHeaders): void {
    this.replied = true;
    this.replyHeaders = headers;
    for (const w of this.replyWaiters.splice(0)) w.resolve();
  }

  /** @internal */
  waitWindow(): Promise<void> {
    if (this.sendWindow > 0 || this.resetStatus !== undefined || this.destroyed) {
      return Promise.resolve();
    }
    return new Promise(resolve => this.windowWaiters.push(resolve));
  }

  /** @internal */
  adjustSendWindow(delta: number): void {
    this.sendWindow += delta;
    if (this.sendWindow > 0) for (const w of this.windowWaiters.splice(0)) w();
  }

  /** @internal */
  onRemoteData(data: Buffer): void {
    if (this.destroyed || this.readableEnded) {
      this.session.grantWindow(this, data.length);
      return;
    }
    this.pushed += data.length;
    const lengthBefore = this.readableLength;
    const accountedBefore = this.accounted;
    const flowing = this.push(data);
    // A flowing stream with an empty buffer hands the chunk straight to 'data' listeners without
    // going through read(): whatever did not land in the buffer was consumed on the spot.
    const buffered = this.readableLength - lengthBefore;
    const direct = data.length - buffered - (this.accounted - accountedBefore);
    if (direct > 0) this.onConsumed(direct);
    if (!flowing && this.readableLength >= this.readableHighWaterMark) {
      this.readBlocked = true;
      this.session.setReadBlocked(this.id, true);
    }
  }

  /** @internal */
  onRemoteEnd(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    if (!this.destroyed) this.push(null);
    this.maybeForget();
  }

  /** @internal the peer reset the stream, or the session reset it for a peer's mistake. */
  onRemoteReset(status: number): void {
    if (this.resetStatus !== undefined) return;
    this.resetStatus = status;
    this.emit('reset', status);
    this.wakeAll();
    this.destroy();
  }

  /** @internal the connection ended without this stream finishing. */
  onRemoteGone(): void {
    this.abortFromSession();
  }

  /** @internal */
  abortFromSession(): void {
    if (!this.remoteEnded || !this.localEnded) this.resetStatus ??= RstStatus.CANCEL;
    this.wakeAll();
    this.destroy();
  }

  private wakeAll(): void {
    for (const w of this.windowWaiters.splice(0)) w();
    const err = new Error(`stream ${this.id} was reset`);
    for (const w of this.replyWaiters.splice(0)) w.reject(err);
  }

  private maybeForget(): void {
    if (this.remoteEnded && this.localEnded) this.session.forgetStream(this);
  }

  // ----- Duplex implementation ----------------------------------------------------------------

  override _read(): void {
    // Data is pushed as frames arrive; consumption is accounted in read() below.
  }

  /**
   * Every consumer path (flowing 'data', pipe, async iteration, explicit read()) goes through
   * read(): the bytes it returns were consumed, so they can be granted back to the peer.
   */
  override read(size?: number): Buffer | null {
    const chunk: unknown = super.read(size);
    if (Buffer.isBuffer(chunk)) this.onConsumed(chunk.length);
    return chunk as Buffer | null;
  }

  private onConsumed(bytes: number): void {
    this.accounted += bytes;
    this.receiveWindow += bytes;
    this.session.grantWindow(this, bytes);
    if (this.readBlocked && this.readableLength < this.readableHighWaterMark) {
      this.readBlocked = false;
      this.session.setReadBlocked(this.id, false);
    }
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (err?: Error | null) => void,
  ): void {
    this.writeData(chunk, false).then(
      () => {
        callback();
      },
      (err: unknown) => {
        this.writeFailed(err, callback);
      },
    );
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (err?: Error | null) => void,
  ): void {
    const data = Buffer.concat(chunks.map(c => c.chunk));
    this.writeData(data, false).then(
      () => {
        callback();
      },
      (err: unknown) => {
        this.writeFailed(err, callback);
      },
    );
  }

  /**
   * A write that failed because the stream was reset or the session went away is not an error
   * worth an 'error' event (which would crash a server with no listener): the 'reset' event and
   * `resetStatus` already say so. Anything else is passed on.
   */
  private writeFailed(err: unknown, callback: (err?: Error | null) => void): void {
    if (this.destroyed || this.resetStatus !== undefined) {
      callback();
      return;
    }
    callback(err instanceof Error ? err : new Error(String(err)));
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.localEnded || this.resetStatus !== undefined) {
      this.localEnded = true;
      callback();
      this.maybeForget();
      return;
    }
    this.writeData(Buffer.alloc(0), true).then(
      () => {
        this.localEnded = true;
        callback();
        this.maybeForget();
      },
      () => {
        // The session or stream died; nothing more to send. Finish quietly.
        this.localEnded = true;
        callback();
        this.maybeForget();
      },
    );
  }

  override _destroy(_err: Error | null, callback: (err?: Error | null) => void): void {
    if (this.resetStatus === undefined && !(this.remoteEnded && this.localEnded)) {
      this.resetStatus = RstStatus.CANCEL;
      this.session.resetStream(this.id, RstStatus.CANCEL);
    }
    // Unread bytes will never be consumed: give them back to the session window.
    const unread = this.pushed - this.accounted;
    this.accounted = this.pushed;
    this.session.grantWindow(this, unread);
    this.wakeAll();
    this.session.forgetStream(this);
    // Never surface an error event: resets are reported through 'reset'/resetStatus.
    callback(null);
  }

  private async writeData(data: Buffer, fin: boolean): Promise<void> {
    if (this.unidirectional) throw new Error(`stream ${this.id} is unidirectional`);
    if (this.replyPromise === undefined) {
      // autoReply off and the caller writes first: reply implicitly.
      void this.reply();
    }
    await this.replyPromise;
    await this.session.sendData(this, data, fin);
  }
}

/**
 * Wait for `count` streams (optionally only those matching `accept`) within `timeoutMs`. Streams
 * that do not match are left alone. Rejects on timeout or if the session closes first; the caller
 * decides whether to close the session then.
 */
export function waitForStreams(
  session: SpdySession,
  count: number,
  timeoutMs: number,
  accept: (stream: SpdyStream) => boolean = () => true,
): Promise<SpdyStream[]> {
  return new Promise((resolve, reject) => {
    const got: SpdyStream[] = [];
    const cleanup = (): void => {
      clearTimeout(timer);
      session.off('stream', onStream);
      session.off('close', onClose);
    };
    const onStream = (stream: SpdyStream): void => {
      if (!accept(stream)) return;
      got.push(stream);
      if (got.length >= count) {
        cleanup();
        resolve(got);
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error(`SPDY session closed after ${got.length} of ${count} streams`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `timed out after ${timeoutMs} ms waiting for streams: got ${got.length} of ${count}`,
        ),
      );
    }, timeoutMs);
    if (count <= 0) {
      cleanup();
      resolve([]);
      return;
    }
    session.on('stream', onStream);
    session.on('close', onClose);
  });
}
