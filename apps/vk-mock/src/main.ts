/**
 * vk-mock: the virtual kubelet with the mock provider. Everything but the provider choice comes
 * from @vkubelet/core's runApp (upstream's flags and env names, metrics, shutdown).
 */
import { runApp } from '@vkubelet/core';
import {
  createMockProvider,
  MOCK_PROVIDER_VERSION,
  openMockStateFile,
} from '@vkubelet/provider-mock';
import { mockOptionsFromConfig } from './provider-config.ts';

const app = { name: 'vk-mock', provider: 'mock', version: MOCK_PROVIDER_VERSION };

process.exitCode = await runApp(app, async ({ node, providerConfig, logger }) => {
  const { stateFile, ...options } = mockOptionsFromConfig(providerConfig, node.nodeName, logger);
  const state = stateFile === undefined ? undefined : await openMockStateFile(stateFile);
  if (state) logger.info({ stateFile, pods: state.restoredCount }, 'mock state file opened');
  return createMockProvider({
    ...options,
    nodeName: node.nodeName,
    logger,
    ...(state !== undefined ? { state } : {}),
    ...(node.internalIP !== undefined
      ? { addresses: [{ type: 'InternalIP', address: node.internalIP }] }
      : {}),
  });
});
