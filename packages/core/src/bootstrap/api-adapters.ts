/**
 * The narrow APIs the controllers, the event recorder and the resolver use, implemented over the
 * Kubernetes client. Kept apart so each controller is testable on fakes and the client stays
 * generic.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { ConfigMap, Event, Node, Secret, Service } from 'kubernetes-types/core/v1.d.ts';
import { isNotFound } from '../errors/errors.ts';
import type { EventSink } from '../events/recorder.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { ResourceRef } from '../kube/resource-ref.ts';
import type { NodeApi } from '../node/node-api.ts';
import type { PodApi } from '../pod/pod-api.ts';
import type { ObjectSource } from '../resolver/index.ts';

const NODES: ResourceRef = { version: 'v1', resource: 'nodes' };
const LEASES = (namespace: string): ResourceRef => ({
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  namespace,
});
const PODS = (namespace: string): ResourceRef => ({ version: 'v1', resource: 'pods', namespace });

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function nodeApiOver(client: KubeClient): NodeApi {
  return {
    getNode: (name, signal) =>
      orUndefined(client.get<Node & { metadata: object }>({ ...NODES, name }, { signal })),
    createNode: (node, signal) =>
      client.create<Node & { metadata: object }>(NODES, node, { signal }),
    patchNode: (name, patch, signal) =>
      client.patch<Node & { metadata: object }>({ ...NODES, name }, 'strategic', patch, { signal }),
    patchNodeStatus: (name, patch, signal) =>
      client.patch<Node & { metadata: object }>(
        { ...NODES, name, subresource: 'status' },
        'strategic',
        patch,
        { signal },
      ),
    deleteNode: async (name, signal) => {
      await client.delete({ ...NODES, name }, { signal });
    },
    getLease: (namespace, name, signal) =>
      orUndefined(
        client.get<Lease & { metadata: object }>({ ...LEASES(namespace), name }, { signal }),
      ),
    createLease: (lease, signal) =>
      client.create<Lease & { metadata: object }>(LEASES(lease.metadata?.namespace ?? ''), lease, {
        signal,
      }),
    updateLease: (lease, signal) =>
      client.update<Lease & { metadata: object }>(
        { ...LEASES(lease.metadata?.namespace ?? ''), name: lease.metadata?.name ?? '' },
        lease,
        { signal },
      ),
  };
}

export function podApiOver(client: KubeClient): PodApi {
  return {
    patchPodStatus: async (namespace, name, patch, signal) => {
      await client.patch({ ...PODS(namespace), name, subresource: 'status' }, 'strategic', patch, {
        signal,
        ignoreResponse: true,
      });
    },
    patchPodMetadata: async (namespace, name, patch, signal) => {
      await client.patch({ ...PODS(namespace), name }, 'strategic', patch, {
        signal,
        ignoreResponse: true,
      });
    },
    deletePod: async (namespace, name, options, signal) => {
      await client.delete(
        { ...PODS(namespace), name },
        {
          signal,
          gracePeriodSeconds: options.gracePeriodSeconds,
          preconditions: { uid: options.uid },
        },
      );
    },
  };
}

export function eventSinkOver(client: KubeClient): EventSink {
  const events = (namespace: string): ResourceRef => ({
    version: 'v1',
    resource: 'events',
    namespace,
  });
  return {
    create: (namespace, event, signal) =>
      client.create<Event & { metadata: object }>(events(namespace), event, { signal }),
    patch: async (namespace, name, patch, signal) => {
      await client.patch({ ...events(namespace), name }, 'merge', patch, { signal });
    },
  };
}

/**
 * Secrets, configMaps and services read on demand for this node's pods, never through
 * cluster-wide informers; answers are cached briefly by key so one pod's many references and a
 * burst of pods in one namespace cost one read each.
 */
export function objectSourceOver(
  client: KubeClient,
  options: { cacheTtlMs?: number; now?: () => number } = {},
): ObjectSource {
  const ttl = options.cacheTtlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.value as Promise<T>;
    const value = load();
    cache.set(key, { at: now(), value });
    // A failed read is not remembered.
    value.catch(() => cache.delete(key));
    if (cache.size > 10_000) {
      for (const [k, v] of cache) if (now() - v.at >= ttl) cache.delete(k);
    }
    return value;
  };
  return {
    getSecret: (namespace, name, signal) =>
      cached(`secret/${namespace}/${name}`, () =>
        orUndefined(
          client.get<Secret & { metadata: object }>(
            { version: 'v1', resource: 'secrets', namespace, name },
            { signal },
          ),
        ),
      ),
    getConfigMap: (namespace, name, signal) =>
      cached(`configmap/${namespace}/${name}`, () =>
        orUndefined(
          client.get<ConfigMap & { metadata: object }>(
            { version: 'v1', resource: 'configmaps', namespace, name },
            { signal },
          ),
        ),
      ),
    listServices: (namespace, signal) =>
      cached(
        `services/${namespace}`,
        async () =>
          (
            await client.list<Service & { metadata: object }>(
              { version: 'v1', resource: 'services', namespace },
              { signal },
            )
          ).items,
      ),
    requestServiceAccountToken: async (req, signal) => {
      const answer = await client.create<{
        metadata: object;
        status?: { token: string; expirationTimestamp: string };
      }>(
        {
          version: 'v1',
          resource: 'serviceaccounts',
          namespace: req.namespace,
          name: req.serviceAccountName,
          subresource: 'token',
        },
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: req.audiences,
            expirationSeconds: req.expirationSeconds,
            boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: req.pod.name, uid: req.pod.uid },
          },
        },
        { signal },
      );
      if (!answer.status)
        throw new Error(
          `TokenRequest for ${req.namespace}/${req.serviceAccountName} returned no token`,
        );
      return answer.status;
    },
  };
}
