/**
 * The reflector's decisions against a scripted client: what it lists and watches, what it
 * delivers, how long it waits. Time is injected, so nothing here depends on the machine's speed;
 * reflector-faults.test.ts runs the same loop against a real API server.
 */
import { describe, expect, it } from 'vitest';
import { isIllegalState, ThrottledError, TransientError } from '../errors/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Sleep } from './clock.ts';
import type { KubeClient, ListOptions, WatchOptions } from './kube-client.ts';
import { Reflector, type ReflectorOptions } from './reflector.ts';
import type { KubeList, KubeObject, WatchEvent } from './types.ts';
import type { WatchStream } from './watch-stream.ts';

type Obj = KubeObject;

const obj = (name: string, rv: string, uid = `uid-${name}`): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv, uid },
});

/** A watch stream the test feeds; it ends with the abort reason when its signal aborts. */
class FakeStream implements WatchStream<Obj> {
  closed = false;
  private readonly queue: (WatchEvent<Obj> | { end: true } | { fail: unknown })[] = [];
  private wake: (() => void) | undefined;
  private readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.signal = signal;
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  push(event: WatchEvent<Obj>): this {
    this.queue.push(event);
    this.wake?.();
    return this;
  }

  end(): this {
    this.queue.push({ end: true });
    this.wake?.();
    return this;
  }

  fail(err: unknown): this {
    this.queue.push({ fail: err });
    this.wake?.();
    return this;
  }

  close(): void {
    this.closed = true;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<Obj>> {
    try {
      for (;;) {
        if (this.signal.aborted) throw this.signal.reason;
        const next = this.queue.shift();
        if (next === undefined) {
          await new Promise<void>(resolve => {
            this.wake = resolve;
          });
          continue;
        }
        if ('end' in next) return;
        if ('fail' in next) throw next.fail;
        yield next;
      }
    } finally {
      this.closed = true;
    }
  }
}

type ListReply = KubeList<Obj> | Error;
type WatchReply = ((stream: FakeStream) => void) | Error;

/** Answers list and watch from scripts; records what was asked. */
class FakeClient implements Pick<KubeClient, 'list' | 'watch'> {
  readonly lists: ListOptions[] = [];
  readonly watches: WatchOptions[] = [];
  readonly streams: FakeStream[] = [];
  private readonly listReplies: ListReply[] = [];
  private readonly watchReplies: WatchReply[] = [];
  private waiters: (() => void)[] = [];

  replyList(...replies: ListReply[]): this {
    this.listReplies.push(...replies);
    return this;
  }

  replyWatch(...replies: WatchReply[]): this {
    this.watchReplies.push(...replies);
    return this;
  }

  list<T>(_ref: unknown, options: ListOptions): Promise<KubeList<T>> {
    this.lists.push(options);
    this.notify();
    const reply = this.listReplies.shift();
    if (reply === undefined) return Promise.reject(new TransientError('no list scripted'));
    if (reply instanceof Error) return Promise.reject(reply);
    return Promise.resolve(structuredClone(reply) as KubeList<T>);
  }

  watch<T>(_ref: unknown, options: WatchOptions): Promise<WatchStream<T>> {
    this.watches.push(options);
    this.notify();
    const reply = this.watchReplies.shift();
    if (reply instanceof Error) return Promise.reject(reply);
    const stream = new FakeStream(options.signal);
    this.streams.push(stream);
    // Unscripted watches stay open and quiet until aborted.
    reply?.(stream);
    return Promise.resolve(stream as unknown as WatchStream<T>);
  }

  /** Resolves once `predicate` holds, re-checked after every call and every tick. */
  async until(predicate: () => boolean): Promise<void> {
    for (let i = 0; i < 10_000; i += 1) {
      if (predicate()) return;
      await new Promise<void>(resolve => {
        this.waiters.push(resolve);
        setImmediate(resolve);
      });
    }
    throw new Error('condition never held');
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

const list = (rv: string, items: Obj[], cont?: string): KubeList<Obj> => ({
  apiVersion: 'v1',
  kind: 'ConfigMapList',
  metadata: { resourceVersion: rv, ...(cont !== undefined ? { continue: cont } : {}) },
  items,
});

interface Recorded {
  readonly log: string[];
  readonly logs: { level: string; message: string; fields: Record<string, unknown> }[];
  readonly sleeps: number[];
  readonly options: ReflectorOptions<Obj>;
}

function setup(client: FakeClient, overrides: Partial<ReflectorOptions<Obj>> = {}): Recorded {
  const log: string[] = [];
  const logs: Recorded['logs'] = [];
  const sleeps: number[] = [];
  let t = 0;
  const logger: Logger = {
    debug: (fields, message) => logs.push({ level: 'debug', message, fields }),
    info: (fields, message) => logs.push({ level: 'info', message, fields }),
    warn: (fields, message) => logs.push({ level: 'warn', message, fields }),
    error: (fields, message) => logs.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  // Virtual time: sleeping moves the clock and returns on the next turn of the event loop
  // (a loop that fails forever must still let the test run).
  const sleep: Sleep = ms => {
    sleeps.push(ms);
    t += ms;
    return new Promise(resolve => setImmediate(resolve));
  };
  const name = (o: Obj): string => `${o.metadata?.name}@${o.metadata?.resourceVersion}`;
  return {
    log,
    logs,
    sleeps,
    options: {
      client: client as unknown as KubeClient,
      ref: { version: 'v1', resource: 'configmaps', namespace: 'ns' },
      handlers: {
        onAdd: o => {
          log.push(`add ${name(o)}`);
        },
        onUpdate: (old, o) => {
          log.push(`update ${name(old)} -> ${name(o)}`);
        },
        onDelete: o => {
          log.push(`delete ${name(o)}`);
        },
      },
      inactivityTimeoutMs: Infinity,
      backoff: { initialMs: 100, maxMs: 1000, jitter: 0 },
      watchTimeoutSeconds: 300,
      logger,
      now: () => t,
      sleep,
      ...overrides,
    },
  };
}

describe(Reflector, () => {
  it('lists in pages, delivers everything, then resolves synced and watches from the list', async () => {
    const client = new FakeClient().replyList(
      list('10', [obj('a', '1'), obj('b', '2')], 'page2'),
      list('10', [obj('c', '3'), obj('d', '4')], 'page3'),
      list('10', [obj('e', '5')]),
    );
    const { log, options } = setup(client, {
      pageSize: 2,
      labelSelector: 'app=web',
      fieldSelector: 'metadata.namespace=ns',
    });
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await reflector.synced;
    expect(reflector.hasSynced()).toBe(true);
    expect(log).toEqual(['add a@1', 'add b@2', 'add c@3', 'add d@4', 'add e@5']);
    expect(client.lists.map(l => [l.limit, l.continue])).toEqual([
      [2, undefined],
      [2, 'page2'],
      [2, 'page3'],
    ]);
    expect(client.lists[0]).toMatchObject({
      labelSelector: 'app=web',
      fieldSelector: 'metadata.namespace=ns',
    });
    expect(reflector.size).toBe(5);
    expect(reflector.get('ns', 'c')).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    await client.until(() => client.watches.length === 1);
    expect(client.watches[0]).toMatchObject({
      resourceVersion: '10',
      allowWatchBookmarks: true,
      timeoutSeconds: 300,
      labelSelector: 'app=web',
      fieldSelector: 'metadata.namespace=ns',
    });
    controller.abort();
    await running;
    expect(client.streams[0]?.closed).toBe(true);
  });

  it('applies watch events and resumes from the last version, bookmarks included', async () => {
    const client = new FakeClient()
      .replyList(list('10', [obj('a', '1'), obj('b', '2')]))
      .replyWatch(s =>
        s
          .push({ type: 'ADDED', object: obj('c', '11') })
          .push({ type: 'MODIFIED', object: obj('a', '12') })
          .push({ type: 'DELETED', object: obj('b', '13') })
          .push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } })
          .end(),
      );
    const { log, options, sleeps } = setup(client);
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => client.watches.length === 2);
    expect(log).toEqual(['add a@1', 'add b@2', 'add c@11', 'update a@1 -> a@12', 'delete b@13']);
    expect(client.watches.map(w => w.resourceVersion)).toEqual(['10', '20']);
    expect(reflector.lastSyncResourceVersion).toBe('20');
    // A stream the server ended after delivering events is resumed at once.
    expect(sleeps).toEqual([]);
    expect(client.lists).toHaveLength(1);
    controller.abort();
    await running;
  });

  it('caches and delivers listed and watched objects through the transform', async () => {
    const withFields = (name: string, rv: string): Obj => ({
      metadata: { ...obj(name, rv).metadata, managedFields: [{ manager: 'kubectl' }] },
    });
    const client = new FakeClient()
      .replyList(list('10', [withFields('a', '1')]))
      .replyWatch(s => s.push({ type: 'ADDED', object: withFields('b', '11') }).end());
    const seen: Obj[] = [];
    const { options } = setup(client, {
      transform: o => ({ ...o, metadata: { ...o.metadata, managedFields: undefined } }),
    });
    const reflector = new Reflector({
      ...options,
      handlers: { onAdd: o => void seen.push(o) },
    });
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => client.watches.length === 2);
    expect(seen.map(o => o.metadata?.managedFields)).toEqual([undefined, undefined]);
    expect(reflector.get('ns', 'a')?.metadata?.managedFields).toBeUndefined();
    expect(reflector.get('ns', 'b')?.metadata?.managedFields).toBeUndefined();
    controller.abort();
    await running;
  });

  it('hands the transform the cached version under the same key, from watch events and relists', async () => {
    const client = new FakeClient()
      .replyList(list('10', [obj('a', '1')]), list('30', [obj('a', '21'), obj('b', '22')]))
      .replyWatch(s =>
        s
          .push({ type: 'MODIFIED', object: obj('a', '11') })
          .push({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })
          .end(),
      );
    const previous: string[] = [];
    const { options } = setup(client, {
      transform: (o, before) => {
        previous.push(
          `${o.metadata?.name}@${o.metadata?.resourceVersion} <- ${before?.metadata?.resourceVersion ?? 'none'}`,
        );
        return o;
      },
    });
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => client.lists.length === 2 && client.watches.length === 2);
    expect(previous).toEqual(['a@1 <- none', 'a@11 <- 1', 'a@21 <- 11', 'b@22 <- none']);
    controller.abort();
    await running;
  });

  it('gives the event loop a turn while it applies thousands of buffered watch events', async () => {
    const client = new FakeClient().replyList(list('10', [])).replyWatch(s => {
      for (let i = 0; i < 5_000; i++)
        s.push({ type: 'ADDED', object: obj(`p${i}`, String(11 + i)) });
    });
    let added = 0;
    let timerSawAdded: number | undefined;
    const { options } = setup(client);
    const reflector = new Reflector({
      ...options,
      handlers: {
        onAdd: () => {
          const end = performance.now() + 0.02;
          while (performance.now() < end);
          added += 1;
          if (added === 1) setTimeout(() => (timerSawAdded = added), 0);
        },
      },
    });
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => added === 5_000);
    controller.abort();
    await running;
    // 5,000 × 20 µs is 100 ms of handlers; a timer due at once runs within the first slice.
    expect(timerSawAdded).toBeLessThan(5_000);
  });

  it('relists on a 410 ERROR event and delivers only what changed in the gap', async () => {
    const client = new FakeClient()
      .replyList(
        list('10', [obj('keep', '1'), obj('change', '2'), obj('gone', '3'), obj('reborn', '4')]),
        list('50', [
          obj('keep', '1'),
          obj('change', '40'),
          obj('new', '41'),
          obj('reborn', '42', 'uid-new'),
        ]),
      )
      .replyWatch(s =>
        s.push({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            code: 410,
            reason: 'Expired',
            message: 'too old',
          },
        }),
      );
    const { log, options } = setup(client);
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => client.watches.length === 2);
    expect(log.slice(4)).toEqual([
      'delete gone@3',
      'update change@2 -> change@40',
      'add new@41',
      'delete reborn@4',
      'add reborn@42',
    ]);
    expect(client.watches[1]?.resourceVersion).toBe('50');
    expect(
      reflector
        .list()
        .map(o => o.metadata?.name)
        .sort(),
    ).toEqual(['change', 'keep', 'new', 'reborn']);
    controller.abort();
    await running;
  });

  it('relists when the watch itself answers 410', async () => {
    const gone = Object.assign(new Error('410'), { [Symbol.for('vkubelet.errorKind')]: 'Gone' });
    const client = new FakeClient()
      .replyList(list('10', [obj('a', '1')]), list('30', [obj('a', '29')]))
      .replyWatch(gone);
    const { log, options, sleeps } = setup(client);
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => client.watches.length === 2);
    expect(log).toEqual(['add a@1', 'update a@1 -> a@29']);
    expect(sleeps).toEqual([]);
    controller.abort();
    await running;
  });

  it('keeps going when handlers throw or reject, and logs each failure', async () => {
    const client = new FakeClient()
      .replyList(list('10', [obj('bad', '1'), obj('good', '2')]))
      .replyWatch(s =>
        s
          .push({ type: 'MODIFIED', object: obj('bad', '11') })
          .push({ type: 'MODIFIED', object: obj('good', '12') }),
      );
    const { options, logs } = setup(client);
    const seen: string[] = [];
    const reflector = new Reflector({
      ...options,
      handlers: {
        onAdd: o => {
          seen.push(`add ${o.metadata?.name}`);
          if (o.metadata?.name === 'bad') throw new Error('handler bug');
        },
        onUpdate: async (_old, o) => {
          seen.push(`update ${o.metadata?.name}`);
          if (o.metadata?.name === 'bad') throw new Error('async handler bug');
          return Promise.resolve();
        },
      },
    });
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(
      () => seen.length === 4 && logs.filter(l => l.level === 'error').length === 2,
    );
    expect(seen).toEqual(['add bad', 'add good', 'update bad', 'update good']);
    expect(
      logs.filter(l => l.level === 'error').map(l => [l.fields.handler, l.fields.err]),
    ).toEqual([
      ['onAdd', 'handler bug'],
      ['onUpdate', 'async handler bug'],
    ]);
    expect(reflector.get('ns', 'good')?.metadata?.resourceVersion).toBe('12');
    controller.abort();
    await running;
  });

  it('waits what a 429 asks for, and backs off exponentially on other failures, forever', async () => {
    const client = new FakeClient()
      .replyList(
        new TransientError('500'),
        new TransientError('500'),
        new TransientError('500'),
        list('10', [obj('a', '1')]),
      )
      .replyWatch(
        new ThrottledError('429', { retryAfterMs: 3000 }),
        new TransientError('503'),
        new TransientError('503'),
        new TransientError('503'),
        new TransientError('503'),
        new TransientError('503'),
      );
    const { options, sleeps, log } = setup(client);
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => client.watches.length === 7);
    expect(log).toEqual(['add a@1']);
    // list: 100, 200, 400; success resets; watch: 429 → 3000, then 100, 200, 400, 800, 1000 (cap).
    expect(sleeps).toEqual([100, 200, 400, 3000, 100, 200, 400, 800, 1000]);
    expect(client.watches.every(w => w.resourceVersion === '10')).toBe(true);
    controller.abort();
    await running;
  });

  it('restarts a watch that goes quiet, from the same version', async () => {
    const client = new FakeClient().replyList(list('10', [obj('a', '1')]));
    const { options, logs } = setup(client, {
      inactivityTimeoutMs: 5000,
      backoff: { initialMs: 100, maxMs: 100, jitter: 0 },
    });
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => client.watches.length === 3);
    expect(client.watches.map(w => w.resourceVersion)).toEqual(['10', '10', '10']);
    expect(client.streams.slice(0, 2).every(s => s.closed)).toBe(true);
    expect(logs.filter(l => l.fields.reason === 'inactive').length).toBeGreaterThanOrEqual(2);
    expect(client.lists).toHaveLength(1);
    controller.abort();
    await running;
  });

  it('counts a quiet stream as alive while bookmarks arrive', async () => {
    const client = new FakeClient().replyList(list('10', []));
    let t = 0;
    const sleeps: number[] = [];
    // Real-ish time: the watchdog's sleeps only end when the test moves the clock.
    const pending: { until: number; resolve: () => void }[] = [];
    const sleep: Sleep = (ms, signal) =>
      new Promise<void>(resolve => {
        sleeps.push(ms);
        pending.push({ until: t + ms, resolve });
        signal?.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
      });
    const advance = (ms: number): void => {
      t += ms;
      for (const p of pending.splice(0)) {
        if (p.until <= t) p.resolve();
        else pending.push(p);
      }
    };
    const { options } = setup(client, { inactivityTimeoutMs: 1000, now: () => t, sleep });
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await client.until(() => client.streams.length === 1 && pending.length === 1);
    const stream = client.streams[0]!;
    for (let i = 1; i <= 5; i += 1) {
      advance(600);
      stream.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(10 + i) } } });
      await client.until(
        () => reflector.lastSyncResourceVersion === String(10 + i) && pending.length === 1,
      );
    }
    // 3 s passed in all, never 1 s without a bookmark: still the first watch.
    expect(client.watches).toHaveLength(1);
    // Quiet for the whole timeout: the watch is restarted (after the backoff's 100 ms).
    await client.until(() => {
      advance(100);
      return client.watches.length === 2;
    });
    expect(t).toBeGreaterThanOrEqual(4000);
    expect(client.watches[1]?.resourceVersion).toBe('15');
    controller.abort();
    await running;
  });

  it('has one lifecycle: run once; synced rejects when stopped before the first list', async () => {
    const client = new FakeClient().replyList(new TransientError('down'));
    const { options } = setup(client);
    const reflector = new Reflector(options);
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    await expect(reflector.run(controller.signal)).rejects.toSatisfy(isIllegalState);
    await client.until(() => client.lists.length >= 2);
    controller.abort();
    await running;
    await expect(reflector.synced).rejects.toSatisfy(isIllegalState);
    expect(reflector.hasSynced()).toBe(false);
    expect(() => new Reflector({ ...options, ref: { ...options.ref, name: 'x' } })).toThrow(
      /collection/,
    );
  });
});
