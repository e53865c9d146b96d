/**
 * SPDY/3 name/value header blocks: the uncompressed layout and the zlib contexts that carry them.
 *
 * Uncompressed block: u32 pair count, then per pair u32 name length, name, u32 value length,
 * value. Names are lowercase and unique; several values of one name are joined with NUL.
 * The block is deflated with one zlib stream per direction per session, primed with the SPDY/3
 * dictionary, each block ending on a Z_SYNC_FLUSH boundary.
 */
import zlib from 'node:zlib';
import { RstStatus, SpdyProtocolError } from './frames.ts';

/** The length-prefixed words at the start of the SPDY/3 dictionary (draft 3, section 2.6.10.1). */
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset',
  'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow', 'authorization',
  'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language',
  'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date',
  'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma',
  'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after', 'server', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public',
  'set-cookie', 'keep-alive', 'origin',
]; // prettier-ignore

/** The unprefixed tail of the dictionary. */
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request' +
  '401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented' +
  '503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ' +
  'Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,' +
  'application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=' +
  'gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

function buildDictionary(): Buffer {
  const parts: Buffer[] = [];
  for (const word of DICTIONARY_WORDS) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(word.length, 0);
    parts.push(len, Buffer.from(word, 'latin1'));
  }
  parts.push(Buffer.from(DICTIONARY_TAIL, 'latin1'));
  return Buffer.concat(parts);
}

/** The SPDY/3 zlib dictionary (1423 bytes, Adler-32 0xe3c6a7c2). */
export const SPDY3_DICTIONARY: Buffer = buildDictionary();

/** Lowercase names to one or more values. */
export type SpdyHeaders = Record<string, string[]>;
/** What callers may pass when sending: a single value or several. */
export type SpdyHeadersInit = Readonly<Record<string, string | readonly string[]>>;

export interface HeaderBlockLimits {
  /** Ceiling on the decompressed size of one block (default 256 KiB). */
  readonly maxBlockBytes?: number;
  /** Ceiling on name/value pairs in one block (default 1024). */
  readonly maxPairs?: number;
}
export const DEFAULT_MAX_HEADER_BLOCK = 256 * 1024;
const DEFAULT_MAX_PAIRS = 1024;

/** Serialise headers into the uncompressed SPDY/3 name/value block. Names are lowercased. */
export function encodeNameValueBlock(headers: SpdyHeadersInit): Buffer {
  const pairs: [Buffer, Buffer][] = [];
  const seen = new Set<string>();
  for (const [rawName, rawValue] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (name.length === 0) throw new TypeError('empty header name');
    if (seen.has(name)) throw new TypeError(`duplicate header name ${name}`);
    seen.add(name);
    const values: readonly string[] = typeof rawValue === 'string' ? [rawValue] : rawValue;
    for (const v of values) {
      if (v.includes('\0')) throw new TypeError(`header ${name} has a NUL in a value`);
    }
    pairs.push([Buffer.from(name, 'utf8'), Buffer.from(values.join('\0'), 'utf8')]);
  }
  let size = 4;
  for (const [n, v] of pairs) size += 8 + n.length + v.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(pairs.length, 0);
  let offset = 4;
  for (const [n, v] of pairs) {
    out.writeUInt32BE(n.length, offset);
    n.copy(out, offset + 4);
    offset += 4 + n.length;
    out.writeUInt32BE(v.length, offset);
    v.copy(out, offset + 4);
    offset += 4 + v.length;
  }
  return out;
}

/** Parse an uncompressed block strictly; every defect is a SpdyProtocolError. */
export function decodeNameValueBlock(
  block: Buffer,
  streamId = 0,
  limits: HeaderBlockLimits = {},
): SpdyHeaders {
  const maxPairs = limits.maxPairs ?? DEFAULT_MAX_PAIRS;
  const fail = (msg: string): never => {
    throw new SpdyProtocolError(`header block: ${msg}`, streamId, RstStatus.PROTOCOL_ERROR);
  };
  if (block.length < 4) fail('missing pair count');
  const count = block.readUInt32BE(0);
  if (count > maxPairs) fail(`${count} pairs exceed the limit of ${maxPairs}`);
  // Each pair needs at least 8 bytes of lengths: reject impossible counts before looping.
  if (count * 8 > block.length - 4) fail(`${count} pairs cannot fit in ${block.length} bytes`);
  const headers: SpdyHeaders = Object.create(null) as SpdyHeaders;
  let offset = 4;
  const readString = (what: string): string => {
    if (offset + 4 > block.length) fail(`truncated ${what} length`);
    const len = block.readUInt32BE(offset);
    offset += 4;
    if (len > block.length - offset) fail(`${what} length ${len} overruns the block`);
    const s = block.toString('utf8', offset, offset + len);
    offset += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = readString('name');
    if (name.length === 0) fail('empty header name');
    if (name !== name.toLowerCase()) fail(`header name ${name} is not lowercase`);
    if (Object.hasOwn(headers, name)) fail(`duplicate header ${name}`);
    const value = readString('value');
    headers[name] = value.split('\0');
  }
  if (offset !== block.length) fail(`${block.length - offset} trailing bytes`);
  return headers;
}

/**
 * A serialising wrapper around a node:zlib stream used with Z_SYNC_FLUSH: one call at a time,
 * output of one call collected whole.
 */
class SyncFlushCodec {
  private readonly engine: zlib.Deflate | zlib.Inflate;
  private tail: Promise<unknown> = Promise.resolve();
  private collected: Buffer[] = [];
  private collectedBytes = 0;
  private limit = Infinity;
  private error: Error | undefined;
  private closed = false;

  constructor(engine: zlib.Deflate | zlib.Inflate) {
    this.engine = engine;
    engine.on('data', (chunk: Buffer) => {
      // Past the limit keep counting but stop holding: a zlib bomb costs CPU, not memory.
      this.collectedBytes += chunk.length;
      if (this.collectedBytes <= this.limit) this.collected.push(chunk);
    });
    engine.on('error', (err: Error) => {
      this.error = err;
    });
  }

  run(input: Buffer, limit: number): Promise<Buffer> {
    const next = this.tail.then(() => this.runOne(input, limit));
    this.tail = next.catch(() => undefined);
    return next;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.close();
  }

  private runOne(input: Buffer, limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.error) {
        reject(this.error);
        return;
      }
      if (this.closed) {
        reject(new Error('header codec closed'));
        return;
      }
      this.collected = [];
      this.collectedBytes = 0;
      this.limit = limit;
      const onError = (err: Error): void => {
        reject(err);
      };
      this.engine.once('error', onError);
      if (input.length > 0) this.engine.write(input);
      this.engine.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.engine.removeListener('error', onError);
        if (this.closed) {
          reject(new Error('header codec closed'));
          return;
        }
        if (this.error) {
          reject(this.error);
          return;
        }
        const total = this.collectedBytes;
        const out = Buffer.concat(this.collected);
        this.collected = [];
        this.collectedBytes = 0;
        if (total > this.limit) {
          reject(new Error(`decompressed header block exceeds ${this.limit} bytes`));
          return;
        }
        resolve(out);
      });
    });
  }
}

/** One direction's compression context: every outgoing header block goes through it in order. */
export class HeaderCompressor {
  private readonly codec = new SyncFlushCodec(
    zlib.createDeflate({
      dictionary: SPDY3_DICTIONARY,
      level: zlib.constants.Z_DEFAULT_COMPRESSION,
    }),
  );

  /** Encode and compress; calls complete in call order. */
  compress(headers: SpdyHeadersInit): Promise<Buffer> {
    let block: Buffer;
    try {
      block = encodeNameValueBlock(headers);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.codec.run(block, Infinity);
  }

  close(): void {
    this.codec.close();
  }
}

/** The peer's compression context, mirrored. A failure poisons it (the session must end). */
export class HeaderDecompressor {
  private readonly limits: HeaderBlockLimits;
  private readonly codec: SyncFlushCodec;

  constructor(limits: HeaderBlockLimits = {}) {
    this.limits = limits;
    this.codec = new SyncFlushCodec(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));
  }

  /** Decompress and parse one block; errors are SpdyProtocolError (session-fatal). */
  async decompress(compressed: Buffer, streamId = 0): Promise<SpdyHeaders> {
    let block: Buffer;
    try {
      block = await this.codec.run(
        compressed,
        this.limits.maxBlockBytes ?? DEFAULT_MAX_HEADER_BLOCK,
      );
    } catch (err) {
      throw new SpdyProtocolError(
        `header block decompression failed: ${err instanceof Error ? err.message : String(err)}`,
        0,
      );
    }
    return decodeNameValueBlock(block, streamId, this.limits);
  }

  close(): void {
    this.codec.close();
  }
}

/** First value of a header, or undefined. */
export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  const values = Object.hasOwn(headers, name) ? headers[name] : undefined;
  return values?.[0];
}
