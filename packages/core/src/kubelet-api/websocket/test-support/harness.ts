/** Loopback HTTP server plus `ws` client helpers for the WebSocket streaming tests. */
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface Loopback {
  readonly url: string;
  close(): Promise<void>;
}

export async function startLoopback(onUpgrade: UpgradeHandler): Promise<Loopback> {
  const server: Server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  server.on('upgrade', onUpgrade);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export interface Received {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

export interface Client {
  readonly ws: WebSocket;
  readonly messages: Received[];
  readonly protocol: string;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves once a message matching `predicate` has arrived. */
  waitFor(predicate: (m: Received) => boolean): Promise<Received>;
}

export interface ConnectResult {
  readonly client?: Client;
  readonly status?: number;
  readonly body?: string;
  readonly headers?: IncomingMessage['headers'];
}

/** Connects; on a refused upgrade returns the HTTP status and body instead of a client. */
export function connect(url: string, protocols: string[]): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    const messages: Received[] = [];
    const waiters: { predicate: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
    let headers: IncomingMessage['headers'] | undefined;
    ws.on('upgrade', res => {
      headers = res.headers;
    });
    ws.on('message', (data, isBinary) => {
      const m = { data: data as Buffer, isBinary };
      messages.push(m);
      for (const w of [...waiters]) {
        if (w.predicate(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    const closed = new Promise<{ code: number; reason: string }>(res => {
      ws.on('close', (code, reason) => {
        res({ code, reason: reason.toString() });
      });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    ws.on('error', error => {
      if (ws.readyState === ws.CONNECTING) reject(error);
    });
    ws.on('open', () => {
      resolve({
        headers,
        client: {
          ws,
          messages,
          protocol: ws.protocol,
          closed,
          waitFor: predicate => {
            const found = messages.find(predicate);
            if (found) return Promise.resolve(found);
            return new Promise(res => waiters.push({ predicate, resolve: res }));
          },
        },
      });
    });
  });
}

/** Decodes a received message under a binary or base64 remote command protocol. */
export function channelOf(m: Received, base64: boolean): { channel: number; data: Buffer } {
  if (base64) {
    const text = m.data.toString('latin1');
    return { channel: text.charCodeAt(0) - 48, data: Buffer.from(text.slice(1), 'base64') };
  }
  return { channel: m.data[0]!, data: m.data.subarray(1) };
}

/** All data received on one channel, concatenated. */
export function channelData(
  messages: readonly Received[],
  channel: number,
  base64: boolean,
): Buffer {
  return Buffer.concat(
    messages.map(m => channelOf(m, base64)).flatMap(f => (f.channel === channel ? [f.data] : [])),
  );
}

/** Encodes a client frame. */
export function frame(channel: number, data: string | Buffer, base64: boolean): Buffer | string {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  if (base64) return String.fromCharCode(48 + channel) + bytes.toString('base64');
  return Buffer.concat([Buffer.from([channel]), bytes]);
}

export interface RawClient {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly frames: { opcode: number; data: Buffer }[];
  readonly closed: Promise<number>;
  send(opcode: number, data: Buffer): void;
  destroy(): void;
}

/**
 * A bare-bones WebSocket client for protocol names the `ws` client refuses to offer (such as
 * `SPDY/3.1+portforward.k8s.io`, which is not an RFC 6455 token): masked frames out, unmasked in.
 */
export function rawConnect(url: string, protocolHeader: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace('ws:', 'http:'), {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': protocolHeader,
      },
    });
    req.on('error', reject);
    req.on('response', res => {
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames: [],
        closed: Promise.resolve(0),
        send: () => undefined,
        destroy: () => res.destroy(),
      });
    });
    req.on('upgrade', (res, socket, head) => {
      const frames: { opcode: number; data: Buffer }[] = [];
      let buffer = head;
      let resolveClosed: (code: number) => void = () => undefined;
      const closed = new Promise<number>(r => (resolveClosed = r));
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          if (buffer.length < 2) return;
          const opcode = buffer[0]! & 0x0f;
          let length = buffer[1]! & 0x7f;
          let offset = 2;
          if (length === 126) {
            if (buffer.length < 4) return;
            length = buffer.readUInt16BE(2);
            offset = 4;
          } else if (length === 127) {
            if (buffer.length < 10) return;
            length = Number(buffer.readBigUInt64BE(2));
            offset = 10;
          }
          if (buffer.length < offset + length) return;
          const data = buffer.subarray(offset, offset + length);
          buffer = buffer.subarray(offset + length);
          if (opcode === 8) {
            resolveClosed(data.length >= 2 ? data.readUInt16BE(0) : 1005);
            socket.end();
            return;
          }
          frames.push({ opcode, data });
        }
      });
      socket.on('close', () => {
        resolveClosed(1006);
      });
      const send = (opcode: number, data: Buffer): void => {
        const mask = randomBytes(4);
        const header =
          data.length < 126
            ? Buffer.from([0x80 | opcode, 0x80 | data.length])
            : Buffer.from([0x80 | opcode, 0x80 | 126, data.length >> 8, data.length & 0xff]);
        const masked = Buffer.from(data.map((b, i) => b ^ mask[i % 4]!));
        socket.write(Buffer.concat([header, mask, masked]));
      };
      resolve({
        status: res.statusCode ?? 101,
        headers: res.headers,
        frames,
        closed,
        send,
        destroy: () => socket.destroy(),
      });
    });
    req.end();
  });
}
