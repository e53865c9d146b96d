import type { Pod, Volume } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import {
  isInvalidInput,
  isNotFound,
  isThrottled,
  isTransient,
  ThrottledError,
} from '../errors/errors.ts';
import type { VolumeContent } from '../provider/contract.ts';
import { resolvePod } from './resolve.ts';
import {
  container,
  EventLog,
  FakeSource,
  ISSUED_AT,
  options,
  pod,
  text,
} from './test-support/fake-source.ts';
import { tokenRefreshAt } from './tokens.ts';
import { volumePath } from './volumes.ts';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** A volume's files as `path (mode) = text` lines, for exact comparisons. */
function listing(content: VolumeContent | undefined): string[] {
  if (!content) throw new Error('no such volume');
  return [...content.files].map(
    ([path, file]) => `${path} (${file.mode.toString(8)}) = ${text(file.data) ?? ''}`,
  );
}

const withVolumes = (
  volumes: NonNullable<Pod['spec']>['volumes'],
  extra: Partial<NonNullable<Pod['spec']>> = {},
) =>
  pod(
    {
      enableServiceLinks: false,
      containers: [container('app', { resources: { limits: { memory: '64Mi' } } })],
      volumes,
      ...extra,
    },
    { labels: { app: 'web', tier: 'front' }, annotations: { note: 'a "quoted" value' } },
  );

describe('secret volumes', () => {
  const source = () =>
    new FakeSource().secret('apps', 'tls', { 'tls.key': 'KEY', 'tls.crt': 'CRT', 'ca.crt': 'CA' });

  it('writes every key, sorted, with defaultMode 0644 unless another is given', async () => {
    const input = withVolumes([
      { name: 'plain', secret: { secretName: 'tls' } },
      { name: 'private', secret: { secretName: 'tls', defaultMode: 0o400 } },
    ]);
    const { volumes } = await resolvePod(input, options(source(), new EventLog()));
    expect(volumes.get('plain')?.kind).toBe('secret');
    expect(listing(volumes.get('plain'))).toEqual([
      'ca.crt (644) = CA',
      'tls.crt (644) = CRT',
      'tls.key (644) = KEY',
    ]);
    expect(listing(volumes.get('private'))).toEqual([
      'ca.crt (400) = CA',
      'tls.crt (400) = CRT',
      'tls.key (400) = KEY',
    ]);
  });

  it('writes only the listed items, at their paths and modes', async () => {
    const input = withVolumes([
      {
        name: 'certs',
        secret: {
          secretName: 'tls',
          defaultMode: 0o440,
          items: [
            { key: 'tls.key', path: 'private/server.key', mode: 0o400 },
            { key: 'tls.crt', path: './server.crt' },
          ],
        },
      },
    ]);
    const { volumes } = await resolvePod(input, options(source(), new EventLog()));
    expect(listing(volumes.get('certs'))).toEqual([
      'private/server.key (400) = KEY',
      'server.crt (440) = CRT',
    ]);
  });

  it('gives an empty volume for a missing optional secret and skips missing optional keys, silently', async () => {
    const events = new EventLog();
    const input = withVolumes([
      { name: 'gone', secret: { secretName: 'nope', optional: true } },
      {
        name: 'partial',
        secret: {
          secretName: 'tls',
          optional: true,
          items: [
            { key: 'nokey', path: 'x' },
            { key: 'ca.crt', path: 'ca' },
          ],
        },
      },
    ]);
    const { volumes } = await resolvePod(input, options(source(), events));
    expect(volumes.get('gone')).toEqual({ kind: 'secret', files: new Map() });
    expect(listing(volumes.get('partial'))).toEqual(['ca (644) = CA']);
    expect(events.warnings).toEqual([]);
  });

  it('fails on a missing mandatory secret with FailedMount and a NotFoundError', async () => {
    const events = new EventLog();
    const input = withVolumes([{ name: 'certs', secret: { secretName: 'nope' } }]);
    const err = await failure(resolvePod(input, options(source(), events)));
    const message = 'MountVolume.SetUp failed for volume "certs" : secret "nope" not found';
    expect(isNotFound(err)).toBe(true);
    expect((err as Error).message).toBe(message);
    expect(events.warnings).toEqual([{ reason: 'FailedMount', message }]);
  });

  it('fails on a missing mandatory key with the kubelet message', async () => {
    const events = new EventLog();
    const input = withVolumes([
      { name: 'certs', secret: { secretName: 'tls', items: [{ key: 'nokey', path: 'x' }] } },
    ]);
    const err = await failure(resolvePod(input, options(source(), events)));
    expect(isNotFound(err)).toBe(true);
    expect(events.warnings).toEqual([
      {
        reason: 'FailedMount',
        message:
          'MountVolume.SetUp failed for volume "certs" : references non-existent secret key: nokey',
      },
    ]);
  });
});

describe('configMap volumes', () => {
  const bytes = new Uint8Array([0, 255, 10, 13]);
  const source = () =>
    new FakeSource().configMap(
      'apps',
      'conf',
      { 'app.yaml': 'a: 1', 'log.level': 'debug' },
      { 'logo.png': bytes },
    );

  it('writes data and binaryData keys with the default or given mode', async () => {
    const input = withVolumes([
      { name: 'all', configMap: { name: 'conf' } },
      { name: 'exec', configMap: { name: 'conf', defaultMode: 0o755 } },
    ]);
    const { volumes } = await resolvePod(input, options(source(), new EventLog()));
    const all = volumes.get('all');
    expect(all?.kind).toBe('configMap');
    expect([...(all?.files.keys() ?? [])]).toEqual(['app.yaml', 'log.level', 'logo.png']);
    expect(all?.files.get('logo.png')).toEqual({ data: bytes, mode: 0o644 });
    expect(all?.files.get('app.yaml')?.data).toEqual(new TextEncoder().encode('a: 1'));
    expect([...(volumes.get('exec')?.files.values() ?? [])].map(f => f.mode)).toEqual([
      0o755, 0o755, 0o755,
    ]);
  });

  it('maps items from data or binaryData to their paths and modes', async () => {
    const input = withVolumes([
      {
        name: 'some',
        configMap: {
          name: 'conf',
          items: [
            { key: 'logo.png', path: 'static/logo.png', mode: 0o600 },
            { key: 'app.yaml', path: 'config.yaml' },
          ],
        },
      },
    ]);
    const { volumes } = await resolvePod(input, options(source(), new EventLog()));
    const files = volumes.get('some')?.files;
    expect([...(files?.keys() ?? [])]).toEqual(['static/logo.png', 'config.yaml']);
    expect(files?.get('static/logo.png')).toEqual({ data: bytes, mode: 0o600 });
    expect(files?.get('config.yaml')?.mode).toBe(0o644);
  });

  it('treats optional and mandatory misses as the kubelet does', async () => {
    const ok = await resolvePod(
      withVolumes([
        { name: 'gone', configMap: { name: 'nope', optional: true } },
        {
          name: 'partial',
          configMap: { name: 'conf', optional: true, items: [{ key: 'x', path: 'x' }] },
        },
      ]),
      options(source(), new EventLog()),
    );
    expect(ok.volumes.get('gone')).toEqual({ kind: 'configMap', files: new Map() });
    expect(ok.volumes.get('partial')).toEqual({ kind: 'configMap', files: new Map() });

    const cases: [Volume, string][] = [
      [{ name: 'c', configMap: { name: 'nope' } }, 'configmap "nope" not found'],
      [
        { name: 'c', configMap: { name: 'conf', items: [{ key: 'x', path: 'x' }] } },
        'configmap references non-existent config key: x',
      ],
    ];
    for (const [volume, message] of cases) {
      const events = new EventLog();
      const err = await failure(resolvePod(withVolumes([volume]), options(source(), events)));
      expect(isNotFound(err)).toBe(true);
      expect(events.warnings).toEqual([
        { reason: 'FailedMount', message: `MountVolume.SetUp failed for volume "c" : ${message}` },
      ]);
    }
  });
});

describe('downwardAPI volumes', () => {
  it('writes fieldRef and resourceFieldRef items with their modes', async () => {
    const input = withVolumes([
      {
        name: 'info',
        downwardAPI: {
          defaultMode: 0o444,
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' }, mode: 0o400 },
            { path: 'tier', fieldRef: { fieldPath: "metadata.labels['tier']" } },
            { path: 'meta/name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'node', fieldRef: { fieldPath: 'spec.nodeName' } },
            {
              path: 'mem_limit',
              resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' },
            },
            {
              path: 'cpu_limit',
              resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' },
            },
          ],
        },
      },
    ]);
    const result = await resolvePod(
      input,
      options(new FakeSource(), new EventLog(), { nodeAllocatable: { cpu: '2' } }),
    );
    expect(result.volumes.get('info')?.kind).toBe('downwardAPI');
    expect(listing(result.volumes.get('info'))).toEqual([
      'labels (444) = app="web"\ntier="front"',
      'annotations (400) = note="a \\"quoted\\" value"',
      'tier (444) = front',
      'meta/name (444) = web',
      'node (444) = vk-0',
      'mem_limit (444) = 64',
      'cpu_limit (444) = 2000',
    ]);
    expect(result.deferredFiles).toEqual([]);
  });

  it('leaves out files only the backend can fill and lists them as deferred', async () => {
    const input = withVolumes([
      {
        name: 'net',
        downwardAPI: {
          items: [
            { path: 'ip', fieldRef: { fieldPath: 'status.podIP' } },
            { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
          ],
        },
      },
    ]);
    const result = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect(listing(result.volumes.get('net'))).toEqual(['uid (644) = uid-1']);
    expect(result.deferredFiles).toEqual([
      { volume: 'net', path: 'ip', fieldPath: 'status.podIP' },
    ]);
  });

  it('fails with FailedMount and InvalidInput on a field no retry can resolve', async () => {
    const events = new EventLog();
    const input = withVolumes([
      {
        name: 'bad',
        downwardAPI: { items: [{ path: 'x', fieldRef: { fieldPath: 'spec.containers' } }] },
      },
    ]);
    const err = await failure(resolvePod(input, options(new FakeSource(), events)));
    expect(isInvalidInput(err)).toBe(true);
    expect(events.warnings).toEqual([
      {
        reason: 'FailedMount',
        message:
          'MountVolume.SetUp failed for volume "bad" : unsupported fieldPath "spec.containers"',
      },
    ]);
  });
});

describe('projected volumes', () => {
  const source = () =>
    new FakeSource()
      .secret('apps', 'creds', { user: 'u', pass: 'p' })
      .configMap('apps', 'ca', { 'ca.crt': 'CA' });

  it('combines secret, configMap, downwardAPI and token sources under one defaultMode', async () => {
    const input = withVolumes(
      [
        {
          name: 'kube-api-access',
          projected: {
            defaultMode: 0o444,
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
              { configMap: { name: 'ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }],
                },
              },
              { secret: { name: 'creds', items: [{ key: 'user', path: 'user', mode: 0o400 }] } },
            ],
          },
        },
      ],
      { serviceAccountName: 'web-sa' },
    );
    const src = source();
    const result = await resolvePod(input, options(src, new EventLog()));
    expect(result.volumes.get('kube-api-access')?.kind).toBe('projected');
    expect(listing(result.volumes.get('kube-api-access'))).toEqual([
      'token (444) = token-1-default-3607',
      'ca.crt (444) = CA',
      'namespace (444) = apps',
      'user (400) = u',
    ]);
    expect(src.tokenCalls).toEqual([
      {
        namespace: 'apps',
        serviceAccountName: 'web-sa',
        audiences: [],
        expirationSeconds: 3607,
        pod: { name: 'web', uid: 'uid-1' },
      },
    ]);
  });

  it('requests tokens with the audience, default lifetime 3600 and minimum 600, once per audience and lifetime', async () => {
    const input = withVolumes([
      {
        name: 'a',
        projected: { sources: [{ serviceAccountToken: { path: 'vault', audience: 'vault' } }] },
      },
      {
        name: 'b',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'short', audience: 'sts', expirationSeconds: 60 } },
          ],
        },
      },
      {
        name: 'c',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'again', audience: 'vault', expirationSeconds: 3600 } },
          ],
        },
      },
    ]);
    const src = source();
    const result = await resolvePod(input, options(src, new EventLog()));
    expect(
      src.tokenCalls.map(c => [c.audiences, c.expirationSeconds, c.serviceAccountName]),
    ).toEqual([
      [['vault'], 3600, 'default'],
      [['sts'], 600, 'default'],
    ]);
    expect(listing(result.volumes.get('a'))).toEqual(['vault (644) = token-1-vault-3600']);
    expect(listing(result.volumes.get('c'))).toEqual(['again (644) = token-1-vault-3600']);
    // Earliest of the two: the 600 s token, refreshed after 480 s.
    expect(result.refreshAt).toEqual(new Date(ISSUED_AT.getTime() + 480_000));
  });

  it('reports refreshAt at 80% of the lifetime of a single token', async () => {
    const input = withVolumes([
      { name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
    ]);
    const result = await resolvePod(input, options(source(), new EventLog()));
    expect(result.refreshAt).toEqual(new Date(ISSUED_AT.getTime() + 2880_000));
  });

  it('has no refreshAt without tokens', async () => {
    const result = await resolvePod(
      withVolumes([{ name: 's', secret: { secretName: 'creds' } }]),
      options(source(), new EventLog()),
    );
    expect(result.refreshAt).toBeUndefined();
    expect('refreshAt' in result).toBe(false);
  });

  it('writes the token 0600 when the pod has an fsGroup, as the kubelet does', async () => {
    const input = withVolumes(
      [
        {
          name: 't',
          projected: {
            defaultMode: 0o644,
            sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'ca' } }],
          },
        },
      ],
      { securityContext: { fsGroup: 2000 } },
    );
    const result = await resolvePod(input, options(source(), new EventLog()));
    expect(listing(result.volumes.get('t'))).toEqual([
      'token (600) = token-1-default-3600',
      'ca.crt (644) = CA',
    ]);
  });

  it('tries every source and reports all failures in one FailedMount', async () => {
    const events = new EventLog();
    const input = withVolumes([
      {
        name: 'p',
        projected: {
          sources: [
            { secret: { name: 'nope' } },
            { configMap: { name: 'ca' } },
            { configMap: { name: 'missing-cm' } },
            { secret: { name: 'gone', optional: true } },
          ],
        },
      },
    ]);
    const err = await failure(resolvePod(input, options(source(), events)));
    const message =
      'MountVolume.SetUp failed for volume "p" : [secret "nope" not found, configmap "missing-cm" not found]';
    expect(isNotFound(err)).toBe(true);
    expect((err as Error).message).toBe(message);
    expect(events.warnings).toEqual([{ reason: 'FailedMount', message }]);
  });

  it('fails with FailedMount when the token request fails, keeping the error kind', async () => {
    const src = source();
    src.tokenFailure = new Error('serviceaccounts "default" not found');
    const events = new EventLog();
    const input = withVolumes([
      { name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
    ]);
    const err = await failure(resolvePod(input, options(src, events)));
    expect(isTransient(err)).toBe(true);
    expect(events.warnings).toEqual([
      {
        reason: 'FailedMount',
        message:
          'MountVolume.SetUp failed for volume "t" : failed to fetch token: serviceaccounts "default" not found',
      },
    ]);

    src.tokenFailure = new ThrottledError('slow down', { retryAfterMs: 1000 });
    expect(isThrottled(await failure(resolvePod(input, options(src, new EventLog()))))).toBe(true);
  });

  it('skips a source it cannot resolve with a Warning instead of refusing the pod', async () => {
    const events = new EventLog();
    const input = withVolumes([
      {
        name: 'bundle',
        projected: {
          sources: [
            { clusterTrustBundle: { path: 'ca.pem', name: 'b' } },
            { configMap: { name: 'ca' } },
          ],
        },
      },
    ]);
    const result = await resolvePod(input, options(source(), events));
    expect(listing(result.volumes.get('bundle'))).toEqual(['ca.crt (644) = CA']);
    expect(events.warnings).toEqual([
      {
        reason: 'UnsupportedVolumeSource',
        message:
          'volume "bundle": projected source (clusterTrustBundle) is not supported and was left out',
      },
    ]);
  });
});

describe('other volumes', () => {
  it('leaves emptyDir, hostPath, PVC and friends to the provider, out of the map and in the spec', async () => {
    const volumes = [
      { name: 'scratch', emptyDir: {} },
      { name: 'host', hostPath: { path: '/var/log' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'cfg', configMap: { name: 'c', optional: true } },
    ];
    const input = withVolumes(volumes);
    const result = await resolvePod(input, options(new FakeSource(), new EventLog()));
    expect([...result.volumes.keys()]).toEqual(['cfg']);
    expect(result.pod.spec?.volumes).toEqual(volumes);
  });

  it('transient read failures keep the pod out with a retryable error', async () => {
    const src = new FakeSource();
    src.failing.set('secret/apps/s', new Error('etcd timeout'));
    const events = new EventLog();
    const err = await failure(
      resolvePod(withVolumes([{ name: 'v', secret: { secretName: 's' } }]), options(src, events)),
    );
    expect(isTransient(err)).toBe(true);
    expect(events.warnings).toEqual([
      {
        reason: 'FailedMount',
        message:
          'MountVolume.SetUp failed for volume "v" : failed to read secret "apps/s": etcd timeout',
      },
    ]);
  });
});

describe(volumePath, () => {
  it.each([
    ['a', 'a'],
    ['a/b/c', 'a/b/c'],
    ['./a//b/', 'a/b'],
    ['a/./b', 'a/b'],
  ])('cleans %j to %j', (input, expected) => {
    expect(volumePath(input)).toBe(expected);
  });

  it.each(['', '/etc/passwd', '../x', 'a/../../x', '..', '.', '..data', 'a/' + 'x'.repeat(256)])(
    'rejects %j',
    input => {
      let caught: unknown;
      try {
        volumePath(input);
      } catch (err) {
        caught = err;
      }
      expect(isInvalidInput(caught)).toBe(true);
    },
  );

  it('allows names that merely contain dots after the first element', () => {
    expect(volumePath('a/..b')).toBe('a/..b');
    expect(volumePath('a..b')).toBe('a..b');
  });
});

describe(tokenRefreshAt, () => {
  it('is 80% into the lifetime, in whole seconds, and at most 24 h after issue', () => {
    const expires = new Date('2026-03-01T01:00:00Z');
    expect(tokenRefreshAt(expires, 3600)).toEqual(new Date('2026-03-01T00:48:00Z'));
    // 20% of 3607 s is 721.4 s; the kubelet truncates to 721 s.
    expect(tokenRefreshAt(new Date(Date.parse('2026-03-01T00:00:00Z') + 3607_000), 3607)).toEqual(
      new Date(Date.parse('2026-03-01T00:00:00Z') + 2886_000),
    );
    const week = 7 * 24 * 3600;
    const issued = Date.parse('2026-03-01T00:00:00Z');
    expect(tokenRefreshAt(new Date(issued + week * 1000), week)).toEqual(
      new Date(issued + 24 * 3600_000),
    );
  });
});
