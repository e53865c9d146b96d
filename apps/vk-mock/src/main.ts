/**
 * vk-mock: the virtual kubelet with the mock provider. Everything but the provider choice comes
 * from @vkubelet/core's runApp (upstream's flags and env names, metrics, shutdown).
 */
import { runApp } from '@vkubelet/core';
import { createMockProvider, MOCK_PROVIDER_VERSION } from '@vkubelet/provider-mock';
import { mockOptionsFromConfig } from './provider-config.ts';

const app = { name: 'vk-mock', provider: 'mock', version: MOCK_PROVIDER_VERSION };

process.exitCode = await runApp(app, ({ node, providerConfig, logger }) =>
  createMockProvider({
    ...mockOptionsFromConfig(providerConfig, node.nodeName, logger),
    nodeName: node.nodeName,
    logger,
    ...(node.internalIP !== undefined
      ? { addresses: [{ type: 'InternalIP', address: node.internalIP }] }
      : {}),
  }),
);
