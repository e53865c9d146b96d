/**
 * The files a container sees through its volume mounts: the volume contents the core resolved
 * (secret, configMap, projected, downwardAPI), placed at each mount's path (and subPath).
 * downwardAPI files only the backend can fill (the pod IP) were left out of the contents with
 * their reference kept in the pod's volume spec; the mock answers them. Volumes without resolved
 * contents (emptyDir, hostPath...) look empty.
 */
import { posix } from 'node:path';
import type { VolumeContent } from '@vkubelet/core';
import type { Container, DownwardAPIVolumeFile, Pod } from 'kubernetes-types/core/v1.d.ts';
import { fieldValue, type EnvSource } from './env.ts';

export type FileLookup =
  | { readonly kind: 'file'; readonly data: Uint8Array }
  | { readonly kind: 'directory' }
  | { readonly kind: 'missing' };

const trimSlash = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, '') : path);

/** The downwardAPI items of a volume, direct or projected. */
function downwardItems(pod: Pod, volume: string): DownwardAPIVolumeFile[] {
  const spec = pod.spec?.volumes?.find(v => v.name === volume);
  return [
    ...(spec?.downwardAPI?.items ?? []),
    ...(spec?.projected?.sources ?? []).flatMap(s => s.downwardAPI?.items ?? []),
  ];
}

export function lookupFile(
  container: Container,
  volumes: ReadonlyMap<string, VolumeContent>,
  path: string,
  source: EnvSource,
): FileLookup {
  const wanted = trimSlash(posix.normalize(path));
  // The deepest mount containing the path hides the ones above it.
  let best: { mountPath: string; volume: string; subPath: string } | undefined;
  for (const mount of container.volumeMounts ?? []) {
    const mountPath = trimSlash(posix.normalize(mount.mountPath));
    const inside =
      wanted === mountPath || wanted.startsWith(mountPath === '/' ? '/' : `${mountPath}/`);
    if (inside && (!best || mountPath.length > best.mountPath.length)) {
      best = { mountPath, volume: mount.name, subPath: mount.subPath ?? '' };
    }
  }
  if (!best) return { kind: 'missing' };
  const rest = wanted.slice(best.mountPath.length).replace(/^\/+/, '');
  const relative = posix.join(best.subPath, rest).replace(/^\.$/, '');
  if (relative === '') return { kind: 'directory' };
  const file = volumes.get(best.volume)?.files.get(relative);
  if (file) return { kind: 'file', data: file.data };
  const deferred = downwardItems(source.pod, best.volume);
  const item = deferred.find(i => posix.normalize(i.path) === relative);
  const value = item?.fieldRef && fieldValue(item.fieldRef.fieldPath, source);
  if (value !== undefined) return { kind: 'file', data: new TextEncoder().encode(value) };
  const prefix = `${relative}/`;
  const names = [...(volumes.get(best.volume)?.files.keys() ?? []), ...deferred.map(i => i.path)];
  return names.some(name => name.startsWith(prefix)) ? { kind: 'directory' } : { kind: 'missing' };
}
