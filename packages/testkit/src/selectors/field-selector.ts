/**
 * Field selectors: `f=v`, `f==v`, `f!=v` joined by commas, values escaped with `\,` `\=` `\\`.
 * Parsing follows apimachinery's fields.ParseSelector; label checks follow the apiserver's
 * per-resource conversion, applied after the whole string parsed (so syntax errors win).
 */
import { ApiError } from '../api-error.ts';
import type { KubeObject } from '../kube-object.ts';
import { fieldLabelSpec, type FieldLabelSpec } from './field-labels.ts';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  /** The field as the registry knows it (after renames such as `spec.host` → `spec.nodeName`). */
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

// Tried at every position in this order, so `a!=b` is `!=` and `a==b` is `==`.
const OPERATORS: readonly FieldOperator[] = ['!=', '==', '='];

/** Splits on commas that are not escaped; escapes stay in place for unescapeValue. */
function splitTerms(text: string): string[] {
  if (text.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of OPERATORS) {
      if (term.startsWith(op, i))
        return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.UnescapeValue, with its error messages (Go prints the offending rune as a number). */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw ApiError.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw ApiError.badRequest(
        `invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`,
      );
    } else {
      out += c;
    }
  }
  if (inSlash) throw ApiError.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, c => `\\${c}`);
}

/** An AND of field requirements over one resource's selectable fields. */
export class FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly #spec: FieldLabelSpec;

  constructor(requirements: readonly FieldRequirement[], spec: FieldLabelSpec) {
    this.requirements = requirements;
    this.#spec = spec;
  }

  /** True when the selector selects everything. */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matches(obj: KubeObject): boolean {
    if (this.requirements.length === 0) return true;
    const fields = this.#spec.fields(obj);
    return this.requirements.every(r => {
      const actual = fields[r.field] ?? '';
      return r.operator === '!=' ? actual !== r.value : actual === r.value;
    });
  }

  /** The value an `=`/`==` term pins `field` to, if any (e.g. metadata.name for a GET-like list). */
  exactMatch(field: string): string | undefined {
    return this.requirements.find(r => r.field === field && r.operator !== '!=')?.value;
  }

  toString(): string {
    return this.requirements
      .map(r => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeValue(r.value)}`)
      .join(',');
  }
}

/**
 * Parses the `fieldSelector` query parameter for `resource` ("pods", "events.events.k8s.io", ...).
 * Pass `spec` for resources the built-in table does not know, e.g. customResourceFieldLabels().
 * @throws ApiError 400 with kube-apiserver's message for bad syntax or an unsupported field label.
 */
export function parseFieldSelector(
  text: string,
  resource: string,
  spec: FieldLabelSpec = fieldLabelSpec(resource),
): FieldSelector {
  // Go sorts the terms before parsing, which decides which bad term is reported.
  const parts = splitTerms(text).sort();
  const parsed: { label: string; operator: FieldOperator; value: string }[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (term === undefined) {
      throw ApiError.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    }
    parsed.push({ label: term.lhs, operator: term.op, value: unescapeValue(term.rhs) });
  }
  const requirements = parsed.map(({ label, operator, value }) => {
    const converted = spec.convert(label);
    if (!converted.ok) throw ApiError.badRequest(converted.message);
    return { field: converted.field, operator, value };
  });
  return new FieldSelector(requirements, spec);
}
