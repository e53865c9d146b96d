/**
 * A list-watch cache of one collection (our replacement for client-node's informer).
 *
 * It lists the collection in pages, then watches from the list's resourceVersion with bookmarks,
 * resuming from the last version it saw whenever a stream ends, breaks or goes quiet for longer
 * than `inactivityTimeoutMs`. When the server says that version is gone (410, as an HTTP answer
 * or an ERROR event), it lists again and diffs the new list against the cache, so objects that
 * changed or vanished during the gap still reach the handlers, once. It never gives up: every
 * failure waits (Retry-After for 429, jittered backoff otherwise) and tries again until `run`'s
 * signal aborts.
 *
 * Handlers are called in event order, one at a time, and must not block: a returned promise is
 * not awaited (its rejection is logged). An exception in one call is logged and the loop goes on.
 * Handlers and cache readers get the cached objects themselves: never mutate them.
 */
import {
  describeError,
  IllegalStateError,
  InvalidInputError,
  isGone,
  isThrottled,
  retryAfterMs,
  TransientError,
} from '../errors/errors.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { errorFromStatus } from './api-errors.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { systemNow, systemSleep, type Now, type Sleep } from './clock.ts';
import type { KubeClient } from './kube-client.ts';
import { listPages } from './list-pager.ts';
import {
  ObjectCache,
  objectKey,
  type ReadonlyObjectCache,
  type Transition,
} from './object-cache.ts';
import { resourceLabel, type ResourceRef } from './resource-ref.ts';
import type { KubeObject, WatchEvent } from './types.ts';
import { sharedTurnSlice } from '../util/turn-slice.ts';

export interface ReflectorHandlers<T> {
  onAdd?(object: T): void | Promise<void>;
  onUpdate?(old: T, object: T): void | Promise<void>;
  onDelete?(object: T): void | Promise<void>;
}

export interface ReflectorOptions<T> {
  readonly client: KubeClient;
  /** The collection: a resource, optionally a namespace; no name. */
  readonly ref: ResourceRef;
  readonly handlers: ReflectorHandlers<T>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Items per list page. @default 500 */
  readonly pageSize?: number;
  /** No event or bookmark for this long: restart the watch from the last version. @default 180000 */
  readonly inactivityTimeoutMs?: number;
  /** Server-side end of each watch. @default random between 300 and 600 (as client-go) */
  readonly watchTimeoutSeconds?: number;
  /** Waits between failed attempts. @default 800 ms doubling to 30 s, jitter 0.5 */
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
  readonly now?: Now;
  /** Must resolve (not reject) early when its signal aborts; see `Sleep`. */
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /**
   * Applied to every listed or watched object before it is cached and delivered (client-go's
   * SetTransform): drop what is never read, such as managedFields, to keep the cache small.
   * `previous` is the cached version under the same key, if any, so that what did not change
   * can be kept once (`shareUnchanged`).
   */
  readonly transform?: (object: T, previous: T | undefined) => T;
}

/** How one watch ended, which decides what the loop does next. */
interface WatchOutcome {
  readonly events: number;
  readonly durationMs: number;
  readonly error: unknown;
  /** Ended by our inactivity timeout. */
  readonly inactive: boolean;
}

/** A stream that ends cleanly sooner than this without any event counts as a failure. */
const MIN_HEALTHY_WATCH_MS = 1_000;

type State = 'idle' | 'running' | 'stopped';

export class Reflector<T extends KubeObject> implements ReadonlyObjectCache<T> {
  /** Resolves once the first complete list has been delivered to the handlers. */
  readonly synced: Promise<void>;
  private readonly options: ReflectorOptions<T>;
  private readonly cache = new ObjectCache<T>();
  private readonly backoff: Backoff;
  private readonly logger: Logger;
  private readonly now: Now;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly pageSize: number;
  private readonly inactivityTimeoutMs: number;
  private state: State = 'idle';
  private isSynced = false;
  private resourceVersion = '';
  private resolveSynced: () => void = () => undefined;
  private rejectSynced: (err: unknown) => void = () => undefined;

  constructor(options: ReflectorOptions<T>) {
    if (options.ref.name !== undefined || options.ref.subresource !== undefined) {
      throw new InvalidInputError('a reflector watches a collection: no name or subresource');
    }
    this.options = options;
    this.pageSize = options.pageSize ?? 500;
    this.inactivityTimeoutMs = options.inactivityTimeoutMs ?? 180_000;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) {
      throw new InvalidInputError(`pageSize must be a positive integer, got ${this.pageSize}`);
    }
    if (!(this.inactivityTimeoutMs > 0)) {
      throw new InvalidInputError('inactivityTimeoutMs must be positive');
    }
    this.now = options.now ?? systemNow;
    this.sleep = options.sleep ?? systemSleep;
    this.random = options.random ?? Math.random;
    this.backoff = new Backoff(options.backoff, this.random);
    this.logger = (options.logger ?? silentLogger).child({
      component: 'reflector',
      resource: resourceLabel(options.ref),
      ...(options.ref.namespace !== undefined ? { namespace: options.ref.namespace } : {}),
    });
    this.synced = new Promise<void>((resolve, reject) => {
      this.resolveSynced = resolve;
      this.rejectSynced = reject;
    });
    // Nobody awaiting `synced` when the reflector stops early is fine; awaiting callers still see it.
    this.synced.catch(() => undefined);
  }

  hasSynced(): boolean {
    return this.isSynced;
  }

  /** The version the next watch resumes from ('' before the first list). */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace, name);
  }

  list(): T[] {
    return this.cache.list();
  }

  get size(): number {
    return this.cache.size;
  }

  /** Lists and watches until `signal` aborts; resolves once the open watch is closed. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.state !== 'idle') throw new IllegalStateError(`reflector already ${this.state}`);
    this.state = 'running';
    let needList = true;
    // A function, so the checks after each await are not narrowed away.
    const stopped = (): boolean => signal.aborted;
    try {
      while (!stopped()) {
        if (needList) {
          try {
            await this.relist(signal);
            needList = false;
            this.backoff.reset();
          } catch (err) {
            if (stopped()) break;
            await this.pause(err, 'list', signal);
            continue;
          }
        }
        const outcome = await this.watchOnce(signal);
        if (stopped()) break;
        await this.afterWatch(outcome, signal, () => {
          needList = true;
        });
      }
    } finally {
      this.state = 'stopped';
      if (!this.isSynced) {
        this.rejectSynced(
          new IllegalStateError('reflector stopped before its first list completed'),
        );
      }
    }
  }

  private async afterWatch(
    outcome: WatchOutcome,
    signal: AbortSignal,
    relist: () => void,
  ): Promise<void> {
    const { error, events, durationMs } = outcome;
    if (error !== undefined && isGone(error)) {
      this.logger.info(
        { resourceVersion: this.resourceVersion, err: describeError(error) },
        'watch version expired, relisting',
      );
      relist();
      return;
    }
    if (outcome.inactive) {
      this.logger.warn(
        { reason: 'inactive', inactivityTimeoutMs: this.inactivityTimeoutMs },
        'watch went quiet, restarting it',
      );
      await this.pause(error, 'watch', signal);
      return;
    }
    if (error === undefined && (events > 0 || durationMs >= MIN_HEALTHY_WATCH_MS)) {
      // The server ended a healthy stream (timeoutSeconds): resume at once.
      this.backoff.reset();
      return;
    }
    if (error !== undefined && events > 0 && !isThrottled(error)) {
      // A stream that worked and then broke: resume at once; a failing reconnect backs off.
      this.logger.info({ err: describeError(error), events }, 'watch broke, resuming');
      this.backoff.reset();
      return;
    }
    await this.pause(error ?? new TransientError('watch ended at once'), 'watch', signal);
  }

  private async pause(err: unknown, phase: 'list' | 'watch', signal: AbortSignal): Promise<void> {
    const hinted = isThrottled(err) ? retryAfterMs(err) : undefined;
    const delayMs = hinted ?? this.backoff.next();
    this.logger.warn(
      { phase, err: describeError(err), delayMs, attempt: this.backoff.attempts },
      `${phase} failed, retrying`,
    );
    await this.sleep(delayMs, signal);
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const started = this.now();
    const entries: [string, T][] = [];
    let version = '';
    let pages = 0;
    for await (const page of listPages<T>(this.options.client, this.options.ref, {
      signal,
      pageSize: this.pageSize,
      ...this.selectors(),
    })) {
      pages += 1;
      if (version === '') version = page.metadata?.resourceVersion ?? '';
      // List items come without kind and apiVersion; watch events have them. Make both alike.
      const kind = page.kind?.endsWith('List') ? page.kind.slice(0, -4) : undefined;
      for (const item of page.items) {
        if (item.kind === undefined && kind !== undefined) item.kind = kind;
        if (item.apiVersion === undefined && page.apiVersion !== undefined) {
          item.apiVersion = page.apiVersion;
        }
        const key = objectKey(item);
        if (key === undefined) this.logger.warn({}, 'listed an object without a name; skipped');
        else entries.push([key, this.transformed(key, item)]);
      }
      this.logger.debug(
        {
          page: pages,
          items: page.items.length,
          total: entries.length,
          remaining: page.metadata?.remainingItemCount,
        },
        'listed a page',
      );
    }
    const transitions = this.cache.replace(entries);
    this.resourceVersion = version;
    this.deliver(transitions);
    this.logger.info(
      {
        pages,
        objects: entries.length,
        changes: transitions.length,
        resourceVersion: version,
        ms: Math.round(this.now() - started),
      },
      this.isSynced ? 'relisted' : 'listed',
    );
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
  }

  private async watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    const stop = new AbortController();
    const watchSignal = AbortSignal.any([signal, stop.signal]);
    const started = this.now();
    let lastActivity = started;
    let events = 0;
    const watchdog = this.watchdog(stop, watchSignal, () => lastActivity);
    try {
      const stream = await this.options.client.watch<T>(this.options.ref, {
        signal: watchSignal,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + this.random())),
        ...this.selectors(),
      });
      lastActivity = this.now();
      for await (const event of stream) {
        lastActivity = this.now();
        events += 1;
        this.apply(event);
        // Events already buffered come through microtasks only: a backlog of thousands (a
        // burst, a relisted watch) would otherwise hold the loop until the last is applied.
        const pause = sharedTurnSlice.pause();
        if (pause) await pause;
      }
      return { events, durationMs: this.now() - started, error: undefined, inactive: false };
    } catch (err) {
      return {
        events,
        durationMs: this.now() - started,
        error: err,
        inactive: stop.signal.aborted && !signal.aborted,
      };
    } finally {
      stop.abort();
      await watchdog;
    }
  }

  /** Aborts the watch when nothing arrived for `inactivityTimeoutMs`. */
  private async watchdog(
    stop: AbortController,
    signal: AbortSignal,
    lastActivity: () => number,
  ): Promise<void> {
    const limit = this.inactivityTimeoutMs;
    if (!Number.isFinite(limit)) return;
    while (!signal.aborted) {
      const remaining = limit - (this.now() - lastActivity());
      if (remaining <= 0) {
        stop.abort(new TransientError(`no watch event or bookmark for ${limit} ms`));
        return;
      }
      await this.sleep(remaining, signal);
    }
  }

  private apply(event: WatchEvent<T>): void {
    if (event.type === 'ERROR') {
      throw errorFromStatus(event.object, {
        method: 'WATCH',
        path: resourceLabel(this.options.ref),
      });
    }
    const version = event.object.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (version) this.resourceVersion = version;
      return;
    }
    const key = objectKey(event.object);
    const object = key === undefined ? event.object : this.transformed(key, event.object);
    if (key === undefined) {
      this.logger.warn({ type: event.type }, 'watch event for an object without a name; skipped');
    } else if (event.type === 'DELETED') {
      this.deliver(this.cache.remove(key, object));
    } else {
      this.deliver(this.cache.upsert(key, object));
    }
    if (version) this.resourceVersion = version;
  }

  private transformed(key: string, object: T): T {
    const transform = this.options.transform;
    return transform ? transform(object, this.cache.peek(key)) : object;
  }

  private deliver(transitions: readonly Transition<T>[]): void {
    const handlers = this.options.handlers;
    for (const t of transitions) {
      const key = objectKey(t.object);
      const call = (name: string, fn: () => unknown): void => {
        const report = (err: unknown): void => {
          this.logger.error(
            { handler: name, object: key, err: describeError(err) },
            'handler failed',
          );
        };
        try {
          const result = fn();
          if (result instanceof Promise) result.catch(report);
        } catch (err) {
          report(err);
        }
      };
      if (t.type === 'add') call('onAdd', () => handlers.onAdd?.(t.object));
      else if (t.type === 'update') call('onUpdate', () => handlers.onUpdate?.(t.old, t.object));
      else call('onDelete', () => handlers.onDelete?.(t.object));
    }
  }

  private selectors(): { labelSelector?: string; fieldSelector?: string } {
    return {
      ...(this.options.labelSelector !== undefined
        ? { labelSelector: this.options.labelSelector }
        : {}),
      ...(this.options.fieldSelector !== undefined
        ? { fieldSelector: this.options.fieldSelector }
        : {}),
    };
  }
}
