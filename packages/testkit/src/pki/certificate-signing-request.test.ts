import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import { CertificateAuthority } from './certificate-authority.ts';
import {
  createCertificateSigningRequest,
  parseCertificateSigningRequest,
} from './certificate-signing-request.ts';
import { userFromPeerCertificate } from './client-certificate-user.ts';
import { keyUsageCauses } from './key-usages.ts';
import {
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  SignerValidationError,
} from './signers.ts';
import { importSigningKeyPem, x509 } from './x509.ts';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY = 24 * 3600;

/** Lifetime of a certificate in seconds, from its own validity window. */
function lifetimeSeconds(cert: X509Certificate): number {
  return (cert.validToDate.getTime() - cert.validFromDate.getTime()) / 1000;
}

async function caughtError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('CertificateAuthority.signCertificateSigningRequest', () => {
  it('signs a kube-apiserver-client CSR into a client certificate for the requested user', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const { requestPem } = await createCertificateSigningRequest({
      commonName: 'jane',
      organizations: ['dev', 'qa'],
    });

    const certPem = await ca.signCertificateSigningRequest({
      requestPem,
      signerName: KUBE_APISERVER_CLIENT_SIGNER,
      usages: ['digital signature', 'key encipherment', 'client auth'],
    });

    const cert = new X509Certificate(certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    expect(cert.subjectAltName).toBeUndefined();
    expect(userFromPeerCertificate(cert)).toMatchObject({
      username: 'jane',
      groups: ['dev', 'qa'],
    });
    const keyUsage = new x509.X509Certificate(certPem).getExtension(x509.KeyUsagesExtension);
    expect(keyUsage?.critical).toBe(true);
    expect(keyUsage?.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    );
  });

  it('signs a kubelet-serving CSR into a certificate that serves TLS for the requested names', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const { requestPem, keyPem } = await createCertificateSigningRequest({
      commonName: 'system:node:vk-1',
      organizations: ['system:nodes'],
      dnsNames: ['vk-1', 'vk-1.nodes.example'],
      ipAddresses: ['127.0.0.1', '10.1.2.3'],
    });

    const certPem = await ca.signCertificateSigningRequest({
      requestPem,
      signerName: KUBELET_SERVING_SIGNER,
      usages: ['digital signature', 'server auth'],
      expirationSeconds: 3600,
    });

    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe('CN=system:node:vk-1\nO=system:nodes');
    expect(cert.subjectAltName).toBe(
      'DNS:vk-1, DNS:vk-1.nodes.example, IP Address:127.0.0.1, IP Address:10.1.2.3',
    );
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);

    // A client trusting only the CA accepts the kubelet's certificate for its DNS name.
    const server = tls.createServer({ key: keyPem, cert: certPem }, socket => socket.end('ok'));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({
          host: '127.0.0.1',
          port: (server.address() as AddressInfo).port,
          servername: 'vk-1.nodes.example',
          ca: ca.certPem,
        });
        let data = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (data += chunk));
        socket.on('end', () => {
          resolve(data);
        });
        socket.on('error', reject);
      });
      expect(greeting).toBe('ok');
    } finally {
      await new Promise<void>(resolve =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });

  it('signs CSRs whose key is RSA, as kubectl users often bring', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const request = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: ['rsa-user'] }],
      keys: {
        privateKey: await importSigningKeyPem(
          privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        ),
        publicKey: await crypto.subtle.importKey(
          'spki',
          publicKey.export({ type: 'spki', format: 'der' }),
          { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
          true,
          ['verify'],
        ),
      },
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    });

    const certPem = await ca.signCertificateSigningRequest({
      requestPem: request.toString('pem'),
      signerName: KUBE_APISERVER_CLIENT_SIGNER,
      usages: ['client auth'],
    });

    const cert = new X509Certificate(certPem);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });

  it('holds the lifetime between 10 minutes and the signing duration, backdated 5 minutes', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const { requestPem } = await createCertificateSigningRequest({ commonName: 'jane' });
    const sign = async (expirationSeconds?: number) =>
      new X509Certificate(
        await ca.signCertificateSigningRequest({
          requestPem,
          signerName: KUBE_APISERVER_CLIENT_SIGNER,
          usages: ['client auth'],
          expirationSeconds,
        }),
      );

    const byDefault = await sign();
    // Long-lived: starts 5 minutes ago and the 5 minutes come off the end, so exactly one year.
    expect(lifetimeSeconds(byDefault)).toBe(365 * DAY);
    expect(Date.now() - byDefault.validFromDate.getTime()).toBeGreaterThanOrEqual(299_000);
    expect(Date.now() - byDefault.validFromDate.getTime()).toBeLessThan(310_000);
    // Short-lived (under 8 hours): the backdate is not taken off the end.
    expect(lifetimeSeconds(await sign(3600))).toBe(3600 + 300);
    expect(lifetimeSeconds(await sign(60))).toBe(600 + 300);
    expect(lifetimeSeconds(await sign(10 * 365 * DAY))).toBe(365 * DAY);

    const shortSigner = await CertificateAuthority.fromPem({
      certPem: ca.certPem,
      keyPem: ca.keyPem,
      signingDurationSeconds: DAY,
    });
    const capped = new X509Certificate(
      await shortSigner.signCertificateSigningRequest({
        requestPem,
        signerName: KUBE_APISERVER_CLIENT_SIGNER,
        usages: ['client auth'],
      }),
    );
    expect(lifetimeSeconds(capped)).toBe(DAY);
  });

  it('answers a request that is not a PEM CSR with 422 Invalid on spec.request', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const sign = (requestPem: string) =>
      caughtError(
        ca.signCertificateSigningRequest({
          requestPem,
          signerName: KUBE_APISERVER_CLIENT_SIGNER,
          usages: ['client auth'],
          csrName: 'jane',
        }),
      );

    const notPem = await sign('hello');
    expect(notPem).toBeInstanceOf(ApiError);
    expect((notPem as ApiError).toStatus()).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message:
        'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST',
      details: {
        name: 'jane',
        group: 'certificates.k8s.io',
        kind: 'CertificateSigningRequest',
        causes: [{ reason: 'FieldValueInvalid', field: 'spec.request' }],
      },
    });

    const certificateInstead = await sign(ca.certPem);
    expect((certificateInstead as ApiError).message).toContain(
      'PEM block type must be CERTIFICATE REQUEST',
    );

    const garbage = await sign(
      '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
    );
    expect(garbage).toBeInstanceOf(ApiError);
    expect((garbage as ApiError).message).toContain('x509: malformed certificate request');
  });

  it('answers a CSR whose self-signature does not verify with 422 Invalid', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const { requestPem } = await createCertificateSigningRequest({ commonName: 'jane' });
    // Swap the key for another one: the signature no longer matches the key in the request.
    const original = new x509.Pkcs10CertificateRequest(requestPem);
    const other = new x509.Pkcs10CertificateRequest(
      (await createCertificateSigningRequest({ commonName: 'jane' })).requestPem,
    );
    const forgedDer = Buffer.from(original.rawData)
      .toString('hex')
      .replace(
        Buffer.from(original.publicKey.rawData).toString('hex'),
        Buffer.from(other.publicKey.rawData).toString('hex'),
      );
    const forgedPem = x509.PemConverter.encode(
      Buffer.from(forgedDer, 'hex'),
      'CERTIFICATE REQUEST',
    );

    const error = await caughtError(
      ca.signCertificateSigningRequest({
        requestPem: forgedPem,
        signerName: KUBE_APISERVER_CLIENT_SIGNER,
        usages: ['client auth'],
      }),
    );

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(422);
    expect((error as ApiError).message).toBe(
      'CertificateSigningRequest.certificates.k8s.io "" is invalid: spec.request: Invalid value: []byte{...}: x509: ECDSA verification failure',
    );
  });

  it('answers unknown usages with 422 Invalid on spec.usages', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const { requestPem } = await createCertificateSigningRequest({ commonName: 'jane' });

    const error = await caughtError(
      ca.signCertificateSigningRequest({
        requestPem,
        signerName: KUBE_APISERVER_CLIENT_SIGNER,
        usages: ['client auth', 'fly'],
      }),
    );

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).details?.causes).toEqual([
      expect.objectContaining({
        reason: 'FieldValueNotSupported',
        field: 'spec.usages[1]',
        message: expect.stringMatching(
          /^Unsupported value: "fly": supported values: "any", "cert sign", "client auth", /,
        ) as unknown,
      }),
    ]);
  });

  it('refuses requests a signer does not sign, the way kube-controller-manager does', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const refusal = async (
      signerName: string,
      request: Parameters<typeof createCertificateSigningRequest>[0],
      usages: string[],
    ) => {
      const { requestPem } = await createCertificateSigningRequest(request);
      const error = await caughtError(
        ca.signCertificateSigningRequest({ requestPem, signerName, usages }),
      );
      expect(error).toBeInstanceOf(SignerValidationError);
      expect((error as SignerValidationError).reason).toBe('SignerValidationFailure');
      return (error as Error).message;
    };
    const node = { commonName: 'system:node:vk-1', organizations: ['system:nodes'] };

    expect(
      await refusal(KUBE_APISERVER_CLIENT_SIGNER, { commonName: 'jane' }, ['server auth']),
    ).toBe('invalid usage for client certificate: server auth');
    expect(
      await refusal(KUBE_APISERVER_CLIENT_SIGNER, { commonName: 'jane' }, ['digital signature']),
    ).toBe('missing required usage for client certificate: client auth');
    expect(
      await refusal(
        KUBELET_SERVING_SIGNER,
        { ...node, organizations: ['ops'], dnsNames: ['vk-1'] },
        ['digital signature', 'server auth'],
      ),
    ).toBe('subject organization is not system:nodes');
    expect(await refusal(KUBELET_SERVING_SIGNER, node, ['digital signature', 'server auth'])).toBe(
      'DNS or IP subjectAltName is required',
    );
    expect(
      await refusal(KUBELET_SERVING_SIGNER, { ...node, dnsNames: ['vk-1'] }, ['client auth']),
    ).toBe('usages did not match [digital signature key encipherment server auth]');
    expect(
      await refusal(
        KUBELET_SERVING_SIGNER,
        { commonName: 'vk-1', organizations: ['system:nodes'], dnsNames: ['vk-1'] },
        ['digital signature', 'server auth'],
      ),
    ).toBe('subject common name does not begin with system:node:');
    expect(
      await refusal(KUBE_APISERVER_CLIENT_KUBELET_SIGNER, { ...node, ipAddresses: ['10.0.0.1'] }, [
        'digital signature',
        'client auth',
      ]),
    ).toBe('IP subjectAltNames are not allowed');
  });

  it('signs a kubelet client CSR that keeps to the kubelet client profile', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const { requestPem } = await createCertificateSigningRequest({
      commonName: 'system:node:vk-1',
      organizations: ['system:nodes'],
    });

    const cert = new X509Certificate(
      await ca.signCertificateSigningRequest({
        requestPem,
        signerName: KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
        usages: ['digital signature', 'client auth'],
      }),
    );

    expect(userFromPeerCertificate(cert)).toMatchObject({
      username: 'system:node:vk-1',
      groups: ['system:nodes'],
    });
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
  });

  it('does not sign for signers other than the built-in ones', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const { requestPem } = await createCertificateSigningRequest({ commonName: 'jane' });

    await expect(
      ca.signCertificateSigningRequest({
        requestPem,
        signerName: 'example.com/custom',
        usages: ['client auth'],
      }),
    ).rejects.toThrow('example.com/custom is not a signer this CA signs for');
  });
});

describe(parseCertificateSigningRequest, () => {
  it('reads what a CSR asks for', async () => {
    const { requestPem } = await createCertificateSigningRequest({
      commonName: 'system:node:vk-1',
      organizations: ['system:nodes'],
      dnsNames: ['vk-1'],
      ipAddresses: ['::1'],
    });

    expect(await parseCertificateSigningRequest(requestPem)).toEqual({
      commonName: 'system:node:vk-1',
      organizations: ['system:nodes'],
      dnsNames: ['vk-1'],
      ipAddresses: ['::1'],
      emailAddresses: [],
      uris: [],
      publicKeyAlgorithm: 'ec',
    });
  });

  it('finds the CSR among surrounding text, as Go does', async () => {
    const { requestPem } = await createCertificateSigningRequest({ commonName: 'jane' });

    const info = await parseCertificateSigningRequest(`# my request\n${requestPem}\ntrailing`);

    expect(info.commonName).toBe('jane');
  });
});

describe(keyUsageCauses, () => {
  it('reports missing and repeated usages as kube validation does', () => {
    expect(keyUsageCauses([])).toEqual([
      {
        reason: 'FieldValueRequired',
        field: 'spec.usages',
        message: 'Required value: usages must be provided',
      },
    ]);
    expect(keyUsageCauses(['client auth', 'client auth'])).toEqual([
      {
        reason: 'FieldValueDuplicate',
        field: 'spec.usages[1]',
        message: 'Duplicate value: "client auth"',
      },
    ]);
    expect(keyUsageCauses(['digital signature', 'client auth'])).toEqual([]);
  });
});
