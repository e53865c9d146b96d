import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isTransient } from '../errors/errors.ts';
import type { KubeObject, WatchEvent } from './types.ts';
import { decodeWatch } from './watch-stream.ts';

async function collect<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
    return { items, error: undefined };
  } catch (error) {
    return { items, error };
  }
}

const line = (type: string, name: string, rv: string): string =>
  `${JSON.stringify({ type, object: { metadata: { name, resourceVersion: rv } } })}\n`;

describe(decodeWatch, () => {
  it('reassembles events split anywhere, even inside a UTF-8 character', async () => {
    const body = new PassThrough();
    const stream = decodeWatch<KubeObject>(body, new AbortController().signal);
    const text =
      line('ADDED', 'café', '1') + line('MODIFIED', 'café', '2') + line('BOOKMARK', '', '3');
    const bytes = Buffer.from(text, 'utf8');
    const done = collect(stream);
    // One byte at a time: every possible split point.
    for (const byte of bytes) body.write(Buffer.from([byte]));
    body.end();
    const { items, error } = await done;
    expect(error).toBeUndefined();
    expect(
      items.map(e =>
        e.type === 'ERROR'
          ? [e.type]
          : [e.type, e.object.metadata?.name, e.object.metadata?.resourceVersion],
      ),
    ).toEqual([
      ['ADDED', 'café', '1'],
      ['MODIFIED', 'café', '2'],
      ['BOOKMARK', '', '3'],
    ]);
  });

  it('accepts a last line without a newline and skips blank lines', async () => {
    const body = new PassThrough();
    const done = collect(decodeWatch<KubeObject>(body, new AbortController().signal));
    body.end(`\n\n${line('ADDED', 'a', '1')}\n${line('DELETED', 'a', '2').trim()}`);
    const { items } = await done;
    expect(items.map(e => e.type)).toEqual(['ADDED', 'DELETED']);
  });

  it('passes ERROR events on as events', async () => {
    const body = new PassThrough();
    const done = collect(decodeWatch<KubeObject>(body, new AbortController().signal));
    body.end(
      `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })}\n`,
    );
    const { items } = await done;
    const event = items[0] as WatchEvent<unknown>;
    expect(event.type).toBe('ERROR');
    expect(event.type === 'ERROR' && event.object.code).toBe(410);
  });

  it('fails Transient on a malformed line, after the good ones', async () => {
    const body = new PassThrough();
    const done = collect(decodeWatch<KubeObject>(body, new AbortController().signal));
    body.end(`${line('ADDED', 'a', '1')}{"type":"ADDED","obj\n`);
    const { items, error } = await done;
    expect(items).toHaveLength(1);
    expect(isTransient(error)).toBe(true);
  });

  it('fails Transient on a line that is JSON but no watch event', async () => {
    const body = new PassThrough();
    const done = collect(decodeWatch<KubeObject>(body, new AbortController().signal));
    body.end('{"type":"SOMETHING","object":{}}\n');
    expect(isTransient((await done).error)).toBe(true);
  });

  it('fails Transient when the connection breaks', async () => {
    const body = new PassThrough();
    const done = collect(decodeWatch<KubeObject>(body, new AbortController().signal));
    body.write(line('ADDED', 'a', '1'));
    setImmediate(() => body.destroy(new Error('socket hang up')));
    const { items, error } = await done;
    expect(items).toHaveLength(1);
    expect(isTransient(error)).toBe(true);
  });

  it('ends with the abort reason when the caller aborts', async () => {
    const body = new PassThrough();
    const controller = new AbortController();
    const done = collect(decodeWatch<KubeObject>(body, controller.signal));
    body.write(line('ADDED', 'a', '1'));
    const reason = new Error('shutting down');
    setImmediate(() => {
      controller.abort(reason);
    });
    const { items, error } = await done;
    expect(items).toHaveLength(1);
    expect(error).toBe(reason);
    expect(body.destroyed).toBe(true);
  });

  it('ends quietly when closed by its owner', async () => {
    const body = new PassThrough();
    const stream = decodeWatch<KubeObject>(body, new AbortController().signal);
    const done = collect(stream);
    body.write(line('ADDED', 'a', '1'));
    setImmediate(() => {
      stream.close();
    });
    const { items, error } = await done;
    expect(items).toHaveLength(1);
    expect(error).toBeUndefined();
  });
});
