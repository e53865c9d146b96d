/**
 * Request bodies captured from kubectl 1.33 (against the testkit server, through a logging TLS
 * proxy). Each expectation is the JSON kubectl would have sent for the same command.
 */
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from './index.ts';

const body = (base64: string): Buffer => Buffer.from(base64, 'base64');

const EMPTY_META = { creationTimestamp: null };

describe('request bodies kubectl sends as protobuf', () => {
  it('create secret generic s1 --from-literal=user=admin --from-literal=pw=p@ss --type=Opaque', () => {
    const secret = body(
      'azhzAAoMCgJ2MRIGU2VjcmV0EjcKEgoCczESABoAIgAqADIAOABCABIKCgJwdxIEcEBzcxINCgR1c2VyEgVhZG1pbhoGT3BhcXVlGgAiAA==',
    );
    expect(decodeKubernetesProtobuf(secret)).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's1', creationTimestamp: null },
      data: {
        pw: Buffer.from('p@ss').toString('base64'),
        user: Buffer.from('admin').toString('base64'),
      },
      type: 'Opaque',
    });
  });

  it('create configmap cm2 --from-literal=a=1 --from-file=bin=<binary file>', () => {
    const configMap = body(
      'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEi8KEwoDY20yEgAaACIAKgAyADgAQgASBgoBYRIBMRoQCgNiaW4SCQAB/2JpbmFyeRoAIgA=',
    );
    expect(decodeKubernetesProtobuf(configMap)).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cm2', creationTimestamp: null },
      data: { a: '1' },
      binaryData: { bin: Buffer.from('\x00\x01\xffbinary', 'latin1').toString('base64') },
    });
  });

  it('auth can-i get pods', () => {
    const review = body(
      'azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSPAoQCgASABoAIgAqADIAOABCABIeChwKB2RlZmF1bHQSA2dldBoAIgAqBHBvZHMyADoAGggIABIAGgAgABoAIgA=',
    );
    expect(decodeKubernetesProtobuf(review)).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: EMPTY_META,
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
      // allowed has no omitempty in Go, so its false is kept.
      status: { allowed: false },
    });
  });

  it('auth can-i list secrets -n kube-system --subresource=status', () => {
    const review = body(
      'azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSSgoQCgASABoAIgAqADIAOABCABIsCioKC2t1YmUtc3lzdGVtEgRsaXN0GgAiACoHc2VjcmV0czIGc3RhdHVzOgAaCAgAEgAaACAAGgAiAA==',
    );
    expect(decodeKubernetesProtobuf(review)).toMatchObject({
      spec: {
        resourceAttributes: {
          namespace: 'kube-system',
          verb: 'list',
          resource: 'secrets',
          subresource: 'status',
        },
      },
    });
  });

  it('auth can-i get /healthz', () => {
    const review = body(
      'azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSLwoQCgASABoAIgAqADIAOABCABIREg8KCC9oZWFsdGh6EgNnZXQaCAgAEgAaACAAGgAiAA==',
    );
    expect(decodeKubernetesProtobuf(review)).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: EMPTY_META,
      spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } },
      status: { allowed: false },
    });
  });

  it('auth can-i --list', () => {
    const review = body(
      'azhzAAoxChdhdXRob3JpemF0aW9uLms4cy5pby92MRIWU2VsZlN1YmplY3RSdWxlc1JldmlldxIjChAKABIAGgAiACoAMgA4AEIAEgkKB2RlZmF1bHQaBBgAIgAaACIA',
    );
    expect(decodeKubernetesProtobuf(review)).toEqual({
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: EMPTY_META,
      spec: { namespace: 'default' },
      status: { incomplete: false },
    });
  });

  it('auth whoami', () => {
    const review = body(
      'azhzAAotChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESEVNlbGZTdWJqZWN0UmV2aWV3EhoKEAoAEgAaACIAKgAyADgAQgASBgoECgASABoAIgA=',
    );
    expect(decodeKubernetesProtobuf(review)).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: EMPTY_META,
      status: { userInfo: {} },
    });
  });

  it('create namespace ns1', () => {
    const namespace = body(
      'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDbnMxEgAaACIAKgAyADgAQgASABoCCgAaACIA',
    );
    expect(decodeKubernetesProtobuf(namespace)).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'ns1', creationTimestamp: null },
      spec: {},
      status: {},
    });
  });

  it('create serviceaccount sa1', () => {
    const account = body(
      'azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFQoTCgNzYTESABoAIgAqADIAOABCABoAIgA=',
    );
    expect(decodeKubernetesProtobuf(account)).toEqual({
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'sa1', creationTimestamp: null },
    });
  });

  it('create token sa1 --audience=aud1 --audience=aud2 --duration=1h --bound-object-kind=Secret ...', () => {
    const request = body(
      'azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBJAChAKABIAGgAiACoAMgA4AEIAEiYKBGF1ZDEKBGF1ZDIaFQoGU2VjcmV0EgJ2MRoCczEiA2FiYyCQHBoECgASABoAIgA=',
    );
    expect(decodeKubernetesProtobuf(request)).toEqual({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: EMPTY_META,
      spec: {
        audiences: ['aud1', 'aud2'],
        expirationSeconds: 3600,
        boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's1', uid: 'abc' },
      },
      status: { token: '', expirationTimestamp: null },
    });
  });

  it('create token default (no flags)', () => {
    const request = body(
      'azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIaChAKABIAGgAiACoAMgA4AEIAEgAaBAoAEgAaACIA',
    );
    expect(decodeKubernetesProtobuf(request)).toEqual({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: EMPTY_META,
      spec: {},
      status: { token: '', expirationTimestamp: null },
    });
  });

  it('create service clusterip svc1 --tcp=80:8080 --tcp=443:https', () => {
    const service = body(
      'azhzAAoNCgJ2MRIHU2VydmljZRKQAQohCgRzdmMxEgAaACIAKgAyADgAQgBaCwoDYXBwEgRzdmMxEmcKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoAAoiCgk0NDMtaHR0cHMSA1RDUBi7AyILCAEQABoFaHR0cHMoABILCgNhcHASBHN2YzEaACIJQ2x1c3RlcklQOgBCAFIAWgBgAGgAGgIKABoAIgA=',
    );
    expect(decodeKubernetesProtobuf(service)).toEqual({
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'svc1', creationTimestamp: null, labels: { app: 'svc1' } },
      spec: {
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' },
        ],
        selector: { app: 'svc1' },
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    });
  });

  it('drain --disable-eviction --grace-period=0: the pod DELETE body', () => {
    const options = body('azhzAAoTCgJ2MRINRGVsZXRlT3B0aW9ucxICCAAaACIA');
    // gracePeriodSeconds is a Go pointer: its zero was set on purpose and must survive.
    expect(decodeKubernetesProtobuf(options)).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
    });
  });

  it('certificate deny c3: the whole CSR PUT to /approval', () => {
    const csr = body(
      'azhzAAozChZjZXJ0aWZpY2F0ZXMuazhzLmlvL3YxEhlDZXJ0aWZpY2F0ZVNpZ25pbmdSZXF1ZXN0EqAECkAKAmMzEgAaACIAKiQ0Yzg5MGVkNS00NzE5LTQ5ODUtOTY0ZC03ZjhiYjlmMjc2YzgyAjIyOABCCAjMtJjYBhAAEv4CCtsCLS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlISE1IQUNBUUF3RGpFTU1Bb0dBMVVFQXd3RFltOWlNRmt3RXdZSEtvWkl6ajBDQVFZSUtvWkl6ajBEQVFjRApRZ0FFNmRNTjExZ0dZcmxKajQxQmd1NnloNFp3K1JCZGZnekgzWmg2WjJ4U3dkcHpwTmFHMFYxNWRrNStjamw5ClpJNzZJVHcrS0YxR05GakY2RXVRRGhtcHFLQUFNQW9HQ0NxR1NNNDlCQU1DQTBjQU1FUUNJRmEvbGNrOE1Oc0YKWVZveVVta1VGL1Y5T092RHZTbXNHVjd6Qnhoc3B5NnZBaUF4cTNCaHprOVZVWGlBQTRwYWZTdlpOVGVUcERqNwo4bzB1aWVicG9hM1Yxdz09Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQoSABoAKgtjbGllbnQgYXV0aDoNZXhhbXBsZS5jb20veBpbClkKBkRlbmllZBILS3ViZWN0bERlbnkaMFRoaXMgQ1NSIHdhcyBkZW5pZWQgYnkga3ViZWN0bCBjZXJ0aWZpY2F0ZSBkZW55LiIICMy0mNgGEAAqADIEVHJ1ZRoAIgA=',
    );
    const json = decodeKubernetesProtobuf(csr);
    const spec = json.spec as { request: string };
    expect(Buffer.from(spec.request, 'base64').toString()).toMatch(
      /^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----\n$/,
    );
    expect(json).toEqual({
      kind: 'CertificateSigningRequest',
      apiVersion: 'certificates.k8s.io/v1',
      metadata: {
        name: 'c3',
        uid: '4c890ed5-4719-4985-964d-7f8bb9f276c8',
        resourceVersion: '22',
        creationTimestamp: '2026-11-24T23:14:20Z',
      },
      spec: { request: spec.request, signerName: 'example.com/x', usages: ['client auth'] },
      status: {
        conditions: [
          {
            type: 'Denied',
            status: 'True',
            reason: 'KubectlDeny',
            message: 'This CSR was denied by kubectl certificate deny.',
            lastUpdateTime: '2026-11-24T23:14:20Z',
            // A zero metav1.Time marshals as null in Go's JSON too.
            lastTransitionTime: null,
          },
        ],
      },
    });
  });

  it('debug node/node1 --image=busybox: the debugger pod', () => {
    const pod = body(
      'azhzAAoJCgJ2MRIDUG9kEtsBCikKGW5vZGUtZGVidWdnZXItbm9kZTEtbTV4ZDcSABoAIgAqADIAOABCABKYAQoSCglob3N0LXJvb3QSBQoDCgEvEksKCGRlYnVnZ2VyEgdidXN5Ym94GgR0cnVlKgBCAEoYCglob3N0LXJvb3QQABoFL2hvc3QiADIAagByAIABAIgBAJABAKIBBEZpbGUaBU5ldmVyMgBCAEoAUgVub2RlMVgBYAFoAYIBAIoBAJoBALIBDgoAEgZFeGlzdHMaACIAwgEAGhMKABoAIgAqADIASgBaAHIAiAEAGgAiAA==',
    );
    expect(decodeKubernetesProtobuf(pod)).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'node-debugger-node1-m5xd7', creationTimestamp: null },
      spec: {
        volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
        containers: [
          {
            name: 'debugger',
            image: 'busybox',
            command: ['true'],
            resources: {},
            volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
            terminationMessagePolicy: 'File',
          },
        ],
        restartPolicy: 'Never',
        nodeName: 'node1',
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        tolerations: [{ operator: 'Exists' }],
      },
      status: {},
    });
  });
});
