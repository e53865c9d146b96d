import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SpdyProtocolError } from './frames.ts';
import {
  HeaderCompressor,
  HeaderDecompressor,
  SPDY3_DICTIONARY,
  decodeNameValueBlock,
  encodeNameValueBlock,
} from './header-block.ts';

describe('SPDY/3 dictionary', () => {
  it('is the 1423-byte draft-3 dictionary (zlib dictionary id e3c6a7c2)', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1')).toBe('\0\0\0\x07options');
    expect(SPDY3_DICTIONARY.subarray(-6).toString('latin1')).toBe(',enq=0.'.slice(1));
    const deflated = zlib.deflateSync(Buffer.from('x'), { dictionary: SPDY3_DICTIONARY });
    // FDICT header: CMF/FLG then the Adler-32 of the dictionary.
    expect(deflated.subarray(2, 6).toString('hex')).toBe('e3c6a7c2');
  });
});

describe('name/value block', () => {
  it('encodes 32-bit counts and lengths, lowercases names, joins values with NUL', () => {
    const block = encodeNameValueBlock({ StreamType: 'stdout', Port: ['1', '2'] });
    expect(block.toString('hex')).toBe(
      '00000002' +
        '0000000a' +
        Buffer.from('streamtype').toString('hex') +
        '00000006' +
        Buffer.from('stdout').toString('hex') +
        '00000004' +
        Buffer.from('port').toString('hex') +
        '00000003' +
        Buffer.from('1\x002').toString('hex'),
    );
    expect(decodeNameValueBlock(block)).toEqual({ streamtype: ['stdout'], port: ['1', '2'] });
  });

  const fails = (hex: string): void => {
    expect(() => decodeNameValueBlock(Buffer.from(hex.replace(/ /g, ''), 'hex'))).toThrow(
      SpdyProtocolError,
    );
  };
  it('rejects a missing count', () => {
    fails('0000');
  });
  it('rejects an impossible pair count', () => {
    fails('7fffffff 00000000');
  });
  it('rejects a name overrunning the block', () => {
    fails('00000001 000000ff 61');
  });
  it('rejects an uppercase name', () => {
    fails('00000001 00000001 41 00000000');
  });
  it('rejects an empty name', () => {
    fails('00000001 00000000 00000000');
  });
  it('rejects duplicates', () => {
    fails('00000002 00000001 61 00000000 00000001 61 00000000');
  });
  it('rejects trailing bytes', () => {
    fails('00000000 00');
  });
  it('refuses to encode duplicate or NUL-bearing headers', () => {
    expect(() => encodeNameValueBlock({ a: '1', A: '2' })).toThrow(TypeError);
    expect(() => encodeNameValueBlock({ a: 'x\0y' })).toThrow(TypeError);
  });
});

describe('compression contexts', () => {
  it('round trips several blocks through one shared context, later ones smaller', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const blocks: Record<string, string | string[]>[] = [
      { streamtype: 'error', requestid: '0', port: '8080' },
      { streamtype: 'data', requestid: '0', port: '8080' },
      { streamtype: 'stdout', 'x-extra': ['a', 'b', 'c'] },
      {},
    ];
    const compressed = await Promise.all(blocks.map(b => c.compress(b)));
    expect(compressed[1]!.length).toBeLessThan(compressed[0]!.length);
    for (const [i, b] of blocks.entries()) {
      const got = await d.decompress(compressed[i]!);
      const want = Object.fromEntries(
        Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]),
      );
      expect({ ...got }).toEqual(want);
    }
    // Each block ends on a sync flush marker, so a plain inflater can read the concatenation.
    const all = zlib.inflateSync(Buffer.concat(compressed), {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    expect(all.length).toBe(
      blocks.map(b => encodeNameValueBlock(b).length).reduce((a, n) => a + n, 0),
    );
    for (const x of compressed) expect(x.subarray(-4).toString('hex')).toBe('0000ffff');
    c.close();
    d.close();
  });

  it('decodes blocks produced by an independent zlib stream (as Go would write them)', async () => {
    const deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
    const out: Buffer[] = [];
    deflate.on('data', (b: Buffer) => out.push(b));
    const blockFor = async (h: Record<string, string>): Promise<Buffer> => {
      out.length = 0;
      deflate.write(encodeNameValueBlock(h));
      await new Promise<void>(r => {
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          r();
        });
      });
      return Buffer.concat(out);
    };
    const d = new HeaderDecompressor();
    expect({ ...(await d.decompress(await blockFor({ streamtype: 'stdin' }))) }).toEqual({
      streamtype: ['stdin'],
    });
    expect({ ...(await d.decompress(await blockFor({ streamtype: 'resize' }))) }).toEqual({
      streamtype: ['resize'],
    });
    deflate.close();
    d.close();
  });

  it('turns corrupt compressed input into a SpdyProtocolError', async () => {
    const d = new HeaderDecompressor();
    await expect(d.decompress(Buffer.from('not zlib at all'))).rejects.toBeInstanceOf(
      SpdyProtocolError,
    );
    // The context is poisoned afterwards.
    const c = new HeaderCompressor();
    await expect(d.decompress(await c.compress({ a: 'b' }))).rejects.toBeInstanceOf(
      SpdyProtocolError,
    );
    c.close();
    d.close();
  });

  it('bounds the decompressed size (zlib bomb)', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor({ maxBlockBytes: 4096 });
    const block = await c.compress({ big: 'x'.repeat(100_000) });
    expect(block.length).toBeLessThan(2000);
    await expect(d.decompress(block)).rejects.toThrow(/exceeds 4096 bytes/);
    c.close();
    d.close();
  });
});
