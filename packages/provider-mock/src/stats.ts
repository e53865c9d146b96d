/**
 * The kubelet's /stats/summary document (stats/v1alpha1 Summary) for a usage snapshot: node, pods
 * and containers with the CPU and memory figures metrics-server and `kubectl top` read.
 */
import type { StatsSummaryDocument } from '@vkubelet/core';
import { rfc3339 } from './time.ts';
import type { NodeUsage, Usage } from './usage.ts';

function cpu(usage: Usage, time: string): Record<string, unknown> {
  return { time, usageNanoCores: usage.nanoCores, usageCoreNanoSeconds: usage.coreNanoSeconds };
}

function memory(
  usage: Usage,
  time: string,
  availableBytes: number | undefined,
): Record<string, unknown> {
  return {
    time,
    ...(availableBytes !== undefined && { availableBytes }),
    usageBytes: usage.workingSetBytes,
    workingSetBytes: usage.workingSetBytes,
    rssBytes: usage.workingSetBytes,
    pageFaults: 0,
    majorPageFaults: 0,
  };
}

export function statsSummary(usage: NodeUsage): StatsSummaryDocument {
  const time = rfc3339(usage.time);
  return {
    node: {
      nodeName: usage.nodeName,
      startTime: rfc3339(usage.startTime),
      cpu: cpu(usage, time),
      memory: memory(usage, time, usage.availableBytes),
    },
    pods: usage.pods.map(pod => ({
      podRef: { name: pod.name, namespace: pod.namespace, uid: pod.uid },
      startTime: rfc3339(pod.startTime),
      containers: pod.containers.map(container => ({
        name: container.name,
        startTime: rfc3339(container.startedAt),
        cpu: cpu(container, time),
        memory: memory(container, time, container.availableBytes),
      })),
      cpu: cpu(pod, time),
      memory: memory(pod, time, undefined),
    })),
  };
}
