/**
 * Where Go's base64.StdEncoding.Decode stops on bad input. JSON decodes a `[]byte` field
 * (Secret `data`, ConfigMap `binaryData`) with it, and the apiserver shows its
 * CorruptInputError as is: "illegal base64 data at input byte N".
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALID: ReadonlySet<number> = new Set(ALPHABET.split('').map(ch => ch.charCodeAt(0)));
const PAD = 0x3d;

function isNewline(c: number): boolean {
  return c === 0x0a || c === 0x0d;
}

/**
 * The byte offset (in the UTF-8 encoding of `text`) Go reports for padded standard base64,
 * or undefined when Go decodes it. Go reads 4-character quanta, skips CR and LF anywhere,
 * accepts `=` only as the padding of a final quantum and does not check the unused bits.
 */
export function goBase64ErrorOffset(text: string): number | undefined {
  const src = Buffer.from(text, 'utf8');
  let si = 0;
  while (si < src.length) {
    const result = decodeQuantum(src, si);
    if (typeof result === 'object') return result.error;
    si = result;
  }
  return undefined;
}

/** One quantum from `si`: the next position, or the offset of the error. */
function decodeQuantum(src: Buffer, start: number): number | { error: number } {
  let si = start;
  for (let j = 0; j < 4; j++) {
    if (si === src.length) {
      // Input ended inside a quantum: padded base64 never does (j = 0 only after newlines).
      return j === 0 ? si : { error: si - j };
    }
    const c = src[si] ?? 0;
    si++;
    if (VALID.has(c)) continue;
    if (isNewline(c)) {
      j--;
      continue;
    }
    if (c !== PAD || j < 2) return { error: si - 1 };
    if (j === 2) {
      // "xx=" must be followed by a second "=" (newlines may come between).
      while (si < src.length && isNewline(src[si] ?? 0)) si++;
      if (si === src.length) return { error: src.length };
      if (src[si] !== PAD) return { error: si - 1 };
      si++;
    }
    while (si < src.length && isNewline(src[si] ?? 0)) si++;
    // Padding ends the data: anything after it is trailing garbage.
    return si < src.length ? { error: si } : si;
  }
  return si;
}
