/**
 * SPDY/3.1 frame codec: pure encode/decode of every frame type plus an incremental reader that
 * copes with frames split across (or coalesced within) TCP chunks. Header blocks stay compressed
 * here; header-block.ts owns the zlib context.
 *
 * Wire layout (big-endian):
 *   control: |1| version(15) | type(16) | flags(8) | length(24) | payload
 *   data:    |0| stream-id(31)           | flags(8) | length(24) | payload
 */

export const SPDY_VERSION = 3;
export const FRAME_HEADER_SIZE = 8;
/** The 24-bit length field's ceiling. */
export const MAX_FRAME_PAYLOAD = 0xff_ffff;
export const MAX_STREAM_ID = 0x7fff_ffff;
export const MAX_WINDOW_DELTA = 0x7fff_ffff;

export const ControlType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
export const FLAG_SETTINGS_CLEAR = 0x01;

export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
  INVALID_CREDENTIALS: 10,
  FRAME_TOO_LARGE: 11,
} as const;

export const GoAwayStatus = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

export const SettingsId = {
  UPLOAD_BANDWIDTH: 1,
  DOWNLOAD_BANDWIDTH: 2,
  ROUND_TRIP_TIME: 3,
  MAX_CONCURRENT_STREAMS: 4,
  CURRENT_CWND: 5,
  DOWNLOAD_RETRANS_RATE: 6,
  INITIAL_WINDOW_SIZE: 7,
  CLIENT_CERTIFICATE_VECTOR_SIZE: 8,
} as const;

export interface DataFrame {
  readonly type: 'DATA';
  readonly streamId: number;
  readonly flags: number;
  readonly data: Buffer;
}
export interface SynStreamFrame {
  readonly type: 'SYN_STREAM';
  readonly streamId: number;
  readonly associatedStreamId: number;
  /** 0 (highest) to 7. */
  readonly priority: number;
  readonly slot: number;
  readonly flags: number;
  /** Still zlib-compressed. */
  readonly headerBlock: Buffer;
}
export interface SynReplyFrame {
  readonly type: 'SYN_REPLY';
  readonly streamId: number;
  readonly flags: number;
  readonly headerBlock: Buffer;
}
export interface RstStreamFrame {
  readonly type: 'RST_STREAM';
  readonly streamId: number;
  readonly status: number;
}
export interface Setting {
  readonly flags: number;
  readonly id: number;
  readonly value: number;
}
export interface SettingsFrame {
  readonly type: 'SETTINGS';
  readonly flags: number;
  readonly settings: readonly Setting[];
}
export interface PingFrame {
  readonly type: 'PING';
  readonly id: number;
}
export interface GoAwayFrame {
  readonly type: 'GOAWAY';
  readonly lastGoodStreamId: number;
  readonly status: number;
}
export interface HeadersFrame {
  readonly type: 'HEADERS';
  readonly streamId: number;
  readonly flags: number;
  readonly headerBlock: Buffer;
}
export interface WindowUpdateFrame {
  readonly type: 'WINDOW_UPDATE';
  /** 0 addresses the session window (SPDY/3.1). */
  readonly streamId: number;
  readonly delta: number;
}
/** A well-formed control frame of a type this codec does not know; the spec says ignore it. */
export interface UnknownControlFrame {
  readonly type: 'UNKNOWN';
  readonly controlType: number;
  readonly flags: number;
  readonly payload: Buffer;
}

export type SpdyFrame =
  | DataFrame
  | SynStreamFrame
  | SynReplyFrame
  | RstStreamFrame
  | SettingsFrame
  | PingFrame
  | GoAwayFrame
  | HeadersFrame
  | WindowUpdateFrame
  | UnknownControlFrame;

/** A violation of the framing rules; `status` is the GOAWAY/RST code to answer with. */
export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
  readonly streamId: number;
  readonly status: number;
  constructor(message: string, streamId = 0, status: number = RstStatus.PROTOCOL_ERROR) {
    super(message);
    this.streamId = streamId;
    this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

function checkU31(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_STREAM_ID) {
    throw new RangeError(`${what} must be an integer in [0, 2^31-1], got ${value}`);
  }
}
function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RangeError(`${what} must be an integer in [0, 2^32-1], got ${value}`);
  }
}
function checkU8(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`${what} must be an integer in [0, 255], got ${value}`);
  }
}

function controlFrame(type: number, flags: number, payloadLength: number): Buffer {
  checkU8(flags, 'flags');
  if (payloadLength > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`frame payload of ${payloadLength} bytes exceeds 2^24-1`);
  }
  const buf = Buffer.allocUnsafe(FRAME_HEADER_SIZE + payloadLength);
  buf.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  buf.writeUInt16BE(type, 2);
  buf.writeUInt32BE(((flags << 24) | payloadLength) >>> 0, 4);
  return buf;
}

/** The 8-byte header of a data frame; send it followed by the payload to avoid a copy. */
export function encodeDataFrameHeader(streamId: number, flags: number, length: number): Buffer {
  checkU31(streamId, 'stream id');
  checkU8(flags, 'flags');
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`data frame length ${length} is outside [0, 2^24-1]`);
  }
  const buf = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  buf.writeUInt32BE(streamId, 0);
  buf.writeUInt32BE(((flags << 24) | length) >>> 0, 4);
  return buf;
}

export function encodeFrame(frame: SpdyFrame): Buffer {
  switch (frame.type) {
    case 'DATA': {
      const header = encodeDataFrameHeader(frame.streamId, frame.flags, frame.data.length);
      return Buffer.concat([header, frame.data]);
    }
    case 'SYN_STREAM': {
      checkU31(frame.streamId, 'stream id');
      checkU31(frame.associatedStreamId, 'associated stream id');
      if (!Number.isInteger(frame.priority) || frame.priority < 0 || frame.priority > 7) {
        throw new RangeError(`priority must be 0..7, got ${frame.priority}`);
      }
      checkU8(frame.slot, 'slot');
      const buf = controlFrame(ControlType.SYN_STREAM, frame.flags, 10 + frame.headerBlock.length);
      buf.writeUInt32BE(frame.streamId, 8);
      buf.writeUInt32BE(frame.associatedStreamId, 12);
      buf.writeUInt8(frame.priority << 5, 16);
      buf.writeUInt8(frame.slot, 17);
      frame.headerBlock.copy(buf, 18);
      return buf;
    }
    case 'SYN_REPLY':
    case 'HEADERS': {
      checkU31(frame.streamId, 'stream id');
      const type = frame.type === 'SYN_REPLY' ? ControlType.SYN_REPLY : ControlType.HEADERS;
      const buf = controlFrame(type, frame.flags, 4 + frame.headerBlock.length);
      buf.writeUInt32BE(frame.streamId, 8);
      frame.headerBlock.copy(buf, 12);
      return buf;
    }
    case 'RST_STREAM': {
      checkU31(frame.streamId, 'stream id');
      checkU32(frame.status, 'status');
      const buf = controlFrame(ControlType.RST_STREAM, 0, 8);
      buf.writeUInt32BE(frame.streamId, 8);
      buf.writeUInt32BE(frame.status, 12);
      return buf;
    }
    case 'SETTINGS': {
      const buf = controlFrame(ControlType.SETTINGS, frame.flags, 4 + 8 * frame.settings.length);
      buf.writeUInt32BE(frame.settings.length, 8);
      let offset = 12;
      for (const s of frame.settings) {
        checkU8(s.flags, 'setting flags');
        if (!Number.isInteger(s.id) || s.id < 0 || s.id > 0xff_ffff) {
          throw new RangeError(`setting id must fit 24 bits, got ${s.id}`);
        }
        checkU32(s.value, 'setting value');
        buf.writeUInt32BE(((s.flags << 24) | s.id) >>> 0, offset);
        buf.writeUInt32BE(s.value, offset + 4);
        offset += 8;
      }
      return buf;
    }
    case 'PING': {
      checkU32(frame.id, 'ping id');
      const buf = controlFrame(ControlType.PING, 0, 4);
      buf.writeUInt32BE(frame.id, 8);
      return buf;
    }
    case 'GOAWAY': {
      checkU31(frame.lastGoodStreamId, 'last good stream id');
      checkU32(frame.status, 'status');
      const buf = controlFrame(ControlType.GOAWAY, 0, 8);
      buf.writeUInt32BE(frame.lastGoodStreamId, 8);
      buf.writeUInt32BE(frame.status, 12);
      return buf;
    }
    case 'WINDOW_UPDATE': {
      checkU31(frame.streamId, 'stream id');
      if (!Number.isInteger(frame.delta) || frame.delta < 1 || frame.delta > MAX_WINDOW_DELTA) {
        throw new RangeError(`window delta must be in [1, 2^31-1], got ${frame.delta}`);
      }
      const buf = controlFrame(ControlType.WINDOW_UPDATE, 0, 8);
      buf.writeUInt32BE(frame.streamId, 8);
      buf.writeUInt32BE(frame.delta, 12);
      return buf;
    }
    case 'UNKNOWN': {
      const buf = controlFrame(frame.controlType, frame.flags, frame.payload.length);
      frame.payload.copy(buf, 8);
      return buf;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

function expectLength(name: string, length: number, expected: number, streamId = 0): void {
  if (length !== expected) {
    throw new SpdyProtocolError(
      `${name} frame must carry ${expected} bytes, got ${length}`,
      streamId,
      RstStatus.PROTOCOL_ERROR,
    );
  }
}
function expectAtLeast(name: string, length: number, min: number): void {
  if (length < min) {
    throw new SpdyProtocolError(`${name} frame too short: ${length} < ${min} bytes`);
  }
}
function nonZeroStream(name: string, streamId: number): void {
  if (streamId === 0) throw new SpdyProtocolError(`${name} frame on stream 0`);
}

/**
 * Decode one complete frame (header + payload exactly). Throws SpdyProtocolError for anything
 * malformed; never any other error.
 */
export function decodeFrame(buf: Buffer): SpdyFrame {
  if (buf.length < FRAME_HEADER_SIZE) {
    throw new SpdyProtocolError(`truncated frame header: ${buf.length} bytes`);
  }
  const word0 = buf.readUInt32BE(0);
  const word1 = buf.readUInt32BE(4);
  const flags = word1 >>> 24;
  const length = word1 & 0xff_ffff;
  if (buf.length !== FRAME_HEADER_SIZE + length) {
    throw new SpdyProtocolError(
      `frame length field says ${length} bytes but ${buf.length - FRAME_HEADER_SIZE} are present`,
    );
  }
  const payload = buf.subarray(FRAME_HEADER_SIZE);
  if ((word0 & 0x8000_0000) === 0) {
    const streamId = word0 & MAX_STREAM_ID;
    nonZeroStream('DATA', streamId);
    return { type: 'DATA', streamId, flags, data: payload };
  }
  const version = (word0 >>> 16) & 0x7fff;
  const type = word0 & 0xffff;
  if (version !== SPDY_VERSION) {
    throw new SpdyProtocolError(
      `unsupported SPDY version ${version}`,
      0,
      RstStatus.UNSUPPORTED_VERSION,
    );
  }
  switch (type) {
    case ControlType.SYN_STREAM: {
      expectAtLeast('SYN_STREAM', length, 10);
      const streamId = payload.readUInt32BE(0) & MAX_STREAM_ID;
      nonZeroStream('SYN_STREAM', streamId);
      return {
        type: 'SYN_STREAM',
        streamId,
        associatedStreamId: payload.readUInt32BE(4) & MAX_STREAM_ID,
        priority: payload.readUInt8(8) >>> 5,
        slot: payload.readUInt8(9),
        flags,
        headerBlock: payload.subarray(10),
      };
    }
    case ControlType.SYN_REPLY:
    case ControlType.HEADERS: {
      const name = type === ControlType.SYN_REPLY ? 'SYN_REPLY' : 'HEADERS';
      expectAtLeast(name, length, 4);
      const streamId = payload.readUInt32BE(0) & MAX_STREAM_ID;
      nonZeroStream(name, streamId);
      return { type: name, streamId, flags, headerBlock: payload.subarray(4) };
    }
    case ControlType.RST_STREAM: {
      expectLength('RST_STREAM', length, 8);
      const streamId = payload.readUInt32BE(0) & MAX_STREAM_ID;
      nonZeroStream('RST_STREAM', streamId);
      const status = payload.readUInt32BE(4);
      if (status === 0) throw new SpdyProtocolError('RST_STREAM with status 0', streamId);
      return { type: 'RST_STREAM', streamId, status };
    }
    case ControlType.SETTINGS: {
      expectAtLeast('SETTINGS', length, 4);
      const count = payload.readUInt32BE(0);
      if (length !== 4 + 8 * count) {
        throw new SpdyProtocolError(`SETTINGS with ${count} entries cannot be ${length} bytes`);
      }
      const settings: Setting[] = [];
      for (let i = 0; i < count; i++) {
        const idWord = payload.readUInt32BE(4 + 8 * i);
        settings.push({
          flags: idWord >>> 24,
          id: idWord & 0xff_ffff,
          value: payload.readUInt32BE(8 + 8 * i),
        });
      }
      return { type: 'SETTINGS', flags, settings };
    }
    case ControlType.PING:
      expectLength('PING', length, 4);
      return { type: 'PING', id: payload.readUInt32BE(0) };
    case ControlType.GOAWAY:
      // SPDY/3 GOAWAY is 8 bytes (last-good id + status); the 4-byte SPDY/2 shape is rejected.
      expectLength('GOAWAY', length, 8);
      return {
        type: 'GOAWAY',
        lastGoodStreamId: payload.readUInt32BE(0) & MAX_STREAM_ID,
        status: payload.readUInt32BE(4),
      };
    case ControlType.WINDOW_UPDATE: {
      expectLength('WINDOW_UPDATE', length, 8);
      const streamId = payload.readUInt32BE(0) & MAX_STREAM_ID;
      const delta = payload.readUInt32BE(4) & MAX_WINDOW_DELTA;
      if (delta === 0) {
        throw new SpdyProtocolError('WINDOW_UPDATE with a zero delta', streamId);
      }
      return { type: 'WINDOW_UPDATE', streamId, delta };
    }
    default:
      return { type: 'UNKNOWN', controlType: type, flags, payload };
  }
}

export interface FrameReaderOptions {
  /** Largest payload accepted (default and ceiling: 2^24-1). Bigger → protocol error. */
  readonly maxFramePayload?: number;
}

/**
 * Incremental frame reader. push() chunks as they arrive; it returns every frame completed so
 * far. Once it has thrown, the stream is unrecoverable (framing is lost) and it keeps throwing.
 */
export class FrameReader {
  private readonly maxPayload: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: SpdyProtocolError | undefined;

  constructor(options: FrameReaderOptions = {}) {
    this.maxPayload = Math.min(options.maxFramePayload ?? MAX_FRAME_PAYLOAD, MAX_FRAME_PAYLOAD);
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): SpdyFrame[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: SpdyFrame[] = [];
    try {
      for (;;) {
        if (this.buffered < FRAME_HEADER_SIZE) break;
        const header = this.peek(FRAME_HEADER_SIZE);
        const length = header.readUInt32BE(4) & 0xff_ffff;
        if (length > this.maxPayload) {
          const control = (header.readUInt32BE(0) & 0x8000_0000) !== 0;
          const streamId = control ? 0 : header.readUInt32BE(0) & MAX_STREAM_ID;
          throw new SpdyProtocolError(
            `frame payload of ${length} bytes exceeds the ${this.maxPayload}-byte limit`,
            streamId,
            RstStatus.FRAME_TOO_LARGE,
          );
        }
        const total = FRAME_HEADER_SIZE + length;
        if (this.buffered < total) break;
        frames.push(decodeFrame(this.take(total)));
      }
    } catch (err) {
      this.failed = err instanceof SpdyProtocolError ? err : new SpdyProtocolError(String(err), 0);
      this.chunks = [];
      this.buffered = 0;
      throw this.failed;
    }
    return frames;
  }

  /** True when no partial frame is pending (a clean place for the connection to end). */
  get idle(): boolean {
    return this.buffered === 0;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) {
      this.buffered -= n;
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      if (!c) throw new SpdyProtocolError('internal: frame reader underflow');
      const used = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, used);
      filled += used;
      if (used === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(used);
    }
    this.buffered -= n;
    return out;
  }
}
