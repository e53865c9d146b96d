/**
 * `createMockProvider`: the mock behind the provider contract. Each method passes the call gate
 * (count, abort, rate limit, injected failures) and then hands over to the part doing the work:
 * the pod runtime, the node state or the kubelet API.
 */
import type {
  ContainerAttach,
  ContainerExec,
  ContainerLogs,
  MetricsResource,
  NodeProvider,
  PodAdopter,
  PodLifecycleHandler,
  PodNotifier,
  PodVolumeUpdater,
  PortForward,
  StatsSummary,
} from '@vkubelet/core';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { CallGate } from './gate.ts';
import { jsonCopy } from './json-copy.ts';
import { KubeletApi } from './kubelet-api.ts';
import { Mailbox } from './mailbox.ts';
import { NodeState, type NodeConditionChange } from './node.ts';
import {
  compileOptions,
  type FailureSpec,
  type MockOperation,
  type MockProviderOptions,
} from './options.ts';
import { PodRuntime, type RestartOptions, type TerminationOptions } from './pods.ts';
import { MOCK_PROVIDER_VERSION } from './version.ts';

/** Test controls: what a backend could do on its own, and knobs for failure injection. */
export interface MockControls {
  /**
   * The backend stops the pod by itself (crash, eviction, spot reclaim): containers still alive
   * terminate with `exitCode`, the pod turns Succeeded (0) or Failed, and the status is pushed.
   * The pod stays known, terminal, until deletePod. NotFoundError for an unknown pod.
   */
  simulatePodTermination(namespace: string, name: string, options?: TerminationOptions): void;
  /** A running container's process dies and is started again at once (restartCount + 1). */
  simulateContainerRestart(
    namespace: string,
    name: string,
    container: string,
    options?: RestartOptions,
  ): void;
  /** Changes a node condition and pushes the node through `notifyNodeStatus`. */
  simulateNodeCondition(change: NodeConditionChange): void;
  /** Sets (or with undefined, clears) the failure of one operation. */
  injectFailure(operation: MockOperation, failure: FailureSpec | undefined): void;
  /** How many times `operation` was called, failed calls included. */
  callCount(operation: MockOperation): number;
  /** Resolves once every status change so far has reached the registered callbacks. */
  flushNotifications(): Promise<void>;
}

/** The mock: every optional capability is present, `notifyPods` only when status is pushed. */
export interface MockProvider
  extends
    PodLifecycleHandler,
    Partial<PodNotifier>,
    Required<NodeProvider>,
    PodAdopter,
    PodVolumeUpdater,
    ContainerLogs,
    ContainerExec,
    ContainerAttach,
    PortForward,
    StatsSummary,
    MetricsResource,
    MockControls {
  readonly name: 'mock';
  readonly version: string;
}

/** `ns/name` of a pod, for failures that target one pod (the pod is validated later). */
const keyOf = (pod: Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

/**
 * Creates the mock provider. Options are validated here (InvalidInputError on a bad one). Pods
 * from a state store resume at once; otherwise no timer starts until the first call.
 */
export function createMockProvider(options: MockProviderOptions = {}): MockProvider {
  const compiled = compileOptions(options);
  const gate = new CallGate(compiled);
  const podMailbox = compiled.pushStatus
    ? new Mailbox<Pod>('notifyPods', compiled.logger)
    : undefined;
  const nodeMailbox = new Mailbox<Node>('notifyNodeStatus', compiled.logger);
  const runtime = new PodRuntime(compiled, podMailbox, compiled.state);
  runtime.restore();
  const node = new NodeState(compiled, nodeMailbox);
  const api = new KubeletApi(compiled, runtime, () => node.name);

  const provider: MockProvider = {
    name: 'mock',
    version: MOCK_PROVIDER_VERSION,

    async createPod(pod, context) {
      await gate.enter('createPod', context.signal, keyOf(pod));
      runtime.create(pod, context);
      // Created means kept: a restart right after finds the pod (with a state store).
      await compiled.state?.flushed();
    },
    async updatePod(pod, context) {
      await gate.enter('updatePod', context.signal, keyOf(pod));
      runtime.update(pod, context);
      await compiled.state?.flushed();
    },
    async deletePod(pod, signal) {
      await gate.enter('deletePod', signal, keyOf(pod));
      await runtime.delete(pod, signal);
      await compiled.state?.flushed();
    },
    async getPod(namespace, name, signal) {
      await gate.enter('getPod', signal, `${namespace}/${name}`);
      const record = runtime.get(namespace, name);
      return record && runtime.snapshot(record);
    },
    async getPodStatus(namespace, name, signal) {
      await gate.enter('getPodStatus', signal, `${namespace}/${name}`);
      const record = runtime.get(namespace, name);
      return record && jsonCopy(record.status);
    },
    adoptPods(pods) {
      runtime.adopt(pods);
    },
    async getPods(signal) {
      await gate.enter('getPods', signal);
      return runtime.list().map(record => runtime.listed(record));
    },

    async ping(signal) {
      await gate.enter('ping', signal);
    },
    configureNode: n => node.configure(n),
    notifyNodeStatus(onNode) {
      nodeMailbox.register(onNode);
    },

    async updatePodVolumes(pod, volumes, signal) {
      await gate.enter('updatePodVolumes', signal, keyOf(pod));
      runtime.updateVolumes(pod, volumes);
    },
    async getContainerLogs(namespace, pod, container, logOptions, signal) {
      await gate.enter('getContainerLogs', signal, `${namespace}/${pod}`);
      return api.logs(namespace, pod, container, logOptions, signal);
    },
    async runInContainer(namespace, pod, container, command, io, signal) {
      await gate.enter('runInContainer', signal, `${namespace}/${pod}`);
      return api.exec(namespace, pod, container, command, io, signal);
    },
    async attachToContainer(namespace, pod, container, io, signal) {
      await gate.enter('attachToContainer', signal, `${namespace}/${pod}`);
      return api.attach(namespace, pod, container, io, signal);
    },
    async portForward(namespace, pod, port, stream, signal) {
      await gate.enter('portForward', signal, `${namespace}/${pod}`);
      await api.portForward(namespace, pod, port, stream, signal);
    },
    async getStatsSummary(signal) {
      await gate.enter('getStatsSummary', signal);
      return api.statsSummary();
    },
    async getMetricsResource(signal) {
      await gate.enter('getMetricsResource', signal);
      return api.metrics();
    },

    simulatePodTermination(namespace, name, terminationOptions) {
      runtime.simulateTermination(namespace, name, terminationOptions);
    },
    simulateContainerRestart(namespace, name, container, restartOptions) {
      runtime.simulateRestart(namespace, name, container, restartOptions);
    },
    simulateNodeCondition(change) {
      node.changeCondition(change);
    },
    injectFailure(operation, failure) {
      gate.injectFailure(operation, failure);
    },
    callCount: operation => gate.callCount(operation),
    async flushNotifications() {
      await Promise.all([podMailbox?.flushed(), nodeMailbox.flushed()]);
    },
  };
  // Without pushStatus the method must be absent, not a no-op: the core detects it and polls.
  if (podMailbox) {
    provider.notifyPods = onPod => {
      podMailbox.register(onPod);
    };
  }
  return provider;
}
