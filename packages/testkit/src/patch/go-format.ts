/**
 * Renders JSON values the way Go's fmt prints decoded `interface{}` values, so error
 * messages read like the apiserver's (`map[type:Ready]`, `expected a []interface {}`...).
 */

import type { Json } from '../kube-object.ts';
import { isJsonObject } from './json-value.ts';

/** What goFormat prints: decoded JSON, or Go slices of it. */
export type GoValue = Json | undefined | readonly GoValue[];

/** `fmt.Sprintf("%v", value)` for a value decoded from JSON (ints stay int64, others float64). */
export function goFormat(value: GoValue): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return goNumber(value);
  if (isGoSlice(value)) return `[${value.map(goFormat).join(' ')}]`;
  const keys = Object.keys(value).sort();
  return `map[${keys.map(key => `${key}:${goFormat(value[key])}`).join(' ')}]`;
}

function isGoSlice(value: GoValue): value is readonly GoValue[] {
  return Array.isArray(value);
}

/** `reflect.TypeOf(value)` printed with %s, as in mergepatch.ErrBadArgType. */
export function goTypeName(value: Json | undefined): string {
  if (value === null || value === undefined) return '%!s(<nil>)';
  if (Array.isArray(value)) return '[]interface {}';
  if (isJsonObject(value)) return 'map[string]interface {}';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'int64' : 'float64';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

/** Go's `%q`: close enough to JSON string quoting for the messages we build. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

function goNumber(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  // %v of a float64 is %g with shortest digits: exponent form below 1e-4 and from 1e6 up.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
