/**
 * Tables for custom resources, as the CRD handler builds them: Name, then the version's
 * additionalPrinterColumns, or a single Age column when it declares none. Column paths use the
 * simple JSONPath CRDs allow: `.a.b`, `['a.b']`, `[0]`, `[*]` and `[?(@.x=="y")]`.
 */
import type { Json, KubeObject } from '../kube-object.ts';
import { isPlainObject } from '../kube-object.ts';
import {
  CREATED_DESCRIPTION,
  NAME_COLUMN,
  type ColumnDefinition,
  type Printer,
} from './columns.ts';
import { humanDuration, parseTimestamp } from './duration.ts';

/** One entry of a CRD version's `additionalPrinterColumns`. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description?: string;
  readonly priority?: number;
  readonly jsonPath: string;
}

const DEFAULT_COLUMNS: readonly PrinterColumn[] = [
  {
    name: 'Age',
    type: 'date',
    description: CREATED_DESCRIPTION,
    jsonPath: '.metadata.creationTimestamp',
  },
];

type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'filter'; readonly path: readonly string[]; readonly value: unknown };

const STEP =
  /^(?:\.([^.[\]]+)|\[(?:'([^']*)'|"([^"]*)")\]|\[(-?\d+)\]|\[\*\]|\[\?\(@((?:\.[^.=!\s)]+)+)\s*==\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?))\s*\)\])/;

/** The steps of a simple JSONPath, or undefined for syntax we do not evaluate. */
function parsePath(path: string): Step[] | undefined {
  let rest = path
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/^\$/, '');
  const steps: Step[] = [];
  while (rest !== '') {
    const m = STEP.exec(rest);
    if (m === null) return undefined;
    const [whole, dotted, single, double, index, filterPath, fs, fd, fn] = m;
    if (dotted !== undefined) steps.push({ kind: 'field', name: dotted });
    else if (single !== undefined || double !== undefined)
      steps.push({ kind: 'field', name: single ?? double ?? '' });
    else if (index !== undefined) steps.push({ kind: 'index', index: Number(index) });
    else if (filterPath !== undefined) {
      steps.push({
        kind: 'filter',
        path: filterPath.slice(1).split('.'),
        value: fn !== undefined ? Number(fn) : (fs ?? fd),
      });
    } else steps.push({ kind: 'all' });
    rest = rest.slice(whole.length);
  }
  return steps;
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  return isPlainObject(value) ? Object.values(value) : [];
}

function follow(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
  return current;
}

/** Every value the path selects, in document order. */
function evaluate(root: unknown, steps: readonly Step[]): unknown[] {
  let values: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of values) {
      switch (step.kind) {
        case 'field':
          if (isPlainObject(v) && step.name in v) next.push(v[step.name]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const items = v as unknown[];
            const i = step.index < 0 ? items.length + step.index : step.index;
            if (i >= 0 && i < items.length) next.push(items[i]);
          }
          break;
        case 'all':
          next.push(...children(v));
          break;
        case 'filter':
          next.push(...children(v).filter(item => follow(item, step.path) === step.value));
          break;
      }
    }
    values = next;
  }
  return values;
}

/** Go's %v for a float64: shortest digits, in exponent form unless 1e-4 ≤ |v| < 1e6. */
function goFloat(v: number): string {
  const [mantissa = '', exponent = '0'] = v.toExponential().split('e');
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/** Go's encoding/json for a value read back out of an object: sorted keys. */
function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${(value as unknown[]).map(goJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map(k => `${JSON.stringify(k)}:${goJson(value[k])}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** jsonpath's text output: strings raw, integers decoded as int64, floats via %v, the rest as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : goFloat(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  return goJson(value);
}

/** The CRD handler's cell for a column of `type`; null where the value does not fit it. */
function cell(type: string, value: unknown, now: Date): Json {
  switch (type) {
    case 'string':
      return asText(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (value === '' || value === '0001-01-01T00:00:00Z') return '<unknown>';
      const ms = parseTimestamp(value);
      return ms === undefined ? '<invalid>' : humanDuration(now.getTime() - ms);
    }
    default:
      return null;
  }
}

export function customResourcePrinter(columns: readonly PrinterColumn[] | undefined): Printer {
  const declared = columns !== undefined && columns.length > 0 ? columns : DEFAULT_COLUMNS;
  const definitions: ColumnDefinition[] = [
    NAME_COLUMN,
    ...declared.map(c => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description:
        c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  const paths = declared.map(c => parsePath(c.jsonPath));
  return {
    columns: definitions,
    row(obj: KubeObject, now: Date) {
      const cells: Json[] = [obj.metadata.name ?? ''];
      declared.forEach((c, i) => {
        const steps = paths[i];
        const found = steps === undefined ? [] : evaluate(obj, steps);
        cells.push(found.length === 0 ? null : cell(c.type, found[0], now));
      });
      return { cells };
    },
  };
}
