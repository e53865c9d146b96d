import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../provider/contract.ts';
import type { KubeletApiServer } from './server.ts';
import { SpdySession } from './spdy/session.ts';
import {
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  livenessOf,
} from './stream-timeouts.ts';
import { bareProvider } from '../provider/test-support/bare-provider.ts';
import { startStreamingServer } from './test-support/streaming-server.ts';

describe('stream timeouts', () => {
  it("defaults to the kubelet's 4 h idle timeout and a 30 s keepalive", () => {
    expect(DEFAULT_STREAM_IDLE_TIMEOUT_MS).toBe(4 * 3600 * 1000);
    expect(livenessOf({})).toEqual({ idleTimeoutMs: 4 * 3600 * 1000, keepaliveMs: 30_000 });
    expect(DEFAULT_KEEPALIVE_MS).toBe(30_000);
    expect(livenessOf({ streamIdleTimeoutMs: 0, keepaliveMs: 5 })).toEqual({
      idleTimeoutMs: 0,
      keepaliveMs: 5,
    });
  });
});

/** Sessions the provider ran, and why each ended. */
const ended: string[] = [];
const provider: Provider = bareProvider('timeouts', {
  // A command that never ends by itself: only the client or a timeout stops it.
  runInContainer: (_ns, _pod, _c, _cmd, _io, signal) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        ended.push((signal.reason as Error).message);
        reject(signal.reason as Error);
      });
    }),
  portForward: async () => undefined,
});

let server: KubeletApiServer;
let port = 0;
const IDLE_MS = 600;
const KEEPALIVE_MS = 100;

beforeAll(async () => {
  ({ server, port } = await startStreamingServer({
    provider,
    streamIdleTimeoutMs: IDLE_MS,
    keepaliveMs: KEEPALIVE_MS,
  }));
});

afterAll(async () => {
  await server.close();
});

describe('the streaming routes apply the idle timeout and keepalive', () => {
  it('SPDY exec: keepalive PINGs are answered, and a silent session still ends at the idle timeout', async () => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    socket.write(
      'POST /exec/ns/pod/c?command=sleep&stdin=1&stdout=1 HTTP/1.1\r\nHost: x\r\n' +
        'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n',
    );
    const [first] = (await once(socket, 'data')) as [Buffer];
    const end = first.indexOf('\r\n\r\n');
    expect(first.subarray(0, end).toString()).toMatch(/^HTTP\/1\.1 101/);
    // The client role echoes the server's PINGs, as kubectl's spdystream does.
    const session = new SpdySession(socket, {
      role: 'client',
      head: first.subarray(end + 4),
      sendFlowControl: false,
    });
    let pings = 0;
    session.on('ping', () => pings++);
    const goaway = once(session, 'goaway');
    const started = Date.now();
    await session.openStream({ streamtype: 'error' });
    await session.openStream({ streamtype: 'stdin' });
    await session.openStream({ streamtype: 'stdout' });
    await goaway;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(elapsed).toBeLessThan(IDLE_MS + 1500);
    expect(pings).toBeGreaterThanOrEqual(3);
    await once(session, 'close');
    expect(ended.at(-1)).toBe('client disconnected');
  });

  it('WebSocket exec: pings arrive, and a silent session is closed with 1001', async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${port}/exec/ns/pod/c?command=sleep&stdin=1&stdout=1`,
      ['v5.channel.k8s.io'],
      { rejectUnauthorized: false },
    );
    let pings = 0;
    ws.on('ping', () => pings++);
    await once(ws, 'open');
    const started = Date.now();
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([1001, 'stream idle timeout']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(pings).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 50 && ended.at(-1) !== `stream idle for ${IDLE_MS} ms`; i++) {
      await new Promise(r => setTimeout(r, 10));
    }
    expect(ended.at(-1)).toBe(`stream idle for ${IDLE_MS} ms`);
  });

  it('SPDY port-forward: a session with no streams ends at the idle timeout', async () => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    socket.write(
      'POST /portForward/ns/pod HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n' +
        'Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
    );
    const [first] = (await once(socket, 'data')) as [Buffer];
    const end = first.indexOf('\r\n\r\n');
    const session = new SpdySession(socket, {
      role: 'client',
      head: first.subarray(end + 4),
      sendFlowControl: false,
    });
    const started = Date.now();
    await once(session, 'close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(Date.now() - started).toBeLessThan(IDLE_MS + 1500);
  });
});
