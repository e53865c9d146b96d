import { describe, expect, it } from 'vitest';
import { parseCommand, splitWords } from './command-line.ts';

const env = new Map([
  ['NAME', 'world'],
  ['EMPTY', ''],
]);

describe('command lines', () => {
  it('name a command by its base name', () => {
    expect(parseCommand(['/usr/bin/echo', 'a'], env)).toEqual({
      ok: true,
      name: 'echo',
      args: ['a'],
      viaShell: false,
    });
    expect(parseCommand(['sh', 'script.sh'], env)).toEqual({
      ok: true,
      name: 'sh',
      args: ['script.sh'],
      viaShell: false,
    });
    expect(parseCommand([], env)).toEqual({ ok: false, error: 'empty command' });
  });

  it('unwrap sh -c into the words of one simple command', () => {
    expect(parseCommand(['/bin/sh', '-c', 'exec  /bin/cat "/a b"'], env)).toEqual({
      ok: true,
      name: 'exec',
      args: ['/bin/cat', '/a b'],
      viaShell: true,
    });
    expect(parseCommand(['dash', '-c', 'echo "unterminated'], env)).toEqual({
      ok: false,
      error: 'dash: syntax error: unterminated quoted string',
    });
  });

  it('split words as a POSIX shell does', () => {
    expect(
      splitWords(`a 'b c' "d $NAME" \${NAME}x $EMPTY "" e\\ f "\\$NAME" $ $1 x$EMPTY "$1"`, env),
    ).toEqual(['a', 'b c', 'd world', 'worldx', '', 'e f', '$NAME', '$', 'x', '']);
    expect(splitWords("echo 'it", env)).toBe('syntax error: unterminated quoted string');
    expect(splitWords('cat a | wc', env)).toBe(
      'the mock runs one simple command; "|" is not supported',
    );
  });
});
