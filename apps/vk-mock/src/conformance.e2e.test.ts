/**
 * Upstream Virtual Kubelet's end-to-end suite (@vkubelet/conformance) against vk-mock: a vk-mock
 * process and the testkit API server in a process of its own, once with the mock pushing pod
 * status and once with the core polling it (`pushStatus: false`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformanceSuite, type ConformanceTarget } from '@vkubelet/conformance';
import { startCluster } from './test-support/cluster.ts';

const NAMESPACE = 'conformance';

/** A cluster with one vk-mock node configured by `mock`, and a namespace for the test pods. */
async function setup(nodeName: string, mock: Record<string, unknown>): Promise<ConformanceTarget> {
  const dir = await mkdtemp(join(tmpdir(), `${nodeName}-config-`));
  const config = join(dir, 'provider.json');
  await writeFile(config, JSON.stringify({ [nodeName]: mock }));
  const cluster = await startCluster({ nodeName, vkArgs: ['--provider-config', config] }).catch(
    async (err: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw err;
    },
  );
  const teardown = async (): Promise<void> => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await cluster.kubectlOk(['create', 'namespace', NAMESPACE]);
  } catch (err) {
    await teardown();
    throw err;
  }
  return { kubeconfig: cluster.kubeconfig, namespace: NAMESPACE, nodeName, teardown };
}

// Upstream's 2-minute watch timeout is for real backends; the mock answers in milliseconds.
const watchTimeoutMs = 30_000;

conformanceSuite({
  name: 'vk-mock conformance (status pushed)',
  setup: () => setup('vk-conf-push', {}),
  watchTimeoutMs,
});

conformanceSuite({
  name: 'vk-mock conformance (status polled)',
  setup: () => setup('vk-conf-poll', { pushStatus: false }),
  watchTimeoutMs,
});
