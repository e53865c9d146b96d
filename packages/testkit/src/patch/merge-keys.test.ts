import { describe, expect, it } from 'vitest';
import { fieldPatchMeta, mergesElements, patchSchemaFor } from './merge-keys.ts';

function tags(kind: string, path: string): unknown {
  return fieldPatchMeta(patchSchemaFor(kind), path.split('.'));
}

describe('strategic merge schema', () => {
  it.each([
    ['Pod', 'metadata.ownerReferences', { strategy: 'merge', mergeKey: 'uid' }],
    ['Pod', 'metadata.finalizers', { strategy: 'merge' }],
    ['Pod', 'spec.volumes', { strategy: 'merge,retainKeys', mergeKey: 'name' }],
    ['Pod', 'spec.containers', { strategy: 'merge', mergeKey: 'name' }],
    ['Pod', 'spec.initContainers', { strategy: 'merge', mergeKey: 'name' }],
    ['Pod', 'spec.ephemeralContainers', { strategy: 'merge', mergeKey: 'name' }],
    ['Pod', 'spec.containers.env', { strategy: 'merge', mergeKey: 'name' }],
    ['Pod', 'spec.initContainers.ports', { strategy: 'merge', mergeKey: 'containerPort' }],
    ['Pod', 'spec.ephemeralContainers.volumeMounts', { strategy: 'merge', mergeKey: 'mountPath' }],
    ['Pod', 'spec.containers.volumeDevices', { strategy: 'merge', mergeKey: 'devicePath' }],
    ['Pod', 'spec.imagePullSecrets', { strategy: 'merge', mergeKey: 'name' }],
    ['Pod', 'spec.hostAliases', { strategy: 'merge', mergeKey: 'ip' }],
    ['Pod', 'spec.topologySpreadConstraints', { strategy: 'merge', mergeKey: 'topologyKey' }],
    ['Pod', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['Pod', 'status.podIPs', { strategy: 'merge', mergeKey: 'ip' }],
    ['Pod', 'status.hostIPs', { strategy: 'merge', mergeKey: 'ip' }],
    ['Node', 'spec.podCIDRs', { strategy: 'merge' }],
    ['Node', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['Node', 'status.addresses', { strategy: 'merge', mergeKey: 'type' }],
    ['Service', 'spec.ports', { strategy: 'merge', mergeKey: 'port' }],
    ['Service', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['ServiceAccount', 'secrets', { strategy: 'merge', mergeKey: 'name' }],
    ['Namespace', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['Lease', 'metadata.finalizers', { strategy: 'merge' }],
  ])('%s %s carries the k8s.io/api tags', (kind, path, expected) => {
    expect(tags(kind, path)).toEqual(expected);
  });

  it.each([
    ['Pod', 'spec.tolerations'],
    ['Pod', 'spec.readinessGates'],
    ['Pod', 'spec.containers.args'],
    ['Pod', 'spec.containers.envFrom'],
    ['Pod', 'status.containerStatuses'],
    ['Pod', 'status.initContainerStatuses'],
    ['Node', 'spec.taints'],
    ['Node', 'status.images'],
    ['ServiceAccount', 'imagePullSecrets'],
    ['Namespace', 'spec.finalizers'],
    ['Pod', 'metadata.labels'],
  ])('%s %s has no tags (replaced whole, or a map)', (kind, path) => {
    expect(tags(kind, path)).toBeUndefined();
  });

  it('knows which kinds have Go types, and gives the rest ObjectMeta only', () => {
    for (const kind of [
      'Pod',
      'Node',
      'Lease',
      'Service',
      'ServiceAccount',
      'Secret',
      'ConfigMap',
      'Namespace',
      'Event',
    ]) {
      expect(patchSchemaFor(kind).typed).toBe(true);
    }
    const widget = patchSchemaFor('Widget');
    expect(widget.typed).toBe(false);
    expect([...widget.fields.keys()]).toEqual(['metadata.ownerReferences', 'metadata.finalizers']);
    expect(patchSchemaFor('constructor').typed).toBe(false);
  });

  it('merges elements only for a merge strategy', () => {
    expect(mergesElements({ strategy: 'merge,retainKeys', mergeKey: 'name' })).toBe(true);
    expect(mergesElements({ strategy: 'retainKeys' })).toBe(false);
    expect(mergesElements({ strategy: 'replace' })).toBe(false);
    expect(mergesElements(undefined)).toBe(false);
  });
});
