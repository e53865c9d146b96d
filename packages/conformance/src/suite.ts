/**
 * `conformanceSuite()`: upstream Virtual Kubelet's end-to-end suite (`test/e2e/basic.go`,
 * `test/e2e/suite.go`) registered as vitest tests, one per upstream test and under upstream's
 * names, with upstream's assertions and a few more that cost nothing extra.
 */
import { InvalidInputError, ResolverReasons } from '@vkubelet/core';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Framework } from './framework.ts';
import {
  containsPod,
  dummyPod,
  podKey,
  podReferencingMissing,
  waitingReasons,
  type PodTarget,
  type ReferencedKind,
} from './pods.ts';
import { parsePrometheusText } from './prometheus.ts';
import { findPodStats, podSamples } from './stats.ts';

/** How to reach the cluster the provider's node joined; what `setup` returns. */
export interface ConformanceTarget {
  /** Path of a kubeconfig; absent: $KUBECONFIG, ~/.kube/config, then in-cluster. */
  readonly kubeconfig?: string;
  /** Where test pods are created; must exist. */
  readonly namespace: string;
  /** The virtual node under test. */
  readonly nodeName: string;
  /** Stops whatever `setup` started; runs after the last test, also when tests failed. */
  readonly teardown?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Starts what the provider needs (a cluster, the virtual kubelet) and says how to reach it. */
  readonly setup: () => Promise<ConformanceTarget>;
  /** The describe block's name. @default 'virtual-kubelet conformance' */
  readonly name?: string;
  /** Longest wait for any one watched condition (upstream's WatchTimeout). @default 120000 */
  readonly watchTimeoutMs?: number;
  /** Upstream's ShouldSkipTest: true skips the test of that name (`TestGetPods`...). */
  readonly skip?: (testName: ConformanceTestName) => boolean;
  /** The image of every test container. @default 'nginx' */
  readonly containerImage?: string;
  /** Budget for `setup` plus the node becoming Ready. @default 120000 + watchTimeoutMs */
  readonly setupTimeoutMs?: number;
  /**
   * How long the provider gets to react to a deletion before runningpods is read again
   * (upstream's deleteGracePeriodForProvider). @default 1000
   */
  readonly providerReactionMs?: number;
}

/** What a test body gets. */
interface TestContext {
  readonly f: Framework;
  readonly target: PodTarget;
  readonly reactionMs: number;
}

type TestBody = (context: TestContext) => Promise<void>;

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

async function expectInRunningPods(f: Framework, pod: Pod, present: boolean): Promise<void> {
  const running = await f.runningPodsFromProvider();
  expect(
    containsPod(running, pod),
    `pod ${podKey(pod)} ${present ? 'missing from' : 'still in'} the provider's runningpods`,
  ).toBe(present);
}

/** A pod reading a missing optional object: it runs anyway, with a Warning about the object. */
function optionalMissing(kind: ReferencedKind, testName: string, reason: string): TestBody {
  return async ({ f, target }) => {
    const pod = await f.createPod(podReferencingMissing(target, testName, kind, true));
    await f.waitUntilPodReady(pod);
    const event = await f.waitUntilPodEventWithReason(pod, reason);
    expect(event.reason).toBe(reason);
    await expectInRunningPods(f, pod, true);
  };
}

/**
 * A pod reading a missing mandatory object: a Warning about it, never given to the provider,
 * and (beyond upstream) held as the kubelet holds it: Pending, its container waiting with
 * CreateContainerConfigError.
 */
function mandatoryMissing(kind: ReferencedKind, testName: string, reason: string): TestBody {
  return async ({ f, target }) => {
    const pod = await f.createPod(podReferencingMissing(target, testName, kind, false));
    const event = await f.waitUntilPodEventWithReason(pod, reason);
    expect(event.reason).toBe(reason);
    await expectInRunningPods(f, pod, false);
    const held = await f.waitUntilPod(
      pod,
      (_, p) => waitingReasons(p).includes('CreateContainerConfigError'),
      'to wait with CreateContainerConfigError',
    );
    expect(held.status?.phase).toBe('Pending');
  };
}

const TESTS = {
  /** `/pods` answers only this node's pods, and among them the new one. */
  TestGetPods: async ({ f, target }) => {
    const pod = await f.createPod(dummyPod(target, 'TestGetPods', 'nginx', 1));
    const ready = await f.waitUntilPodReady(pod);
    expect(ready.status?.podIP).toBeTruthy();
    const pods = await f.podsFromKubelet();
    for (const p of pods) {
      expect(p.spec?.nodeName, `pod ${podKey(p)} in /pods`).toBe(f.nodeName);
    }
    expect(
      pods.some(p => p.metadata?.uid === pod.metadata?.uid),
      `${podKey(pod)} in /pods`,
    ).toBe(true);
  },

  /** `/stats/summary` has the node, the pod by namespace/name/uid, and each of its containers. */
  TestGetStatsSummary: async ({ f, target }) => {
    const pod = await f.createPod(dummyPod(target, 'TestGetStatsSummary', 'nginx', 3));
    await f.waitUntilPodReady(pod);
    const summary = await f.statsSummary();
    expect(summary.node.nodeName).toBe(f.nodeName);
    const stats = findPodStats(summary, pod);
    expect(stats, `pod ${podKey(pod)} in the stats summary`).toBeDefined();
    const names = (pod.spec?.containers ?? []).map(c => c.name);
    expect(stats?.containers).toHaveLength(names.length);
    expect((stats?.containers ?? []).map(c => c.name).sort()).toEqual([...names].sort());
  },

  /** `/metrics/resource` is Prometheus text with the pod's CPU and one series per container. */
  TestGetMetricsResource: async ({ f, target }) => {
    const pod = await f.createPod(dummyPod(target, 'TestGetMetricsResource', 'nginx', 3));
    await f.waitUntilPodReady(pod);
    const families = parsePrometheusText(await f.metricsResource());
    const podSeries = podSamples(families.get('pod_cpu_usage_seconds_total'), pod);
    expect(podSeries.length, `pod ${podKey(pod)} in pod_cpu_usage_seconds_total`).toBe(1);
    const containerSeries = podSamples(families.get('container_cpu_usage_seconds_total'), pod);
    const names = (pod.spec?.containers ?? []).map(c => c.name);
    expect(containerSeries).toHaveLength(names.length);
    expect(
      containerSeries.map(s => s.labels.find(l => l.name === 'container')?.value).sort(),
    ).toEqual([...names].sort());
    for (const s of [...podSeries, ...containerSeries]) expect(s.value).toBeGreaterThanOrEqual(0);
  },

  /**
   * A graceful delete reaches the provider: the pod leaves runningpods, and the deletion seen
   * carried a grace period. Beyond upstream: the node then finishes the deletion (the API
   * object goes away), which is the kubelet's job once the pod has stopped.
   */
  TestPodLifecycleGracefulDelete: async ({ f, target, reactionMs }) => {
    const pod = await f.createPod(dummyPod(target, 'TestPodLifecycleGracefulDelete', 'nginx', 1));
    await f.waitUntilPodReady(pod);
    await expectInRunningPods(f, pod, true);
    const deleted = await f.armPodDeleted(pod);
    await f.deletePod(pod);
    const last = (await deleted.done).object;
    await sleep(reactionMs);
    await expectInRunningPods(f, pod, false);
    expect(last.metadata?.deletionGracePeriodSeconds).toBeGreaterThan(0);
    await f.waitUntilPodGone(pod);
    expect(await f.getPod(pod)).toBeUndefined();
  },

  /** A delete with grace 0 reaches the provider too. */
  TestPodLifecycleForceDelete: async ({ f, target, reactionMs }) => {
    const pod = await f.createPod(dummyPod(target, 'TestPodLifecycleForceDelete', 'nginx', 1));
    await f.waitUntilPodReady(pod);
    await expectInRunningPods(f, pod, true);
    const deleted = await f.armPodDeleted(pod);
    await sleep(reactionMs);
    await f.deletePodImmediately(pod);
    const last = await deleted.done;
    expect(last.type === 'DELETED' || last.object.metadata?.deletionTimestamp !== undefined).toBe(
      true,
    );
    await sleep(reactionMs);
    await expectInRunningPods(f, pod, false);
    expect(await f.getPod(pod)).toBeUndefined();
  },

  TestCreatePodWithOptionalInexistentSecrets: optionalMissing(
    'Secret',
    'TestCreatePodWithOptionalInexistentSecrets',
    ResolverReasons.OptionalSecretNotFound,
  ),
  TestCreatePodWithMandatoryInexistentSecrets: mandatoryMissing(
    'Secret',
    'TestCreatePodWithMandatoryInexistentSecrets',
    ResolverReasons.MandatorySecretNotFound,
  ),
  TestCreatePodWithOptionalInexistentConfigMap: optionalMissing(
    'ConfigMap',
    'TestCreatePodWithOptionalInexistentConfigMap',
    ResolverReasons.OptionalConfigMapNotFound,
  ),
  TestCreatePodWithMandatoryInexistentConfigMap: mandatoryMissing(
    'ConfigMap',
    'TestCreatePodWithMandatoryInexistentConfigMap',
    ResolverReasons.MandatoryConfigMapNotFound,
  ),
} as const satisfies Record<string, TestBody>;

export type ConformanceTestName = keyof typeof TESTS;

/** Every test of the suite, in the order it runs. */
export const conformanceTestNames = Object.keys(TESTS) as readonly ConformanceTestName[];

/**
 * Registers the suite in the calling test file: a describe block whose beforeAll runs `setup`
 * and waits for the node to be Ready, one test per upstream test, each test's pods deleted
 * after it, and `teardown` at the end.
 */
export function conformanceSuite(options: ConformanceOptions): void {
  const watchTimeoutMs = options.watchTimeoutMs ?? 120_000;
  if (!(watchTimeoutMs > 0)) {
    throw new InvalidInputError(`watchTimeoutMs must be positive, got ${watchTimeoutMs}`);
  }
  const reactionMs = options.providerReactionMs ?? 1_000;
  let target: ConformanceTarget | undefined;
  let context: TestContext | undefined;

  describe(options.name ?? 'virtual-kubelet conformance', () => {
    beforeAll(
      async () => {
        target = await options.setup();
        // Upstream's Config.Validate: both are required.
        if (!target.namespace) throw new InvalidInputError('setup returned no namespace');
        if (!target.nodeName) throw new InvalidInputError('setup returned no nodeName');
        const f = await Framework.connect({
          ...(target.kubeconfig !== undefined ? { kubeconfig: target.kubeconfig } : {}),
          namespace: target.namespace,
          nodeName: target.nodeName,
          watchTimeoutMs,
        });
        context = {
          f,
          target: {
            namespace: target.namespace,
            nodeName: target.nodeName,
            image: options.containerImage ?? 'nginx',
          },
          reactionMs,
        };
        await f.waitUntilNodeReady();
      },
      options.setupTimeoutMs ?? 120_000 + watchTimeoutMs,
    );

    afterEach(async () => {
      await context?.f.deleteCreatedPods();
    });

    afterAll(async () => {
      context?.f.close();
      await target?.teardown?.();
    }, 60_000);

    // A test waits for at most a few watched conditions, plus the provider's reaction time.
    const testTimeoutMs = 3 * watchTimeoutMs + 4 * reactionMs + 30_000;
    for (const name of conformanceTestNames) {
      const register = options.skip?.(name) === true ? it.skip : it;
      register(
        name,
        async () => {
          if (!context) throw new Error('the conformance setup did not finish');
          await TESTS[name](context);
        },
        testTimeoutMs,
      );
    }
  });
}
