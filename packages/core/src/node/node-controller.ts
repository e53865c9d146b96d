/**
 * Keeps this virtual node registered and healthy: creates or patches the Node (never clobbering
 * what others set), writes node status on change and at least every `statusIntervalMs`, runs the
 * lease in its own lane, gates both on the provider ping, re-registers a Node deleted at run time,
 * and on shutdown optionally taints or deletes the Node.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.d.ts';
import { describeError, IllegalStateError, isNotFound } from '../errors/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Provider } from '../provider/contract.ts';
import { aborted, sleep, untilAborted } from '../util/abort.ts';
import { rfc3339 } from '../util/time.ts';
import { LeaseController } from './lease-controller.ts';
import type { NodeApi } from './node-api.ts';
import {
  buildNode,
  metadataPatch,
  statusPatch,
  withAppliedAnnotation,
  type NodeObjectOptions,
} from './node-object.ts';
import { PingMonitor } from './ping.ts';

export interface NodeControllerOptions extends NodeObjectOptions {
  readonly api: NodeApi;
  /** A separate lane for the lease (own rate limiter); defaults to `api`. */
  readonly leaseApi?: NodeApi;
  readonly provider: Provider;
  readonly logger: Logger;
  /** Lease duration (default 40 s); renewed every quarter of it unless `leaseRenewIntervalMs` is set. */
  readonly leaseDurationSeconds?: number;
  readonly leaseRenewIntervalMs?: number;
  /** Node status is written on change and at least this often (default 5 min). */
  readonly statusIntervalMs?: number;
  /** How often the provider is pinged (default 10 s) and how long a ping may take (default 5 s). */
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  /** Register the Node again if someone deletes it (default true). */
  readonly reRegister?: boolean;
  /** What happens to the Node on graceful shutdown (default: nothing). */
  readonly onShutdown?: 'none' | 'taint' | 'delete';
  readonly now?: () => Date;
  readonly onLeaseRenew?: (lateMs: number) => void;
}

const SHUTDOWN_TAINT: Taint = { key: 'virtual-kubelet.io/shutdown', effect: 'NoSchedule' };

type State = 'new' | 'running' | 'stopped';

export class NodeController {
  private readonly o: NodeControllerOptions;
  private readonly now: () => Date;
  private readonly ping: PingMonitor;
  private state: State = 'new';
  private node: Node | undefined;
  private desiredNode: Node | undefined;
  private statusDirty = false;
  private wakeStatus: () => void = () => undefined;
  private resolveReady: () => void = () => undefined;
  private rejectReady: (err: unknown) => void = () => undefined;
  /** Resolves once the Node is registered. */
  readonly ready: Promise<void>;

  constructor(options: NodeControllerOptions) {
    this.o = options;
    this.now = options.now ?? (() => new Date());
    this.ping = new PingMonitor({
      ping: options.provider.ping?.bind(options.provider),
      timeoutMs: options.pingTimeoutMs ?? 5000,
      logger: options.logger,
    });
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
  }

  /** The Node as last written. */
  get current(): Node | undefined {
    return this.node;
  }

  /** Asks for a status write soon (the provider's node status changed). */
  markStatusChanged(node?: Node): void {
    if (node && this.desiredNode)
      this.desiredNode = {
        ...this.desiredNode,
        status: { ...this.desiredNode.status, ...node.status },
      };
    this.statusDirty = true;
    this.wakeStatus();
  }

  /**
   * Runs until `signal` aborts. With `registerAfter` (the pod cache synced), the Node is
   * registered only once it resolves; a Node that already exists (a restart) gets its lease
   * renewed meanwhile, as the kubelet's lease runs apart from pod sync, so restarting with
   * thousands of pods never lets the node go NotReady.
   */
  async run(signal: AbortSignal, registerAfter?: Promise<void>): Promise<void> {
    if (this.state !== 'new') throw new IllegalStateError(`node controller is ${this.state}`);
    this.state = 'running';
    const loops: Promise<void>[] = [];
    // A failure stops the loops already running before the error goes up.
    const failed = new AbortController();
    signal = AbortSignal.any([signal, failed.signal]);
    try {
      if (registerAfter !== undefined) {
        const existing = await this.existingNode(signal);
        if (existing !== undefined && !signal.aborted) {
          this.node = existing;
          await this.ping.check(signal);
          loops.push(this.pingLoop(signal), this.leaseLoop(signal));
        }
        await untilAborted(registerAfter, signal);
        if (signal.aborted) return;
      }
      await this.registerUntilDone(signal);
      if (signal.aborted) return;
      this.resolveReady();
      this.o.provider.notifyNodeStatus?.(node => {
        this.markStatusChanged(node);
      });
      if (loops.length === 0) loops.push(this.pingLoop(signal), this.leaseLoop(signal));
      loops.push(this.statusLoop(signal));
      await Promise.all(loops);
    } catch (err) {
      failed.abort(err);
      this.rejectReady(err);
      throw err;
    } finally {
      await Promise.allSettled(loops);
      this.state = 'stopped';
      await this.shutdown();
    }
  }

  /** The Node if it exists already; a failed read just means no early heartbeat. */
  private async existingNode(signal: AbortSignal): Promise<Node | undefined> {
    try {
      const node = await this.o.api.getNode(this.o.nodeName, signal);
      return node?.metadata?.deletionTimestamp === undefined ? node : undefined;
    } catch (err) {
      if (!aborted(signal))
        this.o.logger.debug(
          { err: describeError(err) },
          'could not read the node before registering',
        );
      return undefined;
    }
  }

  private leaseLoop(signal: AbortSignal): Promise<void> {
    const lease = new LeaseController({
      api: this.o.leaseApi ?? this.o.api,
      nodeName: this.o.nodeName,
      leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40,
      renewIntervalMs:
        this.o.leaseRenewIntervalMs ?? ((this.o.leaseDurationSeconds ?? 40) * 1000) / 4,
      logger: this.o.logger.child({ component: 'lease' }),
      nodeUid: () => this.node?.metadata?.uid,
      healthy: () => this.ping.lastResult.ok,
      now: this.now,
      onLeaseMissing: () => {
        this.markStatusChanged();
      },
      ...(this.o.onLeaseRenew ? { onRenew: this.o.onLeaseRenew } : {}),
    });
    return lease.run(signal);
  }

  private desired(): Node {
    if (!this.desiredNode) {
      const node = buildNode(this.o, this.stamp());
      this.desiredNode = this.o.provider.configureNode?.(structuredClone(node)) ?? node;
    }
    const ping = this.ping.lastResult;
    const conditions = (this.desiredNode.status?.conditions ?? []).map(c =>
      c.type === 'Ready'
        ? ping.ok
          ? {
              ...c,
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            }
          : {
              ...c,
              status: 'False',
              reason: 'ProviderUnhealthy',
              message: `provider ping failed: ${ping.error ?? 'unknown error'}`,
            }
        : c,
    );
    return { ...this.desiredNode, status: { ...this.desiredNode.status, conditions } };
  }

  private stamp(): string {
    return rfc3339(this.now());
  }

  private async registerUntilDone(signal: AbortSignal): Promise<void> {
    await this.ping.check(signal);
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await this.register(signal);
        return;
      } catch (err) {
        if (aborted(signal)) return;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        this.o.logger.warn(
          { err: describeError(err), retryInMs: delay },
          'node registration failed',
        );
        await sleep(delay, signal);
      }
    }
  }

  /** Creates the Node, or brings an existing one in line; then writes its status. */
  async register(signal: AbortSignal): Promise<void> {
    const desired = this.desired();
    const existing = await this.o.api.getNode(this.o.nodeName, signal);
    if (!existing) {
      this.node = await this.o.api.createNode(withAppliedAnnotation(desired), signal);
      this.o.logger.info(
        { node: this.o.nodeName, uid: this.node.metadata?.uid },
        'node registered',
      );
    } else {
      this.node = await this.o.api.patchNode(
        this.o.nodeName,
        metadataPatch(existing, desired),
        signal,
      );
      this.o.logger.info({ node: this.o.nodeName, uid: this.node.metadata?.uid }, 'node updated');
    }
    this.node = await this.o.api.patchNodeStatus(
      this.o.nodeName,
      statusPatch(desired, this.node, this.stamp()),
      signal,
    );
  }

  private async pingLoop(signal: AbortSignal): Promise<void> {
    const interval = this.o.pingIntervalMs ?? 10_000;
    while (!signal.aborted) {
      const before = this.ping.lastResult.ok;
      const result = await this.ping.check(signal);
      if (result.ok !== before) this.markStatusChanged();
      await sleep(interval, signal);
    }
  }

  private async statusLoop(signal: AbortSignal): Promise<void> {
    const interval = this.o.statusIntervalMs ?? 5 * 60_000;
    let lastWrite = Date.now();
    while (!signal.aborted) {
      const wait = Math.max(0, lastWrite + interval - Date.now());
      if (!this.statusDirty) {
        await new Promise<void>(resolve => {
          const done = (): void => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            this.wakeStatus = () => undefined;
            resolve();
          };
          const timer = setTimeout(done, wait);
          this.wakeStatus = done;
          signal.addEventListener('abort', done, { once: true });
        });
      }
      if (aborted(signal)) return;
      this.statusDirty = false;
      // Without a healthy provider we neither heartbeat nor claim readiness: the lease lapses.
      const healthy = this.ping.lastResult.ok;
      try {
        this.node = await this.o.api.patchNodeStatus(
          this.o.nodeName,
          statusPatch(this.desired(), this.node, this.stamp()),
          signal,
        );
        lastWrite = Date.now();
        if (!healthy) this.o.logger.warn({}, 'node marked NotReady: provider unhealthy');
      } catch (err) {
        if (aborted(signal)) return;
        if (isNotFound(err) && this.o.reRegister !== false) {
          this.o.logger.warn({ node: this.o.nodeName }, 'node was deleted: registering it again');
          await this.registerUntilDone(signal);
          lastWrite = Date.now();
        } else {
          this.o.logger.warn({ err: describeError(err) }, 'node status update failed');
          this.statusDirty = true;
          await sleep(1000, signal);
        }
      }
    }
  }

  private async shutdown(): Promise<void> {
    const mode = this.o.onShutdown ?? 'none';
    if (mode === 'none' || !this.node) return;
    const signal = AbortSignal.timeout(5000);
    try {
      if (mode === 'delete') {
        await this.o.api.deleteNode(this.o.nodeName, signal);
        this.o.logger.info({ node: this.o.nodeName }, 'node deleted on shutdown');
      } else {
        const taints = [
          ...(this.node.spec?.taints ?? []).filter(t => t.key !== SHUTDOWN_TAINT.key),
          SHUTDOWN_TAINT,
        ];
        await this.o.api.patchNode(this.o.nodeName, { spec: { taints } }, signal);
        this.o.logger.info({ node: this.o.nodeName }, 'node tainted on shutdown');
      }
    } catch (err) {
      this.o.logger.warn({ err: describeError(err) }, `could not ${mode} the node on shutdown`);
    }
  }
}
