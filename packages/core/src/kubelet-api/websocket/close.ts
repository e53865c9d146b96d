/** Closing a streaming WebSocket without waiting on a peer that may be gone or hostile. */
import type { WebSocket } from 'ws';

/**
 * Starts the close handshake and drops the socket if the peer has not completed it within
 * `graceMs` (`ws` would otherwise wait 30 s). Resolves once the socket is closed.
 */
export function closeGracefully(
  ws: WebSocket,
  code: number,
  reason: string | undefined,
  graceMs: number,
): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(() => {
      ws.terminate();
    }, graceMs);
    timer.unref();
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // A paused socket would never read the peer's close reply.
    ws.resume();
    if (ws.readyState === ws.OPEN) ws.close(code, reason);
  });
}
