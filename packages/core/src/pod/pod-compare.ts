/** What counts as a change worth a provider call, and small pod predicates the controllers share. */
import { createHash } from 'node:crypto';
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.d.ts';

export function podKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

export function keyOf(pod: Pod): string {
  return podKey(pod.metadata?.namespace, pod.metadata?.name);
}

export function uidOf(pod: Pod | undefined): string | undefined {
  return pod?.metadata?.uid;
}

export function isTerminal(pod: Pod | undefined): boolean {
  const phase = pod?.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Stable JSON: key order never makes two equal values look different. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/**
 * Whether two JSON values are equal, ignoring key order and undefined members (as stableJson
 * would compare them), without building strings: informer updates run this for every pod write.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const key in x) {
    const value = x[key];
    if (value === undefined) continue;
    defined++;
    if (!jsonEqual(value, y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) defined--;
  return defined === 0;
}

/** The parts of a pod that make an UpdatePod (see specFingerprint). */
function specParts(pod: Pod): readonly unknown[] {
  return [
    pod.spec?.containers,
    pod.spec?.initContainers,
    pod.spec?.ephemeralContainers,
    pod.spec?.activeDeadlineSeconds,
    pod.spec?.tolerations,
    pod.metadata?.labels,
    pod.metadata?.annotations,
  ];
}

/**
 * The parts of a pod whose change makes an UpdatePod: containers, init and ephemeral containers,
 * activeDeadlineSeconds, tolerations, labels and annotations. Status, resourceVersion and
 * managed fields never do; env is compared as written in the API pod (not as resolved), so the
 * order of resolved variables can never cause an update.
 */
export function specFingerprint(pod: Pod): string {
  // A digest, not the JSON itself: it is kept per pod, and the JSON is most of a pod's spec.
  return digest({
    containers: pod.spec?.containers,
    initContainers: pod.spec?.initContainers,
    ephemeralContainers: pod.spec?.ephemeralContainers,
    activeDeadlineSeconds: pod.spec?.activeDeadlineSeconds,
    tolerations: pod.spec?.tolerations,
    labels: pod.metadata?.labels,
    annotations: pod.metadata?.annotations,
  });
}

function digest(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64');
}

/** Whether an informer update should wake the sync worker (spec change or deletion progress). */
export function needsSync(old: Pod, next: Pod): boolean {
  if (uidOf(old) !== uidOf(next)) return true;
  if (old.metadata?.deletionTimestamp !== next.metadata?.deletionTimestamp) return true;
  if (old.metadata?.deletionGracePeriodSeconds !== next.metadata?.deletionGracePeriodSeconds)
    return true;
  return !jsonEqual(specParts(old), specParts(next));
}

/**
 * The fields of `desired` that differ from `current`, as a pods/status strategic merge patch
 * body, or undefined when nothing differs (a no-op write is never sent).
 */
export function statusPatchFor(
  current: PodStatus | undefined,
  desired: PodStatus,
): PodStatus | undefined {
  const patch: Record<string, unknown> = {};
  const cur = (current ?? {}) as Record<string, unknown>;
  for (const [field, value] of Object.entries(desired as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (field === 'conditions') {
      // Conditions merge by type: send only the ones that changed, ignoring probe timestamps.
      const before = new Map((current?.conditions ?? []).map(c => [c.type, c]));
      const changed = (desired.conditions ?? []).flatMap(c => {
        const prior = before.get(c.type);
        if (
          prior &&
          prior.status === c.status &&
          prior.reason === c.reason &&
          prior.message === c.message
        ) {
          return [];
        }
        // Conditions merge field by field: a reason or message that went away must be nulled.
        const cleared = Object.fromEntries(
          (['reason', 'message'] as const)
            .filter(k => prior?.[k] != null && c[k] == null)
            .map(k => [k, null]),
        );
        return [{ ...c, ...cleared }];
      });
      if (changed.length > 0) patch.conditions = changed;
      continue;
    }
    if (!jsonEqual(cur[field], value)) patch[field] = value;
  }
  // A top-level reason or message we (or the provider) set earlier goes when the provider drops it.
  for (const field of ['reason', 'message'] as const) {
    if (current?.[field] != null && desired[field] == null) patch[field] = null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Containers all terminated or waiting (or none reported): nothing left running. */
export function nothingRunning(status: PodStatus | undefined): boolean {
  const all: ContainerStatus[] = [
    ...(status?.containerStatuses ?? []),
    ...(status?.initContainerStatuses ?? []),
  ];
  return all.every(c => c.state?.running === undefined);
}
