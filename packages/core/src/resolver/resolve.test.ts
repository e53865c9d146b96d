import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../util/deep-freeze.ts';
import { resolvePod } from './resolve.ts';
import { container, EventLog, FakeSource, options, pod } from './test-support/fake-source.ts';

describe('resolvePod', () => {
  it('never writes into the pod it is given (the informer cache shares it)', async () => {
    const source = new FakeSource()
      .configMap('apps', 'settings', { MODE: 'fast', 'bad name': 'x' })
      .secret('apps', 'creds', { PASSWORD: 'hunter2' })
      .service('apps', 'db', '10.0.0.9', [{ name: 'sql', port: 5432, protocol: 'TCP' }]);
    const app = container('app', {
      command: ['run', '$(MODE)'],
      args: ['--pw=$(PASSWORD)', '$$(literal)'],
      envFrom: [
        { configMapRef: { name: 'settings' } },
        { prefix: 'S_', secretRef: { name: 'creds' } },
      ],
      env: [
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
      ],
      resources: { limits: { memory: '64Mi' } },
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
    });
    const input: Pod = deepFreeze(
      pod(
        {
          initContainers: [container('init', { env: [{ name: 'A', value: '$(B)' }] })],
          containers: [app],
          volumes: [
            { name: 'cfg', configMap: { name: 'settings' } },
            {
              name: 'info',
              downwardAPI: {
                items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }],
              },
            },
          ],
        },
        { labels: { app: 'web' } },
      ),
    );
    const before = JSON.stringify(input);
    const resolved = await resolvePod(input, options(source, new EventLog()));
    expect(JSON.stringify(input)).toBe(before);
    const env = resolved.pod.spec?.containers[0]?.env ?? [];
    expect(env.find(e => e.name === 'MODE')?.value).toBe('fast');
    expect(env.find(e => e.name === 'S_PASSWORD')?.value).toBe('hunter2');
    expect(resolved.pod.spec?.containers[0]?.command).toEqual(['run', 'fast']);
    expect(resolved.pod.spec?.containers[0]?.envFrom).toEqual([]);
    expect(resolved.volumes.get('cfg')?.files.size).toBeGreaterThan(0);
  });
});
