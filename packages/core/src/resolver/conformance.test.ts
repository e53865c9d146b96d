/**
 * CONFORMANCE.md, one test per statement: §1 items 36-44 (env and downward API) and every
 * bullet of §2 (env-var resolution details), named after the statement they check.
 */
import { describe, expect, it } from 'vitest';
import { isNotFound } from '../errors/errors.ts';
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

const kubernetesService = (source: FakeSource): FakeSource =>
  source.service('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443 }]);

describe('CONFORMANCE §1 env / downward API', () => {
  it('36. envFrom ConfigMap/Secret with prefix is expanded; invalid names are dropped with a Warning InvalidEnvironmentVariableNames', async () => {
    const source = new FakeSource()
      .configMap('apps', 'cm', { HOST: 'db', '1bad': 'x' })
      .secret('apps', 's', { PASSWORD: 'pw', 'bad key': 'y' });
    const events = new EventLog();
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'DB_' }, { secretRef: { name: 's' } }],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, events));
    expect(envOf(resolved, 'app')).toEqual(['DB_1bad=x', 'DB_HOST=db', 'PASSWORD=pw']);
    expect(events.warnings).toEqual([
      {
        reason: 'InvalidEnvironmentVariableNames',
        message:
          'Keys [bad key] from the EnvFrom secret apps/s were skipped since they are considered invalid environment variable names.',
      },
    ]);
  });

  it('37. env wins over envFrom; service-link vars never override explicit vars', async () => {
    const source = kubernetesService(new FakeSource())
      .configMap('apps', 'cm', { MODE: 'from-cm', KUBERNETES_SERVICE_HOST: 'from-cm' })
      .service('apps', 'cache', '10.0.0.4', [{ port: 6379 }]);
    const input = pod({
      containers: [
        container('app', {
          envFrom: [{ configMapRef: { name: 'cm' } }],
          env: [
            { name: 'MODE', value: 'explicit' },
            { name: 'CACHE_SERVICE_HOST', value: 'cache.local' },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    const env = envOf(resolved, 'app');
    expect(env).toContain('MODE=explicit');
    expect(env).toContain('CACHE_SERVICE_HOST=cache.local');
    expect(env).toContain('KUBERNETES_SERVICE_HOST=from-cm');
    expect(env).not.toContain('MODE=from-cm');
    expect(env).not.toContain('CACHE_SERVICE_HOST=10.0.0.4');
    expect(env).not.toContain('KUBERNETES_SERVICE_HOST=10.96.0.1');
    expect(env).toContain('CACHE_SERVICE_PORT=6379');
  });

  it('38. A missing mandatory ConfigMap/Secret/key blocks creation (the pod is not in the provider) and emits Mandatory{ConfigMap,Secret}{,Key}NotFound', async () => {
    const source = new FakeSource().configMap('apps', 'cm', {}).secret('apps', 's', {});
    const cases = [
      [{ configMapRef: { name: 'none' } }, undefined, 'MandatoryConfigMapNotFound'],
      [{ secretRef: { name: 'none' } }, undefined, 'MandatorySecretNotFound'],
      [undefined, { configMapKeyRef: { name: 'cm', key: 'k' } }, 'MandatoryConfigMapKeyNotFound'],
      [undefined, { secretKeyRef: { name: 's', key: 'k' } }, 'MandatorySecretKeyNotFound'],
    ] as const;
    for (const [envFrom, valueFrom, reason] of cases) {
      const events = new EventLog();
      const input = pod({
        enableServiceLinks: false,
        containers: [
          container('app', {
            ...(envFrom ? { envFrom: [envFrom] } : {}),
            ...(valueFrom ? { env: [{ name: 'X', valueFrom }] } : {}),
          }),
        ],
      });
      // No ResolvedPod comes back, so the core has nothing to hand to the provider; NotFound
      // tells it to retry later.
      const err = await failure(resolvePod(input, options(source, events)));
      expect(isNotFound(err)).toBe(true);
      expect(events.reasons()).toEqual([reason]);
    }
  });

  it('39. A missing optional ConfigMap/Secret/key lets the pod run and emits Optional{ConfigMap,Secret}{,Key}NotFound', async () => {
    const source = new FakeSource().configMap('apps', 'cm', {}).secret('apps', 's', {});
    const events = new EventLog();
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          envFrom: [
            { configMapRef: { name: 'none', optional: true } },
            { secretRef: { name: 'none', optional: true } },
          ],
          env: [
            { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } } },
            { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
            { name: 'C', value: 'kept' },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, events));
    expect(envOf(resolved, 'app')).toEqual(['C=kept']);
    expect(events.reasons()).toEqual([
      'OptionalConfigMapNotFound',
      'OptionalSecretNotFound',
      'OptionalConfigMapKeyNotFound',
      'OptionalSecretKeyNotFound',
    ]);
  });

  it("40. fieldRef works for metadata.name/namespace/uid/labels/annotations (and ['key'] subscripts), spec.nodeName, spec.serviceAccountName", async () => {
    const paths = {
      NAME: 'metadata.name',
      NAMESPACE: 'metadata.namespace',
      UID: 'metadata.uid',
      LABELS: 'metadata.labels',
      ANNOTATIONS: 'metadata.annotations',
      APP: "metadata.labels['app']",
      OWNER: "metadata.annotations['example.com/owner']",
      NODE: 'spec.nodeName',
      SA: 'spec.serviceAccountName',
    };
    const input = pod(
      {
        enableServiceLinks: false,
        serviceAccountName: 'runner',
        containers: [
          container('app', {
            env: Object.entries(paths).map(([name, fieldPath]) => ({
              name,
              valueFrom: { fieldRef: { fieldPath } },
            })),
          }),
        ],
      },
      { labels: { app: 'web', version: 'v2' }, annotations: { 'example.com/owner': 'team-a' } },
    );
    const { pod: resolved } = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(envOf(resolved, 'app')).toEqual([
      'NAME=web',
      'NAMESPACE=apps',
      'UID=uid-1',
      'LABELS=app="web"\nversion="v2"',
      'ANNOTATIONS=example.com/owner="team-a"',
      'APP=web',
      'OWNER=team-a',
      'NODE=vk-0',
      'SA=runner',
    ]);
  });

  it('41. (Exceed) fieldRef for status.podIP/hostIP/podIPs/hostIPs, spec.restartPolicy/schedulerName and resourceFieldRef are resolved, or passed raw to the provider, instead of failing or dropping', async () => {
    const fields = {
      POD_IP: 'status.podIP',
      POD_IPS: 'status.podIPs',
      HOST_IP: 'status.hostIP',
      HOST_IPS: 'status.hostIPs',
      RESTART: 'spec.restartPolicy',
      SCHEDULER: 'spec.schedulerName',
    };
    const input = pod({
      enableServiceLinks: false,
      restartPolicy: 'Never',
      schedulerName: 'default-scheduler',
      containers: [
        container('app', {
          resources: { limits: { cpu: '500m' } },
          env: [
            ...Object.entries(fields).map(([name, fieldPath]) => ({
              name,
              valueFrom: { fieldRef: { fieldPath } },
            })),
            {
              name: 'CPU',
              valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } },
            },
          ],
        }),
      ],
    });
    // Before placement: IPs deferred to the provider (the pod is not refused), the rest resolved.
    const before = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(envOf(before.pod, 'app')).toEqual([
      'POD_IP<-{"fieldRef":{"fieldPath":"status.podIP"}}',
      'POD_IPS<-{"fieldRef":{"fieldPath":"status.podIPs"}}',
      'HOST_IP<-{"fieldRef":{"fieldPath":"status.hostIP"}}',
      'HOST_IPS<-{"fieldRef":{"fieldPath":"status.hostIPs"}}',
      'RESTART=Never',
      'SCHEDULER=default-scheduler',
      'CPU=500',
    ]);
    expect(before.deferredEnv.map(d => d.fieldPath)).toEqual([
      'status.podIP',
      'status.podIPs',
      'status.hostIP',
      'status.hostIPs',
    ]);
    // Once known: resolved like the kubelet.
    const placed = {
      ...input,
      status: {
        podIP: '10.0.0.9',
        podIPs: [{ ip: '10.0.0.9' }, { ip: 'fd00::9' }],
        hostIP: '192.0.2.1',
        hostIPs: [{ ip: '192.0.2.1' }],
      },
    };
    const after = await resolvePod(placed, options(new FakeSource(), new EventLog()));
    expect(envOf(after.pod, 'app').slice(0, 4)).toEqual([
      'POD_IP=10.0.0.9',
      'POD_IPS=10.0.0.9,fd00::9',
      'HOST_IP=192.0.2.1',
      'HOST_IPS=192.0.2.1',
    ]);
    expect(after.deferredEnv).toEqual([]);
  });

  it('42. $(VAR) references expand, and $$(VAR) escapes, as in the kubelet', async () => {
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [
            { name: 'GREETING', value: 'hello' },
            { name: 'MSG', value: '$(GREETING) world, $$(GREETING), $(UNKNOWN)' },
          ],
          command: ['echo', '$(MSG)'],
          args: ['$$(GREETING)'],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(envOf(resolved, 'app')).toEqual([
      'GREETING=hello',
      'MSG=hello world, $(GREETING), $(UNKNOWN)',
    ]);
    expect(resolved.spec?.containers[0]?.command).toEqual([
      'echo',
      'hello world, $(GREETING), $(UNKNOWN)',
    ]);
    expect(resolved.spec?.containers[0]?.args).toEqual(['$(GREETING)']);
  });

  it('43. With enableServiceLinks (default true), <SVC>_SERVICE_HOST/PORT and Docker-link vars exist for services in the namespace; KUBERNETES_SERVICE_* always exist', async () => {
    const source = kubernetesService(new FakeSource())
      .service('apps', 'web-api', '10.0.0.7', [{ name: 'http', port: 80 }])
      .service('other', 'elsewhere', '10.0.0.8', [{ port: 81 }]);
    const on = await resolvePod(
      pod({ containers: [container('app')] }),
      options(source, new EventLog()),
    );
    const env = envOf(on.pod, 'app');
    expect(env).toEqual(
      expect.arrayContaining([
        'WEB_API_SERVICE_HOST=10.0.0.7',
        'WEB_API_SERVICE_PORT=80',
        'WEB_API_SERVICE_PORT_HTTP=80',
        'WEB_API_PORT=tcp://10.0.0.7:80',
        'WEB_API_PORT_80_TCP=tcp://10.0.0.7:80',
        'WEB_API_PORT_80_TCP_PROTO=tcp',
        'WEB_API_PORT_80_TCP_PORT=80',
        'WEB_API_PORT_80_TCP_ADDR=10.0.0.7',
        'KUBERNETES_SERVICE_HOST=10.96.0.1',
        'KUBERNETES_SERVICE_PORT=443',
      ]),
    );
    expect(env.some(e => e.startsWith('ELSEWHERE_'))).toBe(false);
    const off = await resolvePod(
      pod({ enableServiceLinks: false, containers: [container('app')] }),
      options(source, new EventLog()),
    );
    expect(envOf(off.pod, 'app').every(e => e.startsWith('KUBERNETES_'))).toBe(true);
    expect(envOf(off.pod, 'app')).toContain('KUBERNETES_SERVICE_HOST=10.96.0.1');
  });

  it('44. With SkipDownwardAPIResolution, the provider receives the unmodified pod', async () => {
    const source = kubernetesService(new FakeSource()).configMap('apps', 'cm', { K: 'v' });
    const input = pod({
      containers: [
        container('app', {
          envFrom: [{ configMapRef: { name: 'missing-but-not-read' } }],
          env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
          args: ['$(IP)'],
        }),
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'cm' } }],
    });
    const result = await resolvePod(
      input,
      options(source, new EventLog(), { skipDownwardAPIResolution: true }),
    );
    expect(result.pod).toEqual(input);
    expect(result.pod).not.toBe(input);
    expect(result.deferredEnv).toEqual([]);
    // Volume contents are still resolved; nothing for env was read.
    expect([...(result.volumes.get('cfg')?.files.keys() ?? [])]).toEqual(['K']);
    expect(source.reads).toEqual(['configmap/apps/cm']);
  });
});

describe('CONFORMANCE §2 env-var resolution details', () => {
  it('Applies to init, regular and ephemeral containers; the output replaces env with a flat list and empties envFrom', async () => {
    const source = new FakeSource().configMap('apps', 'cm', { K: 'v' });
    const spec = {
      envFrom: [{ configMapRef: { name: 'cm' } }],
      env: [{ name: 'E', value: '$(K)' }],
    };
    const input = pod({
      enableServiceLinks: false,
      initContainers: [container('init', spec)],
      containers: [container('app', spec)],
      ephemeralContainers: [{ name: 'dbg', ...spec }],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    const all = [
      ...(resolved.spec?.initContainers ?? []),
      ...(resolved.spec?.containers ?? []),
      ...(resolved.spec?.ephemeralContainers ?? []),
    ];
    for (const c of all) {
      expect(c.env).toEqual([
        { name: 'K', value: 'v' },
        { name: 'E', value: 'v' },
      ]);
      expect(c.envFrom).toEqual([]);
    }
  });

  it('envFrom ConfigMapRef/SecretRef with an optional prefix; invalid names are skipped, with event InvalidEnvironmentVariableNames', async () => {
    const source = new FakeSource().configMap('apps', 'cm', { A: '1', 'x y': '2' });
    const events = new EventLog();
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          envFrom: [
            { configMapRef: { name: 'cm' } },
            { configMapRef: { name: 'cm' }, prefix: 'P_' },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, events));
    expect(envOf(resolved, 'app')).toEqual(['A=1', 'P_A=1']);
    expect(events.warnings.map(w => w.message)).toEqual([
      'Keys [x y] from the EnvFrom configMap apps/cm were skipped since they are considered invalid environment variable names.',
      'Keys [P_x y] from the EnvFrom configMap apps/cm were skipped since they are considered invalid environment variable names.',
    ]);
  });

  it('env overrides envFrom; service env vars are added only if absent', async () => {
    const source = kubernetesService(new FakeSource()).configMap('apps', 'cm', { X: 'from-cm' });
    const input = pod({
      containers: [
        container('app', {
          envFrom: [{ configMapRef: { name: 'cm' } }],
          env: [
            { name: 'X', value: 'from-env' },
            { name: 'KUBERNETES_SERVICE_PORT', value: '8443' },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    const env = envOf(resolved, 'app');
    expect(env.slice(0, 2)).toEqual(['X=from-env', 'KUBERNETES_SERVICE_PORT=8443']);
    expect(env.filter(e => e.startsWith('KUBERNETES_SERVICE_PORT='))).toEqual([
      'KUBERNETES_SERVICE_PORT=8443',
    ]);
    expect(env).toContain('KUBERNETES_SERVICE_HOST=10.96.0.1');
  });

  it('$(VAR) expansion against earlier vars and service vars, kubelet semantics ($$ escape; unknown refs left as-is)', async () => {
    const source = kubernetesService(new FakeSource());
    const input = pod({
      containers: [
        container('app', {
          env: [
            { name: 'A', value: 'a' },
            { name: 'B', value: '$(A)|$(C)|$(KUBERNETES_SERVICE_HOST)|$$(A)|$(NOPE)' },
            { name: 'C', value: 'c' },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    expect(envOf(resolved, 'app')[1]).toBe('B=a|$(C)|10.96.0.1|$(A)|$(NOPE)');
  });

  it('valueFrom: configMapKeyRef, secretKeyRef, fieldRef, and (exceeding upstream, which drops it) resourceFieldRef', async () => {
    const source = new FakeSource()
      .configMap('apps', 'cm', { k: 'cm-v' })
      .secret('apps', 's', { k: 's-v' });
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          resources: { requests: { memory: '1Gi' } },
          env: [
            { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
            { name: 'SEC', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
            { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            {
              name: 'MEM',
              valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } },
            },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, new EventLog()));
    expect(envOf(resolved, 'app')).toEqual(['CM=cm-v', 'SEC=s-v', 'NS=apps', 'MEM=1024']);
  });

  it('Optional missing CM/Secret/key: Warning event Optional{ConfigMap,Secret}{,Key}NotFound, var skipped', async () => {
    const source = new FakeSource().secret('apps', 's', {});
    const events = new EventLog();
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [
            {
              name: 'A',
              valueFrom: { configMapKeyRef: { name: 'none', key: 'k', optional: true } },
            },
            { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
          ],
        }),
      ],
    });
    const { pod: resolved } = await resolvePod(input, options(source, events));
    expect(envOf(resolved, 'app')).toEqual([]);
    expect(events.reasons()).toEqual(['OptionalConfigMapNotFound', 'OptionalSecretKeyNotFound']);
  });

  it('Mandatory missing: Warning event Mandatory{ConfigMap,Secret}{,Key}NotFound; the error fails the pod sync (retried)', async () => {
    const events = new EventLog();
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
        }),
      ],
    });
    const err = await failure(resolvePod(input, options(new FakeSource(), events)));
    // NotFound is retryable for the core; the message names the object and the variable.
    expect(isNotFound(err)).toBe(true);
    expect((err as Error).message).toBe(
      'secret "apps/db" not found, required by env var "A" of container "app"',
    );
    expect(events.reasons()).toEqual(['MandatorySecretNotFound']);
  });

  it("fieldRef supported: metadata.name, namespace, uid, labels, annotations (sorted k=\"v\" lines), metadata.labels['k'], metadata.annotations['k'], spec.nodeName, spec.serviceAccountName, spec.host (an alias)", async () => {
    const input = pod(
      {
        enableServiceLinks: false,
        serviceAccountName: 'sa',
        containers: [
          container('app', {
            env: [
              { name: 'ANN', valueFrom: { fieldRef: { fieldPath: 'metadata.annotations' } } },
              { name: 'LBL', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
              { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'spec.host' } } },
              { name: 'K', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['z']" } } },
            ],
          }),
        ],
      },
      { labels: { b: '2', a: '1' }, annotations: { z: 'last', m: 'multi\nline "q"' } },
    );
    const { pod: resolved } = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(envOf(resolved, 'app')).toEqual([
      'ANN=m="multi\\nline \\"q\\""\nz="last"',
      'LBL=a="1"\nb="2"',
      'HOST=vk-0',
      'K=last',
    ]);
  });

  it('fieldRef status.podIP, podIPs, hostIP, phase-like paths no longer fail the pod (upstream: "unsupported fieldPath"); apiVersion must be "v1"', async () => {
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [
            {
              name: 'IP',
              valueFrom: { fieldRef: { fieldPath: 'status.podIP', apiVersion: 'v1' } },
            },
            { name: 'HOSTS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
            { name: 'RP', valueFrom: { fieldRef: { fieldPath: 'spec.restartPolicy' } } },
          ],
        }),
      ],
    });
    const ok = await resolvePod(
      input,
      options(new FakeSource(), new EventLog(), { hostIP: '198.51.100.4' }),
    );
    expect(envOf(ok.pod, 'app')).toEqual([
      'IP<-{"fieldRef":{"fieldPath":"status.podIP","apiVersion":"v1"}}',
      'HOSTS=198.51.100.4',
      'RP=Always',
    ]);
    const badVersion = pod({
      enableServiceLinks: false,
      containers: [
        container('app', {
          env: [
            {
              name: 'X',
              valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v2' } },
            },
          ],
        }),
      ],
    });
    await expect(resolvePod(badVersion, options(new FakeSource(), new EventLog()))).rejects.toThrow(
      'unsupported pod version "v2" in fieldRef metadata.name',
    );
  });

  it('Service links: services whose ClusterIP is set (not None/empty) in the pod namespace, when enableServiceLinks (default true), plus default/kubernetes always', async () => {
    const source = kubernetesService(new FakeSource())
      .service('apps', 'real', '10.0.0.1', [{ port: 1 }])
      .service('apps', 'headless', 'None', [{ port: 2 }])
      .service('apps', 'external', '', [{ port: 3 }])
      .service('default', 'not-master', '10.96.0.9', [{ port: 4 }]);
    const { pod: resolved } = await resolvePod(
      pod({ containers: [container('app')] }),
      options(source, new EventLog()),
    );
    const hosts = envOf(resolved, 'app').filter(e => e.includes('_SERVICE_HOST='));
    expect(hosts).toEqual(['KUBERNETES_SERVICE_HOST=10.96.0.1', 'REAL_SERVICE_HOST=10.0.0.1']);
  });

  it('Service vars generated: X_SERVICE_HOST, X_SERVICE_PORT, X_SERVICE_PORT_<NAME>, Docker-link vars X_PORT, X_PORT_<p>_<PROTO>{,_PROTO,_PORT,_ADDR}', async () => {
    const source = new FakeSource().service('apps', 'dns', '10.0.0.10', [
      { name: 'dns-udp', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ]);
    const { pod: resolved } = await resolvePod(
      pod({ containers: [container('app')] }),
      options(source, new EventLog()),
    );
    expect(envOf(resolved, 'app')).toEqual([
      'DNS_SERVICE_HOST=10.0.0.10',
      'DNS_SERVICE_PORT=53',
      'DNS_SERVICE_PORT_DNS_UDP=53',
      'DNS_SERVICE_PORT_DNS_TCP=53',
      'DNS_PORT=udp://10.0.0.10:53',
      'DNS_PORT_53_UDP=udp://10.0.0.10:53',
      'DNS_PORT_53_UDP_PROTO=udp',
      'DNS_PORT_53_UDP_PORT=53',
      'DNS_PORT_53_UDP_ADDR=10.0.0.10',
      'DNS_PORT_53_TCP=tcp://10.0.0.10:53',
      'DNS_PORT_53_TCP_PROTO=tcp',
      'DNS_PORT_53_TCP_PORT=53',
      'DNS_PORT_53_TCP_ADDR=10.0.0.10',
    ]);
  });

  it('Lookups go through the on-demand ObjectSource (no informers), each object read once per resolution', async () => {
    const source = new FakeSource().configMap('apps', 'cm', { K: 'v' });
    const ref = { configMapKeyRef: { name: 'cm', key: 'K' } };
    const input = pod({
      enableServiceLinks: false,
      containers: [
        container('a', {
          envFrom: [{ configMapRef: { name: 'cm' } }],
          env: [{ name: 'X', valueFrom: ref }],
        }),
        container('b', { env: [{ name: 'Y', valueFrom: ref }] }),
      ],
      volumes: [{ name: 'v', configMap: { name: 'cm' } }],
    });
    await resolvePod(input, options(source, new EventLog()));
    expect(source.reads.filter(r => r.startsWith('configmap/'))).toEqual(['configmap/apps/cm']);
    // With links off only default/kubernetes is looked up, never the pod's namespace.
    expect(source.reads.filter(r => r.startsWith('services/'))).toEqual(['services/default']);
  });
});
