import { describe, expect, it } from 'vitest';
import { config, failure, fakeIo } from './test-support/cli-harness.ts';

const taintsOf = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  config(argv, env).nodes[0]?.taints;

describe('the provider taint and its environment variables', () => {
  it.each<[NodeJS.ProcessEnv, unknown]>([
    [{}, [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }]],
    [
      { VKUBELET_TAINT_KEY: 'example.com/k' },
      [{ key: 'example.com/k', value: 'mock', effect: 'NoSchedule' }],
    ],
    [
      { VKUBELET_TAINT_VALUE: 'fast' },
      [{ key: 'virtual-kubelet.io/provider', value: 'fast', effect: 'NoSchedule' }],
    ],
    [{ VKUBELET_TAINT_VALUE: '' }, [{ key: 'virtual-kubelet.io/provider', effect: 'NoSchedule' }]],
    [
      { VKUBELET_TAINT_EFFECT: 'NoSchedule' },
      [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
    ],
    [
      { VKUBELET_TAINT_EFFECT: 'NoExecute' },
      [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoExecute' }],
    ],
    [
      { VKUBELET_TAINT_EFFECT: 'PreferNoSchedule' },
      [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'PreferNoSchedule' }],
    ],
    [
      { VKUBELET_TAINT_KEY: 'k', VKUBELET_TAINT_VALUE: 'v', VKUBELET_TAINT_EFFECT: 'NoExecute' },
      [{ key: 'k', value: 'v', effect: 'NoExecute' }],
    ],
    [
      { VKUBELET_TAINT_KEY: '' },
      [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
    ],
  ])('%j', (env, expected) => {
    expect(taintsOf([], env)).toEqual(expected);
  });

  it('--disable-taint drops it whatever the environment says', () => {
    expect(
      taintsOf(['--disable-taint'], {
        VKUBELET_TAINT_KEY: 'k',
        VKUBELET_TAINT_VALUE: 'v',
        VKUBELET_TAINT_EFFECT: 'NoExecute',
      }),
    ).toEqual([]);
  });

  it('--disable-taint keeps the extra taints', () => {
    expect(taintsOf(['--disable-taint', '--register-with-taints', 'a:NoSchedule'])).toEqual([
      { key: 'a', effect: 'NoSchedule' },
    ]);
  });

  it('--taint sets the key and beats VKUBELET_TAINT_KEY', () => {
    expect(taintsOf(['--taint', 'flag/k'], { VKUBELET_TAINT_KEY: 'env/k' })).toEqual([
      { key: 'flag/k', value: 'mock', effect: 'NoSchedule' },
    ]);
  });

  it('the same key with another effect is a separate taint', () => {
    expect(
      taintsOf(['--register-with-taints', 'virtual-kubelet.io/provider=mock:NoExecute']),
    ).toEqual([
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' },
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoExecute' },
    ]);
  });

  it('the value defaults to the app provider name', () => {
    const io = fakeIo();
    const result = config([], {}, io).nodes[0]?.taints[0]?.value;
    expect(result).toBe('mock');
  });

  it.each<[NodeJS.ProcessEnv, string]>([
    [
      { VKUBELET_TAINT_EFFECT: 'noschedule' },
      'VKUBELET_TAINT_EFFECT: must be NoSchedule, PreferNoSchedule or NoExecute, got "noschedule"',
    ],
    [
      { VKUBELET_TAINT_EFFECT: 'Bad', VKUBELET_TAINT_KEY: 'k' },
      'VKUBELET_TAINT_EFFECT: must be NoSchedule, PreferNoSchedule or NoExecute, got "Bad"',
    ],
    [
      { VKUBELET_TAINT_KEY: 'bad key' },
      `VKUBELET_TAINT_KEY: "bad key" is not a valid key (letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters, with an optional DNS subdomain prefix and '/')`,
    ],
    [
      { VKUBELET_TAINT_VALUE: 'a b' },
      `VKUBELET_TAINT_VALUE: "a b" is not a valid value (letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters)`,
    ],
  ])('rejects %j', (env, message) => {
    expect(failure([], env)).toBe(message);
  });

  it('a bad effect is an error even with --disable-taint', () => {
    expect(failure(['--disable-taint'], { VKUBELET_TAINT_EFFECT: 'Never' })).toBe(
      'VKUBELET_TAINT_EFFECT: must be NoSchedule, PreferNoSchedule or NoExecute, got "Never"',
    );
  });
});
