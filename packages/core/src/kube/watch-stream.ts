/**
 * Decodes a watch response: newline-delimited `{"type": ..., "object": ...}` JSON, which may be
 * split across chunks anywhere (even inside a UTF-8 character). A line that is not a watch
 * event, or a connection that breaks, is a TransientError; nothing is skipped silently.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { TransientError, VkError } from '../errors/errors.ts';
import type { WatchEvent } from './types.ts';

const TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

function parseEvent<T>(line: string): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new TransientError(`malformed watch event: ${line.slice(0, 200)}`, { cause: err });
  }
  const event = parsed as { type?: unknown; object?: unknown };
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof event.type !== 'string' ||
    !TYPES.has(event.type) ||
    typeof event.object !== 'object' ||
    event.object === null
  ) {
    throw new TransientError(`unexpected watch event: ${line.slice(0, 200)}`);
  }
  return parsed as WatchEvent<T>;
}

/** An open watch: iterate it once; `close()` (or leaving the loop) ends the request quietly. */
export interface WatchStream<T> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

/**
 * Events from `body` until the server ends the stream (the iteration then ends) or it fails:
 * the abort reason when `signal` aborted, otherwise a TransientError.
 */
export function decodeWatch<T>(
  body: Readable & { readonly complete?: boolean },
  signal: AbortSignal,
): WatchStream<T> {
  let closed = false;
  const onAbort = (): void => {
    body.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  async function* events(): AsyncGenerator<WatchEvent<T>> {
    const decoder = new StringDecoder('utf8');
    let buffered = '';
    try {
      for await (const chunk of body) {
        buffered += decoder.write(chunk as Buffer);
        let start = 0;
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n', start)) {
          const line = buffered.slice(start, nl).trim();
          start = nl + 1;
          if (line !== '') yield parseEvent<T>(line);
        }
        buffered = buffered.slice(start);
      }
      if (signal.aborted) throw signal.reason;
      if (closed) return;
      if (body.complete === false) throw new Error('the watch connection closed mid-stream');
      const tail = (buffered + decoder.end()).trim();
      if (tail !== '') yield parseEvent<T>(tail);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (closed) return;
      if (err instanceof VkError) throw err;
      throw new TransientError('the watch stream broke', { cause: err });
    } finally {
      signal.removeEventListener('abort', onAbort);
      body.destroy();
    }
  }

  const iterator = events();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: () => {
      closed = true;
      signal.removeEventListener('abort', onAbort);
      body.destroy();
    },
  };
}
