import { describe, expect, it } from 'vitest';
import {
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameReader,
  RstStatus,
  SpdyProtocolError,
  decodeFrame,
  encodeFrame,
  type SpdyFrame,
} from './frames.ts';

const samples: SpdyFrame[] = [
  { type: 'DATA', streamId: 1, flags: 0, data: Buffer.from('hello') },
  { type: 'DATA', streamId: 0x7fffffff, flags: FLAG_FIN, data: Buffer.alloc(0) },
  {
    type: 'SYN_STREAM',
    streamId: 3,
    associatedStreamId: 1,
    priority: 7,
    slot: 9,
    flags: FLAG_FIN | FLAG_UNIDIRECTIONAL,
    headerBlock: Buffer.from([1, 2, 3]),
  },
  { type: 'SYN_REPLY', streamId: 5, flags: FLAG_FIN, headerBlock: Buffer.from([9, 9]) },
  { type: 'RST_STREAM', streamId: 7, status: RstStatus.CANCEL },
  {
    type: 'SETTINGS',
    flags: 1,
    settings: [
      { flags: 1, id: 7, value: 1 << 20 },
      { flags: 0, id: 4, value: 100 },
    ],
  },
  { type: 'SETTINGS', flags: 0, settings: [] },
  { type: 'PING', id: 0xffffffff },
  { type: 'GOAWAY', lastGoodStreamId: 11, status: 2 },
  { type: 'HEADERS', streamId: 13, flags: 0, headerBlock: Buffer.from('abc') },
  { type: 'WINDOW_UPDATE', streamId: 0, delta: 0x7fffffff },
  { type: 'WINDOW_UPDATE', streamId: 15, delta: 1 },
  { type: 'UNKNOWN', controlType: 10, flags: 0, payload: Buffer.from([0, 1]) },
];

function normalise(f: SpdyFrame): unknown {
  return JSON.parse(JSON.stringify(f));
}

describe('frame codec', () => {
  it.each(samples.map(f => [f.type, f] as const))('round trips %s', (_name, frame) => {
    const bytes = encodeFrame(frame);
    expect(normalise(decodeFrame(bytes))).toEqual(normalise(frame));
  });

  it('lays out a control frame header as version 3, type, flags, length', () => {
    const bytes = encodeFrame({ type: 'PING', id: 1 });
    expect(bytes.toString('hex')).toBe('80030006' + '00000004' + '00000001');
    const data = encodeFrame({
      type: 'DATA',
      streamId: 3,
      flags: FLAG_FIN,
      data: Buffer.from('x'),
    });
    expect(data.toString('hex')).toBe('00000003' + '01000001' + '78');
  });

  it('places the priority in the top three bits', () => {
    const bytes = encodeFrame(samples[2]!);
    expect(bytes[16]).toBe(7 << 5);
  });

  it('refuses to encode out-of-range fields', () => {
    expect(() =>
      encodeFrame({ type: 'DATA', streamId: 2 ** 31, flags: 0, data: Buffer.alloc(0) }),
    ).toThrow(RangeError);
    expect(() => encodeFrame({ type: 'WINDOW_UPDATE', streamId: 1, delta: 0 })).toThrow(RangeError);
    expect(() =>
      encodeFrame({
        type: 'SYN_STREAM',
        streamId: 1,
        associatedStreamId: 0,
        priority: 8,
        slot: 0,
        flags: 0,
        headerBlock: Buffer.alloc(0),
      }),
    ).toThrow(RangeError);
    expect(() =>
      encodeFrame({ type: 'DATA', streamId: 1, flags: 0, data: Buffer.alloc(0x1000000) }),
    ).toThrow(RangeError);
  });
});

describe('malformed frames', () => {
  const bad = (hex: string): Buffer => Buffer.from(hex.replace(/\s/g, ''), 'hex');
  const cases: [string, Buffer][] = [
    ['bad version', bad('80020006 00000004 00000001')],
    ['truncated header', bad('800300')],
    ['length says more than present', bad('80030006 00000008 00000001')],
    ['length says less than present', bad('80030006 00000002 00000001')],
    ['PING of the wrong size', bad('80030006 00000005 0000000100')],
    ['RST_STREAM of the wrong size', bad('80030003 00000004 00000001')],
    ['RST_STREAM with status 0', bad('80030003 00000008 00000001 00000000')],
    ['GOAWAY of the SPDY/2 size', bad('80030007 00000004 00000001')],
    ['SETTINGS count mismatch', bad('80030004 0000000c 00000002 00000007 00010000')],
    ['SYN_STREAM too short', bad('80030001 00000004 00000001')],
    ['SYN_REPLY too short', bad('80030002 00000002 0000')],
    ['WINDOW_UPDATE delta 0', bad('80030009 00000008 00000001 00000000')],
    ['DATA on stream 0', bad('00000000 00000001 78')],
    ['SYN_STREAM on stream 0', bad('80030001 0000000a 00000000 00000000 0000')],
  ];
  it.each(cases)('rejects %s with SpdyProtocolError', (_name, bytes) => {
    expect(() => decodeFrame(bytes)).toThrow(SpdyProtocolError);
    const reader = new FrameReader();
    let error: unknown;
    try {
      reader.push(bytes);
      // Truncated input is not an error yet: the rest may still come.
      if (!reader.idle) error = 'pending';
    } catch (err) {
      error = err;
    }
    expect(error).toBeDefined();
  });

  it('reports the unsupported version status for a bad version', () => {
    try {
      decodeFrame(Buffer.from('80020006000000040000000 1'.replace(/ /g, ''), 'hex'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SpdyProtocolError);
      expect((err as SpdyProtocolError).status).toBe(RstStatus.UNSUPPORTED_VERSION);
    }
  });

  it('decodes an unknown control type as UNKNOWN (the spec says ignore it)', () => {
    const f = decodeFrame(Buffer.from('8003002a 00000002 abcd'.replace(/ /g, ''), 'hex'));
    expect(f).toMatchObject({ type: 'UNKNOWN', controlType: 42 });
  });

  it('rejects a frame whose length exceeds the configured ceiling before buffering it', () => {
    const reader = new FrameReader({ maxFramePayload: 1024 });
    const header = Buffer.from('00000001 00000401'.replace(/ /g, ''), 'hex');
    expect(() => reader.push(header)).toThrow(/exceeds the 1024-byte limit/);
    // Poisoned from then on.
    expect(() => reader.push(encodeFrame({ type: 'PING', id: 1 }))).toThrow(SpdyProtocolError);
  });

  it('does not throw from random garbage except SpdyProtocolError', () => {
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const len = rand() % 64;
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) buf[j] = rand() & 0xff;
      if (len > 0 && rand() % 2 === 0) buf[0] = 0x80 | (buf[0]! & 0x7f);
      if (len > 2) buf[1] = 3;
      const reader = new FrameReader({ maxFramePayload: 4096 });
      try {
        reader.push(buf);
      } catch (err) {
        expect(err).toBeInstanceOf(SpdyProtocolError);
      }
    }
  });
});

describe('FrameReader chunking', () => {
  const stream = Buffer.concat(samples.map(f => encodeFrame(f)));
  const expected = samples.map(normalise);

  it('decodes coalesced frames from one chunk', () => {
    const reader = new FrameReader();
    expect(reader.push(stream).map(normalise)).toEqual(expected);
    expect(reader.idle).toBe(true);
  });

  it('decodes frames split at every byte boundary', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new FrameReader();
      const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(got.map(normalise)).toEqual(expected);
    }
  });

  it('decodes a byte-at-a-time feed', () => {
    const reader = new FrameReader();
    const got: SpdyFrame[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...reader.push(stream.subarray(i, i + 1)));
    expect(got.map(normalise)).toEqual(expected);
    expect(reader.bufferedBytes).toBe(0);
  });
});
