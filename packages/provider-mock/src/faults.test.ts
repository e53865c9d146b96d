import {
  errorKind,
  isNotFound,
  isThrottled,
  isTransient,
  retryAfterMs,
  type ErrorKind,
} from '@vkubelet/core';
import { describe, expect, it } from 'vitest';
import { context, makePod, never, setup } from './test-support/fixtures.ts';

describe('failure injection', () => {
  it('fails the next `times` calls with the chosen kind and message, then works', async () => {
    const { provider } = setup({
      failures: { createPod: { times: 2, error: 'Transient', message: 'backend busy' } },
    });
    await expect(provider.createPod(makePod('web'), context())).rejects.toThrow('backend busy');
    const second = await provider.createPod(makePod('web'), context()).catch((e: unknown) => e);
    expect(isTransient(second)).toBe(true);
    await provider.createPod(makePod('web'), context());
    expect((await provider.getPodStatus('default', 'web', never()))?.phase).toBe('Running');
    expect(provider.callCount('createPod')).toBe(3);
  });

  it('fails every call when no count is given, with a default message', async () => {
    const { provider } = setup({ failures: { ping: {} } });
    for (let i = 0; i < 3; i++) {
      await expect(provider.ping(never())).rejects.toThrow(
        'mock: injected Transient failure in ping',
      );
    }
  });

  it('throws every taxonomy kind; Throttled carries its retry hint', async () => {
    const kinds: ErrorKind[] = [
      'NotFound',
      'InvalidInput',
      'Unsupported',
      'Throttled',
      'Transient',
      'AlreadyExists',
      'Conflict',
      'Gone',
      'IllegalState',
    ];
    const { provider } = setup();
    for (const kind of kinds) {
      provider.injectFailure('getPods', { error: kind, times: 1 });
      const err = await provider.getPods(never()).catch((e: unknown) => e);
      expect(errorKind(err)).toBe(kind);
    }
    provider.injectFailure('getPods', { error: 'Throttled', retryAfterMs: 2500 });
    expect(retryAfterMs(await provider.getPods(never()).catch((e: unknown) => e))).toBe(2500);
    provider.injectFailure('getPods', { error: 'Throttled' });
    expect(retryAfterMs(await provider.getPods(never()).catch((e: unknown) => e))).toBe(1000);
    provider.injectFailure('getPods', undefined);
    expect(await provider.getPods(never())).toEqual([]);
  });

  it('can target one pod only', async () => {
    const { provider } = setup({ failures: { createPod: { pod: 'default/bad' } } });
    await provider.createPod(makePod('good'), context());
    await expect(provider.createPod(makePod('bad'), context())).rejects.toSatisfy(isTransient);
    expect((await provider.getPods(never())).map(p => p.metadata?.name)).toEqual(['good']);
  });

  it('hangs until the call is aborted, then rejects with the abort reason', async () => {
    const { provider } = setup({ failures: { createPod: { hang: true, times: 1 } } });
    const abort = new AbortController();
    let settled = false;
    const call = provider
      .createPod(makePod('web'), context(new Map(), abort.signal))
      .finally(() => (settled = true));
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    abort.abort(new Error('deadline exceeded'));
    await expect(call).rejects.toThrow('deadline exceeded');
    expect(await provider.getPods(never())).toEqual([]);
    // The one hanging call is spent; the next works.
    await provider.createPod(makePod('web'), context());
    expect(await provider.getPods(never())).toHaveLength(1);
  });

  it('hangs ping, logs, exec and stats alike', async () => {
    const { provider } = setup();
    await provider.createPod(makePod('web'), context());
    const abort = new AbortController();
    for (const op of ['ping', 'getStatsSummary', 'getContainerLogs'] as const) {
      provider.injectFailure(op, { hang: true });
    }
    const calls = [
      provider.ping(abort.signal),
      provider.getStatsSummary(abort.signal),
      provider.getContainerLogs(
        'default',
        'web',
        'app',
        { follow: false, previous: false, timestamps: false },
        abort.signal,
      ),
    ];
    abort.abort(new Error('timeout'));
    for (const call of calls) await expect(call).rejects.toThrow('timeout');
  });

  it('refuses a call whose signal is already aborted, before any work', async () => {
    const { provider } = setup();
    const abort = new AbortController();
    abort.abort(new Error('too late'));
    await expect(
      provider.createPod(makePod('web'), context(new Map(), abort.signal)),
    ).rejects.toThrow('too late');
    expect(await provider.getPods(never())).toEqual([]);
  });

  it('validates injected specs and operation names', () => {
    const { provider } = setup();
    expect(() => {
      provider.injectFailure('createPod', { times: 1.5 });
    }).toThrow('mock provider: failures.createPod.times must be a whole number >= 0, got 1.5');
    expect(() => {
      provider.injectFailure('launch' as 'createPod', undefined);
    }).toThrow('mock provider: unknown operation "launch"');
    expect(() => provider.callCount('launch' as 'createPod')).toThrow(
      'mock provider: unknown operation "launch"',
    );
  });

  it('counts every call per operation', async () => {
    const { provider } = setup();
    await provider.createPod(makePod('web'), context());
    await provider.getPod('default', 'web', never());
    await provider.getPod('default', 'web', never());
    await provider.deletePod(makePod('web'), never()).catch(() => undefined);
    await provider.deletePod(makePod('web'), never()).catch(() => undefined);
    expect(
      ['createPod', 'getPod', 'deletePod', 'updatePod'].map(op =>
        provider.callCount(op as 'getPod'),
      ),
    ).toEqual([1, 2, 2, 0]);
  });
});

describe('createPod rate limit', () => {
  it('allows a burst, then throttles with retryAfterMs and does no work', async () => {
    const { provider, clock } = setup({ rateLimit: { perSecond: 2, burst: 3 } });
    for (const name of ['a', 'b', 'c']) await provider.createPod(makePod(name), context());
    const err = await provider.createPod(makePod('d'), context()).catch((e: unknown) => e);
    expect(isThrottled(err)).toBe(true);
    expect(retryAfterMs(err)).toBe(500);
    expect((err as Error).message).toBe(
      'mock provider: createPod rate limit reached; retry in 500 ms',
    );
    expect((await provider.getPods(never())).map(p => p.metadata?.name)).toEqual(['a', 'b', 'c']);

    await clock.advance(200);
    expect(
      retryAfterMs(await provider.createPod(makePod('d'), context()).catch((e: unknown) => e)),
    ).toBe(300);
    await clock.advance(300);
    await provider.createPod(makePod('d'), context());
    expect(await provider.getPods(never())).toHaveLength(4);
  });

  it('needs a token from every bucket (ACI: 100 per 5 min and 300 per hour)', async () => {
    const { provider, clock } = setup({
      rateLimit: [
        { perSecond: 1, burst: 2 },
        { perSecond: 0.1, burst: 3 },
      ],
    });
    await provider.createPod(makePod('a'), context());
    await provider.createPod(makePod('b'), context());
    // The fast bucket is empty: wait 1 s for it.
    expect(
      retryAfterMs(await provider.createPod(makePod('c'), context()).catch((e: unknown) => e)),
    ).toBe(1000);
    await clock.advance(1000);
    await provider.createPod(makePod('c'), context());
    await clock.advance(5000);
    // Fast bucket full again; the slow one has 3 - 3 + 0.6 tokens (0.1/s for 6 s): 4 s more.
    expect(
      retryAfterMs(await provider.createPod(makePod('d'), context()).catch((e: unknown) => e)),
    ).toBe(4000);
    expect(await provider.getPods(never())).toHaveLength(3);
  });

  it('leaves other calls alone', async () => {
    const { provider } = setup({ rateLimit: { perSecond: 1, burst: 1 } });
    await provider.createPod(makePod('a'), context());
    for (let i = 0; i < 5; i++) await provider.getPod('default', 'a', never());
    await provider.updatePod(makePod('a'), context());
    await provider.deletePod(makePod('a'), never());
    await expect(provider.deletePod(makePod('a'), never())).rejects.toSatisfy(isNotFound);
  });
});
