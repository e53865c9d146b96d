/**
 * Runs the testkit API server in a process of its own, as integration tests must: the server's
 * work (and its pauses) never share an event loop with the code under test. Faults, request
 * counts and restarts go through `control`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import type * as Testkit from '@vkubelet/testkit';
import type { TestkitControlClient } from '@vkubelet/testkit';

export interface TestkitProcessOptions {
  /** BOOKMARK period of watches that allow them (the server's default is 60 s). */
  readonly bookmarkIntervalMs?: number;
  /** Bind unscheduled pods to Ready nodes. */
  readonly scheduler?: boolean;
  /** How long to wait for the server to print its address. @default 20000 */
  readonly startTimeoutMs?: number;
}

export interface TestkitProcess {
  readonly url: string;
  /** An admin kubeconfig file for the server. */
  readonly kubeconfigPath: string;
  readonly caPem: string;
  /** The admin bearer token. */
  readonly token: string;
  readonly pid: number;
  readonly control: TestkitControlClient;
  /** Ends the process (SIGTERM, then SIGKILL) and removes the kubeconfig. */
  stop(): Promise<void>;
}

/** Every process started here, so none outlives the test run even when a test never stops it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

const testkitManifest = (): string =>
  createRequire(import.meta.url).resolve('@vkubelet/testkit/package.json');

function testkitBin(): string {
  return join(dirname(testkitManifest()), 'bin', 'vk-testkit.js');
}

/** The testkit's module (resolved to its sources under vitest through the `source` condition). */
async function loadTestkit(): Promise<typeof Testkit> {
  return import('@vkubelet/testkit');
}

export async function startTestkitProcess(
  options: TestkitProcessOptions = {},
): Promise<TestkitProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'vk-testkit-'));
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  const args = [testkitBin(), '--port', '0', '--kubeconfig-out', kubeconfigPath];
  if (options.bookmarkIntervalMs !== undefined) {
    args.push('--bookmark-interval', String(options.bookmarkIntervalMs));
  }
  if (options.scheduler === true) args.push('--scheduler');

  installExitHook();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<void>(resolve => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const line = await firstLine(child, options.startTimeoutMs ?? 20_000, () => stderr);
    const announced = JSON.parse(line) as { url: string; pid: number };
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(kubeconfigPath, 'utf8'));
    const caData = kc.getCurrentCluster()?.caData;
    const token = kc.getCurrentUser()?.token;
    if (caData === undefined || token === undefined) {
      throw new Error('the testkit kubeconfig has no CA data or token');
    }
    const caPem = Buffer.from(caData, 'base64').toString('utf8');
    return {
      url: announced.url,
      kubeconfigPath,
      caPem,
      token,
      pid: announced.pid,
      control: new (await loadTestkit()).TestkitControlClient({ url: announced.url, caPem, token }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function firstLine(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error('the testkit process has no stdout'));
  return new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    const finish = (result: Error | string): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      stdout.resume(); // keep draining: a full pipe would block the server
      if (typeof result === 'string') resolve(result);
      else reject(result);
    };
    const timer = setTimeout(() => {
      finish(new Error(`the testkit did not start within ${timeoutMs} ms: ${stderr()}`));
    }, timeoutMs);
    const onExit = (code: number | null): void => {
      finish(new Error(`the testkit exited (${code ?? 'signal'}) before starting: ${stderr()}`));
    };
    lines.once('line', line => {
      finish(line);
    });
    child.once('exit', onExit);
  });
}
