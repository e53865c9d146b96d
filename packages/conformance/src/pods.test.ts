import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import {
  containsPod,
  dummyPod,
  isRunningAndReady,
  podNamePrefix,
  podReferencingMissing,
  waitingReasons,
} from './pods.ts';
import { findPodStats, podSamples } from './stats.ts';
import { parsePrometheusText } from './prometheus.ts';

const target = { namespace: 'ns', nodeName: 'vk-0', image: 'nginx' };

describe('podNamePrefix', () => {
  it('is <prefix>-<lowercased test>- without the parent test', () => {
    expect(podNamePrefix('TestGetPods', 'nginx')).toBe('nginx-testgetpods-');
    expect(podNamePrefix('Suite/TestGetPods', 'nginx')).toBe('nginx-testgetpods-');
    expect(podNamePrefix('Test Weird_Name!', 'nginx')).toBe('nginx-test-weird-name-');
  });

  it('stays short enough for the API server to add its 5 characters', () => {
    const prefix = podNamePrefix(`Test${'X'.repeat(100)}`, 'env-test');
    expect(prefix.length).toBeLessThanOrEqual(58);
    expect(prefix).toMatch(/^env-test-testx+-$/);
    expect(podNamePrefix('!!!', 'nginx')).toBe('nginx-');
  });
});

describe('dummyPod', () => {
  it('builds upstream test pods: generateName, numbered containers, node, no service links', () => {
    const pod = dummyPod(target, 'TestGetStatsSummary', 'nginx', 3);
    expect(pod.metadata).toEqual({ generateName: 'nginx-testgetstatssummary-', namespace: 'ns' });
    expect(pod.spec?.nodeName).toBe('vk-0');
    expect(pod.spec?.enableServiceLinks).toBe(false);
    expect(pod.spec?.containers.map(c => [c.name, c.image])).toEqual([
      ['nginx-testgetstatssummary-0', 'nginx'],
      ['nginx-testgetstatssummary-1', 'nginx'],
      ['nginx-testgetstatssummary-2', 'nginx'],
    ]);
    expect(pod.spec?.tolerations).toEqual([
      { key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('references a missing secret or configMap key, optional or not', () => {
    const secret = podReferencingMissing(target, 'TestX', 'Secret', false);
    expect(secret.metadata?.generateName).toBe('env-test-testx-');
    expect(secret.spec?.containers[0]?.env).toEqual([
      {
        name: 'SECRET_0_KEY_0',
        valueFrom: { secretKeyRef: { name: 'secret-0', key: 'key_0', optional: false } },
      },
    ]);
    const configMap = podReferencingMissing(target, 'TestX', 'ConfigMap', true);
    expect(configMap.spec?.containers[0]?.env).toEqual([
      {
        name: 'CONFIG_MAP_0_KEY_0',
        valueFrom: { configMapKeyRef: { name: 'config-map-0', key: 'key_0', optional: true } },
      },
    ]);
  });
});

describe('pod checks', () => {
  const ready: Pod = {
    metadata: { namespace: 'ns', name: 'p', uid: 'u1' },
    status: {
      phase: 'Running',
      podIP: '10.0.0.1',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };

  it('is running and ready only with phase Running, Ready True and a pod IP', () => {
    expect(isRunningAndReady(ready)).toBe(true);
    expect(isRunningAndReady({ ...ready, status: { ...ready.status, podIP: '' } })).toBe(false);
    expect(isRunningAndReady({ ...ready, status: { ...ready.status, phase: 'Pending' } })).toBe(
      false,
    );
    expect(
      isRunningAndReady({
        ...ready,
        status: { ...ready.status, conditions: [{ type: 'Ready', status: 'False' }] },
      }),
    ).toBe(false);
  });

  it('finds a pod by namespace, name and uid, as upstream does', () => {
    expect(containsPod([ready], ready)).toBe(true);
    expect(containsPod([{ metadata: { ...ready.metadata, uid: 'u2' } }], ready)).toBe(false);
    expect(containsPod([], ready)).toBe(false);
  });

  it('lists waiting reasons', () => {
    expect(
      waitingReasons({
        status: {
          containerStatuses: [
            {
              name: 'a',
              image: 'x',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'CreateContainerConfigError' } },
            },
            { name: 'b', image: 'x', imageID: '', ready: true, restartCount: 0, state: {} },
          ],
        },
      }),
    ).toEqual(['CreateContainerConfigError']);
  });

  it('finds the pod in a stats summary and in metrics by label name', () => {
    const summary = {
      node: { nodeName: 'vk-0' },
      pods: [
        { podRef: { namespace: 'ns', name: 'p', uid: 'other' }, containers: [] },
        { podRef: { namespace: 'ns', name: 'p', uid: 'u1' }, containers: [{ name: 'c' }] },
      ],
    };
    expect(findPodStats(summary, ready)?.containers).toEqual([{ name: 'c' }]);
    expect(findPodStats({ node: { nodeName: 'vk-0' } }, ready)).toBeUndefined();
    const families = parsePrometheusText(
      [
        'container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p"} 1',
        'container_cpu_usage_seconds_total{container="c",namespace="other",pod="p"} 1',
        'container_cpu_usage_seconds_total{pod="q",namespace="ns",container="c"} 1',
      ].join('\n'),
    );
    expect(podSamples(families.get('container_cpu_usage_seconds_total'), ready)).toHaveLength(1);
    expect(podSamples(undefined, ready)).toEqual([]);
  });
});
