/**
 * The HTTP/1.1 → SPDY/3.1 upgrade as the kube-apiserver performs it against a kubelet:
 *
 *   request:  Connection: Upgrade, Upgrade: SPDY/3.1, X-Stream-Protocol-Version: <one or more>
 *   response: 101 Switching Protocols, Connection: Upgrade, Upgrade: SPDY/3.1,
 *             X-Stream-Protocol-Version: <the negotiated one>
 *
 * Negotiation picks the first protocol in the client's order that the server supports. Failures
 * are answered on the raw socket: 400 for a malformed upgrade request, 403 (with
 * X-Accepted-Stream-Protocol-Versions) when no protocol matches.
 */
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SpdySession, type SpdySessionOptions } from './session.ts';

export const HEADER_SPDY_31 = 'SPDY/3.1';
export const HEADER_PROTOCOL_VERSION = 'X-Stream-Protocol-Version';
export const HEADER_ACCEPTED_PROTOCOL_VERSIONS = 'X-Accepted-Stream-Protocol-Versions';

export interface SpdyUpgradeOptions {
  /** Protocols the server speaks (e.g. 'v4.channel.k8s.io'), in any order. Must not be empty. */
  readonly protocols: readonly string[];
  /**
   * Session settings. Unless overridden, `sendFlowControl` is off: the Go clients on the other
   * side (spdystream) never send WINDOW_UPDATE, so honouring windows would stall them.
   */
  readonly session?: SpdySessionOptions;
}

export type SpdyUpgradeResult =
  | { readonly ok: true; readonly session: SpdySession; readonly protocol: string }
  | { readonly ok: false; readonly status: 400 | 403; readonly message: string };

/** True if a comma-separated header contains `token` (case-insensitive). */
function hasToken(value: string | string[] | undefined, token: string): boolean {
  if (value === undefined) return false;
  const all = Array.isArray(value) ? value : [value];
  return all.some(v =>
    v
      .split(',')
      .map(t => t.trim().toLowerCase())
      .includes(token),
  );
}

/** The client's protocols, in order, from every header line and comma-separated list. */
export function clientProtocols(req: IncomingMessage): string[] {
  const lines = req.headersDistinct['x-stream-protocol-version'] ?? [];
  return lines
    .flatMap(line => line.split(','))
    .map(p => p.trim())
    .filter(p => p.length > 0);
}

/** First client protocol the server supports, or undefined. */
export function negotiateProtocol(
  client: readonly string[],
  server: readonly string[],
): string | undefined {
  return client.find(p => server.includes(p));
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden' };

function writeHttpError(
  socket: Duplex,
  status: 400 | 403,
  message: string,
  extra: Record<string, string> = {},
): void {
  const body = Buffer.from(`${message}\n`, 'utf8');
  const lines = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Content-Type: text/plain; charset=utf-8',
    'X-Content-Type-Options: nosniff',
    `Content-Length: ${body.length}`,
    'Connection: close',
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
  ];
  if (!socket.destroyed) {
    socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
  }
}

/**
 * Validate and accept a SPDY/3.1 upgrade on a socket from the HTTP server's 'upgrade' event.
 * On failure the error response has been written and the socket ended; nothing else to do.
 */
export function acceptSpdyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: SpdyUpgradeOptions,
): SpdyUpgradeResult {
  if (options.protocols.length === 0) {
    throw new TypeError('acceptSpdyUpgrade needs at least one server protocol');
  }
  const fail = (
    status: 400 | 403,
    message: string,
    extra?: Record<string, string>,
  ): SpdyUpgradeResult => {
    writeHttpError(socket, status, message, extra);
    return { ok: false, status, message };
  };

  if (!hasToken(req.headers.connection, 'upgrade') || req.headers.upgrade === undefined) {
    return fail(400, 'unable to upgrade: missing upgrade headers in request');
  }
  if (req.headers.upgrade.trim().toLowerCase() !== HEADER_SPDY_31.toLowerCase()) {
    return fail(400, `unable to upgrade: ${HEADER_SPDY_31} is required`);
  }
  const offered = clientProtocols(req);
  if (offered.length === 0) {
    return fail(400, `unable to upgrade: ${HEADER_PROTOCOL_VERSION} is required`);
  }
  const protocol = negotiateProtocol(offered, options.protocols);
  if (protocol === undefined) {
    return fail(
      403,
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], ` +
        `server accepts [${options.protocols.join(' ')}]`,
      { [HEADER_ACCEPTED_PROTOCOL_VERSIONS]: options.protocols.join(', ') },
    );
  }

  if (socket instanceof Socket) {
    socket.setNoDelay(true);
    socket.setTimeout(0);
  }
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Connection: Upgrade\r\n' +
      `Upgrade: ${HEADER_SPDY_31}\r\n` +
      `${HEADER_PROTOCOL_VERSION}: ${protocol}\r\n\r\n`,
  );
  const session = new SpdySession(socket, {
    sendFlowControl: false,
    ...options.session,
    role: 'server',
    head,
  });
  return { ok: true, session, protocol };
}
