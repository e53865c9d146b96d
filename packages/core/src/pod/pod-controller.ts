/**
 * Keeps the provider in step with the API pods bound to this node, and the API in step with what
 * the provider reports. Three keyed queues: sync (API → provider: create, update, delete),
 * status (provider → API: pods/status patches with only what changed), and the final API delete
 * once the provider confirmed a deletion. Starts only after the pod cache has synced, with a
 * reconciliation that removes provider pods nobody asked for and creates nothing twice.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.d.ts';
import {
  describeError,
  IllegalStateError,
  isConflict,
  isInvalidInput,
  isNotFound,
  isThrottled,
  isUnsupported,
  retryAfterMs,
} from '../errors/errors.ts';
import type { Logger } from '../observability/logger.ts';
import {
  hasPodAdopter,
  hasPodNotifier,
  type PodContext,
  type Provider,
} from '../provider/contract.ts';
import { WorkQueue, type QueueMetricsEvent } from '../queue/work-queue.ts';
import type { PodApi, PodEventSink } from './pod-api.ts';
import {
  isTerminal,
  keyOf,
  needsSync,
  nothingRunning,
  podKey,
  specFingerprint,
  statusPatchFor,
  uidOf,
} from './pod-compare.ts';
import { aborted, sleep } from '../util/abort.ts';
import { deepFreeze } from '../util/deep-freeze.ts';
import { reportedPart } from './reported-part.ts';
import { rfc3339 } from '../util/time.ts';
import { callProvider, type CallObserver } from './provider-call.ts';

/** What the resolver produced for a pod: the pod to hand over and its volume contents. */
export interface ResolvedForProvider {
  readonly pod: Pod;
  readonly volumes: PodContext['volumes'];
  readonly deferredEnv: PodContext['deferredEnv'];
  /** When the volume contents go stale (a service-account token nears expiry). */
  readonly refreshAt?: Date;
}

export type PodResolver = (pod: Pod, signal: AbortSignal) => Promise<ResolvedForProvider>;

/** The default when no resolver is configured: the pod as is, no volume contents. */
export const passThroughResolver: PodResolver = pod =>
  Promise.resolve({ pod, volumes: new Map(), deferredEnv: [] });

export interface PodControllerOptions {
  readonly nodeName: string;
  readonly provider: Provider;
  readonly api: PodApi;
  readonly events: PodEventSink;
  readonly logger: Logger;
  /** The informer cache: this node's API pods. */
  readonly lookup: (namespace: string, name: string) => Pod | undefined;
  readonly listApiPods: () => Pod[];
  readonly resolve?: PodResolver;
  /** Concurrent sync workers (upstream `--pod-sync-workers`, default 10). */
  readonly podSyncWorkers?: number;
  readonly statusWorkers?: number;
  /** Failed creates/updates before the pod is marked Failed (default 10). */
  readonly maxCreateAttempts?: number;
  readonly providerCallTimeoutMs?: number;
  /** Status polling period for providers that cannot push (default 5 s). */
  readonly pollIntervalMs?: number;
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /**
   * Pods adopted at startup had their service-account tokens issued by the previous process,
   * whose refresh schedule is lost: they are refreshed at random times within this window, so a
   * restart with thousands of pods neither lets tokens expire nor bursts TokenRequests.
   * @default 5 minutes
   */
  readonly adoptedTokenRefreshWindowMs?: number;
  readonly onQueueMetrics?: (event: QueueMetricsEvent) => void;
  readonly onProviderCall?: CallObserver;
  readonly now?: () => Date;
}

interface Applied {
  readonly uid: string;
  readonly fingerprint: string;
  /** The latest API object of this incarnation (the informer's, not a copy of its own). */
  pod: Pod;
}

/** A pod's configuration cannot be resolved yet (a mandatory secret is missing): wait like the kubelet. */
const CONFIG_ERROR = 'CreateContainerConfigError';

export class PodController {
  private readonly o: PodControllerOptions;
  private readonly sync: WorkQueue;
  private readonly status: WorkQueue;
  /** Re-resolves volume contents before their tokens expire. */
  private readonly volumes: WorkQueue;
  /** What we created or updated in the provider, per key. */
  private readonly applied = new Map<string, Applied>();
  /** The last API pod seen per key, to delete from the provider after the API object is gone. */
  private readonly lastKnown = new Map<string, Pod>();
  /** The provider's latest view of each pod (pushed or polled), waiting to be written. */
  private readonly reported = new Map<string, Pod>();
  /** Keys whose pod the sync worker is deleting from the provider and then from the API. */
  private readonly finalizing = new Set<string>();
  /** Pods (by key, with their UID) whose final DELETE was sent: no status is written for them. */
  private readonly finalDeleted = new Map<string, string>();
  /** Creates the provider throttled per key: they retry at its pace and never count as failures. */
  private readonly throttles = new Map<string, number>();
  /**
   * While the provider throttles, creates and updates go one per `pace` ms (its Retry-After
   * hint, which for a token bucket is the time to its next token), in slots from `nextSlot`.
   */
  private pace = 0;
  private nextSlot = 0;
  private lastThrottle = 0;
  /** Keys whose last sync failed on configuration (kept retrying; not counted as provider failures). */
  private readonly configErrors = new Set<string>();
  private readonly callTimeoutMs: number;
  private started = false;
  private resolveReady: () => void = () => undefined;
  /** Resolves after the startup reconciliation, when the controller is serving. */
  readonly ready: Promise<void>;

  constructor(options: PodControllerOptions) {
    this.o = options;
    this.callTimeoutMs = options.providerCallTimeoutMs ?? 120_000;
    const common = {
      logger: options.logger,
      baseDelayMs: options.retryBaseDelayMs ?? 200,
      maxDelayMs: options.retryMaxDelayMs ?? 60_000,
      ...(options.onQueueMetrics ? { onMetrics: options.onQueueMetrics } : {}),
    };
    this.sync = new WorkQueue({
      name: 'pod-sync',
      ...common,
      shouldRetry: (key, attempts, _first, err) => this.retryPolicy(key, attempts, err),
      onGiveUp: (key, err) => {
        void this.markFailed(key, err);
      },
    });
    this.status = new WorkQueue({ name: 'pod-status', ...common });
    this.volumes = new WorkQueue({ name: 'pod-volumes', ...common });
    this.ready = new Promise(resolve => {
      this.resolveReady = resolve;
    });
  }

  /** Pods waiting for a sync or a status write (not those a worker holds or that back off). */
  get backlog(): number {
    return this.sync.depth + this.status.depth;
  }

  // Informer hooks: cheap, synchronous, never throw.

  onAdd(pod: Pod): void {
    if (pod.spec?.nodeName !== this.o.nodeName) return;
    const key = keyOf(pod);
    this.lastKnown.set(key, pod);
    this.follow(key, pod);
    this.sync.add(key);
    // A status pushed before the pod reached the cache is written now (startup race).
    if (this.reported.has(key)) this.status.add(key);
  }

  onUpdate(old: Pod, next: Pod): void {
    if (next.spec?.nodeName !== this.o.nodeName) return;
    const key = keyOf(next);
    this.lastKnown.set(key, next);
    this.follow(key, next);
    // Status-only changes (ours included) never wake the sync worker; spec and deletion do.
    if (needsSync(old, next)) this.sync.add(key);
    // Someone else changed the status: re-check it against the provider's (upstream #899).
    if (this.reported.has(key)) this.status.add(key);
  }

  onDelete(pod: Pod): void {
    const key = keyOf(pod);
    this.lastKnown.set(key, pod);
    this.sync.add(key);
  }

  /** Keeps the applied record on the informer's object, so a pod is held once, not twice. */
  private follow(key: string, pod: Pod): void {
    const applied = this.applied.get(key);
    if (applied !== undefined && applied.uid === uidOf(pod)) applied.pod = pod;
  }

  /**
   * Runs until `signal` aborts. Waits for `synced` (the informer's first full list), reconciles,
   * then serves the queues.
   */
  async run(synced: Promise<void>, signal: AbortSignal): Promise<void> {
    if (this.started) throw new IllegalStateError('pod controller already started');
    this.started = true;
    await synced;
    if (signal.aborted) return;
    await this.reconcile(signal);
    const provider = this.o.provider;
    if (hasPodNotifier(provider)) {
      provider.notifyPods(pod => {
        this.report(pod);
      });
    }
    this.resolveReady();
    const loops: Promise<void>[] = [
      this.sync.run((key, s) => this.syncPod(key, s), this.o.podSyncWorkers ?? 10, signal),
      this.status.run((key, s) => this.writeStatus(key, s), this.o.statusWorkers ?? 4, signal),
      this.volumes.run((key, s) => this.refreshVolumes(key, s), 2, signal),
    ];
    if (!hasPodNotifier(provider)) loops.push(this.poll(signal));
    await Promise.all(loops);
  }

  /** The status the provider last reported for the pod with this key and UID, if any. */
  reportedStatus(key: string, uid: string | undefined): PodStatus | undefined {
    const reported = this.reported.get(key);
    return reported && uidOf(reported) === uid ? reported.status : undefined;
  }

  /** A provider's report of a pod (pushed, or from polling). */
  report(pod: Pod): void {
    const key = keyOf(pod);
    this.reported.set(key, reportedPart(pod));
    this.status.add(key);
  }

  private retryPolicy(
    key: string,
    attempts: number,
    err: unknown,
  ): { delayMs: number | undefined } {
    const pod = this.lookupKey(key);
    const base = this.o.retryBaseDelayMs ?? 200;
    const delay = Math.min(
      this.o.retryMaxDelayMs ?? 60_000,
      base * 2 ** Math.min(attempts - 1, 20),
    );
    // Deletions and configuration waits retry forever; provider create/update failures are capped.
    const deleting = pod === undefined || pod.metadata?.deletionTimestamp !== undefined;
    if (deleting || this.configErrors.has(key)) return { delayMs: delay };
    if (isInvalidInput(err) || isUnsupported(err)) return { delayMs: undefined };
    if (isThrottled(err)) {
      // A quota, not a failure: the pod takes its turn again at the provider's pace.
      this.throttles.set(key, (this.throttles.get(key) ?? 0) + 1);
      return { delayMs: 0 };
    }
    return attempts - (this.throttles.get(key) ?? 0) >= (this.o.maxCreateAttempts ?? 10)
      ? { delayMs: undefined }
      : { delayMs: delay };
  }

  private lookupKey(key: string): Pod | undefined {
    const slash = key.indexOf('/');
    return this.o.lookup(key.slice(0, slash), key.slice(slash + 1));
  }

  private call<T>(
    name: string,
    signal: AbortSignal,
    fn: (s: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return callProvider(name, this.callTimeoutMs, signal, fn, this.o.onProviderCall);
  }

  private async syncPod(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.lookupKey(key);
    const applied = this.applied.get(key);
    const log = this.o.logger.child({ pod: key });

    if (!pod) {
      // Gone from the API (force-deleted, or our own final delete): make sure the provider lets go.
      const last = applied?.pod ?? this.lastKnown.get(key);
      if (applied && last) await this.deleteInProvider(last, signal);
      this.forget(key);
      return;
    }
    if (applied && applied.uid !== uidOf(pod)) {
      // A pod re-created under the same name: the old incarnation goes first.
      await this.deleteInProvider(applied.pod, signal);
      this.applied.delete(key);
    }
    if (pod.metadata?.deletionTimestamp !== undefined) {
      // Finalizers keep the object after our DELETE: it was sent once, that is enough.
      if (this.finalDeleted.get(key) === uidOf(pod)) return;
      this.finalizing.add(key);
      try {
        await this.deleteInProvider(pod, signal, true);
        this.applied.delete(key);
        await this.finalDelete(pod, signal);
        this.finalDeleted.set(key, uidOf(pod) ?? '');
      } finally {
        this.finalizing.delete(key);
        // A status held back meanwhile is looked at again (writeStatus decides).
        if (this.reported.has(key) && this.lookupKey(key)) this.status.add(key);
      }
      return;
    }
    if (isTerminal(pod)) return;

    const fingerprint = specFingerprint(pod);
    const current = this.applied.get(key);
    if (current?.fingerprint === fingerprint) return;

    let resolved: ResolvedForProvider;
    try {
      resolved = await (this.o.resolve ?? passThroughResolver)(pod, signal);
      if (this.configErrors.delete(key)) this.sync.forget(key);
    } catch (err) {
      if (isNotFound(err)) {
        this.configErrors.add(key);
        await this.setWaiting(pod, CONFIG_ERROR, describeError(err), signal);
      }
      throw err;
    }
    // Frozen, so a provider may keep the pod as it is instead of copying it (it shares most of
    // its objects with the informer's, which nothing changes in place).
    deepFreeze(resolved.pod);
    const context: PodContext = {
      signal,
      volumes: resolved.volumes,
      deferredEnv: resolved.deferredEnv,
    };
    const verb = current ? 'Update' : 'Create';
    if (!(await this.providerQuota(pod, key, signal))) return;
    try {
      if (current) {
        await this.call('updatePod', signal, s =>
          this.o.provider.updatePod(resolved.pod, { ...context, signal: s }),
        );
      } else {
        await this.call('createPod', signal, s =>
          this.o.provider.createPod(resolved.pod, { ...context, signal: s }),
        );
      }
    } catch (err) {
      if (isThrottled(err)) {
        await this.throttled(pod, err, signal);
        throw err;
      }
      const message = describeError(err);
      log.warn({ err: message }, `provider ${verb.toLowerCase()} failed`);
      this.o.events.record(pod, 'Warning', `Provider${verb}Failed`, message);
      if (isInvalidInput(err) || isUnsupported(err)) {
        await this.failPod(pod, message, signal);
        return;
      }
      await this.setProviderFailed(pod, message, signal);
      throw err;
    }
    this.applied.set(key, { uid: uidOf(pod) ?? '', fingerprint, pod });
    this.throttles.delete(key);
    this.scheduleRefresh(key, resolved.refreshAt);
    this.o.events.record(
      pod,
      'Normal',
      `Provider${verb}Success`,
      `${verb} pod in provider successfully`,
    );
    log.debug({}, `provider ${verb.toLowerCase()}d the pod`);
  }

  private scheduleRefresh(key: string, at: Date | undefined): void {
    if (at === undefined) return;
    this.volumes.addAfter(key, Math.max(0, at.getTime() - Date.now()));
  }

  /**
   * Fresh tokens (and secret/configMap contents) for a running pod, handed to providers that can
   * update volumes in place, as the kubelet rewrites projected token files before they expire.
   */
  private async refreshVolumes(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.lookupKey(key);
    const applied = this.applied.get(key);
    if (
      !pod ||
      !applied ||
      applied.uid !== uidOf(pod) ||
      pod.metadata?.deletionTimestamp !== undefined ||
      isTerminal(pod)
    )
      return;
    const provider = this.o.provider;
    const resolved = await (this.o.resolve ?? passThroughResolver)(pod, signal);
    if (provider.updatePodVolumes) {
      const update = provider.updatePodVolumes.bind(provider);
      await this.call('updatePodVolumes', signal, s => update(resolved.pod, resolved.volumes, s));
    } else {
      this.o.logger.debug(
        { pod: key },
        'provider cannot update volumes in place: token files are not refreshed',
      );
    }
    this.scheduleRefresh(key, resolved.refreshAt);
  }

  private async deleteInProvider(pod: Pod, signal: AbortSignal, withEvents = false): Promise<void> {
    try {
      await this.call('deletePod', signal, s => this.o.provider.deletePod(pod, s));
    } catch (err) {
      if (!isNotFound(err)) {
        if (withEvents)
          this.o.events.record(pod, 'Warning', 'ProviderDeleteFailed', describeError(err));
        throw err;
      }
    }
    if (withEvents)
      this.o.events.record(
        pod,
        'Normal',
        'ProviderDeleteSuccess',
        'Delete pod in provider successfully',
      );
  }

  /** Removes the API object once the provider has let go; a re-created pod (other UID) is safe. */
  private async finalDelete(pod: Pod, signal: AbortSignal): Promise<void> {
    try {
      await this.o.api.deletePod(
        pod.metadata?.namespace ?? '',
        pod.metadata?.name ?? '',
        { gracePeriodSeconds: 0, uid: uidOf(pod) ?? '' },
        signal,
      );
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private forget(key: string): void {
    this.applied.delete(key);
    this.finalDeleted.delete(key);
    this.throttles.delete(key);
    this.lastKnown.delete(key);
    this.reported.delete(key);
    this.configErrors.delete(key);
    this.sync.forget(key);
    this.status.forget(key);
    this.volumes.forget(key);
  }

  private async writeStatus(key: string, signal: AbortSignal): Promise<void> {
    const reported = this.reported.get(key);
    const pod = this.lookupKey(key);
    if (!reported || !pod) return;
    if (uidOf(reported) !== undefined && uidOf(reported) !== uidOf(pod)) return;
    // A finished pod's status is final.
    if (isTerminal(pod) || !reported.status) return;
    // A pod whose final DELETE is under way or sent is going: its last status would be written
    // for nobody. With finalizers it stays around, so controllers still get the final status.
    const going = this.finalizing.has(key) || this.finalDeleted.get(key) === uidOf(pod);
    if (going && (pod.metadata?.finalizers ?? []).length === 0) return;
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const patch = statusPatchFor(pod.status, reported.status);
    if (patch) {
      try {
        await this.o.api.patchPodStatus(ns, name, { status: patch }, signal);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    const extra = Object.entries(reported.metadata?.annotations ?? {}).filter(
      ([k, v]) => pod.metadata?.annotations?.[k] !== v,
    );
    if (extra.length > 0) {
      await this.o.api.patchPodMetadata(
        ns,
        name,
        { metadata: { annotations: Object.fromEntries(extra) } },
        signal,
      );
    }
    // The provider deleted the pod on its side: delete it in the API with its grace period.
    if (
      reported.metadata?.deletionTimestamp !== undefined &&
      pod.metadata?.deletionTimestamp === undefined
    ) {
      await this.o.api.deletePod(
        ns,
        name,
        {
          gracePeriodSeconds: reported.metadata.deletionGracePeriodSeconds ?? 0,
          uid: uidOf(pod) ?? '',
        },
        signal,
      );
    }
    // A deleting pod whose containers have all stopped goes from the API at once.
    if (
      pod.metadata?.deletionTimestamp !== undefined &&
      (isTerminal(reported) || nothingRunning(reported.status))
    ) {
      this.sync.add(key);
    }
  }

  private async patchStatus(pod: Pod, status: PodStatus, signal: AbortSignal): Promise<void> {
    const patch = statusPatchFor(pod.status, status);
    if (!patch) return;
    try {
      await this.o.api.patchPodStatus(
        pod.metadata?.namespace ?? '',
        pod.metadata?.name ?? '',
        { status: patch },
        signal,
      );
    } catch (err) {
      if (!isNotFound(err))
        this.o.logger.warn(
          { pod: keyOf(pod), err: describeError(err) },
          'could not write pod status',
        );
    }
  }

  /** The kubelet's way of showing a pod that waits: Pending, containers waiting with a reason. */
  private setWaiting(
    pod: Pod,
    reason: string,
    message: string,
    signal: AbortSignal,
  ): Promise<void> {
    const containerStatuses = (pod.spec?.containers ?? []).map(c => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      restartCount: 0,
      started: false,
      state: { waiting: { reason, message } },
    }));
    return this.patchStatus(pod, { phase: 'Pending', containerStatuses }, signal);
  }

  /**
   * While the provider throttles, takes the next slot at its pace (waiting for it when it is
   * near) or, when the slot is far, queues the pod again for then and answers false, so no
   * worker is held for long and deletions still get through.
   */
  private async providerQuota(pod: Pod, key: string, signal: AbortSignal): Promise<boolean> {
    const now = Date.now();
    if (this.pace === 0) return true;
    // Quiet for a while: the provider has room again.
    if (now - this.lastThrottle > Math.max(10_000, 20 * this.pace)) {
      this.pace = 0;
      return true;
    }
    const slot = Math.max(now, this.nextSlot);
    if (slot - now > 2000) {
      this.sync.addAfter(key, slot - now);
      await this.showThrottled(pod, signal);
      return false;
    }
    this.nextSlot = slot + this.pace;
    if (slot > now) await sleep(slot - now, signal);
    return !signal.aborted;
  }

  /** The provider is out of quota: creates slow to its pace; the pod says why it is Pending. */
  private async throttled(pod: Pod, err: unknown, signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const hint = retryAfterMs(err);
    // A refusal just before a token is due hints a few ms: the pace never shrinks on a
    // refusal, so it settles on the refill interval. Without hints it doubles from 100 ms to 5 s.
    const next = hint ?? (this.pace === 0 ? 100 : Math.min(5000, this.pace * 2));
    this.pace = Math.min(300_000, Math.max(10, this.pace, next));
    this.lastThrottle = now;
    this.nextSlot = Math.max(this.nextSlot, now + (hint ?? this.pace));
    await this.showThrottled(pod, signal);
  }

  /** One stable reason and message, so a waiting pod is written once, not at every turn. */
  private async showThrottled(pod: Pod, signal: AbortSignal): Promise<void> {
    await this.patchStatus(
      pod,
      {
        phase: 'Pending',
        reason: 'ProviderThrottled',
        message: 'the provider is at its create quota; the pod is created when it has room',
      },
      signal,
    );
  }

  private setProviderFailed(pod: Pod, message: string, signal: AbortSignal): Promise<void> {
    return this.patchStatus(pod, { phase: 'Pending', reason: 'ProviderFailed', message }, signal);
  }

  private failPod(pod: Pod, message: string, signal: AbortSignal): Promise<void> {
    const now = rfc3339(this.o.now?.() ?? new Date());
    return this.patchStatus(
      pod,
      {
        phase: 'Failed',
        reason: 'ProviderFailed',
        message,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'ProviderFailed',
            message,
            lastTransitionTime: now,
          },
        ],
      },
      signal,
    );
  }

  /** After the last allowed attempt: the pod ends Failed with the provider's reason, not Pending forever. */
  private async markFailed(key: string, err: unknown): Promise<void> {
    const pod = this.lookupKey(key);
    if (!pod || isTerminal(pod)) return;
    const message = `gave up after ${this.o.maxCreateAttempts ?? 10} attempts: ${describeError(err)}`;
    this.o.events.record(pod, 'Warning', 'ProviderCreateFailed', message);
    await this.failPod(pod, message, AbortSignal.timeout(10_000));
  }

  /** Startup: provider pods with no API pod are deleted; API pods are queued; nothing is created twice. */
  private async reconcile(signal: AbortSignal): Promise<void> {
    const log = this.o.logger.child({ component: 'reconcile' });
    const apiPods = new Map(
      this.o
        .listApiPods()
        .filter(p => p.spec?.nodeName === this.o.nodeName)
        .map(p => [keyOf(p), p]),
    );
    let providerPods: Pod[] = [];
    try {
      providerPods = await this.call('getPods', signal, s => this.o.provider.getPods(s));
    } catch (err) {
      log.warn(
        { err: describeError(err) },
        'could not list provider pods: startup reconciliation skipped',
      );
    }
    const orphans: Pod[] = [];
    const adopted: Pod[] = [];
    for (const p of providerPods) {
      const key = keyOf(p);
      const api = apiPods.get(key);
      if (!api || uidOf(api) !== uidOf(p)) {
        orphans.push(p);
      } else if (api.metadata?.deletionTimestamp === undefined) {
        // Already running in the provider: adopt it; a spec changed meanwhile still gets an update.
        const sameImages =
          JSON.stringify((p.spec?.containers ?? []).map(c => c.image)) ===
          JSON.stringify((api.spec?.containers ?? []).map(c => c.image));
        this.applied.set(key, {
          uid: uidOf(api) ?? '',
          fingerprint: sameImages ? specFingerprint(api) : '',
          pod: api,
        });
        if (sameImages) adopted.push(api);
        // Its status may have moved while we were down, and a pushing provider does not push it
        // again: compare it once now (no write when the API already has it).
        if (p.status !== undefined) this.report({ ...api, status: p.status });
        if (hasTokenVolume(api)) {
          const windowMs = this.o.adoptedTokenRefreshWindowMs ?? 5 * 60_000;
          this.volumes.addAfter(key, Math.round(Math.random() * windowMs));
        }
      } else {
        this.applied.set(key, { uid: uidOf(api) ?? '', fingerprint: '', pod: api });
      }
    }
    this.handOver(adopted, log);
    log.info(
      { providerPods: providerPods.length, apiPods: apiPods.size, orphans: orphans.length },
      'startup reconciliation',
    );
    let done = 0;
    const next = (): Pod | undefined => orphans.pop();
    await Promise.all(
      Array.from({ length: Math.min(10, orphans.length) }, async () => {
        for (let p = next(); p; p = next()) {
          try {
            await this.deleteInProvider(p, signal);
          } catch (err) {
            log.warn(
              { pod: keyOf(p), err: describeError(err) },
              'could not delete orphaned provider pod',
            );
          }
          done += 1;
          if (done % 100 === 0) log.info({ deleted: done }, 'deleting orphaned provider pods');
        }
      }),
    );
    for (const key of apiPods.keys()) this.sync.add(key);
  }

  /** Lets a provider that rebuilt its pods from the backend keep the core's objects instead. */
  private handOver(adopted: readonly Pod[], log: Logger): void {
    const provider = this.o.provider;
    if (adopted.length === 0 || !hasPodAdopter(provider)) return;
    // Frozen, as createPod's: the provider keeps them as they are.
    for (const pod of adopted) deepFreeze(pod);
    try {
      provider.adoptPods(adopted);
    } catch (err) {
      // Only memory is at stake: the provider keeps its own copies.
      log.warn({ err: describeError(err) }, 'provider could not adopt the running pods');
    }
  }

  /** Status for providers that cannot push: poll each pod the provider runs. */
  private async poll(signal: AbortSignal): Promise<void> {
    const interval = this.o.pollIntervalMs ?? 5000;
    while (!signal.aborted) {
      await sleep(interval, signal);
      if (aborted(signal)) return;
      for (const [key, applied] of [...this.applied]) {
        const pod = this.lookupKey(key);
        if (!pod || isTerminal(pod)) continue;
        const ns = pod.metadata?.namespace ?? '';
        const name = pod.metadata?.name ?? '';
        try {
          const status = await this.call('getPodStatus', signal, s =>
            this.o.provider.getPodStatus(ns, name, s),
          );
          if (status) {
            this.report({ ...pod, status });
          } else if (pod.status?.phase === 'Running' || this.olderThan(pod, 60_000)) {
            this.report({ ...pod, status: this.lostStatus(pod) });
          }
        } catch (err) {
          this.o.logger.debug(
            { pod: key, uid: applied.uid, err: describeError(err) },
            'status poll failed',
          );
        }
      }
    }
  }

  private olderThan(pod: Pod, ms: number): boolean {
    const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
    return Number.isFinite(created) && Date.now() - created > ms;
  }

  /** What a pod the backend lost looks like: Failed, every container terminated with 137. */
  private lostStatus(pod: Pod): PodStatus {
    const now = rfc3339(new Date());
    return {
      ...pod.status,
      phase: 'Failed',
      reason: 'NotFound',
      message: 'The pod status was not found and may have been deleted from the provider',
      containerStatuses: (pod.spec?.containers ?? []).map(c => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: {
          terminated: {
            exitCode: 137,
            reason: 'NotFound',
            message: 'Container was not found and was likely deleted',
            finishedAt: now,
            startedAt: now,
          },
        },
      })),
    };
  }
}

export { podKey };

/** Whether the pod mounts a projected service-account token (which must be refreshed). */
function hasTokenVolume(pod: Pod): boolean {
  return (pod.spec?.volumes ?? []).some(v =>
    (v.projected?.sources ?? []).some(source => source.serviceAccountToken !== undefined),
  );
}
