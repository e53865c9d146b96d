/**
 * The virtual kubelet's own Prometheus metrics: queue depth and processing, provider call
 * latency, API requests by verb/resource/code, lease renewal lateness and dropped events. Every
 * series carries the node name, so one process serving several virtual nodes stays readable.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetricsEvent } from '../queue/work-queue.ts';
import type { Compaction } from '../memory/heap-compactor.ts';

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class VkMetrics {
  readonly registry: Registry;
  private readonly queueDepth: Gauge<'node' | 'queue'>;
  private readonly queueProcessed: Histogram<'node' | 'queue' | 'outcome'>;
  private readonly providerCalls: Histogram<'node' | 'call' | 'outcome'>;
  private readonly apiRequests: Histogram<'node' | 'verb' | 'resource' | 'code'>;
  private readonly leaseLateness: Histogram<'node'>;
  private readonly eventsDropped: Counter<'node'>;
  private readonly compactionPause: Histogram;
  private readonly compactionFreed: Counter;

  constructor(registry = new Registry(), options: { defaultMetrics?: boolean } = {}) {
    this.registry = registry;
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: registry, prefix: 'vkubelet_' });
    this.queueDepth = new Gauge({
      name: 'vkubelet_queue_depth',
      help: 'Keys waiting in a work queue.',
      labelNames: ['node', 'queue'],
      registers: [registry],
    });
    this.queueProcessed = new Histogram({
      name: 'vkubelet_queue_work_duration_seconds',
      help: 'Time to process one key, by outcome (ok, retry, gave-up).',
      labelNames: ['node', 'queue', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.providerCalls = new Histogram({
      name: 'vkubelet_provider_call_duration_seconds',
      help: 'Latency of provider calls (createPod, deletePod, getPods...), by outcome.',
      labelNames: ['node', 'call', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.apiRequests = new Histogram({
      name: 'vkubelet_api_request_duration_seconds',
      help: 'Kubernetes API requests by verb, resource and HTTP status code.',
      labelNames: ['node', 'verb', 'resource', 'code'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.leaseLateness = new Histogram({
      name: 'vkubelet_lease_renew_lateness_seconds',
      help: 'How late each node lease renewal ran against its schedule.',
      labelNames: ['node'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
      registers: [registry],
    });
    this.eventsDropped = new Counter({
      name: 'vkubelet_events_dropped_total',
      help: 'Events dropped by the spam filter or the pending limit.',
      labelNames: ['node'],
      registers: [registry],
    });
    this.compactionPause = new Histogram({
      name: 'vkubelet_heap_compaction_pause_seconds',
      help: 'Pauses of the heap compactions run once the process went quiet after a burst.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.compactionFreed = new Counter({
      name: 'vkubelet_heap_compaction_freed_bytes_total',
      help: 'Resident memory given back by heap compactions.',
      registers: [registry],
    });
  }

  /** A heap compaction (process-wide, not per node). */
  heapCompaction(c: Compaction): void {
    this.compactionPause.observe(c.durationMs / 1000);
    this.compactionFreed.inc(Math.max(0, c.rssBefore - c.rssAfter));
  }

  /** Callbacks bound to one node, in the shapes the controllers and client report. */
  forNode(node: string): NodeMetrics {
    return {
      queue: (e: QueueMetricsEvent) => {
        if (e.kind === 'depth') this.queueDepth.set({ node, queue: e.queue }, e.depth);
        else
          this.queueProcessed.observe(
            { node, queue: e.queue, outcome: e.outcome },
            e.durationMs / 1000,
          );
      },
      providerCall: (call: string, durationMs: number, ok: boolean) => {
        this.providerCalls.observe({ node, call, outcome: ok ? 'ok' : 'error' }, durationMs / 1000);
      },
      apiRequest: (r: { verb: string; resource: string; code: number; durationMs: number }) => {
        this.apiRequests.observe(
          { node, verb: r.verb, resource: r.resource, code: String(r.code) },
          r.durationMs / 1000,
        );
      },
      leaseRenew: (lateMs: number) => {
        this.leaseLateness.observe({ node }, lateMs / 1000);
      },
      eventDropped: () => {
        this.eventsDropped.inc({ node });
      },
    };
  }
}

export interface NodeMetrics {
  queue(e: QueueMetricsEvent): void;
  providerCall(call: string, durationMs: number, ok: boolean): void;
  apiRequest(r: { verb: string; resource: string; code: number; durationMs: number }): void;
  leaseRenew(lateMs: number): void;
  eventDropped(): void;
}
