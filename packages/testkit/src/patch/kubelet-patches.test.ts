// The patches a kubelet (and kubectl, and controllers) actually send, against live-looking objects.
import { describe, expect, it } from 'vitest';
import type { Json } from '../kube-object.ts';
import { applyPatch } from './index.ts';

const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T10:00:05Z';
const T2 = '2024-05-01T10:00:40Z';

function scheduledPod(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'pod-uid',
      labels: { app: 'web', 'pod-template-hash': 'abc' },
    },
    spec: { nodeName: 'vk-1', containers: [{ name: 'app', image: 'nginx:1' }] },
    status: {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: T0, lastProbeTime: null },
        { type: 'Initialized', status: 'True', lastTransitionTime: T0, lastProbeTime: null },
        {
          type: 'Ready',
          status: 'False',
          lastTransitionTime: T0,
          lastProbeTime: null,
          reason: 'ContainersNotReady',
          message: 'containers with unready status: [app]',
        },
        {
          type: 'ContainersReady',
          status: 'False',
          lastTransitionTime: T0,
          lastProbeTime: null,
          reason: 'ContainersNotReady',
          message: 'containers with unready status: [app]',
        },
      ],
      containerStatuses: [
        {
          name: 'app',
          image: 'nginx:1',
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason: 'ContainerCreating' } },
        },
      ],
      qosClass: 'BestEffort',
    },
  };
}

/** The two-way strategic patch the kubelet's status manager sends when the pod starts. */
const podRunningPatch = {
  metadata: { uid: 'pod-uid' },
  status: {
    '$setElementOrder/conditions': [
      { type: 'PodReadyToStartContainers' },
      { type: 'Initialized' },
      { type: 'Ready' },
      { type: 'ContainersReady' },
      { type: 'PodScheduled' },
    ],
    conditions: [
      {
        type: 'PodReadyToStartContainers',
        status: 'True',
        lastTransitionTime: T1,
        lastProbeTime: null,
      },
      { type: 'Ready', status: 'True', lastTransitionTime: T1, message: null, reason: null },
      {
        type: 'ContainersReady',
        status: 'True',
        lastTransitionTime: T1,
        message: null,
        reason: null,
      },
    ],
    containerStatuses: [
      {
        name: 'app',
        image: 'docker.io/library/nginx:1',
        imageID: 'docker.io/library/nginx@sha256:0123',
        containerID: 'vk://app',
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: T1 } },
        lastState: {},
      },
    ],
    hostIP: '10.0.0.1',
    hostIPs: [{ ip: '10.0.0.1' }],
    phase: 'Running',
    podIP: '10.244.0.5',
    podIPs: [{ ip: '10.244.0.5' }],
    startTime: T0,
  },
};

describe('kubelet pods/status patch', () => {
  const result = applyPatch(
    'Pod',
    scheduledPod(),
    'application/strategic-merge-patch+json',
    podRunningPatch,
  ) as { metadata: unknown; spec: unknown; status: Record<string, unknown> };

  it('updates the changed conditions in place and drops the fields sent as null', () => {
    expect(result.status.conditions).toEqual([
      { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: T1 },
      { type: 'Initialized', status: 'True', lastTransitionTime: T0, lastProbeTime: null },
      { type: 'Ready', status: 'True', lastTransitionTime: T1, lastProbeTime: null },
      { type: 'ContainersReady', status: 'True', lastTransitionTime: T1, lastProbeTime: null },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: T0, lastProbeTime: null },
    ]);
  });

  it('replaces containerStatuses whole and merges the IP lists', () => {
    expect(result.status.containerStatuses).toEqual(podRunningPatch.status.containerStatuses);
    expect(result.status.podIPs).toEqual([{ ip: '10.244.0.5' }]);
    expect(result.status.hostIPs).toEqual([{ ip: '10.0.0.1' }]);
    expect(result.status).toMatchObject({
      phase: 'Running',
      podIP: '10.244.0.5',
      hostIP: '10.0.0.1',
      startTime: T0,
      qosClass: 'BestEffort',
    });
  });

  it('leaves metadata and spec as they were', () => {
    const original = scheduledPod() as { metadata: unknown; spec: unknown };
    expect(result.metadata).toEqual(original.metadata);
    expect(result.spec).toEqual(original.spec);
  });
});

describe('kubelet pods/status patch on a pod with no conditions yet', () => {
  it.each([{ live: undefined }, { live: [] }])(
    'takes the conditions as sent (live list $live)',
    ({ live }) => {
      const pending: Json = {
        kind: 'Pod',
        metadata: { name: 'web', uid: 'pod-uid' },
        status: live === undefined ? { phase: 'Pending' } : { phase: 'Pending', conditions: live },
      };
      const result = applyPatch('Pod', pending, 'application/strategic-merge-patch+json', {
        status: {
          '$setElementOrder/conditions': [{ type: 'Initialized' }, { type: 'PodScheduled' }],
          conditions: [
            { type: 'Initialized', status: 'True' },
            { type: 'PodScheduled', status: 'True', lastProbeTime: null },
          ],
        },
      }) as { status: unknown };
      expect(result.status).toEqual({
        phase: 'Pending',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
      });
    },
  );
});

function readyNode(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'vk-1',
      labels: { type: 'virtual-kubelet', 'kubernetes.io/hostname': 'vk-1' },
    },
    spec: { taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }] },
    status: {
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'False',
          lastHeartbeatTime: T0,
          lastTransitionTime: T0,
          reason: 'KubeletHasSufficientMemory',
        },
        {
          type: 'DiskPressure',
          status: 'False',
          lastHeartbeatTime: T0,
          lastTransitionTime: T0,
          reason: 'KubeletHasNoDiskPressure',
        },
        {
          type: 'Ready',
          status: 'False',
          lastHeartbeatTime: T0,
          lastTransitionTime: T0,
          reason: 'KubeletNotReady',
        },
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.9' },
        { type: 'Hostname', address: 'vk-1' },
      ],
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
    },
  };
}

describe('kubelet node status patch', () => {
  const result = applyPatch('Node', readyNode(), 'application/strategic-merge-patch+json', {
    status: {
      '$setElementOrder/addresses': [{ type: 'InternalIP' }, { type: 'Hostname' }],
      '$setElementOrder/conditions': [
        { type: 'MemoryPressure' },
        { type: 'DiskPressure' },
        { type: 'Ready' },
      ],
      addresses: [{ type: 'InternalIP', address: '10.0.0.10' }],
      conditions: [
        { type: 'MemoryPressure', lastHeartbeatTime: T2 },
        { type: 'DiskPressure', lastHeartbeatTime: T2 },
        {
          type: 'Ready',
          status: 'True',
          lastHeartbeatTime: T2,
          lastTransitionTime: T2,
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ],
    },
  }) as { spec: unknown; status: Record<string, unknown> };

  it('merges each condition by type, refreshing heartbeats and keeping untouched fields', () => {
    expect(result.status.conditions).toEqual([
      {
        type: 'MemoryPressure',
        status: 'False',
        lastHeartbeatTime: T2,
        lastTransitionTime: T0,
        reason: 'KubeletHasSufficientMemory',
      },
      {
        type: 'DiskPressure',
        status: 'False',
        lastHeartbeatTime: T2,
        lastTransitionTime: T0,
        reason: 'KubeletHasNoDiskPressure',
      },
      {
        type: 'Ready',
        status: 'True',
        lastHeartbeatTime: T2,
        lastTransitionTime: T2,
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
      },
    ]);
  });

  it('merges addresses by type', () => {
    expect(result.status.addresses).toEqual([
      { type: 'InternalIP', address: '10.0.0.10' },
      { type: 'Hostname', address: 'vk-1' },
    ]);
    expect(result.status.capacity).toEqual({ cpu: '8', memory: '32Gi', pods: '110' });
  });

  it('replaces taints whole when a patch sets them (the list is atomic)', () => {
    const tainted = applyPatch('Node', readyNode(), 'application/strategic-merge-patch+json', {
      spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] },
    }) as { spec: unknown };
    expect(tainted.spec).toEqual({
      taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }],
    });
  });
});

describe('finalizers', () => {
  const podWith = (finalizers: string[]): Json => ({
    kind: 'Pod',
    metadata: { name: 'web', finalizers },
  });
  const finalizersOf = (value: Json): unknown =>
    (value as { metadata: { finalizers?: unknown } }).metadata.finalizers;

  it('adds one with a strategic patch without disturbing the others', () => {
    const result = applyPatch('Pod', podWith(['a']), 'application/strategic-merge-patch+json', {
      metadata: { finalizers: ['virtual-kubelet.io/cleanup'] },
    });
    expect(finalizersOf(result)).toEqual(['virtual-kubelet.io/cleanup', 'a']);
  });

  it('removes one with $deleteFromPrimitiveList', () => {
    const result = applyPatch(
      'Pod',
      podWith(['a', 'virtual-kubelet.io/cleanup']),
      'application/strategic-merge-patch+json',
      {
        metadata: { '$deleteFromPrimitiveList/finalizers': ['virtual-kubelet.io/cleanup'] },
      },
    );
    expect(finalizersOf(result)).toEqual(['a']);
  });

  it('removes one with a guarded JSON patch, as controllers do', () => {
    const result = applyPatch(
      'Pod',
      podWith(['a', 'virtual-kubelet.io/cleanup']),
      'application/json-patch+json',
      [
        { op: 'test', path: '/metadata/finalizers/1', value: 'virtual-kubelet.io/cleanup' },
        { op: 'remove', path: '/metadata/finalizers/1' },
      ],
    );
    expect(finalizersOf(result)).toEqual(['a']);
  });

  it('replaces the list with a merge patch, and removes it with null', () => {
    const merge = 'application/merge-patch+json';
    expect(
      finalizersOf(
        applyPatch('Pod', podWith(['a', 'b']), merge, { metadata: { finalizers: ['b'] } }),
      ),
    ).toEqual(['b']);
    expect(
      finalizersOf(applyPatch('Pod', podWith(['a']), merge, { metadata: { finalizers: null } })),
    ).toBeUndefined();
  });
});

describe('label removal via null', () => {
  it.each(['application/strategic-merge-patch+json', 'application/merge-patch+json'] as const)(
    'removes the label with %s',
    type => {
      const result = applyPatch('Node', readyNode(), type, {
        metadata: { labels: { type: null } },
      });
      expect((result as { metadata: unknown }).metadata).toEqual({
        name: 'vk-1',
        labels: { 'kubernetes.io/hostname': 'vk-1' },
      });
    },
  );
});

describe('lease renewal', () => {
  it('updates the renew time with a strategic or merge patch', () => {
    const lease: Json = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'vk-1', namespace: 'kube-node-lease' },
      spec: {
        holderIdentity: 'vk-1',
        leaseDurationSeconds: 40,
        renewTime: '2024-05-01T10:00:00.000000Z',
      },
    };
    for (const type of [
      'application/strategic-merge-patch+json',
      'application/merge-patch+json',
    ] as const) {
      const result = applyPatch('Lease', lease, type, {
        spec: { renewTime: '2024-05-01T10:00:10.000000Z' },
      });
      expect((result as { spec: unknown }).spec).toEqual({
        holderIdentity: 'vk-1',
        leaseDurationSeconds: 40,
        renewTime: '2024-05-01T10:00:10.000000Z',
      });
    }
  });
});
