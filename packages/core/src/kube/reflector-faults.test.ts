/**
 * The reflector against a real API server (the testkit, in its own process) under each fault
 * it must survive. In every case the cache ends equal to the server's state, and the handlers
 * saw every transition exactly once (the Recorder flags any duplicate, gap or no-op).
 *
 * This server sends no bookmarks during a test (its interval is the default 60 s), so a stream
 * the test resumes delivers nothing on its own: what the reflector does next is what the fault
 * made it do. reflector-stall.test.ts covers bookmarks and the inactivity timeout.
 */
import type { ConfigMap } from 'kubernetes-types/core/v1.d.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpKubeClient } from './http-kube-client.ts';
import type { ReflectorOptions } from './reflector.ts';
import { startHarness, type Delivery, type Harness } from './test-support/reflector-harness.ts';
import { startTestkitProcess, type TestkitProcess } from '@vkubelet/testkit';

let kit: TestkitProcess;
let admin: HttpKubeClient;
const signal = new AbortController().signal;

beforeAll(async () => {
  kit = await startTestkitProcess();
  admin = await HttpKubeClient.fromKubeconfig({
    path: kit.kubeconfigPath,
    userAgent: 'reflector-test/admin',
    qps: Infinity,
  });
});

afterAll(async () => {
  admin.close();
  await kit.stop();
});

const harnesses: Harness[] = [];
async function start(
  name: string,
  overrides: Partial<ReflectorOptions<ConfigMap>> = {},
  beforeRun?: (ns: string) => Promise<void>,
): Promise<Harness> {
  const h = await startHarness(kit, admin, name, overrides, beforeRun);
  harnesses.push(h);
  return h;
}

afterAll(async () => {
  for (const h of harnesses) await h.stop();
});

const pick = (ds: readonly Delivery[]): string[] => ds.map(d => `${d.type} ${d.name}@${d.rv}`);
const pickNoRv = (ds: readonly Delivery[]): string[] =>
  ds.map(d => (d.type === 'delete' ? `delete ${d.name}` : `${d.type} ${d.name}@${d.rv}`));

describe('Reflector against the testkit', () => {
  it('lists in pages, syncs, then follows every change', async () => {
    const h = await start('paging', { pageSize: 10 }, async ns => {
      const ref = { version: 'v1', resource: 'configmaps', namespace: ns };
      for (let i = 0; i < 25; i += 1) {
        await admin.create(
          ref,
          {
            metadata: {
              name: `cm-${String(i).padStart(2, '0')}`,
              labels: { owner: 'reflector-test' },
            },
          },
          { signal },
        );
      }
      // Not selected: never delivered.
      await admin.create(ref, { metadata: { name: 'unlabelled' } }, { signal });
    });
    expect(h.reflector.hasSynced()).toBe(true);
    expect(h.reflector.size).toBe(25);
    expect(h.recorder.deliveries.filter(d => d.type === 'add')).toHaveLength(25);
    expect(h.count('list', 200)).toBe(3);
    expect(h.logs.filter(l => l.message === 'listed a page').map(l => l.fields.items)).toEqual([
      10, 10, 5,
    ]);

    const base = h.recorder.deliveries.length;
    const updated = await h.put('cm-03', 'changed');
    await h.remove('cm-04');
    const added = await h.put('new', 'x');
    await h.converged();
    expect(pickNoRv(h.recorder.deliveries.slice(base))).toEqual([
      `update cm-03@${updated}`,
      'delete cm-04',
      `add new@${added}`,
    ]);
    expect(h.recorder.violations).toEqual([]);
  });

  it('resumes a dropped watch from its last version: nothing lost, nothing repeated', async () => {
    const h = await start('drop');
    const v1 = await h.put('a', '1');
    await h.until(() => h.recorder.model.get('a') === v1, 'the first change');
    const base = h.recorder.deliveries.length - 1;

    const { dropped } = await kit.control.fault({
      op: 'dropWatches',
      match: { userAgent: h.userAgent },
    });
    expect(dropped).toBe(1);
    const v2 = await h.put('a', '2');
    const v3 = await h.put('b', '1');
    await h.remove('a');
    const v4 = await h.put('c', '1');
    await h.converged();

    expect(pickNoRv(h.recorder.deliveries.slice(base))).toEqual([
      `add a@${v1}`,
      `update a@${v2}`,
      `add b@${v3}`,
      'delete a',
      `add c@${v4}`,
    ]);
    expect(h.recorder.violations).toEqual([]);
    expect(h.count('watch', 200)).toBeGreaterThanOrEqual(2);
    expect(h.count('list')).toBe(1);
  });

  it('relists on a 410 for the next watch, and delivers nothing twice', async () => {
    const h = await start('expire');
    const v1 = await h.put('x', '1');
    await h.put('y', '1');
    await h.until(() => h.recorder.model.get('x') === v1 && h.recorder.model.has('y'), 'seed');
    const base = h.recorder.deliveries.length;

    await kit.control.fault({ op: 'expireNextWatch', match: { userAgent: h.userAgent } });
    await kit.control.fault({ op: 'dropWatches', match: { userAgent: h.userAgent } });
    const vx = await h.put('x', '2');
    await h.remove('y');
    const vz = await h.put('z', '1');
    await h.converged();
    await h.until(() => h.count('list') === 2, 'the relist');

    // Whether the relist or the next watch carried each change, each arrives once.
    expect(pickNoRv(h.recorder.deliveries.slice(base)).sort()).toEqual(
      [`update x@${vx}`, 'delete y', `add z@${vz}`].sort(),
    );
    expect(h.recorder.violations).toEqual([]);
    expect(h.logs.some(l => l.message === 'watch version expired, relisting')).toBe(true);
  });

  it('after a compaction, relists and diffs: deletions in the gap become onDelete', async () => {
    const h = await start('compact');
    const va = await h.put('a', '1');
    const vb = await h.put('b', '1');
    await h.until(
      () => h.recorder.model.get('a') === va && h.recorder.model.get('b') === vb,
      'seed',
    );
    const base = h.recorder.deliveries.length;

    // The stream goes silent (events in the gap never reach it), history is compacted, and
    // the connection then breaks: the reflector's version is too old to resume from.
    const { stalled } = await kit.control.fault({
      op: 'stallWatches',
      match: { userAgent: h.userAgent },
    });
    expect(stalled).toBe(1);
    await h.remove('a');
    await h.put('b', '2');
    const vb3 = await h.put('b', '3');
    const vc = await h.put('c', '1');
    await kit.control.fault({ op: 'compact' });
    // The held-back events die with the broken connection; new watches flow again.
    await kit.control.fault({ op: 'dropWatches', match: { userAgent: h.userAgent } });
    await kit.control.fault({ op: 'resumeWatches' });
    await h.converged();

    expect(pick(h.recorder.deliveries.slice(base))).toEqual([
      // Deleted during the gap: delivered in its last known state.
      `delete a@${va}`,
      // Changed twice during the gap: one update, to the latest version.
      `update b@${vb3}`,
      `add c@${vc}`,
    ]);
    expect(h.recorder.violations).toEqual([]);
    expect(h.count('list')).toBe(2);
  });

  it('waits as long as a 429 asks before watching again', async () => {
    const h = await start('throttled');
    const v1 = await h.put('a', '1');
    await h.until(() => h.recorder.model.get('a') === v1, 'seed');
    const base = h.recorder.deliveries.length;

    await kit.control.fault({
      op: 'injectError',
      match: { userAgent: h.userAgent, verbs: ['watch'] },
      error: { code: 429, retryAfterSeconds: 1 },
    });
    await kit.control.fault({ op: 'dropWatches', match: { userAgent: h.userAgent } });
    const v2 = await h.put('a', '2');
    const v3 = await h.put('b', '1');
    await h.converged();

    expect(pick(h.recorder.deliveries.slice(base))).toEqual([`update a@${v2}`, `add b@${v3}`]);
    expect(h.recorder.violations).toEqual([]);
    expect(h.sleeps.filter(ms => ms < 60_000)).toEqual([1000]);
    // Observed on the wire too: the next watch opened no sooner than a second after the 429.
    const throttledAt = h.requests.find(r => r.verb === 'watch' && r.code === 429)?.at ?? NaN;
    const resumedAt =
      h.requests.find(r => r.verb === 'watch' && r.code === 200 && r.at >= throttledAt)?.at ?? NaN;
    expect(resumedAt - throttledAt).toBeGreaterThanOrEqual(950);
    expect(h.count('list')).toBe(1);
  });

  it('backs off through 500s on list and watch, and never gives up', async () => {
    await kit.control.fault({
      op: 'injectError',
      match: { userAgent: 'reflector-test/errors', verbs: ['list'] },
      error: { code: 500 },
      times: 2,
    });
    const h = await start('errors');
    expect(h.count('list', 500)).toBe(2);
    const v1 = await h.put('a', '1');
    await h.until(() => h.recorder.model.get('a') === v1, 'seed');
    const base = h.recorder.deliveries.length;

    await kit.control.fault({
      op: 'injectError',
      match: { userAgent: h.userAgent, verbs: ['watch'] },
      error: { code: 500 },
      times: 3,
    });
    await kit.control.fault({ op: 'dropWatches', match: { userAgent: h.userAgent } });
    const v2 = await h.put('a', '2');
    await h.remove('a');
    const v3 = await h.put('b', '1');
    await h.converged();

    expect(pickNoRv(h.recorder.deliveries.slice(base))).toEqual([
      `update a@${v2}`,
      'delete a',
      `add b@${v3}`,
    ]);
    expect(h.recorder.violations).toEqual([]);
    expect(h.count('watch', 500)).toBe(3);
    // Two failed lists (50, 100), a reset on success, three failed watches (50, 100, 200).
    // (The inactivity watchdog sleeps through the same function, for its 180 s: left out.)
    expect(h.sleeps.filter(ms => ms < 60_000)).toEqual([50, 100, 50, 100, 200]);
  });

  it('rides out an API server restart and resumes where it was', async () => {
    const h = await start('restart');
    const v1 = await h.put('a', '1');
    await h.until(() => h.recorder.model.get('a') === v1, 'seed');
    const base = h.recorder.deliveries.length;

    await kit.control.restart(1500);
    // Back up once the admin client gets through again; then change things at once, before
    // the reflector (backing off) has reconnected: the resumed watch must replay them.
    await h.until(() => h.count('watch', 0) > 0, 'a refused reconnect');
    let back = false;
    while (!back) {
      try {
        await admin.get(
          { version: 'v1', resource: 'namespaces', name: h.ns },
          { signal, timeoutMs: 1000 },
        );
        back = true;
      } catch {
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    }
    const v2 = await h.put('a', '2');
    const v3 = await h.put('b', '1');
    await h.converged();

    expect(pick(h.recorder.deliveries.slice(base))).toEqual([`update a@${v2}`, `add b@${v3}`]);
    expect(h.recorder.violations).toEqual([]);
    expect(h.count('list')).toBe(1);
  });
});
