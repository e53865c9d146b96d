/**
 * What the benchmark hands back: figures (value, unit, PERF.md target and verdict), a text table,
 * the JSON document and an SVG chart (throughput and latency percentiles over time, one panel
 * pair per scenario). No dependencies: the SVG is written by hand.
 */
import type { Sample } from './watcher.ts';

export interface Figure {
  readonly name: string;
  readonly value: number | null;
  readonly unit: string;
  /** PERF.md target id and text, e.g. "T2 ≥ 200 pods/s". */
  readonly target?: string;
  readonly pass?: boolean;
  /** The physical limit (baseline client) or an anchor, for comparison. */
  readonly compare?: string;
}

export interface LatencyPoint {
  /** Second since the scenario's watcher started. */
  readonly t: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly figures: Figure[];
  readonly timeline: readonly Sample[];
  readonly latency: readonly LatencyPoint[];
  readonly requests?: Readonly<Record<string, number>>;
  readonly notes: string[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export function fmt(v: number | null, unit: string): string {
  if (v === null || Number.isNaN(v)) return 'n/a';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}${unit === '' ? '' : ` ${unit}`}`;
}

export function table(results: readonly ScenarioResult[]): string {
  const rows: string[][] = [
    ['scenario', 'figure', 'value', 'target (PERF.md)', 'verdict', 'compare'],
  ];
  for (const r of results) {
    for (const f of r.figures) {
      rows.push([
        r.name,
        f.name,
        fmt(f.value, f.unit),
        f.target ?? '',
        f.pass === undefined ? '' : f.pass ? 'pass' : 'MISS',
        f.compare ?? '',
      ]);
    }
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map(row => (row[c] ?? '').length))) ?? [];
  const line = (row: readonly string[]): string =>
    row
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(rows[0] ?? []), widths.map(w => '-'.repeat(w)).join('  ')];
  let last = '';
  for (const row of rows.slice(1)) {
    if (row[0] !== last && last !== '') out.push('');
    last = row[0] ?? '';
    out.push(line(row));
  }
  return `${out.join('\n')}\n`;
}

/** The same table as Markdown, for docs/benchmarks.md. */
export function markdown(results: readonly ScenarioResult[]): string {
  const out = [
    '| scenario | figure | value | target (PERF.md) | verdict | compare |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    for (const f of r.figures) {
      out.push(
        `| ${r.name} | ${f.name} | ${fmt(f.value, f.unit)} | ${f.target ?? ''} | ${
          f.pass === undefined ? '' : f.pass ? 'pass' : '**miss**'
        } | ${f.compare ?? ''} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

interface Line {
  readonly label: string;
  readonly colour: string;
  readonly points: readonly (readonly [number, number])[];
}

function panel(
  x0: number,
  y0: number,
  w: number,
  h: number,
  title: string,
  yUnit: string,
  lines: readonly Line[],
): string {
  const xMax = niceMax(Math.max(1, ...lines.flatMap(l => l.points.map(p => p[0]))));
  const yMax = niceMax(Math.max(0, ...lines.flatMap(l => l.points.map(p => p[1]))));
  const sx = (x: number): number => x0 + (x / xMax) * w;
  const sy = (y: number): number => y0 + h - (y / yMax) * h;
  const parts = [
    `<text x="${x0}" y="${y0 - 8}" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/>`,
      `<text x="${x0 - 4}" y="${sy(y) + 4}" font-size="10" text-anchor="end">${fmt(y, '')}</text>`,
    );
    const x = (xMax * i) / 4;
    parts.push(
      `<text x="${sx(x)}" y="${y0 + h + 14}" font-size="10" text-anchor="middle">${fmt(x, 's')}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 - 40}" y="${y0 + h / 2}" font-size="10" transform="rotate(-90 ${x0 - 40} ${y0 + h / 2})" text-anchor="middle">${esc(yUnit)}</text>`,
  );
  lines.forEach((l, i) => {
    if (l.points.length > 0) {
      const d = l.points.map(
        ([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`,
      );
      parts.push(`<path d="${d.join(' ')}" fill="none" stroke="${l.colour}" stroke-width="1.5"/>`);
    }
    parts.push(
      `<rect x="${x0 + w - 150}" y="${y0 + 6 + i * 14}" width="10" height="3" fill="${l.colour}"/>`,
      `<text x="${x0 + w - 136}" y="${y0 + 11 + i * 14}" font-size="10">${esc(l.label)}</text>`,
    );
  });
  return parts.join('\n');
}

/** Per-second rates from cumulative samples. */
function rate(samples: readonly Sample[], key: 'running' | 'gone' | 'added'): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (a === undefined || b === undefined) continue;
    out.push([b.t / 1000, ((b[key] - a[key]) * 1000) / Math.max(1, b.t - a.t)]);
  }
  return out;
}

export function svg(results: readonly ScenarioResult[], caption: string): string {
  const charted = results.filter(r => r.timeline.length > 1);
  const W = 1100;
  const PH = 170;
  const rowH = PH + 70;
  const H = 60 + charted.length * rowH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="24" font-size="15" font-weight="bold">${esc(caption)}</text>`,
  ];
  charted.forEach((r, i) => {
    const y = 60 + i * rowH;
    parts.push(
      panel(70, y, 440, PH, `${r.name}: throughput (pods/s)`, 'pods/s', [
        { label: 'ADDED/s', colour: '#999', points: rate(r.timeline, 'added') },
        { label: 'Running/s', colour: '#1f77b4', points: rate(r.timeline, 'running') },
        { label: 'gone/s', colour: '#d62728', points: rate(r.timeline, 'gone') },
        {
          label: 'gap (seen − Running)',
          colour: '#2ca02c',
          points: r.timeline.map(s => [s.t / 1000, s.gap]),
        },
      ]),
      panel(610, y, 440, PH, `${r.name}: create→Running latency by second of Running (ms)`, 'ms', [
        { label: 'p50', colour: '#1f77b4', points: r.latency.map(p => [p.t, p.p50]) },
        { label: 'p99', colour: '#ff7f0e', points: r.latency.map(p => [p.t, p.p99]) },
        { label: 'max', colour: '#d62728', points: r.latency.map(p => [p.t, p.max]) },
      ]),
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
