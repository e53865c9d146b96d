/**
 * The words Go's encoding/json uses for a body that is not JSON. kube-apiserver decodes with
 * it (and sigs.k8s.io/json, a fork with the same scanner), and clients show the text as is,
 * so a syntax error must read "invalid character 'b' looking for beginning of object key
 * string", not V8's. JSON.parse stays the fast path; the scanner below only words a failure.
 */

/** Go's scanner gives up past this many open objects and arrays. */
const MAX_NESTING_DEPTH = 10000;

type Container = 'objectKey' | 'objectValue' | 'array';

type State =
  | 'beginValue'
  | 'beginValueOrEmpty'
  | 'beginKey'
  | 'beginKeyOrEmpty'
  | 'endValue'
  | 'endTop'
  | 'string'
  | 'escape'
  | 'unicode'
  | 'negative'
  | 'integer'
  | 'zero'
  | 'dot'
  | 'fraction'
  | 'exponent'
  | 'exponentSign'
  | 'exponentDigits'
  | 'literal';

const SIMPLE_ESCAPES = new Set('bfnrt\\/"'.split('').map(ch => ch.charCodeAt(0)));

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** One byte at a time, as Go's checkValid feeds its scanner; the first error sticks. */
class Scanner {
  private state: State = 'beginValue';
  private readonly stack: Container[] = [];
  private ended = false;
  private hexDigits = 0;
  private word = '';
  private wordIndex = 0;
  error: string | undefined;

  step(c: number): void {
    if (this.error !== undefined) return;
    switch (this.state) {
      case 'beginValue':
        this.beginValue(c);
        return;
      case 'beginValueOrEmpty':
        if (isSpace(c)) return;
        if (c === 0x5d) this.endValue(c);
        else this.beginValue(c);
        return;
      case 'beginKeyOrEmpty':
        if (isSpace(c)) return;
        if (c === 0x7d) {
          this.stack[this.stack.length - 1] = 'objectValue';
          this.endValue(c);
        } else this.beginKey(c);
        return;
      case 'beginKey':
        this.beginKey(c);
        return;
      case 'endValue':
        this.endValue(c);
        return;
      case 'endTop':
        this.endTop(c);
        return;
      case 'string':
        if (c === 0x22) this.state = 'endValue';
        else if (c === 0x5c) this.state = 'escape';
        else if (c < 0x20) this.fail(c, 'in string literal');
        return;
      case 'escape':
        if (SIMPLE_ESCAPES.has(c)) this.state = 'string';
        else if (c === 0x75) {
          this.state = 'unicode';
          this.hexDigits = 0;
        } else this.fail(c, 'in string escape code');
        return;
      case 'unicode':
        if (!isHex(c)) this.fail(c, 'in \\u hexadecimal character escape');
        else if (++this.hexDigits === 4) this.state = 'string';
        return;
      case 'negative':
        if (c === 0x30) this.state = 'zero';
        else if (c >= 0x31 && c <= 0x39) this.state = 'integer';
        else this.fail(c, 'in numeric literal');
        return;
      case 'integer':
        if (!isDigit(c)) this.afterZero(c);
        return;
      case 'zero':
        this.afterZero(c);
        return;
      case 'dot':
        if (isDigit(c)) this.state = 'fraction';
        else this.fail(c, 'after decimal point in numeric literal');
        return;
      case 'fraction':
        if (isDigit(c)) return;
        if (c === 0x65 || c === 0x45) this.state = 'exponent';
        else this.endValue(c);
        return;
      case 'exponent':
        if (c === 0x2b || c === 0x2d) this.state = 'exponentSign';
        else this.exponentSign(c);
        return;
      case 'exponentSign':
        this.exponentSign(c);
        return;
      case 'exponentDigits':
        if (!isDigit(c)) this.endValue(c);
        return;
      case 'literal': {
        const expected = this.word.charCodeAt(this.wordIndex);
        if (c !== expected) {
          this.fail(c, `in literal ${this.word} (expecting '${String.fromCharCode(expected)}')`);
        } else if (++this.wordIndex === this.word.length) this.state = 'endValue';
        return;
      }
    }
  }

  /** End of input: a pending number may still end here; anything else open is truncated. */
  eof(): string | undefined {
    if (this.error !== undefined || this.ended) return this.error;
    this.step(0x20);
    return this.outcome();
  }

  private outcome(): string | undefined {
    if (this.ended) return this.error;
    return this.error ?? 'unexpected end of JSON input';
  }

  private beginValue(c: number): void {
    if (isSpace(c)) return;
    switch (c) {
      case 0x7b:
        this.state = 'beginKeyOrEmpty';
        this.push(c, 'objectKey');
        return;
      case 0x5b:
        this.state = 'beginValueOrEmpty';
        this.push(c, 'array');
        return;
      case 0x22:
        this.state = 'string';
        return;
      case 0x2d:
        this.state = 'negative';
        return;
      case 0x30:
        this.state = 'zero';
        return;
      case 0x74:
        this.startLiteral('true');
        return;
      case 0x66:
        this.startLiteral('false');
        return;
      case 0x6e:
        this.startLiteral('null');
        return;
    }
    if (c >= 0x31 && c <= 0x39) this.state = 'integer';
    else this.fail(c, 'looking for beginning of value');
  }

  private beginKey(c: number): void {
    if (isSpace(c)) return;
    if (c === 0x22) this.state = 'string';
    else this.fail(c, 'looking for beginning of object key string');
  }

  private afterZero(c: number): void {
    if (c === 0x2e) this.state = 'dot';
    else if (c === 0x65 || c === 0x45) this.state = 'exponent';
    else this.endValue(c);
  }

  private exponentSign(c: number): void {
    if (isDigit(c)) this.state = 'exponentDigits';
    else this.fail(c, 'in exponent of numeric literal');
  }

  private startLiteral(word: string): void {
    this.state = 'literal';
    this.word = word;
    this.wordIndex = 1;
  }

  private endValue(c: number): void {
    const top = this.stack.length - 1;
    if (top < 0) {
      this.state = 'endTop';
      this.ended = true;
      this.endTop(c);
      return;
    }
    if (isSpace(c)) {
      this.state = 'endValue';
      return;
    }
    switch (this.stack[top]) {
      case 'objectKey':
        if (c === 0x3a) {
          this.stack[top] = 'objectValue';
          this.state = 'beginValue';
        } else this.fail(c, 'after object key');
        return;
      case 'objectValue':
        if (c === 0x2c) {
          this.stack[top] = 'objectKey';
          this.state = 'beginKey';
        } else if (c === 0x7d) this.pop();
        else this.fail(c, 'after object key:value pair');
        return;
      case 'array':
        if (c === 0x2c) this.state = 'beginValue';
        else if (c === 0x5d) this.pop();
        else this.fail(c, 'after array element');
        return;
      case undefined:
        return;
    }
  }

  private endTop(c: number): void {
    if (!isSpace(c)) this.fail(c, 'after top-level value');
  }

  private push(c: number, container: Container): void {
    this.stack.push(container);
    if (this.stack.length > MAX_NESTING_DEPTH) this.fail(c, 'exceeded max depth');
  }

  private pop(): void {
    this.stack.pop();
    if (this.stack.length === 0) {
      this.state = 'endTop';
      this.ended = true;
    } else this.state = 'endValue';
  }

  private fail(c: number, context: string): void {
    this.error = `invalid character ${goQuoteChar(c)} ${context}`;
  }
}

/** Go's encoding/json error text for `data`, or undefined when `data` is one JSON value. */
export function goJsonSyntaxError(data: Uint8Array): string | undefined {
  const scanner = new Scanner();
  for (const c of data) {
    scanner.step(c);
    if (scanner.error !== undefined) return scanner.error;
  }
  return scanner.eof();
}

const NAMED_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x07, '\\a'],
  [0x08, '\\b'],
  [0x09, '\\t'],
  [0x0a, '\\n'],
  [0x0b, '\\v'],
  [0x0c, '\\f'],
  [0x0d, '\\r'],
  [0x5c, '\\\\'],
]);

/**
 * A byte as the scanner quotes it: the byte read as a Latin-1 rune, escaped the way
 * strconv.Quote escapes what strconv.IsPrint calls unprintable, between single quotes.
 */
export function goQuoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  const named = NAMED_ESCAPES.get(c);
  if (named !== undefined) return `'${named}'`;
  const hex = c.toString(16).padStart(2, '0');
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  // Printable: ASCII from space to '~', and Latin-1 from '¡' on except the soft hyphen.
  if (c < 0x7f || (c >= 0xa1 && c !== 0xad)) return `'${String.fromCharCode(c)}'`;
  return `'\\u00${hex}'`;
}

export type JsonParse = { readonly ok: true; readonly value: unknown } | JsonParseFailure;

export interface JsonParseFailure {
  readonly ok: false;
  /** Go's words for what is wrong. */
  readonly error: string;
}

/** JSON.parse on the happy path; on failure, the error as Go's decoder words it. */
export function parseJson(raw: Uint8Array): JsonParse {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: goJsonSyntaxError(raw) ?? (err as Error).message };
  }
}
