/**
 * Addressing the REST API: a `ResourceRef` names a collection, an object or a subresource, and
 * turns into the URL path the API server serves it under (`/api/v1/...` for the core group,
 * `/apis/<group>/<version>/...` for the others).
 */
import { InvalidInputError } from '../errors/errors.ts';

export interface ResourceRef {
  /** API group; absent or '' for the core group (`/api/v1`). */
  readonly group?: string;
  readonly version: string;
  /** Plural resource name: `pods`, `leases`, `certificatesigningrequests`. */
  readonly resource: string;
  /** For namespaced resources; absent for cluster-scoped ones or to list across namespaces. */
  readonly namespace?: string;
  readonly name?: string;
  /** `status`, `binding`, `token`, `eviction`, `approval`... needs `name`. */
  readonly subresource?: string;
}

type QueryValue = string | number | boolean | undefined;

/** The URL path of `ref` (no query). Throws InvalidInputError for refs that cannot be served. */
export function resourcePath(ref: ResourceRef): string {
  if (!ref.version) throw new InvalidInputError('a resource ref needs a version');
  if (!ref.resource) throw new InvalidInputError('a resource ref needs a resource');
  if (ref.subresource !== undefined && !ref.name) {
    throw new InvalidInputError(`subresource ${ref.subresource} of ${ref.resource} needs a name`);
  }
  const segments =
    ref.group === undefined || ref.group === ''
      ? ['api', ref.version]
      : ['apis', ref.group, ref.version];
  if (ref.namespace !== undefined) {
    if (ref.namespace === '') throw new InvalidInputError('an empty namespace is not a namespace');
    segments.push('namespaces', ref.namespace);
  }
  segments.push(ref.resource);
  if (ref.name !== undefined) {
    if (ref.name === '') throw new InvalidInputError(`an empty name for ${ref.resource}`);
    segments.push(ref.name);
  }
  if (ref.subresource !== undefined) segments.push(ref.subresource);
  return `/${segments.map(encodeURIComponent).join('/')}`;
}

/** `?a=1&b=x` from the defined entries, or '' when none are. */
export function queryString(query: Readonly<Record<string, QueryValue>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** `pods`, `pods/status`: the label metrics and logs use for a ref. */
export function resourceLabel(ref: ResourceRef): string {
  return ref.subresource === undefined ? ref.resource : `${ref.resource}/${ref.subresource}`;
}

/** The ref a resource path addresses, or undefined for non-resource paths (`/healthz`). */
export function parseResourcePath(path: string): ResourceRef | undefined {
  const clean = path.split('?')[0] ?? '';
  const parts = clean
    .split('/')
    .filter(p => p !== '')
    .map(decodeURIComponent);
  let group: string | undefined;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  const version = parts[0] === 'api' ? parts[1] : parts[2];
  if (version === undefined) return undefined;
  let namespace: string | undefined;
  // `namespaces/<ns>/<resource>...`; but `namespaces/<name>/status|finalize` is the Namespace.
  const namespaceSubresource =
    rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (resource === undefined) return undefined;
  return {
    ...(group !== undefined ? { group } : {}),
    version,
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

/** The refs vkubelet itself uses, without namespace or name: spread them and add those. */
export const Resources = {
  pods: { version: 'v1', resource: 'pods' },
  nodes: { version: 'v1', resource: 'nodes' },
  namespaces: { version: 'v1', resource: 'namespaces' },
  secrets: { version: 'v1', resource: 'secrets' },
  configMaps: { version: 'v1', resource: 'configmaps' },
  services: { version: 'v1', resource: 'services' },
  serviceAccounts: { version: 'v1', resource: 'serviceaccounts' },
  events: { version: 'v1', resource: 'events' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  tokenReviews: { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' },
  subjectAccessReviews: {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'subjectaccessreviews',
  },
  certificateSigningRequests: {
    group: 'certificates.k8s.io',
    version: 'v1',
    resource: 'certificatesigningrequests',
  },
} as const satisfies Record<string, ResourceRef>;
