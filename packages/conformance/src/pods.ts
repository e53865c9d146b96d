/**
 * The pods the suite creates, built as upstream's framework builds them
 * (`CreateDummyPodObjectWithPrefix`, `CreatePodObjectWith{Optional,Mandatory}{Secret,ConfigMap}Key`):
 * generateName `<prefix>-<test>-`, containers named `<that prefix><idx>`, service links off,
 * `spec.nodeName` set so no scheduler is involved. They also tolerate the virtual node's taint,
 * which a real kubelet's admission would otherwise be entitled to refuse.
 */
import type { Container, EnvVar, Pod } from 'kubernetes-types/core/v1.d.ts';

/** Where test pods go and what they run. */
export interface PodTarget {
  readonly namespace: string;
  readonly nodeName: string;
  /** The image of every container; a virtual node's backend may ignore it. */
  readonly image: string;
}

/** The taint every virtual-kubelet node carries (`virtual-kubelet.io/provider=<name>:NoSchedule`). */
export const PROVIDER_TAINT_KEY = 'virtual-kubelet.io/provider';

/** The API server appends 5 random characters to a generateName of at most 58. */
const MAX_GENERATE_NAME = 58;

/**
 * `<prefix>-<test>-` for a test name such as `TestGetPods` or `suite/TestGetPods` (upstream
 * drops the parent test's name, lowercases, and keeps the result short enough for a name).
 */
export function podNamePrefix(testName: string, prefix: string): string {
  const last = testName.split('/').at(-1) ?? testName;
  const test = last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const room = MAX_GENERATE_NAME - prefix.length - 2;
  const trimmed = test.slice(0, Math.max(0, room)).replace(/-+$/, '');
  return trimmed === '' ? `${prefix}-` : `${prefix}-${trimmed}-`;
}

/** A pod with `containers` containers of `target.image`, bound to the node. Not created. */
export function dummyPod(
  target: PodTarget,
  testName: string,
  prefix: string,
  containers: number,
): Pod {
  const generateName = podNamePrefix(testName, prefix);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName, namespace: target.namespace },
    spec: {
      nodeName: target.nodeName,
      enableServiceLinks: false,
      tolerations: [{ key: PROVIDER_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }],
      containers: Array.from({ length: containers }, (_, idx): Container => ({
        name: `${generateName}${idx}`,
        image: target.image,
      })),
    },
  };
}

/** Upstream's `CreatePodObjectWithEnv`: one `env-test-<test>-` container with `env`. */
export function podWithEnv(target: PodTarget, testName: string, env: EnvVar[]): Pod {
  const pod = dummyPod(target, testName, 'env-test', 1);
  const first = pod.spec?.containers[0];
  if (first) first.env = env;
  return pod;
}

export type ReferencedKind = 'Secret' | 'ConfigMap';

/**
 * A pod whose only env var reads key `key_0` of `secret-0` or `config-map-0` (which the suite
 * never creates), optional or mandatory, as upstream's four builders make it.
 */
export function podReferencingMissing(
  target: PodTarget,
  testName: string,
  kind: ReferencedKind,
  optional: boolean,
): Pod {
  const env: EnvVar =
    kind === 'Secret'
      ? {
          name: 'SECRET_0_KEY_0',
          valueFrom: { secretKeyRef: { name: 'secret-0', key: 'key_0', optional } },
        }
      : {
          name: 'CONFIG_MAP_0_KEY_0',
          valueFrom: { configMapKeyRef: { name: 'config-map-0', key: 'key_0', optional } },
        };
  return podWithEnv(target, testName, [env]);
}

/** Upstream's `podutil.IsPodReady`: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Upstream's WaitUntilPodReady condition: Running, Ready, and a pod IP. */
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod) && (pod.status.podIP ?? '') !== '';
}

/** `namespace/name` for messages. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** Upstream's findPodInPods: the same namespace, name and uid. */
export function containsPod(pods: readonly Pod[], pod: Pod): boolean {
  const m = pod.metadata;
  return pods.some(
    p =>
      p.metadata?.namespace === m?.namespace &&
      p.metadata?.name === m?.name &&
      p.metadata?.uid === m?.uid,
  );
}

/** The waiting reasons of the pod's containers (`CreateContainerConfigError`...). */
export function waitingReasons(pod: Pod): string[] {
  return (pod.status?.containerStatuses ?? []).flatMap(s =>
    s.state?.waiting?.reason !== undefined ? [s.state.waiting.reason] : [],
  );
}
