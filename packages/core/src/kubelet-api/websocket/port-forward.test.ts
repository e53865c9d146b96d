import type { IncomingMessage } from 'node:http';
import { connect as tcp } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acceptPortForwardWebSocket,
  acceptSpdyTunnelWebSocket,
  isSpdyTunnelRequest,
  parsePorts,
  type PortForwardSession,
  type SpdyTunnel,
} from './port-forward.ts';
import {
  channelData,
  channelOf,
  connect,
  frame,
  rawConnect,
  startLoopback,
} from './test-support/harness.ts';
import type { Loopback } from './test-support/harness.ts';

const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

async function serve(
  handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Promise<string> {
  const loopback = await startLoopback(handler);
  servers.push(loopback);
  return loopback.url;
}

describe('parsePorts', () => {
  it('accepts repeated and comma-separated ports, rejects bad ones', () => {
    expect(parsePorts('/pf?port=80&port=443,8080')).toEqual([80, 443, 8080]);
    expect(parsePorts('/pf')).toBeInstanceOf(Error);
    expect(parsePorts('/pf?port=')).toBeInstanceOf(Error);
    expect(parsePorts('/pf?port=0')).toBeInstanceOf(Error);
    expect(parsePorts('/pf?port=70000')).toBeInstanceOf(Error);
    expect(parsePorts('/pf?port=8a')).toBeInstanceOf(Error);
  });
});

describe('acceptPortForwardWebSocket (channel protocol)', () => {
  for (const [protocol, base64] of [
    ['v4.channel.k8s.io', false],
    ['v4.base64.channel.k8s.io', true],
  ] as const) {
    it(`forwards two ports over ${protocol}`, async () => {
      const url = await serve((req, socket, head) => {
        void acceptPortForwardWebSocket(req, socket, head).then(session => {
          if (!session) return;
          const [a, b] = session.ports;
          a!.stream.on('data', (d: Buffer) => {
            a!.stream.end(`echo:${d.toString()}`);
          });
          b!.fail(new Error('connection refused'));
        });
      });
      const result = await connect(`${url}/pf?port=8080&port=9090`, [protocol]);
      const client = result.client!;
      expect(client.protocol).toBe(protocol);
      client.ws.send(frame(0, 'ping', base64));
      const { code } = await client.closed;
      expect(code).toBe(1000);
      const frames = client.messages.map(m => channelOf(m, base64));
      // Each channel opens with its port, little endian.
      for (const [channel, port] of [
        [0, 8080],
        [1, 8080],
        [2, 9090],
        [3, 9090],
      ] as const) {
        expect(frames.find(f => f.channel === channel)?.data.readUInt16LE()).toBe(port);
      }
      expect(channelData(client.messages, 0, base64).subarray(2).toString()).toBe('echo:ping');
      expect(channelData(client.messages, 3, base64).subarray(2).toString()).toBe(
        'connection refused',
      );
    });
  }

  it('refuses a request without ports, and malformed frames close with 1002', async () => {
    let session: PortForwardSession | null = null;
    const url = await serve((req, socket, head) => {
      void acceptPortForwardWebSocket(req, socket, head).then(s => (session = s));
    });
    const refused = await connect(`${url}/pf`, ['v4.channel.k8s.io']);
    expect(refused.status).toBe(400);
    const client = (await connect(`${url}/pf?port=80`, ['v4.channel.k8s.io'])).client!;
    client.ws.send(Buffer.from([5, 1]));
    expect((await client.closed).code).toBe(1002);
    expect(session!.signal.aborted).toBe(true);
  });

  it('aborts the signal and ends streams when the client disconnects', async () => {
    let resolve: (s: PortForwardSession) => void = () => undefined;
    const ready = new Promise<PortForwardSession>(r => (resolve = r));
    const url = await serve((req, socket, head) => {
      void acceptPortForwardWebSocket(req, socket, head).then(s => {
        if (s) resolve(s);
      });
    });
    const client = (await connect(`${url}/pf?port=80`, [])).client!;
    const session = await ready;
    const ended = new Promise(r => session.ports[0]!.stream.on('end', r).resume());
    client.ws.terminate();
    await ended;
    expect(session.signal.aborted).toBe(true);
  });
});

describe('acceptSpdyTunnelWebSocket', () => {
  const TOKEN = 'base64url.bearer.authorization.k8s.io.dG9rZW4';

  it('carries the SPDY byte stream both ways as SPDY/3.1+portforward.k8s.io', async () => {
    let tunnel: SpdyTunnel | null = null;
    let tunnelRequest = false;
    const url = await serve((req, socket, head) => {
      tunnelRequest = isSpdyTunnelRequest(req);
      void acceptSpdyTunnelWebSocket(req, socket, head).then(t => {
        tunnel = t;
        if (!t) return;
        const chunks: Buffer[] = [];
        t.stream.on('data', (d: Buffer) => {
          chunks.push(d);
          if (Buffer.concat(chunks).length >= 6) t.stream.end(Buffer.concat(chunks).reverse());
        });
      });
    });
    const client = await rawConnect(`${url}/portforward`, `${TOKEN}, SPDY/3.1+portforward.k8s.io`);
    expect(client.status).toBe(101);
    expect(tunnelRequest).toBe(true);
    expect(client.headers['sec-websocket-protocol']).toBe('SPDY/3.1+portforward.k8s.io');
    expect(JSON.stringify(client.headers)).not.toContain('dG9rZW4');
    client.send(2, Buffer.from([1, 2, 3]));
    client.send(2, Buffer.from([4, 5, 6]));
    expect(await client.closed).toBe(1000);
    expect(client.frames.every(f => f.opcode === 2)).toBe(true);
    expect(Buffer.concat(client.frames.map(f => f.data))).toEqual(Buffer.from([6, 5, 4, 3, 2, 1]));
    expect(tunnel!.protocol).toBe('portforward.k8s.io');
    expect(tunnel!.signal.aborted).toBe(false);
  });

  it('refuses other protocols, rejects text messages, and aborts on disconnect', async () => {
    const tunnels: SpdyTunnel[] = [];
    const url = await serve((req, socket, head) => {
      void acceptSpdyTunnelWebSocket(req, socket, head).then(t => {
        if (t) tunnels.push(t);
      });
    });
    const refused = await rawConnect(url, `${TOKEN}, v4.channel.k8s.io`);
    expect(refused.status).toBe(400);
    refused.destroy();
    const text = await rawConnect(url, 'SPDY/3.1+portforward.k8s.io');
    text.send(1, Buffer.from('not binary'));
    expect(await text.closed).toBe(1002);
    const gone = await rawConnect(url, 'SPDY/3.1+portforward.k8s.io');
    await new Promise(r => setTimeout(r, 10));
    gone.destroy();
    await new Promise(r => setTimeout(r, 50));
    expect(tunnels).toHaveLength(2);
    expect(tunnels.every(t => t.signal.aborted)).toBe(true);
  });
});

describe('closing a tunnel to a client that never answers the close frame', () => {
  it('drops the socket after a short grace instead of the 30 s `ws` would wait', async () => {
    let accepted: (t: SpdyTunnel | null) => void = () => undefined;
    const tunnel = new Promise<SpdyTunnel | null>(resolve => (accepted = resolve));
    const url = await serve((req, socket, head) => {
      void acceptSpdyTunnelWebSocket(req, socket, head).then(accepted);
    });
    // A bare TCP client: completes the handshake, then reads and never writes again.
    const { port } = new URL(url);
    const socket = tcp(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      'GET /portForward/ns/pod HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        'Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n\r\n',
    );
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const closed = new Promise<void>(resolve =>
      socket.once('close', () => {
        resolve();
      }),
    );
    const opened = await tunnel;
    expect(opened).not.toBeNull();
    await new Promise(r => setTimeout(r, 20));
    expect(received).toMatch(/^HTTP\/1\.1 101/);
    const started = Date.now();
    opened?.stream.end();
    await closed;
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
