import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import type { Json, KubeObject } from '../kube-object.ts';
import { parseIncludeObject, printedColumns, singleObjectTable, toTable } from './table.ts';

const now = new Date('2024-05-01T12:00:00Z');

interface TableShape {
  kind: string;
  apiVersion: string;
  metadata: Record<string, Json>;
  columnDefinitions: { name: string; type: string; format: string; priority: number }[] | null;
  rows: { cells: Json[]; object: Json; conditions?: Json[] }[] | null;
}

const asTable = (json: Json): TableShape => json as unknown as TableShape;
const cellsOf = (json: Json): Json[][] => (asTable(json).rows ?? []).map(r => r.cells);
const headersOf = (json: Json): string[] =>
  (asTable(json).columnDefinitions ?? []).map(c => c.name);

const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'default',
    uid: 'u-1',
    resourceVersion: '42',
    creationTimestamp: '2024-05-01T11:55:00Z',
    labels: { app: 'web' },
  },
  data: { a: '1', b: '2' },
  binaryData: { c: 'AA==' },
};

describe(toTable, () => {
  it('builds a meta.k8s.io/v1 Table with PartialObjectMetadata rows by default', () => {
    const table = toTable('configmaps', [configMap], {
      includeObject: 'Metadata',
      now,
      listMeta: { resourceVersion: '100', continue: 'next-page', remainingItemCount: 3 },
    });
    expect(table).toEqual({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '100', continue: 'next-page', remainingItemCount: 3 },
      columnDefinitions: [
        {
          name: 'Name',
          type: 'string',
          format: 'name',
          description: expect.any(String) as unknown,
          priority: 0,
        },
        {
          name: 'Data',
          type: 'string',
          format: '',
          description: expect.any(String) as unknown,
          priority: 0,
        },
        {
          name: 'Age',
          type: 'string',
          format: '',
          description: expect.any(String) as unknown,
          priority: 0,
        },
      ],
      rows: [
        {
          cells: ['settings', 3, '5m'],
          object: {
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: configMap.metadata as unknown as Json,
          },
        },
      ],
    });
  });

  it('puts the whole object in rows with includeObject=Object, and null with None', () => {
    const full = asTable(
      toTable('configmaps', [configMap], { includeObject: 'Object', now, listMeta: {} }),
    );
    expect(full.rows?.[0]?.object).toEqual(configMap);
    const none = asTable(
      toTable('configmaps', [configMap], { includeObject: 'None', now, listMeta: {} }),
    );
    expect(none.rows?.[0]).toEqual({ cells: ['settings', 3, '5m'], object: null });
    expect(none.metadata).toEqual({});
  });

  it('leaves columnDefinitions null with noHeaders', () => {
    const table = asTable(
      toTable('configmaps', [configMap], {
        includeObject: 'None',
        now,
        listMeta: {},
        noHeaders: true,
      }),
    );
    expect(table.columnDefinitions).toBeNull();
  });

  it('returns an empty row list for an empty list of a printed kind', () => {
    const table = asTable(
      toTable('pods', [], { includeObject: 'Metadata', now, listMeta: { resourceVersion: '7' } }),
    );
    expect(table.rows).toEqual([]);
    expect(table.metadata).toEqual({ resourceVersion: '7' });
  });

  it('gives kinds without a printer the default Name / Created At table', () => {
    const role: KubeObject = {
      metadata: { name: 'admin', creationTimestamp: '2024-01-02T03:04:05Z' },
    };
    const table = toTable('clusterroles.rbac.authorization.k8s.io', [role], {
      includeObject: 'None',
      now,
      listMeta: {},
    });
    expect(asTable(table).columnDefinitions?.map(c => [c.name, c.type, c.format])).toEqual([
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ]);
    expect(cellsOf(table)).toEqual([['admin', '2024-01-02T03:04:05Z']]);
    expect(
      asTable(toTable('widgets', [], { includeObject: 'None', now, listMeta: {} })).rows,
    ).toBeNull();
  });

  it('finds printers by bare plural or group-qualified name', () => {
    expect(headersOf(toTable('leases', [], { includeObject: 'None', now, listMeta: {} }))).toEqual([
      'Name',
      'Holder',
      'Age',
    ]);
    expect(
      headersOf(
        toTable('leases.coordination.k8s.io', [], { includeObject: 'None', now, listMeta: {} }),
      ),
    ).toEqual(['Name', 'Holder', 'Age']);
    expect(printedColumns('certificatesigningrequests').map(c => c.name)).toEqual([
      'Name',
      'Age',
      'SignerName',
      'Requestor',
      'RequestedDuration',
      'Condition',
    ]);
  });
});

describe(singleObjectTable, () => {
  it('is a one-row table carrying the object’s resourceVersion', () => {
    const table = asTable(
      singleObjectTable('configmaps', configMap, { includeObject: 'None', now }),
    );
    expect(table.metadata).toEqual({ resourceVersion: '42' });
    expect(table.rows).toEqual([{ cells: ['settings', 3, '5m'], object: null }]);
  });
});

describe(parseIncludeObject, () => {
  it('defaults to Metadata and rejects unknown values', () => {
    expect(parseIncludeObject(null)).toBe('Metadata');
    expect(parseIncludeObject('')).toBe('Metadata');
    expect(parseIncludeObject('Object')).toBe('Object');
    let error: unknown;
    try {
      parseIncludeObject('All');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('unrecognized includeObject value: "All"');
  });
});

const table = (resource: string, objects: KubeObject[]): Json =>
  toTable(resource, objects, { includeObject: 'None', now, listMeta: {} });

describe('namespace, secret, service account, lease and CSR rows', () => {
  it('prints namespaces with their phase', () => {
    const ns: KubeObject = {
      metadata: { name: 'kube-system', creationTimestamp: '2024-04-01T12:00:00Z' },
      status: { phase: 'Active' },
    };
    const dying: KubeObject = { metadata: { name: 'old' }, status: { phase: 'Terminating' } };
    expect(headersOf(table('namespaces', [ns]))).toEqual(['Name', 'Status', 'Age']);
    expect(cellsOf(table('namespaces', [ns, dying]))).toEqual([
      ['kube-system', 'Active', '30d'],
      ['old', 'Terminating', '<unknown>'],
    ]);
  });

  it('prints secrets with type and key count (stringData included)', () => {
    const secret: KubeObject = {
      metadata: { name: 'token', creationTimestamp: '2024-05-01T11:59:30Z' },
      type: 'kubernetes.io/service-account-token',
      data: { token: 'eA==', 'ca.crt': 'eQ==' },
      stringData: { namespace: 'default', token: 'x' },
    };
    expect(headersOf(table('secrets', [secret]))).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(cellsOf(table('secrets', [secret, { metadata: { name: 'empty' } }]))).toEqual([
      ['token', 'kubernetes.io/service-account-token', 3, '30s'],
      ['empty', 'Opaque', 0, '<unknown>'],
    ]);
  });

  it('prints service accounts, leases and CSRs', () => {
    const sa: KubeObject = {
      metadata: { name: 'default', creationTimestamp: '2024-05-01T09:00:00Z' },
      secrets: [{ name: 's' }],
    };
    expect(cellsOf(table('serviceaccounts', [sa]))).toEqual([['default', 1, '3h']]);
    const lease: KubeObject = {
      metadata: {
        name: 'vk-0',
        namespace: 'kube-node-lease',
        creationTimestamp: '2024-05-01T11:00:00Z',
      },
      spec: { holderIdentity: 'vk-0', leaseDurationSeconds: 40 },
    };
    expect(cellsOf(table('leases', [lease, { metadata: { name: 'free' }, spec: {} }]))).toEqual([
      ['vk-0', 'vk-0', '60m'],
      ['free', '', '<unknown>'],
    ]);
    const csr = (
      status: Record<string, unknown>,
      spec: Record<string, unknown> = {},
    ): KubeObject => ({
      metadata: { name: 'csr-1', creationTimestamp: '2024-05-01T11:58:00Z' },
      spec: { signerName: 'kubernetes.io/kubelet-serving', username: 'system:node:vk-0', ...spec },
      status,
    });
    expect(
      cellsOf(
        table('certificatesigningrequests.certificates.k8s.io', [
          csr({}),
          csr({ conditions: [{ type: 'Approved', status: 'True' }] }, { expirationSeconds: 86400 }),
          csr(
            { conditions: [{ type: 'Approved' }], certificate: 'LS0t' },
            { expirationSeconds: 600 },
          ),
          csr(
            { conditions: [{ type: 'Approved' }, { type: 'Denied' }, { type: 'Failed' }] },
            { signerName: '' },
          ),
        ]),
      ),
    ).toEqual([
      ['csr-1', '2m', 'kubernetes.io/kubelet-serving', 'system:node:vk-0', '<none>', 'Pending'],
      ['csr-1', '2m', 'kubernetes.io/kubelet-serving', 'system:node:vk-0', '24h', 'Approved'],
      [
        'csr-1',
        '2m',
        'kubernetes.io/kubelet-serving',
        'system:node:vk-0',
        '10m',
        'Approved,Issued',
      ],
      ['csr-1', '2m', '<none>', 'system:node:vk-0', '<none>', 'Denied,Failed'],
    ]);
  });
});

describe('event rows', () => {
  it('prints a core/v1 event: last seen, type, reason, object, subobject, source, message, first seen, count, name', () => {
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.17c', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: '  Back-off restarting failed container\n',
      type: 'Warning',
      source: { component: 'kubelet', host: 'vk-0' },
      firstTimestamp: '2024-05-01T11:00:00Z',
      lastTimestamp: '2024-05-01T11:58:00Z',
      count: 12,
    };
    expect(headersOf(table('events', [event]))).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Subobject',
      'Source',
      'Message',
      'First Seen',
      'Count',
      'Name',
    ]);
    expect(cellsOf(table('events', [event]))).toEqual([
      [
        '2m',
        'Warning',
        'BackOff',
        'pod/web',
        'spec.containers{app}',
        'kubelet, vk-0',
        'Back-off restarting failed container',
        '60m',
        12,
        'web.17c',
      ],
    ]);
  });

  it('prints an events.k8s.io event from eventTime, its series and reporting controller', () => {
    const singleton: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'n.1' },
      regarding: { kind: 'Node', name: 'vk-0' },
      reason: 'Starting',
      note: 'Starting vkubelet.',
      type: 'Normal',
      eventTime: '2024-05-01T11:59:49.876543Z',
      reportingController: 'vkubelet',
      reportingInstance: 'vkubelet-vk-0',
    };
    const series: KubeObject = {
      ...singleton,
      metadata: { name: 'n.2' },
      regarding: { kind: 'Node' },
      series: { count: 4, lastObservedTime: '2024-05-01T11:59:00.000000Z' },
    };
    expect(cellsOf(table('events.events.k8s.io', [singleton, series]))).toEqual([
      [
        '10s',
        'Normal',
        'Starting',
        'node/vk-0',
        '',
        'vkubelet, vkubelet-vk-0',
        'Starting vkubelet.',
        '10s',
        1,
        'n.1',
      ],
      [
        '60s',
        'Normal',
        'Starting',
        'node',
        '',
        'vkubelet, vkubelet-vk-0',
        'Starting vkubelet.',
        '10s',
        4,
        'n.2',
      ],
    ]);
  });
});

describe('service rows', () => {
  const svc = (
    spec: Record<string, unknown>,
    status: Record<string, unknown> = {},
  ): KubeObject => ({
    metadata: { name: 'api', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec,
    status,
  });

  it('prints type, cluster IP, external IP, ports and selector', () => {
    expect(headersOf(table('services', []))).toEqual([
      'Name',
      'Type',
      'Cluster-IP',
      'External-IP',
      'Port(s)',
      'Age',
      'Selector',
    ]);
    expect(
      cellsOf(
        table('services', [
          svc({
            clusterIP: '10.96.0.1',
            clusterIPs: ['10.96.0.1'],
            ports: [{ port: 443, protocol: 'TCP' }],
          }),
          svc({
            type: 'NodePort',
            clusterIPs: ['10.96.0.9'],
            ports: [
              { port: 80, nodePort: 30080 },
              { port: 53, protocol: 'UDP' },
            ],
            selector: { tier: 'web', app: 'x' },
          }),
          svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] }),
          svc(
            { type: 'LoadBalancer', clusterIPs: ['10.96.0.10'], externalIPs: ['1.2.3.4'] },
            { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }] } },
          ),
          svc({ type: 'ExternalName', externalName: 'db.example.com' }),
          svc({ clusterIPs: ['None'] }),
        ]),
      ),
    ).toEqual([
      ['api', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '60m', '<none>'],
      ['api', 'NodePort', '10.96.0.9', '<none>', '80:30080/TCP,53/UDP', '60m', 'app=x,tier=web'],
      ['api', 'LoadBalancer', '10.96.0.10', '<pending>', '80/TCP', '60m', '<none>'],
      [
        'api',
        'LoadBalancer',
        '10.96.0.10',
        '5.6.7.8,lb.example.com,1.2.3.4',
        '<none>',
        '60m',
        '<none>',
      ],
      ['api', 'ExternalName', '<none>', 'db.example.com', '<none>', '60m', '<none>'],
      ['api', 'ClusterIP', 'None', '<none>', '<none>', '60m', '<none>'],
    ]);
  });
});

describe('custom resource tables', () => {
  const widget: KubeObject = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1', creationTimestamp: '2024-05-01T11:57:00Z' },
    spec: { replicas: 3, ratio: 0.5, big: 1234567.5, paused: false, tags: { b: 2, a: 1 } },
    status: {
      conditions: [
        { type: 'Synced', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
    },
  };

  it('defaults to Name and Age', () => {
    const t = toTable('widgets.example.com', [widget], {
      includeObject: 'None',
      now,
      listMeta: {},
      customResource: {},
    });
    expect(asTable(t).columnDefinitions?.map(c => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Age', 'date'],
    ]);
    expect(cellsOf(t)).toEqual([['w1', '3m']]);
  });

  it('evaluates additionalPrinterColumns', () => {
    const t = toTable('widgets.example.com', [widget, { metadata: { name: 'w2' } }], {
      includeObject: 'None',
      now,
      listMeta: {},
      customResource: {
        columns: [
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          {
            name: 'Ready',
            type: 'string',
            jsonPath: '.status.conditions[?(@.type=="Ready")].status',
          },
          { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio', priority: 1 },
          { name: 'Big', type: 'string', jsonPath: '.spec.big' },
          { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
          { name: 'Tags', type: 'string', jsonPath: '.spec.tags' },
          { name: 'First', type: 'string', jsonPath: ".status.conditions[0]['type']" },
          { name: 'Created', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    });
    expect(asTable(t).columnDefinitions?.[1]).toEqual({
      name: 'Replicas',
      type: 'integer',
      format: '',
      description: 'Custom resource definition column (in JSONPath format): .spec.replicas',
      priority: 0,
    });
    expect(cellsOf(t)).toEqual([
      ['w1', 3, 'True', 0.5, '1.2345675e+06', false, '{"a":1,"b":2}', 'Synced', '3m'],
      ['w2', null, null, null, null, null, null, null, null],
    ]);
  });
});
