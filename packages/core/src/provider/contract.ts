/**
 * The provider contract: what a backend (ACI, Fargate, ECI, Nomad, Zun, CRI, an HTTP service, the
 * mock) implements so the core can run pods on it. One required interface, `PodLifecycleHandler`;
 * everything else is an optional capability found at run time. Providers never talk to the
 * Kubernetes API server: the core resolves env, volume contents and tokens and hands them over.
 *
 * Rules every implementation follows:
 * - Calls may run concurrently for different pods; for one pod the core never overlaps calls.
 * - `createPod` is idempotent: a pod that already exists (same namespace, name and UID) is not
 *   created twice. `deletePod` is idempotent: an unknown pod throws NotFoundError or returns.
 * - Returned pods are copies the core may keep; a provider never mutates a pod it was given.
 * - Errors use the taxonomy in `errors`: NotFoundError, InvalidInputError (never retried),
 *   UnsupportedError, ThrottledError (retried after its hint), TransientError.
 * - Every call honours its AbortSignal.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Node, Pod, PodStatus } from 'kubernetes-types/core/v1.d.ts';

/** One file of a resolved volume (secret key, configMap key, downward API item, token). */
export interface VolumeFile {
  readonly data: Uint8Array;
  /** Unix permission bits (from defaultMode / items[].mode). */
  readonly mode: number;
}

/** The contents of a volume the core resolves, by relative path. */
export interface VolumeContent {
  readonly kind: 'secret' | 'configMap' | 'projected' | 'downwardAPI';
  readonly files: ReadonlyMap<string, VolumeFile>;
}

/**
 * An env value only the backend can know (the pod IP, the host IP...): the core leaves the
 * variable in the pod spec with this reference instead of refusing the pod.
 */
export interface DeferredEnvVar {
  readonly container: string;
  readonly name: string;
  readonly fieldPath: string;
}

/** What the core resolved for a pod before handing it to the provider. */
export interface PodContext {
  readonly signal: AbortSignal;
  /** Contents of the pod's secret, configMap, projected and downwardAPI volumes, by volume name. */
  readonly volumes: ReadonlyMap<string, VolumeContent>;
  readonly deferredEnv: readonly DeferredEnvVar[];
}

export interface PodLifecycleHandler {
  /**
   * Creates the pod; env is resolved in `pod`, volume contents are in `context`. `pod` is
   * deeply frozen (as in updatePod): keep it as it is rather than copying it.
   */
  createPod(pod: Pod, context: PodContext): Promise<void>;
  /** Applies a changed spec (image, activeDeadlineSeconds, tolerations, labels, annotations). */
  updatePod(pod: Pod, context: PodContext): Promise<void>;
  /** Stops and removes the pod; NotFound counts as done. A pushing provider then notifies a terminal status. */
  deletePod(pod: Pod, signal: AbortSignal): Promise<void>;
  /** The pod as the backend knows it, or undefined. */
  getPod(namespace: string, name: string, signal: AbortSignal): Promise<Pod | undefined>;
  /** The pod's status as the backend knows it, or undefined (used when the core polls). */
  getPodStatus(
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<PodStatus | undefined>;
  /** Every pod of this node the backend has (never other nodes' pods). */
  getPods(signal: AbortSignal): Promise<Pod[]>;
}

/** A provider that pushes status changes instead of being polled. */
export interface PodNotifier {
  /**
   * Registers the callback once, after the core's pod cache has synced. The provider calls it
   * with the full pod (status current) whenever its status changes; it must not block.
   */
  notifyPods(onPod: (pod: Pod) => void): void;
}

export interface NodeProvider {
  /** A cheap liveness check of the backend; gates the lease and node status. */
  ping(signal: AbortSignal): Promise<void>;
  /**
   * Returns the node with the provider's capacity, allocatable, conditions, addresses, nodeInfo
   * and labels filled in; called once before registration (the argument is not to be mutated).
   */
  configureNode?(node: Node): Node;
  /** Registers a callback for node status changes the backend pushes (capacity, conditions). */
  notifyNodeStatus?(onNode: (node: Node) => void): void;
}

/**
 * A provider that keeps pods in memory and, after a restart, rebuilt them from its backend: it can
 * take the core's objects instead and hold one copy of every pod, not two.
 */
export interface PodAdopter {
  /**
   * Startup reconciliation found these pods running in the backend with the spec the core last
   * applied (same images, not being deleted): each is the core's API object, deeply frozen.
   * Called once, before the first sync; must not block. A pod whose UID or containers do not
   * match the provider's own is to be left alone.
   */
  adoptPods(pods: readonly Pod[]): void;
}

/** A provider whose volume files can change in place (token refresh, secret rotation). */
export interface PodVolumeUpdater {
  updatePodVolumes(
    pod: Pod,
    volumes: ReadonlyMap<string, VolumeContent>,
    signal: AbortSignal,
  ): Promise<void>;
}

export interface ContainerLogOptions {
  readonly tailLines?: number;
  readonly limitBytes?: number;
  readonly sinceSeconds?: number;
  readonly sinceTime?: Date;
  readonly timestamps: boolean;
  readonly follow: boolean;
  readonly previous: boolean;
}

export interface ContainerLogs {
  getContainerLogs(
    namespace: string,
    pod: string,
    container: string,
    options: ContainerLogOptions,
    signal: AbortSignal,
  ): Promise<Readable>;
}

export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

/** The streams of an exec or attach session; absent streams were not requested. */
export interface AttachIO {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  readonly tty: boolean;
  /** Terminal size changes, when tty is on. */
  readonly resize?: AsyncIterable<TerminalSize>;
}

/** How an exec or attach session ended; a non-zero exit code reaches kubectl. */
export interface ExecResult {
  readonly exitCode: number;
}

export interface ContainerExec {
  runInContainer(
    namespace: string,
    pod: string,
    container: string,
    command: readonly string[],
    io: AttachIO,
    signal: AbortSignal,
  ): Promise<ExecResult>;
}

export interface ContainerAttach {
  attachToContainer(
    namespace: string,
    pod: string,
    container: string,
    io: AttachIO,
    signal: AbortSignal,
  ): Promise<ExecResult>;
}

export interface PortForward {
  portForward(
    namespace: string,
    pod: string,
    port: number,
    stream: Duplex,
    signal: AbortSignal,
  ): Promise<void>;
}

/** The kubelet's stats/summary document (k8s.io/kubelet/pkg/apis/stats/v1alpha1 Summary). */
export interface StatsSummaryDocument {
  readonly node: Record<string, unknown> & { readonly nodeName: string };
  readonly pods: readonly (Record<string, unknown> & {
    readonly podRef: { name: string; namespace: string; uid: string };
  })[];
}

export interface StatsSummary {
  getStatsSummary(signal: AbortSignal): Promise<StatsSummaryDocument>;
}

export interface MetricsResource {
  /** Prometheus text exposition of the kubelet's /metrics/resource families. */
  getMetricsResource(signal: AbortSignal): Promise<string>;
}

/** Who the provider is: its name goes into the default taint and logs. */
export interface ProviderIdentity {
  /** Short name, e.g. `mock`, `aci`, `fargate`. */
  readonly name: string;
  readonly version?: string;
}

/** A whole provider: the lifecycle handler plus any optional capabilities. */
export type Provider = ProviderIdentity &
  PodLifecycleHandler &
  Partial<
    PodNotifier &
      NodeProvider &
      PodAdopter &
      PodVolumeUpdater &
      ContainerLogs &
      ContainerExec &
      ContainerAttach &
      PortForward &
      StatsSummary &
      MetricsResource
  >;

export const hasPodNotifier = (p: Provider): p is Provider & PodNotifier =>
  typeof p.notifyPods === 'function';
export const hasPing = (p: Provider): p is Provider & Pick<NodeProvider, 'ping'> =>
  typeof p.ping === 'function';
export const hasPodAdopter = (p: Provider): p is Provider & PodAdopter =>
  typeof p.adoptPods === 'function';
export const hasVolumeUpdater = (p: Provider): p is Provider & PodVolumeUpdater =>
  typeof p.updatePodVolumes === 'function';
export const hasContainerLogs = (p: Provider): p is Provider & ContainerLogs =>
  typeof p.getContainerLogs === 'function';
export const hasContainerExec = (p: Provider): p is Provider & ContainerExec =>
  typeof p.runInContainer === 'function';
export const hasContainerAttach = (p: Provider): p is Provider & ContainerAttach =>
  typeof p.attachToContainer === 'function';
export const hasPortForward = (p: Provider): p is Provider & PortForward =>
  typeof p.portForward === 'function';
export const hasStatsSummary = (p: Provider): p is Provider & StatsSummary =>
  typeof p.getStatsSummary === 'function';
export const hasMetricsResource = (p: Provider): p is Provider & MetricsResource =>
  typeof p.getMetricsResource === 'function';
