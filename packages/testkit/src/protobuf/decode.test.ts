/**
 * Bodies encoded here with protobufjs and the module's own schema, written the way Go's
 * marshaller writes them (every non-pointer scalar present, zero or not).
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF } from './index.ts';
import { messageType } from './schema.ts';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const MAGIC = Buffer.from('k8s\0', 'latin1');

function encode(typeName: string, object: Record<string, unknown>): Uint8Array {
  const type = messageType(typeName);
  return type.encode(type.fromObject(object)).finish();
}

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = encode('k8s.io.apimachinery.pkg.runtime.Unknown', {
    typeMeta: { apiVersion, kind },
    raw,
    contentEncoding: '',
    contentType: '',
  });
  return Buffer.concat([MAGIC, unknown]);
}

function body(apiVersion: string, kind: string, typeName: string, object: object): Buffer {
  return envelope(apiVersion, kind, encode(typeName, object as Record<string, unknown>));
}

/** ObjectMeta as Go writes it for a new object: every string present, creationTimestamp empty. */
function goMeta(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '',
    generateName: '',
    namespace: '',
    selfLink: '',
    uid: '',
    resourceVersion: '',
    generation: 0,
    creationTimestamp: {},
    ...extra,
  };
}

function decodeError(input: Buffer): ApiError {
  try {
    decodeKubernetesProtobuf(input);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected decodeKubernetesProtobuf to throw');
}

describe('decodeKubernetesProtobuf', () => {
  it('exports the media type', () => {
    expect(KUBERNETES_PROTOBUF).toBe('application/vnd.kubernetes.protobuf');
  });

  it('decodes a policy/v1 Eviction to what kubectl sends as JSON', () => {
    const eviction = body('policy/v1', 'Eviction', 'k8s.io.api.policy.v1.Eviction', {
      metadata: goMeta({ name: 'p2', namespace: 'default' }),
      deleteOptions: { gracePeriodSeconds: 0 },
    });
    // kubectl 1.33 sent exactly this JSON for `kubectl drain --grace-period=0`.
    expect(JSON.stringify(decodeKubernetesProtobuf(eviction))).toBe(
      '{"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":"p2","namespace":"default","creationTimestamp":null},"deleteOptions":{"gracePeriodSeconds":0}}',
    );
  });

  it('decodes every DeleteOptions field, and the policy/v1beta1 Eviction older kubectl sends', () => {
    const eviction = body('policy/v1beta1', 'Eviction', 'k8s.io.api.policy.v1.Eviction', {
      metadata: goMeta({ name: 'web-0', namespace: 'prod' }),
      deleteOptions: {
        gracePeriodSeconds: 30,
        preconditions: { uid: 'uid-1', resourceVersion: '42' },
        orphanDependents: false,
        propagationPolicy: 'Foreground',
        dryRun: ['All'],
      },
    });
    expect(decodeKubernetesProtobuf(eviction)).toEqual({
      kind: 'Eviction',
      apiVersion: 'policy/v1beta1',
      metadata: { name: 'web-0', namespace: 'prod', creationTimestamp: null },
      deleteOptions: {
        gracePeriodSeconds: 30,
        preconditions: { uid: 'uid-1', resourceVersion: '42' },
        orphanDependents: false,
        propagationPolicy: 'Foreground',
        dryRun: ['All'],
      },
    });
  });

  it('decodes DeleteOptions whatever group version names it', () => {
    const options = body('meta.k8s.io/v1', 'DeleteOptions', `${META}.DeleteOptions`, {
      propagationPolicy: 'Background',
    });
    expect(decodeKubernetesProtobuf(options)).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'meta.k8s.io/v1',
      propagationPolicy: 'Background',
    });
  });

  it('decodes every ObjectMeta field', () => {
    const secret = body('v1', 'Secret', 'k8s.io.api.core.v1.Secret', {
      metadata: {
        name: 'creds',
        generateName: 'creds-',
        namespace: 'team-a',
        selfLink: '',
        uid: '0b5c7a9e-1111-2222-3333-444455556666',
        resourceVersion: '1234',
        generation: 2 ** 40,
        creationTimestamp: { seconds: 1_700_000_000, nanos: 0 },
        deletionTimestamp: { seconds: 1_700_000_100, nanos: 500_000_000 },
        deletionGracePeriodSeconds: 0,
        labels: { app: 'web', tier: '' },
        annotations: { note: 'hello' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-abc',
            uid: 'owner-uid',
            controller: false,
            blockOwnerDeletion: true,
          },
        ],
        finalizers: ['example.com/cleanup'],
        managedFields: [
          {
            manager: 'kubectl-create',
            operation: 'Update',
            apiVersion: 'v1',
            time: { seconds: 1_700_000_000 },
            fieldsType: 'FieldsV1',
            fieldsV1: { Raw: Buffer.from('{"f:data":{".":{},"f:k":{}}}') },
            subresource: '',
          },
        ],
      },
      immutable: false,
      data: { k: Buffer.from([0, 1, 2]) },
      stringData: { plain: 'text' },
      type: '',
    });
    expect(decodeKubernetesProtobuf(secret)).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: {
        name: 'creds',
        generateName: 'creds-',
        namespace: 'team-a',
        uid: '0b5c7a9e-1111-2222-3333-444455556666',
        resourceVersion: '1234',
        generation: 2 ** 40,
        creationTimestamp: '2023-11-14T22:13:20Z',
        // metav1.Time has seconds precision in JSON.
        deletionTimestamp: '2023-11-14T22:15:00Z',
        deletionGracePeriodSeconds: 0,
        labels: { app: 'web', tier: '' },
        annotations: { note: 'hello' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-abc',
            uid: 'owner-uid',
            controller: false,
            blockOwnerDeletion: true,
          },
        ],
        finalizers: ['example.com/cleanup'],
        managedFields: [
          {
            manager: 'kubectl-create',
            operation: 'Update',
            apiVersion: 'v1',
            time: '2023-11-14T22:13:20Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { '.': {}, 'f:k': {} } },
          },
        ],
      },
      immutable: false,
      data: { k: 'AAEC' },
      stringData: { plain: 'text' },
    });
  });

  it('decodes a CertificateSigningRequest with status, certificate and extra', () => {
    const pem = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
    const cert = '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n';
    const csr = body(
      'certificates.k8s.io/v1',
      'CertificateSigningRequest',
      'k8s.io.api.certificates.v1.CertificateSigningRequest',
      {
        metadata: goMeta({ name: 'node-csr' }),
        spec: {
          request: Buffer.from(pem),
          signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
          expirationSeconds: 86_400,
          usages: ['digital signature', 'client auth'],
          username: 'system:node:n1',
          uid: 'u-1',
          groups: ['system:nodes', 'system:authenticated'],
          extra: { 'authentication.kubernetes.io/credential-id': { items: ['X509SHA256=ab'] } },
        },
        status: {
          conditions: [
            {
              type: 'Approved',
              status: 'True',
              reason: 'AutoApproved',
              message: '',
              lastUpdateTime: { seconds: 1_700_000_000, nanos: 0 },
              lastTransitionTime: { seconds: 1_700_000_000, nanos: 0 },
            },
          ],
          certificate: Buffer.from(cert),
        },
      },
    );
    expect(decodeKubernetesProtobuf(csr)).toEqual({
      kind: 'CertificateSigningRequest',
      apiVersion: 'certificates.k8s.io/v1',
      metadata: { name: 'node-csr', creationTimestamp: null },
      spec: {
        request: Buffer.from(pem).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        expirationSeconds: 86_400,
        usages: ['digital signature', 'client auth'],
        username: 'system:node:n1',
        uid: 'u-1',
        groups: ['system:nodes', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=ab'] },
      },
      status: {
        conditions: [
          {
            type: 'Approved',
            status: 'True',
            reason: 'AutoApproved',
            lastUpdateTime: '2023-11-14T22:13:20Z',
            lastTransitionTime: '2023-11-14T22:13:20Z',
          },
        ],
        certificate: Buffer.from(cert).toString('base64'),
      },
    });
  });

  it('decodes the field and label selectors of a SelfSubjectAccessReview', () => {
    const review = body(
      'authorization.k8s.io/v1',
      'SelfSubjectAccessReview',
      'k8s.io.api.authorization.v1.SelfSubjectAccessReview',
      {
        metadata: goMeta(),
        spec: {
          resourceAttributes: {
            namespace: '',
            verb: 'list',
            group: '',
            version: '',
            resource: 'pods',
            subresource: '',
            name: '',
            fieldSelector: {
              rawSelector: '',
              requirements: [{ key: 'spec.nodeName', operator: 'In', values: ['n1'] }],
            },
            labelSelector: {
              rawSelector: 'app=web',
              requirements: [{ key: 'tier', operator: 'Exists' }],
            },
          },
        },
        status: { allowed: false, reason: '', evaluationError: '', denied: false },
      },
    );
    expect(decodeKubernetesProtobuf(review)).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: {
          verb: 'list',
          resource: 'pods',
          fieldSelector: {
            requirements: [{ key: 'spec.nodeName', operator: 'In', values: ['n1'] }],
          },
          labelSelector: {
            rawSelector: 'app=web',
            requirements: [{ key: 'tier', operator: 'Exists' }],
          },
        },
      },
      status: { allowed: false },
    });
  });

  it('decodes a SubjectAccessReview, and a LocalSubjectAccessReview of the same shape', () => {
    const spec = {
      nonResourceAttributes: { path: '/metrics', verb: 'get' },
      user: 'alice',
      groups: ['devs'],
      extra: { scopes: { items: ['a', 'b'] }, none: { items: [] } },
      uid: '',
    };
    const expected = {
      nonResourceAttributes: { path: '/metrics', verb: 'get' },
      user: 'alice',
      groups: ['devs'],
      extra: { scopes: ['a', 'b'], none: [] },
    };
    for (const kind of ['SubjectAccessReview', 'LocalSubjectAccessReview']) {
      const review = body(
        'authorization.k8s.io/v1',
        kind,
        'k8s.io.api.authorization.v1.SubjectAccessReview',
        { metadata: goMeta({ namespace: 'ns' }), spec },
      );
      expect(decodeKubernetesProtobuf(review)).toEqual({
        kind,
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { namespace: 'ns', creationTimestamp: null },
        spec: expected,
      });
    }
  });

  it('decodes a TokenReview', () => {
    const review = body(
      'authentication.k8s.io/v1',
      'TokenReview',
      'k8s.io.api.authentication.v1.TokenReview',
      { metadata: goMeta(), spec: { token: 'abc.def', audiences: ['api'] }, status: {} },
    );
    expect(decodeKubernetesProtobuf(review)).toEqual({
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { token: 'abc.def', audiences: ['api'] },
      status: {},
    });
  });

  it('decodes SelfSubjectReview from the v1beta1 group version kubectl 1.27 uses', () => {
    const review = body(
      'authentication.k8s.io/v1beta1',
      'SelfSubjectReview',
      'k8s.io.api.authentication.v1.SelfSubjectReview',
      { metadata: goMeta(), status: { userInfo: { username: '', uid: '' } } },
    );
    expect(decodeKubernetesProtobuf(review)).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1beta1',
      metadata: { creationTimestamp: null },
      status: { userInfo: {} },
    });
  });

  it('keeps the Service fields Go holds as pointers, and drops zero plain ones', () => {
    const service = body('v1', 'Service', 'k8s.io.api.core.v1.Service', {
      metadata: goMeta({ name: 'lb' }),
      spec: {
        ports: [
          {
            name: '',
            protocol: 'UDP',
            appProtocol: 'dns',
            port: 53,
            targetPort: { type: 0, intVal: 5353, strVal: '' },
            nodePort: 0,
          },
        ],
        selector: {},
        clusterIP: '10.0.0.10',
        clusterIPs: ['10.0.0.10'],
        type: 'LoadBalancer',
        sessionAffinity: 'ClientIP',
        loadBalancerIP: '',
        externalName: '',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 31_000,
        publishNotReadyAddresses: false,
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        allocateLoadBalancerNodePorts: false,
        internalTrafficPolicy: 'Cluster',
      },
      status: {
        loadBalancer: { ingress: [{ ip: '1.2.3.4', hostname: '', ipMode: 'VIP' }] },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            observedGeneration: 0,
            lastTransitionTime: { seconds: 0, nanos: 0 },
            reason: 'Ok',
            message: '',
          },
        ],
      },
    });
    expect(decodeKubernetesProtobuf(service)).toEqual({
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'lb', creationTimestamp: null },
      spec: {
        ports: [{ protocol: 'UDP', appProtocol: 'dns', port: 53, targetPort: 5353 }],
        clusterIP: '10.0.0.10',
        clusterIPs: ['10.0.0.10'],
        type: 'LoadBalancer',
        sessionAffinity: 'ClientIP',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 31_000,
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        allocateLoadBalancerNodePorts: false,
        internalTrafficPolicy: 'Cluster',
      },
      status: {
        loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }] },
        // metav1.Condition has no omitempty on reason and message.
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastTransitionTime: '1970-01-01T00:00:00Z',
            reason: 'Ok',
            message: '',
          },
        ],
      },
    });
  });

  it('decodes a ServiceAccount and a pods/binding Binding', () => {
    const account = body('v1', 'ServiceAccount', 'k8s.io.api.core.v1.ServiceAccount', {
      metadata: goMeta({ name: 'builder' }),
      secrets: [{ kind: '', namespace: '', name: 'builder-token', uid: '', apiVersion: '' }],
      imagePullSecrets: [{ name: 'regcred' }],
      automountServiceAccountToken: false,
    });
    expect(decodeKubernetesProtobuf(account)).toEqual({
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'builder', creationTimestamp: null },
      secrets: [{ name: 'builder-token' }],
      imagePullSecrets: [{ name: 'regcred' }],
      automountServiceAccountToken: false,
    });
    const binding = body('v1', 'Binding', 'k8s.io.api.core.v1.Binding', {
      metadata: goMeta({ name: 'web-0', namespace: 'default', uid: 'pod-uid' }),
      target: { kind: 'Node', name: 'node-1', namespace: '', apiVersion: 'v1' },
    });
    expect(decodeKubernetesProtobuf(binding)).toEqual({
      kind: 'Binding',
      apiVersion: 'v1',
      metadata: { name: 'web-0', namespace: 'default', uid: 'pod-uid', creationTimestamp: null },
      target: { kind: 'Node', name: 'node-1', apiVersion: 'v1' },
    });
  });

  it('decodes a Pod, merging the Go structs embedded inline', () => {
    const pod = body('v1', 'Pod', 'k8s.io.api.core.v1.Pod', {
      metadata: goMeta({ name: 'web', namespace: 'default' }),
      spec: {
        volumes: [
          {
            name: 'cfg',
            volumeSource: {
              configMap: { localObjectReference: { name: 'app' }, defaultMode: 420 },
            },
          },
        ],
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ name: '', hostPort: 0, containerPort: 80, protocol: 'TCP', hostIP: '' }],
            env: [
              { name: 'EMPTY', value: '' },
              {
                name: 'FROM_CM',
                value: '',
                valueFrom: {
                  configMapKeyRef: {
                    localObjectReference: { name: 'app' },
                    key: 'k',
                    optional: true,
                  },
                },
              },
            ],
            resources: {
              limits: { memory: { string: '128Mi' } },
              requests: { cpu: { string: '100m' } },
            },
            readinessProbe: {
              handler: {
                httpGet: {
                  path: '/healthz',
                  port: { type: 1, intVal: 0, strVal: 'http' },
                  host: '',
                  scheme: 'HTTP',
                },
              },
              initialDelaySeconds: 0,
              periodSeconds: 5,
              terminationGracePeriodSeconds: 0,
            },
            securityContext: { runAsUser: 0, privileged: false },
            stdin: false,
            tty: false,
          },
        ],
        ephemeralContainers: [
          {
            ephemeralContainerCommon: {
              name: 'debugger',
              image: 'busybox',
              stdin: true,
              tty: true,
            },
            targetContainerName: 'app',
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        dnsPolicy: 'ClusterFirst',
        hostNetwork: false,
        priority: 0,
        enableServiceLinks: true,
        tolerations: [
          { key: '', operator: 'Exists', value: '', effect: 'NoExecute', tolerationSeconds: 300 },
        ],
      },
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastProbeTime: {},
            lastTransitionTime: { seconds: 1_700_000_000 },
          },
        ],
        podIP: '10.1.0.5',
        podIPs: [{ ip: '10.1.0.5' }],
        startTime: { seconds: 1_700_000_000 },
        containerStatuses: [
          {
            name: 'app',
            state: { running: { startedAt: { seconds: 1_700_000_001 } } },
            lastState: {},
            ready: false,
            restartCount: 0,
            image: 'nginx:latest',
            imageID: '',
            started: true,
          },
        ],
      },
    });
    expect(decodeKubernetesProtobuf(pod)).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: null },
      spec: {
        volumes: [{ name: 'cfg', configMap: { name: 'app', defaultMode: 420 } }],
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'EMPTY' },
              {
                name: 'FROM_CM',
                valueFrom: { configMapKeyRef: { name: 'app', key: 'k', optional: true } },
              },
            ],
            resources: { limits: { memory: '128Mi' }, requests: { cpu: '100m' } },
            readinessProbe: {
              httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
              periodSeconds: 5,
              terminationGracePeriodSeconds: 0,
            },
            securityContext: { runAsUser: 0, privileged: false },
          },
        ],
        ephemeralContainers: [
          {
            name: 'debugger',
            image: 'busybox',
            stdin: true,
            tty: true,
            targetContainerName: 'app',
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        dnsPolicy: 'ClusterFirst',
        priority: 0,
        enableServiceLinks: true,
        tolerations: [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      },
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: '2023-11-14T22:13:20Z',
          },
        ],
        podIP: '10.1.0.5',
        podIPs: [{ ip: '10.1.0.5' }],
        startTime: '2023-11-14T22:13:20Z',
        containerStatuses: [
          {
            name: 'app',
            state: { running: { startedAt: '2023-11-14T22:13:21Z' } },
            lastState: {},
            ready: false,
            restartCount: 0,
            image: 'nginx:latest',
            imageID: '',
            started: true,
          },
        ],
      },
    });
  });
});

describe('decodeKubernetesProtobuf errors', () => {
  const secret = (object: object): Buffer =>
    body('v1', 'Secret', 'k8s.io.api.core.v1.Secret', object);

  it('answers 415 naming the kind for kinds it does not decode', () => {
    const deployment = envelope('apps/v1', 'Deployment', new Uint8Array([0x0a, 0x00]));
    const err = decodeError(deployment);
    expect(err.code).toBe(415);
    expect(err.reason).toBe('UnsupportedMediaType');
    expect(err.message).toContain('Deployment');
    expect(err.message).toContain('apps/v1');
  });

  it('answers 415 for a field it does not know, rather than dropping it', () => {
    // Field 15 of ObjectMeta (the removed clusterName) is unknown to the schema.
    const raw = Buffer.concat([Buffer.from([0x0a, 0x05, 0x7a, 0x03]), Buffer.from('abc')]);
    const err = decodeError(envelope('v1', 'Secret', raw));
    expect(err.code).toBe(415);
    expect(err.message).toContain('field 15 of k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  });

  it('answers 415 for an in-tree volume source it does not decode', () => {
    // VolumeSource field 5 is gitRepo, left out of the schema.
    const volume = Buffer.concat([Buffer.from([0x0a, 0x01, 0x76, 0x12, 0x02, 0x2a, 0x00])]);
    const spec = Buffer.concat([Buffer.from([0x0a, volume.length]), volume]);
    const raw = Buffer.concat([Buffer.from([0x12, spec.length]), spec]);
    const err = decodeError(envelope('v1', 'Pod', raw));
    expect(err.code).toBe(415);
    expect(err.message).toContain('field 5 of k8s.io.api.core.v1.VolumeSource');
  });

  it('answers 400 when the prefix is missing', () => {
    expect(decodeError(Buffer.from('{"kind":"Secret"}')).code).toBe(400);
    expect(decodeError(Buffer.alloc(0)).code).toBe(400);
    expect(decodeError(Buffer.from('k8s')).code).toBe(400);
  });

  it('answers 400 for a truncated envelope', () => {
    const whole = secret({ metadata: goMeta({ name: 'x' }) });
    const err = decodeError(whole.subarray(0, whole.length - 6));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
  });

  it('answers 400 when the envelope does not name the object', () => {
    const unnamed = Buffer.concat([
      MAGIC,
      encode('k8s.io.apimachinery.pkg.runtime.Unknown', { raw: Buffer.from([0x0a, 0x00]) }),
    ]);
    expect(decodeError(unnamed).code).toBe(400);
  });

  it('answers 400 for a truncated object inside a whole envelope', () => {
    const raw = encode('k8s.io.api.core.v1.Secret', { metadata: goMeta({ name: 'x' }) });
    const err = decodeError(envelope('v1', 'Secret', raw.subarray(0, raw.length - 3)));
    expect(err.code).toBe(400);
  });

  it('answers 400 for managedFields that are not JSON and times outside RFC 3339', () => {
    const badFields = secret({
      metadata: goMeta({ managedFields: [{ fieldsV1: { Raw: Buffer.from('{not json') } }] }),
    });
    expect(decodeError(badFields).code).toBe(400);
    const badTime = secret({
      metadata: goMeta({ creationTimestamp: { seconds: 400_000_000_000 } }),
    });
    expect(decodeError(badTime).code).toBe(400);
  });
});
