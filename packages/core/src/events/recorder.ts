/**
 * Kubernetes Events for pods and the node, recorded the way the kubelet's recorder does: an
 * event seen again (same object, type, reason, message) updates the existing Event's count and
 * lastTimestamp instead of creating another, and a per-object token bucket keeps a crash-looping
 * pod from flooding the API. Recording never blocks the caller; writes go out in the background
 * and their failures are logged, never thrown.
 *
 * Writes go out a few at a time, in order (the kubelet's broadcaster writes from one goroutine),
 * and, when the node asks (`deferWhile`), wait while it has pods waiting for a sync or a status
 * write: a burst of pod starts then writes its Events after the statuses users wait for, instead
 * of putting thousands of Event POSTs in front of them at the API server.
 */
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.d.ts';
import { describeError } from '../errors/errors.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { rfc3339 } from '../util/time.ts';

export type EventType = 'Normal' | 'Warning';

/** Where events are written; the bootstrap implements it over the API client. */
export interface EventSink {
  create(namespace: string, event: Event, signal: AbortSignal): Promise<Event>;
  /** Merge-patches count, lastTimestamp and message of an existing Event. */
  patch(namespace: string, name: string, patch: Partial<Event>, signal: AbortSignal): Promise<void>;
}

export interface EventRecorderOptions {
  readonly sink: EventSink;
  /** `source.component` and `reportingComponent`, e.g. `virtual-kubelet`. */
  readonly component: string;
  /** `source.host` and `reportingInstance`: the node name. */
  readonly host: string;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Per-object budget: `burst` events, refilled at one per `refillMs` (kubelet: 25, 5 min). */
  readonly burst?: number;
  readonly refillMs?: number;
  /** How long an Event stays the one that repeats update (kubelet: 10 min). */
  readonly aggregateWindowMs?: number;
  /**
   * Writes queued or in flight; an event recorded beyond this is dropped, with a warning (a
   * queued write holds its Event object until it is written). @default 10000
   */
  readonly maxPending?: number;
  /** Writes in flight at once; the rest wait their turn in order. @default 2 */
  readonly maxInFlight?: number;
  /**
   * While this says true, queued writes wait (looked at again every 50 ms): the node passes "pods
   * are waiting for a sync or a status write", so a burst's Events go out after its statuses.
   */
  readonly deferWhile?: () => boolean;
  /** The longest a write waits for `deferWhile`; past it, it goes anyway. @default 30000 */
  readonly maxDeferMs?: number;
  /**
   * Event keys and objects remembered, each least recently used first out (client-go's
   * correlator: 4096). Beyond it a repeat creates a new Event instead of counting up, and an
   * object's budget starts full again. @default 4096
   */
  readonly cacheSize?: number;
}

interface Aggregate {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastSeen: number;
  /** Resolves with the created Event's name once it exists. */
  created: Promise<string | undefined>;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class EventRecorder {
  private readonly options: EventRecorderOptions;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly aggregates = new Map<string, Aggregate>();
  private readonly buckets = new Map<string, Bucket>();
  /** Every write not settled yet, queued or in flight. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Writes waiting for a slot, oldest first. */
  private readonly waiting: { readonly since: number; readonly start: () => void }[] = [];
  private writing = 0;
  /** The next look at `deferWhile`, while writes wait on it. */
  private recheck: ReturnType<typeof setTimeout> | undefined;
  private readonly controller = new AbortController();
  private dropped = 0;

  constructor(options: EventRecorderOptions) {
    this.options = options;
    this.logger = (options.logger ?? silentLogger).child({ component: 'event-recorder' });
    this.now = options.now ?? (() => new Date());
  }

  /** Events dropped by the spam filter or the pending limit, or left unwritten at close. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** Records an event about `object` (a Pod or Node reference). Never throws, never waits. */
  record(object: ObjectReference, type: EventType, reason: string, message: string): void {
    if (this.controller.signal.aborted) return;
    const objectKey =
      object.uid ?? `${object.kind ?? ''}/${object.namespace ?? ''}/${object.name ?? ''}`;
    if (!this.takeToken(objectKey)) {
      this.dropped += 1;
      this.logger.debug({ reason, object: object.name }, 'event dropped by the spam filter');
      return;
    }
    if (this.inFlight.size >= (this.options.maxPending ?? 10_000)) {
      this.dropped += 1;
      this.logger.warn({ reason, object: object.name }, 'event dropped: too many pending writes');
      return;
    }
    const now = this.now();
    const key = JSON.stringify([objectKey, type, reason, message]);
    const existing = this.aggregates.get(key);
    const windowMs = this.options.aggregateWindowMs ?? 10 * 60_000;
    if (existing && now.getTime() - existing.lastSeen < windowMs) {
      this.touch(this.aggregates, key, existing);
      existing.count += 1;
      existing.lastSeen = now.getTime();
      const count = existing.count;
      this.track(
        existing.created.then(async name => {
          if (name === undefined) return;
          await this.inTurn(() =>
            this.options.sink.patch(
              existing.namespace,
              name,
              { count, lastTimestamp: rfc3339(now) },
              this.controller.signal,
            ),
          );
        }),
        reason,
      );
      return;
    }
    const namespace = object.namespace && object.namespace !== '' ? object.namespace : 'default';
    const stamp = rfc3339(now);
    // The kubelet's naming: object name plus a unique, time-ordered suffix.
    const name = `${object.name ?? 'unknown'}.${(now.getTime() * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: object,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      source: { component: this.options.component, host: this.options.host },
      reportingComponent: this.options.component,
      reportingInstance: this.options.host,
    };
    const created = this.inTurn(() =>
      this.options.sink.create(namespace, event, this.controller.signal),
    ).then(
      e => (e === undefined ? undefined : (e.metadata.name ?? name)),
      (err: unknown) => {
        this.aggregates.delete(key);
        throw err;
      },
    );
    this.touch(this.aggregates, key, {
      name,
      namespace,
      count: 1,
      firstTimestamp: stamp,
      lastSeen: now.getTime(),
      created: created.catch(() => undefined),
    });
    this.track(created, reason);
  }

  /** Waits for pending writes (tests, graceful shutdown). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops recording; pending writes are given `graceMs` to finish, then aborted. */
  async close(graceMs = 2000): Promise<void> {
    const timer = setTimeout(() => {
      this.controller.abort();
    }, graceMs);
    const droppedBefore = this.dropped;
    await this.flush();
    clearTimeout(timer);
    this.controller.abort();
    clearTimeout(this.recheck);
    const unwritten = this.dropped - droppedBefore;
    if (unwritten > 0)
      this.logger.warn({ events: unwritten }, 'events not written: the recorder closed first');
  }

  /**
   * Runs `write` once fewer than `maxInFlight` writes are out, in the order asked. A write whose
   * turn comes after the recorder closed is not made (undefined), and counts as dropped.
   */
  private inTurn<T>(write: () => Promise<T>): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      const start = (): void => {
        if (this.controller.signal.aborted) {
          this.dropped += 1;
          resolve(undefined);
          return;
        }
        this.writing += 1;
        write()
          .then(resolve, reject)
          .finally(() => {
            this.writing -= 1;
            this.pump();
          });
      };
      this.waiting.push({ since: this.now().getTime(), start });
      this.pump();
    });
  }

  /** Starts waiting writes while slots are free (a loop: after close they all end at once). */
  private pump(): void {
    const slots = this.options.maxInFlight ?? 2;
    while (this.writing < slots) {
      const next = this.waiting[0];
      if (next === undefined) return;
      if (this.deferred(next.since)) {
        this.recheck ??= setTimeout(() => {
          this.recheck = undefined;
          this.pump();
        }, 50);
        return;
      }
      this.waiting.shift();
      next.start();
    }
  }

  /** Whether the oldest write, waiting since `since`, should wait on for `deferWhile`. */
  private deferred(since: number): boolean {
    const busy = this.options.deferWhile;
    if (busy === undefined || this.controller.signal.aborted) return false;
    return this.now().getTime() - since < (this.options.maxDeferMs ?? 30_000) && busy();
  }

  private track(write: Promise<unknown>, reason: string): void {
    const tracked = write.then(
      () => undefined,
      (err: unknown) => {
        this.logger.warn({ reason, err: describeError(err) }, 'could not write event');
      },
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private takeToken(key: string): boolean {
    const burst = this.options.burst ?? 25;
    const refillMs = this.options.refillMs ?? 5 * 60_000;
    const now = this.now().getTime();
    const bucket = this.buckets.get(key) ?? { tokens: burst, updated: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) / refillMs);
    bucket.updated = now;
    this.touch(this.buckets, key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Sets `key` as the most recently used entry, and lets the least recently used go past the cap. */
  private touch<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    const cap = this.options.cacheSize ?? 4096;
    for (const oldest of map.keys()) {
      if (map.size <= cap) break;
      map.delete(oldest);
    }
  }

  /** Objects and event keys tracked by the spam filter and the aggregator (at most 2 × cacheSize). */
  get trackedCount(): number {
    return this.aggregates.size + this.buckets.size;
  }
}
