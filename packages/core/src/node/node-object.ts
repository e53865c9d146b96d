/**
 * The Node object a virtual kubelet registers: labels, taint, daemon endpoint, node info and the
 * conditions it owns, with the provider's `configureNode` applied on top. Also the patches that
 * bring an existing Node in line without touching what other actors set.
 */
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.d.ts';

export const LAST_APPLIED_META = 'virtual-kubelet.io/last-applied-object-meta';

export interface NodeObjectOptions {
  readonly nodeName: string;
  readonly providerName: string;
  /** Extra labels; the defaults (type, role, hostname, os, arch) are always set. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The node's taints; by default `virtual-kubelet.io/provider=<provider>:NoSchedule`. Empty: none. */
  readonly taints?: readonly Taint[];
  readonly operatingSystem: 'linux' | 'windows';
  readonly kubeletPort: number;
  /** InternalIP advertised (the address the API server proxies kubelet calls to). */
  readonly internalIP?: string;
  /** `nodeInfo.kubeletVersion`, e.g. `v1.33.0-vkubelet-0.1.0`. */
  readonly kubeletVersion: string;
}

/** Go's GOARCH names, which Kubernetes labels use. */
export function goArch(arch: string = process.arch): string {
  switch (arch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    default:
      return arch;
  }
}

export function defaultTaint(providerName: string): Taint {
  return { key: 'virtual-kubelet.io/provider', value: providerName, effect: 'NoSchedule' };
}

function nodeLabels(o: NodeObjectOptions): Record<string, string> {
  return {
    type: 'virtual-kubelet',
    'kubernetes.io/role': 'agent',
    'kubernetes.io/hostname': o.nodeName,
    'kubernetes.io/os': o.operatingSystem,
    'kubernetes.io/arch': goArch(),
    'beta.kubernetes.io/os': o.operatingSystem,
    'beta.kubernetes.io/arch': goArch(),
    ...o.labels,
  };
}

/** The conditions a kubelet reports, healthy; the controller flips Ready with the ping. */
export function defaultConditions(now: string): NodeCondition[] {
  const c = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return [
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    c(
      'MemoryPressure',
      'False',
      'KubeletHasSufficientMemory',
      'kubelet has sufficient memory available',
    ),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c(
      'NetworkUnavailable',
      'False',
      'RouteCreated',
      'virtual node networking is managed by the provider',
    ),
  ];
}

/** The Node to register, before the provider's `configureNode`. */
export function buildNode(o: NodeObjectOptions, now: string): Node {
  const taints = o.taints ?? [defaultTaint(o.providerName)];
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.nodeName,
      labels: nodeLabels(o),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', ...o.annotations },
    },
    spec: taints.length > 0 ? { taints: [...taints] } : {},
    status: {
      capacity: {},
      allocatable: {},
      conditions: defaultConditions(now),
      addresses: [
        ...(o.internalIP ? [{ type: 'InternalIP', address: o.internalIP }] : []),
        { type: 'Hostname', address: o.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: o.kubeletPort } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: '',
        osImage: '',
        containerRuntimeVersion: '',
        kubeletVersion: o.kubeletVersion,
        kubeProxyVersion: '',
        operatingSystem: o.operatingSystem,
        architecture: goArch(),
      },
    },
  };
}

interface AppliedMeta {
  labels: string[];
  annotations: string[];
  taints: string[];
}

function taintKey(t: Taint): string {
  return `${t.key}:${t.effect}`;
}

/**
 * A strategic merge patch of the Node's metadata and spec that sets our labels, annotations and
 * taints, removes the ones we set before and no longer want (recorded in an annotation), and
 * leaves everybody else's alone.
 */
export function metadataPatch(existing: Node, desired: Node): Record<string, unknown> {
  const previous = readApplied(existing);
  const labels: Record<string, string | null> = { ...desired.metadata?.labels };
  const annotations: Record<string, string | null> = { ...desired.metadata?.annotations };
  for (const key of previous.labels) if (!(key in labels)) labels[key] = null;
  for (const key of previous.annotations) if (!(key in annotations)) annotations[key] = null;
  const ours = desired.spec?.taints ?? [];
  const oursKeys = new Set(ours.map(taintKey));
  const dropped = new Set(previous.taints.filter(k => !oursKeys.has(k)));
  // Taints have no merge key: the list is replaced, so others' taints are carried over.
  const theirs = (existing.spec?.taints ?? []).filter(
    t => !oursKeys.has(taintKey(t)) && !dropped.has(taintKey(t)),
  );
  const applied: AppliedMeta = {
    labels: Object.keys(desired.metadata?.labels ?? {}).sort(),
    annotations: Object.keys(desired.metadata?.annotations ?? {}).sort(),
    taints: [...oursKeys].sort(),
  };
  annotations[LAST_APPLIED_META] = JSON.stringify(applied);
  return { metadata: { labels, annotations }, spec: { taints: [...theirs, ...ours] } };
}

/** The annotation that records what we applied, on a freshly created Node. */
export function withAppliedAnnotation(node: Node): Node {
  const applied: AppliedMeta = {
    labels: Object.keys(node.metadata?.labels ?? {}).sort(),
    annotations: Object.keys(node.metadata?.annotations ?? {}).sort(),
    taints: (node.spec?.taints ?? []).map(taintKey).sort(),
  };
  return {
    ...node,
    metadata: {
      ...node.metadata,
      annotations: { ...node.metadata?.annotations, [LAST_APPLIED_META]: JSON.stringify(applied) },
    },
  };
}

function readApplied(node: Node): AppliedMeta {
  const raw = node.metadata?.annotations?.[LAST_APPLIED_META];
  if (raw === undefined) return { labels: [], annotations: [], taints: [] };
  try {
    const parsed = JSON.parse(raw) as Partial<AppliedMeta>;
    const strings = (v: unknown): string[] =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    return {
      labels: strings(parsed.labels),
      annotations: strings(parsed.annotations),
      taints: strings(parsed.taints),
    };
  } catch {
    return { labels: [], annotations: [], taints: [] };
  }
}

/**
 * The nodes/status patch for a heartbeat: every condition we own with lastHeartbeatTime now, and
 * lastTransitionTime kept unless its status changed. Conditions merge by type, so conditions other
 * actors add survive.
 */
export function statusPatch(
  desired: Node,
  current: Node | undefined,
  now: string,
): Record<string, unknown> {
  const before = new Map((current?.status?.conditions ?? []).map(c => [c.type, c]));
  const conditions = (desired.status?.conditions ?? []).map(c => {
    const prior = before.get(c.type);
    const transition = prior && prior.status === c.status ? (prior.lastTransitionTime ?? now) : now;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: transition };
  });
  const status = desired.status ?? {};
  return {
    status: {
      conditions,
      ...(status.capacity ? { capacity: status.capacity } : {}),
      ...(status.allocatable ? { allocatable: status.allocatable } : {}),
      ...(status.addresses ? { addresses: status.addresses } : {}),
      ...(status.daemonEndpoints ? { daemonEndpoints: status.daemonEndpoints } : {}),
      ...(status.nodeInfo ? { nodeInfo: status.nodeInfo } : {}),
    },
  };
}
