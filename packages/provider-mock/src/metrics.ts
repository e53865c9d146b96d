/**
 * The kubelet's /metrics/resource in the Prometheus text format, for a usage snapshot: the
 * families metrics-server reads, with the kubelet's names, help texts and label names, and
 * sample timestamps in milliseconds as the kubelet writes them.
 */
import type { NodeUsage } from './usage.ts';

interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs?: number;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly Sample[];
}

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatSample(name: string, sample: Sample): string {
  const labels = Object.keys(sample.labels)
    .sort()
    .map(key => `${key}="${escapeLabel(sample.labels[key] ?? '')}"`)
    .join(',');
  const series = labels ? `${name}{${labels}}` : name;
  const timestamp = sample.timestampMs === undefined ? '' : ` ${sample.timestampMs}`;
  return `${series} ${String(sample.value)}${timestamp}\n`;
}

export function metricsText(usage: NodeUsage): string {
  const ts = usage.time;
  const seconds = (coreNanoSeconds: number): number => coreNanoSeconds / 1e9;
  const containers = usage.pods.flatMap(pod =>
    pod.containers.map(container => ({
      labels: { container: container.name, namespace: pod.namespace, pod: pod.name },
      container,
    })),
  );
  const pods = usage.pods.map(pod => ({
    labels: { namespace: pod.namespace, pod: pod.name },
    pod,
  }));
  const families: Family[] = [
    {
      name: 'container_cpu_usage_seconds_total',
      help: '[STABLE] Cumulative cpu time consumed by the container in core-seconds',
      type: 'counter',
      samples: containers.map(c => ({
        labels: c.labels,
        value: seconds(c.container.coreNanoSeconds),
        timestampMs: ts,
      })),
    },
    {
      name: 'container_memory_working_set_bytes',
      help: '[STABLE] Current working set of the container in bytes',
      type: 'gauge',
      samples: containers.map(c => ({
        labels: c.labels,
        value: c.container.workingSetBytes,
        timestampMs: ts,
      })),
    },
    {
      name: 'container_start_time_seconds',
      help: '[STABLE] Start time of the container since unix epoch in seconds',
      type: 'gauge',
      samples: containers.map(c => ({
        labels: c.labels,
        value: Math.floor(c.container.startedAt / 1000),
        timestampMs: ts,
      })),
    },
    {
      name: 'node_cpu_usage_seconds_total',
      help: '[STABLE] Cumulative cpu time consumed by the node in core-seconds',
      type: 'counter',
      samples: [{ labels: {}, value: seconds(usage.coreNanoSeconds), timestampMs: ts }],
    },
    {
      name: 'node_memory_working_set_bytes',
      help: '[STABLE] Current working set of the node in bytes',
      type: 'gauge',
      samples: [{ labels: {}, value: usage.workingSetBytes, timestampMs: ts }],
    },
    {
      name: 'pod_cpu_usage_seconds_total',
      help: '[STABLE] Cumulative cpu time consumed by the pod in core-seconds',
      type: 'counter',
      samples: pods.map(p => ({
        labels: p.labels,
        value: seconds(p.pod.coreNanoSeconds),
        timestampMs: ts,
      })),
    },
    {
      name: 'pod_memory_working_set_bytes',
      help: '[STABLE] Current working set of the pod in bytes',
      type: 'gauge',
      samples: pods.map(p => ({ labels: p.labels, value: p.pod.workingSetBytes, timestampMs: ts })),
    },
    {
      name: 'scrape_error',
      help: '[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise',
      type: 'gauge',
      samples: [{ labels: {}, value: 0 }],
    },
  ];
  return families
    .map(
      f =>
        `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n` +
        f.samples.map(s => formatSample(f.name, s)).join(''),
    )
    .join('');
}
