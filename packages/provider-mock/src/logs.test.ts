import type { Readable } from 'node:stream';
import { isInvalidInput, isNotFound, type ContainerLogOptions } from '@vkubelet/core';
import { describe, expect, it } from 'vitest';
import { context, makePod, never, readAll, setup, T0 } from './test-support/fixtures.ts';

const plain: ContainerLogOptions = { follow: false, previous: false, timestamps: false };
const line = (second: number, n: number, container = 'app'): string =>
  `${new Date(T0 + second * 1000).toISOString().replace('.000Z', 'Z')} ${container} line ${n}\n`;

/** A running `web` pod, 4.5 s after it started: lines 1–5 written at 0, 1, 2, 3 and 4 s. */
async function runningPod(options: Parameters<typeof setup>[0] = {}) {
  const env = setup(options);
  await env.provider.createPod(makePod('web'), context());
  await env.clock.advance(4500);
  const logs = (opts: Partial<ContainerLogOptions> = {}, signal = never()): Promise<Readable> =>
    env.provider.getContainerLogs('default', 'web', 'app', { ...plain, ...opts }, signal);
  return { ...env, logs };
}

function collect(stream: Readable): { text: () => string; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>(resolve => {
    stream.once('end', resolve);
  });
  return { text: () => Buffer.concat(chunks).toString(), ended };
}

describe('container logs', () => {
  it('are deterministic lines, one per interval since the container started', async () => {
    const { logs } = await runningPod();
    expect(await readAll(await logs())).toBe(
      line(0, 1) + line(1, 2) + line(2, 3) + line(3, 4) + line(4, 5),
    );
  });

  it('honour tailLines', async () => {
    const { logs } = await runningPod();
    expect(await readAll(await logs({ tailLines: 2 }))).toBe(line(3, 4) + line(4, 5));
    expect(await readAll(await logs({ tailLines: 0 }))).toBe('');
    expect(await readAll(await logs({ tailLines: 100 }))).toHaveLength(5 * line(0, 1).length);
  });

  it('honour limitBytes, cutting mid-line', async () => {
    const { logs } = await runningPod();
    expect(line(0, 1)).toHaveLength(32);
    expect(await readAll(await logs({ limitBytes: 40 }))).toBe(line(0, 1) + line(1, 2).slice(0, 8));
    expect(await readAll(await logs({ limitBytes: 32 }))).toBe(line(0, 1));
  });

  it('honour sinceSeconds and sinceTime (lines at or after)', async () => {
    const { logs } = await runningPod();
    // now = 4.5 s, so since = 2.5 s
    expect(await readAll(await logs({ sinceSeconds: 2 }))).toBe(line(3, 4) + line(4, 5));
    expect(await readAll(await logs({ sinceTime: new Date(T0 + 2000) }))).toBe(
      line(2, 3) + line(3, 4) + line(4, 5),
    );
    expect(await readAll(await logs({ sinceTime: new Date(T0 + 2000), tailLines: 1 }))).toBe(
      line(4, 5),
    );
    expect(await readAll(await logs({ sinceTime: new Date(T0 - 60_000) }))).toHaveLength(5 * 32);
  });

  it('prefix RFC 3339 nano timestamps with timestamps=true', async () => {
    const { logs } = await runningPod({ startLatencyMs: 250 });
    expect(await readAll(await logs({ timestamps: true, tailLines: 2 }))).toBe(
      `2024-01-01T00:00:03.25Z ${line(3, 4)}` + `2024-01-01T00:00:04.25Z ${line(4, 5)}`,
    );
  });

  it('follow: keep emitting a line per interval until aborted', async () => {
    const { logs, clock } = await runningPod();
    const abort = new AbortController();
    const out = collect(await logs({ follow: true, tailLines: 1 }, abort.signal));
    await clock.advance(0);
    expect(out.text()).toBe(line(4, 5));
    await clock.advance(2000);
    expect(out.text()).toBe(line(4, 5) + line(5, 6) + line(6, 7));
    abort.abort();
    await out.ended;
    await clock.advance(5000);
    expect(out.text()).toBe(line(4, 5) + line(5, 6) + line(6, 7));
    expect(clock.pendingTimers).toBe(0);
  });

  it('follow: stops at limitBytes', async () => {
    const { logs, clock } = await runningPod();
    const out = collect(await logs({ follow: true, tailLines: 0, limitBytes: 40 }));
    await clock.advance(3000);
    await out.ended;
    expect(out.text()).toBe(line(5, 6) + line(6, 7).slice(0, 8));
  });

  it('follow: ends when the container stops', async () => {
    const env = setup();
    const job = makePod('job', {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3'] }],
    });
    await env.provider.createPod(job, context());
    const out = collect(
      await env.provider.getContainerLogs(
        'default',
        'job',
        'main',
        { ...plain, follow: true },
        never(),
      ),
    );
    await env.clock.advance(4000);
    await out.ended;
    expect(out.text()).toBe(
      line(0, 1, 'main') + line(1, 2, 'main') + line(2, 3, 'main') + line(3, 4, 'main'),
    );
    // A finished container's log is fixed.
    expect(
      await readAll(await env.provider.getContainerLogs('default', 'job', 'main', plain, never())),
    ).toBe(out.text());
  });

  it('follow: ends when the pod is deleted', async () => {
    const { logs, clock, provider } = await runningPod();
    const out = collect(await logs({ follow: true, tailLines: 0 }));
    await clock.advance(1000);
    await provider.deletePod(makePod('web'), never());
    await clock.advance(1000);
    await out.ended;
    expect(out.text()).toBe(line(5, 6));
  });

  it('previous: the instance before the last restart, NotFound when there is none', async () => {
    const { logs, clock, provider } = await runningPod();
    await expect(logs({ previous: true })).rejects.toThrow(
      'previous terminated container "app" in pod "web" not found',
    );
    provider.simulateContainerRestart('default', 'web', 'app');
    await clock.advance(1000);
    expect(await readAll(await logs({ previous: true }))).toBe(
      line(0, 1) + line(1, 2) + line(2, 3) + line(3, 4) + line(4, 5),
    );
    // The new instance started at 4.5 s; now is 5.5 s.
    expect(await readAll(await logs())).toBe(line(4, 1) + line(5, 2));
  });

  it('of a container in back-off are those of the instance that stopped', async () => {
    const env = setup();
    const crash = makePod('crash', {
      containers: [{ name: 'c', image: 'x', command: ['exit', '1'] }],
    });
    await env.provider.createPod(crash, context());
    await env.clock.advance(10_000);
    const stream = await env.provider.getContainerLogs('default', 'crash', 'c', plain, never());
    expect(await readAll(stream)).toBe(line(0, 1, 'c'));
  });

  it('cover init containers', async () => {
    const env = setup();
    const pod = makePod('web', {
      initContainers: [{ name: 'init', image: 'x', command: ['sleep', '2'] }],
    });
    await env.provider.createPod(pod, context());
    await env.clock.advance(10_000);
    const stream = await env.provider.getContainerLogs('default', 'web', 'init', plain, never());
    expect(await readAll(stream)).toBe(
      line(0, 1, 'init') + line(1, 2, 'init') + line(2, 3, 'init'),
    );
  });

  it('refuse a container that has not started, an unknown container or pod, bad options', async () => {
    const env = setup({ startLatencyMs: 1000 });
    await env.provider.createPod(makePod('web'), context());
    const get = (pod: string, container: string, opts: Partial<ContainerLogOptions> = {}) =>
      env.provider.getContainerLogs('default', pod, container, { ...plain, ...opts }, never());
    await expect(get('web', 'app')).rejects.toThrow(
      'container "app" in pod "web" is waiting to start: ContainerCreating',
    );
    await expect(get('web', 'nope')).rejects.toSatisfy(isNotFound);
    await expect(get('nope', 'app')).rejects.toSatisfy(isNotFound);
    for (const opts of [
      { tailLines: -1 },
      { limitBytes: 0 },
      { sinceSeconds: 0 },
      { sinceSeconds: 5, sinceTime: new Date(T0) },
      { sinceTime: new Date(Number.NaN) },
    ]) {
      await expect(get('web', 'app', opts)).rejects.toSatisfy(isInvalidInput);
    }
  });
});
