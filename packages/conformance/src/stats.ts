/**
 * The parts of the kubelet's `/stats/summary` (stats/v1alpha1 Summary) and `/metrics/resource`
 * answers the suite checks, and upstream's lookups over them.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { labelValue, type MetricFamily, type Sample } from './prometheus.ts';

export interface PodReference {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

export interface ContainerStats {
  readonly name: string;
}

export interface PodStats {
  readonly podRef: PodReference;
  readonly containers?: readonly ContainerStats[];
}

export interface StatsSummary {
  readonly node: { readonly nodeName: string };
  readonly pods?: readonly PodStats[];
}

/** Upstream's findPodInPodStats: the entry with the pod's namespace, name and uid. */
export function findPodStats(summary: StatsSummary, pod: Pod): PodStats | undefined {
  const m = pod.metadata;
  return summary.pods?.find(
    p => p.podRef.namespace === m?.namespace && p.podRef.name === m.name && p.podRef.uid === m.uid,
  );
}

/**
 * The samples of `family` about `pod`. Upstream looks at the second label's value (`Label[1]`),
 * which is `pod` only when the labels come in upstream's mock's order; the labels' names say
 * which is which, so these are matched by name (and by namespace, which upstream does not check).
 */
export function podSamples(family: MetricFamily | undefined, pod: Pod): Sample[] {
  if (!family) return [];
  return family.samples.filter(
    s =>
      labelValue(s, 'pod') === pod.metadata?.name &&
      labelValue(s, 'namespace') === pod.metadata?.namespace,
  );
}
