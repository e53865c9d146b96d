/**
 * How fast the testkit API server is, so that benchmarks of the virtual kubelet know they are
 * not measuring it: creates, a 10,000-pod list (whole and paged), and watch delivery at a fixed
 * event rate. The server runs as its own process (the `vk-testkit` bin); this is the client.
 *
 *   npm run bench -w @vkubelet/testkit [-- --pods 10000 --rate 1000 --seconds 5]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '32' },
  },
});
const PODS = Number(values.pods);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);

const kubeconfigPath = join(tmpdir(), `vk-testkit-bench-${process.pid}.yaml`);
const child = spawn(
  process.execPath,
  [
    join(import.meta.dirname, '..', 'bin', 'vk-testkit.js'),
    '--port',
    '0',
    '--kubeconfig-out',
    kubeconfigPath,
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
const { url } = JSON.parse(line) as { url: string };
const config = parseYaml(await readFile(kubeconfigPath, 'utf8')) as {
  clusters: { cluster: { 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
};
const ca = Buffer.from(
  config.clusters[0]?.cluster['certificate-authority-data'] ?? '',
  'base64',
).toString();
const token = config.users[0]?.user.token ?? '';
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });

function call(
  method: string,
  path: string,
  body?: unknown,
  type = 'application/json',
): Promise<{ status: number; bytes: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(payload !== undefined
            ? { 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, bytes: buf.length, text: buf.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function pool(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

const pod = (i: number) => ({
  metadata: { name: `bench-${i}`, labels: { app: 'bench', shard: String(i % 10) } },
  spec: {
    nodeName: 'bench-node',
    containers: [
      { name: 'c', image: 'registry.example/app:1.0', env: [{ name: 'I', value: String(i) }] },
    ],
  },
});

const results: [string, string][] = [];
const report = (what: string, value: string): void => {
  results.push([what, value]);
  process.stdout.write(`${what}: ${value}\n`);
};

try {
  let t = performance.now();
  await pool(PODS, async i => {
    const res = await call('POST', '/api/v1/namespaces/default/pods', pod(i));
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.text}`);
  });
  const s = (performance.now() - t) / 1000;
  report(`create ${PODS} pods (${CONCURRENCY} in flight)`, `${(PODS / s).toFixed(0)} pods/s`);

  for (let run = 0; run < 3; run++) {
    t = performance.now();
    const all = await call('GET', '/api/v1/pods');
    const ms = performance.now() - t;
    if (run === 2)
      report(
        `list ${PODS} pods in one response (${(all.bytes / 1e6).toFixed(1)} MB)`,
        `${ms.toFixed(0)} ms`,
      );
  }
  t = performance.now();
  let pages = 0;
  let cont = '';
  do {
    const page = await call('GET', `/api/v1/pods?limit=500${cont ? `&continue=${cont}` : ''}`);
    cont = (JSON.parse(page.text) as { metadata: { continue?: string } }).metadata.continue ?? '';
    pages += 1;
  } while (cont);
  report(
    `list ${PODS} pods in pages of 500 (${pages} pages)`,
    `${(performance.now() - t).toFixed(0)} ms`,
  );
  t = performance.now();
  const selected = await call(
    'GET',
    '/api/v1/pods?labelSelector=shard%3D3&fieldSelector=spec.nodeName%3Dbench-node',
  );
  report(
    `list with label+field selector (${(JSON.parse(selected.text) as { items: unknown[] }).items.length} of ${PODS})`,
    `${(performance.now() - t).toFixed(0)} ms`,
  );

  // Watch delivery: patches at a fixed rate, each stamped; the watcher measures lag on arrival.
  const lags: number[] = [];
  const list = JSON.parse((await call('GET', '/api/v1/namespaces/default/pods?limit=1')).text) as {
    metadata: { resourceVersion: string };
  };
  const watchReq = request(
    new URL(
      `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      url,
    ),
    { ca, headers: { Authorization: `Bearer ${token}` } },
  );
  watchReq.end();
  const [res] = (await once(watchReq, 'response')) as [IncomingMessage];
  let buffer = '';
  res.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const event = JSON.parse(buffer.slice(0, nl)) as {
        object: { metadata: { annotations?: Record<string, string> } };
      };
      buffer = buffer.slice(nl + 1);
      const sent = Number(event.object.metadata.annotations?.sent ?? NaN);
      if (!Number.isNaN(sent)) lags.push(Date.now() - sent);
    }
  });
  const total = RATE * SECONDS;
  const start = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * RATE) + 1);
    const batch: Promise<unknown>[] = [];
    for (; sent < due; sent++) {
      const i = sent % PODS;
      batch.push(
        call(
          'PATCH',
          `/api/v1/namespaces/default/pods/bench-${i}`,
          { metadata: { annotations: { sent: String(Date.now()) } } },
          'application/merge-patch+json',
        ),
      );
    }
    await Promise.all(batch);
    await new Promise(r => setTimeout(r, 5));
  }
  const elapsed = (Date.now() - start) / 1000;
  const deadline = Date.now() + 10_000;
  while (lags.length < total && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
  lags.sort((a, b) => a - b);
  const pct = (p: number): number =>
    lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? NaN;
  report(
    `watch: ${total} events offered at ${RATE}/s`,
    `${(total / elapsed).toFixed(0)} writes/s achieved, ${lags.length} delivered, lag p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${lags.at(-1) ?? NaN} ms`,
  );
  watchReq.destroy();
} finally {
  agent.destroy();
  child.kill('SIGTERM');
}
