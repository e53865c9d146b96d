/** Waiting that an AbortSignal ends early, for the controllers' loops. */

/** Reads `signal.aborted` afresh (TypeScript would otherwise keep a narrowing across awaits). */
export function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Resolves after `ms`, or at once when `signal` aborts; never leaves a listener behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when `gate` resolves or `signal` aborts, whichever comes first; rejects with the gate. */
export async function untilAborted(gate: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  const abort = Promise.withResolvers<undefined>();
  const onAbort = (): void => {
    abort.resolve(undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([gate, abort.promise]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Detaches from the parents; call when the work is done. */
  readonly dispose: () => void;
}

/**
 * A signal that aborts with the first of `parents` to abort. Unlike AbortSignal.any it leaves
 * nothing attached to a long-lived parent once disposed: one per request against the run
 * signal otherwise piles up dependents the parent keeps following (a cost per call under load).
 */
export function linkedSignal(parents: readonly AbortSignal[]): LinkedSignal {
  const controller = new AbortController();
  const already = parents.find(p => p.aborted);
  if (already) {
    controller.abort(already.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const listeners = parents.map(parent => {
    const onAbort = (): void => {
      controller.abort(parent.reason);
    };
    parent.addEventListener('abort', onAbort, { once: true });
    return { parent, onAbort };
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const { parent, onAbort } of listeners) parent.removeEventListener('abort', onAbort);
    },
  };
}

export interface DeadlineSignal extends LinkedSignal {
  /** Whether it was the deadline, not the caller, that ended the work. */
  readonly timedOut: () => boolean;
}

/**
 * The caller's signal bounded by a deadline; dispose clears the timer and detaches from the
 * caller (AbortSignal.timeout's timer would otherwise run on after every finished call).
 */
export function signalWithDeadline(caller: AbortSignal, timeoutMs: number): DeadlineSignal {
  const timer = new AbortController();
  const handle = setTimeout(() => {
    timer.abort();
  }, timeoutMs);
  const linked = linkedSignal([caller, timer.signal]);
  return {
    signal: linked.signal,
    timedOut: () => timer.signal.aborted,
    dispose: () => {
      clearTimeout(handle);
      linked.dispose();
    },
  };
}
