/**
 * Value parsers shared by every source. A value arrives as a string (flag, environment), a
 * list of strings (repeated flag) or a JSON value (config file); each parser accepts the shapes
 * that make sense for it and throws a CliUsageError describing the problem. The caller prefixes
 * where the value came from (see `at`).
 */
import { isIP } from 'node:net';
import type { Taint } from 'kubernetes-types/core/v1.d.ts';
import { parseGoDuration } from './duration.ts';
import { CliUsageError } from './errors.ts';
import { labelValueProblem, qualifiedNameProblem } from './k8s-names.ts';

export type Parser<T> = (raw: unknown) => T;

/** "a number", "a list"...: what a file value was, for messages. */
export function kindOf(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'a list';
  switch (typeof raw) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a mapping';
    default:
      return typeof raw;
  }
}

function problem(message: string): CliUsageError {
  return new CliUsageError(message);
}

function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** "a, b or c" */
function alternatives(values: readonly string[]): string {
  return values.length <= 1
    ? values.join('')
    : `${values.slice(0, -1).join(', ')} or ${values.at(-1) ?? ''}`;
}

export function text(
  options: { allowEmpty?: boolean; check?: (value: string) => string | undefined } = {},
): Parser<string> {
  return raw => {
    if (typeof raw !== 'string') throw problem(`must be a string, got ${kindOf(raw)}`);
    if (raw === '' && options.allowEmpty !== true) throw problem('must not be empty');
    const why = options.check?.(raw);
    if (why !== undefined) throw problem(why);
    return raw;
  };
}

export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Parser<number> {
  return raw => {
    let value: number;
    if (typeof raw === 'number') {
      if (!Number.isInteger(raw)) throw problem(`must be a whole number, got ${raw}`);
      value = raw;
    } else if (typeof raw === 'string') {
      if (!/^[+-]?\d+$/.test(raw)) throw problem(`must be a whole number, got ${quote(raw)}`);
      value = Number(raw);
    } else {
      throw problem(`must be a whole number, got ${kindOf(raw)}`);
    }
    if (value < min) throw problem(`must be at least ${min}, got ${value}`);
    if (value > max) throw problem(`must be at most ${max}, got ${value}`);
    return value;
  };
}

export function decimal(min: number): Parser<number> {
  return raw => {
    let value: number;
    if (typeof raw === 'number') {
      value = raw;
    } else if (typeof raw === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
      value = Number(raw);
    } else {
      throw problem(`must be a number, got ${typeof raw === 'string' ? quote(raw) : kindOf(raw)}`);
    }
    if (!Number.isFinite(value)) throw problem(`must be a finite number, got ${value}`);
    if (value < min) throw problem(`must be at least ${min}, got ${value}`);
    return value;
  };
}

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool, which is what upstream's `--flag=value` booleans accept. */
export const boolean: Parser<boolean> = raw => {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    if (TRUE_WORDS.has(raw)) return true;
    if (FALSE_WORDS.has(raw)) return false;
    throw problem(`must be true or false, got ${quote(raw)}`);
  }
  throw problem(`must be true or false, got ${kindOf(raw)}`);
};

export function oneOf<T extends string>(
  values: readonly T[],
  options: { ignoreCase?: boolean; aliases?: Readonly<Record<string, T>>; note?: string } = {},
): Parser<T> {
  return raw => {
    if (typeof raw === 'string') {
      const wanted = options.ignoreCase === true ? raw.toLowerCase() : raw;
      const found =
        values.find(v => (options.ignoreCase === true ? v.toLowerCase() : v) === wanted) ??
        options.aliases?.[wanted];
      if (found !== undefined) return found;
    }
    const got = typeof raw === 'string' ? quote(raw) : kindOf(raw);
    const note = options.note === undefined ? '' : ` (${options.note})`;
    throw problem(`must be ${alternatives(values)}${note}, got ${got}`);
  };
}

/** A Go duration in milliseconds; file values may also be a bare number (only 0 has no unit). */
export function duration(options: { allowZero: boolean }): Parser<number> {
  return raw => {
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      throw problem(`must be a duration such as "30s", got ${kindOf(raw)}`);
    }
    const source = String(raw);
    const ms = parseGoDuration(source);
    if (ms < 0) throw problem(`must not be negative, got ${quote(source)}`);
    if (ms === 0 && !options.allowZero)
      throw problem(`must be longer than 0, got ${quote(source)}`);
    return ms;
  };
}

/**
 * The items of a list value: a comma-separated string, repeated flags (each of which may hold
 * commas, like pflag's StringSlice) or a list in the file.
 */
function items(raw: unknown, splitCommas: boolean): string[] {
  const split = (s: string): string[] =>
    splitCommas
      ? s
          .split(',')
          .map(part => part.trim())
          .filter(part => part !== '')
      : [s];
  if (typeof raw === 'string') return split(raw);
  if (Array.isArray(raw)) {
    return (raw as unknown[]).flatMap((item, i) => {
      if (typeof item !== 'string') {
        throw problem(`item ${i + 1} must be a string, got ${kindOf(item)}`);
      }
      return split(item);
    });
  }
  throw problem(`must be a list of strings, got ${kindOf(raw)}`);
}

export function list(check?: (item: string) => string | undefined): Parser<string[]> {
  return raw => {
    const result: string[] = [];
    for (const item of items(raw, true)) {
      const why = check?.(item);
      if (why !== undefined) throw problem(why);
      if (!result.includes(item)) result.push(item);
    }
    return result;
  };
}

function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/**
 * A string map: `key=value` items (repeated flags, optionally comma-separated) or a mapping in
 * the file. A key given twice is an error, as upstream's `--trace-tag` has it.
 */
export function keyValues(options: {
  splitCommas: boolean;
  checkKey?: (key: string) => string | undefined;
  checkValue?: (value: string) => string | undefined;
}): Parser<Record<string, string>> {
  return raw => {
    const pairs: [string, string][] = [];
    if (isRecord(raw)) {
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value !== 'string') {
          throw problem(`the value of ${quote(key)} must be a string, got ${kindOf(value)}`);
        }
        pairs.push([key, value]);
      }
    } else {
      for (const item of items(raw, options.splitCommas)) {
        const eq = item.indexOf('=');
        if (eq <= 0) throw problem(`must be key=value, got ${quote(item)}`);
        pairs.push([item.slice(0, eq), item.slice(eq + 1)]);
      }
    }
    const result: Record<string, string> = {};
    for (const [key, value] of pairs) {
      if (Object.hasOwn(result, key)) throw problem(`duplicate key ${quote(key)}`);
      const why = options.checkKey?.(key) ?? options.checkValue?.(value);
      if (why !== undefined) throw problem(why);
      result[key] = value;
    }
    return result;
  };
}

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export const taintEffect: Parser<TaintEffect> = oneOf(TAINT_EFFECTS);
export const taintKey: Parser<string> = text({ check: qualifiedNameProblem });
export const taintValue: Parser<string> = text({ allowEmpty: true, check: labelValueProblem });

function taint(key: unknown, value: unknown, effect: unknown): Taint {
  const result: Taint = { key: taintKey(key), effect: taintEffect(effect) };
  if (value !== undefined && value !== '') result.value = taintValue(value);
  return result;
}

/**
 * Taints as kubelet's `--register-with-taints` writes them, `key[=value]:Effect`, or in the
 * file as such strings or `{ key, value, effect }` mappings.
 */
export const taints: Parser<Taint[]> = raw => {
  const entries: unknown[] = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  const result: Taint[] = [];
  for (const entry of entries) {
    if (isRecord(entry)) {
      const unknownKey = Object.keys(entry).find(k => !['key', 'value', 'effect'].includes(k));
      if (unknownKey !== undefined) throw problem(`unknown taint field ${quote(unknownKey)}`);
      result.push(taint(entry.key, entry.value, entry.effect));
      continue;
    }
    for (const item of items(entry, true)) {
      const match = /^([^=:]+)(?:=([^:]*))?:([^:=]*)$/.exec(item);
      if (match === null) throw problem(`must be key[=value]:effect, got ${quote(item)}`);
      result.push(taint(match[1], match[2], match[3]));
    }
  }
  return result;
};

export const port: Parser<number> = integer(1, 65535);

export const ipAddress: Parser<string> = text({
  check: value => (isIP(value) === 0 ? `${quote(value)} is not an IP address` : undefined),
});

/** `[host]:port` as Go's net.Listen takes it (`:10255`, `0.0.0.0:9100`, `[::1]:9100`). */
export function listenAddressProblem(value: string): string | undefined {
  const match = /^(\[[0-9A-Fa-f:.%\w]+\]|[^:[\]]*):(\d{1,5})$/.exec(value);
  const portNumber = Number(match?.[2]);
  if (match === null || portNumber > 65535) {
    return `must be host:port or :port (e.g. :10255), got ${quote(value)}`;
  }
  return undefined;
}
