/**
 * Reading a container command the way the mock understands it: `argv[0]` by its base name
 * (`/bin/echo` is `echo`), and `sh -c "<words>"` unwrapped into the words of a single simple
 * command, with quotes, backslashes and `$VAR` / `${VAR}` expanded as a POSIX shell would.
 * Pipes, lists and redirections are not a mock's business and are reported as such.
 */

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

export type ParsedCommand =
  | {
      readonly ok: true;
      readonly name: string;
      readonly args: readonly string[];
      readonly viaShell: boolean;
    }
  | { readonly ok: false; readonly error: string };

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Resolves `argv` (a container's command + args, or an exec command) to one simple command. */
export function parseCommand(
  argv: readonly string[],
  env: ReadonlyMap<string, string>,
): ParsedCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '') return { ok: false, error: 'empty command' };
  const name = baseName(first);
  if (!SHELLS.has(name) || rest[0] !== '-c') return { ok: true, name, args: rest, viaShell: false };
  const script = rest[1] ?? '';
  const words = splitWords(script, env);
  if (typeof words === 'string') return { ok: false, error: `${name}: ${words}` };
  const [command, ...args] = words;
  // `sh -c ""` runs nothing and succeeds, like `true`.
  return {
    ok: true,
    name: command === undefined ? 'true' : baseName(command),
    args,
    viaShell: true,
  };
}

/** Splits a shell script into words, or returns the reason it cannot. */
export function splitWords(script: string, env: ReadonlyMap<string, string>): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const expand = (): void => {
    // At `$`: `${NAME}`, `$NAME`, or a positional parameter (none are set); a lone `$` stays.
    const match = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|[0-9])/.exec(
      script.slice(i),
    );
    if (!match) {
      word += '$';
      i++;
      return;
    }
    const name = match[1] ?? match[2];
    word += name === undefined ? '' : (env.get(name) ?? '');
    i += match[0].length;
  };
  while (i < script.length) {
    const ch = script.charAt(i);
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (ch === '$') {
      // An unquoted expansion that comes out empty makes no word of its own.
      expand();
      if (word !== '') inWord = true;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) return 'syntax error: unterminated quoted string';
      word += script.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= script.length) return 'syntax error: unterminated quoted string';
        const c = script.charAt(i);
        if (c === '"') break;
        if (c === '\\' && '$`"\\\n'.includes(script.charAt(i + 1))) {
          word += script.charAt(i + 1);
          i += 2;
        } else if (c === '$') {
          expand();
        } else {
          word += c;
          i++;
        }
      }
      i++;
    } else if (ch === '\\') {
      word += script.charAt(i + 1);
      i += 2;
    } else if (';&|<>()`'.includes(ch)) {
      return `the mock runs one simple command; ${JSON.stringify(ch)} is not supported`;
    } else {
      word += ch;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
