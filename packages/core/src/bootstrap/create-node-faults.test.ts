/**
 * The whole core under the API server's faults: every pod transition still happens exactly once
 * and the node lease never lapses.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { startTestkitProcess, type TestkitProcess } from '@vkubelet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlreadyExists } from '../errors/errors.ts';
import { HttpKubeClient } from '../kube/http-kube-client.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { createFakeProvider, type FakeProviderState } from '../pod/test-support/fake-provider.ts';
import { createNode } from './create-node.ts';

type K<T> = T & { metadata: object };

const LEASE_SECONDS = 4;
let server: TestkitProcess;
let client: HttpKubeClient;
let admin: KubeClient;
let state: FakeProviderState;
const stop = new AbortController();
let running: Promise<void>;
const renewals: number[] = [];
let sampling: NodeJS.Timeout;

const signal = (): AbortSignal => AbortSignal.timeout(5000);
const podRef = (name?: string) => ({
  version: 'v1',
  resource: 'pods',
  namespace: 'default',
  ...(name ? { name } : {}),
});

async function phases(prefix: string): Promise<Map<string, string | undefined>> {
  const list = await admin.list<K<Pod>>(podRef(), { signal: signal() });
  return new Map(
    list.items
      .filter(p => p.metadata.name?.startsWith(prefix))
      .map(p => [p.metadata.name ?? '', p.status?.phase]),
  );
}

async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // the API server may be restarting
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

/** Creates pods as a client would through an outage: each retried until it exists. */
async function createPods(prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.create(
          podRef(),
          {
            metadata: { name: `${prefix}-${i}` },
            spec: { nodeName: 'vk-faults', containers: [{ name: 'c', image: 'nginx:1' }] },
          },
          { signal: signal() },
        );
        break;
      } catch (err) {
        if (isAlreadyExists(err)) break;
        if (attempt > 50) throw err;
        await new Promise(r => setTimeout(r, 100));
      }
    }
  }
}

async function deleteAll(prefix: string): Promise<void> {
  for (const name of (await phases(prefix)).keys())
    await admin.delete(podRef(name), { signal: signal() });
  await until(async () => (await phases(prefix)).size === 0, `${prefix} pods gone`);
}

beforeAll(async () => {
  server = await startTestkitProcess({ bookmarkIntervalMs: 300 });
  client = await HttpKubeClient.fromKubeconfig({
    path: server.kubeconfigPath,
    userAgent: 'vkubelet-faults/core',
  });
  admin = await HttpKubeClient.fromKubeconfig({
    path: server.kubeconfigPath,
    userAgent: 'test-admin',
  });
  const fake = createFakeProvider();
  state = fake.state;
  const node = createNode({
    provider: fake.provider,
    client,
    nodeName: 'vk-faults',
    leaseDurationSeconds: LEASE_SECONDS,
    pingIntervalMs: 200,
  });
  running = node.run(stop.signal);
  await node.waitReady(20_000);
  // Record each distinct renewTime the API server holds.
  sampling = setInterval(() => {
    admin
      .get<K<Lease>>(
        {
          group: 'coordination.k8s.io',
          version: 'v1',
          resource: 'leases',
          namespace: 'kube-node-lease',
          name: 'vk-faults',
        },
        { signal: signal() },
      )
      .then(l => {
        const t = Date.parse(l.spec?.renewTime ?? '');
        if (Number.isFinite(t) && t !== renewals.at(-1)) renewals.push(t);
      })
      .catch(() => undefined);
  }, 100);
}, 60_000);

afterAll(async () => {
  clearInterval(sampling);
  stop.abort();
  await running;
  client.close();
  admin.close();
  await server.stop();
});

describe('createNode under API server faults', () => {
  it('retries 409s and 429s (honouring Retry-After) on status writes, losing nothing', async () => {
    await server.control.fault({
      op: 'injectError',
      match: {
        userAgent: 'vkubelet-faults',
        verbs: ['patch'],
        resource: 'pods',
        subresource: 'status',
      },
      error: { code: 409 },
      times: 3,
    });
    await server.control.fault({
      op: 'injectError',
      match: {
        userAgent: 'vkubelet-faults',
        verbs: ['patch'],
        resource: 'pods',
        subresource: 'status',
      },
      error: { code: 429, retryAfterSeconds: 1 },
      times: 2,
    });
    await createPods('conflict', 5);
    await until(
      async () =>
        [...(await phases('conflict')).values()].every(p => p === 'Running') &&
        (await phases('conflict')).size === 5,
      'conflict pods Running',
    );
    const requests = await server.control.requests('vkubelet-faults');
    const outcomes = (o: string) =>
      requests
        .filter(r => r.resource === 'pods/status' && r.outcome === o)
        .reduce((n, r) => n + r.count, 0);
    expect(outcomes('409')).toBe(3);
    expect(outcomes('429')).toBe(2);
    await deleteAll('conflict');
    expect([...state.pods.keys()].filter(k => k.includes('conflict'))).toEqual([]);
  });

  it('recovers from dropped watches and 410s mid-burst', async () => {
    const creating = createPods('burst', 20);
    await server.control.fault({ op: 'dropWatches', match: { resource: 'pods' } });
    await server.control.fault({ op: 'expireNextWatch', match: { resource: 'pods' } });
    await server.control.fault({ op: 'compact' });
    await server.control.fault({ op: 'dropWatches', match: { resource: 'pods' } });
    await creating;
    await until(async () => {
      const p = await phases('burst');
      return p.size === 20 && [...p.values()].every(x => x === 'Running');
    }, 'burst pods Running');
    for (let i = 0; i < 20; i++) expect(state.count('createPod', `default/burst-${i}`)).toBe(1);
    await deleteAll('burst');
  });

  it('rides out an API server restart, and the lease never lapses', async () => {
    await createPods('restart', 5);
    const restartAt = Date.now();
    await server.control.restart(1500);
    await createPods('after', 5);
    await until(async () => {
      const p = new Map([...(await phases('restart')), ...(await phases('after'))]);
      return p.size === 10 && [...p.values()].every(x => x === 'Running');
    }, 'pods Running after the restart');
    await deleteAll('restart');
    await deleteAll('after');
    // Renewals are observed on both sides of the outage, and none is ever a lease duration late.
    await until(async () => renewals.some(t => t > restartAt + 3000), 'renewals after the restart');
    expect(renewals.some(t => t < restartAt)).toBe(true);
    const gaps = renewals.slice(1).map((t, i) => t - (renewals[i] ?? t));
    expect(Math.max(...gaps)).toBeLessThan(LEASE_SECONDS * 1000);
  }, 60_000);
});
