import type { Event } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../kubelet-api/test-support/recording-logger.ts';
import { EventRecorder, type EventRecorderOptions, type EventSink } from './recorder.ts';

class FakeSink implements EventSink {
  readonly created: Event[] = [];
  readonly patches: { name: string; patch: Partial<Event> }[] = [];
  failCreates = 0;

  async create(_ns: string, event: Event): Promise<Event> {
    await Promise.resolve();
    if (this.failCreates > 0) {
      this.failCreates--;
      throw new Error('api down');
    }
    this.created.push(event);
    return event;
  }

  async patch(_ns: string, name: string, patch: Partial<Event>): Promise<void> {
    await Promise.resolve();
    this.patches.push({ name, patch });
  }
}

/** A sink whose writes stay open until the test lets them finish, in the order they started. */
class GatedSink implements EventSink {
  readonly started: string[] = [];
  readonly written: string[] = [];
  private readonly gates: { finish: () => void; fail: (err: Error) => void }[] = [];

  get open(): number {
    return this.gates.length;
  }

  create(_ns: string, event: Event, signal: AbortSignal): Promise<Event> {
    const name = event.reason ?? '';
    this.started.push(name);
    return new Promise<Event>((resolve, reject) => {
      const gate = {
        finish: () => {
          this.written.push(name);
          resolve(event);
        },
        fail: (err: Error) => {
          reject(err);
        },
      };
      this.gates.push(gate);
      signal.addEventListener('abort', () => {
        this.gates.splice(this.gates.indexOf(gate), 1);
        gate.fail(new Error('aborted'));
      });
    });
  }

  async patch(): Promise<void> {
    await Promise.resolve();
  }

  /** Lets the oldest open write finish, then gives the recorder a turn to start the next. */
  async finishOne(): Promise<void> {
    this.gates.shift()?.finish();
    await new Promise(setImmediate);
  }
}

const pod = { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'web', uid: 'u1' };
const podNumber = (i: number): typeof pod => ({ ...pod, name: `p${i}`, uid: `u${i}` });

/** A recorder on `sink` whose log lines the test reads. */
function loggedRecorder(sink: EventSink, options: Partial<EventRecorderOptions> = {}) {
  const logger = recordingLogger();
  const r = new EventRecorder({ sink, component: 'vk', host: 'n', logger, ...options });
  return { r, logger };
}

describe(EventRecorder, () => {
  it('creates an event with the kubelet fields', async () => {
    const sink = new FakeSink();
    const clock = new Date('2026-01-01T00:00:00Z');
    const r = new EventRecorder({
      sink,
      component: 'virtual-kubelet',
      host: 'vk',
      now: () => clock,
    });
    r.record(pod, 'Normal', 'ProviderCreateSuccess', 'Create pod in provider successfully');
    await r.flush();
    expect(sink.created).toHaveLength(1);
    expect(sink.created[0]).toMatchObject({
      involvedObject: pod,
      reason: 'ProviderCreateSuccess',
      type: 'Normal',
      count: 1,
      firstTimestamp: '2026-01-01T00:00:00Z',
      source: { component: 'virtual-kubelet', host: 'vk' },
      reportingComponent: 'virtual-kubelet',
      reportingInstance: 'vk',
      metadata: { namespace: 'default' },
    });
    expect(sink.created[0]?.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
  });

  it('aggregates repeats into one event with a growing count', async () => {
    const sink = new FakeSink();
    let t = Date.parse('2026-01-01T00:00:00Z');
    const r = new EventRecorder({ sink, component: 'vk', host: 'n', now: () => new Date(t) });
    for (let i = 0; i < 3; i++) {
      r.record(pod, 'Warning', 'ProviderCreateFailed', 'quota exceeded');
      t += 1000;
    }
    await r.flush();
    expect(sink.created).toHaveLength(1);
    expect(sink.patches.map(p => p.patch)).toEqual([
      { count: 2, lastTimestamp: '2026-01-01T00:00:01Z' },
      { count: 3, lastTimestamp: '2026-01-01T00:00:02Z' },
    ]);
    r.record(pod, 'Warning', 'ProviderCreateFailed', 'another message');
    await r.flush();
    expect(sink.created).toHaveLength(2);
  });

  it('drops a flood from one object but not events about others', async () => {
    const sink = new FakeSink();
    const now = new Date();
    const r = new EventRecorder({ sink, component: 'vk', host: 'n', now: () => now, burst: 5 });
    for (let i = 0; i < 50; i++) r.record(pod, 'Warning', 'BackOff', `attempt ${i}`);
    r.record({ ...pod, name: 'other', uid: 'u2' }, 'Normal', 'Started', 'ok');
    await r.flush();
    expect(sink.created).toHaveLength(6);
    expect(r.droppedCount).toBe(45);
  });

  it('survives sink failures without throwing and creates afresh next time', async () => {
    const sink = new FakeSink();
    sink.failCreates = 1;
    const r = new EventRecorder({ sink, component: 'vk', host: 'n' });
    r.record(pod, 'Normal', 'X', 'm');
    await r.flush();
    r.record(pod, 'Normal', 'X', 'm');
    await r.flush();
    expect(sink.created).toHaveLength(1);
    expect(sink.patches).toHaveLength(0);
  });

  it('keeps what it tracks bounded as pods come and go by the thousand', async () => {
    const sink = new FakeSink();
    let t = Date.parse('2026-01-01T00:00:00Z');
    const r = new EventRecorder({
      sink,
      component: 'vk',
      host: 'n',
      now: () => new Date(t),
      aggregateWindowMs: 60_000,
      refillMs: 1000,
    });
    for (let i = 0; i < 60_000; i++) {
      // 100 new pods a second, one event each: old pods' entries are the least recently used.
      t += 10;
      r.record({ ...pod, name: `p${i}`, uid: `u${i}` }, 'Normal', 'Created', 'ok');
      if (i % 1000 === 0) await r.flush();
    }
    await r.flush();
    expect(sink.created).toHaveLength(60_000);
    // About 6,000 aggregates live in the 60-s window, but each map keeps at most 4,096 entries
    // (unbounded, the two maps would hold 120,000).
    expect(r.trackedCount).toBeLessThanOrEqual(2 * 4096);
  });

  it('forgets the least recently used keys past its cache size, as client-go', async () => {
    const sink = new FakeSink();
    const r = new EventRecorder({ sink, component: 'vk', host: 'n', cacheSize: 3 });
    const of = (i: number): typeof pod => ({ ...pod, name: `p${i}`, uid: `u${i}` });
    r.record(of(0), 'Normal', 'Created', 'ok');
    r.record(of(1), 'Normal', 'Created', 'ok');
    r.record(of(2), 'Normal', 'Created', 'ok');
    await r.flush();
    // Used again, p0 becomes the most recent; p3 then pushes out p1, the least recent.
    r.record(of(0), 'Normal', 'Created', 'ok');
    r.record(of(3), 'Normal', 'Created', 'ok');
    await r.flush();
    expect(sink.created).toHaveLength(4);
    expect(sink.patches).toHaveLength(1);
    r.record(of(0), 'Normal', 'Created', 'ok');
    await r.flush();
    expect(sink.patches).toHaveLength(2);
    r.record(of(1), 'Normal', 'Created', 'ok');
    await r.flush();
    expect(sink.created).toHaveLength(5);
    expect(r.trackedCount).toBeLessThanOrEqual(6);
  });

  it('writes at most maxInFlight events at once, the rest in the order recorded', async () => {
    const sink = new GatedSink();
    const r = new EventRecorder({ sink, component: 'vk', host: 'n', maxInFlight: 2 });
    for (let i = 0; i < 5; i++) r.record(podNumber(i), 'Normal', `E${i}`, 'ok');
    await new Promise(setImmediate);
    expect(sink.started).toEqual(['E0', 'E1']);
    await sink.finishOne();
    expect(sink.started).toEqual(['E0', 'E1', 'E2']);
    expect(sink.open).toBe(2);
    while (sink.open > 0) await sink.finishOne();
    await r.flush();
    expect(sink.written).toEqual(['E0', 'E1', 'E2', 'E3', 'E4']);
    expect(r.droppedCount).toBe(0);
  });

  it('drops what is recorded beyond maxPending queued writes, with a warning', async () => {
    const sink = new GatedSink();
    const { r, logger } = loggedRecorder(sink, { maxInFlight: 1, maxPending: 3 });
    for (let i = 0; i < 5; i++) r.record(podNumber(i), 'Normal', `E${i}`, 'ok');
    expect(r.droppedCount).toBe(2);
    expect(logger.lines.filter(l => l.message.includes('too many pending'))).toHaveLength(2);
    while (sink.open > 0 || sink.started.length < 3) await sink.finishOne();
    await r.flush();
    expect(sink.written).toEqual(['E0', 'E1', 'E2']);
  });

  it('leaves queued events unwritten at close once the grace is over, with one warning', async () => {
    const sink = new GatedSink();
    const { r, logger } = loggedRecorder(sink, { maxInFlight: 1 });
    for (let i = 0; i < 1000; i++) r.record(podNumber(i), 'Normal', `E${i}`, 'ok');
    await r.close(20);
    // The one in flight was aborted; the 999 behind it were never sent.
    expect(sink.started).toEqual(['E0']);
    expect(r.droppedCount).toBe(999);
    expect(logger.lines.filter(l => l.level === 'warn').map(l => l.message)).toEqual([
      'could not write event',
      'events not written: the recorder closed first',
    ]);
    r.record(pod, 'Normal', 'Late', 'ok');
    await r.flush();
    expect(sink.started).toEqual(['E0']);
  });

  it('holds writes while deferWhile says so, then writes them in the order recorded', async () => {
    const sink = new FakeSink();
    let backlog = true;
    const r = new EventRecorder({
      sink,
      component: 'vk',
      host: 'n',
      deferWhile: () => backlog,
    });
    for (let i = 0; i < 3; i++) r.record(podNumber(i), 'Normal', `E${i}`, 'ok');
    await new Promise(done => setTimeout(done, 120));
    expect(sink.created).toHaveLength(0);
    backlog = false;
    await r.flush();
    expect(sink.created.map(e => e.reason)).toEqual(['E0', 'E1', 'E2']);
  });

  it('writes an event deferred for maxDeferMs even though deferWhile still says wait', async () => {
    const sink = new FakeSink();
    let t = Date.parse('2026-01-01T00:00:00Z');
    const { r } = loggedRecorder(sink, {
      now: () => new Date(t),
      deferWhile: () => true,
      maxDeferMs: 10_000,
    });
    r.record(podNumber(0), 'Normal', 'E0', 'ok');
    await new Promise(done => setTimeout(done, 80));
    expect(sink.created).toHaveLength(0);
    t += 9_999;
    r.record(podNumber(1), 'Normal', 'E1', 'ok');
    await new Promise(done => setTimeout(done, 80));
    expect(sink.created).toHaveLength(0);
    t += 1;
    // The recorder looks again every 50 ms; however late the timer, the first goes out.
    while (sink.created.length === 0) await new Promise(done => setTimeout(done, 10));
    // The first waited its 10 s; the second has waited 1 ms and waits on.
    expect(sink.created.map(e => e.reason)).toEqual(['E0']);
    t += 10_000;
    await r.flush();
    expect(sink.created.map(e => e.reason)).toEqual(['E0', 'E1']);
  });

  it('drops events still deferred when close gives up waiting', async () => {
    const sink = new FakeSink();
    const { r, logger } = loggedRecorder(sink, { deferWhile: () => true });
    for (let i = 0; i < 5; i++) r.record(podNumber(i), 'Normal', `E${i}`, 'ok');
    await r.close(30);
    expect(sink.created).toHaveLength(0);
    expect(r.droppedCount).toBe(5);
    expect(logger.lines.map(l => l.message)).toEqual([
      'events not written: the recorder closed first',
    ]);
  });
});
