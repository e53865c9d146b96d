/**
 * The batteries-included layer: `createNode({ provider, client, nodeName })` wires the pod
 * informer, the pod controller, the resolver, events, the node controller and metrics into one
 * virtual node with an explicit lifecycle. Startup order follows the kubelet: the pod cache syncs
 * and the provider is reconciled before the Node is registered; shutdown goes in reverse.
 */
import type { ObjectReference, Pod, PodStatus, Taint } from 'kubernetes-types/core/v1.d.ts';
import { IllegalStateError, TransientError } from '../errors/errors.ts';
import { EventRecorder } from '../events/recorder.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { Reflector } from '../kube/reflector.ts';
import { StringPool } from '../kube/string-pool.ts';
import { shareUnchanged } from '../kube/share-unchanged.ts';
import { untilAborted } from '../util/abort.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import type { NodeMetrics, VkMetrics } from '../observability/metrics.ts';
import { NodeController, type NodeControllerOptions } from '../node/node-controller.ts';
import {
  PodController,
  type PodControllerOptions,
  type PodResolver,
} from '../pod/pod-controller.ts';
import { jsonEqual, keyOf } from '../pod/pod-compare.ts';
import type { Provider } from '../provider/contract.ts';
import { resolvePod } from '../resolver/index.ts';
import { eventSinkOver, nodeApiOver, objectSourceOver, podApiOver } from './api-adapters.ts';

export interface CreateNodeOptions {
  readonly provider: Provider;
  /** The client for pod, event and object traffic (rate limited as configured). */
  readonly client: KubeClient;
  /** Events go through this client; the kubelet limits them apart from other traffic (`--event-qps`). */
  readonly eventClient?: KubeClient;
  /**
   * Event writes wait while pods are queued for a sync or a status write. For a client without a
   * rate limit, where the API server's capacity is all that bounds a burst and Events would take
   * it from the statuses; with a limit, Events have their own budget and waiting only bunches
   * them up. @default false
   */
  readonly eventsAfterPods?: boolean;
  /** The lease and node-status lane; by default `client.lane('node', { qps: 5, burst: 10 })`. */
  readonly nodeClient?: KubeClient;
  readonly nodeName: string;
  /** @default 'linux' */
  readonly operatingSystem?: 'linux' | 'windows';
  /** The kubelet API port advertised in `daemonEndpoints` (default 10250). */
  readonly kubeletPort?: number;
  /** The InternalIP the API server proxies kubelet calls to. */
  readonly internalIP?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Default: `virtual-kubelet.io/provider=<provider>:NoSchedule`; empty for none. */
  readonly taints?: readonly Taint[];
  /** Our version, shown in `nodeInfo.kubeletVersion` as `v<k8s>-vkubelet-<version>`. */
  readonly version?: string;
  readonly logger?: Logger;
  readonly metrics?: VkMetrics;
  readonly podSyncWorkers?: number;
  readonly statusWorkers?: number;
  readonly maxCreateAttempts?: number;
  readonly providerCallTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly leaseDurationSeconds?: number;
  readonly statusIntervalMs?: number;
  readonly pingIntervalMs?: number;
  readonly reRegisterNode?: boolean;
  readonly onShutdown?: 'none' | 'taint' | 'delete';
  /** Give up if the pod cache has not synced by then (0: wait forever). */
  readonly startupTimeoutMs?: number;
  readonly clusterDomain?: string;
  /** Hand pods to the provider unresolved (env untouched); volumes are still resolved. */
  readonly skipDownwardAPIResolution?: boolean;
}

/** The Kubernetes version we report to be compatible with. */
const KUBE_VERSION = 'v1.33.0';

type State = 'new' | 'running' | 'stopped';

export class VirtualNode {
  readonly nodeName: string;
  /** Resolves once the pod cache synced, the provider was reconciled and the Node is registered. */
  readonly ready: Promise<void>;
  private readonly o: CreateNodeOptions;
  private readonly logger: Logger;
  private readonly metrics: NodeMetrics | undefined;
  private readonly pods: Reflector<Pod & { metadata: object }>;
  private readonly podController: PodController;
  private readonly nodeController: NodeController;
  private readonly events: EventRecorder;
  private state: State = 'new';

  constructor(options: CreateNodeOptions) {
    this.o = options;
    this.nodeName = options.nodeName;
    this.logger = (options.logger ?? silentLogger).child({
      node: options.nodeName,
      provider: options.provider.name,
    });
    this.metrics = options.metrics?.forNode(options.nodeName);
    const client = options.client;
    const nodeClient = options.nodeClient ?? client.lane('node', { qps: 5, burst: 10 });
    this.events = new EventRecorder({
      sink: eventSinkOver(options.eventClient ?? client),
      component: 'virtual-kubelet',
      host: options.nodeName,
      logger: this.logger,
      ...(options.eventsAfterPods === true
        ? { deferWhile: () => this.podController.backlog > 0 }
        : {}),
    });
    const podController = new PodController({
      nodeName: options.nodeName,
      provider: options.provider,
      api: podApiOver(client),
      events: {
        record: (pod, type, reason, message) => {
          this.events.record(podReference(pod), type, reason, message);
        },
      },
      logger: this.logger.child({ component: 'pod-controller' }),
      lookup: (namespace, name) => this.pods.get(namespace, name),
      listApiPods: () => this.pods.list(),
      resolve: this.resolver(client),
      ...pick(options, [
        'podSyncWorkers',
        'statusWorkers',
        'maxCreateAttempts',
        'providerCallTimeoutMs',
        'pollIntervalMs',
      ] as const satisfies readonly (keyof PodControllerOptions)[]),
      ...(this.metrics ? queueAndCallMetrics(this.metrics) : {}),
    });
    this.podController = podController;
    const strings = new StringPool();
    this.pods = new Reflector<Pod & { metadata: object }>({
      client,
      ref: { version: 'v1', resource: 'pods' },
      fieldSelector: `spec.nodeName=${options.nodeName}`,
      // managedFields are often the largest part of a pod and nothing here reads them; the
      // strings many pods repeat are kept once, and so is what an update left unchanged.
      transform: (pod, previous) => {
        const before = samePod(pod, previous);
        return withReportedStatus(
          shareUnchanged(strings.internAll(withoutManagedFields(pod)), before),
          before,
          podController.reportedStatus(keyOf(pod), pod.metadata.uid),
        );
      },
      handlers: {
        onAdd: pod => {
          podController.onAdd(pod);
        },
        onUpdate: (old, pod) => {
          podController.onUpdate(old, pod);
        },
        onDelete: pod => {
          podController.onDelete(pod);
        },
      },
      logger: this.logger.child({ component: 'pod-informer' }),
    });
    this.nodeController = new NodeController({
      api: nodeApiOver(nodeClient),
      provider: options.provider,
      logger: this.logger.child({ component: 'node-controller' }),
      nodeName: options.nodeName,
      providerName: options.provider.name,
      operatingSystem: options.operatingSystem ?? 'linux',
      kubeletPort: options.kubeletPort ?? 10250,
      kubeletVersion: `${KUBE_VERSION}-vkubelet-${options.version ?? '0.0.0'}`,
      ...pick(options, [
        'internalIP',
        'labels',
        'annotations',
        'taints',
        'leaseDurationSeconds',
        'statusIntervalMs',
        'pingIntervalMs',
        'onShutdown',
      ] as const satisfies readonly (keyof NodeControllerOptions)[]),
      ...(options.reRegisterNode !== undefined ? { reRegister: options.reRegisterNode } : {}),
      ...(this.metrics ? leaseMetrics(this.metrics) : {}),
    });
    this.ready = Promise.all([podController.ready, this.nodeController.ready]).then(
      () => undefined,
    );
    this.ready.catch(() => undefined);
  }

  /** This node's API pods, as the informer holds them (the kubelet API's `/pods`). */
  listPods(): Pod[] {
    return this.pods.list();
  }

  /** Resolves when ready, or rejects after `timeoutMs`. */
  async waitReady(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`virtual node ${this.nodeName} not ready after ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs until `signal` aborts, then shuts down in reverse order and resolves. A failure (the
   * startup timeout, a fatal loop error) stops every loop before it rejects.
   */
  async run(outer: AbortSignal): Promise<void> {
    if (this.state !== 'new')
      throw new IllegalStateError(`virtual node ${this.nodeName} is ${this.state}`);
    this.state = 'running';
    this.logger.info({}, 'starting');
    const stop = new AbortController();
    const signal = AbortSignal.any([outer, stop.signal]);
    const informer = this.pods.run(signal);
    const podLoop = this.podController.run(this.syncedWithin(signal), signal);
    // The Node is registered once pods are synced and reconciled; a Node that exists already (a
    // restart) has its lease renewed from the start.
    const registerAfter = this.podController.ready.then(() => {
      this.logger.info(
        { pods: this.pods.size },
        'pod cache synced and provider reconciled: registering the node',
      );
    });
    const nodeLoop = this.nodeController.run(signal, registerAfter);
    void this.nodeController.ready.then(() => {
      this.logger.info({}, 'node ready');
    });
    const loops: Promise<void>[] = [informer, podLoop, nodeLoop];
    try {
      await Promise.all(loops);
    } catch (err) {
      stop.abort(err);
      await Promise.allSettled(loops);
      throw err;
    } finally {
      await this.events.close();
      this.state = 'stopped';
      this.logger.info({}, 'stopped');
    }
  }

  private syncedWithin(signal: AbortSignal): Promise<void> {
    const timeout = this.o.startupTimeoutMs ?? 0;
    const synced = untilAborted(this.pods.synced, signal);
    if (timeout <= 0) return synced;
    return Promise.race([
      synced,
      new Promise<never>((_, reject) => {
        setTimeout(() => {
          reject(
            new TransientError(
              `pod cache of ${this.nodeName} did not sync within ${timeout} ms (--startup-timeout): is the API server reachable, and may this node's identity list pods?`,
            ),
          );
        }, timeout).unref();
      }),
    ]);
  }

  private resolver(client: KubeClient): PodResolver {
    const source = objectSourceOver(client);
    return async (pod, signal) => {
      const ref = podReference(pod);
      const resolved = await resolvePod(pod, {
        source,
        signal,
        nodeName: this.nodeName,
        ...(this.o.internalIP !== undefined ? { hostIP: this.o.internalIP } : {}),
        ...(this.o.clusterDomain !== undefined ? { clusterDomain: this.o.clusterDomain } : {}),
        ...(this.o.skipDownwardAPIResolution !== undefined
          ? { skipDownwardAPIResolution: this.o.skipDownwardAPIResolution }
          : {}),
        events: {
          warning: (reason, message) => {
            this.events.record(ref, 'Warning', reason, message);
          },
          normal: (reason, message) => {
            this.events.record(ref, 'Normal', reason, message);
          },
        },
      });
      return {
        pod: resolved.pod,
        volumes: resolved.volumes,
        deferredEnv: resolved.deferredEnv,
        ...(resolved.refreshAt !== undefined ? { refreshAt: resolved.refreshAt } : {}),
      };
    };
  }
}

function podReference(pod: Pod): ObjectReference {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    ...(pod.metadata?.namespace !== undefined ? { namespace: pod.metadata.namespace } : {}),
    ...(pod.metadata?.name !== undefined ? { name: pod.metadata.name } : {}),
    ...(pod.metadata?.uid !== undefined ? { uid: pod.metadata.uid } : {}),
  };
}

/**
 * The defined options among `keys` (exactOptionalPropertyTypes-friendly spreading). A spread
 * escapes excess-property checks, so callers check `keys` against the receiving options type.
 */
function pick<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

function queueAndCallMetrics(
  m: NodeMetrics,
): Pick<PodControllerOptions, 'onQueueMetrics' | 'onProviderCall'> {
  return {
    onQueueMetrics: e => {
      m.queue(e);
    },
    onProviderCall: (call, ms, ok) => {
      m.providerCall(call, ms, ok);
    },
  };
}

function leaseMetrics(m: NodeMetrics): { onLeaseRenew: (lateMs: number) => void } {
  return {
    onLeaseRenew: lateMs => {
      m.leaseRenew(lateMs);
    },
  };
}

/** Creates a virtual node; no I/O happens until `run`. */
export function createNode(options: CreateNodeOptions): VirtualNode {
  return new VirtualNode(options);
}

/**
 * The status the provider reported comes back in the watch event of the write that carried it:
 * its members that arrived equal are kept as the provider's objects, which the pod controller
 * holds until the next report anyway (one copy of each pod's conditions and container statuses,
 * not two). Only a status this event parsed anew is written to.
 */
function withReportedStatus<T extends Pod>(
  pod: T,
  previous: T | undefined,
  reported: PodStatus | undefined,
): T {
  const status = pod.status as Record<string, unknown> | undefined;
  // Unchanged since the previous event (the whole pod or its status): shared already.
  if (status === undefined || reported === undefined || status === previous?.status) return pod;
  const source = reported as Record<string, unknown>;
  for (const key in status) {
    if (status[key] !== source[key] && jsonEqual(status[key], source[key]))
      status[key] = source[key];
  }
  return pod;
}

/** The cached version when it is the same pod (a name reused by a new pod shares nothing). */
function samePod<T extends Pod>(pod: T, previous: T | undefined): T | undefined {
  return previous?.metadata?.uid === pod.metadata?.uid ? previous : undefined;
}

function withoutManagedFields<T extends Pod & { metadata: object }>(pod: T): T {
  if (pod.metadata.managedFields === undefined) return pod;
  const metadata = { ...pod.metadata };
  delete metadata.managedFields;
  return { ...pod, metadata };
}
