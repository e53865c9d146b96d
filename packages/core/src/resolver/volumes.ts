/**
 * Volume contents handed to the provider as data: secret, configMap, downwardAPI and projected
 * volumes, with the kubelet's payload rules: every key when `items` is empty, only the listed
 * keys (at their paths, with their modes) otherwise; `defaultMode` 0644; a missing optional
 * object gives an empty volume and a missing optional key is skipped, while a missing mandatory
 * one fails the pod with the kubelet's `FailedMount` event and message. Other volume types
 * (emptyDir, hostPath, PVCs...) stay in the spec for the provider and are not listed here.
 */
import type {
  ConfigMapProjection,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  ProjectedVolumeSource,
  Volume,
} from 'kubernetes-types/core/v1.d.ts';
import { posix } from 'node:path';
import {
  describeError,
  errorKind,
  InvalidInputError,
  NotFoundError,
  TransientError,
} from '../errors/errors.ts';
import type { VolumeContent, VolumeFile } from '../provider/contract.ts';
import {
  compareBytes,
  containerResourceValue,
  podFieldValue,
  type DownwardContext,
} from './downward.ts';
import {
  configMapEntries,
  readFailure,
  secretEntries,
  utf8Bytes,
  type ObjectCache,
} from './objects.ts';
import { Reasons } from './reasons.ts';
import { DEFAULT_TOKEN_SECONDS, MIN_TOKEN_SECONDS, type TokenCache } from './tokens.ts';
import type { DeferredVolumeFile, ResolverEvents } from './types.ts';

/** 0644, the API default for every defaultMode. */
export const DEFAULT_MODE = 0o644;
/** The kubelet's token file mode when fsGroup is set (ownership then makes it group-readable). */
const TOKEN_MODE_WITH_FSGROUP = 0o600;

export interface VolumeContext {
  readonly pod: Pod;
  readonly objects: ObjectCache;
  readonly tokens: TokenCache;
  readonly events: ResolverEvents;
  readonly downward: DownwardContext;
  readonly signal: AbortSignal;
}

export interface ResolvedVolumes {
  readonly volumes: Map<string, VolumeContent>;
  readonly deferredFiles: DeferredVolumeFile[];
}

type Files = Map<string, VolumeFile>;

const MAX_PATH = 4096;
const MAX_NAME = 255;

/**
 * A file path inside a volume, cleaned and checked as the kubelet's atomic writer does: relative,
 * no `..` element, not starting with `..`, within length limits. The API validates this too;
 * checking again keeps a provider from writing outside the volume whatever it was given.
 */
export function volumePath(path: string): string {
  const cleaned = posix.normalize(path).replace(/\/+$/, '');
  const parts = cleaned.split('/');
  const invalid =
    path === '' ||
    cleaned === '.' ||
    posix.isAbsolute(cleaned) ||
    cleaned.length > MAX_PATH ||
    parts.some(part => part === '..' || part.length > MAX_NAME) ||
    (parts[0] ?? '').startsWith('..');
  if (invalid) throw new InvalidInputError(`invalid volume file path ${JSON.stringify(path)}`);
  return cleaned;
}

/** The files of a secret or configMap: all keys (sorted) without items, else just the items. */
function makePayload(
  entries: ReadonlyMap<string, Uint8Array>,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
): Files {
  const files: Files = new Map();
  if (!items || items.length === 0) {
    for (const key of [...entries.keys()].sort(compareBytes)) {
      const data = entries.get(key);
      if (data) files.set(volumePath(key), { data, mode: defaultMode });
    }
    return files;
  }
  for (const item of items) {
    const data = entries.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new NotFoundError(missingKey(item.key));
    }
    files.set(volumePath(item.path), { data, mode: item.mode ?? defaultMode });
  }
  return files;
}

/** The kubelet's text for one or several failures (utilerrors aggregate: `[a, b]`). */
function failureText(err: unknown): string {
  if (err instanceof AggregateError) return `[${err.errors.map(failureText).join(', ')}]`;
  return describeError(err);
}

class VolumeResolver {
  readonly deferredFiles: DeferredVolumeFile[] = [];
  private readonly context: VolumeContext;

  constructor(context: VolumeContext) {
    this.context = context;
  }

  private secretFiles(
    name: string,
    items: readonly KeyToPath[] | undefined,
    optional: boolean,
    defaultMode: number,
  ): Promise<Files> {
    const { objects } = this.context;
    return this.objectFiles(
      { kind: 'secret', name, read: () => objects.secret(name), entries: secretEntries },
      { items, optional, defaultMode },
      key => `references non-existent secret key: ${key}`,
    );
  }

  private configMapFiles(
    name: string,
    items: readonly KeyToPath[] | undefined,
    optional: boolean,
    defaultMode: number,
  ): Promise<Files> {
    const { objects } = this.context;
    return this.objectFiles(
      { kind: 'configmap', name, read: () => objects.configMap(name), entries: configMapEntries },
      { items, optional, defaultMode },
      key => `configmap references non-existent config key: ${key}`,
    );
  }

  /** Reads a secret or configMap once and lays its keys out as files (kubelet rules for missing ones). */
  private async objectFiles<T>(
    source: {
      kind: 'secret' | 'configmap';
      name: string;
      read: () => Promise<T | undefined>;
      entries: (object: T) => ReadonlyMap<string, Uint8Array>;
    },
    layout: { items: readonly KeyToPath[] | undefined; optional: boolean; defaultMode: number },
    missingKey: (key: string) => string,
  ): Promise<Files> {
    const { objects, signal } = this.context;
    let object: T | undefined;
    try {
      object = await source.read();
    } catch (err) {
      throw readFailure(`${source.kind} "${objects.namespace}/${source.name}"`, err, signal);
    }
    if (!object && !layout.optional)
      throw new NotFoundError(`${source.kind} "${source.name}" not found`);
    const entries = object ? source.entries(object) : new Map<string, Uint8Array>();
    return makePayload(entries, layout.items, layout.defaultMode, layout.optional, missingKey);
  }

  private downwardFiles(
    volume: string,
    items: readonly DownwardAPIVolumeFile[] | undefined,
    defaultMode: number,
  ): Files {
    const { pod, downward } = this.context;
    const files: Files = new Map();
    for (const item of items ?? []) {
      const path = volumePath(item.path);
      const mode = item.mode ?? defaultMode;
      let text = '';
      if (item.fieldRef) {
        const field = podFieldValue(item.fieldRef, pod, downward);
        if (field.kind === 'deferred') {
          this.deferredFiles.push({ volume, path, fieldPath: field.fieldPath });
          continue;
        }
        text = field.value;
      } else if (item.resourceFieldRef) {
        // Volumes name the container explicitly; there is no "current" one.
        text = containerResourceValue(item.resourceFieldRef, pod, undefined, downward);
      }
      files.set(path, { data: utf8Bytes(text), mode });
    }
    return files;
  }

  private async projectedFiles(volume: string, source: ProjectedVolumeSource): Promise<Files> {
    const { pod, tokens, events, signal } = this.context;
    const defaultMode = source.defaultMode ?? DEFAULT_MODE;
    const files: Files = new Map();
    const failures: unknown[] = [];
    const merge = (more: Files): void => {
      for (const [path, file] of more) files.set(path, file);
    };
    // Like the kubelet, try every source and report all failures together.
    for (const projection of source.sources ?? []) {
      try {
        if (projection.secret) {
          const s = projection.secret;
          merge(await this.secretFiles(s.name ?? '', s.items, s.optional === true, defaultMode));
        } else if (projection.configMap) {
          const c: ConfigMapProjection = projection.configMap;
          merge(await this.configMapFiles(c.name ?? '', c.items, c.optional === true, defaultMode));
        } else if (projection.downwardAPI) {
          merge(this.downwardFiles(volume, projection.downwardAPI.items, defaultMode));
        } else if (projection.serviceAccountToken) {
          const t = projection.serviceAccountToken;
          const seconds = Math.max(t.expirationSeconds ?? DEFAULT_TOKEN_SECONDS, MIN_TOKEN_SECONDS);
          const issued = await tokens.token(t.audience, seconds);
          const mode =
            pod.spec?.securityContext?.fsGroup !== undefined
              ? TOKEN_MODE_WITH_FSGROUP
              : defaultMode;
          files.set(volumePath(t.path), { data: utf8Bytes(issued.token), mode });
        } else {
          const kind = Object.keys(projection).join(', ') || 'empty';
          events.warning(
            Reasons.UnsupportedVolumeSource,
            `volume "${volume}": projected source (${kind}) is not supported and was left out`,
          );
        }
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        failures.push(err);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1)
      throw new AggregateError(failures, failureText(new AggregateError(failures)));
    return files;
  }

  private async contents(volume: Volume): Promise<VolumeContent | undefined> {
    if (volume.secret) {
      const s = volume.secret;
      const files = await this.secretFiles(
        s.secretName ?? '',
        s.items,
        s.optional === true,
        s.defaultMode ?? DEFAULT_MODE,
      );
      return { kind: 'secret', files };
    }
    if (volume.configMap) {
      const c = volume.configMap;
      const files = await this.configMapFiles(
        c.name ?? '',
        c.items,
        c.optional === true,
        c.defaultMode ?? DEFAULT_MODE,
      );
      return { kind: 'configMap', files };
    }
    if (volume.downwardAPI) {
      const d = volume.downwardAPI;
      const files = this.downwardFiles(volume.name, d.items, d.defaultMode ?? DEFAULT_MODE);
      return { kind: 'downwardAPI', files };
    }
    if (volume.projected) {
      return { kind: 'projected', files: await this.projectedFiles(volume.name, volume.projected) };
    }
    return undefined;
  }

  /** The contents of one volume, or a FailedMount event and an error keeping the pod out. */
  async resolve(volume: Volume): Promise<VolumeContent | undefined> {
    const { events, signal } = this.context;
    try {
      return await this.contents(volume);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const message = `MountVolume.SetUp failed for volume "${volume.name}" : ${failureText(err)}`;
      events.warning(Reasons.FailedMount, message);
      // Keep the kind (NotFound: retry later; InvalidInput: never), with the kubelet's text.
      switch (errorKind(err)) {
        case 'NotFound':
          throw new NotFoundError(message, { cause: err });
        case 'InvalidInput':
          throw new InvalidInputError(message, { cause: err });
        case undefined:
          throw new TransientError(message, { cause: err });
        default:
          throw new Error(message, { cause: err });
      }
    }
  }
}

/** Resolves every data volume of the pod, in spec order. */
export async function resolveVolumes(pod: Pod, context: VolumeContext): Promise<ResolvedVolumes> {
  const resolver = new VolumeResolver(context);
  const volumes = new Map<string, VolumeContent>();
  for (const volume of pod.spec?.volumes ?? []) {
    context.signal.throwIfAborted();
    const content = await resolver.resolve(volume);
    if (content) volumes.set(volume.name, content);
  }
  return { volumes, deferredFiles: resolver.deferredFiles };
}
