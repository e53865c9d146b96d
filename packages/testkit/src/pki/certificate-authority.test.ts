import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CertificateAuthority, type IssuedCertificate } from './certificate-authority.ts';
import { userFromPeerCertificate, type ClientCertificateUser } from './client-certificate-user.ts';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** Go's crypto/x509 is the strictest consumer of these certificates; use kubectl when present. */

const servers: tls.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      s =>
        new Promise<void>(resolve =>
          s.close(() => {
            resolve();
          }),
        ),
    ),
  );
});

/**
 * A loopback mutual-TLS server like the API server's: it demands a client certificate chained to
 * `ca` and answers each connection with the user that certificate maps to.
 */
async function startMutualTlsServer(ca: CertificateAuthority, serving: IssuedCertificate) {
  const users: (ClientCertificateUser | undefined)[] = [];
  const server = tls.createServer(
    {
      key: serving.keyPem,
      cert: serving.certPem,
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: true,
    },
    socket => {
      users.push(userFromPeerCertificate(socket.getPeerCertificate()));
      socket.end('hello');
    },
  );
  // A failed handshake is the expected outcome of some tests, not an unhandled error.
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, users };
}

/** Connects, reads the greeting, and reports what the client saw of the server. */
function connect(
  options: tls.ConnectionOptions,
): Promise<{ greeting: string; peer: X509Certificate }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options, () => {
      const peer = socket.getPeerX509Certificate();
      let greeting = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (greeting += chunk));
      socket.on('end', () => {
        if (peer === undefined) reject(new Error('no server certificate'));
        else resolve({ greeting, peer });
      });
    });
    socket.on('error', reject);
  });
}

describe(CertificateAuthority, () => {
  it('creates a self-signed ECDSA P-256 root that can sign certificates', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const cert = new X509Certificate(ca.certPem);

    expect(cert.subject).toBe('CN=vkubelet-test-ca');
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(
      cert.checkPrivateKey(await import('node:crypto').then(c => c.createPrivateKey(ca.keyPem))),
    ).toBe(true);
    const yearsValid = (Date.parse(cert.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
    expect(yearsValid).toBeGreaterThan(9.9);
  });

  it('serves mutual TLS: the server certificate is trusted and the client certificate names the user', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const serving = await ca.issueServerCertificate({
      commonName: 'kube-apiserver',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
    const client = await ca.issueClientCertificate({
      user: 'system:node:vk-1',
      groups: ['system:nodes', 'system:authenticated'],
    });
    const { port, users } = await startMutualTlsServer(ca, serving);

    // By IP address (checked against the IP SAN), then by name (checked against the DNS SAN).
    const byIp = await connect({
      host: '127.0.0.1',
      port,
      ca: ca.certPem,
      key: client.keyPem,
      cert: client.certPem,
    });
    const byName = await connect({
      host: '127.0.0.1',
      servername: 'localhost',
      port,
      ca: ca.certPem,
      key: client.keyPem,
      cert: client.certPem,
    });

    expect(byIp.greeting).toBe('hello');
    expect(byName.greeting).toBe('hello');
    expect(byIp.peer.subject).toBe('CN=kube-apiserver');
    expect(users).toHaveLength(2);
    expect(users[0]?.username).toBe('system:node:vk-1');
    expect(users[0]?.groups).toEqual(['system:nodes', 'system:authenticated']);
    expect(users[0]?.extra['authentication.kubernetes.io/credential-id']).toEqual([
      `X509SHA256=${new X509Certificate(client.certPem).fingerprint256.replaceAll(':', '').toLowerCase()}`,
    ]);
  });

  it('is trusted by kubectl, and kubectl is known by its client certificate', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const serving = await ca.issueServerCertificate({
      commonName: 'kube-apiserver',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const client = await ca.issueClientCertificate({ user: 'alice', groups: ['system:masters'] });
    const users: (ClientCertificateUser | undefined)[] = [];
    const server = https.createServer(
      { key: serving.keyPem, cert: serving.certPem, ca: [ca.certPem], requestCert: true },
      (req, res) => {
        const socket = req.socket;
        if (socket instanceof tls.TLSSocket) {
          users.push(userFromPeerCertificate(socket.getPeerCertificate()));
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ major: '1', minor: '34', gitVersion: 'v1.34.0' }));
      },
    );
    servers.push(server);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const dir = await mkdtemp(join(tmpdir(), 'vk-pki-'));
    try {
      await writeFile(join(dir, 'ca.crt'), ca.certPem);
      await writeFile(join(dir, 'client.crt'), client.certPem);
      await writeFile(join(dir, 'client.key'), client.keyPem);
      const { stdout } = await promisify(execFile)('kubectl', [
        `--server=https://localhost:${String((server.address() as AddressInfo).port)}`,
        `--certificate-authority=${join(dir, 'ca.crt')}`,
        `--client-certificate=${join(dir, 'client.crt')}`,
        `--client-key=${join(dir, 'client.key')}`,
        `--cache-dir=${join(dir, 'cache')}`,
        '--request-timeout=10s',
        'version',
        '--output=json',
      ]);

      expect((JSON.parse(stdout) as { serverVersion: unknown }).serverVersion).toMatchObject({
        gitVersion: 'v1.34.0',
      });
      expect(users[0]).toMatchObject({ username: 'alice', groups: ['system:masters'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is refused by the TLS layer when the client certificate comes from another CA', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const stranger = await CertificateAuthority.create({ commonName: 'someone-else' });
    const serving = await ca.issueServerCertificate({
      commonName: 'kube-apiserver',
      ipAddresses: ['127.0.0.1'],
    });
    const forged = await stranger.issueClientCertificate({
      user: 'admin',
      groups: ['system:masters'],
    });
    const { port, users } = await startMutualTlsServer(ca, serving);

    // With TLS 1.3 the client may finish its half of the handshake before the server's alert
    // arrives, so the refusal shows either as an error or as a connection closed unanswered.
    const outcome = await connect({
      host: '127.0.0.1',
      port,
      ca: ca.certPem,
      key: forged.keyPem,
      cert: forged.certPem,
    }).then(
      ({ greeting }) => greeting,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(outcome).not.toBe('hello');
    expect(users).toEqual([]);
  });

  it('is not trusted for a host name the server certificate does not carry', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const serving = await ca.issueServerCertificate({
      commonName: 'kube-apiserver',
      ipAddresses: ['127.0.0.1'],
    });
    const client = await ca.issueClientCertificate({ user: 'alice' });
    const { port } = await startMutualTlsServer(ca, serving);

    await expect(
      connect({
        host: '127.0.0.1',
        servername: 'elsewhere.example',
        port,
        ca: ca.certPem,
        key: client.keyPem,
        cert: client.certPem,
      }),
    ).rejects.toThrow(/elsewhere\.example/);
  });

  it('gives server and client certificates the profiles kube issues', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const caCert = new X509Certificate(ca.certPem);
    const serving = new X509Certificate(
      (
        await ca.issueServerCertificate({
          commonName: 'kube-apiserver',
          dnsNames: ['localhost', 'kubernetes.default.svc'],
          ipAddresses: ['127.0.0.1', '::1'],
          validitySeconds: 3600,
        })
      ).certPem,
    );
    const client = new X509Certificate(
      (await ca.issueClientCertificate({ user: 'alice', groups: ['dev', 'ops'] })).certPem,
    );

    expect(serving.ca).toBe(false);
    expect(serving.checkIssued(caCert)).toBe(true);
    expect(serving.verify(caCert.publicKey)).toBe(true);
    expect(serving.keyUsage).toEqual([SERVER_AUTH]);
    expect(serving.subjectAltName).toBe(
      'DNS:localhost, DNS:kubernetes.default.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(Date.parse(serving.validTo) - Date.now()).toBeLessThanOrEqual(3600 * 1000);
    expect(Date.parse(serving.validTo) - Date.now()).toBeGreaterThan(3500 * 1000);

    expect(client.subject).toBe('CN=alice\nO=dev\nO=ops');
    expect(client.keyUsage).toEqual([CLIENT_AUTH]);
    expect(client.checkIssued(caCert)).toBe(true);
    expect(client.verify(caCert.publicKey)).toBe(true);
    expect(client.serialNumber).not.toBe(serving.serialNumber);
  });

  it('rejects certificates that could never work', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });

    await expect(ca.issueServerCertificate({ commonName: 'nameless' })).rejects.toThrow(
      'a server certificate needs at least one DNS name or IP address',
    );
    await expect(
      ca.issueServerCertificate({ commonName: 'x', ipAddresses: ['localhost'] }),
    ).rejects.toThrow('not an IP address: "localhost"');
    await expect(ca.issueClientCertificate({ user: '' })).rejects.toThrow(/needs a user/);
  });

  it('reloads from PEM and keeps issuing certificates that chain to the same root', async () => {
    const original = await CertificateAuthority.create({ commonName: 'vkubelet-test-ca' });
    const reloaded = await CertificateAuthority.fromPem({
      certPem: original.certPem,
      keyPem: original.keyPem,
    });
    const issued = new X509Certificate(
      (await reloaded.issueClientCertificate({ user: 'bob' })).certPem,
    );

    expect(reloaded.certPem).toBe(original.certPem);
    expect(issued.checkIssued(new X509Certificate(original.certPem))).toBe(true);
    expect(issued.verify(new X509Certificate(original.certPem).publicKey)).toBe(true);
  });

  it('refuses to load a key that does not belong to the certificate, or a non-CA certificate', async () => {
    const one = await CertificateAuthority.create({ commonName: 'one' });
    const two = await CertificateAuthority.create({ commonName: 'two' });
    const leaf = await one.issueClientCertificate({ user: 'carol' });

    await expect(
      CertificateAuthority.fromPem({ certPem: one.certPem, keyPem: two.keyPem }),
    ).rejects.toThrow('the private key does not belong to the CA certificate');
    await expect(
      CertificateAuthority.fromPem({ certPem: leaf.certPem, keyPem: leaf.keyPem }),
    ).rejects.toThrow(/not a CA certificate/);
  });
});
