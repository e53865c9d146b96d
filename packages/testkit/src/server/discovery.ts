/** Discovery documents (/api, /apis, /api/v1, /apis/{g}/{v}) and /version, derived from the registry. */
import { apiGroups, RESOURCES } from '../resources/registry.ts';

export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

export function versionDocument(gitVersion: string): Record<string, string> {
  const match = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: match?.[1] ?? '1',
    minor: match?.[2] ?? '33',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export function coreVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function groupList(): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups().map(g => groupDocument(g.name, g.versions)),
  };
}

function groupDocument(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map(v => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function group(name: string): unknown {
  const g = apiGroups().find(x => x.name === name);
  return g
    ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(g.name, g.versions) }
    : undefined;
}

/** An APIResourceList, or undefined when the group/version is not served. */
export function resourceList(groupName: string, version: string): unknown {
  const served = RESOURCES.filter(d => d.group === groupName && d.version === version);
  if (served.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const d of served) {
    resources.push({
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
      ...(d.shortNames.length > 0 ? { shortNames: d.shortNames } : {}),
      ...(d.categories.length > 0 ? { categories: d.categories } : {}),
    });
    for (const sub of d.subresources) {
      resources.push({
        name: `${d.resource}/${sub}`,
        singularName: '',
        namespaced: d.namespaced,
        kind: subresourceKind(d.kind, sub),
        verbs: subresourceVerbs(sub),
        // Evictions are policy/v1 objects; kubectl drain looks for this to use the eviction API.
        ...(sub === 'eviction' ? { group: 'policy', version: 'v1' } : {}),
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName === '' ? version : `${groupName}/${version}`,
    resources,
  };
}

function subresourceKind(kind: string, sub: string): string {
  switch (sub) {
    case 'binding':
      return 'Binding';
    case 'eviction':
      return 'Eviction';
    case 'token':
      return 'TokenRequest';
    case 'log':
    case 'exec':
    case 'attach':
    case 'portforward':
    case 'proxy':
      return sub === 'proxy'
        ? `${kind}ProxyOptions`
        : `Pod${sub[0]?.toUpperCase() ?? ''}${sub.slice(1)}Options`;
    default:
      return kind;
  }
}

function subresourceVerbs(sub: string): string[] {
  switch (sub) {
    case 'status':
    case 'approval':
    case 'ephemeralcontainers':
      return ['get', 'patch', 'update'];
    case 'binding':
    case 'eviction':
    case 'token':
      return ['create'];
    case 'log':
      return ['get'];
    case 'exec':
    case 'attach':
    case 'portforward':
      return ['create', 'get'];
    case 'proxy':
      return ['create', 'delete', 'get', 'patch', 'update'];
    default:
      return ['get'];
  }
}
