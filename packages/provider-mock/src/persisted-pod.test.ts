import { describe, expect, it } from 'vitest';
import { persistPod, restorePod } from './persisted-pod.ts';
import { newContainerRecord, type PodRecord } from './pod-record.ts';
import { file, makePod } from './test-support/fixtures.ts';

function record(name: string, token: string): PodRecord {
  const pod = makePod(name);
  return {
    key: `default/${name}`,
    namespace: 'default',
    name,
    uid: pod.metadata?.uid ?? '',
    pod,
    volumes: new Map([
      [
        'kube-api-access',
        {
          kind: 'projected',
          files: new Map([
            ['token', file(token)],
            ['ca.crt', file('-----BEGIN CERTIFICATE-----')],
          ]),
        },
      ],
    ]),
    deferredEnv: [],
    hostIP: '10.0.0.1',
    podIP: '10.244.0.1',
    startTime: 0,
    started: true,
    terminal: false,
    reason: undefined,
    message: undefined,
    initContainers: [],
    containers: [newContainerRecord({ name: 'app', image: 'nginx' }, 'ContainerCreating')],
    status: { phase: 'Running' },
    timers: new Set(),
    cancelDeadline: undefined,
  };
}

const fileOf = (r: PodRecord, path: string) =>
  r.volumes.get('kube-api-access')?.files.get(path)?.data;
const text = (data: Uint8Array | undefined) => new TextDecoder().decode(data);

describe('persisted pod', () => {
  it('comes back with the same volume files, a file many pods hold decoded once and shared', () => {
    // Through JSON, as the state file holds it.
    const persisted = [record('a', 'token-a'), record('b', 'token-b')].map(
      r => JSON.parse(JSON.stringify(persistPod(r))) as ReturnType<typeof persistPod>,
    );
    const decoded = new Map<string, Uint8Array>();
    const [a, b] = persisted.map(p => restorePod(p, decoded)) as [PodRecord, PodRecord];
    expect(text(fileOf(a, 'token'))).toBe('token-a');
    expect(text(fileOf(b, 'token'))).toBe('token-b');
    expect(text(fileOf(a, 'ca.crt'))).toBe('-----BEGIN CERTIFICATE-----');
    expect(fileOf(a, 'ca.crt')).toBe(fileOf(b, 'ca.crt'));
    expect(fileOf(a, 'token')).not.toBe(fileOf(b, 'token'));
    expect(a.volumes.get('kube-api-access')?.files.get('token')?.mode).toBe(0o644);
  });
});
