import { goArch, isIllegalState, isInvalidInput, isTransient } from '@vkubelet/core';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import { never, setup } from './test-support/fixtures.ts';

const T = '2024-01-01T00:00:00Z';

const baseNode = (): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'vk-mock', labels: { type: 'virtual-kubelet', 'kubernetes.io/os': 'custom' } },
  spec: { taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }] },
  status: {
    nodeInfo: {
      kubeletVersion: 'v1.31.0-vkubelet',
      architecture: '',
      bootID: '',
      containerRuntimeVersion: '',
      kernelVersion: '',
      kubeProxyVersion: '',
      machineID: '',
      operatingSystem: '',
      osImage: '',
      systemUUID: '',
    },
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    conditions: [{ type: 'CustomCheck', status: 'True' }],
  },
});

describe('configureNode', () => {
  it('fills in capacity, conditions, addresses, nodeInfo and labels, leaving the core its fields', () => {
    const { provider } = setup({
      capacity: { cpu: '8', 'nvidia.com/gpu': '2' },
      providerID: 'mock://vk-mock',
      labels: { zone: 'z1' },
    });
    const input = baseNode();
    const before = structuredClone(input);
    const node = provider.configureNode(input);
    expect(input).toEqual(before); // not mutated
    const capacity = {
      cpu: '8',
      memory: '100Gi',
      pods: '110',
      'ephemeral-storage': '100Gi',
      'nvidia.com/gpu': '2',
    };
    expect(node).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'vk-mock',
        labels: {
          'kubernetes.io/os': 'custom',
          'kubernetes.io/arch': goArch(),
          'node.kubernetes.io/instance-type': 'mock',
          'node.kubernetes.io/exclude-from-external-load-balancers': 'true',
          zone: 'z1',
          type: 'virtual-kubelet',
        },
      },
      spec: {
        taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
        providerID: 'mock://vk-mock',
      },
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          { type: 'CustomCheck', status: 'True' },
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'mock provider is ready',
            lastHeartbeatTime: T,
            lastTransitionTime: T,
          },
          {
            type: 'MemoryPressure',
            status: 'False',
            reason: 'KubeletHasSufficientMemory',
            message: 'mock provider has sufficient memory available',
            lastHeartbeatTime: T,
            lastTransitionTime: T,
          },
          {
            type: 'DiskPressure',
            status: 'False',
            reason: 'KubeletHasNoDiskPressure',
            message: 'mock provider has no disk pressure',
            lastHeartbeatTime: T,
            lastTransitionTime: T,
          },
          {
            type: 'PIDPressure',
            status: 'False',
            reason: 'KubeletHasSufficientPID',
            message: 'mock provider has sufficient PID available',
            lastHeartbeatTime: T,
            lastTransitionTime: T,
          },
          {
            type: 'NetworkUnavailable',
            status: 'False',
            reason: 'RouteCreated',
            message: 'mock provider has no network to set up',
            lastHeartbeatTime: T,
            lastTransitionTime: T,
          },
        ],
        addresses: [
          { type: 'InternalIP', address: '127.0.0.1' },
          { type: 'Hostname', address: 'vk-mock' },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.31.0-vkubelet',
          architecture: goArch(),
          bootID: '',
          containerRuntimeVersion: 'mock://0.1.0',
          kernelVersion: '',
          kubeProxyVersion: '',
          machineID: '',
          operatingSystem: 'linux',
          osImage: '',
          systemUUID: '',
        },
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    });
  });

  it('works on a bare node and keeps configured addresses as given', () => {
    const { provider } = setup({
      addresses: [
        { type: 'InternalIP', address: '10.0.0.5' },
        { type: 'Hostname', address: 'vk-host' },
      ],
    });
    const node = provider.configureNode({ metadata: { name: 'n1' } });
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: 'vk-host' },
    ]);
    expect(node.status?.nodeInfo).toEqual({
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: 'vkubelet mock provider',
      kubeletVersion: '',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: goArch(),
      containerRuntimeVersion: 'mock://0.1.0',
    });
    expect(node.spec).toBeUndefined();
  });
});

describe('node status changes', () => {
  it('pushes a changed condition through notifyNodeStatus', async () => {
    const { provider, clock } = setup();
    provider.configureNode({ metadata: { name: 'vk' } });
    const nodes: Node[] = [];
    provider.notifyNodeStatus((node: Node) => nodes.push(node));
    await clock.advance(60_000);
    provider.simulateNodeCondition({
      type: 'MemoryPressure',
      status: 'True',
      reason: 'KubeletHasInsufficientMemory',
    });
    expect(nodes).toEqual([]); // never inside the call
    await provider.flushNotifications();
    expect(nodes).toHaveLength(1);
    expect(nodes[0]?.status?.conditions?.find(c => c.type === 'MemoryPressure')).toEqual({
      type: 'MemoryPressure',
      status: 'True',
      reason: 'KubeletHasInsufficientMemory',
      lastHeartbeatTime: '2024-01-01T00:01:00Z',
      lastTransitionTime: '2024-01-01T00:01:00Z',
    });
    expect(nodes[0]?.status?.capacity?.cpu).toBe('20');
  });

  it('needs configureNode first and a valid condition', () => {
    const { provider } = setup();
    let err: unknown;
    try {
      provider.simulateNodeCondition({ type: 'Ready', status: 'False' });
    } catch (e) {
      err = e;
    }
    expect(isIllegalState(err)).toBe(true);
    provider.configureNode({ metadata: { name: 'vk' } });
    try {
      provider.simulateNodeCondition({ type: 'Ready', status: 'maybe' as 'True' });
    } catch (e) {
      err = e;
    }
    expect(isInvalidInput(err)).toBe(true);
  });
});

describe('ping', () => {
  it('succeeds, or fails under failure injection', async () => {
    const { provider } = setup();
    await provider.ping(never());
    provider.injectFailure('ping', { times: 1, message: 'backend down' });
    const err = await provider.ping(never()).catch((e: unknown) => e);
    expect(isTransient(err)).toBe(true);
    expect((err as Error).message).toBe('backend down');
    await provider.ping(never());
    expect(provider.callCount('ping')).toBe(3);
  });
});
