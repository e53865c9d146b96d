/**
 * Timeouts shared by the streaming routes (exec, attach, portForward), with the kubelet's
 * defaults; the CLI passes its own (`--stream-idle-timeout`, `--stream-creation-timeout`).
 */

/** The kubelet's `streamingConnectionIdleTimeout` default: 4 h. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 4 * 60 * 60 * 1000;
/** The kubelet's stream creation timeout default: 30 s. */
export const DEFAULT_STREAM_CREATION_TIMEOUT_MS = 30_000;
/** Heartbeat period: under the 60 s idle cut-off common in proxies and load balancers. */
export const DEFAULT_KEEPALIVE_MS = 30_000;

export interface StreamTimeouts {
  /** How long a client may take to open its streams (kubelet `--stream-creation-timeout`). */
  readonly streamCreationTimeoutMs?: number;
  /**
   * A session with no frame in either direction for this long is closed (kubelet
   * `--streaming-connection-idle-timeout`, virtual-kubelet `--stream-idle-timeout`). 0: never.
   */
  readonly streamIdleTimeoutMs?: number;
  /** How often to ping the client (SPDY PING, WebSocket ping); 0: never. */
  readonly keepaliveMs?: number;
}

/** The idle and keepalive settings with defaults applied. */
export function livenessOf(timeouts: StreamTimeouts): {
  idleTimeoutMs: number;
  keepaliveMs: number;
} {
  return {
    idleTimeoutMs: timeouts.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
    keepaliveMs: timeouts.keepaliveMs ?? DEFAULT_KEEPALIVE_MS,
  };
}
