/**
 * The label selector tokenizer, mirroring apimachinery's: whitespace separates, the symbols
 * `= == != ! ( ) , < >` are matched longest-first, and everything else is an identifier
 * unless it spells `in` or `notin`.
 */

export type TokenKind =
  | 'error'
  | 'end'
  | 'identifier'
  | 'in'
  | 'notin'
  | '('
  | ')'
  | ','
  | '!'
  | '='
  | '=='
  | '!='
  | '>'
  | '<';

export interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['in', 'in'],
  ['<', '<'],
  ['!=', '!='],
  ['notin', 'notin'],
  ['(', '('],
]);

const isWhitespace = (ch: string): boolean =>
  ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch) && ch !== '';

// The Go lexer reads bytes and treats a NUL byte like the end of input; so do we.
const END = '\0';

class Lexer {
  readonly #s: string;
  #pos = 0;

  constructor(s: string) {
    this.#s = s;
  }

  #read(): string {
    if (this.#pos >= this.#s.length) return END;
    const ch = this.#s[this.#pos] ?? END;
    this.#pos++;
    return ch;
  }

  #unread(): void {
    this.#pos--;
  }

  #scanIdentifierOrKeyword(): Token {
    let buffer = '';
    for (;;) {
      const ch = this.#read();
      if (ch === END) break;
      if (isSpecial(ch) || isWhitespace(ch)) {
        this.#unread();
        break;
      }
      buffer += ch;
    }
    return { kind: KEYWORDS.get(buffer) ?? 'identifier', literal: buffer };
  }

  #scanSymbol(): Token {
    let buffer = '';
    let last: Token | undefined;
    for (;;) {
      const ch = this.#read();
      if (ch === END) break;
      if (!isSpecial(ch)) {
        this.#unread();
        break;
      }
      buffer += ch;
      const kind = KEYWORDS.get(buffer);
      if (kind !== undefined) {
        last = { kind, literal: buffer };
      } else if (last !== undefined) {
        this.#unread();
        break;
      }
    }
    return last ?? { kind: 'error', literal: `error expected: keyword found '${buffer}'` };
  }

  next(): Token {
    let ch = this.#read();
    while (isWhitespace(ch)) ch = this.#read();
    if (ch === END) return { kind: 'end', literal: '' };
    this.#unread();
    return isSpecial(ch) ? this.#scanSymbol() : this.#scanIdentifierOrKeyword();
  }
}

/** Every token of `s`, ending with the `end` token. */
export function tokenize(s: string): Token[] {
  const lexer = new Lexer(s);
  const tokens: Token[] = [];
  for (;;) {
    const token = lexer.next();
    tokens.push(token);
    if (token.kind === 'end') return tokens;
  }
}
