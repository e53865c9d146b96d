/**
 * The testkit API server in a process of its own, for integration tests that must not share an
 * event loop with the server: spawns the `vk-testkit` bin, waits for its address, and hands back
 * its kubeconfig, CA, admin token and a control client. Every process started here is killed
 * when the test process exits, even if a test never stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { TestkitControlClient } from './control-client.ts';

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

/** The bin sits one level above both `src/` and `dist/`. */
function testkitBin(): string {
  return fileURLToPath(new URL('../bin/vk-testkit.js', import.meta.url));
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
    const kubeconfig = parseYaml(await readFile(kubeconfigPath, 'utf8')) as {
      clusters?: { cluster?: { 'certificate-authority-data'?: string } }[];
      users?: { user?: { token?: string } }[];
    };
    const caData = kubeconfig.clusters?.[0]?.cluster?.['certificate-authority-data'];
    const token = kubeconfig.users?.[0]?.user?.token;
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
      control: new TestkitControlClient({ url: announced.url, caPem, token }),
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
