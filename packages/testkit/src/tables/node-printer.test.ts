import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube-object.ts';
import { nodePrinter, nodeRoles, nodeStatus } from './node-printer.ts';

const now = new Date('2024-05-01T12:00:00Z');

function node(
  options: {
    ready?: string;
    unschedulable?: boolean;
    labels?: Record<string, string>;
    status?: Record<string, unknown>;
  } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'vk-0',
      creationTimestamp: '2024-04-29T09:00:00Z',
      ...(options.labels ? { labels: options.labels } : {}),
    },
    spec: options.unschedulable === undefined ? {} : { unschedulable: options.unschedulable },
    status: {
      ...(options.ready === undefined
        ? {}
        : {
            conditions: [
              { type: 'MemoryPressure', status: 'False' },
              { type: 'Ready', status: options.ready },
            ],
          }),
      ...options.status,
    },
  };
}

describe(nodeStatus, () => {
  it.each([
    [{ ready: 'True' }, 'Ready'],
    [{ ready: 'False' }, 'NotReady'],
    [{ ready: 'Unknown' }, 'NotReady'],
    [{}, 'Unknown'],
    [{ ready: 'True', unschedulable: true }, 'Ready,SchedulingDisabled'],
    [{ ready: 'False', unschedulable: true }, 'NotReady,SchedulingDisabled'],
    [{ unschedulable: true }, 'Unknown,SchedulingDisabled'],
    [{ ready: 'True', unschedulable: false }, 'Ready'],
  ])('%j is %s', (options, expected) => {
    expect(nodeStatus(node(options))).toBe(expected);
  });
});

describe(nodeRoles, () => {
  it('collects node-role.kubernetes.io/* keys and kubernetes.io/role values, sorted', () => {
    expect(
      nodeRoles(
        node({
          labels: {
            'node-role.kubernetes.io/worker': '',
            'node-role.kubernetes.io/control-plane': 'true',
            'kubernetes.io/role': 'agent',
            'node-role.kubernetes.io/': 'ignored',
            'kubernetes.io/hostname': 'vk-0',
          },
        }),
      ),
    ).toBe('agent,control-plane,worker');
  });

  it('prints <none> without role labels, or with an empty kubernetes.io/role', () => {
    expect(nodeRoles(node())).toBe('<none>');
    expect(nodeRoles(node({ labels: { 'kubernetes.io/role': '' } }))).toBe('<none>');
  });

  it('does not repeat a role named both ways', () => {
    expect(
      nodeRoles(
        node({ labels: { 'node-role.kubernetes.io/agent': '', 'kubernetes.io/role': 'agent' } }),
      ),
    ).toBe('agent');
  });
});

describe('nodePrinter', () => {
  it('prints every column, wide ones included', () => {
    const n = node({
      ready: 'True',
      labels: { 'node-role.kubernetes.io/agent': '' },
      status: {
        addresses: [
          { type: 'Hostname', address: 'vk-0' },
          { type: 'InternalIP', address: '10.0.0.4' },
          { type: 'InternalIP', address: '10.0.0.5' },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.33.0-vk',
          osImage: 'Virtual Kubelet',
          kernelVersion: '',
          containerRuntimeVersion: 'vkubelet://0.1.0',
        },
      },
    });
    expect(nodePrinter.row(n, now)).toEqual({
      cells: [
        'vk-0',
        'Ready',
        'agent',
        '2d3h',
        'v1.33.0-vk',
        '10.0.0.4',
        '<none>',
        'Virtual Kubelet',
        '<unknown>',
        'vkubelet://0.1.0',
      ],
    });
  });

  it('declares Name, Status, Roles, Age, Version and five wide columns', () => {
    expect(nodePrinter.columns.map(c => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Status:0',
      'Roles:0',
      'Age:0',
      'Version:0',
      'Internal-IP:1',
      'External-IP:1',
      'OS-Image:1',
      'Kernel-Version:1',
      'Container-Runtime:1',
    ]);
  });
});
