/** JSON Pointer (RFC 6901) pieces, read the way the apiserver's json-patch library reads them. */

/**
 * The reference tokens of a pointer. Like json-patch v4, whatever precedes the first "/" is
 * ignored, so "" (the whole document) has no tokens and cannot be patched.
 */
export function pointerTokens(pointer: string): string[] {
  return pointer.split('/').slice(1).map(unescapeToken);
}

/** "~1" is "/", "~0" is "~"; one pass so "~01" stays "~1". */
export function unescapeToken(token: string): string {
  return token.replace(/~[01]/g, escape => (escape === '~1' ? '/' : '~'));
}

/** An array index token as Go's strconv.Atoi reads it (sign and leading zeros allowed). */
export function parseArrayIndex(token: string): number | undefined {
  return /^[+-]?\d+$/.test(token) ? Number(token) : undefined;
}
