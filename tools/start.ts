/**
 * `npm start`: a local cluster with a virtual node. Starts the testkit API server (with its
 * scheduler) in this process and vk-mock as a process of its own, as an operator would run it;
 * writes an admin kubeconfig to .vkubelet/kubeconfig, shows progress until the node is Ready,
 * prints what to try, and stops both cleanly on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TestApiServer } from '@vkubelet/testkit';
import { shebangLaunch } from './shebang-args.ts';

const root = join(import.meta.dirname, '..');
const dir = join(root, '.vkubelet');
const kubeconfigPath = join(dir, 'kubeconfig');
const nodeName = process.env.VKUBELET_NODE_NAME ?? 'vk-mock';
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** A free TCP port on loopback (10250, the kubelet's, when it is free). */
async function freePort(preferred: number): Promise<number> {
  for (const port of [preferred, 0]) {
    const server = createServer();
    try {
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      const address = server.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : port;
      server.close();
      return chosen;
    } catch {
      server.close();
    }
  }
  throw new Error('no free port');
}

say('vkubelet: starting a local Kubernetes API server (testkit)...');
const server = await TestApiServer.start({
  scheduler: true,
  port: Number(process.env.VKUBELET_API_PORT ?? 0),
  onError: (source, err) => {
    say(`  [api ${source}] ${String(err)}`);
  },
});
await mkdir(dir, { recursive: true });
await writeFile(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
say(`  API server  ${server.url}`);
say(`  kubeconfig  ${kubeconfigPath}`);

const kubeletPort = await freePort(10250);
// The kubelet API's serving certificate, and the CA its clients (the API server) present, from the testkit's CA.
const serving = await server.issueServingCertificate({
  commonName: nodeName,
  dnsNames: [nodeName],
  ipAddresses: ['127.0.0.1'],
});
await writeFile(join(dir, 'kubelet.crt'), serving.certPem);
await writeFile(join(dir, 'kubelet.key'), serving.keyPem, { mode: 0o600 });
await writeFile(join(dir, 'ca.crt'), server.caPem);
say(`vkubelet: starting vk-mock (node ${nodeName}, kubelet port ${kubeletPort})...`);
const logFile = join(dir, 'vk-mock.log');
const { openSync } = await import('node:fs');
const log = openSync(logFile, 'w');
const vkBin = join(root, 'apps', 'vk-mock', 'bin', 'vk-mock.js');
const launch = shebangLaunch(vkBin);
const vk: ChildProcess = spawn(
  process.execPath,
  [
    ...launch.nodeArgs,
    vkBin,
    '--kubeconfig',
    kubeconfigPath,
    '--nodename',
    nodeName,
    '--node-ip',
    '127.0.0.1',
    '--metrics-addr',
    '',
  ],
  {
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      ...launch.env,
      KUBELET_PORT: String(kubeletPort),
      APISERVER_CERT_LOCATION: join(dir, 'kubelet.crt'),
      APISERVER_KEY_LOCATION: join(dir, 'kubelet.key'),
      APISERVER_CA_CERT_LOCATION: join(dir, 'ca.crt'),
    },
  },
);
say(`  logs        ${logFile}`);

let stopping = false;
const stop = async (code: number): Promise<void> => {
  if (stopping) return;
  stopping = true;
  say('\nvkubelet: stopping...');
  if (vk.exitCode === null) {
    vk.kill('SIGTERM');
    const exited = await Promise.race([
      once(vk, 'exit').then(() => true),
      new Promise<boolean>(r => {
        setTimeout(() => {
          r(false);
        }, 10_000);
      }),
    ]);
    if (!exited) vk.kill('SIGKILL');
  }
  await server.stop();
  say('vkubelet: stopped.');
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
vk.on('exit', code => {
  if (!stopping) {
    say(`vk-mock exited unexpectedly (code ${String(code)}); see ${logFile}`);
    void stop(1);
  }
});

// Progress until the node is Ready, from the API server's own state.
const started = Date.now();
for (;;) {
  const node = server.store.get('nodes', undefined, nodeName) as
    { status?: { conditions?: { type: string; status: string }[] } } | undefined;
  const ready =
    node?.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') ?? false;
  if (ready) break;
  if (Date.now() - started > 60_000) {
    say(`vk-mock did not become Ready within 60 s; see ${logFile}`);
    await stop(1);
  }
  process.stdout.write(
    `\r  waiting for node ${nodeName} to be Ready... ${Math.round((Date.now() - started) / 1000)}s`,
  );
  await new Promise(r => setTimeout(r, 250));
}
say(`\r  node ${nodeName} is Ready (${((Date.now() - started) / 1000).toFixed(1)}s)              `);
say('');
say('Try:');
say(`  export KUBECONFIG=${kubeconfigPath}`);
say('  kubectl get nodes -o wide');
say('  kubectl apply -f examples/pod.yaml');
say('  kubectl get pods -o wide -w');
say('  kubectl describe pod example');
say('  kubectl logs example --tail=3');
say(`  kubectl get --raw /api/v1/nodes/${nodeName}/proxy/stats/summary`);
say('  kubectl delete -f examples/pod.yaml');
say('');
say('Press Ctrl-C to stop.');
