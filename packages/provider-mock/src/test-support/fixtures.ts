/** Pods, contexts and stream helpers shared by the mock's tests. */
import { PassThrough, type Readable } from 'node:stream';
import type { PodContext, VolumeContent } from '@vkubelet/core';
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import { ManualClock } from '../clock.ts';
import { createMockProvider, type MockProvider } from '../provider.ts';
import type { MockProviderOptions } from '../options.ts';

/** 2024-01-01T00:00:00Z, where every ManualClock in these tests starts. */
export const T0 = Date.UTC(2024, 0, 1);

export interface PodShape {
  readonly namespace?: string;
  readonly uid?: string;
  readonly containers?: Container[];
  readonly initContainers?: Container[];
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  readonly activeDeadlineSeconds?: number;
  readonly hostNetwork?: boolean;
  readonly labels?: Record<string, string>;
}

export function makePod(name: string, shape: PodShape = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: shape.namespace ?? 'default',
      uid: shape.uid ?? `uid-${name}`,
      ...(shape.labels && { labels: shape.labels }),
    },
    spec: {
      nodeName: 'mock-node',
      containers: shape.containers ?? [{ name: 'app', image: 'nginx:1.25' }],
      ...(shape.initContainers && { initContainers: shape.initContainers }),
      ...(shape.restartPolicy && { restartPolicy: shape.restartPolicy }),
      ...(shape.activeDeadlineSeconds !== undefined && {
        activeDeadlineSeconds: shape.activeDeadlineSeconds,
      }),
      ...(shape.hostNetwork !== undefined && { hostNetwork: shape.hostNetwork }),
    },
  };
}

export function context(
  volumes: ReadonlyMap<string, VolumeContent> = new Map(),
  signal: AbortSignal = new AbortController().signal,
): PodContext {
  return { signal, volumes, deferredEnv: [] };
}

export const never = (): AbortSignal => new AbortController().signal;

/** A mock on a ManualClock, with every notification it pushes collected in order. */
export function setup(options: MockProviderOptions = {}): {
  provider: MockProvider;
  clock: ManualClock;
  notified: Pod[];
} {
  const clock = new ManualClock(T0);
  const provider = createMockProvider({ clock, ...options });
  const notified: Pod[] = [];
  provider.notifyPods?.(pod => notified.push(pod));
  return { provider, clock, notified };
}

/** Everything written to a stream so far, as text, without waiting for it to end. */
export function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Reads a stream to its end. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

export const file = (text: string): { data: Uint8Array; mode: number } => ({
  data: new TextEncoder().encode(text),
  mode: 0o644,
});
