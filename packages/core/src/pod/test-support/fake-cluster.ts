/**
 * An in-memory stand-in for the API server and the pod informer: it stores pods, applies the
 * controller's status patches (conditions merged by type, as the server does), honours the UID
 * precondition on delete, and calls the controller's informer hooks on every change.
 */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.d.ts';
import { ConflictError, NotFoundError } from '../../errors/errors.ts';
import type { PodApi, PodEventSink } from '../pod-api.ts';
import { keyOf } from '../pod-compare.ts';
import { mutableCopy, type DeepMutable } from '../../util/mutable.ts';

export interface InformerHooks {
  onAdd(pod: Pod): void;
  onUpdate(old: Pod, next: Pod): void;
  onDelete(pod: Pod): void;
}

function withoutNulls(o: Record<string, unknown>): Record<string, any> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
}

export class FakeCluster implements PodApi, PodEventSink {
  readonly pods = new Map<string, Pod>();
  readonly events: { pod: string; type: string; reason: string; message: string }[] = [];
  readonly writes: { verb: string; pod: string; body?: unknown }[] = [];
  hooks: InformerHooks | undefined;
  private rv = 1;
  private uid = 1;

  lookup = (namespace: string, name: string): Pod | undefined =>
    this.pods.get(`${namespace}/${name}`);
  list = (): Pod[] => [...this.pods.values()];

  /** Creates a pod bound to `node` (as the scheduler would have). */
  add(name: string, extra: Partial<Pod> = {}, node = 'vk', namespace = 'default'): Pod {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        uid: `uid-${this.uid++}`,
        resourceVersion: String(this.rv++),
        creationTimestamp: new Date().toISOString(),
        ...extra.metadata,
      },
      spec: {
        nodeName: node,
        restartPolicy: 'Always',
        containers: [{ name: 'c', image: 'nginx:1' }],
        ...extra.spec,
      },
      status: { phase: 'Pending', ...extra.status },
    };
    this.pods.set(keyOf(pod), pod);
    this.hooks?.onAdd(structuredClone(pod));
    return pod;
  }

  /** Replaces a pod as another actor would (user edit, node controller). */
  edit(key: string, change: (pod: DeepMutable<Pod>) => void): void {
    const old = this.pods.get(key);
    if (!old) throw new Error(`no pod ${key}`);
    const next = mutableCopy(old);
    change(next);
    next.metadata = { ...next.metadata, resourceVersion: String(this.rv++) };
    this.pods.set(key, next);
    this.hooks?.onUpdate(structuredClone(old), structuredClone(next));
  }

  /** A graceful delete by a user: sets deletionTimestamp (or removes at once for grace 0). */
  userDelete(key: string, grace = 30): void {
    if (grace === 0) {
      const pod = this.pods.get(key);
      if (!pod) return;
      this.pods.delete(key);
      this.hooks?.onDelete(structuredClone(pod));
      return;
    }
    this.edit(key, p => {
      p.metadata = {
        ...p.metadata,
        deletionTimestamp: new Date(Date.now() + grace * 1000).toISOString(),
        deletionGracePeriodSeconds: grace,
      };
    });
  }

  async patchPodStatus(namespace: string, name: string, patch: Record<string, any>): Promise<void> {
    const key = `${namespace}/${name}`;
    if (!this.pods.has(key)) throw new NotFoundError(`pods "${name}" not found`);
    this.writes.push({ verb: 'patchStatus', pod: key, body: patch });
    this.edit(key, p => {
      // Strategic merge: null deletes a field; conditions merge by type, field by field.
      const status = withoutNulls({ ...p.status, ...patch.status });
      if (patch.status.conditions) {
        const byType = new Map(
          (p.status?.conditions ?? []).map(c => [c.type, c as Record<string, unknown>]),
        );
        for (const c of patch.status.conditions as PodCondition[]) {
          byType.set(c.type, withoutNulls({ ...byType.get(c.type), ...c }));
        }
        status.conditions = [...byType.values()];
      }
      p.status = status;
    });
  }

  async patchPodMetadata(
    namespace: string,
    name: string,
    patch: Record<string, any>,
  ): Promise<void> {
    const key = `${namespace}/${name}`;
    if (!this.pods.has(key)) throw new NotFoundError(`pods "${name}" not found`);
    this.writes.push({ verb: 'patchMetadata', pod: key, body: patch });
    this.edit(key, p => {
      p.metadata = {
        ...p.metadata,
        annotations: { ...p.metadata?.annotations, ...patch.metadata.annotations },
      };
    });
  }

  async deletePod(
    namespace: string,
    name: string,
    options: { gracePeriodSeconds: number; uid: string },
  ): Promise<void> {
    const key = `${namespace}/${name}`;
    const pod = this.pods.get(key);
    this.writes.push({ verb: 'delete', pod: key, body: options });
    if (!pod) throw new NotFoundError(`pods "${name}" not found`);
    if (pod.metadata?.uid !== options.uid)
      throw new ConflictError('Precondition failed: UID mismatch');
    if (options.gracePeriodSeconds === 0 && (pod.metadata.finalizers ?? []).length > 0) {
      // As the API server: finalizers keep the object, marked for deletion, until they go.
      this.edit(key, p => {
        p.metadata = {
          ...p.metadata,
          deletionTimestamp: p.metadata?.deletionTimestamp ?? new Date().toISOString(),
          deletionGracePeriodSeconds: 0,
        };
      });
    } else if (options.gracePeriodSeconds === 0) {
      this.pods.delete(key);
      this.hooks?.onDelete(structuredClone(pod));
    } else {
      this.userDelete(key, options.gracePeriodSeconds);
    }
  }

  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ pod: keyOf(pod), type, reason, message });
  }

  reasons(key: string): string[] {
    return this.events.filter(e => e.pod === key).map(e => e.reason);
  }
}
