/**
 * The virtual kubelet under test: `vk-mock` as its own process (the operator's command line),
 * its Prometheus endpoint scraped for process and controller figures, and its log kept in the
 * results folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { shebangLaunch, type ShebangLaunch } from '../shebang-args.ts';

const root = join(import.meta.dirname, '..', '..');
const vkBin = join(root, 'apps', 'vk-mock', 'bin', 'vk-mock.js');

/** The user agent vk-mock sends (`vk-mock/<version>`); request counts are filtered by it. */
export const VK_USER_AGENT = 'vk-mock/';

/** The environment and node flags vk-mock's bin gives itself. */
export const vkLaunch = (): ShebangLaunch => shebangLaunch(vkBin);

export interface VkOptions {
  readonly kubeconfig: string;
  readonly nodeName: string;
  /** 0 = unthrottled. */
  readonly qps: number;
  readonly burst: number;
  /** The mock's behaviour options (startLatencyMs, rateLimit...), merged into its entry. */
  readonly mock?: Readonly<Record<string, unknown>>;
  readonly dir: string;
  readonly label: string;
  /** Appended to vk-mock's command line. */
  readonly extraArgs?: readonly string[];
}

export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Parses the Prometheus text format (enough of it for prom-client's output). */
export function parseMetrics(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] ?? ''] = l[2] ?? '';
    }
    out.push({ name: m[1] ?? '', labels, value: Number(m[4]) });
  }
  return out;
}

/** Sum of every series named `name` whose labels include `match`. */
export function metricSum(
  series: readonly Series[],
  name: string,
  match: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const s of series) {
    if (s.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

export class VkProcess {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  readonly startedAt: number;
  private readonly exited: Promise<void>;

  private constructor(child: ChildProcess, metricsUrl: string, startedAt: number) {
    this.child = child;
    this.metricsUrl = metricsUrl;
    this.startedAt = startedAt;
    this.exited = new Promise(resolve => {
      if (child.exitCode !== null) resolve();
      else
        child.once('exit', () => {
          resolve();
        });
    });
  }

  static async start(o: VkOptions): Promise<VkProcess> {
    const metricsPort = await freePort();
    const kubeletPort = await freePort();
    const providerConfig = join(o.dir, `provider-${o.label}.json`);
    await writeFile(
      providerConfig,
      JSON.stringify({
        [o.nodeName]: { cpu: '1000', memory: '4Ti', pods: '100000', ...o.mock },
      }),
    );
    const log = openSync(join(o.dir, `vk-mock-${o.label}.log`), 'a');
    const startedAt = performance.now();
    const launch = vkLaunch();
    const child = spawn(
      process.execPath,
      [
        // e.g. VK_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile vk-mock.
        ...launch.nodeArgs,
        ...(process.env.VK_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(a => a !== ''),
        vkBin,
        '--kubeconfig',
        o.kubeconfig,
        '--nodename',
        o.nodeName,
        '--node-ip',
        '127.0.0.1',
        '--kube-api-qps',
        String(o.qps),
        '--kube-api-burst',
        String(o.burst),
        '--provider-config',
        providerConfig,
        '--metrics-addr',
        `127.0.0.1:${metricsPort}`,
        '--kubelet-port',
        String(kubeletPort),
        '--log-level',
        'warn',
        ...(o.extraArgs ?? []),
      ],
      { stdio: ['ignore', log, log], env: { ...process.env, ...launch.env } },
    );
    closeSync(log);
    running.add(child);
    child.once('exit', () => running.delete(child));
    return new VkProcess(child, `http://127.0.0.1:${metricsPort}/metrics`, startedAt);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The current metrics, or undefined while the endpoint is not up. */
  async scrape(): Promise<Series[] | undefined> {
    try {
      const res = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) return undefined;
      return parseMetrics(await res.text());
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.alive) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/** Every vk-mock this process started, killed on exit even after a crash of the runner. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});
