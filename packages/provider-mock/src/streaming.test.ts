import { duplexPair, PassThrough } from 'node:stream';
import { isInvalidInput, isNotFound } from '@vkubelet/core';
import { describe, expect, it } from 'vitest';
import { capture, context, makePod, never, readAll, setup, T0 } from './test-support/fixtures.ts';

const line = (second: number, n: number, container = 'app'): string =>
  `${new Date(T0 + second * 1000).toISOString().replace('.000Z', 'Z')} ${container} line ${n}\n`;

describe('attach', () => {
  it('streams new log lines and echoes stdin until stdin ends', async () => {
    const { provider, clock } = setup();
    await provider.createPod(makePod('web'), context());
    await clock.advance(500);
    const stdout = capture();
    const stdin = new PassThrough();
    const session = provider.attachToContainer(
      'default',
      'web',
      'app',
      { stdin, stdout: stdout.stream, tty: true },
      never(),
    );
    await clock.advance(1000);
    stdin.write('hi\n');
    await clock.advance(1000);
    stdin.end();
    expect(await session).toEqual({ exitCode: 0 });
    expect(stdout.text()).toBe(line(1, 2) + 'hi\n' + line(2, 3));
    expect(clock.pendingTimers).toBe(0);
  });

  it('without stdin, ends with the container and reports its exit code', async () => {
    const { provider, clock } = setup();
    await provider.createPod(makePod('web'), context());
    const stdout = capture();
    const session = provider.attachToContainer(
      'default',
      'web',
      'app',
      { stdout: stdout.stream, tty: false },
      never(),
    );
    await clock.advance(2500);
    provider.simulatePodTermination('default', 'web', { exitCode: 3 });
    await clock.advance(1000);
    expect(await session).toEqual({ exitCode: 3 });
    expect(stdout.text()).toBe(line(1, 2) + line(2, 3));
  });

  it('a sleeping container ends the session with exit code 0 when it finishes', async () => {
    const { provider, clock } = setup();
    const pod = makePod('job', {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3'] }],
    });
    await provider.createPod(pod, context());
    const stdout = capture();
    const session = provider.attachToContainer(
      'default',
      'job',
      'main',
      { stdout: stdout.stream, tty: false },
      never(),
    );
    await clock.advance(4000);
    expect(await session).toEqual({ exitCode: 0 });
    expect(stdout.text()).toBe(line(1, 2, 'main') + line(2, 3, 'main') + line(3, 4, 'main'));
  });

  it('ends when aborted, rejecting with the reason, and leaves the caller streams open', async () => {
    const { provider, clock } = setup();
    await provider.createPod(makePod('web'), context());
    const stdout = capture();
    const stdin = new PassThrough();
    const abort = new AbortController();
    const session = provider.attachToContainer(
      'default',
      'web',
      'app',
      { stdin, stdout: stdout.stream, tty: false },
      abort.signal,
    );
    await clock.advance(1000);
    abort.abort(new Error('detached'));
    await expect(session).rejects.toThrow('detached');
    expect(stdout.stream.writableEnded).toBe(false);
    expect(stdin.destroyed).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses a container that is not running', async () => {
    const { provider } = setup({ startLatencyMs: 100 });
    await provider.createPod(makePod('web'), context());
    await expect(
      provider.attachToContainer('default', 'web', 'app', { tty: false }, never()),
    ).rejects.toSatisfy(isInvalidInput);
    await expect(
      provider.attachToContainer('default', 'nope', 'app', { tty: false }, never()),
    ).rejects.toSatisfy(isNotFound);
  });
});

describe('port-forward', () => {
  const server = makePod('web', {
    containers: [
      {
        name: 'app',
        image: 'nginx',
        ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }],
      },
    ],
  });

  it('echoes every byte back on a declared port, and closes when the client does', async () => {
    const { provider } = setup();
    await provider.createPod(server, context());
    const [client, backend] = duplexPair();
    const forwarding = provider.portForward('default', 'web', 8080, backend, never());
    const received = readAll(client);
    const payload = Buffer.alloc(200_000, 7);
    client.write('GET / HTTP/1.1\r\n\r\n');
    client.write(payload);
    client.end();
    await forwarding;
    expect(await received).toBe(`GET / HTTP/1.1\r\n\r\n${payload.toString()}`);
  });

  it('refuses other ports, UDP ports and pods that are not running', async () => {
    const { provider } = setup({ startLatencyMs: 1000 });
    await provider.createPod(server, context());
    const [, backend] = duplexPair();
    await expect(provider.portForward('default', 'web', 8080, backend, never())).rejects.toThrow(
      'mock provider: connection refused: nothing listens on port 8080 in pod default/web',
    );
    const running = setup();
    await running.provider.createPod(server, context());
    for (const port of [9090, 53]) {
      await expect(
        running.provider.portForward('default', 'web', port, backend, never()),
      ).rejects.toSatisfy(isInvalidInput);
    }
    await expect(
      running.provider.portForward('default', 'web', 0, backend, never()),
    ).rejects.toThrow('mock provider: invalid port 0');
    await expect(
      running.provider.portForward('default', 'nope', 8080, backend, never()),
    ).rejects.toSatisfy(isNotFound);
  });

  it('stops echoing when aborted, without closing the stream', async () => {
    const { provider } = setup();
    await provider.createPod(server, context());
    const [client, backend] = duplexPair();
    const abort = new AbortController();
    const forwarding = provider.portForward('default', 'web', 8080, backend, abort.signal);
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    client.write('one');
    await new Promise(resolve => setTimeout(resolve, 10));
    abort.abort(new Error('stream reset'));
    await expect(forwarding).rejects.toThrow('stream reset');
    expect(Buffer.concat(chunks).toString()).toBe('one');
    expect(backend.destroyed).toBe(false);
    expect(backend.writableEnded).toBe(false);
  });
});
