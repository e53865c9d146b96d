/**
 * The node as the mock describes it: capacity = allocatable from the options, healthy
 * conditions, addresses, nodeInfo and label hints. What the core owns (kubeletVersion, the
 * daemon endpoint, taints, labels it set) is left alone; other conditions are kept.
 */
import { goArch, IllegalStateError, InvalidInputError } from '@vkubelet/core';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.d.ts';
import type { Mailbox } from './mailbox.ts';
import type { CompiledOptions } from './options.ts';
import { rfc3339 } from './time.ts';
import { MOCK_PROVIDER_VERSION } from './version.ts';

export interface NodeConditionChange {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

const HEALTHY: readonly NodeConditionChange[] = [
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'mock provider is ready' },
  {
    type: 'MemoryPressure',
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'mock provider has sufficient memory available',
  },
  {
    type: 'DiskPressure',
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'mock provider has no disk pressure',
  },
  {
    type: 'PIDPressure',
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'mock provider has sufficient PID available',
  },
  {
    type: 'NetworkUnavailable',
    status: 'False',
    reason: 'RouteCreated',
    message: 'mock provider has no network to set up',
  },
];

/** Sets `change` on the status's conditions; the transition time moves only when the status does. */
export function setNodeCondition(
  status: NodeStatus,
  change: NodeConditionChange,
  now: number,
): void {
  const conditions = (status.conditions ??= []);
  const time = rfc3339(now);
  const index = conditions.findIndex(c => c.type === change.type);
  const before = index >= 0 ? conditions[index] : undefined;
  const condition: NodeCondition = {
    type: change.type,
    status: change.status,
    lastHeartbeatTime: time,
    lastTransitionTime:
      before?.status === change.status && before.lastTransitionTime !== undefined
        ? before.lastTransitionTime
        : time,
    ...(change.reason !== undefined && { reason: change.reason }),
    ...(change.message !== undefined && { message: change.message }),
  };
  if (index >= 0) conditions[index] = condition;
  else conditions.push(condition);
}

/** The node with what the mock provides filled in; `node` itself is left as it was. */
export function configureNode(node: Node, options: CompiledOptions, now: number): Node {
  const base = structuredClone(node);
  // The core's mapping, so nodeInfo agrees with the arch labels the core sets.
  const arch = goArch();
  const labels = {
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'node.kubernetes.io/instance-type': 'mock',
    'node.kubernetes.io/exclude-from-external-load-balancers': 'true',
    ...options.labels,
    ...base.metadata?.labels,
  };
  const addresses = options.addresses.map(a => ({ type: a.type, address: a.address }));
  const name = base.metadata?.name;
  if (name && !addresses.some(a => a.type === 'Hostname')) {
    addresses.push({ type: 'Hostname', address: name });
  }
  const status: NodeStatus = {
    ...base.status,
    capacity: { ...options.capacity },
    allocatable: { ...options.capacity },
    conditions: [...(base.status?.conditions ?? [])],
    addresses,
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: 'vkubelet mock provider',
      kubeletVersion: '',
      kubeProxyVersion: '',
      ...base.status?.nodeInfo,
      operatingSystem: 'linux',
      architecture: arch,
      containerRuntimeVersion: `mock://${MOCK_PROVIDER_VERSION}`,
    },
  };
  for (const condition of HEALTHY) setNodeCondition(status, condition, now);
  return {
    ...base,
    metadata: { ...base.metadata, labels },
    ...(options.providerID !== undefined && {
      spec: { ...base.spec, providerID: options.providerID },
    }),
    status,
  };
}

/** The node as last configured, and the changes the backend pushes about it. */
export class NodeState {
  readonly #options: CompiledOptions;
  readonly #mailbox: Mailbox<Node>;
  #node: Node | undefined;

  constructor(options: CompiledOptions, mailbox: Mailbox<Node>) {
    this.#options = options;
    this.#mailbox = mailbox;
  }

  /** The node's name once configured, before that the `nodeName` option. */
  get name(): string {
    return this.#node?.metadata?.name ?? this.#options.nodeName;
  }

  configure(node: Node): Node {
    const configured = configureNode(node, this.#options, this.#options.clock.now());
    this.#node = structuredClone(configured);
    return configured;
  }

  /** Sets a condition and pushes the whole node to the `notifyNodeStatus` callback. */
  changeCondition(change: NodeConditionChange): void {
    if (!this.#node) {
      throw new IllegalStateError('mock provider: configureNode must run before node changes');
    }
    if (!['True', 'False', 'Unknown'].includes(change.status) || !change.type) {
      throw new InvalidInputError(
        'mock provider: a node condition needs a type and a status True, False or Unknown',
      );
    }
    const status = structuredClone(this.#node.status ?? {});
    setNodeCondition(status, change, this.#options.clock.now());
    this.#node = { ...this.#node, status };
    this.#mailbox.post('node', structuredClone(this.#node));
  }
}
