/**
 * The reflector's inactivity timeout and bookmarks against a real API server that sends a
 * BOOKMARK every 200 ms, so a healthy stream is never quiet for long and a stalled one is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpKubeClient } from './http-kube-client.ts';
import { Resources } from './resource-ref.ts';
import { startHarness, type Delivery, type Harness } from './test-support/reflector-harness.ts';
import { startTestkitProcess, type TestkitProcess } from '@vkubelet/testkit';

let kit: TestkitProcess;
let admin: HttpKubeClient;
const harnesses: Harness[] = [];
const signal = new AbortController().signal;

beforeAll(async () => {
  kit = await startTestkitProcess({ bookmarkIntervalMs: 200 });
  admin = await HttpKubeClient.fromKubeconfig({
    path: kit.kubeconfigPath,
    userAgent: 'reflector-test/admin',
    qps: Infinity,
  });
});

afterAll(async () => {
  for (const h of harnesses) await h.stop();
  admin.close();
  await kit.stop();
});

const pick = (ds: readonly Delivery[]): string[] => ds.map(d => `${d.type} ${d.name}@${d.rv}`);

describe('Reflector inactivity and bookmarks', () => {
  it('restarts a stalled watch after the inactivity timeout and gets what it missed', async () => {
    // Bookmarks every 200 ms keep a healthy stream far inside 1.5 s; the 2 s backoff after a
    // restart is the window in which the test lifts the stall (a stalled server drops what it
    // would send, so a watch opened while it lasts would miss events forever).
    const h = await startHarness(kit, admin, 'stall', {
      inactivityTimeoutMs: 1500,
      backoff: { initialMs: 2000, maxMs: 2000, jitter: 0 },
    });
    harnesses.push(h);
    const v1 = await h.put('a', '1');
    await h.until(() => h.recorder.model.get('a') === v1, 'seed');
    const base = h.recorder.deliveries.length;

    const { stalled } = await kit.control.fault({
      op: 'stallWatches',
      match: { userAgent: h.userAgent },
    });
    expect(stalled).toBe(1);
    const v2 = await h.put('a', '2');
    const v3 = await h.put('b', '1');
    await h.until(() => h.logs.some(l => l.fields.reason === 'inactive'), 'the inactivity timeout');
    await kit.control.fault({ op: 'resumeWatches' });
    await h.converged();

    expect(pick(h.recorder.deliveries.slice(base))).toEqual([`update a@${v2}`, `add b@${v3}`]);
    expect(h.recorder.violations).toEqual([]);
    expect(h.logs.filter(l => l.fields.reason === 'inactive')).toHaveLength(1);
    expect(h.count('watch', 200)).toBe(2);
    expect(h.count('list')).toBe(1);
  });

  it('follows bookmarks, so a resume after compaction needs no relist', async () => {
    const h = await startHarness(kit, admin, 'bookmarks', { inactivityTimeoutMs: 1500 });
    harnesses.push(h);
    const listed = Number(h.reflector.lastSyncResourceVersion);

    // A change the reflector does not watch still moves the server's version; bookmarks carry it.
    const elsewhere = await admin.create(
      { ...Resources.configMaps, namespace: 'default' },
      { metadata: { name: 'elsewhere' } },
      { signal },
    );
    const target = Number(elsewhere.metadata?.resourceVersion);
    expect(target).toBeGreaterThan(listed);
    await h.until(
      () => Number(h.reflector.lastSyncResourceVersion) >= target,
      'a bookmark at or past the unrelated change',
    );
    expect(h.recorder.deliveries).toEqual([]);
    expect(h.count('watch')).toBe(1);

    // Everything up to now is compacted away; the bookmark's version is still resumable.
    await kit.control.fault({ op: 'compact' });
    await kit.control.fault({ op: 'dropWatches', match: { userAgent: h.userAgent } });
    const v1 = await h.put('a', '1');
    await h.converged();

    expect(pick(h.recorder.deliveries)).toEqual([`add a@${v1}`]);
    expect(h.recorder.violations).toEqual([]);
    expect(h.count('list')).toBe(1);
    expect(h.logs.some(l => l.message === 'watch version expired, relisting')).toBe(false);
  });
});
