/**
 * Hostile and malformed requests against the streaming routes of a running KubeletApiServer
 * (exec, attach, portForward; SPDY/3.1 and WebSocket): bad upgrade headers, unknown protocols,
 * garbage after the upgrade, broken zlib, oversized header blocks, half-closed sockets, plus a
 * deterministic pseudo-random batch. Every one must end in an HTTP error or a clean close; the
 * server must keep serving, raise no unhandled error, and hold no socket afterwards.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { deflateSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachIO, ExecResult, Provider } from '../provider/contract.ts';
import type { HttpRoute } from './router.ts';
import type { KubeletApiServer } from './server.ts';
import { FLAG_FIN, SettingsId, encodeFrame, type SpdyFrame } from './spdy/frames.ts';
import { HeaderCompressor } from './spdy/header-block.ts';
import { SpdySession } from './spdy/session.ts';
import { bareProvider } from '../provider/test-support/bare-provider.ts';
import { synStreamFrame } from './spdy/test-support/spdy-client.ts';
import { startStreamingServer } from './test-support/streaming-server.ts';

// ---------------------------------------------------------------------------------------------
// The server under test

async function pump(io: AttachIO, signal: AbortSignal): Promise<void> {
  const { stdin, stdout } = io;
  if (!stdin) return;
  await new Promise<void>(resolve => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    stdin.on('data', (c: Buffer) => stdout?.write(c));
    stdin.once('end', done);
    stdin.once('close', done);
  });
}

const provider: Provider = bareProvider('fuzz', {
  runInContainer: async (_ns, _pod, _c, command, io, signal): Promise<ExecResult> => {
    if (command[0] === 'echo') {
      io.stdout?.write(`${command.slice(1).join(' ')}\n`);
      return { exitCode: 0 };
    }
    await pump(io, signal);
    return { exitCode: command[0] === 'fail' ? 3 : 0 };
  },
  attachToContainer: async (_ns, _pod, _c, io, signal) => {
    await pump(io, signal);
    return { exitCode: 0 };
  },
  portForward: async (_ns, _pod, _port, stream, signal) => {
    await new Promise<void>(resolve => {
      signal.addEventListener('abort', () => {
        resolve();
      });
      stream.on('data', (c: Buffer) => stream.write(c));
      stream.once('end', () => {
        stream.end();
        resolve();
      });
      stream.once('close', () => {
        resolve();
      });
    });
  },
});

/** Upgraded sockets the routes were handed and that are not closed yet. */
const upgradedOpen = new Set<Duplex>();
function tracked(route: HttpRoute): HttpRoute {
  const upgrade = route.upgrade;
  if (!upgrade) return route;
  return {
    ...route,
    upgrade: (ctx, socket, head) => {
      upgradedOpen.add(socket);
      socket.once('close', () => upgradedOpen.delete(socket));
      return upgrade(ctx, socket, head);
    },
  };
}

let server: KubeletApiServer;
let port = 0;
const timeouts = { streamCreationTimeoutMs: 500, streamIdleTimeoutMs: 1500, keepaliveMs: 300 };
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown): void => {
  unhandled.push(err);
};
const tcpSockets = (): number =>
  process.getActiveResourcesInfo().filter(r => r === 'TCPSocketWrap').length;
let baselineSockets = 0;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  ({ server, port } = await startStreamingServer({ provider, ...timeouts, wrap: tracked }));
  baselineSockets = tcpSockets();
});

afterAll(async () => {
  await server.close();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

// ---------------------------------------------------------------------------------------------
// A deterministic generator (mulberry32)

function prng(seed: number): {
  next(): number;
  int(n: number): number;
  pick<T>(a: readonly T[]): T;
  bytes(n: number): Buffer;
} {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(arr: readonly T[]): T => arr[int(arr.length)] as T,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}

// ---------------------------------------------------------------------------------------------
// Raw clients

interface Outcome {
  /** HTTP status of the response, if one came. */
  readonly status: number | undefined;
  /** The server closed the connection by itself within the deadline. */
  readonly serverClosed: boolean;
  readonly head: string;
}

interface Exchange {
  /** The request head and anything after it, as sent. */
  readonly request: string | Buffer;
  /** What to do once the server answered 101: hostile bytes, half-close... */
  readonly afterUpgrade?: (socket: Duplex) => void | Promise<void>;
  /** Write raw TCP instead of TLS. */
  readonly plain?: boolean;
  /** End our side right after the request. */
  readonly halfClose?: boolean;
  readonly deadlineMs?: number;
}

/** Sends one exchange and reports how the server dealt with it. Always destroys the socket. */
async function exchange(ex: Exchange): Promise<Outcome> {
  const socket: Duplex = ex.plain
    ? tcpConnect(port, '127.0.0.1')
    : tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  socket.on('error', () => undefined);
  await once(socket, ex.plain ? 'connect' : 'secureConnect');
  let buffer = Buffer.alloc(0);
  let status: number | undefined;
  let head = '';
  let afterUpgrade: Promise<void> | undefined;
  const closed = new Promise<void>(resolve =>
    socket.once('close', () => {
      resolve();
    }),
  );
  const answered = new Promise<void>(resolve => {
    socket.on('data', (chunk: Buffer) => {
      if (status !== undefined) return;
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = buffer.subarray(0, end).toString('latin1');
      status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      if (status === 101 && ex.afterUpgrade) {
        afterUpgrade = Promise.resolve(ex.afterUpgrade(socket)).catch(() => undefined);
      }
      resolve();
    });
  });
  socket.write(ex.request);
  if (ex.halfClose) socket.end();
  const deadline = ex.deadlineMs ?? 8000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>(resolve => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, deadline);
  });
  let serverClosed = false;
  const first = await Promise.race([
    answered.then(() => 'answered' as const),
    closed.then(() => 'closed' as const),
    timedOut,
  ]);
  if (first === 'closed') serverClosed = true;
  else if (first === 'answered' && status === 101) {
    // Upgraded: the server must close it by itself (error, creation or idle timeout).
    serverClosed =
      (await Promise.race([closed.then(() => 'closed' as const), timedOut])) === 'closed';
  } else if (first === 'answered') {
    // An HTTP error: a keep-alive connection may stay; we are done.
    serverClosed = true;
  }
  clearTimeout(timer);
  await afterUpgrade;
  socket.destroy();
  return { status, serverClosed, head };
}

interface RequestHead {
  method?: string;
  path: string;
  headers: Record<string, string | undefined>;
}

function requestText(r: RequestHead): string {
  const lines = [`${r.method ?? 'POST'} ${r.path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const EXEC = '/exec/ns/pod/c?command=cat&stdin=1&stdout=1&stderr=1';
const EXEC_TTY = '/exec/ns/pod/c?command=cat&stdin=1&stdout=1&tty=1';
const ATTACH = '/attach/ns/pod/c?stdin=1&stdout=1';
const PORT_FORWARD = '/portForward/ns/pod';

const spdyHeaders = (protocol: string | undefined): Record<string, string | undefined> => ({
  Connection: 'Upgrade',
  Upgrade: 'SPDY/3.1',
  'X-Stream-Protocol-Version': protocol,
});
const wsHeaders = (protocol: string | undefined): Record<string, string | undefined> => ({
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
  'Sec-WebSocket-Protocol': protocol,
});

/** A masked client WebSocket frame. */
function wsFrame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; mask?: boolean } = {},
): Buffer {
  const fin = options.fin ?? true;
  const masked = options.mask ?? true;
  const len = payload.length;
  const header =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | len])
      : len < 65536
        ? Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | 126, len >> 8, len & 0xff])
        : Buffer.concat([
            Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | 127]),
            (() => {
              const b = Buffer.alloc(8);
              b.writeBigUInt64BE(BigInt(len));
              return b;
            })(),
          ]);
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  return Buffer.concat([header, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

const frame = (f: SpdyFrame): Buffer => encodeFrame(f);
const write = (socket: Duplex, ...chunks: Buffer[]): void => {
  for (const c of chunks) if (!socket.destroyed) socket.write(c);
};

// ---------------------------------------------------------------------------------------------
// Fixed cases

interface Case {
  readonly name: string;
  readonly exchange: () => Exchange | Promise<Exchange>;
  /** An HTTP status, or 'closed': 101 (or no answer) and then a close by the server. */
  readonly expect: number | 'closed';
}

const spdyAfter = (
  path: string,
  protocol: string,
  after: (socket: Duplex, compressor: HeaderCompressor) => void | Promise<void>,
): Exchange => ({
  request: requestText({ path, headers: spdyHeaders(protocol) }),
  afterUpgrade: socket => after(socket, new HeaderCompressor()),
});

const wsAfter = (path: string, protocol: string, after: (socket: Duplex) => void): Exchange => ({
  request: requestText({ method: 'GET', path, headers: wsHeaders(protocol) }),
  afterUpgrade: after,
});

const CASES: Case[] = [
  // HTTP level
  {
    name: 'exec without an upgrade',
    exchange: () => ({ request: requestText({ path: EXEC, headers: {} }) }),
    expect: 400,
  },
  {
    name: 'Upgrade: SPDY/3.1 without Connection: Upgrade',
    exchange: () => ({
      request: requestText({
        path: EXEC,
        headers: { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
      }),
    }),
    expect: 400,
  },
  {
    name: 'unknown Upgrade token',
    exchange: () => ({
      request: requestText({ path: EXEC, headers: { Connection: 'Upgrade', Upgrade: 'h2c' } }),
    }),
    expect: 400,
  },
  {
    name: 'SPDY without X-Stream-Protocol-Version',
    exchange: () => ({ request: requestText({ path: EXEC, headers: spdyHeaders(undefined) }) }),
    expect: 400,
  },
  {
    name: 'SPDY with an empty X-Stream-Protocol-Version',
    exchange: () => ({ request: requestText({ path: EXEC, headers: spdyHeaders('') }) }),
    expect: 400,
  },
  {
    name: 'SPDY with only commas',
    exchange: () => ({ request: requestText({ path: EXEC, headers: spdyHeaders(' , ,') }) }),
    expect: 400,
  },
  {
    name: 'SPDY with an unknown protocol',
    exchange: () => ({
      request: requestText({ path: EXEC, headers: spdyHeaders('v9.channel.k8s.io') }),
    }),
    expect: 403,
  },
  {
    name: 'port-forward SPDY with an exec protocol',
    exchange: () => ({
      request: requestText({ path: PORT_FORWARD, headers: spdyHeaders('v4.channel.k8s.io') }),
    }),
    expect: 403,
  },
  {
    name: 'WebSocket with an unknown protocol',
    exchange: () => ({
      request: requestText({ method: 'GET', path: EXEC, headers: wsHeaders('v9.channel.k8s.io') }),
    }),
    expect: 400,
  },
  {
    name: 'WebSocket with only a bearer token protocol',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: EXEC,
        headers: wsHeaders('base64url.bearer.authorization.k8s.io.dG9rZW4'),
      }),
    }),
    expect: 401,
  },
  {
    name: 'WebSocket without Sec-WebSocket-Key',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: EXEC,
        headers: { ...wsHeaders('v5.channel.k8s.io'), 'Sec-WebSocket-Key': undefined },
      }),
    }),
    expect: 400,
  },
  {
    name: 'WebSocket with a bad Sec-WebSocket-Key',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: EXEC,
        headers: { ...wsHeaders('v5.channel.k8s.io'), 'Sec-WebSocket-Key': 'short' },
      }),
    }),
    expect: 400,
  },
  {
    name: 'WebSocket version 12',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: EXEC,
        headers: { ...wsHeaders('v5.channel.k8s.io'), 'Sec-WebSocket-Version': '12' },
      }),
    }),
    expect: 400,
  },
  {
    name: 'WebSocket upgrade by POST',
    exchange: () => ({
      request: requestText({ method: 'POST', path: EXEC, headers: wsHeaders('v5.channel.k8s.io') }),
    }),
    expect: 400,
  },
  {
    name: 'exec without a command',
    exchange: () => ({
      request: requestText({
        path: '/exec/ns/pod/c?stdout=1',
        headers: spdyHeaders('v4.channel.k8s.io'),
      }),
    }),
    expect: 400,
  },
  {
    name: 'exec with no stream',
    exchange: () => ({
      request: requestText({
        path: '/exec/ns/pod/c?command=ls',
        headers: spdyHeaders('v4.channel.k8s.io'),
      }),
    }),
    expect: 400,
  },
  {
    name: 'exec with tty and stderr',
    exchange: () => ({
      request: requestText({
        path: '/exec/ns/pod/c?command=ls&stdout=1&stderr=1&tty=1',
        headers: wsHeaders('v5.channel.k8s.io'),
        method: 'GET',
      }),
    }),
    expect: 400,
  },
  {
    name: 'exec with a bad path escape',
    exchange: () => ({
      request: requestText({
        path: '/exec/ns/%E0%A4%A/c?command=ls&stdout=1',
        headers: spdyHeaders('v4.channel.k8s.io'),
      }),
    }),
    expect: 400,
  },
  {
    name: 'exec by PUT',
    exchange: () => ({
      request: requestText({
        method: 'PUT',
        path: EXEC,
        headers: spdyHeaders('v4.channel.k8s.io'),
      }),
    }),
    expect: 405,
  },
  {
    name: 'port-forward WebSocket without the tunnel protocol',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: `${PORT_FORWARD}?port=80`,
        headers: wsHeaders('v4.channel.k8s.io'),
      }),
    }),
    expect: 400,
  },
  {
    name: 'port-forward WebSocket with no port query',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: PORT_FORWARD,
        headers: wsHeaders('v4.channel.k8s.io'),
      }),
    }),
    expect: 400,
  },
  {
    name: 'port-forward WebSocket with a bad port query',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: `${PORT_FORWARD}?port=99999,abc`,
        headers: wsHeaders(''),
      }),
    }),
    expect: 400,
  },
  {
    name: 'port-forward without an upgrade',
    exchange: () => ({ request: requestText({ path: `${PORT_FORWARD}?port=80`, headers: {} }) }),
    expect: 400,
  },
  { name: 'a garbage request line', exchange: () => ({ request: 'GARBAGE\r\n\r\n' }), expect: 400 },
  {
    name: 'a header without a colon',
    exchange: () => ({ request: `POST ${EXEC} HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n` }),
    expect: 400,
  },
  {
    name: 'an oversized header section',
    exchange: () => ({
      request: requestText({
        path: EXEC,
        headers: { ...spdyHeaders('v4.channel.k8s.io'), 'X-Big': 'a'.repeat(20_000) },
      }),
    }),
    expect: 431,
  },
  {
    name: 'half a request, then our side closed',
    exchange: () => ({
      request: `POST ${EXEC} HTTP/1.1\r\nHost: x\r\nConnection: Upgr`,
      halfClose: true,
    }),
    expect: 400,
  },
  {
    name: 'random bytes instead of a TLS handshake',
    exchange: () => ({ request: prng(7).bytes(600), plain: true }),
    expect: 'closed',
  },
  {
    name: 'plain HTTP on the TLS port',
    exchange: () => ({
      request: requestText({ path: EXEC, headers: spdyHeaders('v4.channel.k8s.io') }),
      plain: true,
    }),
    expect: 'closed',
  },

  // SPDY after the upgrade
  {
    name: 'SPDY: nothing at all after the upgrade (creation timeout)',
    exchange: () => spdyAfter(EXEC, 'v4.channel.k8s.io', () => undefined),
    expect: 'closed',
  },
  {
    name: 'SPDY: random bytes',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', s => {
        write(s, prng(11).bytes(3000));
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: HTTP/1.1 again inside the session',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', s => {
        write(s, Buffer.from(requestText({ path: EXEC, headers: {} })));
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: a truncated SYN_STREAM, then our side closed',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', async (s, c) => {
        const syn = await synStreamFrame(c, 1, { streamtype: 'error' });
        write(s, syn.subarray(0, syn.length - 3));
        s.end();
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: a header block that is not zlib',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', s => {
        write(
          s,
          frame({
            type: 'SYN_STREAM',
            streamId: 1,
            associatedStreamId: 0,
            priority: 0,
            slot: 0,
            flags: 0,
            headerBlock: prng(3).bytes(64),
          }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: a zlib stream without the SPDY dictionary',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', s => {
        write(
          s,
          frame({
            type: 'SYN_STREAM',
            streamId: 1,
            associatedStreamId: 0,
            priority: 0,
            slot: 0,
            flags: 0,
            headerBlock: deflateSync(Buffer.from('\0\0\0\x01\0\0\0\x01a\0\0\0\x01b')),
          }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: a 1 MiB header block (decompression bomb)',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', async (s, c) => {
        write(
          s,
          await synStreamFrame(c, 1, { streamtype: 'error', bomb: 'x'.repeat(1024 * 1024) }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: a frame header announcing 16 MiB that never comes',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', s => {
        write(s, Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff]), prng(5).bytes(100));
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: version 2 frames',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', s => {
        write(s, Buffer.from('80020006000000040000000180', 'hex'));
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: an even stream id, then stream ids going backwards',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', async (s, c) => {
        write(
          s,
          await synStreamFrame(c, 2, { streamtype: 'error' }),
          await synStreamFrame(c, 5, { streamtype: 'stdout' }),
          await synStreamFrame(c, 3, { streamtype: 'stdin' }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: DATA for unknown streams and stream 0, RST_STREAM, session WINDOW_UPDATE overflow',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', s => {
        write(
          s,
          frame({ type: 'DATA', streamId: 9, flags: 0, data: Buffer.from('x') }),
          frame({ type: 'DATA', streamId: 0, flags: FLAG_FIN, data: Buffer.from('y') }),
          frame({ type: 'RST_STREAM', streamId: 1, status: 1 }),
          frame({ type: 'WINDOW_UPDATE', streamId: 0, delta: 0x7fffffff }),
          frame({ type: 'WINDOW_UPDATE', streamId: 0, delta: 0x7fffffff }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: SETTINGS with a window over 2^31-1',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', s => {
        write(
          s,
          frame({
            type: 'SETTINGS',
            flags: 0,
            settings: [{ flags: 0, id: SettingsId.INITIAL_WINDOW_SIZE, value: 0xffffffff }],
          }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: the right streams, then garbage in the middle of the session',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', async (s, c) => {
        write(
          s,
          await synStreamFrame(c, 1, { streamtype: 'error' }),
          await synStreamFrame(c, 3, { streamtype: 'stdin' }),
          await synStreamFrame(c, 5, { streamtype: 'stdout' }),
          await synStreamFrame(c, 7, { streamtype: 'stderr' }),
        );
        write(
          s,
          frame({ type: 'DATA', streamId: 3, flags: 0, data: Buffer.from('hello') }),
          prng(13).bytes(500),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: the right streams, then our side closed mid-session',
    exchange: () =>
      spdyAfter(EXEC, 'v4.channel.k8s.io', async (s, c) => {
        write(
          s,
          await synStreamFrame(c, 1, { streamtype: 'error' }),
          await synStreamFrame(c, 3, { streamtype: 'stdin' }),
          await synStreamFrame(c, 5, { streamtype: 'stdout' }),
          await synStreamFrame(c, 7, { streamtype: 'stderr' }),
        );
        s.end();
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY: a tty session sending garbage resize messages, then silence (idle timeout)',
    exchange: () =>
      spdyAfter(EXEC_TTY, 'v4.channel.k8s.io', async (s, c) => {
        write(
          s,
          await synStreamFrame(c, 1, { streamtype: 'error' }),
          await synStreamFrame(c, 3, { streamtype: 'stdin' }),
          await synStreamFrame(c, 5, { streamtype: 'stdout' }),
          await synStreamFrame(c, 7, { streamtype: 'resize' }),
        );
        write(
          s,
          frame({
            type: 'DATA',
            streamId: 7,
            flags: 0,
            data: Buffer.from('{"Width":"x"}}}{{{[[{"Height":1e99}'),
          }),
          frame({ type: 'DATA', streamId: 7, flags: 0, data: prng(17).bytes(6000) }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY attach: streams with unknown types only (creation timeout)',
    exchange: () =>
      spdyAfter(ATTACH, 'v4.channel.k8s.io', async (s, c) => {
        write(
          s,
          await synStreamFrame(c, 1, { streamtype: 'bogus' }),
          await synStreamFrame(c, 3, {}),
          await synStreamFrame(c, 5, { streamtype: '' }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY port-forward: bad ports, a lone stream, unknown stream types (idle timeout)',
    exchange: () =>
      spdyAfter(PORT_FORWARD, 'portforward.k8s.io', async (s, c) => {
        write(
          s,
          await synStreamFrame(c, 1, { streamtype: 'error', port: 'abc', requestid: '0' }),
          await synStreamFrame(c, 3, { streamtype: 'data', port: 'abc', requestid: '0' }),
          await synStreamFrame(c, 5, { streamtype: 'data', port: '70000', requestid: '1' }),
          await synStreamFrame(c, 7, { streamtype: 'error', port: '0', requestid: '1' }),
          await synStreamFrame(c, 9, { streamtype: 'data', port: '80', requestid: '2' }),
          await synStreamFrame(c, 11, { streamtype: 'weird', port: '80', requestid: '3' }),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'SPDY port-forward: garbage after a working pair',
    exchange: () =>
      spdyAfter(PORT_FORWARD, 'portforward.k8s.io', async (s, c) => {
        write(
          s,
          await synStreamFrame(c, 1, { streamtype: 'error', port: '80', requestid: '0' }),
          await synStreamFrame(c, 3, { streamtype: 'data', port: '80', requestid: '0' }),
        );
        write(
          s,
          frame({ type: 'DATA', streamId: 3, flags: 0, data: Buffer.from('echo me') }),
          prng(19).bytes(1000),
        );
      }),
    expect: 'closed',
  },

  // WebSocket after the upgrade
  {
    name: 'WebSocket: random bytes',
    exchange: () =>
      wsAfter(EXEC, 'v5.channel.k8s.io', s => {
        write(s, prng(23).bytes(2000));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: an unmasked frame',
    exchange: () =>
      wsAfter(EXEC, 'v5.channel.k8s.io', s => {
        write(s, wsFrame(2, Buffer.from([0, 1, 2]), { mask: false }));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: a frame announcing 2^62 bytes',
    exchange: () =>
      wsAfter(EXEC, 'v5.channel.k8s.io', s => {
        write(s, Buffer.from([0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: a message over the 4 MiB limit',
    exchange: () =>
      wsAfter(EXEC, 'v5.channel.k8s.io', s => {
        write(s, wsFrame(2, Buffer.alloc(5 * 1024 * 1024)));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: a fragmented ping',
    exchange: () =>
      wsAfter(EXEC, 'v5.channel.k8s.io', s => {
        write(s, wsFrame(9, Buffer.from('x'), { fin: false }));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: invalid UTF-8 in a text frame',
    exchange: () =>
      wsAfter(EXEC, 'v4.base64.channel.k8s.io', s => {
        write(s, wsFrame(1, Buffer.from([0x30, 0xc3, 0x28])));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: bad base64 channel data',
    exchange: () =>
      wsAfter(EXEC, 'v4.base64.channel.k8s.io', s => {
        write(s, wsFrame(1, Buffer.from('9!!!!')));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: reserved opcode',
    exchange: () =>
      wsAfter(EXEC, 'v5.channel.k8s.io', s => {
        write(s, wsFrame(3, Buffer.from('x')));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: a tty session sending garbage resize messages',
    exchange: () =>
      wsAfter(EXEC_TTY, 'v5.channel.k8s.io', s => {
        write(s, wsFrame(2, Buffer.concat([Buffer.from([4]), Buffer.from('not json at all')])));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: unknown channels and a close-stream for a bad channel',
    exchange: () =>
      wsAfter(EXEC, 'v5.channel.k8s.io', s => {
        write(
          s,
          wsFrame(2, Buffer.from([9, 1, 2])),
          wsFrame(2, Buffer.from([255, 200])),
          wsFrame(2, Buffer.alloc(0)),
        );
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: our side closed right after the upgrade',
    exchange: () =>
      wsAfter(ATTACH, 'v4.channel.k8s.io', s => {
        s.end();
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: a close frame with a bad code',
    exchange: () =>
      wsAfter(EXEC, 'v5.channel.k8s.io', s => {
        write(s, wsFrame(8, Buffer.from([0x03, 0xe7])));
      }),
    expect: 'closed',
  },
  {
    name: 'WebSocket: silence, no pongs (keepalive)',
    exchange: () => wsAfter(EXEC, 'v5.channel.k8s.io', () => undefined),
    expect: 'closed',
  },
  {
    name: 'WebSocket port-forward tunnel: garbage SPDY inside',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: PORT_FORWARD,
        headers: wsHeaders('SPDY/3.1+portforward.k8s.io'),
      }),
      afterUpgrade: s => {
        write(s, wsFrame(2, prng(29).bytes(300)));
      },
    }),
    expect: 'closed',
  },
  {
    name: 'WebSocket port-forward tunnel: a text message',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: PORT_FORWARD,
        headers: wsHeaders('SPDY/3.1+portforward.k8s.io'),
      }),
      afterUpgrade: s => {
        write(s, wsFrame(1, Buffer.from('hello')));
      },
    }),
    expect: 'closed',
  },
  {
    name: 'WebSocket port-forward tunnel: silence (SPDY keepalive)',
    exchange: () => ({
      request: requestText({
        method: 'GET',
        path: PORT_FORWARD,
        headers: wsHeaders('SPDY/3.1+portforward.k8s.io'),
      }),
      afterUpgrade: () => undefined,
    }),
    expect: 'closed',
  },
];

// ---------------------------------------------------------------------------------------------
// Random cases

function randomCase(seed: number): Exchange {
  const r = prng(seed);
  const path = r.pick([
    EXEC,
    EXEC_TTY,
    ATTACH,
    '/exec/ns/pod/c?command=echo&command=hi&stdout=1',
    '/exec/ns/pod/c',
    '/attach/ns/pod/c?tty=1&stderr=1&stdout=1',
    PORT_FORWARD,
    `${PORT_FORWARD}?port=80`,
    `${PORT_FORWARD}?port=`,
    '/exec/ns/pod',
    '/portForward/ns/pod/extra',
  ]);
  // A valid upgrade for the path, with up to two headers swapped for hostile values.
  const kind = r.pick(['spdy', 'ws'] as const);
  const forwarding = path.startsWith('/portForward');
  const valid =
    kind === 'spdy'
      ? spdyHeaders(
          forwarding
            ? 'portforward.k8s.io'
            : r.pick(['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io']),
        )
      : wsHeaders(
          forwarding
            ? 'SPDY/3.1+portforward.k8s.io'
            : r.pick(['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', '']),
        );
  const mutations: Record<string, readonly (string | undefined)[]> = {
    Connection: ['Upgrade', 'upgrade', 'keep-alive', 'Upgrade, close', '', undefined],
    Upgrade: [
      'SPDY/3.1',
      'spdy/3.1',
      'websocket',
      'WebSocket',
      'h2c',
      '',
      'SPDY/3.1, websocket',
      undefined,
    ],
    'X-Stream-Protocol-Version': [
      'v5.channel.k8s.io',
      'v4.channel.k8s.io',
      'channel.k8s.io',
      'portforward.k8s.io',
      'v9.channel.k8s.io, portforward.k8s.io',
      '',
      undefined,
    ],
    'Sec-WebSocket-Version': ['13', '12', '', undefined],
    'Sec-WebSocket-Key': [randomBytes(16).toString('base64'), 'x', '', undefined],
    'Sec-WebSocket-Protocol': [
      'v5.channel.k8s.io',
      'v4.base64.channel.k8s.io',
      'SPDY/3.1+portforward.k8s.io',
      'base64url.bearer.authorization.k8s.io.abc, v4.channel.k8s.io',
      'v9.channel.k8s.io',
      ',,,',
      '',
      undefined,
    ],
  };
  const headers: Record<string, string | undefined> = { ...valid };
  for (let n = r.int(3); n > 0; n--) {
    const name = r.pick(Object.keys(mutations));
    headers[name] = r.pick(mutations[name] ?? []);
  }
  const method =
    r.next() < 0.85 ? (kind === 'ws' ? 'GET' : 'POST') : r.pick(['GET', 'POST', 'PUT', 'DELETE']);
  const compressor = new HeaderCompressor();
  const payload = async (): Promise<Buffer> => {
    switch (r.int(5)) {
      case 0:
        return r.bytes(r.int(4096));
      case 1: {
        // Valid SPDY streams, then random bytes.
        const syns = await Promise.all(
          ['error', 'stdin', 'stdout', 'resize'].map((t, i) =>
            synStreamFrame(compressor, 2 * i + 1, { streamtype: t, port: '80', requestid: '0' }),
          ),
        );
        return Buffer.concat([...syns, r.bytes(r.int(512))]);
      }
      case 2: {
        // A valid frame cut at a random point.
        const syn = await synStreamFrame(compressor, 1, { streamtype: 'error' });
        return syn.subarray(0, r.int(syn.length));
      }
      case 3:
        // WebSocket frames with random channels and payloads.
        return Buffer.concat(
          Array.from({ length: 1 + r.int(4) }, () =>
            wsFrame(r.pick([1, 2, 8, 9, 10]), r.bytes(r.int(200)), {
              fin: r.next() < 0.8,
              mask: r.next() < 0.9,
            }),
          ),
        );
      default:
        return Buffer.alloc(0);
    }
  };
  const halfClose = r.next() < 0.3;
  return {
    request: requestText({ method, path, headers }),
    afterUpgrade: async socket => {
      write(socket, await payload());
      if (halfClose) socket.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Sanity: the server still serves a normal session

async function wsExec(): Promise<{ stdout: string; status: string }> {
  const ws = new WebSocket(
    `wss://127.0.0.1:${port}/exec/ns/pod/c?command=echo&command=still&command=alive&stdout=1`,
    ['v5.channel.k8s.io'],
    { rejectUnauthorized: false },
  );
  let stdout = '';
  let status = '';
  ws.on('message', (data: Buffer) => {
    if (data[0] === 1) stdout += data.subarray(1).toString();
    if (data[0] === 3) status = data.subarray(1).toString();
  });
  await once(ws, 'close');
  return { stdout, status };
}

async function spdyExec(): Promise<{ stdout: string; status: string }> {
  const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  socket.write(
    requestText({
      path: '/exec/ns/pod/c?command=cat&stdin=1&stdout=1',
      headers: spdyHeaders('v4.channel.k8s.io'),
    }),
  );
  const [first] = (await once(socket, 'data')) as [Buffer];
  const end = first.indexOf('\r\n\r\n');
  expect(first.subarray(0, end).toString()).toMatch(/^HTTP\/1\.1 101/);
  const session = new SpdySession(socket, {
    role: 'client',
    head: first.subarray(end + 4),
    sendFlowControl: false,
  });
  const error = await session.openStream({ streamtype: 'error' });
  const stdin = await session.openStream({ streamtype: 'stdin' });
  const stdout = await session.openStream({ streamtype: 'stdout' });
  const read = async (s: Duplex): Promise<string> => {
    let text = '';
    for await (const c of s) text += String(c);
    return text;
  };
  const out = read(stdout);
  const status = read(error);
  stdin.end('over spdy');
  const result = { stdout: await out, status: await status };
  session.destroy();
  return result;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return;
    await new Promise(r => setTimeout(r, 20));
  }
}

// ---------------------------------------------------------------------------------------------

describe('streaming routes under malformed and hostile input', () => {
  it('answers every fixed case with an HTTP error or a clean close', async () => {
    const results = await Promise.all(
      CASES.map(async c => {
        const outcome = await exchange(await c.exchange());
        return {
          name: c.name,
          expected: c.expect,
          got:
            c.expect === 'closed' && outcome.status !== undefined && outcome.status !== 101
              ? outcome.status
              : c.expect === 'closed'
                ? outcome.serverClosed
                  ? 'closed'
                  : 'still open'
                : outcome.status,
          head: outcome.head.split('\r\n')[0],
        };
      }),
    );
    expect(results.map(r => ({ name: r.name, got: r.got }))).toEqual(
      results.map(r => ({ name: r.name, got: r.expected })),
    );
  }, 60_000);

  it('survives 200 pseudo-random requests (seeded)', async () => {
    const outcomes: Outcome[] = [];
    for (let batch = 0; batch < 5; batch++) {
      outcomes.push(
        ...(await Promise.all(
          Array.from({ length: 40 }, (_, i) => exchange(randomCase(1000 + batch * 40 + i))),
        )),
      );
    }
    for (const [i, o] of outcomes.entries()) {
      // Never a server error, never a session left open by the server.
      expect({
        seed: 1000 + i,
        status: o.status === undefined || o.status === 101 || (o.status >= 400 && o.status < 500),
        closed: o.serverClosed,
      }).toEqual({ seed: 1000 + i, status: true, closed: true });
    }
    // The mix reached both sides of the upgrade.
    expect(outcomes.filter(o => o.status === 101).length).toBeGreaterThanOrEqual(40);
    expect(outcomes.filter(o => o.status === 400).length).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it('still serves normal sessions, with no unhandled error and no socket left', async () => {
    expect(await wsExec()).toEqual({
      stdout: 'still alive\n',
      status: expect.stringContaining('"status":"Success"'),
    });
    const spdy = await spdyExec();
    expect(spdy.stdout).toBe('over spdy');
    expect(spdy.status).toBe('{"metadata":{},"status":"Success"}');
    await until(() => upgradedOpen.size === 0 && tcpSockets() <= baselineSockets, 5000);
    expect(upgradedOpen.size).toBe(0);
    expect(tcpSockets()).toBe(baselineSockets);
    expect(unhandled).toEqual([]);
  }, 30_000);
});
