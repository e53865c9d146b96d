/**
 * vk-mock in its other modes: a provider that cannot push status (the core polls it), several
 * virtual nodes from one process and one config file, the Prometheus metrics endpoint, and a
 * kubelet serving certificate requested by CSR (`--serving-cert-mode csr`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { startTestkitProcess, type TestkitProcess } from '@vkubelet/testkit';
import { freePort } from './test-support/free-port.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const BIN = fileURLToPath(new URL('../bin/vk-mock.js', import.meta.url));

let server: TestkitProcess;
let dir: string;
let vk: ChildProcess;
let metricsPort = 0;

function kubectl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise(resolve => {
    execFile(
      KUBECTL,
      ['--kubeconfig', server.kubeconfigPath, ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
      },
    );
  });
}

async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}: ${(await readFile(join(dir, 'vk.log'), 'utf8').catch(() => '')).slice(-3000)}`,
      );
    await new Promise(r => setTimeout(r, 200));
  }
}

const nodeReady = async (name: string): Promise<boolean> =>
  (
    await kubectl([
      'get',
      'node',
      name,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ])
  ).stdout === 'True';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vk-mock-modes-'));
  server = await startTestkitProcess();
  metricsPort = await freePort();
  const [p1, p2] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, 'vk.yaml'),
    `kubeconfig: ${server.kubeconfigPath}
metricsAddr: "127.0.0.1:${metricsPort}"
providerConfig: ${join(dir, 'mock.json')}
nodes:
  - nodeName: vk-push
    kubeletPort: ${p1}
  - nodeName: vk-poll
    kubeletPort: ${p2}
`,
  );
  await writeFile(
    join(dir, 'mock.json'),
    JSON.stringify({ 'vk-push': { cpu: '4' }, 'vk-poll': { cpu: '8', pushStatus: false } }),
  );
  const log = openSync(join(dir, 'vk.log'), 'a');
  // The bin itself, as an operator runs it: its shebang's node flags (--expose-gc...) apply.
  vk = spawn(BIN, ['--config', join(dir, 'vk.yaml')], {
    stdio: ['ignore', log, log],
  });
  await until(
    async () => (await nodeReady('vk-push')) && (await nodeReady('vk-poll')),
    'both nodes Ready',
  );
}, 90_000);

afterAll(async () => {
  if (vk.exitCode === null) {
    const exited = once(vk, 'exit');
    vk.kill('SIGTERM');
    await exited;
  }
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('vk-mock modes', () => {
  it('serves two virtual nodes from one process, each with its own capacity, lease and port', async () => {
    const capacity = await kubectl([
      'get',
      'nodes',
      'vk-push',
      'vk-poll',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.capacity.cpu}:{.status.daemonEndpoints.kubeletEndpoint.Port} {end}',
    ]);
    const pairs = capacity.stdout.trim().split(' ');
    expect(pairs.map(p => p.split(':')[0])).toEqual(['vk-push=4', 'vk-poll=8']);
    expect(new Set(pairs.map(p => p.split(':')[1])).size).toBe(2);
    const leases = await kubectl([
      'get',
      'leases',
      '-n',
      'kube-node-lease',
      '-o',
      'jsonpath={.items[*].spec.holderIdentity}',
    ]);
    expect(leases.stdout.split(' ').sort()).toEqual(['vk-poll', 'vk-push']);
  });

  it('runs and deletes a pod on a provider that cannot push status (the core polls it)', async () => {
    const created = await kubectl([
      'run',
      'polled',
      '--image=nginx:1.27',
      '--overrides',
      JSON.stringify({ spec: { nodeName: 'vk-poll' } }),
    ]);
    expect(created.stdout).toBe('pod/polled created\n');
    await until(
      async () =>
        (await kubectl(['get', 'pod', 'polled', '-o', 'jsonpath={.status.phase}'])).stdout ===
        'Running',
      'the polled pod Running',
    );
    const ip = await kubectl(['get', 'pod', 'polled', '-o', 'jsonpath={.status.podIP}']);
    expect(ip.stdout).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // No certificate files were given: the kubelet API serves a self-signed certificate and trusts
    // the kubeconfig's CA for the API server's client certificate.
    await until(
      async () => (await kubectl(['logs', 'polled', '--tail=1'])).stdout.includes('polled line'),
      'logs through the self-signed kubelet API',
    );
    const deleted = await kubectl(['delete', 'pod', 'polled', '--timeout=60s']);
    expect(deleted.stdout).toBe('pod "polled" deleted\n');
    expect((await kubectl(['get', 'pod', 'polled'])).stderr).toContain('pods "polled" not found');
  }, 90_000);

  it('exposes its own Prometheus metrics, labelled by node', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/vkubelet_queue_depth\{node="vk-push",queue="pod-sync"\} \d+/);
    expect(text).toMatch(/vkubelet_lease_renew_lateness_seconds_count\{node="vk-poll"\} [1-9]/);
    expect(text).toMatch(
      /vkubelet_provider_call_duration_seconds_count\{node="vk-poll",call="createPod",outcome="ok"\} 1/,
    );
    expect(text).toContain('vkubelet_process_resident_memory_bytes');
  });

  it('compacts its heap once it goes quiet (the bin runs node with --expose-gc)', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    await until(
      async () => /^vkubelet_heap_compaction_pause_seconds_count [1-9]/m.test(await scrape()),
      'a heap compaction',
    );
    expect(await scrape()).toMatch(/^vkubelet_heap_compaction_freed_bytes_total [1-9]/m);
    expect(await readFile(join(dir, 'vk.log'), 'utf8')).toContain(
      'heap compacted after a quiet spell',
    );
  }, 90_000);
});

describe('vk-mock with its serving certificate by CSR', () => {
  const NODE = 'vk-csr';
  let csrVk: ChildProcess;
  let kubeletPort = 0;

  /** Names of the kubelet-serving CSRs nobody has decided on yet. */
  const pendingServingCsrs = async (): Promise<string[]> => {
    const list = JSON.parse(
      (await kubectl(['get', 'csr', '-o', 'json'])).stdout || '{"items":[]}',
    ) as {
      items: {
        metadata: { name: string };
        spec: { signerName: string };
        status?: { conditions?: unknown[] };
      }[];
    };
    return list.items
      .filter(
        c =>
          c.spec.signerName === 'kubernetes.io/kubelet-serving' &&
          (c.status?.conditions ?? []).length === 0,
      )
      .map(c => c.metadata.name);
  };

  /** The certificate the kubelet API presents, verified against the cluster CA and 127.0.0.1. */
  const servedCertificate = (): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: kubeletPort, ca: server.caPem }, () => {
        resolve(socket.getPeerCertificate().raw);
        socket.destroy();
      });
      socket.on('error', reject);
    });

  beforeAll(async () => {
    kubeletPort = await freePort();
    const log = openSync(join(dir, 'vk-csr.log'), 'a');
    csrVk = spawn(
      process.execPath,
      [
        BIN,
        '--kubeconfig',
        server.kubeconfigPath,
        '--nodename',
        NODE,
        '--node-ip',
        '127.0.0.1',
        '--kubelet-port',
        String(kubeletPort),
        '--metrics-addr',
        '',
        '--serving-cert-mode',
        'csr',
      ],
      { stdio: ['ignore', log, log] },
    );
    await until(() => nodeReady(NODE), `${NODE} Ready`);
  }, 90_000);

  afterAll(async () => {
    if (csrVk.exitCode === null) {
      const exited = once(csrVk, 'exit');
      csrVk.kill('SIGTERM');
      await exited;
    }
  });

  it('runs pods while the CSR is pending, then serves kubectl logs once kubectl certificate approve lets it through', async () => {
    await until(async () => (await pendingServingCsrs()).length === 1, 'the serving CSR');
    const [csr = ''] = await pendingServingCsrs();
    const listed = await kubectl(['get', 'csr', csr, '--no-headers']);
    expect(listed.stdout).toMatch(new RegExp(`^${csr}\\s.*kubernetes.io/kubelet-serving.*Pending`));

    // The node works without its kubelet API; the API itself does not listen yet.
    const created = await kubectl([
      'run',
      'csr-logs',
      '--image=nginx:1.27',
      '--overrides',
      JSON.stringify({ spec: { nodeName: NODE } }),
    ]);
    expect(created.stdout).toBe('pod/csr-logs created\n');
    await until(
      async () =>
        (await kubectl(['get', 'pod', 'csr-logs', '-o', 'jsonpath={.status.phase}'])).stdout ===
        'Running',
      'the csr-logs pod Running',
    );
    const early = await kubectl(['logs', 'csr-logs', '--tail=1']);
    expect(early.code).not.toBe(0);
    await expect(servedCertificate()).rejects.toThrow(/ECONNREFUSED/);

    const approved = await kubectl(['certificate', 'approve', csr]);
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toBe(`certificatesigningrequest.certificates.k8s.io/${csr} approved\n`);
    await until(
      async () =>
        (await kubectl(['logs', 'csr-logs', '--tail=1'])).stdout.includes('csr-logs line'),
      'logs through the kubelet API with the issued certificate',
    );
    const issued = await kubectl(['get', 'csr', csr, '-o', 'jsonpath={.status.certificate}']);
    const certificate = new X509Certificate(Buffer.from(issued.stdout, 'base64'));
    expect(certificate.subject).toContain(`CN=system:node:${NODE}`);
    expect(certificate.subjectAltName).toBe(`DNS:${NODE}, IP Address:127.0.0.1`);
    expect((await servedCertificate()).equals(certificate.raw)).toBe(true);
    expect((await kubectl(['get', 'csr', csr, '--no-headers'])).stdout).toMatch(/Approved,Issued/);

    const deleted = await kubectl(['delete', 'pod', 'csr-logs', '--timeout=60s']);
    expect(deleted.stdout).toBe('pod "csr-logs" deleted\n');
  }, 120_000);
});
