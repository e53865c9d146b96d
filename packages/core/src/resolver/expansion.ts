/**
 * `$(VAR)` expansion with the kubelet's semantics, used for env values, `command` and `args`:
 * `$(NAME)` is replaced when `lookup` knows NAME and left as written otherwise, `$$` collapses
 * to one `$` (so `$$(NAME)` yields the literal `$(NAME)`), an unterminated `$(` stays as is, and
 * a `$` before anything else is kept with that character.
 */

/** Returns the value for a reference, or undefined to leave `$(name)` untouched. */
export type Lookup = (name: string) => string | undefined;

export function expand(input: string, lookup: Lookup): string {
  // Fast path: most values hold no `$` at all.
  if (!input.includes('$')) return input;
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    // A trailing `$` has nothing to operate on and is copied like any other character.
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i += 1;
      continue;
    }
    const next = input.charAt(i + 1);
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        // Unterminated: keep `$(` and carry on scanning right after it, as the kubelet does.
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += '$';
      i += 1;
    }
  }
  return out;
}
