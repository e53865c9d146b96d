import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

/** The raw JSON lines a logger wrote (pino writes synchronously to a plain stream). */
function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(line => line !== ''),
  };
}

const keyCount = (line: string, key: string): number => line.split(`"${key}":`).length - 1;

describe('createLogger', () => {
  it('writes each bound key once, the nearest child winning', () => {
    const { stream, lines } = capture();
    const root = createLogger({ destination: stream });
    const informer = root.child({ node: 'vk', component: 'pod-informer' });
    informer
      .child({ node: 'vk', component: 'reflector', resource: 'pods' })
      .info({ pages: 1 }, 'listed');
    const [line] = lines();
    expect(line).toBeDefined();
    for (const key of ['node', 'component', 'resource', 'pages', 'msg']) {
      expect(keyCount(line ?? '', key)).toBe(1);
    }
    expect(JSON.parse(line ?? '')).toMatchObject({
      name: 'vkubelet',
      node: 'vk',
      component: 'reflector',
      resource: 'pods',
      pages: 1,
      msg: 'listed',
    });
  });

  it('keeps the parent untouched by its children and honours the level', () => {
    const { stream, lines } = capture();
    const root = createLogger({ level: 'info', destination: stream });
    const parent = root.child({ component: 'node-controller' });
    parent.child({ component: 'lease' });
    parent.debug({}, 'hidden');
    parent.warn({ attempt: 2 }, 'late');
    expect(lines().map(l => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 40, component: 'node-controller', attempt: 2, msg: 'late' }),
    ]);
  });
});
