import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitForStreams, type SpdySession } from './session.ts';
import { acceptSpdyUpgrade, negotiateProtocol, type SpdyUpgradeResult } from './upgrade.ts';
import { connectSpdy } from './test-support/spdy-client.ts';

const PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

let server: http.Server;
let port: number;
let results: SpdyUpgradeResult[];
let onSession: (session: SpdySession, protocol: string) => void;
const sessions: SpdySession[] = [];

beforeEach(async () => {
  results = [];
  onSession = () => undefined;
  server = http.createServer((_req, res) => {
    res.writeHead(404).end();
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const result = acceptSpdyUpgrade(req, socket, head, { protocols: PROTOCOLS });
    results.push(result);
    if (result.ok) {
      sessions.push(result.session);
      onSession(result.session, result.protocol);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
});

afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('negotiateProtocol', () => {
  it('takes the first client protocol the server supports', () => {
    expect(
      negotiateProtocol(['v5.channel.k8s.io', 'v3.channel.k8s.io', 'v4.channel.k8s.io'], PROTOCOLS),
    ).toBe('v3.channel.k8s.io');
    expect(negotiateProtocol(['nope'], PROTOCOLS)).toBeUndefined();
  });
});

describe('acceptSpdyUpgrade', () => {
  it('answers 101 with the negotiated protocol and carries exec-style streams end to end', async () => {
    onSession = session => {
      void waitForStreams(session, 3, 2000).then(streams => {
        const byType = new Map(streams.map(s => [s.header('streamtype'), s]));
        const stdin = byType.get('stdin')!;
        const stdout = byType.get('stdout')!;
        const error = byType.get('error')!;
        stdin.pipe(stdout); // "cat"
        stdin.on('end', () => {
          error.end('');
        });
      });
    };
    const conn = await connectSpdy({ port, protocols: ['v4.channel.k8s.io', 'v3.channel.k8s.io'] });
    if (!conn.upgraded) throw new Error(`no upgrade: ${conn.status} ${conn.body}`);
    expect(conn.protocol).toBe('v4.channel.k8s.io');
    const { session } = conn;
    sessions.push(session);
    const error = await session.openStream({ streamtype: 'error' });
    const stdin = await session.openStream({ streamtype: 'stdin' });
    const stdout = await session.openStream({ streamtype: 'stdout' });

    const out: Buffer[] = [];
    stdout.on('data', (c: Buffer) => out.push(c));
    const outDone = once(stdout, 'end');
    const payload = Buffer.alloc(1024 * 1024, 'k');
    stdin.end(payload);
    await outDone;
    expect(Buffer.concat(out).equals(payload)).toBe(true);
    error.resume();
    await once(error, 'end');
    expect(await session.ping()).toBeGreaterThanOrEqual(0);

    const [result] = results;
    expect(result).toMatchObject({ ok: true, protocol: 'v4.channel.k8s.io' });
  });

  it('accepts protocols offered on several header lines and comma lists', async () => {
    const conn = await connectSpdy({
      port,
      protocols: ['bogus, v2.channel.k8s.io', 'channel.k8s.io'],
    });
    expect(conn.upgraded && conn.protocol).toBe('v2.channel.k8s.io');
    if (conn.upgraded) sessions.push(conn.session);
  });

  it('answers 400 without the upgrade headers', async () => {
    const conn = await connectSpdy({
      port,
      protocols: PROTOCOLS,
      headers: { Upgrade: 'websocket' },
    });
    expect(conn).toMatchObject({ upgraded: false, status: 400 });
    expect(!conn.upgraded && conn.body).toMatch(/SPDY\/3.1 is required/);
  });

  it('answers 400 without X-Stream-Protocol-Version', async () => {
    const conn = await connectSpdy({ port });
    expect(conn).toMatchObject({ upgraded: false, status: 400 });
    expect(!conn.upgraded && conn.body).toMatch(/X-Stream-Protocol-Version is required/);
  });

  it('answers 403 with the accepted versions when nothing matches', async () => {
    const conn = await connectSpdy({ port, protocols: ['v9.channel.k8s.io'] });
    expect(conn).toMatchObject({ upgraded: false, status: 403 });
    if (conn.upgraded) return;
    expect(conn.headers['x-accepted-stream-protocol-versions']).toBe(PROTOCOLS.join(', '));
    expect(conn.body).toMatch(/unable to negotiate protocol/);
  });

  it('answers 400 to a raw request with Connection but no Upgrade', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    // Node only raises 'upgrade' when both headers are present, so call the acceptor directly.
    const req = Object.assign(Object.create(http.IncomingMessage.prototype), {
      headers: { connection: 'keep-alive' },
      headersDistinct: {},
    }) as http.IncomingMessage;
    const result = acceptSpdyUpgrade(req, socket, Buffer.alloc(0), { protocols: PROTOCOLS });
    expect(result).toMatchObject({ ok: false, status: 400 });
    socket.destroy();
  });

  it('processes SPDY bytes that arrived with the upgrade request (head)', async () => {
    // A client may pipeline its first frames right behind the request headers.
    const got = new Promise<string | undefined>(resolve => {
      onSession = session => {
        session.on('stream', s => {
          resolve(s.header('streamtype'));
        });
      };
    });
    const { HeaderCompressor } = await import('./header-block.ts');
    const { encodeFrame } = await import('./frames.ts');
    const c = new HeaderCompressor();
    const syn = encodeFrame({
      type: 'SYN_STREAM',
      streamId: 1,
      associatedStreamId: 0,
      priority: 0,
      slot: 0,
      flags: 0,
      headerBlock: await c.compress({ streamtype: 'error' }),
    });
    c.close();
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'POST /exec HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        'X-Stream-Protocol-Version: channel.k8s.io\r\n\r\n',
    );
    socket.write(syn);
    expect(await got).toBe('error');
    socket.destroy();
  });
});
