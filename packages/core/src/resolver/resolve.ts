/**
 * resolvePod: everything the kubelet would compute before starting a pod's containers, done
 * once before the provider sees the pod. Env first (it is cheap and fails fast on a missing
 * mandatory reference), then volume contents, which may request tokens.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { DeferredEnvVar } from '../provider/contract.ts';
import type { DownwardContext } from './downward.ts';
import { resolvePodEnv } from './env.ts';
import { ObjectCache, readFailure } from './objects.ts';
import { serviceEnvironment } from './service-links.ts';
import { TokenCache } from './tokens.ts';
import type { ResolvedPod, ResolveOptions } from './types.ts';
import { resolveVolumes } from './volumes.ts';

/** Starts reading every secret and configMap the pod names, so they load concurrently. */
function prefetch(pod: Pod, objects: ObjectCache, includeEnv: boolean): void {
  const spec = pod.spec;
  if (includeEnv) {
    for (const container of [
      ...(spec?.initContainers ?? []),
      ...(spec?.containers ?? []),
      ...(spec?.ephemeralContainers ?? []),
    ]) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) void objects.configMap(source.configMapRef.name ?? '');
        else if (source.secretRef) void objects.secret(source.secretRef.name ?? '');
      }
      for (const envVar of container.env ?? []) {
        const from = envVar.value ? undefined : envVar.valueFrom;
        if (from?.configMapKeyRef) void objects.configMap(from.configMapKeyRef.name ?? '');
        else if (from?.secretKeyRef) void objects.secret(from.secretKeyRef.name ?? '');
      }
    }
  }
  for (const volume of spec?.volumes ?? []) {
    if (volume.secret) void objects.secret(volume.secret.secretName ?? '');
    else if (volume.configMap) void objects.configMap(volume.configMap.name ?? '');
    for (const projection of volume.projected?.sources ?? []) {
      if (projection.secret) void objects.secret(projection.secret.name ?? '');
      else if (projection.configMap) void objects.configMap(projection.configMap.name ?? '');
    }
  }
}

async function serviceEnvFor(
  pod: Pod,
  objects: ObjectCache,
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const namespace = objects.namespace;
  const enableServiceLinks = pod.spec?.enableServiceLinks !== false;
  const inNamespace = (ns: string) => (s: Service) =>
    s.metadata?.namespace === undefined || s.metadata.namespace === ns;
  try {
    const [own, master] = await Promise.all([
      enableServiceLinks ? objects.listServices(namespace) : Promise.resolve([]),
      objects.listServices('default'),
    ]);
    return serviceEnvironment(
      namespace,
      enableServiceLinks,
      own.filter(inNamespace(namespace)),
      master.filter(inNamespace('default')),
    );
  } catch (err) {
    throw readFailure('services', err, signal);
  }
}

/**
 * Resolves env, service links, `$(VAR)` references and volume contents of `pod` for the
 * provider. The input is never modified. Throws NotFoundError when a mandatory configMap,
 * secret or key is missing (after a Warning event), InvalidInputError for references no retry
 * can fix, and a Transient-kind error when reading the cluster failed.
 */
export async function resolvePod(pod: Pod, options: ResolveOptions): Promise<ResolvedPod> {
  const { source, events, signal } = options;
  signal.throwIfAborted();
  const copy = containersOwnCopy(pod);
  const namespace = pod.metadata?.namespace ?? 'default';
  const objects = new ObjectCache(source, namespace, signal);
  const downward: DownwardContext = {
    nodeName: options.nodeName,
    hostIP: options.hostIP,
    nodeAllocatable: options.nodeAllocatable,
  };
  const resolveEnv = options.skipDownwardAPIResolution !== true;
  prefetch(copy, objects, resolveEnv);

  let deferredEnv: DeferredEnvVar[] = [];
  if (resolveEnv) {
    const serviceEnv = await serviceEnvFor(copy, objects, signal);
    deferredEnv = await resolvePodEnv(copy, {
      pod: copy,
      objects,
      events,
      downward,
      serviceEnv,
      signal,
    });
  }

  const tokens = new TokenCache(source, copy, signal);
  const { volumes, deferredFiles } = await resolveVolumes(copy, {
    pod: copy,
    objects,
    tokens,
    events,
    downward,
    signal,
  });
  const refreshAt = await tokens.earliestRefresh();
  return {
    pod: copy,
    volumes,
    deferredEnv,
    deferredFiles,
    ...(refreshAt ? { refreshAt } : {}),
  };
}

/**
 * The pod with its own spec and container objects, the only parts resolution rewrites (a
 * container's env, envFrom, command and args are replaced, never edited); everything else is
 * shared with the cached pod, which nothing here changes. A deep copy per pod cost more than the
 * rest of its resolution.
 */
function containersOwnCopy(pod: Pod): Pod {
  const spec = pod.spec;
  if (spec === undefined) return { ...pod };
  return {
    ...pod,
    spec: {
      ...spec,
      containers: spec.containers.map(c => ({ ...c })),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(c => ({ ...c })) } : {}),
      ...(spec.ephemeralContainers
        ? { ephemeralContainers: spec.ephemeralContainers.map(c => ({ ...c })) }
        : {}),
    },
  };
}
