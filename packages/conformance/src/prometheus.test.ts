import { InvalidInputError } from '@vkubelet/core';
import { describe, expect, it } from 'vitest';
import { labelValue, parsePrometheusText } from './prometheus.ts';

const KUBELET_TEXT = `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="c0",namespace="ns",pod="p"} 0.25 1700000000000
container_cpu_usage_seconds_total{container="c1",namespace="ns",pod="p"} 1e-3 1700000000000
# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds
# TYPE pod_cpu_usage_seconds_total counter
pod_cpu_usage_seconds_total{namespace="ns",pod="p"} 0.251 1700000000000
# HELP scrape_error [ALPHA] 1 if there was an error while getting container metrics, 0 otherwise
# TYPE scrape_error gauge
scrape_error 0
`;

describe('parsePrometheusText', () => {
  it('reads families, their type and help, and samples with labels in written order', () => {
    const families = parsePrometheusText(KUBELET_TEXT);
    expect([...families.keys()]).toEqual([
      'container_cpu_usage_seconds_total',
      'pod_cpu_usage_seconds_total',
      'scrape_error',
    ]);
    const containers = families.get('container_cpu_usage_seconds_total');
    expect(containers?.type).toBe('counter');
    expect(containers?.help).toBe(
      '[STABLE] Cumulative cpu time consumed by the container in core-seconds',
    );
    expect(containers?.samples).toHaveLength(2);
    const first = containers?.samples[0];
    expect(first?.labels.map(l => l.name)).toEqual(['container', 'namespace', 'pod']);
    expect(first && labelValue(first, 'pod')).toBe('p');
    expect(first?.value).toBe(0.25);
    expect(first?.timestampMs).toBe(1_700_000_000_000);
    expect(containers?.samples[1]?.value).toBe(0.001);
    expect(families.get('scrape_error')?.samples[0]).toEqual({
      name: 'scrape_error',
      labels: [],
      value: 0,
    });
  });

  it('unescapes label values and help text, and takes special values and a trailing comma', () => {
    const families = parsePrometheusText(
      [
        '# HELP m a \\\\ b\\nc',
        'm{a="x\\"y\\\\z\\n",b="",} NaN',
        'm{a="2"} +Inf',
        'm{a="3"} -Inf',
        'untyped_one 7',
      ].join('\n'),
    );
    const m = families.get('m');
    expect(m?.help).toBe('a \\ b\nc');
    expect(m?.type).toBe('untyped');
    expect(m?.samples[0]?.labels).toEqual([
      { name: 'a', value: 'x"y\\z\n' },
      { name: 'b', value: '' },
    ]);
    expect(m?.samples[0]?.value).toBeNaN();
    expect(m?.samples[1]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(m?.samples[2]?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(families.get('untyped_one')?.samples[0]?.value).toBe(7);
  });

  it('groups histogram and summary series under their family', () => {
    const families = parsePrometheusText(
      [
        '# TYPE h histogram',
        'h_bucket{le="1"} 1',
        'h_bucket{le="+Inf"} 2',
        'h_sum 3',
        'h_count 2',
        '# TYPE s summary',
        's{quantile="0.5"} 1',
        's_sum 4',
        's_count 2',
      ].join('\n'),
    );
    expect([...families.keys()]).toEqual(['h', 's']);
    expect(families.get('h')?.samples.map(s => s.name)).toEqual([
      'h_bucket',
      'h_bucket',
      'h_sum',
      'h_count',
    ]);
    expect(families.get('s')?.samples).toHaveLength(3);
  });

  it.each([
    ['a value that is not a number', 'm{a="1"} abc'],
    ['no value', 'm{a="1"}'],
    ['a hex value', 'm 0x10'],
    ['an unterminated label value', 'm{a="1} 1'],
    ['a label without quotes', 'm{a=1} 1'],
    ['a repeated label', 'm{a="1",a="2"} 1'],
    ['a bad escape', 'm{a="\\t"} 1'],
    ['a bad timestamp', 'm 1 12.5'],
    ['trailing text', 'm 1 2 3'],
    ['an unknown type', '# TYPE m countr'],
    ['a second TYPE line', '# TYPE m gauge\n# TYPE m gauge'],
    ['a second HELP line', '# HELP m a\n# HELP m b'],
    ['a TYPE line after samples', 'm 1\n# TYPE m gauge'],
    ['a family split by another', 'a 1\nb 1\na 2'],
    ['a line that is not a sample', '{a="1"} 1'],
  ])('rejects %s, naming the line', (_, text) => {
    expect(() => parsePrometheusText(`ok 1\n${text}`)).toThrow(InvalidInputError);
    expect(() => parsePrometheusText(`ok 1\n${text}`)).toThrow(/line \d/);
  });

  it('ignores blank lines and other comments', () => {
    const families = parsePrometheusText('\n# just a comment\n\nm 1\n\n');
    expect([...families.keys()]).toEqual(['m']);
  });
});
