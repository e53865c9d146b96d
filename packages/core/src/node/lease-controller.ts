/**
 * Renews `kube-node-lease/<node>` on its own timer and its own API lane, so pod work can never
 * delay it. Renewal is gated by the provider ping: an unhealthy backend lets the lease lapse and
 * the node turns NotReady, as with a real kubelet.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import { describeError, isConflict, isNotFound } from '../errors/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { aborted, sleep } from '../util/abort.ts';
import { microTime } from '../util/time.ts';
import type { NodeApi } from './node-api.ts';

export const LEASE_NAMESPACE = 'kube-node-lease';

export interface LeaseControllerOptions {
  readonly api: NodeApi;
  readonly nodeName: string;
  readonly leaseDurationSeconds: number;
  readonly renewIntervalMs: number;
  readonly logger: Logger;
  /** The Node's UID for the lease's ownerReference (changes if the Node is re-registered). */
  readonly nodeUid: () => string | undefined;
  /** Whether the provider is healthy enough to renew. */
  readonly healthy: () => boolean;
  readonly now?: () => Date;
  /** Observes each renewal's lateness against its schedule (metrics). */
  readonly onRenew?: (lateMs: number) => void;
  /** The lease vanished (garbage-collected with a deleted Node): the Node is worth checking. */
  readonly onLeaseMissing?: () => void;
}

export class LeaseController {
  private readonly o: LeaseControllerOptions;
  private readonly now: () => Date;
  private current: Lease | undefined;

  constructor(options: LeaseControllerOptions) {
    this.o = options;
    this.now = options.now ?? (() => new Date());
  }

  /** Renews until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let due = Date.now();
    while (!signal.aborted) {
      const late = Date.now() - due;
      if (this.o.healthy()) {
        try {
          await this.renew(signal);
          this.o.onRenew?.(Math.max(0, late));
        } catch (err) {
          if (aborted(signal)) break;
          this.o.logger.warn({ err: describeError(err) }, 'lease renewal failed');
        }
      }
      due += this.o.renewIntervalMs;
      // If we fell far behind, renew now rather than firing a burst of catch-up renewals.
      if (due < Date.now()) due = Date.now();
      await sleep(due - Date.now(), signal);
    }
  }

  /** One renewal: update the known lease, re-reading on conflict and creating it when missing. */
  async renew(signal: AbortSignal): Promise<Lease> {
    for (let attempt = 0; attempt < 3; attempt++) {
      this.current ??= await this.o.api.getLease(LEASE_NAMESPACE, this.o.nodeName, signal);
      if (!this.current) {
        this.o.onLeaseMissing?.();
        try {
          this.current = await this.o.api.createLease(this.desired(undefined), signal);
          return this.current;
        } catch (err) {
          if (isConflict(err) || (err as { kind?: string }).kind === 'AlreadyExists') continue;
          throw err;
        }
      }
      try {
        this.current = await this.o.api.updateLease(this.desired(this.current), signal);
        return this.current;
      } catch (err) {
        this.current = undefined;
        if (isConflict(err) || isNotFound(err)) continue;
        throw err;
      }
    }
    throw new Error(
      `lease ${LEASE_NAMESPACE}/${this.o.nodeName}: still conflicting after 3 attempts`,
    );
  }

  private desired(existing: Lease | undefined): Lease {
    const uid = this.o.nodeUid();
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...(existing?.metadata ?? {}),
        name: this.o.nodeName,
        namespace: LEASE_NAMESPACE,
        ...(uid !== undefined
          ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid }] }
          : {}),
      },
      spec: {
        ...(existing?.spec ?? {}),
        holderIdentity: this.o.nodeName,
        leaseDurationSeconds: this.o.leaseDurationSeconds,
        renewTime: microTime(this.now()),
      },
    };
  }
}
