/**
 * What listens on a mock container's declared ports: an echo server. Every byte the client
 * sends comes back on the same connection; when the client ends its side, the server ends its
 * own, as a TCP echo server would. Aborting stops echoing without closing the stream.
 */
import type { Duplex } from 'node:stream';
import { forEachChunk, write } from './streams.ts';

export async function echoConnection(stream: Duplex, signal: AbortSignal): Promise<void> {
  await forEachChunk(stream, chunk => write(stream, chunk), signal);
  if (stream.writableEnded || stream.destroyed) return;
  await new Promise<void>(resolve => {
    stream.end(() => {
      resolve();
    });
  });
}
