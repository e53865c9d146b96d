/**
 * A small kube-scheduler: binds each unscheduled pod (schedulerName default-scheduler) through
 * pods/binding to a Ready, schedulable node whose taints it tolerates and whose labels match its
 * nodeSelector, spreading pods across nodes; otherwise marks it Unschedulable and retries when
 * nodes change. Events are recorded as kube-scheduler records them.
 */
import { ApiError } from '../api-error.ts';
import type { KubeObject } from '../kube-object.ts';
import { asObjectArray as list, asObject as obj } from '../util/json-access.ts';
import { findResource, type ResourceDescriptor } from '../resources/registry.ts';
import { rfc3339, type Rest } from '../server/rest.ts';
import { bindPod } from '../server/reviews.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { react, type Report } from './controller-kit.ts';

type Obj = Record<string, unknown>;

const EVENTS = findResource('', 'v1', 'events') as ResourceDescriptor;

export function tolerates(tolerations: Obj[], taint: Obj): boolean {
  return tolerations.some(t => {
    if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function isReady(node: KubeObject): boolean {
  return list(obj(node.status).conditions).some(c => c.type === 'Ready' && c.status === 'True');
}

/** Why a node cannot take a pod, or undefined when it can. */
function unfit(pod: KubeObject, node: KubeObject): string | undefined {
  const spec = obj(pod.spec);
  if (!isReady(node)) return 'node(s) were not ready';
  if (obj(node.spec).unschedulable === true) return 'node(s) were unschedulable';
  const tolerations = list(spec.tolerations);
  for (const taint of list(obj(node.spec).taints)) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(tolerations, taint)) {
      const value = typeof taint.value === 'string' && taint.value !== '' ? `: ${taint.value}` : '';
      return `node(s) had untolerated taint {${String(taint.key)}${value}}`;
    }
  }
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(obj(spec.nodeSelector))) {
    if (labels[key] !== value) return "node(s) didn't match Pod's node affinity/selector";
  }
  return undefined;
}

export function startScheduler(store: ObjectStore, rest: Rest, report: Report): () => void {
  const attempt = (namespace: string, name: string): void => {
    const pod = store.get('pods', namespace, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const spec = obj(pod.spec);
    if (typeof spec.nodeName === 'string' && spec.nodeName !== '') return;
    if (spec.schedulerName !== undefined && spec.schedulerName !== 'default-scheduler') return;
    const phase = obj(pod.status).phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;

    const nodes = [...store.iterate('nodes')].map(([, n]) => n);
    const reasons = new Map<string, number>();
    const feasible: KubeObject[] = [];
    for (const node of nodes) {
      const why = unfit(pod, node);
      if (why === undefined) feasible.push(node);
      else reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
    if (feasible.length === 0) {
      const detail = [...reasons]
        .map(([why, n]) => `${n} ${why}`)
        .sort()
        .join(', ');
      const message = `0/${nodes.length} nodes are available${detail ? `: ${detail}` : ''}.`;
      markUnschedulable(pod, message);
      return;
    }
    const load = new Map<string, number>();
    for (const [, p] of store.iterate('pods')) {
      const n = obj(p.spec).nodeName;
      if (typeof n === 'string') load.set(n, (load.get(n) ?? 0) + 1);
    }
    feasible.sort(
      (a, b) => (load.get(a.metadata.name ?? '') ?? 0) - (load.get(b.metadata.name ?? '') ?? 0),
    );
    const target = feasible[0]?.metadata.name ?? '';
    try {
      bindPod(rest, namespace, name, {
        metadata: { name, uid: pod.metadata.uid },
        target: { kind: 'Node', name: target },
      });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 409 || err.code === 404)) return;
      throw err;
    }
    recordEvent(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${namespace}/${name} to ${target}`,
    );
  };

  const markUnschedulable = (pod: KubeObject, message: string): void => {
    const status = obj(pod.status);
    const conditions = list(status.conditions);
    const existing = conditions.find(c => c.type === 'PodScheduled');
    if (existing?.status === 'False' && existing.message === message) return;
    const next = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: rfc3339(new Date()),
    };
    const updated = structuredClone(pod);
    updated.status = {
      ...status,
      conditions: [...conditions.filter(c => c.type !== 'PodScheduled'), next],
    };
    store.update('pods', updated);
    recordEvent(pod, 'Warning', 'FailedScheduling', message);
  };

  const recordEvent = (pod: KubeObject, type: string, reason: string, message: string): void => {
    const now = rfc3339(new Date());
    rest.create(EVENTS, pod.metadata.namespace, {
      metadata: {
        generateName: `${pod.metadata.name ?? 'pod'}.`,
        namespace: pod.metadata.namespace,
      },
      involvedObject: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pod.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: 'default-scheduler' },
      reportingComponent: 'default-scheduler',
      reportingInstance: 'default-scheduler-testkit',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
  };

  const retryAll = (): void => {
    for (const [, pod] of [...store.iterate('pods')]) {
      const nodeName = obj(pod.spec).nodeName;
      if (nodeName === undefined || nodeName === '')
        attempt(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    }
  };

  const stops = [
    react(store, 'pods', 'scheduler', report, event => {
      if (event.type === 'ADDED')
        attempt(event.object.metadata.namespace ?? '', event.object.metadata.name ?? '');
    }),
    react(store, 'nodes', 'scheduler', report, event => {
      if (event.type !== 'DELETED') retryAll();
    }),
  ];
  retryAll();
  return () => {
    for (const stop of stops) stop();
  };
}
