/**
 * An e2e cluster: the testkit API server in a process of its own, one vk-mock process serving
 * its kubelet API with a certificate from the server's CA, and the real kubectl against both.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestkitProcess, type TestkitProcess } from '@vkubelet/testkit';
import { freePort } from './free-port.ts';

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const BIN = fileURLToPath(new URL('../../bin/vk-mock.js', import.meta.url));

export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface KubectlOptions {
  readonly env?: Record<string, string>;
  /** Written to stdin, which is then closed (closed at once without it). */
  readonly input?: string;
  readonly timeoutMs?: number;
}

export interface E2eCluster {
  readonly server: TestkitProcess;
  readonly dir: string;
  readonly nodeName: string;
  readonly kubeconfig: string;
  /** The vk-mock process. */
  readonly vkPid: number;
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  kubectlOk(args: readonly string[], options?: KubectlOptions): Promise<string>;
  /** The vk-mock log so far (for failure messages). */
  log(): Promise<string>;
  /** Stops vk-mock with `signal`; its exit code (null when killed by the signal). */
  stopVk(signal: NodeJS.Signals): Promise<number | null>;
  /** Starts vk-mock again (same flags, port and files); does not wait for the node. */
  startVk(): void;
  /** Waits for the Node to exist, then to be Ready. */
  nodeReady(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly nodeName: string;
  /** More vk-mock flags. */
  readonly vkArgs?: readonly string[];
  /** The mock's entry in `--provider-config` (e.g. a `stateFile` in the cluster's folder). */
  readonly providerConfig?: (dir: string) => Readonly<Record<string, unknown>>;
}

/** Starts the API server and vk-mock, and waits for the node to be Ready. */
export async function startCluster(options: ClusterOptions): Promise<E2eCluster> {
  const dir = await mkdtemp(join(tmpdir(), `${options.nodeName}-`));
  const server = await startTestkitProcess({ scheduler: true });
  let vk: ChildProcess | undefined;
  const kubectl = (args: readonly string[], opts: KubectlOptions = {}): Promise<KubectlResult> =>
    new Promise(resolve => {
      const child = execFile(
        KUBECTL,
        ['--kubeconfig', server.kubeconfigPath, ...args],
        {
          timeout: opts.timeoutMs ?? 60_000,
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, ...opts.env },
        },
        (err, stdout, stderr) => {
          resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
        },
      );
      child.stdin?.end(opts.input);
    });
  const log = (): Promise<string> => readFile(join(dir, 'vk-mock.log'), 'utf8').catch(() => '');
  const kubectlOk = async (args: readonly string[], opts?: KubectlOptions): Promise<string> => {
    const r = await kubectl(args, opts);
    if (r.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    }
    return r.stdout;
  };
  const stopVk = async (signal: NodeJS.Signals): Promise<number | null> => {
    if (!vk || vk.exitCode !== null) return vk?.exitCode ?? null;
    const exited = once(vk, 'exit');
    vk.kill(signal);
    const [code] = (await exited) as [number | null];
    return code;
  };
  const stop = async (): Promise<void> => {
    await stopVk('SIGTERM');
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const nodeReady = async (): Promise<void> => {
    // kubectl wait fails at once for a missing object: wait for it to exist first.
    const deadline = Date.now() + 60_000;
    while ((await kubectl(['get', 'node', options.nodeName, '-o', 'name'])).code !== 0) {
      if (Date.now() > deadline) throw new Error(`node never registered: ${await log()}`);
      await new Promise(r => setTimeout(r, 250));
    }
    await kubectlOk(
      ['wait', '--for=condition=Ready', `node/${options.nodeName}`, '--timeout=60s'],
      {
        timeoutMs: 70_000,
      },
    );
  };
  // Filled in once the files vk-mock needs exist.
  let port = 0;
  const providerArgs: string[] = [];
  const startVk = (): void => {
    const out = openSync(join(dir, 'vk-mock.log'), 'a');
    vk = spawn(
      process.execPath,
      [
        BIN,
        '--kubeconfig',
        server.kubeconfigPath,
        '--nodename',
        options.nodeName,
        '--node-ip',
        '127.0.0.1',
        '--metrics-addr',
        '',
        ...providerArgs,
        ...(options.vkArgs ?? []),
      ],
      {
        stdio: ['ignore', out, out],
        env: {
          ...process.env,
          KUBELET_PORT: String(port),
          APISERVER_CERT_LOCATION: join(dir, 'kubelet.crt'),
          APISERVER_KEY_LOCATION: join(dir, 'kubelet.key'),
          APISERVER_CA_CERT_LOCATION: join(dir, 'ca.crt'),
        },
      },
    );
  };
  try {
    port = await freePort();
    const serving = await server.control.servingCertificate({
      commonName: options.nodeName,
      ipAddresses: ['127.0.0.1'],
    });
    await writeFile(join(dir, 'kubelet.crt'), serving.certPem);
    await writeFile(join(dir, 'kubelet.key'), serving.keyPem);
    await writeFile(join(dir, 'ca.crt'), server.caPem);
    if (options.providerConfig !== undefined) {
      const file = join(dir, 'provider.json');
      await writeFile(file, JSON.stringify({ [options.nodeName]: options.providerConfig(dir) }));
      providerArgs.push('--provider-config', file);
    }
    startVk();
    await nodeReady();
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return {
    server,
    dir,
    nodeName: options.nodeName,
    kubeconfig: server.kubeconfigPath,
    get vkPid() {
      return vk?.pid ?? 0;
    },
    kubectl,
    kubectlOk,
    log,
    stopVk,
    startVk,
    nodeReady,
    stop,
  };
}

/** `count` pods for the mock's node, one container each, with its ports and stdin/tty flags. */
export function podManifest(
  prefix: string,
  count: number,
  container: { ports?: readonly number[]; stdin?: boolean; tty?: boolean } = {},
): string {
  const ports = (container.ports ?? [8080]).map(p => `{ containerPort: ${p} }`).join(', ');
  const flags = `${container.stdin ? ', stdin: true' : ''}${container.tty ? ', tty: true' : ''}`;
  return Array.from(
    { length: count },
    (_, i) => `apiVersion: v1
kind: Pod
metadata:
  name: ${prefix}-${i}
  labels: { app: ${prefix} }
spec:
  containers: [{ name: app, image: "nginx:1.27", ports: [${ports}]${flags} }]
  nodeSelector: { type: virtual-kubelet }
  tolerations: [{ key: virtual-kubelet.io/provider, operator: Exists, effect: NoSchedule }]
`,
  ).join('---\n');
}

/** kubectl's transport for exec/attach: WebSocket (its default since 1.30) or SPDY. */
export const REMOTE_COMMAND = [
  {
    transport: 'WebSocket',
    env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' },
    upgrade: 'websocket',
  },
  { transport: 'SPDY', env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }, upgrade: 'SPDY/3.1' },
] as const;

/** Applies `podManifest(prefix, count, container)` and waits for every pod to be Ready. */
export async function readyPods(
  cluster: E2eCluster,
  prefix: string,
  count: number,
  container: Parameters<typeof podManifest>[2] = {},
): Promise<void> {
  const file = join(cluster.dir, `${prefix}.yaml`);
  await writeFile(file, podManifest(prefix, count, container));
  await cluster.kubectlOk(['apply', '-f', file]);
  await cluster.kubectlOk(
    ['wait', '--for=condition=Ready', 'pod', '-l', `app=${prefix}`, '--timeout=60s'],
    { timeoutMs: 70_000 },
  );
}

/** Polls `read` until `ok`, or throws after `timeoutMs`. */
export async function until<T>(
  read: () => Promise<T> | T,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}
