import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import { isInvalidInput } from '../errors/errors.ts';
import {
  containerResourceValue,
  formatMap,
  goQuote,
  isQualifiedName,
  podFieldValue,
  type DownwardContext,
} from './downward.ts';

const full: Pod = {
  metadata: {
    name: 'web-0',
    namespace: 'shop',
    uid: '6f1c-uid',
    labels: { app: 'web', 'example.com/tier': 'front' },
    annotations: { 'note/quote': 'say "hi"\nbye', b: 'x' },
  },
  spec: {
    nodeName: 'vk-zone-a',
    serviceAccountName: 'web-sa',
    restartPolicy: 'OnFailure',
    schedulerName: 'custom-scheduler',
    containers: [
      {
        name: 'app',
        resources: {
          limits: { cpu: '1500m', memory: '256Mi', 'ephemeral-storage': '2Gi' },
          requests: {
            cpu: '250m',
            memory: '100M',
            'ephemeral-storage': '1G',
            'hugepages-2Mi': '4Mi',
          },
        },
      },
      { name: 'bare' },
    ],
    initContainers: [{ name: 'init', resources: { limits: { cpu: '2' } } }],
  },
  status: {
    podIP: '10.1.0.7',
    podIPs: [{ ip: '10.1.0.7' }, { ip: 'fd00::7' }],
    hostIP: '192.168.0.2',
    hostIPs: [{ ip: '192.168.0.2' }, { ip: 'fd00::2' }],
  },
};

const context: DownwardContext = {
  nodeName: 'vk-fallback',
  nodeAllocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' },
};

const field = (fieldPath: string, pod: Pod = full, ctx: DownwardContext = context) =>
  podFieldValue({ fieldPath }, pod, ctx);

describe(podFieldValue, () => {
  it.each([
    ['metadata.name', 'web-0'],
    ['metadata.namespace', 'shop'],
    ['metadata.uid', '6f1c-uid'],
    ['metadata.labels', 'app="web"\nexample.com/tier="front"'],
    ['metadata.annotations', 'b="x"\nnote/quote="say \\"hi\\"\\nbye"'],
    ["metadata.labels['app']", 'web'],
    ["metadata.labels['example.com/tier']", 'front'],
    ["metadata.labels['missing']", ''],
    ["metadata.annotations['note/quote']", 'say "hi"\nbye'],
    ['spec.nodeName', 'vk-zone-a'],
    ['spec.host', 'vk-zone-a'],
    ['spec.serviceAccountName', 'web-sa'],
    ['spec.restartPolicy', 'OnFailure'],
    ['spec.schedulerName', 'custom-scheduler'],
    ['status.podIP', '10.1.0.7'],
    ['status.podIPs', '10.1.0.7,fd00::7'],
    ['status.hostIP', '192.168.0.2'],
    ['status.hostIPs', '192.168.0.2,fd00::2'],
  ])('%s resolves to %j', (path, expected) => {
    expect(field(path)).toEqual({ kind: 'value', value: expected });
  });

  it('uses API defaults and the node name for a pod that was never defaulted', () => {
    const bare: Pod = { metadata: { name: 'x' }, spec: { containers: [] } };
    expect(field('spec.restartPolicy', bare)).toEqual({ kind: 'value', value: 'Always' });
    expect(field('spec.schedulerName', bare)).toEqual({
      kind: 'value',
      value: 'default-scheduler',
    });
    expect(field('spec.nodeName', bare)).toEqual({ kind: 'value', value: 'vk-fallback' });
    expect(field('metadata.labels', bare)).toEqual({ kind: 'value', value: '' });
    expect(field('spec.serviceAccountName', bare)).toEqual({ kind: 'value', value: '' });
  });

  it('defers pod and host IPs that are not known yet', () => {
    const unplaced: Pod = { metadata: { name: 'x' }, spec: { containers: [] } };
    for (const path of ['status.podIP', 'status.podIPs', 'status.hostIP', 'status.hostIPs']) {
      expect(field(path, unplaced)).toEqual({ kind: 'deferred', fieldPath: path });
    }
  });

  it('takes the host IP from the node when the pod status has none', () => {
    const unplaced: Pod = { metadata: { name: 'x' }, spec: { containers: [] } };
    const ctx = { ...context, hostIP: '172.16.0.9' };
    expect(field('status.hostIP', unplaced, ctx)).toEqual({ kind: 'value', value: '172.16.0.9' });
    expect(field('status.hostIPs', unplaced, ctx)).toEqual({ kind: 'value', value: '172.16.0.9' });
    expect(field('status.podIP', unplaced, ctx)).toEqual({
      kind: 'deferred',
      fieldPath: 'status.podIP',
    });
  });

  it('falls back between the single and list forms of the IP fields', () => {
    const onlyList: Pod = { spec: { containers: [] }, status: { podIPs: [{ ip: '10.0.0.1' }] } };
    expect(field('status.podIP', onlyList)).toEqual({ kind: 'value', value: '10.0.0.1' });
    const onlySingle: Pod = { spec: { containers: [] }, status: { hostIP: '10.9.9.9' } };
    expect(field('status.hostIPs', onlySingle)).toEqual({ kind: 'value', value: '10.9.9.9' });
  });

  it.each([
    ['spec.containers', /unsupported fieldPath/],
    ['status.phase', /unsupported fieldPath/],
    ["spec.nodeName['x']", /does not support a subscript/],
    ["metadata.labels['bad key!']", /invalid key subscript/],
    ["metadata.labels['-x']", /invalid key subscript/],
  ])('rejects %s as invalid input', (path, message) => {
    let caught: unknown;
    try {
      field(path);
    } catch (err) {
      caught = err;
    }
    expect(isInvalidInput(caught)).toBe(true);
    expect(String(caught)).toMatch(message);
  });

  it('accepts annotation subscripts case-insensitively, as the kubelet checks them', () => {
    const pod: Pod = { metadata: { annotations: { 'Example.COM/Key': 'v' } } };
    expect(field("metadata.annotations['Example.COM/Key']", pod)).toEqual({
      kind: 'value',
      value: 'v',
    });
    expect(() => field("metadata.labels['Example.COM/Key']", pod)).toThrow(/invalid key/);
  });

  it('requires apiVersion v1 when one is given', () => {
    expect(podFieldValue({ apiVersion: 'v1', fieldPath: 'metadata.name' }, full, context)).toEqual({
      kind: 'value',
      value: 'web-0',
    });
    expect(() =>
      podFieldValue({ apiVersion: 'v2', fieldPath: 'metadata.name' }, full, context),
    ).toThrow(/unsupported pod version "v2"/);
  });
});

describe(goQuote, () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\tnl\ncr\r', '"tab\\tnl\\ncr\\r"'],
    ['\x07\b\f\v', '"\\a\\b\\f\\v"'],
    ['\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
    ['héllo wörld ✓ 日本', '"héllo wörld ✓ 日本"'],
    ['\u00a0nbsp', '"\\u00a0nbsp"'],
    ['soft\u00adhyphen', '"soft\\u00adhyphen"'],
    ['\u200b', '"\\u200b"'],
    ['😀', '"😀"'],
    ['\u{e0001}', '"\\U000e0001"'],
  ])('quotes %j as Go does: %s', (input, expected) => {
    expect(goQuote(input)).toBe(expected);
  });
});

describe(formatMap, () => {
  it('sorts keys by bytes and writes one key="value" per line, no trailing newline', () => {
    expect(formatMap({ b: '2', B: '1', a: 'x"y' })).toBe('B="1"\na="x\\"y"\nb="2"');
    expect(formatMap({})).toBe('');
    expect(formatMap(undefined)).toBe('');
  });
});

describe(isQualifiedName, () => {
  it.each(['a', 'app', 'app.kubernetes.io/name', 'A_b-c.D', 'x'.repeat(63), 'a.b/c'])(
    'accepts %s',
    key => {
      expect(isQualifiedName(key)).toBe(true);
    },
  );
  it.each(['', '-a', 'a-', 'x'.repeat(64), '/a', 'a/', 'A.com/b', 'a/b/c', 'a b'])(
    'rejects %j',
    key => {
      expect(isQualifiedName(key)).toBe(false);
    },
  );
});

describe(containerResourceValue, () => {
  const app = full.spec?.containers[0];
  const bare = full.spec?.containers[1];
  const resource = (
    name: string,
    divisor?: string,
    target = app,
    ctx: DownwardContext = context,
  ): string =>
    containerResourceValue({ resource: name, ...(divisor ? { divisor } : {}) }, full, target, ctx);

  it.each([
    ['limits.cpu', undefined, '2'],
    ['limits.cpu', '1m', '1500'],
    ['limits.cpu', '1', '2'],
    ['limits.cpu', '100m', '15'],
    ['limits.cpu', '0', '2'],
    ['requests.cpu', undefined, '1'],
    ['requests.cpu', '1m', '250'],
    ['limits.memory', undefined, '268435456'],
    ['limits.memory', '1Mi', '256'],
    ['limits.memory', '1M', '269'],
    ['limits.memory', '1Gi', '1'],
    ['requests.memory', '1Mi', '96'],
    ['requests.memory', '1k', '100000'],
    ['limits.ephemeral-storage', '1Gi', '2'],
    ['limits.ephemeral-storage', '1G', '3'],
    ['requests.ephemeral-storage', '1Mi', '954'],
    ['requests.hugepages-2Mi', '1Mi', '4'],
  ])('%s with divisor %s is %s', (name, divisor, expected) => {
    expect(resource(name, divisor)).toBe(expected);
  });

  it('defaults unset limits to node allocatable and unset requests to zero', () => {
    expect(resource('limits.cpu', undefined, bare)).toBe('4');
    expect(resource('limits.cpu', '1m', bare)).toBe('4000');
    expect(resource('limits.memory', '1Gi', bare)).toBe('8');
    expect(resource('limits.ephemeral-storage', '1Gi', bare)).toBe('100');
    expect(resource('requests.cpu', undefined, bare)).toBe('0');
    expect(resource('requests.memory', undefined, bare)).toBe('0');
    // No allocatable known and no limit: zero, as a kubelet without capacity would say.
    expect(resource('limits.memory', undefined, bare, { nodeName: 'n' })).toBe('0');
    expect(resource('limits.hugepages-2Mi', undefined, bare)).toBe('0');
  });

  it('treats a zero limit like an unset one', () => {
    const pod: Pod = { spec: { containers: [{ name: 'z', resources: { limits: { cpu: '0' } } }] } };
    expect(
      containerResourceValue({ resource: 'limits.cpu' }, pod, pod.spec?.containers[0], context),
    ).toBe('4');
  });

  it('reads another container when containerName is given, init containers included', () => {
    const value = containerResourceValue(
      { resource: 'limits.cpu', containerName: 'init', divisor: '1m' },
      full,
      app,
      context,
    );
    expect(value).toBe('2000');
    expect(() =>
      containerResourceValue({ resource: 'limits.cpu', containerName: 'nope' }, full, app, context),
    ).toThrow(/container "nope" not found/);
    expect(() =>
      containerResourceValue({ resource: 'limits.cpu' }, full, undefined, context),
    ).toThrow(/not found/);
  });

  it.each(['limits.gpu', 'cpu', 'limits', 'spec.cpu', 'requests.nvidia.com/gpu'])(
    'rejects resource %s as invalid input',
    name => {
      let caught: unknown;
      try {
        resource(name);
      } catch (err) {
        caught = err;
      }
      expect(isInvalidInput(caught)).toBe(true);
    },
  );

  it('prints large values without an exponent', () => {
    const pod: Pod = {
      spec: { containers: [{ name: 'big', resources: { limits: { memory: '4Ei' } } }] },
    };
    expect(
      containerResourceValue({ resource: 'limits.memory' }, pod, pod.spec?.containers[0], context),
    ).toBe('4611686018427387904');
  });
});
