/**
 * WebSocket upgrade with Kubernetes sub-protocol negotiation, over the `ws` library.
 *
 * The client lists protocols in `Sec-WebSocket-Protocol`, best first; the first one the server
 * supports wins (as in the apiserver's wsstream). A client that offers none gets the `''`
 * protocol, when supported, and no `Sec-WebSocket-Protocol` in the response. Entries carrying a
 * bearer token (`base64url.bearer.authorization.k8s.io.<token>`) are dropped before negotiation,
 * so they are never selected, echoed, or written into an error response.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WebSocketLiveness, type LivenessOptions } from './keepalive.ts';

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** Largest message accepted from a client; kubectl sends at most 32 KiB of stdin at a time. */
export const MAX_PAYLOAD = 4 * 1024 * 1024;

export type Negotiation =
  | { readonly ok: true; readonly protocol: string }
  | { readonly ok: false; readonly offered: readonly string[] };

/** The protocols a request offers, in order, without bearer-token entries. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined
    .split(',')
    .map(p => p.trim())
    .filter(p => p !== '' && !p.startsWith(BEARER_PROTOCOL_PREFIX));
}

/** Picks the first offered protocol that is supported; `''` stands for "none offered". */
export function negotiate(offered: readonly string[], supported: readonly string[]): Negotiation {
  const wanted = offered.length === 0 ? [''] : offered;
  for (const protocol of wanted) {
    if (supported.includes(protocol)) return { ok: true, protocol };
  }
  return { ok: false, offered };
}

/** Writes a plain-text HTTP error response on a raw upgrade socket and closes it. */
export function rejectUpgrade(socket: Duplex, code: number, message: string): void {
  if (socket.destroyed) return;
  const reason = code === 400 ? 'Bad Request' : code === 403 ? 'Forbidden' : 'Error';
  const body = Buffer.from(`${message}\n`, 'utf8');
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${body.length}\r\n\r\n` +
      body.toString('utf8'),
  );
  // Give the response a moment to flush, then make sure the socket does not linger.
  setTimeout(() => socket.destroy(), 1000).unref();
}

export interface AcceptedWebSocket {
  readonly ws: WebSocket;
  /** The negotiated protocol; `''` when the client offered none. */
  readonly protocol: string;
  /** Idle timeout and keepalive; tell it about every message sent. */
  readonly liveness: WebSocketLiveness;
}

/**
 * Completes the WebSocket handshake with one of `supported`, or answers 400 and resolves null
 * (unsupported protocol, or a request that is not a valid WebSocket upgrade).
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  supported: readonly string[],
  liveness: LivenessOptions = {},
): Promise<AcceptedWebSocket | null> {
  const negotiation = negotiate(offeredProtocols(req), supported);
  if (!negotiation.ok) {
    const offered = negotiation.offered.join(', ');
    const allowed = supported.filter(p => p !== '').join(', ');
    rejectUpgrade(
      socket,
      400,
      `requested protocol(s) are not supported: [${offered}]; supports [${allowed}]`,
    );
    return Promise.resolve(null);
  }
  const { protocol } = negotiation;
  return new Promise(resolve => {
    const server = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD,
      clientTracking: false,
    });
    // Negotiation is done: `ws` must not see the offer (its token grammar refuses names like
    // `SPDY/3.1+portforward.k8s.io`, and it would echo the first entry, token included).
    delete req.headers['sec-websocket-protocol'];
    if (protocol !== '') {
      server.on('headers', headers => {
        headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
      });
    }
    server.on('wsClientError', (error, badSocket) => {
      rejectUpgrade(badSocket, 400, error.message);
      resolve(null);
    });
    try {
      server.handleUpgrade(req, socket, head, ws => {
        resolve({ ws, protocol, liveness: new WebSocketLiveness(ws, liveness) });
      });
    } catch (error) {
      rejectUpgrade(socket, 400, error instanceof Error ? error.message : 'bad upgrade');
      resolve(null);
    }
  });
}

/** Whether an upgrade request asks for a WebSocket (as opposed to SPDY/3.1). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}
