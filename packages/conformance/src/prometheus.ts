/**
 * A parser for the Prometheus text exposition format (0.0.4), strict enough to stand in for
 * upstream's `expfmt.TextParser` in TestGetMetricsResource: "parses as Prometheus text" must
 * mean something, so malformed lines, bad values, duplicate HELP/TYPE lines and families split
 * by other families are errors, not skipped.
 */
import { InvalidInputError } from '@vkubelet/core';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Label {
  readonly name: string;
  readonly value: string;
}

export interface Sample {
  /** The series name as written (`x_bucket` for a histogram `x`). */
  readonly name: string;
  /** In the order written, as expfmt keeps them. */
  readonly labels: readonly Label[];
  readonly value: number;
  readonly timestampMs?: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help?: string;
  readonly samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Series names that belong to a family of another name. */
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [],
  gauge: [],
  untyped: [],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

interface MutableFamily {
  name: string;
  type: MetricType | undefined;
  help: string | undefined;
  samples: Sample[];
}

/** The value of label `name` of `sample`, or undefined. */
export function labelValue(sample: Sample, name: string): string | undefined {
  return sample.labels.find(l => l.name === name)?.value;
}

/** Families by name; throws InvalidInputError naming the line for anything malformed. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MutableFamily>();
  /** Families that have had samples and were then left for another one. */
  const closed = new Set<string>();
  let current: string | undefined;
  const lines = text.split('\n');

  const enter = (name: string, lineNo: number): MutableFamily => {
    if (current !== undefined && current !== name) closed.add(current);
    if (closed.has(name)) fail(lineNo, `metric family ${name} appears again after other families`);
    current = name;
    let family = families.get(name);
    if (!family) {
      family = { name, type: undefined, help: undefined, samples: [] };
      families.set(name, family);
    }
    return family;
  };

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const parts = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!parts) return; // any other comment
      const [, keyword, name = '', rest = ''] = parts;
      if (METRIC_NAME.exec(name)?.[0] !== name) fail(lineNo, `bad metric name ${name}`);
      const family = enter(name, lineNo);
      if (keyword === 'HELP') {
        if (family.help !== undefined) fail(lineNo, `second HELP line for ${name}`);
        family.help = unescapeHelp(rest);
      } else {
        if (family.type !== undefined) fail(lineNo, `second TYPE line for ${name}`);
        if (family.samples.length > 0) fail(lineNo, `TYPE line for ${name} after its samples`);
        if (!TYPES.has(rest as MetricType)) fail(lineNo, `unknown metric type "${rest}"`);
        family.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, lineNo);
    enter(familyOf(sample.name, families, current), lineNo).samples.push(sample);
  });

  const result = new Map<string, MetricFamily>();
  for (const f of families.values()) {
    result.set(f.name, {
      name: f.name,
      type: f.type ?? 'untyped',
      ...(f.help !== undefined ? { help: f.help } : {}),
      samples: f.samples,
    });
  }
  return result;
}

/** `x_bucket` belongs to the histogram `x` when `x` is the family being read or declared. */
function familyOf(
  series: string,
  families: ReadonlyMap<string, MutableFamily>,
  current: string | undefined,
): string {
  for (const candidate of [current, ...families.keys()]) {
    if (candidate === undefined) continue;
    const type = families.get(candidate)?.type;
    if (type === undefined) continue;
    if (SUFFIXES[type].some(suffix => series === candidate + suffix)) return candidate;
  }
  return series;
}

function parseSample(line: string, lineNo: number): Sample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (name === undefined) fail(lineNo, `not a sample: ${line}`);
  let rest = line.slice(name.length);
  const labels: Label[] = [];
  if (rest.startsWith('{')) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith('}')) {
      const labelName = LABEL_NAME.exec(rest)?.[0];
      if (labelName === undefined) fail(lineNo, `bad label name in: ${line}`);
      if (labels.some(l => l.name === labelName))
        fail(lineNo, `label ${labelName} repeated in: ${line}`);
      rest = rest.slice(labelName.length).trimStart();
      if (!rest.startsWith('="')) fail(lineNo, `expected ="value" after ${labelName}`);
      const { value, length } = readQuoted(rest.slice(2), lineNo);
      labels.push({ name: labelName, value });
      rest = rest.slice(2 + length).trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith('}')) fail(lineNo, `expected , or } in: ${line}`);
    }
    rest = rest.slice(1);
  }
  if (!/^[ \t]/.test(rest)) fail(lineNo, `expected a value after the series in: ${line}`);
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length > 2) fail(lineNo, `trailing text in: ${line}`);
  const value = parseValue(fields[0] ?? '', lineNo);
  const ts = fields[1];
  if (ts !== undefined && !/^-?\d+$/.test(ts)) fail(lineNo, `bad timestamp ${ts}`);
  return { name, labels, value, ...(ts !== undefined ? { timestampMs: Number(ts) } : {}) };
}

/** The text up to the closing quote, unescaped, and how many characters it took with the quote. */
function readQuoted(text: string, lineNo: number): { value: string; length: number } {
  let value = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') return { value, length: i + 1 };
    if (c === '\\') {
      const next = text[++i];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else fail(lineNo, `bad escape \\${next ?? ''} in a label value`);
    } else {
      value += c;
    }
  }
  fail(lineNo, 'unterminated label value');
}

function parseValue(text: string, lineNo: number): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  // Number() would take '', '0x1f' and ' 1'; the format wants a Go float.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(lineNo, `bad value "${text}"`);
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

function fail(lineNo: number, message: string): never {
  throw new InvalidInputError(`Prometheus text, line ${lineNo}: ${message}`);
}
