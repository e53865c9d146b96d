/**
 * The resources this API server serves, described once: routing, discovery, storage keys and
 * RBAC-style authorization attributes are all derived from these descriptors.
 */

export interface ResourceDescriptor {
  /** API group; '' is the legacy core group served under /api. */
  readonly group: string;
  readonly version: string;
  /** Plural resource name as it appears in URLs. */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
  readonly categories: readonly string[];
  /** Create-only review resources (TokenReview, SubjectAccessReview...): never stored. */
  readonly virtual: boolean;
  /** Another descriptor whose storage this one shares (events.k8s.io events are core events). */
  readonly storageOf?: string;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function describe(
  d: Pick<ResourceDescriptor, 'group' | 'version' | 'resource' | 'kind' | 'namespaced'> &
    Partial<ResourceDescriptor>,
): ResourceDescriptor {
  return {
    singular: d.kind.toLowerCase(),
    listKind: `${d.kind}List`,
    shortNames: [],
    verbs: CRUD,
    subresources: [],
    categories: [],
    virtual: false,
    ...d,
  };
}

export const RESOURCES: readonly ResourceDescriptor[] = [
  describe({
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'finalize'],
  }),
  describe({
    group: '',
    version: 'v1',
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status', 'proxy'],
  }),
  describe({
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      'status',
      'binding',
      'log',
      'exec',
      'attach',
      'portforward',
      'proxy',
      'eviction',
      'ephemeralcontainers',
    ],
  }),
  describe({ group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true }),
  describe({
    group: '',
    version: 'v1',
    resource: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  }),
  describe({
    group: '',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'proxy'],
  }),
  describe({
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    subresources: ['token'],
  }),
  describe({
    group: '',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
  }),
  describe({
    group: 'events.k8s.io',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    storageOf: 'events',
  }),
  describe({
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    namespaced: true,
  }),
  describe({
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'tokenreviews',
    kind: 'TokenReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
  describe({
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'selfsubjectreviews',
    kind: 'SelfSubjectReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
  describe({
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'subjectaccessreviews',
    kind: 'SubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
  describe({
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
  describe({
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectrulesreviews',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
  describe({
    group: 'certificates.k8s.io',
    version: 'v1',
    resource: 'certificatesigningrequests',
    kind: 'CertificateSigningRequest',
    namespaced: false,
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
  }),
];

/** `group/version`, or just `version` for the core group, as in `apiVersion`. */
export function apiVersionOf(d: Pick<ResourceDescriptor, 'group' | 'version'>): string {
  return d.group === '' ? d.version : `${d.group}/${d.version}`;
}

/** The key storage uses: shared storage (events) maps to the descriptor it is stored as. */
export function storageResource(d: ResourceDescriptor): string {
  return d.storageOf ?? d.resource;
}

export function findResource(
  group: string,
  version: string,
  resource: string,
): ResourceDescriptor | undefined {
  return RESOURCES.find(d => d.group === group && d.version === version && d.resource === resource);
}

/** Groups in the order discovery lists them; the core group is served separately under /api. */
export function apiGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, Set<string>>();
  for (const d of RESOURCES) {
    if (d.group === '') continue;
    const versions = groups.get(d.group) ?? new Set<string>();
    versions.add(d.version);
    groups.set(d.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
}
