import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateSigningRequest } from '../pki/index.ts';
import { TestApiServer } from '../server/api-server.ts';
import { RawClient } from '../test-support/raw-client.ts';

type Obj = Record<string, any>;

let server: TestApiServer;
let api: RawClient;

beforeAll(async () => {
  server = await TestApiServer.start({ scheduler: true });
  api = new RawClient({ url: server.url, caPem: server.caPem, token: server.adminToken });
});

afterAll(async () => {
  await server.stop();
});

const readyNode = (name: string, extra: Obj = {}) => ({
  metadata: { name, labels: { type: 'virtual-kubelet', ...(extra.labels ?? {}) } },
  spec: { taints: extra.taints ?? [] },
  status: { conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }] },
});

describe('scheduler', () => {
  it('binds pods only to ready nodes whose taints they tolerate and whose labels match', async () => {
    await api.post(
      '/api/v1/nodes',
      readyNode('tainted', {
        taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
      }),
    );
    await api.post('/api/v1/nodes', readyNode('not-ready', { ready: false }));
    await api.post('/api/v1/namespaces/default/pods', {
      metadata: { name: 'intolerant' },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    await api.post('/api/v1/namespaces/default/pods', {
      metadata: { name: 'tolerant' },
      spec: {
        containers: [{ name: 'c', image: 'i' }],
        tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }],
        nodeSelector: { type: 'virtual-kubelet' },
      },
    });
    await expect
      .poll(
        async () =>
          ((await api.get('/api/v1/namespaces/default/pods/tolerant')).body as Obj).spec.nodeName,
      )
      .toBe('tainted');
    const intolerant = (await api.get('/api/v1/namespaces/default/pods/intolerant')).body as Obj;
    expect(intolerant.spec.nodeName).toBeUndefined();
    await expect
      .poll(
        async () =>
          ((await api.get('/api/v1/namespaces/default/pods/intolerant')).body as Obj).status
            .conditions?.[0],
      )
      .toMatchObject({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
      });
    const events = (
      await api.get(
        '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dtolerant',
      )
    ).body as Obj;
    expect(events.items.map((e: Obj) => [e.reason, e.message])).toEqual([
      ['Scheduled', 'Successfully assigned default/tolerant to tainted'],
    ]);
    // A node the intolerant pod fits arrives: it is retried and bound.
    await api.post('/api/v1/nodes', readyNode('plain'));
    await expect
      .poll(
        async () =>
          ((await api.get('/api/v1/namespaces/default/pods/intolerant')).body as Obj).spec.nodeName,
      )
      .toBe('plain');
  });
});

describe('CSR signer', () => {
  it('signs an approved kubelet-serving CSR and leaves unapproved ones alone', async () => {
    const { requestPem } = await createCertificateSigningRequest({
      commonName: 'system:node:vk',
      organizations: ['system:nodes'],
      ipAddresses: ['127.0.0.1'],
      dnsNames: ['vk'],
    });
    const csr = {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'vk-serving' },
      spec: {
        request: Buffer.from(requestPem).toString('base64'),
        signerName: 'kubernetes.io/kubelet-serving',
        usages: ['digital signature', 'server auth'],
      },
    };
    expect(
      (await api.post('/apis/certificates.k8s.io/v1/certificatesigningrequests', csr)).status,
    ).toBe(201);
    await new Promise(r => setTimeout(r, 100));
    const stored = (
      await api.get('/apis/certificates.k8s.io/v1/certificatesigningrequests/vk-serving')
    ).body as Obj;
    expect(stored.status.certificate).toBeUndefined();
    // The requester is recorded by the server, as kubectl get csr shows under REQUESTOR.
    expect(stored.spec.username).toBe('testkit-admin');
    expect(stored.spec.groups).toContain('system:masters');
    const current = (
      await api.get('/apis/certificates.k8s.io/v1/certificatesigningrequests/vk-serving')
    ).body as Obj;
    current.status = {
      conditions: [{ type: 'Approved', status: 'True', reason: 'TestApproved', message: 'ok' }],
    };
    const approved = await api.put(
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/vk-serving/approval',
      current,
    );
    expect(approved.status).toBe(200);
    await expect
      .poll(
        async () =>
          (
            (await api.get('/apis/certificates.k8s.io/v1/certificatesigningrequests/vk-serving'))
              .body as Obj
          ).status.certificate,
      )
      .toBeDefined();
    const signed = (
      await api.get('/apis/certificates.k8s.io/v1/certificatesigningrequests/vk-serving')
    ).body as Obj;
    const pem = Buffer.from(signed.status.certificate as string, 'base64').toString();
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(pem);
    expect(cert.checkIssued(new X509Certificate(server.caPem))).toBe(true);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
  });

  it('signs a kubelet-serving CSR for the requested usages and spec.expirationSeconds', async () => {
    const { requestPem } = await createCertificateSigningRequest({
      commonName: 'system:node:vk-short',
      organizations: ['system:nodes'],
      dnsNames: ['vk-short'],
    });
    const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
    const created = await api.post(base, {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { generateName: 'csr-' },
      spec: {
        request: Buffer.from(requestPem).toString('base64'),
        signerName: 'kubernetes.io/kubelet-serving',
        usages: ['digital signature', 'server auth'],
        expirationSeconds: 600,
      },
    });
    expect(created.status).toBe(201);
    const name = (created.body as Obj).metadata.name as string;
    expect(name).toMatch(/^csr-/);
    const current = (await api.get(`${base}/${name}`)).body as Obj;
    current.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Test' }] };
    expect((await api.put(`${base}/${name}/approval`, current)).status).toBe(200);
    let certificate: string | undefined;
    await expect
      .poll(async () => {
        certificate = ((await api.get(`${base}/${name}`)).body as Obj).status.certificate;
        return certificate;
      })
      .toBeDefined();
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(Buffer.from(certificate ?? '', 'base64'));
    expect(cert.subject).toContain('CN=system:node:vk-short');
    expect(cert.subjectAltName).toBe('DNS:vk-short');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    // Backdated 5 minutes, valid for the 10 minutes asked for.
    const validSeconds = (cert.validToDate.getTime() - cert.validFromDate.getTime()) / 1000;
    expect(validSeconds).toBe(300 + 600);
    expect(Math.abs(cert.validToDate.getTime() - Date.now() - 600_000)).toBeLessThan(5000);
  });
});
