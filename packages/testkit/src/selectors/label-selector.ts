/**
 * Label selectors: the `labelSelector` query parameter grammar and metav1.LabelSelector objects,
 * with kube-apiserver's matching rules and error messages.
 */
import { ApiError } from '../api-error.ts';
import { isPlainObject } from '../kube-object.ts';
import { aggregate, goQuote, goStringSlice, invalidValue } from './go-format.ts';
import { tokenize, type Token, type TokenKind } from './label-lexer.ts';
import { labelKeyErrors, labelValueErrors } from './label-validation.ts';

/** selection.Operator values. `!` is "does not exist", `gt`/`lt` compare integers. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated when parsed from a string. */
  readonly values: readonly string[];
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

// A parse failure inside the grammar; the public entry points turn it into a 400.
class SelectorSyntaxError extends Error {}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined where Go would return an error. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/**
 * labels.NewRequirement's checks. Both callers pass a nil field path, so fields render as
 * `key`, `values`, `values[i]` and `values[i][<key>]`. Returns the aggregated message, if any.
 */
function requirementErrors(
  key: string,
  operator: LabelOperator,
  values: readonly string[] | undefined,
): string | undefined {
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length > 0) errs.push(invalidValue('key', goQuote(key), keyErrs.join('; ')));
  const vals = values ?? [];
  const asSlice = goStringSlice(values);
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) {
        errs.push(
          invalidValue('values', asSlice, "for 'in', 'notin' operators, values set can't be empty"),
        );
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) {
        errs.push(
          invalidValue('values', asSlice, 'exact-match compatibility requires one single value'),
        );
      }
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) {
        errs.push(
          invalidValue('values', asSlice, 'values set must be empty for exists and does not exist'),
        );
      }
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) {
        errs.push(
          invalidValue(
            'values',
            asSlice,
            "for 'Gt', 'Lt' operators, exactly one value is required",
          ),
        );
      }
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(
            invalidValue(
              `values[${i}]`,
              goQuote(v),
              "for 'Gt', 'Lt' operators, the value must be an integer",
            ),
          );
        }
      });
      break;
  }
  vals.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length > 0) {
      errs.push(invalidValue(`values[${i}][${key}]`, goQuote(v), valueErrs.join('; ')));
    }
  });
  return errs.length > 0 ? aggregate(errs) : undefined;
}

function requirementMatches(
  r: LabelRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && value !== undefined && r.values.includes(value);
    case '!=':
    case 'notin':
      return !has || value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || value === undefined || r.values.length !== 1) return false;
      const actual = parseInt64(value);
      const bound = parseInt64(r.values[0] ?? '');
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  const values = [...r.values].sort().join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/** An AND of requirements; `nothing()` (a null metav1.LabelSelector) matches no object at all. */
export class LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly #matchesNothing: boolean;

  private constructor(requirements: readonly LabelRequirement[], matchesNothing: boolean) {
    // Sorted by key, as apimachinery does, so String() is deterministic.
    this.requirements = [...requirements].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    this.#matchesNothing = matchesNothing;
  }

  static everything(): LabelSelector {
    return new LabelSelector([], false);
  }

  static nothing(): LabelSelector {
    return new LabelSelector([], true);
  }

  /** @internal Requirements must already be valid. */
  static of(requirements: readonly LabelRequirement[]): LabelSelector {
    return new LabelSelector(requirements, false);
  }

  /** True when the selector selects everything. */
  isEmpty(): boolean {
    return !this.#matchesNothing && this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    if (this.#matchesNothing) return false;
    const set = labels ?? {};
    return this.requirements.every(r => requirementMatches(r, set));
  }

  /** The value a selector pins `key` to with `=`, `==` or a one-value `in`, if any. */
  exactMatch(key: string): string | undefined {
    const r = this.requirements.find(req => req.key === key);
    if (r === undefined || r.values.length !== 1) return undefined;
    return r.operator === '=' || r.operator === '==' || r.operator === 'in'
      ? r.values[0]
      : undefined;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

// ---- the string grammar -------------------------------------------------------------------

const OPERATOR_TOKENS: Partial<Record<TokenKind, LabelOperator>> = {
  in: 'in',
  notin: 'notin',
  '=': '=',
  '==': '==',
  '!=': '!=',
  '>': 'gt',
  '<': 'lt',
};

class Parser {
  readonly #tokens: Token[];
  #position = 0;

  constructor(text: string) {
    this.#tokens = tokenize(text);
  }

  // In value context `in` and `notin` are ordinary identifiers (`x in (in)`).
  #asValue(token: Token): Token {
    return token.kind === 'in' || token.kind === 'notin'
      ? { kind: 'identifier', literal: token.literal }
      : token;
  }

  #peek(values: boolean): Token {
    const token = this.#tokens[this.#position] ?? { kind: 'end', literal: '' };
    return values ? this.#asValue(token) : token;
  }

  #consume(values: boolean): Token {
    const token = this.#peek(values);
    this.#position++;
    return token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const next = this.#peek(true);
      switch (next.kind) {
        case 'identifier':
        case '!': {
          try {
            requirements.push(this.#requirement());
          } catch (err) {
            if (err instanceof SelectorSyntaxError) {
              throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
            }
            throw err;
          }
          const after = this.#consume(true);
          if (after.kind === 'end') return requirements;
          if (after.kind !== ',') {
            throw new SelectorSyntaxError(
              `found '${after.literal}', expected: ',' or 'end of string'`,
            );
          }
          const following = this.#peek(true);
          if (following.kind !== 'identifier' && following.kind !== '!') {
            throw new SelectorSyntaxError(
              `found '${following.literal}', expected: identifier after ','`,
            );
          }
          break;
        }
        case 'end':
          return requirements;
        default:
          throw new SelectorSyntaxError(
            `found '${next.literal}', expected: !, identifier, or 'end of string'`,
          );
      }
    }
  }

  #requirement(): LabelRequirement {
    const { key, operator: unary } = this.#keyAndUnaryOperator();
    if (unary !== undefined) return this.#build(key, unary, []);
    const operator = this.#operator();
    const values =
      operator === 'in' || operator === 'notin' ? this.#valueSet() : this.#exactValue();
    return this.#build(key, operator, [...new Set(values)].sort());
  }

  #build(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
    const error = requirementErrors(key, operator, values);
    if (error !== undefined) throw new SelectorSyntaxError(error);
    return { key, operator, values };
  }

  #keyAndUnaryOperator(): { key: string; operator: LabelOperator | undefined } {
    let token = this.#consume(true);
    let operator: LabelOperator | undefined;
    if (token.kind === '!') {
      operator = '!';
      token = this.#consume(true);
    }
    if (token.kind !== 'identifier') {
      throw new SelectorSyntaxError(`found '${token.literal}', expected: identifier`);
    }
    const keyErrs = labelKeyErrors(token.literal);
    if (keyErrs.length > 0) {
      // Validated against the parser's nil field path, which Go prints as "<nil>".
      throw new SelectorSyntaxError(
        invalidValue('<nil>', goQuote(token.literal), keyErrs.join('; ')),
      );
    }
    const next = this.#peek(true).kind;
    if ((next === 'end' || next === ',') && operator === undefined) operator = 'exists';
    return { key: token.literal, operator };
  }

  #operator(): LabelOperator {
    const token = this.#consume(false);
    const operator = OPERATOR_TOKENS[token.kind];
    if (operator === undefined) {
      throw new SelectorSyntaxError(`found '${token.literal}', expected: ${BINARY_OPERATORS}`);
    }
    return operator;
  }

  #valueSet(): string[] {
    const open = this.#consume(true);
    if (open.kind !== '(') throw new SelectorSyntaxError(`found '${open.literal}' expected: '('`);
    const first = this.#peek(true);
    switch (first.kind) {
      case 'identifier':
      case ',': {
        const values = this.#identifierList();
        if (this.#consume(true).kind !== ')') {
          throw new SelectorSyntaxError(`found '${first.literal}', expected: ')'`);
        }
        return values;
      }
      case ')':
        this.#consume(true);
        return [''];
      default:
        throw new SelectorSyntaxError(`found '${first.literal}', expected: ',', ')' or identifier`);
    }
  }

  // A comma-separated list where empty entries (`(,a)`, `(a,,b)`, `(a,)`) mean the empty value.
  #identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const token = this.#consume(true);
      if (token.kind === 'identifier') {
        values.push(token.literal);
        const next = this.#peek(true);
        if (next.kind === ',') continue;
        if (next.kind === ')') return values;
        throw new SelectorSyntaxError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token.kind !== ',') {
        throw new SelectorSyntaxError(`found '${token.literal}', expected: ',', or identifier`);
      }
      if (values.length === 0) values.push('');
      const next = this.#peek(true).kind;
      if (next === ')') {
        values.push('');
        return values;
      }
      if (next === ',') {
        this.#consume(true);
        values.push('');
      }
    }
  }

  #exactValue(): string[] {
    const next = this.#peek(true);
    if (next.kind === 'end' || next.kind === ',') return [''];
    const token = this.#consume(true);
    if (token.kind === 'identifier') return [token.literal];
    throw new SelectorSyntaxError(`found '${token.literal}', expected: identifier`);
  }
}

/**
 * Parses the `labelSelector` query parameter (`a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`, comma = AND). An empty string selects everything.
 * @throws ApiError 400 with kube-apiserver's message for a malformed selector.
 */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return LabelSelector.of(new Parser(text).parse());
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw ApiError.badRequest(err.message, err);
    throw err;
  }
}

const EXPRESSION_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string');
}

/**
 * metav1.LabelSelectorAsSelector: `null`/`undefined` matches nothing, `{}` matches everything,
 * otherwise matchLabels and matchExpressions are ANDed.
 * @throws ApiError 400 with the message apimachinery returns for an invalid selector.
 */
export function labelSelectorFromObject(selector: unknown): LabelSelector {
  if (selector === undefined || selector === null) return LabelSelector.nothing();
  if (!isPlainObject(selector)) throw ApiError.badRequest('label selector must be an object');
  const matchLabels = isPlainObject(selector.matchLabels) ? selector.matchLabels : {};
  const expressions = Array.isArray(selector.matchExpressions)
    ? (selector.matchExpressions as unknown[])
    : [];
  const requirements: LabelRequirement[] = [];
  const add = (key: string, operator: LabelOperator, values: string[] | undefined): void => {
    const error = requirementErrors(key, operator, values);
    if (error !== undefined) throw ApiError.badRequest(error);
    requirements.push({ key, operator, values: values ?? [] });
  };
  // Go walks the map in random order; sorted keys keep our first error deterministic.
  for (const key of Object.keys(matchLabels).sort()) {
    const value = matchLabels[key];
    add(key, '=', [typeof value === 'string' ? value : '']);
  }
  for (const expression of expressions) {
    const expr = isPlainObject(expression) ? expression : {};
    const rawOperator = typeof expr.operator === 'string' ? expr.operator : '';
    const operator = EXPRESSION_OPERATORS[rawOperator];
    if (operator === undefined) {
      throw ApiError.badRequest(`${goQuote(rawOperator)} is not a valid label selector operator`);
    }
    const values = stringList(expr.values);
    add(
      typeof expr.key === 'string' ? expr.key : '',
      operator,
      values?.length ? values : undefined,
    );
  }
  return LabelSelector.of(requirements);
}
