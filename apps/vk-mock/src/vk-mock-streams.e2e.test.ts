/**
 * vk-mock's streaming with the real kubectl through the API server's kubelet proxy: terminal
 * sessions (exec -it, attach -it) under a pseudo-terminal from util-linux `script`, and 100 MB
 * through exec and port-forward, over SPDY and over WebSocket. Many sessions at once are in
 * vk-mock-exec-many.e2e.test.ts, on a node without this file's short idle timeout.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './test-support/free-port.ts';
import {
  KUBECTL,
  readyPods,
  REMOTE_COMMAND,
  startCluster,
  until,
  type E2eCluster,
} from './test-support/cluster.ts';

const SCRIPT = process.env.SCRIPT ?? 'script';
const PODS = 4;
const MB = 1024 * 1024;
/** Under kubectl's 5 s ping period (WebSocket and SPDY alike): its pings count as activity. */
const IDLE_TIMEOUT_S = 3;

let cluster: E2eCluster;

beforeAll(async () => {
  // A short idle timeout, for the test that waits for it; every other session is busy.
  cluster = await startCluster({
    nodeName: 'vk-streams',
    vkArgs: ['--stream-idle-timeout', `${IDLE_TIMEOUT_S}s`],
  });
  // stdin + tty on the container: kubectl attach -it refuses a TTY otherwise.
  await readyPods(cluster, 'streams', PODS, { stdin: true, tty: true });
}, 120_000);

afterAll(async () => {
  await cluster.stop();
});

/**
 * The transport kubectl really used (it may fall back), from its -v=6 log: a WebSocket upgrade
 * is a GET, a SPDY one a POST, each answered 101.
 */
function upgradedTo(log: string): string | undefined {
  const verb =
    /"Response" verb="(GET|POST)" url="[^"]*\/(?:exec|attach|portforward)[^"]*" status="101 /.exec(
      log,
    )?.[1];
  return verb === undefined ? undefined : verb === 'GET' ? 'websocket' : 'SPDY/3.1';
}

// ---------------------------------------------------------------------------------------------
// kubectl under a pseudo-terminal

interface Terminal {
  /** Everything kubectl wrote to the terminal so far. */
  output(): string;
  /** Keystrokes: bytes into the terminal. */
  type(text: string): void;
  /** The terminal device kubectl runs on (for `stty -F`). */
  readonly tty: string;
  readonly pid: number;
  /** Exit code of kubectl (script -e passes it on). */
  readonly exited: Promise<number | null>;
}

let terminals = 0;
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs kubectl in a terminal of `rows` x `cols`, via `script`, which provides the pty. */
async function terminal(
  args: readonly string[],
  env: Record<string, string>,
  size = { rows: 24, cols: 80 },
): Promise<Terminal> {
  const n = terminals++;
  const ttyFile = join(cluster.dir, `tty-${n}`);
  const pidFile = join(cluster.dir, `pid-${n}`);
  const inner = [
    `stty rows ${size.rows} cols ${size.cols}`,
    `tty > ${quote(ttyFile)}`,
    `echo $$ > ${quote(pidFile)}`,
    `exec ${[KUBECTL, '--kubeconfig', cluster.kubeconfig, ...args].map(quote).join(' ')}`,
  ].join('; ');
  const child: ChildProcessWithoutNullStreams = spawn(SCRIPT, ['-qfec', inner, '/dev/null'], {
    env: { ...process.env, ...env, SHELL: '/bin/sh' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const read = async (file: string): Promise<string> =>
    (await readFile(file, 'utf8').catch(() => '')).trim();
  const tty = await until(
    () => read(ttyFile),
    t => t.startsWith('/dev/'),
    'the terminal',
    10_000,
  );
  const pid = Number(
    await until(
      () => read(pidFile),
      p => /^\d+$/.test(p),
      'the pid',
      10_000,
    ),
  );
  return {
    output: () => out,
    type: text => child.stdin.write(text),
    tty,
    pid,
    exited,
  };
}

function stty(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('stty', args, (err, stdout) => {
      if (err) reject(new Error(`stty ${args.join(' ')}: ${err.message}`));
      else resolve(stdout);
    });
  });
}

/** kubectl has put its terminal in raw mode: it is streaming, and keystrokes are not echoed locally. */
async function rawMode(t: Terminal): Promise<void> {
  await until(
    () => stty('-F', t.tty, '-a'),
    s => /(^|\s)-icanon(\s|$)/.test(s) && /(^|\s)-echo(\s|$)/.test(s),
    'raw mode',
    15_000,
  );
}

async function exitOf(t: Terminal, what: string): Promise<number | null> {
  const code = await Promise.race([
    t.exited,
    new Promise<'hung'>(r =>
      setTimeout(() => {
        r('hung');
      }, 20_000),
    ),
  ]);
  if (code === 'hung') {
    process.kill(t.pid, 'SIGKILL');
    throw new Error(`${what} did not end; terminal: ${JSON.stringify(t.output())}`);
  }
  return code;
}

describe('terminal sessions (kubectl under a pty)', () => {
  for (const { transport, env, upgrade } of REMOTE_COMMAND) {
    it(`exec -it over ${transport}: the mock sees the terminal size, then a resize`, async () => {
      const t = await terminal(['-v=6', 'exec', '-it', 'streams-0', '--', 'tty-sizes', '3'], env, {
        rows: 30,
        cols: 90,
      });
      await until(
        () => t.output(),
        o => o.includes('30 90'),
        `the first size; got ${JSON.stringify(t.output())}`,
        20_000,
      );
      // Resizing the terminal sends kubectl SIGWINCH, and it sends the new size on. One
      // dimension at a time: `stty rows R cols C` would make two resizes.
      await stty('-F', t.tty, 'rows', '50');
      await until(
        () => t.output(),
        o => o.includes('50 90'),
        `the second size; got ${JSON.stringify(t.output())}`,
        20_000,
      );
      await stty('-F', t.tty, 'cols', '120');
      expect(await exitOf(t, 'tty-sizes')).toBe(0);
      expect(upgradedTo(t.output())).toBe(upgrade);
      expect(t.output()).toMatch(/30 90\r?\n50 90\r?\n50 120\r?\n/);
    }, 45_000);

    it(`exec -it over ${transport}: keystrokes reach the container's cat and come back, Ctrl-D ends it`, async () => {
      const t = await terminal(['-v=6', 'exec', '-it', 'streams-1', '--', 'cat'], env);
      await rawMode(t);
      t.type('hello-tty\r');
      await until(
        () => t.output(),
        o => o.includes('hello-tty'),
        `the echo; got ${JSON.stringify(t.output())}`,
        20_000,
      );
      t.type('\x04');
      expect(await exitOf(t, 'cat')).toBe(0);
      expect(upgradedTo(t.output())).toBe(upgrade);
      // Raw mode: the terminal did not echo locally, so the one copy came from the container.
      expect(t.output().split('hello-tty')).toHaveLength(2);
    }, 45_000);

    it(`attach -it over ${transport}: keystrokes reach the container and come back`, async () => {
      const t = await terminal(['-v=6', 'attach', '-it', 'streams-2'], env);
      await rawMode(t);
      t.type('attach-hello\r');
      await until(
        () => t.output(),
        o => o.includes('attach-hello'),
        `the echo; got ${JSON.stringify(t.output())}`,
        20_000,
      );
      expect(t.output()).not.toContain('Unable to use a TTY');
      expect(upgradedTo(t.output())).toBe(upgrade);
      expect(t.output().split('attach-hello')).toHaveLength(2);
      process.kill(t.pid, 'SIGTERM');
      await t.exited;
    }, 45_000);
  }
});

// ---------------------------------------------------------------------------------------------

describe('stream idle timeout (--stream-idle-timeout)', () => {
  for (const { transport, env } of REMOTE_COMMAND) {
    it(`ends an exec session over ${transport} silent for that long`, async () => {
      // stdin stays open and silent: only the idle timeout can end `cat`.
      const child = spawn(
        KUBECTL,
        ['--kubeconfig', cluster.kubeconfig, 'exec', '-i', 'streams-0', '--', 'cat'],
        { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const started = Date.now();
      const exited = once(child, 'exit');
      child.stdin.write('one line\n');
      await until(
        () => out,
        o => o.includes('one line'),
        'the echo',
        10_000,
      );
      const [code] = (await exited) as [number | null];
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(IDLE_TIMEOUT_S * 1000 - 200);
      expect(elapsed).toBeLessThan(IDLE_TIMEOUT_S * 1000 + 5000);
      if (transport === 'WebSocket') {
        // The close frame carries the reason, and kubectl reports it.
        expect(code).not.toBe(0);
        expect(out).toContain('websocket: close 1001 (going away): stream idle timeout');
      } else {
        // SPDY has no reason to give: GOAWAY and the connection closes, as spdystream's does.
        expect(out).toBe('one line\n');
      }
    }, 30_000);
  }
});

// ---------------------------------------------------------------------------------------------
// 100 MB

const TOTAL = 100 * MB;
const CHUNK = 256 * 1024;

function drained(sink: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => {
      done();
    };
    const onClose = (): void => {
      done(new Error('the sink closed early'));
    };
    sink.on('drain', onDrain);
    sink.on('close', onClose);
  });
}

/**
 * Writes TOTAL bytes (a random block, each chunk stamped with its index) into `sink` with
 * backpressure while hashing what comes back from `source`. Memory stays at a few chunks.
 */
async function roundTrip(
  sink: Writable,
  source: Readable,
): Promise<{ sent: string; received: string; bytes: number }> {
  const sent = createHash('sha256');
  const received = createHash('sha256');
  let bytes = 0;
  const reading = (async () => {
    for await (const chunk of source) {
      received.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  })();
  const block = randomBytes(CHUNK);
  for (let i = 0; i * CHUNK < TOTAL; i++) {
    const chunk = Buffer.from(block);
    chunk.writeUInt32BE(i, 0);
    sent.update(chunk);
    if (!sink.write(chunk)) await drained(sink);
  }
  sink.end();
  await reading;
  return { sent: sent.digest('hex'), received: received.digest('hex'), bytes };
}

/** `kubectl exec -i … cat` with TOTAL bytes through it. */
async function execCat(env: Record<string, string>): Promise<{
  code: number | null;
  log: string;
  result: Awaited<ReturnType<typeof roundTrip>>;
}> {
  const child = spawn(
    KUBECTL,
    ['--kubeconfig', cluster.kubeconfig, '-v=6', 'exec', '-i', 'streams-3', '--', 'cat'],
    { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = once(child, 'exit');
  const result = await roundTrip(child.stdin, child.stdout);
  const [code] = (await exited) as [number | null];
  return { code, log, result };
}

/** Peak resident memory of vk-mock so far, in MiB. */
async function vkPeakMiB(): Promise<number> {
  const status = await readFile(`/proc/${cluster.vkPid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

describe('100 MB through the streams', () => {
  let warmPeak = 0;
  beforeAll(async () => {
    // The first big transfer grows the heap once (~70 MiB, whatever the path); measure after it.
    const warmup = await execCat(REMOTE_COMMAND[1].env);
    expect(warmup.result.received).toBe(warmup.result.sent);
    warmPeak = await vkPeakMiB();
  }, 60_000);

  for (const { transport, env, upgrade } of REMOTE_COMMAND) {
    it(`exec over ${transport}: stdin → the mock's cat → stdout, intact`, async () => {
      const { code, log, result } = await execCat(env);
      expect(code).toBe(0);
      expect(upgradedTo(log)).toBe(upgrade);
      expect(result.bytes).toBe(TOTAL);
      expect(result.received).toBe(result.sent);
    }, 60_000);
  }

  for (const websockets of ['false', 'true']) {
    it(`port-forward over ${websockets === 'true' ? 'WebSocket (tunnelled SPDY)' : 'SPDY'}: the mock's echo port returns every byte`, async () => {
      const local = await freePort();
      const pf = spawn(
        KUBECTL,
        [
          '--kubeconfig',
          cluster.kubeconfig,
          '-v=6',
          'port-forward',
          'pod/streams-3',
          `${local}:8080`,
        ],
        {
          env: { ...process.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: websockets },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        let out = '';
        pf.stdout.on('data', (d: Buffer) => (out += d.toString()));
        pf.stderr.on('data', (d: Buffer) => (out += d.toString()));
        await until(
          () => out,
          o => o.includes('Forwarding from'),
          'port-forward to listen',
          15_000,
        );
        const socket = createConnection(local, '127.0.0.1');
        await once(socket, 'connect');
        const result = await roundTrip(socket, socket);
        expect(result.bytes).toBe(TOTAL);
        expect(result.received).toBe(result.sent);
        expect(out).not.toContain('an error occurred forwarding');
        expect(upgradedTo(out)).toBe(websockets === 'true' ? 'websocket' : 'SPDY/3.1');
      } finally {
        pf.kill();
      }
    }, 60_000);
  }

  it('relayed those 400 MB with bounded memory: streams are backpressured, not buffered', async () => {
    // A path that buffered its 100 MB would show here; measured growth is 10-40 MiB.
    expect((await vkPeakMiB()) - warmPeak).toBeLessThan(80);
  });
});
