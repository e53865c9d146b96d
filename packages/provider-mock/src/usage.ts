/**
 * Resource usage of the mock's pods: deterministic functions of each pod's spec and running time,
 * computed once per scrape so the stats summary and /metrics/resource agree exactly.
 *
 *   container CPU      half its CPU request (or limit when no request), else 10m
 *   container memory   half its memory request (or limit), else 16 MiB (working set = usage = RSS)
 *   cumulative CPU     CPU rate × time since the container instance started
 *   pod                the sum of its running containers
 *   node               the sum of the pods plus a base of 100m and 256 MiB (CPU time since the
 *                      provider was created)
 */
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import { containerSpec, type PodRecord } from './pod-record.ts';
import { parseQuantity } from './quantity.ts';

export const DEFAULT_CONTAINER_NANO_CORES = 10_000_000;
export const DEFAULT_CONTAINER_MEMORY_BYTES = 16 * 2 ** 20;
export const NODE_BASE_NANO_CORES = 100_000_000;
export const NODE_BASE_MEMORY_BYTES = 256 * 2 ** 20;

export interface Usage {
  readonly nanoCores: number;
  readonly coreNanoSeconds: number;
  readonly workingSetBytes: number;
}

export interface ContainerUsage extends Usage {
  readonly name: string;
  readonly startedAt: number;
  /** Memory limit minus working set, when the container has a limit. */
  readonly availableBytes: number | undefined;
}

export interface PodUsage extends Usage {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly startTime: number;
  readonly containers: readonly ContainerUsage[];
}

export interface NodeUsage extends Usage {
  readonly nodeName: string;
  readonly startTime: number;
  /** When the figures were taken (ms). */
  readonly time: number;
  readonly availableBytes: number;
  readonly pods: readonly PodUsage[];
}

function resource(container: Container, name: string): number | undefined {
  const text = container.resources?.requests?.[name] ?? container.resources?.limits?.[name];
  return text === undefined ? undefined : parseQuantity(text);
}

/** The container's steady CPU rate (nanocores) and working set (bytes). */
export function containerRates(container: Container): {
  nanoCores: number;
  workingSetBytes: number;
} {
  const cores = resource(container, 'cpu');
  const bytes = resource(container, 'memory');
  return {
    nanoCores: cores === undefined ? DEFAULT_CONTAINER_NANO_CORES : Math.round((cores * 1e9) / 2),
    workingSetBytes: bytes === undefined ? DEFAULT_CONTAINER_MEMORY_BYTES : Math.floor(bytes / 2),
  };
}

const sum = (items: readonly Usage[], base: Usage): Usage => ({
  nanoCores: items.reduce((total, u) => total + u.nanoCores, base.nanoCores),
  coreNanoSeconds: items.reduce((total, u) => total + u.coreNanoSeconds, base.coreNanoSeconds),
  workingSetBytes: items.reduce((total, u) => total + u.workingSetBytes, base.workingSetBytes),
});

function podUsage(record: PodRecord, now: number): PodUsage | undefined {
  if (record.terminal) return undefined;
  const containers: ContainerUsage[] = [];
  for (const container of record.containers) {
    const spec = containerSpec(record, container.name);
    if (container.state.kind !== 'running' || !spec) continue;
    const { startedAt } = container.state;
    const rates = containerRates(spec);
    const limit = spec.resources?.limits?.memory;
    const limitBytes = limit === undefined ? undefined : parseQuantity(limit);
    containers.push({
      name: container.name,
      startedAt,
      ...rates,
      coreNanoSeconds: Math.round((rates.nanoCores * Math.max(0, now - startedAt)) / 1000),
      availableBytes:
        limitBytes === undefined
          ? undefined
          : Math.max(0, Math.floor(limitBytes) - rates.workingSetBytes),
    });
  }
  if (containers.length === 0) return undefined;
  return {
    namespace: record.namespace,
    name: record.name,
    uid: record.uid,
    startTime: record.startTime,
    containers,
    ...sum(containers, { nanoCores: 0, coreNanoSeconds: 0, workingSetBytes: 0 }),
  };
}

export function collectUsage(
  records: readonly PodRecord[],
  node: { readonly name: string; readonly startTime: number; readonly memoryCapacity: number },
  now: number,
): NodeUsage {
  const pods = records
    .map(record => podUsage(record, now))
    .filter(pod => pod !== undefined)
    .sort((a, b) =>
      a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace),
    );
  const total = sum(pods, {
    nanoCores: NODE_BASE_NANO_CORES,
    coreNanoSeconds: Math.round((NODE_BASE_NANO_CORES * Math.max(0, now - node.startTime)) / 1000),
    workingSetBytes: NODE_BASE_MEMORY_BYTES,
  });
  return {
    nodeName: node.name,
    startTime: node.startTime,
    time: now,
    availableBytes: Math.max(0, Math.floor(node.memoryCapacity) - total.workingSetBytes),
    pods,
    ...total,
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
