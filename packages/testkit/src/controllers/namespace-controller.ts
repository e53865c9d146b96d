/**
 * What kube-controller-manager does for namespaces: every namespace gets its `default`
 * ServiceAccount and the `kube-root-ca.crt` ConfigMap, and a deleted namespace is emptied and
 * then removed.
 */
import { ApiError } from '../api-error.ts';
import type { KubeObject } from '../kube-object.ts';
import {
  findResource,
  RESOURCES,
  storageResource,
  type ResourceDescriptor,
} from '../resources/registry.ts';
import type { Rest } from '../server/rest.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { react, type Report } from './controller-kit.ts';

const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts') as ResourceDescriptor;
const CONFIG_MAPS = findResource('', 'v1', 'configmaps') as ResourceDescriptor;

/** Stored namespaced resources, each once (events.k8s.io shares core events' storage). */
const NAMESPACED = RESOURCES.filter(d => d.namespaced && !d.virtual && d.storageOf === undefined);

export function startNamespaceController(
  store: ObjectStore,
  rest: Rest,
  caPem: string,
  report: Report,
): () => void {
  const ensure = (namespace: string): void => {
    const ns = store.get('namespaces', undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    createIfMissing(rest, SERVICE_ACCOUNTS, namespace, {
      metadata: { name: 'default', namespace },
    });
    createIfMissing(rest, CONFIG_MAPS, namespace, {
      metadata: {
        name: 'kube-root-ca.crt',
        namespace,
        annotations: {
          'kubernetes.io/description':
            'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
        },
      },
      data: { 'ca.crt': caPem },
    });
  };

  const finalize = (namespace: string): void => {
    const ns = store.get('namespaces', undefined, namespace);
    if (!ns?.metadata.deletionTimestamp) return;
    if ((ns.status as { phase?: string } | undefined)?.phase !== 'Terminating') {
      store.update('namespaces', { ...ns, status: { phase: 'Terminating' } });
    }
    let remaining = 0;
    for (const d of NAMESPACED) {
      for (const [, object] of [...store.iterate(storageResource(d), namespace)]) {
        remaining += 1;
        if (!object.metadata.deletionTimestamp) {
          try {
            rest.delete(d, namespace, object.metadata.name ?? '', {});
          } catch (err) {
            if (!(err instanceof ApiError && err.code === 404)) throw err;
          }
        }
      }
    }
    if (remaining === 0) store.remove('namespaces', undefined, namespace);
  };

  const stops = [
    react(store, 'namespaces', 'namespace-controller', report, event => {
      const name = event.object.metadata.name ?? '';
      if (event.type === 'ADDED') ensure(name);
      if (event.type !== 'DELETED' && event.object.metadata.deletionTimestamp) finalize(name);
    }),
    // A terminating namespace is re-examined as its contents go away; a deleted default
    // ServiceAccount or root CA ConfigMap comes back.
    ...NAMESPACED.map(d =>
      react(store, storageResource(d), 'namespace-controller', report, event => {
        const namespace = event.object.metadata.namespace ?? '';
        if (event.type !== 'DELETED') return;
        const ns = store.get('namespaces', undefined, namespace);
        if (ns?.metadata.deletionTimestamp) finalize(namespace);
        else if (d.resource === 'serviceaccounts' || d.resource === 'configmaps') ensure(namespace);
      }),
    ),
  ];
  for (const [, ns] of [...store.iterate('namespaces')]) ensure(ns.metadata.name ?? '');
  return () => {
    for (const stop of stops) stop();
  };
}

function createIfMissing(
  rest: Rest,
  d: ResourceDescriptor,
  namespace: string,
  object: KubeObject,
): void {
  try {
    rest.get(d, namespace, object.metadata.name ?? '');
  } catch {
    try {
      rest.create(d, namespace, object);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }
}
