import { describe, expect, it } from 'vitest';
import { goJsonSyntaxError, goQuoteChar, parseJson } from './go-json-errors.ts';

const check = (text: string): string | undefined => goJsonSyntaxError(Buffer.from(text, 'utf8'));

describe('goJsonSyntaxError', () => {
  it.each([
    '{}',
    ' [1, -0.5e+3, 2E7, "a\\u00e9\\n", true, false, null] ',
    '{"a":{"b":[]}}',
    '0',
    '-12',
    '"x"',
  ])('accepts %s', text => {
    expect(check(text)).toBeUndefined();
  });

  it.each([
    ['', 'unexpected end of JSON input'],
    ['   ', 'unexpected end of JSON input'],
    ['{"kind":"Pod"', 'unexpected end of JSON input'],
    ['[1,', 'unexpected end of JSON input'],
    ['"abc', 'unexpected end of JSON input'],
    ['{bad json', "invalid character 'b' looking for beginning of object key string"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['{} x', "invalid character 'x' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['"a\u0001"', "invalid character '\\x01' in string literal"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['-', "invalid character ' ' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1.', "invalid character ' ' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['1e+', "invalid character ' ' in exponent of numeric literal"],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['tx', "invalid character 'x' in literal true (expecting 'r')"],
    ['nul', "invalid character ' ' in literal null (expecting 'l')"],
    ['fals', "invalid character ' ' in literal false (expecting 'e')"],
    ['é', "invalid character 'Ã' looking for beginning of value"],
    ['\u00a0', "invalid character 'Â' looking for beginning of value"],
  ])('%j → %s', (text, message) => {
    expect(check(text)).toBe(message);
  });

  it('reads bytes, not characters (a lone continuation byte is unprintable)', () => {
    expect(goJsonSyntaxError(Buffer.from([0x5b, 0x85]))).toBe(
      "invalid character '\\u0085' looking for beginning of value",
    );
  });

  it('stops past 10000 levels of nesting', () => {
    expect(check('['.repeat(10000) + ']'.repeat(10000))).toBeUndefined();
    expect(check('['.repeat(10001))).toBe("invalid character '[' exceeded max depth");
  });
});

describe('goQuoteChar', () => {
  it.each([
    [0x22, `'"'`],
    [0x5c, "'\\\\'"],
    [0x0a, "'\\n'"],
    [0x0b, "'\\v'"],
    [0x7f, "'\\x7f'"],
    [0x85, "'\\u0085'"],
    [0xa0, "'\\u00a0'"],
    [0xad, "'\\u00ad'"],
    [0xe9, "'é'"],
  ])('%i → %s', (c, quoted) => {
    expect(goQuoteChar(c)).toBe(quoted);
  });
});

describe('parseJson', () => {
  it('parses valid input and words failures as Go does', () => {
    expect(parseJson(Buffer.from('{"a":[1]}'))).toEqual({ ok: true, value: { a: [1] } });
    expect(parseJson(Buffer.from('{"a":'))).toEqual({
      ok: false,
      error: 'unexpected end of JSON input',
    });
  });
});
