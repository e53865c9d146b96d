/**
 * A self-signed serving certificate for development: the API server does not verify kubelet
 * certificates unless told to, so `kubectl logs/exec` work, but clients that do verify will not
 * trust it. The app logs a warning when it falls back to this.
 */
// tsyringe, under @peculiar/x509, needs the Reflect metadata API at load time.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, type webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type { ServingCertificate } from './tls.ts';

const KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNATURE: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export async function selfSignedServingCertificate(options: {
  commonName: string;
  /** DNS names and IP addresses the certificate is valid for. */
  hosts: readonly string[];
  validityDays?: number;
  now?: Date;
}): Promise<ServingCertificate> {
  x509.cryptoProvider.set(globalThis.crypto);
  const keys: webcrypto.CryptoKeyPair = await crypto.subtle.generateKey(KEY, true, [
    'sign',
    'verify',
  ]);
  const now = options.now ?? new Date();
  const names = options.hosts.map(h =>
    isIP(h) !== 0 ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
  );
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${options.commonName}`,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + (options.validityDays ?? 365) * 86_400_000),
    keys,
    signingAlgorithm: SIGNATURE,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}
