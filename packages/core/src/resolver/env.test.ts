import { describe, expect, it } from 'vitest';
import { isNotFound, isTransient } from '../errors/errors.ts';
import { isEnvVarName } from './env.ts';
import { resolvePod } from './resolve.ts';
import {
  container,
  envOf,
  EventLog,
  FakeSource,
  options,
  pod,
} from './test-support/fake-source.ts';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe(isEnvVarName, () => {
  it.each(['A', 'a_b', '_x', '-x', '.x', 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1', 'x..y'])(
    'accepts %s',
    name => {
      expect(isEnvVarName(name)).toBe(true);
    },
  );
  it.each(['', '1x', '.', '..', '..x', 'a b', 'a=b', 'ü', 'a/b'])('rejects %j', name => {
    expect(isEnvVarName(name)).toBe(false);
  });
});

describe('resolvePod env', () => {
  it('merges envFrom sources in order, keys sorted within a source, later sources winning', async () => {
    const source = new FakeSource()
      .configMap('apps', 'base', { B: 'cm-b', A: 'cm-a', SHARED: 'from-cm' })
      .secret('apps', 'creds', { SHARED: 'from-secret', TOKEN: 's3cr3t' });
    const events = new EventLog();
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          envFrom: [
            { configMapRef: { name: 'base' } },
            { secretRef: { name: 'creds' }, prefix: 'S_' },
            { secretRef: { name: 'creds' } },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, events));
    expect(envOf(resolved, 'app')).toEqual([
      'A=cm-a',
      'B=cm-b',
      'S_SHARED=from-secret',
      'S_TOKEN=s3cr3t',
      'SHARED=from-secret',
      'TOKEN=s3cr3t',
    ]);
    expect(resolved.spec?.containers[0]?.envFrom).toEqual([]);
    expect(events.warnings).toEqual([]);
  });

  it('drops invalid envFrom names, after prefixing, with one event per source listing them sorted', async () => {
    const source = new FakeSource()
      .configMap('apps', 'mixed', {
        '1badkey': 'x',
        'app.properties': 'y',
        GOOD: 'z',
        '2alsobad': 'w',
      })
      .secret('apps', 'sec', { '..dots': 'a', ok: 'b' });
    const events = new EventLog();
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          envFrom: [
            { configMapRef: { name: 'mixed' } },
            { configMapRef: { name: 'mixed' }, prefix: 'P_' },
            { secretRef: { name: 'sec' } },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, events));
    // Byte order, as Go sorts: upper case before lower case.
    expect(envOf(resolved, 'app')).toEqual([
      'GOOD=z',
      'app.properties=y',
      'P_1badkey=x',
      'P_2alsobad=w',
      'P_GOOD=z',
      'P_app.properties=y',
      'ok=b',
    ]);
    expect(events.warnings).toEqual([
      {
        reason: 'InvalidEnvironmentVariableNames',
        message:
          'Keys [1badkey, 2alsobad] from the EnvFrom configMap apps/mixed were skipped since they are considered invalid environment variable names.',
      },
      {
        reason: 'InvalidEnvironmentVariableNames',
        message:
          'Keys [..dots] from the EnvFrom secret apps/sec were skipped since they are considered invalid environment variable names.',
      },
    ]);
  });

  it('lets env override envFrom, placing each variable where it was last defined', async () => {
    const source = new FakeSource().configMap('apps', 'cm', { A: 'from-cm', B: 'from-cm' });
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          envFrom: [{ configMapRef: { name: 'cm' } }],
          env: [
            { name: 'A', value: 'explicit' },
            { name: 'C', value: 'c' },
            { name: 'C', value: 'c2' },
            { name: 'EMPTY' },
            { name: 'EMPTY_VALUE', value: '' },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    expect(envOf(resolved, 'app')).toEqual([
      'B=from-cm',
      'A=explicit',
      'C=c2',
      'EMPTY=',
      'EMPTY_VALUE=',
    ]);
  });

  it('reads configMapKeyRef and secretKeyRef values, secrets decoded as UTF-8', async () => {
    const source = new FakeSource()
      .configMap('apps', 'cm', { mode: 'production' }, { blob: new Uint8Array([1, 2]) })
      .secret('apps', 's', { password: 'pässwörd' });
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cm', key: 'mode' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
            {
              name: 'WINS',
              value: 'value',
              valueFrom: { configMapKeyRef: { name: 'cm', key: 'mode' } },
            },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    expect(envOf(resolved, 'app')).toEqual(['MODE=production', 'PASSWORD=pässwörd', 'WINS=value']);
  });

  it('does not take configMapKeyRef values from binaryData, like the kubelet', async () => {
    const source = new FakeSource().configMap('apps', 'cm', {}, { blob: new Uint8Array([65]) });
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'blob' } } }],
        }),
      ],
    });
    const events = new EventLog();
    const err = await failure(resolvePod(input, options(source, events)));
    expect(isNotFound(err)).toBe(true);
    expect(events.reasons()).toEqual(['MandatoryConfigMapKeyNotFound']);
  });

  it('skips optional references to missing objects and keys, with one Warning each', async () => {
    const source = new FakeSource()
      .configMap('apps', 'cm', { present: 'yes', A: 'from-envfrom' })
      .secret('apps', 's', { present: 'yes' });
    const events = new EventLog();
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          envFrom: [
            { configMapRef: { name: 'cm' } },
            { configMapRef: { name: 'gone-cm', optional: true } },
            { secretRef: { name: 'gone-secret', optional: true } },
          ],
          env: [
            {
              name: 'A',
              valueFrom: { configMapKeyRef: { name: 'gone-cm', key: 'k', optional: true } },
            },
            {
              name: 'B',
              valueFrom: { configMapKeyRef: { name: 'cm', key: 'nokey', optional: true } },
            },
            {
              name: 'C',
              valueFrom: { secretKeyRef: { name: 'gone-secret', key: 'k', optional: true } },
            },
            { name: 'D', valueFrom: { secretKeyRef: { name: 's', key: 'nokey', optional: true } } },
            {
              name: 'E',
              valueFrom: { secretKeyRef: { name: 's', key: 'present', optional: true } },
            },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, events));
    // A keeps its envFrom value: a skipped optional reference defines nothing.
    expect(envOf(resolved, 'app')).toEqual(['A=from-envfrom', 'present=yes', 'E=yes']);
    expect(events.warnings).toEqual([
      {
        reason: 'OptionalConfigMapNotFound',
        message: 'skipping optional envFrom of container "app": configmap "apps/gone-cm" not found',
      },
      {
        reason: 'OptionalSecretNotFound',
        message:
          'skipping optional envFrom of container "app": secret "apps/gone-secret" not found',
      },
      {
        reason: 'OptionalConfigMapNotFound',
        message:
          'skipping optional env var "A" of container "app": configmap "apps/gone-cm" not found',
      },
      {
        reason: 'OptionalConfigMapKeyNotFound',
        message:
          'skipping optional env var "B" of container "app": key "nokey" not found in configmap "apps/cm"',
      },
      {
        reason: 'OptionalSecretNotFound',
        message:
          'skipping optional env var "C" of container "app": secret "apps/gone-secret" not found',
      },
      {
        reason: 'OptionalSecretKeyNotFound',
        message:
          'skipping optional env var "D" of container "app": key "nokey" not found in secret "apps/s"',
      },
    ]);
  });

  it.each([
    [
      'configMap via envFrom',
      { envFrom: [{ configMapRef: { name: 'nope' } }] },
      'MandatoryConfigMapNotFound',
      'configmap "apps/nope" not found, required by envFrom of container "app"',
    ],
    [
      'secret via envFrom',
      { envFrom: [{ secretRef: { name: 'nope', optional: false } }] },
      'MandatorySecretNotFound',
      'secret "apps/nope" not found, required by envFrom of container "app"',
    ],
    [
      'configMap via configMapKeyRef',
      { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] },
      'MandatoryConfigMapNotFound',
      'configmap "apps/nope" not found, required by env var "X" of container "app"',
    ],
    [
      'configMap key',
      { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] },
      'MandatoryConfigMapKeyNotFound',
      'key "k" not found in configmap "apps/cm", required by env var "X" of container "app"',
    ],
    [
      'secret via secretKeyRef',
      { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] },
      'MandatorySecretNotFound',
      'secret "apps/nope" not found, required by env var "X" of container "app"',
    ],
    [
      'secret key',
      { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      'MandatorySecretKeyNotFound',
      'key "k" not found in secret "apps/s", required by env var "X" of container "app"',
    ],
  ])(
    'fails on a missing mandatory %s with a NotFoundError and a Warning',
    async (_what, env, reason, message) => {
      const source = new FakeSource()
        .configMap('apps', 'cm', { other: '1' })
        .secret('apps', 's', { other: '1' });
      const events = new EventLog();
      const input = pod({ enableServiceLinks: false, containers: [container('app', env)] });
      const err = await failure(resolvePod(input, options(source, events)));
      expect(isNotFound(err)).toBe(true);
      expect((err as Error).message).toBe(message);
      expect(events.warnings).toEqual([{ reason, message }]);
    },
  );

  it('retries rather than guesses when reading an object fails, optional or not', async () => {
    for (const optional of [false, true]) {
      const source = new FakeSource();
      source.failing.set('configmap/apps/cm', new Error('connection reset'));
      const events = new EventLog();
      const input = pod({
        enableServiceLinks: false,
        containers: [container('app', { envFrom: [{ configMapRef: { name: 'cm', optional } }] })],
      });
      const err = await failure(resolvePod(input, options(source, events)));
      expect(isTransient(err)).toBe(true);
      expect((err as Error).message).toBe('failed to read configmap "apps/cm": connection reset');
      expect(events.reasons()).toEqual([
        optional ? 'FailedToReadOptionalConfigMap' : 'FailedToReadMandatoryConfigMap',
      ]);
    }
  });

  it('expands $(VAR) against envFrom, earlier env and service vars, never later ones', async () => {
    const source = new FakeSource()
      .configMap('apps', 'cm', { FROM_CM: 'cm' })
      .service('apps', 'db', '10.0.0.5', [{ port: 5432 }]);
    const input = pod({
      containers: [
        container('app', {
          envFrom: [{ configMapRef: { name: 'cm' } }],
          env: [
            { name: 'FIRST', value: 'one' },
            { name: 'REFS', value: '$(FIRST)-$(FROM_CM)-$(DB_SERVICE_HOST)-$(LATER)-$(NOPE)' },
            { name: 'ESCAPED', value: '$$(FIRST) costs $$5 $' },
            { name: 'LATER', value: 'late' },
            { name: 'SELF', value: '$(SELF)x' },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    const env = envOf(resolved, 'app');
    expect(env.slice(0, 6)).toEqual([
      'FROM_CM=cm',
      'FIRST=one',
      'REFS=one-cm-10.0.0.5-$(LATER)-$(NOPE)',
      'ESCAPED=$(FIRST) costs $5 $',
      'LATER=late',
      'SELF=$(SELF)x',
    ]);
  });

  it('expands command and args against the final environment, service vars included', async () => {
    const source = new FakeSource().service('apps', 'api', '10.0.0.8', [
      { name: 'http', port: 8080 },
    ]);
    const input = pod({
      containers: [
        container('app', {
          command: ['/bin/run', '--listen=$(PORT)', '$$(PORT)', '$(MISSING)'],
          args: ['--api=$(API_SERVICE_HOST):$(API_SERVICE_PORT_HTTP)', '$(LAST)', 'cost: $$$$'],
          env: [
            { name: 'PORT', value: '9000' },
            { name: 'LAST', value: 'defined-after-args-use' },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    const app = resolved.spec?.containers[0];
    expect(app?.command).toEqual(['/bin/run', '--listen=9000', '$(PORT)', '$(MISSING)']);
    expect(app?.args).toEqual(['--api=10.0.0.8:8080', 'defined-after-args-use', 'cost: $$']);
  });

  it('leaves command and args absent when the container has none', async () => {
    const input = pod({ enableServiceLinks: false, containers: [container('app')] });
    const { pod: resolved } = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(resolved.spec?.containers[0]).toEqual({ name: 'app', image: 'busybox', env: [] });
  });

  it('defers status.podIP until the backend knows it, keeping the valueFrom and its references', async () => {
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            {
              name: 'POD_IPS',
              valueFrom: { fieldRef: { fieldPath: 'status.podIPs', apiVersion: 'v1' } },
            },
            { name: 'URL', value: 'http://$(POD_IP):8080' },
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          ],
          args: ['--advertise=$(POD_IP)'],
        }),
      ],
    });
    const result = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(result.pod.spec?.containers[0]?.env).toEqual([
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      {
        name: 'POD_IPS',
        valueFrom: { fieldRef: { fieldPath: 'status.podIPs', apiVersion: 'v1' } },
      },
      { name: 'URL', value: 'http://$(POD_IP):8080' },
      { name: 'NODE', value: 'vk-0' },
    ]);
    expect(result.pod.spec?.containers[0]?.args).toEqual(['--advertise=$(POD_IP)']);
    expect(result.deferredEnv).toEqual([
      { container: 'app', name: 'POD_IP', fieldPath: 'status.podIP' },
      { container: 'app', name: 'POD_IPS', fieldPath: 'status.podIPs' },
    ]);
  });

  it('resolves the IPs from the pod status and the hostIP option once known', async () => {
    const unplaced = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
            { name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
            { name: 'URL', value: 'http://$(POD_IP):80' },
          ],
        }),
      ],
    });
    const input = { ...unplaced, status: { podIP: '10.244.1.9', podIPs: [{ ip: '10.244.1.9' }] } };
    const result = await resolvePod(
      input,
      options(new FakeSource(), new EventLog(), { hostIP: '192.0.2.10' }),
    );
    expect(envOf(result.pod, 'app')).toEqual([
      'POD_IP=10.244.1.9',
      'HOST_IP=192.0.2.10',
      'HOST_IPS=192.0.2.10',
      'URL=http://10.244.1.9:80',
    ]);
    expect(result.deferredEnv).toEqual([]);
  });

  it('drops a deferred variable from deferredEnv when a later definition replaces it', async () => {
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [
            { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'IP', value: 'fixed' },
          ],
        }),
      ],
    });
    const result = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(envOf(result.pod, 'app')).toEqual(['IP=fixed']);
    expect(result.deferredEnv).toEqual([]);
  });

  it('resolves resourceFieldRef for the container itself, limits defaulting to node allocatable', async () => {
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          resources: { requests: { cpu: '300m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          env: [
            {
              name: 'CPU_REQ',
              valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } },
            },
            { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
            {
              name: 'MEM_LIMIT',
              valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
            },
            {
              name: 'SIDE_MEM',
              valueFrom: {
                resourceFieldRef: {
                  resource: 'requests.memory',
                  containerName: 'side',
                  divisor: '1Mi',
                },
              },
            },
          ],
        }),
        container('side', { resources: { requests: { memory: '32Mi' } } }),
      ],
    });
    const result = await resolvePod(
      input,
      options(new FakeSource(), new EventLog(), { nodeAllocatable: { cpu: '3', memory: '4Gi' } }),
    );
    expect(envOf(result.pod, 'app')).toEqual([
      'CPU_REQ=300',
      'CPU_LIMIT=3',
      'MEM_LIMIT=128',
      'SIDE_MEM=32',
    ]);
  });

  it('hands a valueFrom it does not know to the provider untouched', async () => {
    const unknown = { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k' } };
    const input = pod({
      enableServiceLinks: false,
      containers: [container('app', { env: [{ name: 'F', valueFrom: unknown as never }] })],
    });
    const result = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(result.pod.spec?.containers[0]?.env).toEqual([{ name: 'F', valueFrom: unknown }]);
    expect(result.deferredEnv).toEqual([]);
  });

  it('adds service vars after explicit ones and never over them', async () => {
    const source = new FakeSource()
      .service('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443 }])
      .service('apps', 'db', '10.0.0.5', [{ port: 5432 }]);
    const input = pod({
      containers: [container('app', { env: [{ name: 'DB_SERVICE_HOST', value: 'db.internal' }] })],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    const env = envOf(resolved, 'app');
    expect(env[0]).toBe('DB_SERVICE_HOST=db.internal');
    expect(env.filter(e => e.startsWith('DB_SERVICE_HOST'))).toHaveLength(1);
    expect(env).toContain('DB_SERVICE_PORT=5432');
    expect(env).toContain('KUBERNETES_SERVICE_HOST=10.96.0.1');
  });

  it('produces the same env for the same input, whatever order objects list their keys in', async () => {
    const build = (data: Record<string, string>) => {
      const source = new FakeSource()
        .configMap('apps', 'cm', data)
        .service('apps', 'b-svc', '10.0.0.2', [{ port: 2 }])
        .service('apps', 'a-svc', '10.0.0.1', [{ port: 1 }]);
      return resolvePod(
        pod({
          containers: [
            container('app', {
              envFrom: [{ configMapRef: { name: 'cm' } }],
              env: [{ name: 'X', value: '1' }],
            }),
          ],
        }),
        options(source, new EventLog()),
      );
    };
    const first = await build({ Z: '1', A: '2', M: '3' });
    const second = await build({ M: '3', A: '2', Z: '1' });
    expect(JSON.stringify(first.pod)).toBe(JSON.stringify(second.pod));
    expect(envOf(first.pod, 'app').slice(0, 5)).toEqual([
      'A=2',
      'M=3',
      'Z=1',
      'X=1',
      'A_SVC_SERVICE_HOST=10.0.0.1',
    ]);
  });

  it('resolves init, regular and ephemeral containers alike', async () => {
    const source = new FakeSource().configMap('apps', 'cm', { K: 'v' });
    const env = {
      envFrom: [{ configMapRef: { name: 'cm' } }],
      env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    };
    const input = pod({
      enableServiceLinks: false,
      initContainers: [container('init', env)],
      containers: [container('app', env)],
      ephemeralContainers: [{ name: 'debug', image: 'busybox', ...env }],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    for (const name of ['init', 'app', 'debug'])
      expect(envOf(resolved, name)).toEqual(['K=v', 'N=web']);
    expect(resolved.spec?.ephemeralContainers?.[0]?.envFrom).toEqual([]);
  });

  it('reads each object once per resolution however often it is referenced', async () => {
    const source = new FakeSource()
      .configMap('apps', 'cm', { K: 'v' })
      .secret('apps', 's', { P: 'p' })
      .service('default', 'kubernetes', '10.96.0.1', [{ port: 443 }]);
    const env = {
      envFrom: [{ configMapRef: { name: 'cm' } }, { secretRef: { name: 's' } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'K' } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'P' } } },
        {
          name: 'C',
          valueFrom: { configMapKeyRef: { name: 'missing', key: 'K', optional: true } },
        },
        {
          name: 'D',
          valueFrom: { configMapKeyRef: { name: 'missing', key: 'K', optional: true } },
        },
      ],
    };
    const input = pod({
      initContainers: [container('init', env)],
      containers: [container('a', env), container('b', env)],
      volumes: [
        { name: 'v1', configMap: { name: 'cm' } },
        { name: 'v2', secret: { secretName: 's' } },
        {
          name: 'v3',
          projected: { sources: [{ configMap: { name: 'cm' } }, { secret: { name: 's' } }] },
        },
      ],
    });
    await resolvePod(input, options(source, new EventLog()));
    expect([...source.reads].sort()).toEqual([
      'configmap/apps/cm',
      'configmap/apps/missing',
      'secret/apps/s',
      'services/apps',
      'services/default',
    ]);
  });

  it('never modifies the pod it was given', async () => {
    const source = new FakeSource().configMap('apps', 'cm', { K: 'v' });
    const input = pod({
      containers: [
        container('app', { envFrom: [{ configMapRef: { name: 'cm' } }], args: ['$(K)'] }),
      ],
    });
    const before = structuredClone(input);
    await resolvePod(input, options(source, new EventLog()));
    expect(input).toEqual(before);
  });

  it('stops with the abort reason when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    const input = pod({ containers: [container('app')] });
    await expect(
      resolvePod(input, options(new FakeSource(), new EventLog(), { signal: controller.signal })),
    ).rejects.toThrow('shutting down');
  });
});
