/** A provider for tests that need one but not its pods: the required methods, doing nothing. */
import type { Provider } from '../contract.ts';

export function bareProvider(name: string, extra: Partial<Provider> = {}): Provider {
  return {
    name,
    createPod: async () => undefined,
    updatePod: async () => undefined,
    deletePod: async () => undefined,
    getPod: async () => undefined,
    getPodStatus: async () => undefined,
    getPods: async () => [],
    ...extra,
  };
}
