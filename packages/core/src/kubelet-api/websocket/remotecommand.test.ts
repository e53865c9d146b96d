import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { TerminalSize } from '../../provider/contract.ts';
import {
  acceptRemoteCommandWebSocket,
  type RemoteCommandOptions,
  type RemoteCommandSession,
} from './remotecommand.ts';
import {
  channelData,
  channelOf,
  connect,
  frame,
  startLoopback,
  type Client,
  type Loopback,
} from './test-support/harness.ts';

const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

/** Serves one kind of session; each accepted session is handed to `run`. */
async function serve(
  options: RemoteCommandOptions,
  run: (session: RemoteCommandSession) => void | Promise<void>,
): Promise<{ url: string; sessions: Promise<RemoteCommandSession | null>[] }> {
  const sessions: Promise<RemoteCommandSession | null>[] = [];
  const loopback = await startLoopback((req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const accepted = acceptRemoteCommandWebSocket(req, socket, head, options);
    sessions.push(accepted);
    void accepted.then(session => (session ? run(session) : undefined));
  });
  servers.push(loopback);
  return { url: `${loopback.url}/exec`, sessions };
}

async function open(url: string, protocols: string[]): Promise<Client> {
  const result = await connect(url, protocols);
  if (!result.client) throw new Error(`upgrade refused: ${result.status} ${result.body}`);
  return result.client;
}

/** A fake command: echoes stdin to stdout until it reads "quit", then exits with `code`. */
function echoUntilQuit(code: number) {
  return async (session: RemoteCommandSession) => {
    session.stderr?.write('to-stderr');
    let seen = '';
    for await (const chunk of session.stdin!) {
      seen += String(chunk);
      session.stdout!.write(chunk as Buffer);
      if (seen.includes('quit')) break;
    }
    await session.finish({ exitCode: code });
  };
}

const VARIANTS = [
  { protocol: 'v5.channel.k8s.io', base64: false, json: true },
  { protocol: 'v4.channel.k8s.io', base64: false, json: true },
  { protocol: 'v4.base64.channel.k8s.io', base64: true, json: true },
  { protocol: 'channel.k8s.io', base64: false, json: false },
  { protocol: 'base64.channel.k8s.io', base64: true, json: false },
  { protocol: '', base64: false, json: false },
] as const;

describe('acceptRemoteCommandWebSocket', () => {
  for (const variant of VARIANTS) {
    for (const exitCode of [0, 3]) {
      it(`speaks ${variant.protocol || '(no protocol)'} with exit code ${exitCode}`, async () => {
        const { url } = await serve(
          { stdin: true, stdout: true, stderr: true, tty: false },
          echoUntilQuit(exitCode),
        );
        const client = await open(url, variant.protocol ? [variant.protocol] : []);
        expect(client.protocol).toBe(variant.protocol);

        // The session announces itself with an empty stdout frame.
        const first = await client.waitFor(() => true);
        expect(first.isBinary).toBe(!variant.base64);
        expect(channelOf(first, variant.base64)).toEqual({ channel: 1, data: Buffer.alloc(0) });

        client.ws.send(frame(0, 'hello ', variant.base64));
        client.ws.send(frame(0, 'world quit', variant.base64));
        const { code } = await client.closed;
        expect(code).toBe(1000);

        const m = client.messages;
        expect(channelData(m, 1, variant.base64).toString()).toBe('hello world quit');
        expect(channelData(m, 2, variant.base64).toString()).toBe('to-stderr');
        const errorFrames = m.map(x => channelOf(x, variant.base64)).filter(f => f.channel === 3);
        const error = channelData(m, 3, variant.base64).toString();
        if (variant.json) {
          expect(errorFrames).toHaveLength(1);
          if (exitCode === 0) {
            expect(error).toBe('{"metadata":{},"status":"Success"}');
          } else {
            expect(JSON.parse(error)).toEqual({
              metadata: {},
              status: 'Failure',
              message: 'command terminated with non-zero exit code: exit status 3',
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: '3' }] },
            });
          }
        } else if (exitCode === 0) {
          expect(errorFrames).toHaveLength(0);
        } else {
          expect(error).toBe('command terminated with non-zero exit code: exit status 3');
        }
      });
    }
  }

  it('reports a provider error as an InternalError status (v4) or text (v1)', async () => {
    const { url } = await serve({ stdin: false, stdout: true, stderr: false, tty: false }, s =>
      s.finish(new Error('container not found')),
    );
    const v4 = await open(url, ['v4.channel.k8s.io']);
    await v4.closed;
    expect(JSON.parse(channelData(v4.messages, 3, false).toString())).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'Internal error occurred: container not found',
      reason: 'InternalError',
      details: { causes: [{ message: 'container not found' }] },
      code: 500,
    });
    const v1 = await open(url, ['channel.k8s.io']);
    await v1.closed;
    expect(channelData(v1.messages, 3, false).toString()).toBe(
      'Internal error occurred: container not found',
    );
  });

  it('announces on stderr, then the error channel, when stdout is not requested', async () => {
    const onlyErr = await serve({ stdin: false, stdout: false, stderr: true, tty: false }, s =>
      s.finish({ exitCode: 0 }),
    );
    const a = await open(onlyErr.url, ['v4.channel.k8s.io']);
    await a.closed;
    expect(a.messages[0]!.data).toEqual(Buffer.from([2]));
    const none = await serve({ stdin: false, stdout: false, stderr: false, tty: false }, s =>
      s.finish({ exitCode: 0 }),
    );
    const b = await open(none.url, ['v4.channel.k8s.io']);
    await b.closed;
    expect(b.messages[0]!.data).toEqual(Buffer.from([3]));
  });

  it('ends stdin on a v5 close-stream frame', async () => {
    const { url } = await serve(
      { stdin: true, stdout: true, stderr: false, tty: false },
      async s => {
        await pipeline(s.stdin!, s.stdout!);
        await s.finish({ exitCode: 0 });
      },
    );
    const client = await open(url, ['v5.channel.k8s.io']);
    client.ws.send(frame(0, 'abc', false));
    client.ws.send(Buffer.from([255, 0]));
    await client.closed;
    expect(channelData(client.messages, 1, false).toString()).toBe('abc');
    expect(channelData(client.messages, 3, false).toString()).toBe(
      '{"metadata":{},"status":"Success"}',
    );
  });

  it('serves a tty: resize events, no stderr', async () => {
    const sizes: TerminalSize[] = [];
    let sawStderr = true;
    const { url } = await serve({ stdin: true, stdout: true, stderr: true, tty: true }, async s => {
      sawStderr = s.stderr !== undefined;
      expect(s.tty).toBe(true);
      for await (const size of s.resize!) {
        sizes.push(size);
        if (sizes.length === 3) break;
      }
      await s.finish({ exitCode: 0 });
    });
    for (const variant of [VARIANTS[0], VARIANTS[2]]) {
      sizes.length = 0;
      const client = await open(url, [variant.protocol]);
      client.ws.send(frame(4, '{"Width":80,"Height":24}', variant.base64));
      // Two objects in one frame, and one split across frames; field case does not matter.
      client.ws.send(frame(4, '{"Width":100,"Height":30}{"width":1', variant.base64));
      client.ws.send(frame(4, '20,"height":40}', variant.base64));
      await client.closed;
      expect(sizes).toEqual([
        { width: 80, height: 24 },
        { width: 100, height: 30 },
        { width: 120, height: 40 },
      ]);
    }
    expect(sawStderr).toBe(false);
  });

  describe('rejects malformed frames without crashing', () => {
    const cases: [string, string, Buffer | string][] = [
      ['an empty binary frame', 'v4.channel.k8s.io', Buffer.alloc(0)],
      ['an unknown channel', 'v4.channel.k8s.io', Buffer.from([9, 1, 2])],
      ['channel 255 before v5', 'v4.channel.k8s.io', Buffer.from([255, 0])],
      ['a v5 close-stream without channel', 'v5.channel.k8s.io', Buffer.from([255])],
      ['a v5 close-stream for an unknown channel', 'v5.channel.k8s.io', Buffer.from([255, 7])],
      ['a v5 close-stream with extra bytes', 'v5.channel.k8s.io', Buffer.from([255, 0, 0])],
      ['bad base64', 'v4.base64.channel.k8s.io', '0!!notbase64'],
      ['a non-digit base64 channel', 'v4.base64.channel.k8s.io', 'xAAAA'],
      ['an empty text frame', 'base64.channel.k8s.io', ''],
      ['a malformed resize message', 'v5.channel.k8s.io', Buffer.from('\x04not json')],
      ['a resize with bad sizes', 'v5.channel.k8s.io', Buffer.from('\x04{"Width":-1}')],
    ];
    for (const [name, protocol, payload] of cases) {
      it(name, async () => {
        let signal: AbortSignal | undefined;
        const { url } = await serve({ stdin: true, stdout: true, stderr: false, tty: true }, s => {
          signal = s.signal;
        });
        const client = await open(url, [protocol]);
        client.ws.send(payload);
        const { code } = await client.closed;
        expect(code).toBe(1002);
        expect(signal?.aborted).toBe(true);
        expect((signal?.reason as Error).name).toBe('ChannelProtocolError');
      });
    }
  });

  it('ignores frames on server-to-client channels and on unrequested stdin', async () => {
    const { url } = await serve({ stdin: false, stdout: true, stderr: false, tty: false }, s => {
      setTimeout(() => void s.finish({ exitCode: 0 }), 50);
    });
    const client = await open(url, ['v4.channel.k8s.io']);
    client.ws.send(frame(0, 'ignored', false));
    client.ws.send(frame(1, 'ignored', false));
    client.ws.send(frame(3, 'ignored', false));
    expect((await client.closed).code).toBe(1000);
  });

  it('refuses an unsupported sub-protocol with 400', async () => {
    const { url, sessions } = await serve(
      { stdin: false, stdout: true, stderr: false, tty: false },
      () => undefined,
    );
    const result = await connect(url, ['v3.channel.k8s.io', 'bogus.k8s.io']);
    expect(result.client).toBeUndefined();
    expect(result.status).toBe(400);
    expect(result.body).toContain('requested protocol(s) are not supported');
    expect(await sessions[0]).toBeNull();
  });

  it('refuses a request that is not a WebSocket upgrade with 400', async () => {
    const { url } = await serve(
      { stdin: false, stdout: true, stderr: false, tty: false },
      () => undefined,
    );
    const response = await fetch(url.replace('ws:', 'http:'), {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket' },
    }).catch(() => undefined);
    // Without Sec-WebSocket-Key the handshake is invalid; the server answers 400 and hangs up.
    expect(response?.status ?? 400).toBe(400);
  });

  it('never echoes or reports the bearer-token protocol', async () => {
    const token = 'base64url.bearer.authorization.k8s.io.c2VjcmV0LXRva2Vu';
    const { url } = await serve({ stdin: false, stdout: true, stderr: false, tty: false }, s =>
      s.finish({ exitCode: 0 }),
    );
    const ok = await connect(url, [token, 'v5.channel.k8s.io']);
    expect(ok.client?.protocol).toBe('v5.channel.k8s.io');
    expect(JSON.stringify(ok.headers)).not.toContain('c2VjcmV0LXRva2Vu');
    await ok.client?.closed;

    const refused = await connect(url, [token, 'v9.channel.k8s.io']);
    expect(refused.status).toBe(400);
    expect(refused.body).not.toContain('c2VjcmV0LXRva2Vu');
    expect(JSON.stringify(refused.headers)).not.toContain('c2VjcmV0LXRva2Vu');
  });

  it('aborts the signal when the client disconnects', async () => {
    let resolveSession: (s: RemoteCommandSession) => void = () => undefined;
    const session = new Promise<RemoteCommandSession>(r => (resolveSession = r));
    const { url } = await serve({ stdin: true, stdout: true, stderr: false, tty: false }, s => {
      resolveSession(s);
    });
    const client = await open(url, ['v5.channel.k8s.io']);
    const s = await session;
    expect(s.signal.aborted).toBe(false);
    const aborted = new Promise(r => {
      s.signal.addEventListener('abort', r);
    });
    let stdinEnded = false;
    s.stdin!.on('end', () => (stdinEnded = true)).resume();
    client.ws.terminate();
    await aborted;
    expect(s.signal.aborted).toBe(true);
    await new Promise(r => setImmediate(r));
    expect(stdinEnded).toBe(true);
    // Writing after the client left is harmless, and finish still resolves.
    s.stdout!.write('late');
    await s.finish({ exitCode: 0 });
  });

  it('moves 100 MB stdin -> stdout intact with bounded buffering', async () => {
    const total = 100 * 1024 * 1024;
    const chunkSize = 32 * 1024;
    let maxServerBuffered = 0;
    const { url } = await serve(
      { stdin: true, stdout: true, stderr: false, tty: false },
      async s => {
        const sample = setInterval(() => {
          const buffered = s.stdin!.readableLength + s.stdout!.writableLength;
          maxServerBuffered = Math.max(maxServerBuffered, buffered);
        }, 5);
        await pipeline(s.stdin!, s.stdout!);
        clearInterval(sample);
        await s.finish({ exitCode: 0 });
      },
    );
    const client = await open(url, ['v5.channel.k8s.io']);
    const received = createHash('sha256');
    let receivedBytes = 0;
    client.ws.on('message', (data: Buffer) => {
      if (data[0] === 1) {
        received.update(data.subarray(1));
        receivedBytes += data.length - 1;
      }
    });
    const sent = createHash('sha256');
    // Bytes sent but not yet echoed back: everything buffered anywhere along the loop.
    let inFlightPeak = 0;
    const block = randomBytes(chunkSize * 16);
    for (let offset = 0, i = 0; offset < total; offset += chunkSize, i++) {
      const start = (i * 7919) % (block.length - chunkSize);
      const chunk = Buffer.concat([Buffer.from([0]), block.subarray(start, start + chunkSize)]);
      chunk.writeUInt32LE(i, 1); // make every chunk distinct
      sent.update(chunk.subarray(1));
      const flushed = new Promise<void>(r => {
        client.ws.send(chunk, () => {
          r();
        });
      });
      if (client.ws.bufferedAmount > 1024 * 1024) await flushed;
      inFlightPeak = Math.max(inFlightPeak, offset + chunkSize - receivedBytes);
    }
    client.ws.send(Buffer.from([255, 0]));
    await client.closed;
    expect(receivedBytes).toBe(total);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    expect(maxServerBuffered).toBeLessThan(4 * 1024 * 1024);
    expect(inFlightPeak).toBeLessThan(16 * 1024 * 1024);
  }, 60_000);
});
