/**
 * Channel framing for the Kubernetes WebSocket streaming sub-protocols.
 *
 * Binary protocols (`channel.k8s.io`, `v4.channel.k8s.io`, `v5.channel.k8s.io`) prefix each
 * message with one byte naming the channel. Base64 protocols (`base64.channel.k8s.io`,
 * `v4.base64.channel.k8s.io`) send text messages whose first character is `'0' + channel` and
 * whose remainder is standard, padded base64. `v5.channel.k8s.io` adds a close-stream signal: a
 * two-byte message `[255, channel]` that half-closes one channel.
 */

/** The first byte of a v5 close-stream message; the channel it closes follows. */
export const CLOSE_STREAM = 255;

/** Remote command channels, numbered like the POSIX descriptors they stand for. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const REMOTE_COMMAND_CHANNELS = 5;

/** How frames are coded on one negotiated connection. */
export interface FrameCodec {
  /** Text frames, `'0' + channel` then base64; otherwise binary frames with a channel byte. */
  readonly base64: boolean;
  /** Whether `[255, channel]` close-stream messages are understood (v5 only). */
  readonly streamClose: boolean;
  /** Valid channels are `0 .. channelCount - 1`. */
  readonly channelCount: number;
}

export type Frame =
  | { readonly type: 'data'; readonly channel: number; readonly data: Buffer }
  | { readonly type: 'close'; readonly channel: number };

/** A frame that breaks the sub-protocol; the connection should be closed with code 1002. */
export class ChannelProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelProtocolError';
  }
}

const BASE64_BODY = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DIGIT_ZERO = 0x30;

/** Decodes one received WebSocket message. Throws {@link ChannelProtocolError}, never crashes. */
export function decodeFrame(codec: FrameCodec, payload: Buffer): Frame {
  const first = payload[0];
  if (first === undefined) throw new ChannelProtocolError('empty frame');

  if (codec.streamClose && first === CLOSE_STREAM) {
    if (payload.length !== 2) {
      throw new ChannelProtocolError(
        `close-stream frame must carry exactly one channel byte, got ${payload.length - 1}`,
      );
    }
    const channel = payload[1] ?? -1;
    checkChannel(codec, channel);
    return { type: 'close', channel };
  }

  if (!codec.base64) {
    checkChannel(codec, first);
    return { type: 'data', channel: first, data: payload.subarray(1) };
  }

  const channel = first - DIGIT_ZERO;
  checkChannel(codec, channel);
  const body = payload.toString('latin1', 1);
  if (!BASE64_BODY.test(body)) throw new ChannelProtocolError('invalid base64 frame body');
  return { type: 'data', channel, data: Buffer.from(body, 'base64') };
}

function checkChannel(codec: FrameCodec, channel: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel >= codec.channelCount) {
    throw new ChannelProtocolError(`frame for unknown channel ${channel}`);
  }
}

/** Encodes data for one channel: a Buffer for binary protocols, a string for base64 ones. */
export function encodeDataFrame(
  codec: FrameCodec,
  channel: number,
  data: Uint8Array,
): Buffer | string {
  checkEncodable(codec, channel);
  if (codec.base64) {
    return String.fromCharCode(DIGIT_ZERO + channel) + Buffer.from(data).toString('base64');
  }
  const frame = Buffer.allocUnsafe(data.length + 1);
  frame[0] = channel;
  frame.set(data, 1);
  return frame;
}

/** Encodes a v5 close-stream signal for one channel. */
export function encodeCloseFrame(codec: FrameCodec, channel: number): Buffer {
  if (!codec.streamClose) throw new RangeError('protocol has no close-stream signal');
  checkEncodable(codec, channel);
  return Buffer.from([CLOSE_STREAM, channel]);
}

function checkEncodable(codec: FrameCodec, channel: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel >= codec.channelCount) {
    throw new RangeError(`channel ${channel} out of range`);
  }
}
