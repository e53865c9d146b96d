import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInvalidInput } from '@vkubelet/core';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { createMockProvider, type MockProvider } from './provider.ts';
import { openMockStateFile, replayJournal, type MockStateFile } from './state-file.ts';
import { capture, context, file, makePod, never, T0 } from './test-support/fixtures.ts';

let dir: string;
let path: string;
const opened: MockStateFile[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mock-state-'));
  path = join(dir, 'state.jsonl');
});
afterEach(async () => {
  for (const state of opened.splice(0)) state.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(): Promise<MockStateFile> {
  const state = await openMockStateFile(path);
  opened.push(state);
  return state;
}

/** A mock over the state file, as a (re)started vk-mock builds it. */
async function start(
  clock: ManualClock,
  options: { startLatencyMs?: number } = {},
): Promise<{ provider: MockProvider; notified: Pod[] }> {
  const provider = createMockProvider({ clock, state: await open(), ...options });
  const notified: Pod[] = [];
  provider.notifyPods?.(pod => notified.push(pod));
  return { provider, notified };
}

const sleeper = (name: string, seconds: number): Pod =>
  makePod(name, {
    containers: [{ name: 'app', image: 'busybox', command: ['sleep', String(seconds)] }],
    restartPolicy: 'Never',
  });

describe('mock state file', () => {
  it('keeps pods, their status, volumes and IPs across a restart', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    const web = makePod('web', {
      containers: [
        { name: 'app', image: 'nginx', volumeMounts: [{ name: 'config', mountPath: '/config' }] },
      ],
    });
    const files = new Map([['a.txt', file('hello')]]);
    await first.provider.createPod(
      web,
      context(new Map([['config', { kind: 'configMap', files }]])),
    );
    await first.provider.createPod(makePod('api'), context());
    const before = await first.provider.getPods(never());
    // No close: the process is killed.

    const second = await start(clock);
    expect(await second.provider.getPods(never())).toEqual(before);
    const out = capture();
    const result = await second.provider.runInContainer(
      'default',
      'web',
      'app',
      ['cat', '/config/a.txt'],
      { stdout: out.stream, tty: false },
      never(),
    );
    expect(result.exitCode).toBe(0);
    expect(out.text()).toBe('hello');
    await second.provider.createPod(makePod('third'), context());
    const third = await second.provider.getPod('default', 'third', never());
    expect(third?.status?.podIP).toBe('10.244.0.3');
  });

  it('does not create a pod twice when the same UID comes again after a restart', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    await first.provider.createPod(makePod('web'), context());
    const before = await first.provider.getPod('default', 'web', never());

    const second = await start(clock);
    await clock.advance(5_000);
    await second.provider.createPod(makePod('web'), context());
    const after = await second.provider.getPod('default', 'web', never());
    expect(after?.status).toEqual(before?.status);
    expect(second.notified).toEqual([]);
  });

  it('forgets deleted pods', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    await first.provider.createPod(makePod('web'), context());
    await first.provider.createPod(makePod('gone'), context());
    await first.provider.deletePod(makePod('gone'), never());

    const second = await start(clock);
    const names = (await second.provider.getPods(never())).map(p => p.metadata?.name);
    expect(names).toEqual(['web']);
  });

  it('resumes a pending start and a running sleep from the recorded times', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock, { startLatencyMs: 10_000 });
    await first.provider.createPod(makePod('slow'), context());
    await first.provider.createPod(sleeper('nap', 30), context());
    await clock.advance(10_000);
    expect((await first.provider.getPod('default', 'nap', never()))?.status?.phase).toBe('Running');
    await first.provider.createPod(makePod('late'), context());

    const second = await start(clock, { startLatencyMs: 10_000 });
    await clock.advance(5_000);
    expect((await second.provider.getPod('default', 'late', never()))?.status?.phase).toBe(
      'Pending',
    );
    await clock.advance(5_000);
    expect((await second.provider.getPod('default', 'late', never()))?.status?.phase).toBe(
      'Running',
    );
    expect((await second.provider.getPod('default', 'nap', never()))?.status?.phase).toBe(
      'Running',
    );
    await clock.advance(20_000);
    const nap = await second.provider.getPod('default', 'nap', never());
    expect(nap?.status?.phase).toBe('Succeeded');
    expect(nap?.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt).toBe(
      new Date(T0 + 40_000).toISOString().replace('.000Z', 'Z'),
    );
    expect(second.notified.map(p => `${p.metadata?.name} ${p.status?.phase}`)).toEqual([
      'late Running',
      'nap Succeeded',
    ]);
  });

  it('ends at once what came due while the process was down', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    await first.provider.createPod(sleeper('nap', 30), context());
    // The process dies before its 30-s timer fires and comes back a minute later.
    const later = new ManualClock(T0 + 60_000);
    const second = await start(later);
    expect((await second.provider.getPod('default', 'nap', never()))?.status?.phase).toBe(
      'Running',
    );
    await later.advance(0);
    const nap = await second.provider.getPod('default', 'nap', never());
    expect(nap?.status?.phase).toBe('Succeeded');
    expect(nap?.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt).toBe(
      new Date(T0 + 60_000).toISOString().replace('.000Z', 'Z'),
    );
  });

  it("after a restart takes the core's objects for the pods it runs with the same containers, and no others", async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    for (const name of ['same', 'other-image', 'other-uid']) {
      await first.provider.createPod(makePod(name), context());
    }
    const second = await start(clock);
    const relabel = (pod: Pod): Pod =>
      Object.freeze({ ...pod, metadata: { ...pod.metadata, labels: { seen: 'api' } } });
    const api = (await second.provider.getPods(never())).map(relabel);
    const [same, otherImage, otherUid] = api as [Pod, Pod, Pod];
    second.provider.adoptPods([
      same,
      { ...otherImage, spec: { containers: [{ name: 'app', image: 'nginx:2' }] } },
      { ...otherUid, metadata: { ...otherUid.metadata, uid: 'someone-else' } },
    ]);
    const labels = async (name: string) =>
      (await second.provider.getPod('default', name, never()))?.metadata?.labels;
    expect(await labels('same')).toEqual({ seen: 'api' });
    expect(await labels('other-image')).not.toEqual({ seen: 'api' });
    expect(await labels('other-uid')).not.toEqual({ seen: 'api' });
    // The pod still runs as before: its status and exec are the restored ones.
    const adopted = await second.provider.getPod('default', 'same', never());
    expect(adopted?.status?.phase).toBe('Running');
    expect(adopted?.metadata?.uid).toBe(same.metadata?.uid);
  });

  it('writes one line per pod per turn: a pod that starts at once is one line, not two', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    await first.provider.createPod(makePod('web'), context());
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"phase":"Running"');
  });

  it('compacts the journal when opened', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    for (let i = 0; i < 5; i++) await first.provider.createPod(makePod(`p${i}`), context());
    for (let i = 0; i < 4; i++) await first.provider.deletePod(makePod(`p${i}`), never());
    const grown = (await readFile(path, 'utf8')).trim().split('\n').length;
    await open();
    const compacted = (await readFile(path, 'utf8')).trim().split('\n');
    expect(grown).toBeGreaterThan(5);
    expect(compacted).toHaveLength(1);
    expect(compacted[0]).toContain('"key":"default/p4"');
  });

  it('keeps a journal of live pods as it is; a torn one is rewritten so the next entry starts a line of its own', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    await first.provider.createPod(makePod('a'), context());
    await first.provider.createPod(makePod('b'), context());
    const written = await readFile(path, 'utf8');
    await open();
    expect(await readFile(path, 'utf8')).toBe(written);

    await appendFile(path, '{"put":{"key":"default/x"');
    const second = await start(clock);
    await second.provider.createPod(makePod('c'), context());
    const third = await start(clock);
    expect((await third.provider.getPods(never())).map(p => p.metadata?.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('hands its pods over once and keeps no copy of them', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    await first.provider.createPod(makePod('a'), context());
    await first.provider.createPod(makePod('b'), context());
    const state = await open();
    expect(state.takePods().map(p => p.name)).toEqual(['a', 'b']);
    expect(state.takePods()).toEqual([]);
    expect(state.restoredCount).toBe(2);
  });

  it('forgives a torn last line but refuses a corrupt one in the middle', async () => {
    const clock = new ManualClock(T0);
    const first = await start(clock);
    await first.provider.createPod(makePod('web'), context());
    await appendFile(path, '{"put":{"key":"default/x"');
    const second = await start(clock);
    expect((await second.provider.getPods(never())).map(p => p.metadata?.name)).toEqual(['web']);

    await writeFile(path, 'garbage\n{"drop":{"key":"a","uid":"b"}}\n');
    const error = await openMockStateFile(path).catch((err: unknown) => err);
    expect(isInvalidInput(error)).toBe(true);
    expect((error as Error).message).toBe(`mock state file ${path}: line 1 is not JSON`);
    expect(() => replayJournal('{"other":1}\n', 'f')).toThrow(
      'mock state file f: line 1 is neither a "put" nor a "drop" entry',
    );
  });

  it('reads a journal of several megabytes a line at a time, lines and characters cut by the read size included', async () => {
    const put = (i: number) =>
      JSON.stringify({
        put: { key: `ns/p${i}`, uid: `u${i}`, note: `é€😀 ${'x'.repeat(i % 1_700)}` },
        ips: i,
      }) + '\n';
    const lines = Array.from({ length: 4_000 }, (_, i) => put(i));
    await writeFile(path, lines.join('') + '{"put":{"key":"ns/torn"');
    expect(Buffer.byteLength(lines.join(''))).toBeGreaterThan(3 * (1 << 20));
    const state = await open();
    const pods = state.takePods();
    expect(pods).toHaveLength(4_000);
    expect(pods.at(-1)).toMatchObject({ key: 'ns/p3999', note: `é€😀 ${'x'.repeat(599)}` });
    expect(
      pods.every((p, i) => (p as unknown as { note: string }).note.length === 5 + (i % 1_700)),
    ).toBe(true);
    expect(state.assignedIPs).toBe(3_999);
    // Rewritten compacted: the torn line is gone.
    expect(await readFile(path, 'utf8')).toBe(
      lines.map(l => l.replace(/"ips":\d+/, '"ips":3999')).join(''),
    );
  });

  it('refuses a complete last line that is not JSON: only a line a kill cut short is forgiven', async () => {
    await writeFile(path, '{"drop":{"key":"a","uid":"b"}}\ngarbage\n');
    const error = await openMockStateFile(path).catch((err: unknown) => err);
    expect(isInvalidInput(error)).toBe(true);
    expect((error as Error).message).toBe(`mock state file ${path}: line 2 is not JSON`);
  });

  it('a drop for another UID keeps the pod that replaced it', () => {
    const put = (uid: string) => JSON.stringify({ put: { key: 'ns/a', uid }, ips: 1 }) + '\n';
    const text = put('1') + put('2') + JSON.stringify({ drop: { key: 'ns/a', uid: '1' } }) + '\n';
    const { pods, assignedIPs } = replayJournal(text, 'f');
    expect([...pods.values()].map(p => p.uid)).toEqual(['2']);
    expect(assignedIPs).toBe(1);
  });
});
