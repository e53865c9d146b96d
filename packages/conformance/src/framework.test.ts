import type { KubeClient, KubeObject, WatchEvent, WatchStream } from '@vkubelet/core';
import { describe, expect, it } from 'vitest';
import { armWait, type WaitSpec } from './framework.ts';

type Obj = KubeObject & { state?: string };

const obj = (uid: string, state: string): Obj => ({ metadata: { uid, name: uid }, state });

/** A watch stream fed by the test; `end()` ends it as a server timeout would. */
class FedStream implements WatchStream<Obj> {
  private readonly queue: WatchEvent<Obj>[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  closed = false;

  push(event: WatchEvent<Obj>): void {
    this.queue.push(event);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<Obj>> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>(r => (this.wake = r));
      this.wake = undefined;
    }
  }
}

/** Answers lists from `lists` in turn and watches with new FedStreams, recording both. */
function fakeClient(lists: Obj[][]) {
  const streams: FedStream[] = [];
  const watchedFrom: (string | undefined)[] = [];
  let listed = 0;
  const client = {
    list: async () => {
      const items = lists[Math.min(listed, lists.length - 1)] ?? [];
      listed++;
      return { items, metadata: { resourceVersion: String(listed * 10) } };
    },
    watch: async (_ref: unknown, options: { resourceVersion?: string }) => {
      watchedFrom.push(options.resourceVersion);
      const stream = new FedStream();
      streams.push(stream);
      return stream;
    },
  } as unknown as KubeClient;
  return { client, streams, watchedFrom, listCount: () => listed };
}

const spec = (condition: WaitSpec<Obj>['condition'], timeoutMs = 5_000): WaitSpec<Obj> => ({
  ref: { version: 'v1', resource: 'things' },
  fieldSelector: 'metadata.name=a',
  condition,
  what: 'thing a',
  timeoutMs,
  signal: new AbortController().signal,
});

describe('armWait', () => {
  it('is done at once when the listed object already matches, without watching', async () => {
    const fake = fakeClient([[obj('a', 'ready')]]);
    const wait = await armWait(
      fake.client,
      spec((_, o) => o.state === 'ready'),
    );
    await expect(wait.done).resolves.toEqual({ type: 'ADDED', object: obj('a', 'ready') });
    expect(fake.streams).toHaveLength(0);
  });

  it('watches from the list resourceVersion and resolves on the matching event', async () => {
    const fake = fakeClient([[obj('a', 'pending')]]);
    const wait = await armWait(
      fake.client,
      spec((_, o) => o.state === 'ready'),
    );
    expect(fake.watchedFrom).toEqual(['10']);
    const stream = fake.streams[0]!;
    stream.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '11' } } });
    stream.push({ type: 'MODIFIED', object: obj('a', 'still') });
    stream.push({ type: 'MODIFIED', object: obj('a', 'ready') });
    await expect(wait.done).resolves.toEqual({ type: 'MODIFIED', object: obj('a', 'ready') });
    expect(stream.closed).toBe(true);
  });

  it('lists again when the watch ends and reports a vanished object as DELETED', async () => {
    const fake = fakeClient([[obj('a', 'running')], []]);
    const wait = await armWait(
      fake.client,
      spec(type => type === 'DELETED'),
    );
    fake.streams[0]!.end();
    await expect(wait.done).resolves.toEqual({ type: 'DELETED', object: obj('a', 'running') });
    expect(fake.listCount()).toBe(2);
  });

  it('re-opens the watch after an ERROR event', async () => {
    const fake = fakeClient([[obj('a', 'x')], [obj('a', 'x')]]);
    const wait = await armWait(
      fake.client,
      spec((type, o) => type !== 'ERROR' && o.state === 'y'),
    );
    fake.streams[0]!.push({ type: 'ERROR', object: { kind: 'Status', code: 410 } });
    await expect.poll(() => fake.streams.length).toBe(2);
    expect(fake.watchedFrom).toEqual(['10', '20']);
    fake.streams[1]!.push({ type: 'MODIFIED', object: obj('a', 'y') });
    await expect(wait.done).resolves.toMatchObject({ type: 'MODIFIED' });
  });

  it('fails with what it waited for and the last object seen when the time is up', async () => {
    const fake = fakeClient([[obj('a', 'pending')]]);
    const wait = await armWait(
      fake.client,
      spec(() => false, 50),
    );
    await expect(wait.done).rejects.toThrow(/timed out after 50 ms waiting for thing a; .*pending/);
  });

  it('ends with the error a condition throws', async () => {
    const fake = fakeClient([[]]);
    const wait = await armWait(
      fake.client,
      spec(type => {
        if (type === 'DELETED') throw new Error('unexpected DELETED');
        return false;
      }),
    );
    fake.streams[0]!.push({ type: 'DELETED', object: obj('b', 'gone') });
    await expect(wait.done).rejects.toThrow('unexpected DELETED');
  });
});
