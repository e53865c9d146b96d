import { PassThrough } from 'node:stream';
import {
  isInvalidInput,
  isNotFound,
  type AttachIO,
  type TerminalSize,
  type VolumeContent,
} from '@vkubelet/core';
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import type { MockProvider } from './provider.ts';
import { capture, context, file, makePod, never, setup } from './test-support/fixtures.ts';

const appContainer: Container = {
  name: 'app',
  image: 'busybox',
  env: [
    { name: 'B', value: '2' },
    { name: 'A', value: '1' },
    { name: 'GREETING', value: 'hello there' },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
    { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
    {
      name: 'MEM_MI',
      valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
    },
    {
      name: 'CPU_M',
      valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } },
    },
    { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
    { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    { name: 'A', value: 'override' },
  ],
  resources: { requests: { cpu: '250m' }, limits: { memory: '256Mi' } },
  volumeMounts: [
    { name: 'config', mountPath: '/etc/app' },
    { name: 'config', mountPath: '/app.conf', subPath: 'app.conf' },
    { name: 'scratch', mountPath: '/tmp/scratch' },
  ],
};

const volumes = (conf: string): Map<string, VolumeContent> =>
  new Map([
    [
      'config',
      {
        kind: 'configMap' as const,
        files: new Map([
          ['app.conf', file(conf)],
          ['nested/deep.txt', file('deep\n')],
        ]),
      },
    ],
  ]);

async function running(): Promise<{
  provider: MockProvider;
  clock: ReturnType<typeof setup>['clock'];
}> {
  const env = setup();
  const pod = makePod('web', { containers: [appContainer], labels: { tier: 'front' } });
  await env.provider.createPod(pod, context(volumes('x=1\n')));
  return env;
}

async function run(
  provider: MockProvider,
  command: string[],
  options: { tty?: boolean; stdin?: PassThrough; resize?: AsyncIterable<TerminalSize> } = {},
  signal = never(),
) {
  const stdout = capture();
  const stderr = capture();
  const io: AttachIO = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    tty: options.tty ?? false,
    ...(options.stdin && { stdin: options.stdin }),
    ...(options.resize && { resize: options.resize }),
  };
  const result = await provider.runInContainer('default', 'web', 'app', command, io, signal);
  return { exitCode: result.exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

describe('exec built-ins', () => {
  it('echo', async () => {
    const { provider } = await running();
    expect(await run(provider, ['echo', 'hello', 'world'])).toEqual({
      exitCode: 0,
      stdout: 'hello world\n',
      stderr: '',
    });
    expect((await run(provider, ['/bin/echo', '-n', 'x'])).stdout).toBe('x');
  });

  it('env: the resolved environment, sorted, with what only the backend knows filled in', async () => {
    const { provider } = await running();
    expect(await run(provider, ['env'])).toEqual({
      exitCode: 0,
      stdout: [
        'A=override',
        'B=2',
        'CPU_LIMIT=20',
        'CPU_M=250',
        'GREETING=hello there',
        'HOST_IP=127.0.0.1',
        'MEM_MI=256',
        'NODE=mock-node',
        'POD_IP=10.244.0.1',
        'TIER=front',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('cat: files of the pod volumes at their mount paths (subPath too)', async () => {
    const { provider } = await running();
    expect(await run(provider, ['cat', '/etc/app/app.conf'])).toEqual({
      exitCode: 0,
      stdout: 'x=1\n',
      stderr: '',
    });
    expect((await run(provider, ['cat', '/etc/app/nested/deep.txt', '/app.conf'])).stdout).toBe(
      'deep\nx=1\n',
    );
    expect(
      await run(provider, ['cat', '/etc/app/app.conf', '/etc/app/missing', '/etc/app/nested']),
    ).toEqual({
      exitCode: 1,
      stdout: 'x=1\n',
      stderr:
        'cat: /etc/app/missing: No such file or directory\ncat: /etc/app/nested: Is a directory\n',
    });
    expect((await run(provider, ['cat', '/tmp/scratch/file'])).stderr).toBe(
      'cat: /tmp/scratch/file: No such file or directory\n',
    );
    expect((await run(provider, ['cat', '/etc/passwd'])).exitCode).toBe(1);
  });

  it('env: expands references to the variables the core left for the backend', async () => {
    const { provider } = setup();
    const pod = makePod('web', {
      containers: [
        {
          name: 'app',
          image: 'x',
          env: [
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'URL', value: 'http://$(MY_IP):8080/$(MY_IP)' },
            { name: 'KEEP', value: '$(OTHER) $(URL)' },
          ],
        },
      ],
    });
    await provider.createPod(pod, {
      ...context(),
      deferredEnv: [{ container: 'app', name: 'MY_IP', fieldPath: 'status.podIP' }],
    });
    expect((await run(provider, ['env'])).stdout).toBe(
      'KEEP=$(OTHER) $(URL)\nMY_IP=10.244.0.1\nURL=http://10.244.0.1:8080/10.244.0.1\n',
    );
  });

  it('cat: downwardAPI files only the backend can fill, direct and projected', async () => {
    const { provider } = setup();
    const pod = makePod('web', {
      containers: [
        {
          name: 'app',
          image: 'x',
          volumeMounts: [
            { name: 'podinfo', mountPath: '/etc/podinfo' },
            { name: 'proj', mountPath: '/proj' },
          ],
        },
      ],
    });
    const podWithVolumes = {
      ...pod,
      spec: {
        ...pod.spec!,
        volumes: [
          {
            name: 'podinfo',
            downwardAPI: {
              items: [
                { path: 'ip', fieldRef: { fieldPath: 'status.podIP' } },
                { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              ],
            },
          },
          {
            name: 'proj',
            projected: {
              sources: [
                {
                  downwardAPI: {
                    items: [{ path: 'net/host', fieldRef: { fieldPath: 'status.hostIP' } }],
                  },
                },
              ],
            },
          },
        ],
      },
    };
    // The core resolved `name` and left `ip` and `net/host` out of the contents.
    const contents = new Map<string, VolumeContent>([
      ['podinfo', { kind: 'downwardAPI', files: new Map([['name', file('from-core')]]) }],
      ['proj', { kind: 'projected', files: new Map() }],
    ]);
    await provider.createPod(podWithVolumes, context(contents));
    expect((await run(provider, ['cat', '/etc/podinfo/ip', '/etc/podinfo/name'])).stdout).toBe(
      '10.244.0.1from-core',
    );
    expect((await run(provider, ['cat', '/proj/net/host'])).stdout).toBe('127.0.0.1');
    expect((await run(provider, ['cat', '/proj/net'])).stderr).toBe(
      'cat: /proj/net: Is a directory\n',
    );
  });

  it('cat: sees volume contents replaced by updatePodVolumes and updatePod', async () => {
    const { provider } = await running();
    const pod = makePod('web', { containers: [appContainer], labels: { tier: 'front' } });
    await provider.updatePodVolumes(pod, volumes('x=2\n'), never());
    expect((await run(provider, ['cat', '/app.conf'])).stdout).toBe('x=2\n');
    await provider.updatePod(pod, context(volumes('x=3\n')));
    expect((await run(provider, ['cat', '/app.conf'])).stdout).toBe('x=3\n');
    await expect(
      provider.updatePodVolumes(makePod('other'), volumes('x'), never()),
    ).rejects.toSatisfy(isNotFound);
  });

  it('cat without arguments echoes stdin until EOF', async () => {
    const { provider } = await running();
    const stdin = new PassThrough();
    const session = run(provider, ['cat'], { stdin });
    const big = 'z'.repeat(300_000);
    stdin.write('abc');
    stdin.write(big);
    stdin.end('def');
    expect(await session).toEqual({ exitCode: 0, stdout: `abc${big}def`, stderr: '' });
    expect((await run(provider, ['cat'])).exitCode).toBe(0); // no stdin: empty input
  });

  it('exit N', async () => {
    const { provider } = await running();
    expect((await run(provider, ['exit', '7'])).exitCode).toBe(7);
    expect((await run(provider, ['exit'])).exitCode).toBe(0);
    expect(await run(provider, ['exit', 'abc'])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'sh: exit: Illegal number: abc\n',
    });
    expect((await run(provider, ['true'])).exitCode).toBe(0);
    expect((await run(provider, ['false'])).exitCode).toBe(1);
  });

  it('sleep S waits on the provider clock and can be aborted', async () => {
    const { provider, clock } = await running();
    let done = false;
    const session = run(provider, ['sleep', '2']).then(r => {
      done = true;
      return r;
    });
    await clock.advance(1999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect((await session).exitCode).toBe(0);

    const abort = new AbortController();
    const forever = run(provider, ['sleep', 'infinity'], {}, abort.signal);
    const long = run(provider, ['sleep', '100'], {}, abort.signal);
    abort.abort(new Error('client went away'));
    await expect(forever).rejects.toThrow('client went away');
    await expect(long).rejects.toThrow('client went away');
    expect((await run(provider, ['sleep', 'x'])).stderr).toBe("sleep: invalid time interval 'x'\n");
  });

  it('sh -c runs one of the built-ins, with quotes and $VAR expansion', async () => {
    const { provider } = await running();
    expect((await run(provider, ['sh', '-c', 'echo "$GREETING" ${B} \'$A\'  x\\ y'])).stdout).toBe(
      'hello there 2 $A x y\n',
    );
    expect((await run(provider, ['/bin/bash', '-c', 'exit 4'])).exitCode).toBe(4);
    expect((await run(provider, ['sh', '-c', 'cat /app.conf'])).stdout).toBe('x=1\n');
    expect(await run(provider, ['sh', '-c', 'echo a; echo b'])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'sh: the mock runs one simple command; ";" is not supported\n',
    });
    expect((await run(provider, ['sh', '-c', 'echo "open'])).stderr).toBe(
      'sh: syntax error: unterminated quoted string\n',
    );
    expect((await run(provider, ['sh', '-c', ''])).exitCode).toBe(0);
  });

  it('an unknown command exits 127 with a message on stderr', async () => {
    const { provider } = await running();
    expect(await run(provider, ['frobnicate', '--now'])).toEqual({
      exitCode: 127,
      stdout: '',
      stderr: 'exec: "frobnicate": executable file not found in $PATH\n',
    });
    expect(await run(provider, ['sh', '-c', 'frobnicate'])).toEqual({
      exitCode: 127,
      stdout: '',
      stderr: 'sh: frobnicate: not found\n',
    });
  });

  it('with a tty, stderr goes to stdout', async () => {
    const { provider } = await running();
    expect(await run(provider, ['cat', '/nope'], { tty: true })).toEqual({
      exitCode: 1,
      stdout: 'cat: /nope: No such file or directory\n',
      stderr: '',
    });
  });

  it('stty size prints the terminal size the client sends (tty only)', async () => {
    const { provider } = await running();
    async function* sizes(): AsyncGenerator<TerminalSize> {
      yield { width: 120, height: 40 };
      yield { width: 80, height: 24 };
    }
    const resize = sizes();
    expect((await run(provider, ['stty', 'size'], { tty: true, resize })).stdout).toBe('40 120\n');
    expect((await run(provider, ['stty', 'size'], { tty: true, resize })).stdout).toBe('24 80\n');
    expect((await run(provider, ['stty', 'size'], { tty: true })).stdout).toBe('0 0\n');
    expect(await run(provider, ['stty', 'size'])).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'stty: standard input: Not a tty\n',
    });
  });

  it('tty-sizes prints each terminal size the client sends, up to a count (tty only)', async () => {
    const { provider } = await running();
    async function* sizes(): AsyncGenerator<TerminalSize> {
      yield { width: 100, height: 30 };
      yield { width: 120, height: 50 };
      yield { width: 90, height: 20 };
    }
    const resize = sizes();
    expect(await run(provider, ['tty-sizes', '2'], { tty: true, resize })).toEqual({
      exitCode: 0,
      stdout: '30 100\n50 120\n',
      stderr: '',
    });
    // The stream ending stops it early.
    expect((await run(provider, ['tty-sizes', '5'], { tty: true, resize })).stdout).toBe('20 90\n');
    expect((await run(provider, ['tty-sizes'], { tty: true })).exitCode).toBe(0);
    expect(await run(provider, ['tty-sizes', 'x'], { tty: true })).toEqual({
      exitCode: 2,
      stdout: 'usage: tty-sizes [COUNT]\n',
      stderr: '',
    });
    expect((await run(provider, ['tty-sizes'])).stderr).toBe(
      'tty-sizes: standard input: Not a tty\n',
    );
  });

  it('tty-sizes waits for the next size and stops when the session is aborted', async () => {
    const { provider } = await running();
    const stop = new AbortController();
    const pending = run(
      provider,
      ['tty-sizes'],
      {
        tty: true,
        resize: { [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) },
      },
      stop.signal,
    );
    stop.abort(new Error('client gone'));
    await expect(pending).rejects.toThrow('client gone');
  });

  it('cat with a tty ends its input at Ctrl-D, as a terminal would', async () => {
    const { provider } = await running();
    const stdin = new PassThrough();
    const done = run(provider, ['cat'], { tty: true, stdin });
    stdin.write('typed\r');
    stdin.write('more\x04ignored');
    expect(await done).toEqual({ exitCode: 0, stdout: 'typed\rmore', stderr: '' });
    // Without a tty, 0x04 is just a byte.
    const raw = new PassThrough();
    const copied = run(provider, ['cat'], { stdin: raw });
    raw.end('a\x04b');
    expect((await copied).stdout).toBe('a\x04b');
  });

  it('runs with the streams the caller did not ask for left out', async () => {
    const { provider } = await running();
    const result = await provider.runInContainer(
      'default',
      'web',
      'app',
      ['echo', 'unseen'],
      { tty: false },
      never(),
    );
    expect(result).toEqual({ exitCode: 0 });
  });

  it('refuses an empty command, a container that is not running, unknown names', async () => {
    const env = setup({ startLatencyMs: 1000 });
    await env.provider.createPod(makePod('web'), context());
    const exec = (pod: string, container: string, command: string[]) =>
      env.provider.runInContainer('default', pod, container, command, { tty: false }, never());
    await expect(exec('web', 'app', ['echo'])).rejects.toThrow(
      'mock provider: container app in pod default/web is not running',
    );
    await env.clock.advance(1000);
    await expect(exec('web', 'app', [])).rejects.toSatisfy(isInvalidInput);
    await expect(exec('web', 'nope', ['echo'])).rejects.toSatisfy(isNotFound);
    await expect(exec('nope', 'app', ['echo'])).rejects.toSatisfy(isNotFound);
    expect((await exec('web', 'app', ['echo'])).exitCode).toBe(0);
  });
});
