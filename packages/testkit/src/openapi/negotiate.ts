/**
 * Accept header negotiation the way the real OpenAPI handlers do it (goautoneg): clauses sorted
 * by quality, then specific types before wildcards; the first clause any offer matches wins,
 * offers tried in the order given. A missing header means any type.
 */

export interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

export interface Offer {
  readonly type: string;
  readonly subtype: string;
}

function parseClause(text: string): MediaRange | undefined {
  const [range = '', ...params] = text.split(';');
  const parts = range.trim().split('/');
  const type = (parts[0] ?? '').trim();
  let subtype: string;
  if (parts.length === 1 && type === '*') subtype = '*';
  else if (parts.length === 2) subtype = (parts[1] ?? '').trim();
  else return undefined;
  let q = 1;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim() !== 'q') continue;
    const value = Number.parseFloat(param.slice(eq + 1));
    q = Number.isNaN(value) ? 0 : value;
  }
  return { type, subtype, q };
}

/** Higher quality first; at equal quality a specific type or subtype before a wildcard. */
function compare(a: MediaRange, b: MediaRange): number {
  if (a.q !== b.q) return b.q - a.q;
  const wild = (r: MediaRange): number => (r.type === '*' ? 2 : 0) + (r.subtype === '*' ? 1 : 0);
  return wild(a) - wild(b);
}

export function parseAccept(header: string | undefined): MediaRange[] {
  const text = header === undefined || header.trim() === '' ? '*/*' : header;
  const clauses: MediaRange[] = [];
  for (const part of text.split(',')) {
    const clause = parseClause(part);
    if (clause) clauses.push(clause);
  }
  // Array.prototype.sort is stable, so equal clauses keep the order the client gave.
  return clauses.sort(compare);
}

/** The offer the client prefers, or undefined when it accepts none (406). */
export function negotiate<T extends Offer>(
  header: string | undefined,
  offers: readonly T[],
): T | undefined {
  for (const clause of parseAccept(header)) {
    const match = offers.find(
      o =>
        (clause.type === '*' || clause.type === o.type) &&
        (clause.subtype === '*' || clause.subtype === o.subtype),
    );
    if (match) return match;
  }
  return undefined;
}
