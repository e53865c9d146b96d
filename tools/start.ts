/**
 * `npm start`: a local cluster to play with. Starts the testkit API server (with its scheduler),
 * writes an admin kubeconfig to .vkubelet/kubeconfig, prints what to try, and stops cleanly on
 * Ctrl-C. The virtual node joins here once the core and vk-mock exist.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestApiServer } from '@vkubelet/testkit';

const root = join(import.meta.dirname, '..');
const dir = join(root, '.vkubelet');
const kubeconfigPath = join(dir, 'kubeconfig');
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

say('vkubelet: starting a local Kubernetes API server (testkit)...');
const server = await TestApiServer.start({
  scheduler: true,
  port: Number(process.env.VKUBELET_API_PORT ?? 0),
  onError: (source, err) => {
    say(`  [${source}] ${String(err)}`);
  },
});
await mkdir(dir, { recursive: true });
await writeFile(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
say(`  API server: ${server.url}`);
say(`  kubeconfig: ${kubeconfigPath}`);
say('');
say('Try:');
say(`  export KUBECONFIG=${kubeconfigPath}`);
say('  kubectl get namespaces');
say('  kubectl apply -f examples/pod.yaml');
say('  kubectl get pods -o wide');
say('  kubectl describe pod example');
say('  kubectl delete -f examples/pod.yaml');
say('');
say('Press Ctrl-C to stop.');

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  say('\nvkubelet: stopping...');
  void server.stop().then(() => {
    say('vkubelet: stopped.');
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
