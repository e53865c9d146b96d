import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkedSignal, signalWithDeadline, untilAborted } from './abort.ts';

describe(linkedSignal, () => {
  it('aborts with the first parent to abort, and leaves no listener behind once disposed', () => {
    const run = new AbortController();
    const deadline = new AbortController();
    const linked = linkedSignal([run.signal, deadline.signal]);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    deadline.abort(new Error('too slow'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('too slow');
    linked.dispose();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('is aborted at once when a parent already is', () => {
    const gone = new AbortController();
    gone.abort('stopped');
    const linked = linkedSignal([new AbortController().signal, gone.signal]);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('stopped');
    linked.dispose();
  });

  it('does not pile up on a long-lived parent across many calls', () => {
    const run = new AbortController();
    for (let i = 0; i < 10_000; i++) linkedSignal([run.signal]).dispose();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });
});

describe(signalWithDeadline, () => {
  it('ends at the deadline and says so; disposed, it clears the timer and detaches', async () => {
    const run = new AbortController();
    const bounded = signalWithDeadline(run.signal, 20);
    await new Promise(r => setTimeout(r, 40));
    expect(bounded.signal.aborted).toBe(true);
    expect(bounded.timedOut()).toBe(true);
    bounded.dispose();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    const early = signalWithDeadline(run.signal, 10_000);
    run.abort('stop');
    expect(early.signal.reason).toBe('stop');
    expect(early.timedOut()).toBe(false);
    early.dispose();
  });
});

describe(untilAborted, () => {
  it('resolves with the gate, or at once on abort, and leaves no listener behind', async () => {
    const controller = new AbortController();
    await untilAborted(Promise.resolve(), controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

    const never = new Promise<void>(() => undefined);
    const waiting = untilAborted(never, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await waiting;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await untilAborted(never, controller.signal);
  });

  it("rejects with the gate's error", async () => {
    const failure = new Error('list refused');
    await expect(untilAborted(Promise.reject(failure), new AbortController().signal)).rejects.toBe(
      failure,
    );
  });
});
