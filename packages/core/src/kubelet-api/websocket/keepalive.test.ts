import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acceptRemoteCommandWebSocket,
  type RemoteCommandOptions,
  type RemoteCommandSession,
} from './remotecommand.ts';
import {
  connect,
  frame,
  rawConnect,
  startLoopback,
  type Client,
  type Loopback,
} from './test-support/harness.ts';

const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

const PROTOCOL = 'v5.channel.k8s.io';
const delay = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** Serves sessions that wait for the client to go away (or `run`, when given). */
async function serve(
  options: Partial<RemoteCommandOptions>,
  run: (session: RemoteCommandSession) => Promise<void> = session =>
    new Promise(resolve => {
      session.signal.addEventListener('abort', () => {
        resolve();
      });
    }),
): Promise<{ url: string; sessions: RemoteCommandSession[] }> {
  const sessions: RemoteCommandSession[] = [];
  const loopback = await startLoopback((req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void acceptRemoteCommandWebSocket(req, socket, head, {
      stdin: true,
      stdout: true,
      stderr: false,
      tty: false,
      ...options,
    }).then(session => {
      if (!session) return;
      sessions.push(session);
      void run(session);
    });
  });
  servers.push(loopback);
  return { url: `${loopback.url}/exec`, sessions };
}

async function open(url: string): Promise<Client> {
  const result = await connect(url, [PROTOCOL]);
  if (!result.client) throw new Error(`upgrade refused: ${result.status} ${result.body}`);
  return result.client;
}

describe('WebSocket stream idle timeout', () => {
  it('closes a session idle for idleTimeoutMs with 1001 and aborts it', async () => {
    const { url, sessions } = await serve({ idleTimeoutMs: 200 });
    const started = Date.now();
    const client = await open(url);
    const { code, reason } = await client.closed;
    expect(code).toBe(1001);
    expect(reason).toBe('stream idle timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const session = sessions[0]!;
    // The server sees the close once the client's reply arrives.
    for (let i = 0; i < 50 && !session.signal.aborted; i++) await delay(10);
    expect(session.signal.aborted).toBe(true);
    expect((session.signal.reason as Error).message).toMatch(/stream idle for 200 ms/);
  });

  it('messages in either direction postpone it', async () => {
    const { url } = await serve({ idleTimeoutMs: 200 }, async session => {
      // Output for 500 ms, then silence; input echoes back (more output).
      for (let i = 0; i < 5 && !session.signal.aborted; i++) {
        session.stdout!.write(`tick ${i}\n`);
        await delay(100);
      }
      session.stdin!.on('data', (c: Buffer) => session.stdout!.write(c));
      await new Promise(resolve => {
        session.signal.addEventListener('abort', resolve);
      });
    });
    const started = Date.now();
    const client = await open(url);
    await delay(500);
    // Input alone keeps it open too.
    for (let i = 0; i < 4; i++) {
      client.ws.send(frame(0, `in ${i}`, false));
      await delay(100);
    }
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    const { code } = await client.closed;
    expect(code).toBe(1001);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});

describe('WebSocket keepalive', () => {
  it('pings every keepaliveMs, and pings do not hold an idle session open', async () => {
    const { url } = await serve({ idleTimeoutMs: 300, keepaliveMs: 50 });
    const client = await open(url);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    const { code } = await client.closed;
    expect(code).toBe(1001);
    // The `ws` client answered every one with a pong, and the session still timed out.
    expect(pings).toBeGreaterThanOrEqual(3);
  });

  it('keeps an idle session with an answering client open when there is no idle timeout', async () => {
    const { url, sessions } = await serve({ keepaliveMs: 40 });
    const client = await open(url);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await delay(400);
    expect(pings).toBeGreaterThanOrEqual(5);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(sessions[0]!.signal.aborted).toBe(false);
    client.ws.close();
  });

  it('drops a client that does not answer pings', async () => {
    const { url, sessions } = await serve({ keepaliveMs: 50 });
    const started = Date.now();
    // The bare client never answers pings.
    const raw = await rawConnect(url, PROTOCOL);
    expect(raw.status).toBe(101);
    expect(await raw.closed).toBe(1006);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(raw.frames.some(f => f.opcode === 0x9)).toBe(true);
    for (let i = 0; i < 50 && !sessions[0]!.signal.aborted; i++) await delay(10);
    expect((sessions[0]!.signal.reason as Error).message).toMatch(/no pong within 50 ms/);
  });

  it('does not take a client for dead while its pongs wait behind unread stdin', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>(resolve => (release = resolve));
    const { url, sessions } = await serve({ keepaliveMs: 40 }, async session => {
      // A slow command: it reads nothing until released, so the server pauses the socket.
      await released;
      let total = 0;
      for await (const chunk of session.stdin!) total += (chunk as Buffer).length;
      await session.finish({ exitCode: total === 2 * 1024 * 1024 ? 0 : 1 });
    });
    const client = await open(url);
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 32; i++) client.ws.send(frame(0, chunk, false));
    await delay(400);
    expect(sessions[0]!.signal.aborted).toBe(false);
    release();
    // v5: a close frame on stdin (channel 255, then the stream) ends the input.
    client.ws.send(Buffer.from([255, 0]));
    const status = await client.waitFor(m => m.data[0] === 3);
    expect(JSON.parse(status.data.subarray(1).toString()) as unknown).toMatchObject({
      status: 'Success',
    });
    expect((await client.closed).code).toBe(1000);
  });
});
