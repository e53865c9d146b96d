/**
 * Strategic-merge schema: the `patchStrategy` / `patchMergeKey` struct tags of the Go types
 * in k8s.io/api (core/v1, coordination/v1) and k8s.io/apimachinery (meta/v1 ObjectMeta).
 *
 * Each kind maps a field path to its tags. Paths are dot-joined JSON field names from the
 * object root; list elements are transparent, so `spec.containers.env` is the `env` of every
 * element of `spec.containers`. Only tagged fields appear, and every one of them is a list.
 * A list without an entry is replaced whole by a strategic patch, as the apiserver does for
 * untagged (atomic) lists; maps always merge key by key.
 *
 * To extend: copy the tag text from the Go struct into a fragment below and mount it with
 * `under()` at each path the struct appears at.
 */

/** The `patchStrategy` tag verbatim. The server ignores `retainKeys` (only clients use it). */
export type PatchStrategy = 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';

export interface FieldPatchMeta {
  readonly strategy: PatchStrategy;
  /** `patchMergeKey`; absent for lists of primitives, which merge as sets. */
  readonly mergeKey?: string;
}

export interface PatchSchema {
  /** Whether the apiserver has a Go type for the kind, so ill-shaped values fail to decode. */
  readonly typed: boolean;
  readonly fields: ReadonlyMap<string, FieldPatchMeta>;
}

type Fragment = Readonly<Record<string, FieldPatchMeta>>;

const byName: FieldPatchMeta = { strategy: 'merge', mergeKey: 'name' };
const byType: FieldPatchMeta = { strategy: 'merge', mergeKey: 'type' };
const byIp: FieldPatchMeta = { strategy: 'merge', mergeKey: 'ip' };

/** meta/v1 ObjectMeta. labels and annotations are maps; managedFields is atomic. */
const objectMeta: Fragment = {
  ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
  finalizers: { strategy: 'merge' },
};

/** core/v1 Container, and EphemeralContainerCommon which mirrors it. envFrom, command, args, resizePolicy are atomic. */
const container: Fragment = {
  ports: { strategy: 'merge', mergeKey: 'containerPort' },
  env: byName,
  volumeMounts: { strategy: 'merge', mergeKey: 'mountPath' },
  volumeDevices: { strategy: 'merge', mergeKey: 'devicePath' },
};

/** core/v1 PodSpec. tolerations, readinessGates are atomic (no tags). */
const podSpec: Fragment = {
  volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  initContainers: byName,
  containers: byName,
  ephemeralContainers: byName,
  imagePullSecrets: byName,
  hostAliases: byIp,
  topologySpreadConstraints: { strategy: 'merge', mergeKey: 'topologyKey' },
  schedulingGates: byName,
  resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  ...under('initContainers', container),
  ...under('containers', container),
  ...under('ephemeralContainers', container),
};

/**
 * core/v1 PodStatus. initContainerStatuses, containerStatuses and ephemeralContainerStatuses
 * are atomic, so the tags inside ContainerStatus are never consulted and are left out.
 */
const podStatus: Fragment = {
  conditions: byType,
  podIPs: byIp,
  hostIPs: byIp,
  resourceClaimStatuses: { strategy: 'merge,retainKeys', mergeKey: 'name' },
};

/** core/v1 NodeSpec (taints are atomic) and NodeStatus (images, volumes* are atomic). */
const nodeSpec: Fragment = { podCIDRs: { strategy: 'merge' } };
const nodeStatus: Fragment = { conditions: byType, addresses: byType };

/** core/v1 ServiceSpec / ServiceStatus (clusterIPs, externalIPs, loadBalancer.ingress are atomic). */
const serviceSpec: Fragment = { ports: { strategy: 'merge', mergeKey: 'port' } };
const serviceStatus: Fragment = { conditions: byType };

/** core/v1 ServiceAccount (imagePullSecrets is atomic here, unlike in PodSpec). */
const serviceAccount: Fragment = { secrets: byName };

/** core/v1 NamespaceStatus (spec.finalizers is atomic, unlike metadata.finalizers). */
const namespaceStatus: Fragment = { conditions: byType };

/** Kinds whose Go types the server knows; anything else is treated as untyped data. */
const kinds: Readonly<Record<string, Fragment>> = {
  Pod: {
    ...under('metadata', objectMeta),
    ...under('spec', podSpec),
    ...under('status', podStatus),
  },
  Node: {
    ...under('metadata', objectMeta),
    ...under('spec', nodeSpec),
    ...under('status', nodeStatus),
  },
  Service: {
    ...under('metadata', objectMeta),
    ...under('spec', serviceSpec),
    ...under('status', serviceStatus),
  },
  ServiceAccount: { ...under('metadata', objectMeta), ...serviceAccount },
  Namespace: { ...under('metadata', objectMeta), ...under('status', namespaceStatus) },
  // Secret, ConfigMap, Event (core/v1) and Lease (coordination/v1) have no tagged lists.
  Secret: under('metadata', objectMeta),
  ConfigMap: under('metadata', objectMeta),
  Event: under('metadata', objectMeta),
  Lease: under('metadata', objectMeta),
};

const schemas: ReadonlyMap<string, PatchSchema> = new Map(
  Object.entries(kinds).map(([kind, fields]) => [
    kind,
    { typed: true, fields: new Map(Object.entries(fields)) },
  ]),
);

/**
 * Kinds not listed: every built-in Go type embeds ObjectMeta, so its tags still apply; the
 * rest merges like a JSON merge patch for maps and replaces lists. (For custom resources the
 * real apiserver refuses strategic merge patches outright, with 415.)
 */
const untyped: PatchSchema = {
  typed: false,
  fields: new Map(Object.entries(under('metadata', objectMeta))),
};

export function patchSchemaFor(kind: string): PatchSchema {
  return schemas.get(kind) ?? untyped;
}

/** The tags of the field at `path` (field names from the root), if it has any. */
export function fieldPatchMeta(
  schema: PatchSchema,
  path: readonly string[],
): FieldPatchMeta | undefined {
  return schema.fields.get(path.join('.'));
}

/** Whether a list with these tags merges element by element (or as a set) instead of being replaced. */
export function mergesElements(meta: FieldPatchMeta | undefined): boolean {
  return meta?.strategy.split(',').includes('merge') ?? false;
}

function under(prefix: string, fragment: Fragment): Fragment {
  return Object.fromEntries(
    Object.entries(fragment).map(([path, meta]) => [`${prefix}.${path}`, meta]),
  );
}
