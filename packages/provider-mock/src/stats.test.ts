import { describe, expect, it } from 'vitest';
import { context, makePod, never, setup } from './test-support/fixtures.ts';

const T10 = '2024-01-01T00:00:10Z';
const T0s = '2024-01-01T00:00:00Z';
const TS = Date.UTC(2024, 0, 1, 0, 0, 10); // scrape time in ms

/** Two running pods, one finished pod (no stats), scraped 10 s after they started. */
async function scraped() {
  const env = setup();
  env.provider.configureNode({ metadata: { name: 'vk-1' } });
  await env.provider.createPod(
    makePod('a', {
      containers: [
        { name: 'c1', image: 'x', resources: { requests: { cpu: '500m', memory: '256Mi' } } },
        { name: 'c2', image: 'x' },
      ],
    }),
    context(),
  );
  await env.provider.createPod(
    makePod('b', {
      namespace: 'apps',
      containers: [
        { name: 'main', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } },
      ],
    }),
    context(),
  );
  await env.provider.createPod(
    makePod('done', {
      restartPolicy: 'Never',
      containers: [{ name: 'c', image: 'x', command: ['exit', '0'] }],
    }),
    context(),
  );
  await env.clock.advance(10_000);
  return env;
}

const cpu = (nano: number, total: number) => ({
  time: T10,
  usageNanoCores: nano,
  usageCoreNanoSeconds: total,
});
const memory = (bytes: number, available?: number) => ({
  time: T10,
  ...(available !== undefined && { availableBytes: available }),
  usageBytes: bytes,
  workingSetBytes: bytes,
  rssBytes: bytes,
  pageFaults: 0,
  majorPageFaults: 0,
});

describe('stats summary', () => {
  it('has deterministic figures that add up: pod = containers, node = pods + base', async () => {
    const { provider } = await scraped();
    expect(await provider.getStatsSummary(never())).toEqual({
      node: {
        nodeName: 'vk-1',
        startTime: T0s,
        cpu: cpu(860_000_000, 8_600_000_000),
        memory: memory(956_301_312, 107_374_182_400 - 956_301_312),
      },
      pods: [
        {
          podRef: { name: 'b', namespace: 'apps', uid: 'uid-b' },
          startTime: T0s,
          containers: [
            {
              name: 'main',
              startTime: T0s,
              cpu: cpu(500_000_000, 5_000_000_000),
              memory: memory(536_870_912, 536_870_912),
            },
          ],
          cpu: cpu(500_000_000, 5_000_000_000),
          memory: memory(536_870_912),
        },
        {
          podRef: { name: 'a', namespace: 'default', uid: 'uid-a' },
          startTime: T0s,
          containers: [
            {
              name: 'c1',
              startTime: T0s,
              cpu: cpu(250_000_000, 2_500_000_000),
              memory: memory(134_217_728),
            },
            {
              name: 'c2',
              startTime: T0s,
              cpu: cpu(10_000_000, 100_000_000),
              memory: memory(16_777_216),
            },
          ],
          cpu: cpu(260_000_000, 2_600_000_000),
          memory: memory(150_994_944),
        },
      ],
    });
  });

  it('uses the configured node name only once configureNode has run', async () => {
    const { provider } = setup({ nodeName: 'from-options' });
    expect((await provider.getStatsSummary(never())).node.nodeName).toBe('from-options');
    provider.configureNode({ metadata: { name: 'vk-real' } });
    expect((await provider.getStatsSummary(never())).node.nodeName).toBe('vk-real');
  });

  it('leaves out deleted pods and containers that are not running', async () => {
    const { provider } = await scraped();
    await provider.deletePod(makePod('b', { namespace: 'apps' }), never());
    provider.simulateContainerRestart('default', 'a', 'c2');
    const summary = await provider.getStatsSummary(never());
    expect(summary.pods.map(p => p.podRef.name)).toEqual(['a']);
    // c2 restarted just now: its CPU time starts again from zero.
    expect((summary.pods[0] as any).containers[1].cpu.usageCoreNanoSeconds).toBe(0);
  });
});

describe('metrics resource', () => {
  it('is Prometheus text with the kubelet families, labels and values', async () => {
    const { provider } = await scraped();
    expect(await provider.getMetricsResource(never())).toBe(
      [
        '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
        '# TYPE container_cpu_usage_seconds_total counter',
        `container_cpu_usage_seconds_total{container="main",namespace="apps",pod="b"} 5 ${TS}`,
        `container_cpu_usage_seconds_total{container="c1",namespace="default",pod="a"} 2.5 ${TS}`,
        `container_cpu_usage_seconds_total{container="c2",namespace="default",pod="a"} 0.1 ${TS}`,
        '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
        '# TYPE container_memory_working_set_bytes gauge',
        `container_memory_working_set_bytes{container="main",namespace="apps",pod="b"} 536870912 ${TS}`,
        `container_memory_working_set_bytes{container="c1",namespace="default",pod="a"} 134217728 ${TS}`,
        `container_memory_working_set_bytes{container="c2",namespace="default",pod="a"} 16777216 ${TS}`,
        '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
        '# TYPE container_start_time_seconds gauge',
        `container_start_time_seconds{container="main",namespace="apps",pod="b"} 1704067200 ${TS}`,
        `container_start_time_seconds{container="c1",namespace="default",pod="a"} 1704067200 ${TS}`,
        `container_start_time_seconds{container="c2",namespace="default",pod="a"} 1704067200 ${TS}`,
        '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
        '# TYPE node_cpu_usage_seconds_total counter',
        `node_cpu_usage_seconds_total 8.6 ${TS}`,
        '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
        '# TYPE node_memory_working_set_bytes gauge',
        `node_memory_working_set_bytes 956301312 ${TS}`,
        '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
        '# TYPE pod_cpu_usage_seconds_total counter',
        `pod_cpu_usage_seconds_total{namespace="apps",pod="b"} 5 ${TS}`,
        `pod_cpu_usage_seconds_total{namespace="default",pod="a"} 2.6 ${TS}`,
        '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
        '# TYPE pod_memory_working_set_bytes gauge',
        `pod_memory_working_set_bytes{namespace="apps",pod="b"} 536870912 ${TS}`,
        `pod_memory_working_set_bytes{namespace="default",pod="a"} 150994944 ${TS}`,
        '# HELP scrape_error [ALPHA] 1 if there was an error while getting container metrics, 0 otherwise',
        '# TYPE scrape_error gauge',
        'scrape_error 0',
        '',
      ].join('\n'),
    );
  });

  it('agrees with the stats summary taken at the same moment', async () => {
    const { provider, clock } = await scraped();
    await clock.advance(1234);
    const summary = await provider.getStatsSummary(never());
    const text = await provider.getMetricsResource(never());
    const samples = new Map<string, number>();
    for (const row of text.split('\n')) {
      const match = /^(\w+(?:\{[^}]*\})?) (\S+)/.exec(row);
      if (match && !row.startsWith('#')) samples.set(match[1]!, Number(match[2]));
    }
    const node = summary.node as any;
    expect(samples.get('node_cpu_usage_seconds_total')).toBeCloseTo(
      node.cpu.usageCoreNanoSeconds / 1e9,
      9,
    );
    expect(samples.get('node_memory_working_set_bytes')).toBe(node.memory.workingSetBytes);
    for (const pod of summary.pods as any[]) {
      const labels = `namespace="${pod.podRef.namespace}",pod="${pod.podRef.name}"`;
      expect(samples.get(`pod_cpu_usage_seconds_total{${labels}}`)).toBeCloseTo(
        pod.cpu.usageCoreNanoSeconds / 1e9,
        9,
      );
      expect(samples.get(`pod_memory_working_set_bytes{${labels}}`)).toBe(
        pod.memory.workingSetBytes,
      );
      for (const c of pod.containers) {
        const key = `{container="${c.name}",${labels}}`;
        expect(samples.get(`container_cpu_usage_seconds_total${key}`)).toBeCloseTo(
          c.cpu.usageCoreNanoSeconds / 1e9,
          9,
        );
        expect(samples.get(`container_memory_working_set_bytes${key}`)).toBe(
          c.memory.workingSetBytes,
        );
        expect(samples.get(`container_start_time_seconds${key}`)).toBe(
          Date.parse(c.startTime) / 1000,
        );
      }
    }
    expect(samples.get('scrape_error')).toBe(0);
  });

  it('escapes label values', async () => {
    const { provider } = setup();
    // Names like these never pass API validation; the escaping must still hold.
    await provider.createPod(makePod('we"ird\\pod'), context());
    expect(await provider.getMetricsResource(never())).toContain(
      'pod_memory_working_set_bytes{namespace="default",pod="we\\"ird\\\\pod"} 16777216',
    );
  });
});
