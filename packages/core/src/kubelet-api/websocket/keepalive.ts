/**
 * Idle timeout and keepalive for a streaming WebSocket, the kubelet's `StreamIdleTimeout` plus
 * heartbeats:
 *
 *  - idle: no message in either direction and no ping from the client for `idleTimeoutMs` closes
 *    the session (1001, "stream idle timeout"). Our own pings and the client's pongs do not count,
 *    so keepalive never holds an idle session open; kubectl's pings (every 5 s) do, as they keep
 *    its SPDY sessions open through Go's spdystream.
 *  - keepalive: a ping every `keepaliveMs`, so proxies and load balancers keep an idle stream; a
 *    ping still unanswered at the next one means the client is gone, and the socket is dropped.
 */
import { WebSocket } from 'ws';
import { closeGracefully } from './close.ts';

export interface LivenessOptions {
  /** Close after this long without activity. 0/undefined: never. */
  readonly idleTimeoutMs?: number;
  /** Ping this often; drop the client if a ping goes unanswered until the next. 0/undefined: never. */
  readonly keepaliveMs?: number;
}

/** How long a close handshake may take before the socket is dropped. */
const CLOSE_GRACE_MS = 1000;

export class WebSocketLiveness {
  readonly #ws: WebSocket;
  readonly #idle: NodeJS.Timeout | undefined;
  readonly #keepalive: NodeJS.Timeout | undefined;
  #awaitingPong = false;
  /** The socket was paused since the last ping, so a pong may not have been read yet. */
  #pausedSincePing = false;
  #reason: string | undefined;

  constructor(ws: WebSocket, options: LivenessOptions) {
    this.#ws = ws;
    const idleMs = options.idleTimeoutMs ?? 0;
    const keepaliveMs = options.keepaliveMs ?? 0;
    if (idleMs > 0) {
      this.#idle = setTimeout(() => {
        this.#onIdle(idleMs);
      }, idleMs);
      this.#idle.unref();
    }
    if (keepaliveMs > 0) {
      this.#keepalive = setInterval(() => {
        this.#onKeepalive(keepaliveMs);
      }, keepaliveMs);
      this.#keepalive.unref();
    }
    // Anything from the client shows it is alive, answered ping or not.
    const touch = (): void => {
      this.#awaitingPong = false;
      this.touch();
    };
    ws.on('message', touch);
    ws.on('ping', touch);
    ws.on('pong', () => {
      this.#awaitingPong = false;
    });
    ws.once('close', () => {
      clearTimeout(this.#idle);
      clearInterval(this.#keepalive);
    });
  }

  /** Why the session was ended by this watchdog, if it was. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Activity: postpones the idle timeout. Call it for every message sent. */
  touch(): void {
    this.#idle?.refresh();
  }

  #onIdle(idleMs: number): void {
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    this.#reason = `stream idle for ${idleMs} ms`;
    void closeGracefully(ws, 1001, 'stream idle timeout', CLOSE_GRACE_MS);
  }

  #onKeepalive(keepaliveMs: number): void {
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (this.#awaitingPong) {
      // While we hold the socket paused (a slow reader) the pong may be sitting unread. The
      // sessions pause only right after a message, which clears the wait, so sampling here
      // catches every pause that could hide a pong.
      if (ws.isPaused || this.#pausedSincePing) {
        this.#pausedSincePing = ws.isPaused;
        return;
      }
      this.#reason = `no pong within ${keepaliveMs} ms`;
      ws.terminate();
      return;
    }
    this.#awaitingPong = true;
    this.#pausedSincePing = ws.isPaused;
    ws.ping();
  }
}
