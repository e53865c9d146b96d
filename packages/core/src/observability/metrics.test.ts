import { describe, expect, it } from 'vitest';
import { VkMetrics } from './metrics.ts';
import { parseListenAddress, serveMetrics } from './metrics-server.ts';

describe(VkMetrics, () => {
  it('exposes queue, provider, API and lease series labelled by node over HTTP', async () => {
    const metrics = new VkMetrics(undefined, { defaultMetrics: false });
    const m = metrics.forNode('vk-1');
    m.queue({ kind: 'depth', queue: 'pod-sync', depth: 7 });
    m.queue({ kind: 'processed', queue: 'pod-sync', durationMs: 12, outcome: 'ok' });
    m.providerCall('createPod', 250, true);
    m.apiRequest({ verb: 'patch', resource: 'pods/status', code: 200, durationMs: 4 });
    m.leaseRenew(3);
    m.eventDropped();
    metrics.heapCompaction({
      rssBefore: 200e6,
      rssAfter: 150e6,
      heapBefore: 90e6,
      heapAfter: 80e6,
      durationMs: 250,
    });
    const endpoint = await serveMetrics('127.0.0.1:0', metrics.registry, () => true);
    try {
      const text = await (await fetch(`http://127.0.0.1:${endpoint.port}/metrics`)).text();
      expect(text).toContain('vkubelet_queue_depth{node="vk-1",queue="pod-sync"} 7');
      expect(text).toContain(
        'vkubelet_queue_work_duration_seconds_count{node="vk-1",queue="pod-sync",outcome="ok"} 1',
      );
      expect(text).toContain(
        'vkubelet_provider_call_duration_seconds_sum{node="vk-1",call="createPod",outcome="ok"} 0.25',
      );
      expect(text).toContain(
        'vkubelet_api_request_duration_seconds_count{node="vk-1",verb="patch",resource="pods/status",code="200"} 1',
      );
      expect(text).toContain('vkubelet_lease_renew_lateness_seconds_count{node="vk-1"} 1');
      expect(text).toContain('vkubelet_events_dropped_total{node="vk-1"} 1');
      expect(text).toContain('vkubelet_heap_compaction_pause_seconds_sum 0.25');
      expect(text).toContain('vkubelet_heap_compaction_freed_bytes_total 50000000');
      expect((await fetch(`http://127.0.0.1:${endpoint.port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${endpoint.port}/nope`)).status).toBe(404);
    } finally {
      await endpoint.close();
    }
  });

  it('parses listen addresses', () => {
    expect(parseListenAddress(':10255')).toEqual({ host: undefined, port: 10255 });
    expect(parseListenAddress('127.0.0.1:9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(parseListenAddress('[::1]:9090')).toEqual({ host: '::1', port: 9090 });
    expect(() => parseListenAddress('10255')).toThrow('invalid listen address "10255"');
  });
});
