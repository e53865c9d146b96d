import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import type { KubeObject } from '../kube-object.ts';
import { customResourceFieldLabels, supportedFieldLabels } from './field-labels.ts';
import { parseFieldSelector } from './field-selector.ts';

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const parseError = (text: string, resource: string): string => {
  const err = errorOf(() => parseFieldSelector(text, resource));
  expect(err.code).toBe(400);
  expect(err.reason).toBe('BadRequest');
  return err.message;
};

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'prod' },
  spec: {
    nodeName: 'node-a',
    restartPolicy: 'OnFailure',
    schedulerName: 'default-scheduler',
    serviceAccountName: 'builder',
    hostNetwork: true,
    containers: [],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.7',
    podIPs: [{ ip: '10.0.0.7' }],
    nominatedNodeName: 'node-b',
  },
};

describe(parseFieldSelector, () => {
  it.each([
    ['', true],
    ['metadata.name=web-0', true],
    ['metadata.name==web-0', true],
    ['metadata.name!=web-0', false],
    ['metadata.namespace=prod', true],
    ['spec.nodeName=node-a', true],
    ['spec.nodeName=', false],
    ['spec.nodeName!=', true],
    ['spec.restartPolicy=OnFailure', true],
    ['spec.schedulerName=default-scheduler', true],
    ['spec.serviceAccountName=builder', true],
    ['spec.hostNetwork=true', true],
    ['status.phase=Running', true],
    ['status.phase!=Running', false],
    ['status.podIP=10.0.0.7', true],
    ['status.nominatedNodeName=node-b', true],
    ['status.podIPs=', true],
    ['status.podIPs=10.0.0.7', false],
    ['spec.host=node-a', true],
    ['spec.nodeName=node-a,status.phase=Running', true],
    ['spec.nodeName=node-a,status.phase=Pending', false],
    [',metadata.name=web-0,', true],
  ])('%j on a running pod: %s', (text, expected) => {
    expect(parseFieldSelector(text, 'pods').matches(pod)).toBe(expected);
  });

  it('fills in the pod fields the registry defaults', () => {
    const bare: KubeObject = { metadata: { name: 'p', namespace: 'd' }, spec: {} };
    const fs = parseFieldSelector(
      'spec.restartPolicy=Always,spec.schedulerName=default-scheduler,spec.hostNetwork=false,status.phase=Pending',
      'pods',
    );
    expect(fs.matches(bare)).toBe(true);
  });

  it('renames spec.host to spec.nodeName', () => {
    expect(parseFieldSelector('spec.host=n', 'pods').requirements).toEqual([
      { field: 'spec.nodeName', operator: '=', value: 'n' },
    ]);
  });

  it('unescapes \\, \\= and \\\\ in values', () => {
    const obj: KubeObject = { metadata: { name: 'a,b=c\\d' } };
    const fs = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d', 'configmaps');
    expect(fs.requirements).toEqual([{ field: 'metadata.name', operator: '=', value: 'a,b=c\\d' }]);
    expect(fs.matches(obj)).toBe(true);
    expect(fs.toString()).toBe('metadata.name=a\\,b\\=c\\\\d');
  });

  it.each([
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    [
      'metadata.name=a,bogus',
      "invalid selector: 'metadata.name=a,bogus'; can't understand 'bogus'",
    ],
    ['metadata.name=a\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['metadata.name=a\\', 'invalid field selector: invalid escape sequence: \\'],
    ['metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name!==b', 'invalid field selector: unescaped character in value: 61'],
  ])('rejects %j: %s', (text, message) => {
    expect(parseError(text, 'pods')).toBe(message);
  });

  it('reports syntax errors before unsupported labels, and the first bad term in sorted order', () => {
    expect(parseError('zzz=1,spec.x', 'pods')).toBe(
      "invalid selector: 'zzz=1,spec.x'; can't understand 'spec.x'",
    );
    expect(parseError('zzz=1,aaa=2', 'pods')).toBe('field label not supported: aaa');
  });

  it('keeps whitespace around the label, as the apiserver does', () => {
    expect(parseError('metadata.name =x', 'pods')).toBe(
      'field label not supported: metadata.name ',
    );
  });

  it.each([
    ['pods', 'spec.containers', 'field label not supported: spec.containers'],
    ['nodes', 'metadata.namespace', 'field label not supported: metadata.namespace'],
    ['nodes', 'status.phase', 'field label not supported: status.phase'],
    ['namespaces', 'metadata.namespace', 'field label not supported: metadata.namespace'],
    ['secrets', 'data', 'field label not supported: data'],
    ['services', 'spec.ports', 'field label not supported: spec.ports'],
    ['events', 'regarding.kind', 'field label not supported: regarding.kind'],
    [
      'events.events.k8s.io',
      'involvedObject.kind',
      'field label not supported: involvedObject.kind',
    ],
    [
      'certificatesigningrequests.certificates.k8s.io',
      'spec.username',
      'field label not supported: spec.username',
    ],
    [
      'certificatesigningrequests.certificates.k8s.io',
      'metadata.namespace',
      'field label not supported: metadata.namespace',
    ],
    ['jobs.batch', 'status.active', 'field label "status.active" not supported for batchv1.Job'],
    [
      'configmaps',
      'data.key',
      '"data.key" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    [
      'serviceaccounts',
      'secrets',
      '"secrets" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    [
      'leases.coordination.k8s.io',
      'spec.holderIdentity',
      '"spec.holderIdentity" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
  ])('%s rejects %s', (resource, label, message) => {
    expect(parseError(`${label}=x`, resource)).toBe(message);
  });

  it('selects nodes by spec.unschedulable', () => {
    const cordoned: KubeObject = { metadata: { name: 'n1' }, spec: { unschedulable: true } };
    const fresh: KubeObject = { metadata: { name: 'n2' } };
    const fs = parseFieldSelector('spec.unschedulable=false', 'nodes');
    expect(fs.matches(cordoned)).toBe(false);
    expect(fs.matches(fresh)).toBe(true);
  });

  it('selects namespaces by phase and secrets by type', () => {
    const ns: KubeObject = { metadata: { name: 'x' }, status: { phase: 'Terminating' } };
    expect(parseFieldSelector('status.phase=Terminating', 'namespaces').matches(ns)).toBe(true);
    const secret: KubeObject = {
      metadata: { name: 's', namespace: 'd' },
      type: 'kubernetes.io/service-account-token',
    };
    expect(
      parseFieldSelector('type=kubernetes.io/service-account-token', 'secrets').matches(secret),
    ).toBe(true);
    expect(parseFieldSelector('type=Opaque', 'secrets').matches({ metadata: { name: 'o' } })).toBe(
      true,
    );
  });

  it('selects services by cluster IP and type', () => {
    const svc: KubeObject = {
      metadata: { name: 'api', namespace: 'd' },
      spec: { clusterIPs: ['10.96.0.1'] },
    };
    expect(
      parseFieldSelector('spec.clusterIP=10.96.0.1,spec.type=ClusterIP', 'services').matches(svc),
    ).toBe(true);
  });

  it('selects core events on involvedObject, source and reportingComponent', () => {
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-0.1', namespace: 'prod' },
      involvedObject: {
        kind: 'Pod',
        name: 'web-0',
        namespace: 'prod',
        uid: 'u1',
        fieldPath: 'spec.containers{app}',
      },
      reason: 'Started',
      type: 'Normal',
      reportingComponent: 'kubelet',
    };
    const fs = parseFieldSelector(
      'involvedObject.kind=Pod,involvedObject.name=web-0,involvedObject.uid=u1,involvedObject.fieldPath=spec.containers{app},reason=Started,type=Normal,reportingComponent=kubelet,source=kubelet',
      'events',
    );
    expect(fs.matches(event)).toBe(true);
  });

  it('maps events.k8s.io labels onto the shared event fields, for either wire shape', () => {
    const v1Event: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'prod' },
      regarding: { kind: 'Node', name: 'node-a' },
      reportingController: 'vk',
      deprecatedSource: { component: 'legacy' },
      type: 'Warning',
    };
    const fs = parseFieldSelector(
      'regarding.kind=Node,regarding.name=node-a,reportingController=vk,source=legacy,type=Warning',
      'events.events.k8s.io',
    );
    expect(fs.requirements.map(r => r.field)).toEqual([
      'involvedObject.kind',
      'involvedObject.name',
      'reportingComponent',
      'source',
      'type',
    ]);
    expect(fs.matches(v1Event)).toBe(true);
    // The same stored event read through core/v1 selects on involvedObject.
    expect(parseFieldSelector('involvedObject.name=node-a', 'events').matches(v1Event)).toBe(true);
  });

  it('selects CSRs by signer and jobs by successful count', () => {
    const csr: KubeObject = {
      metadata: { name: 'c' },
      spec: { signerName: 'kubernetes.io/kubelet-serving' },
    };
    expect(
      parseFieldSelector(
        'spec.signerName=kubernetes.io/kubelet-serving',
        'certificatesigningrequests',
      ).matches(csr),
    ).toBe(true);
    const job: KubeObject = { metadata: { name: 'j', namespace: 'd' }, status: { succeeded: 2 } };
    expect(parseFieldSelector('status.successful=2', 'jobs').matches(job)).toBe(true);
  });

  it('lets a cluster-scoped resource without its own rules select on an empty namespace', () => {
    const role: KubeObject = { metadata: { name: 'admin' } };
    expect(
      parseFieldSelector('metadata.namespace=', 'clusterroles.rbac.authorization.k8s.io').matches(
        role,
      ),
    ).toBe(true);
    expect(
      parseFieldSelector('metadata.namespace=x', 'clusterroles.rbac.authorization.k8s.io').matches(
        role,
      ),
    ).toBe(false);
  });

  it('supports custom resources with selectable fields', () => {
    const spec = customResourceFieldLabels({
      namespaced: false,
      selectableFields: ['.spec.color', '.spec.size'],
    });
    const widget: KubeObject = { metadata: { name: 'w' }, spec: { color: 'red', size: 3 } };
    expect(
      parseFieldSelector('spec.color=red,spec.size=3', 'widgets.example.com', spec).matches(widget),
    ).toBe(true);
    expect(
      errorOf(() => parseFieldSelector('metadata.namespace=x', 'widgets.example.com', spec))
        .message,
    ).toBe('field label not supported: metadata.namespace');
  });

  it('exposes the exact-match value of a field', () => {
    const fs = parseFieldSelector('metadata.name=a,spec.nodeName!=b', 'pods');
    expect(fs.exactMatch('metadata.name')).toBe('a');
    expect(fs.exactMatch('spec.nodeName')).toBeUndefined();
  });
});

describe(supportedFieldLabels, () => {
  it('lists each resource’s labels', () => {
    expect(supportedFieldLabels('pods')).toEqual([
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
      'spec.host',
    ]);
    expect(supportedFieldLabels('nodes')).toEqual(['metadata.name', 'spec.unschedulable']);
    expect(supportedFieldLabels('namespaces')).toEqual(['status.phase', 'metadata.name']);
    expect(supportedFieldLabels('secrets')).toEqual([
      'type',
      'metadata.namespace',
      'metadata.name',
    ]);
    expect(supportedFieldLabels('certificatesigningrequests.certificates.k8s.io')).toEqual([
      'metadata.name',
      'spec.signerName',
    ]);
    expect(supportedFieldLabels('configmaps')).toEqual(['metadata.name', 'metadata.namespace']);
    expect(supportedFieldLabels('events.events.k8s.io')).toContain('regarding.kind');
    expect(supportedFieldLabels('events')).toContain('involvedObject.kind');
  });
});
