/**
 * The CSR-issued serving certificate end to end against the testkit API server in process:
 * the kubelet API does not listen until the test approves the CSR (as `kubectl certificate
 * approve` does, through `/approval`), then serves the certificate the testkit's signer issued;
 * at the renewal deadline (a fake clock) a new CSR comes, a denial is survived, and the approved
 * renewal is swapped in without restarting the server.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.d.ts';
import { TestApiServer } from '@vkubelet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpKubeClient } from '../kube/http-kube-client.ts';
import type { Provider } from '../provider/contract.ts';
import { CertificateRotation, rotatedServingSource } from './cert-rotation.ts';
import { KubeletApiServer } from './server.ts';
import { requestServingCertificate } from './serving-csr.ts';
import { FakeClock } from './test-support/fake-clock.ts';
import { call, until } from './test-support/https-client.ts';
import { recordingLogger } from './test-support/recording-logger.ts';
import { bareProvider } from '../provider/test-support/bare-provider.ts';

const NODE = 'vk-csr-test';
const CSRS = {
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
};

const provider: Provider = bareProvider('bare');

let apiServer: TestApiServer;
let kube: HttpKubeClient;
let dir: string;

beforeAll(async () => {
  apiServer = await TestApiServer.start();
  dir = await mkdtemp(join(tmpdir(), 'serving-csr-'));
  await writeFile(join(dir, 'kubeconfig'), apiServer.kubeconfig());
  kube = await HttpKubeClient.fromKubeconfig({ path: join(dir, 'kubeconfig') });
});

afterAll(async () => {
  kube.close();
  await apiServer.stop();
  await rm(dir, { recursive: true, force: true });
});

/** What `kubectl certificate approve|deny` sends: the CSR with a condition, PUT to /approval. */
async function decide(name: string, type: 'Approved' | 'Denied'): Promise<void> {
  const signal = AbortSignal.timeout(10_000);
  const current = await kube.get<CertificateSigningRequest>({ ...CSRS, name }, { signal });
  await kube.update(
    { ...CSRS, name, subresource: 'approval' },
    {
      ...current,
      status: {
        ...current.status,
        conditions: [
          ...(current.status?.conditions ?? []),
          {
            type,
            status: 'True',
            reason: type === 'Approved' ? 'KubectlApprove' : 'KubectlDeny',
            message: `This CSR was ${type.toLowerCase()} by the test`,
          },
        ],
      },
    },
    { signal },
  );
}

function serial(pem: string): string {
  return new X509Certificate(pem).serialNumber;
}

describe('kubelet API serving certificate by CSR', () => {
  it('listens once the CSR is approved, serves the issued certificate, and rotates it', async () => {
    const clock = new FakeClock();
    const log = recordingLogger();
    const created: string[] = [];
    const stop = new AbortController();
    const rotation: CertificateRotation = new CertificateRotation({
      issue: signal =>
        requestServingCertificate(kube, signal, {
          nodeName: NODE,
          hosts: ['127.0.0.1'],
          logger: log,
          onCreated: name => created.push(name),
        }),
      clock,
      random: () => 0,
      logger: log,
      onCertificate: async first => {
        await (first ? api.listen() : api.reloadTls());
      },
    });
    const api: KubeletApiServer = new KubeletApiServer({
      nodeName: NODE,
      provider,
      listPods: () => [],
      tls: { serving: rotatedServingSource(rotation) },
      port: 0,
      host: '127.0.0.1',
      authentication: { anonymous: true },
      authorization: 'AlwaysAllow',
      logger: log,
    });
    const running = rotation.run(stop.signal);
    try {
      await until(() => created.length === 1, 10_000);
      const first = created[0]!;
      expect(first).toMatch(/^csr-/);
      expect(log.lines).toContainEqual(
        expect.objectContaining({
          message: expect.stringContaining(`kubectl certificate approve ${first}`),
        }),
      );
      // Pending: nothing is served yet.
      await new Promise(resolve => setTimeout(resolve, 200));
      expect(() => api.port).toThrow(/not listening/);
      const pending = await kube.get<CertificateSigningRequest>(
        { ...CSRS, name: first },
        { signal: AbortSignal.timeout(5000) },
      );
      expect(pending.spec).toMatchObject({
        signerName: 'kubernetes.io/kubelet-serving',
        usages: ['digital signature', 'server auth'],
      });

      await decide(first, 'Approved');
      await until(() => rotation.current !== undefined, 10_000);
      await until(() => {
        try {
          return api.port > 0;
        } catch {
          return false;
        }
      });
      const issued = rotation.current!;
      // Verified against the cluster CA and the IP SAN: the signer's certificate, for our key.
      const answer = await call(api.port, apiServer.caPem, '/pods');
      expect(answer.status).toBe(200);
      expect(answer.peer.subject).toMatchObject({ CN: `system:node:${NODE}`, O: 'system:nodes' });
      expect(answer.peer.serialNumber).toBe(serial(issued.certPem));
      expect(answer.peer.subjectaltname).toBe(`DNS:${NODE}, IP Address:127.0.0.1`);
      expect(answer.peer.ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.1']);
      // The requested usages: digital signature, and no key encipherment for an ECDSA key.
      const usages = new x509.X509Certificate(issued.certPem).getExtension(x509.KeyUsagesExtension);
      expect(usages?.usages).toBe(x509.KeyUsageFlags.digitalSignature);

      // Renewal is due at 70 % of the validity (random 0): a new CSR, which we deny first.
      const renewAt = rotation.deadline!.getTime();
      const validity = issued.notAfter.getTime() - issued.notBefore.getTime();
      expect(renewAt - issued.notBefore.getTime()).toBeCloseTo(validity * 0.7, -1);
      clock.advance(renewAt - clock.now());
      await until(() => created.length === 2, 10_000);
      await decide(created[1]!, 'Denied');
      await until(() =>
        log.lines.some(l => l.message.includes('still serving the current certificate')),
      );
      expect(log.lines.find(l => l.message.includes('still serving'))?.fields.err).toContain(
        `${created[1]} was denied, reason: KubectlDeny`,
      );
      expect((await call(api.port, apiServer.caPem, '/pods')).peer.serialNumber).toBe(
        serial(issued.certPem),
      );

      // After the backoff, another CSR; approved, its certificate replaces the old one in place.
      const port = api.port;
      clock.advance(2500);
      await until(() => created.length === 3, 10_000);
      await decide(created[2]!, 'Approved');
      await until(() => rotation.current !== issued, 10_000);
      const renewed = rotation.current!;
      await until(() => log.lines.some(l => l.message === 'kubelet API certificate reloaded'));
      expect(api.port).toBe(port);
      const after = await call(port, apiServer.caPem, '/pods');
      expect(after.status).toBe(200);
      expect(after.peer.serialNumber).toBe(serial(renewed.certPem));
      expect(after.peer.serialNumber).not.toBe(serial(issued.certPem));
    } finally {
      stop.abort();
      await running;
      await api.close();
    }
  }, 60_000);
});
