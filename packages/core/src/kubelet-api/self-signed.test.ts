import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { selfSignedServingCertificate } from './self-signed.ts';

describe(selfSignedServingCertificate, () => {
  it('makes a serving certificate for the node name and IPs that TLS accepts', async () => {
    const { certPem, keyPem } = await selfSignedServingCertificate({
      commonName: 'vk-mock',
      hosts: ['vk-mock', '127.0.0.1'],
    });
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe('CN=vk-mock');
    expect(cert.subjectAltName).toBe('DNS:vk-mock, IP Address:127.0.0.1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(300 * 86_400_000);
    const server = createServer({ cert: certPem, key: keyPem }, (_req, res) => {
      res.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as AddressInfo).port;
      const { request } = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, ca: certPem, servername: 'vk-mock' }, res => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => {
            resolve(text);
          });
        })
          .on('error', reject)
          .end();
      });
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });
});
