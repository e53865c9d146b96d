/**
 * vk-mock as an operator runs it: a process of its own against a standalone testkit API server,
 * driven and checked with the real kubectl.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KUBECTL,
  podManifest,
  startCluster,
  until as poll,
  type E2eCluster,
  type KubectlResult,
} from './test-support/cluster.ts';
import { freePort } from './test-support/free-port.ts';

const NODE = 'vk-e2e';

let cluster: E2eCluster;
let dir: string;

const kubectl = (args: string[], timeoutMs = 60_000): Promise<KubectlResult> =>
  cluster.kubectl(args, { timeoutMs });
const kubectlEnv = (
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<KubectlResult> =>
  cluster.kubectl(args, { env, timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) });
const kubectlOk = (args: string[], timeoutMs?: number): Promise<string> =>
  cluster.kubectlOk(args, timeoutMs !== undefined ? { timeoutMs } : {});
const stopVk = (signal: NodeJS.Signals): Promise<number | null> => cluster.stopVk(signal);
const startVk = (): void => {
  cluster.startVk();
};
const nodeReady = (): Promise<void> => cluster.nodeReady();

interface PodList {
  items: {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    spec: { nodeName?: string };
    status: {
      phase?: string;
      podIP?: string;
      containerStatuses?: { state?: { running?: { startedAt?: string } } }[];
    };
  }[];
}

/** The pods the provider runs, as the kubelet API's /runningpods/ lists them. */
async function providerPods(): Promise<PodList['items']> {
  const raw = await kubectlOk(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/runningpods/`]);
  return (JSON.parse(raw) as PodList).items;
}

async function pods(selector: string): Promise<PodList['items']> {
  return (JSON.parse(await kubectlOk(['get', 'pods', '-l', selector, '-o', 'json'])) as PodList)
    .items;
}

/** Polls until `ok`; a timeout shows the vk-mock log. */
async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  try {
    return await poll(read, ok, what, timeoutMs);
  } catch (err) {
    throw new Error(
      `${(err as Error).message}; vk-mock log: ${(await cluster.log()).slice(0, 4000)}`,
      { cause: err },
    );
  }
}

beforeAll(async () => {
  // The mock keeps its pods in a state file, as a cloud keeps them while vk-mock is down.
  cluster = await startCluster({
    nodeName: NODE,
    providerConfig: folder => ({ stateFile: join(folder, 'mock-state.jsonl') }),
  });
  dir = cluster.dir;
}, 90_000);

afterAll(async () => {
  await cluster.stop();
});

describe('vk-mock with kubectl', () => {
  it('registers a Ready node that kubectl shows with its taint and labels', async () => {
    const wide = await kubectlOk(['get', 'node', NODE, '-o', 'wide']);
    expect(wide).toMatch(
      new RegExp(`^${NODE}\\s+Ready\\s+agent\\s+\\S+\\s+v1\\.33\\.0-vkubelet-`, 'm'),
    );
    const taints = await kubectlOk([
      'get',
      'node',
      NODE,
      '-o',
      'jsonpath={.spec.taints[*].key}={.spec.taints[*].value}:{.spec.taints[*].effect}',
    ]);
    expect(taints).toBe('virtual-kubelet.io/provider=mock:NoSchedule');
    const lease = await kubectlOk([
      'get',
      'lease',
      '-n',
      'kube-node-lease',
      NODE,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    expect(lease).toBe(NODE);
  });

  it('serves the kubelet API through the API server: logs, /pods, stats and metrics agree with the mock', async () => {
    const file = join(dir, 'logs.yaml');
    await writeFile(file, podManifest('logs', 1));
    await kubectlOk(['apply', '-f', file]);
    await until(
      () => pods('app=logs'),
      list => list[0]?.status.phase === 'Running',
      'the logs pod Running',
    );
    // The mock writes a line per interval from the pod's start: wait for two, then take the last two.
    await until(
      () => kubectlOk(['logs', 'logs-0']),
      out => out.trim().split('\n').length >= 3,
      'three log lines',
    );
    const logs = await kubectlOk(['logs', 'logs-0', '--tail=2']);
    expect(logs.trim().split('\n')).toHaveLength(2);
    expect(logs).toMatch(/^\S+Z app line \d+$/m);
    // --timestamps puts the kubelet's own RFC 3339 stamp before each line.
    const stamped = await kubectlOk(['logs', 'logs-0', '--tail=1', '--timestamps']);
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \S+Z app line \d+\n$/);
    const podList = JSON.parse(
      await kubectlOk(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/pods`]),
    ) as PodList & { kind: string };
    expect(podList.kind).toBe('PodList');
    expect(podList.items.map(p => p.metadata.name)).toContain('logs-0');
    const summary = JSON.parse(
      await kubectlOk(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/stats/summary`]),
    ) as { node: { nodeName: string }; pods: { podRef: { name: string } }[] };
    expect(summary.node.nodeName).toBe(NODE);
    expect(summary.pods.map(p => p.podRef.name)).toContain('logs-0');
    const metrics = await kubectlOk([
      'get',
      '--raw',
      `/api/v1/nodes/${NODE}/proxy/metrics/resource`,
    ]);
    expect(metrics).toMatch(/pod_cpu_usage_seconds_total\{namespace="default",pod="logs-0"\}/);
    // exec over WebSocket (kubectl's default) and over SPDY, with exit codes propagated.
    for (const websockets of ['true', 'false']) {
      const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: websockets };
      const echo = await kubectlEnv(['exec', 'logs-0', '--', 'echo', 'hello', 'world'], env);
      expect([echo.code, echo.stdout]).toEqual([0, 'hello world\n']);
      const failing = await kubectlEnv(['exec', 'logs-0', '--', 'sh', '-c', 'exit 3'], env);
      expect(failing.code).toBe(3);
      expect(failing.stderr).toContain('command terminated with exit code 3');
      const piped = await kubectlEnv(['exec', '-i', 'logs-0', '--', 'cat'], env, 'through stdin\n');
      expect(piped.stdout).toBe('through stdin\n');
    }
    // port-forward over SPDY and over the WebSocket tunnel: bytes go both ways (the mock echoes).
    for (const websockets of ['false', 'true']) {
      const local = await freePort();
      const pf = spawn(
        KUBECTL,
        ['--kubeconfig', cluster.kubeconfig, 'port-forward', 'pod/logs-0', `${local}:8080`],
        {
          env: { ...process.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: websockets },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        let out = '';
        pf.stdout.on('data', (d: Buffer) => (out += d.toString()));
        await until(
          async () => out,
          o => o.includes('Forwarding from'),
          'port-forward to listen',
          15_000,
        );
        const echoed = await new Promise<string>((resolve, reject) => {
          const c = createConnection(local, '127.0.0.1', () => {
            c.end('ping over port-forward');
          });
          let got = '';
          c.on('data', d => (got += d.toString()));
          c.on('end', () => {
            resolve(got);
          });
          c.on('error', reject);
        });
        expect(echoed).toBe('ping over port-forward');
      } finally {
        pf.kill();
      }
    }
    const limited = await kubectlOk(['logs', 'logs-0', '--limit-bytes=10']);
    expect(limited).toHaveLength(10);
    const since = await kubectlOk(['logs', 'logs-0', '--since=1h']);
    expect(since.trim().split('\n').length).toBeGreaterThanOrEqual(3);
    const badTail = await kubectl([
      'get',
      '--raw',
      `/api/v1/nodes/${NODE}/proxy/containerLogs/default/logs-0/app?tailLines=-5`,
    ]);
    expect(badTail.code).not.toBe(0);
    // attach streams the container's output, over WebSocket and over SPDY.
    for (const websockets of ['true', 'false']) {
      const attach = spawn(KUBECTL, ['--kubeconfig', cluster.kubeconfig, 'attach', 'logs-0'], {
        env: { ...process.env, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: websockets },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let out = '';
        attach.stdout.on('data', (d: Buffer) => (out += d.toString()));
        await until(
          async () => out,
          o => /app line \d+/.test(o),
          `attach output (websockets=${websockets})`,
          15_000,
        );
      } finally {
        attach.kill();
      }
    }
    // logs -f keeps streaming: lines written after it started arrive while it runs.
    const follow = spawn(KUBECTL, ['--kubeconfig', cluster.kubeconfig, 'logs', '-f', 'logs-0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const lineNumbers = (): number[] =>
        [...out.matchAll(/app line (\d+)/g)].map(m => Number(m[1]));
      const first = await until(
        async () => lineNumbers(),
        n => n.length > 0,
        'the first followed lines',
        15_000,
      );
      const last = Math.max(...first);
      await until(
        async () => lineNumbers(),
        n => n.some(line => line >= last + 2),
        'two more lines while following',
        15_000,
      );
      expect(follow.exitCode).toBeNull();
    } finally {
      follow.kill();
    }
    // --previous: this container never restarted; the provider's NotFound is a 404, as upstream.
    const previous = await kubectl(['logs', 'logs-0', '--previous']);
    expect(previous.code).not.toBe(0);
    expect(previous.stderr).toContain('Error from server (NotFound)');
    const missing = await kubectl(['logs', 'logs-0', '-c', 'nope']);
    expect(missing.stderr).toContain('container nope is not valid for pod logs-0');
    await kubectlOk(['delete', '-f', file]);
  }, 120_000);

  it('runs 50 pods from a manifest and removes them all on delete', async () => {
    const file = join(dir, 'fifty.yaml');
    await writeFile(file, podManifest('fifty', 50));
    await kubectlOk(['apply', '-f', file]);
    await kubectlOk(
      ['wait', '--for=condition=Ready', 'pod', '-l', 'app=fifty', '--timeout=90s'],
      100_000,
    );
    const running = await pods('app=fifty');
    expect(running).toHaveLength(50);
    expect(running.every(p => p.status.phase === 'Running' && p.spec.nodeName === NODE)).toBe(true);
    const events = await kubectlOk([
      'get',
      'events',
      '--field-selector',
      'reason=ProviderCreateSuccess',
      '-o',
      'name',
    ]);
    expect(events.trim().split('\n').length).toBeGreaterThanOrEqual(50);

    const deleted = await kubectlOk(
      ['delete', 'pods', '-l', 'app=fifty', '--timeout=90s'],
      100_000,
    );
    expect(deleted.trim().split('\n')).toHaveLength(50);
    expect(await pods('app=fifty')).toEqual([]);
  }, 240_000);

  it('survives a SIGKILL in the middle of creating 200 pods: every pod ends Running once, none lost', async () => {
    const file = join(dir, 'burst.yaml');
    await writeFile(file, podManifest('burst', 200));
    await kubectlOk(['apply', '-f', file], 120_000);
    // Kill it while pods are still being created, then start it again.
    await until(
      () => pods('app=burst'),
      list => list.filter(p => p.status.phase === 'Running').length >= 20,
      'some burst pods Running',
    );
    expect(await stopVk('SIGKILL')).toBeNull();
    const startedBeforeKill = new Map(
      (await pods('app=burst'))
        .filter(p => p.status.phase === 'Running')
        .map(p => [p.metadata.uid, p.status.containerStatuses?.[0]?.state?.running?.startedAt]),
    );
    startVk();
    const final = await until(
      () => pods('app=burst'),
      list => list.length === 200 && list.every(p => p.status.phase === 'Running'),
      'all 200 burst pods Running',
      120_000,
    );
    expect(new Set(final.map(p => p.metadata.uid)).size).toBe(200);
    // Pods that ran before the kill were not started again, and no IP was handed out twice.
    for (const pod of final.filter(p => startedBeforeKill.has(p.metadata.uid))) {
      expect(pod.status.containerStatuses?.[0]?.state?.running?.startedAt).toBe(
        startedBeforeKill.get(pod.metadata.uid),
      );
    }
    expect(new Set(final.map(p => p.status.podIP)).size).toBe(200);
    // The provider runs exactly these 200 pods: no duplicate, no orphan.
    const running = (await providerPods()).filter(p => p.metadata.name.startsWith('burst-'));
    expect(running.map(p => p.metadata.uid).sort()).toEqual(final.map(p => p.metadata.uid).sort());
    await kubectlOk(['delete', 'pods', '-l', 'app=burst', '--timeout=120s'], 130_000);
    expect(await pods('app=burst')).toEqual([]);
    expect((await providerPods()).filter(p => p.metadata.name.startsWith('burst-'))).toEqual([]);
  }, 360_000);

  it('registers the Node again after someone deletes it', async () => {
    const before = await kubectlOk(['get', 'node', NODE, '-o', 'jsonpath={.metadata.uid}']);
    await kubectlOk(['delete', 'node', NODE]);
    const after = await until(
      () => kubectl(['get', 'node', NODE, '-o', 'jsonpath={.metadata.uid}']),
      r => r.code === 0 && r.stdout !== '' && r.stdout !== before,
      'the node to come back',
    );
    expect(after.stdout).not.toBe(before);
    await kubectlOk(['wait', '--for=condition=Ready', `node/${NODE}`, '--timeout=60s'], 70_000);
  }, 120_000);

  it('exits 0 on SIGTERM', async () => {
    expect(await stopVk('SIGTERM')).toBe(0);
    startVk();
    await nodeReady();
  }, 90_000);
});
