/**
 * The X.509 work behind the serving certificates: a self-signed certificate and a PKCS#10
 * request. @peculiar/x509 and what it pulls in stay resident once loaded (~17 MB), for a job
 * done once at start and then every few months, so this runs in a short-lived child process
 * (certificate-child.ts); self-signed.ts and serving-csr.ts are the callers.
 */
// tsyringe, under @peculiar/x509, needs the Reflect metadata API at load time.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

export interface SelfSignedInput {
  readonly commonName: string;
  readonly hosts: readonly string[];
  readonly validityDays: number;
  readonly nowMs: number;
}

export interface RequestInput {
  readonly subject: { readonly organization: string; readonly commonName: string };
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly keyType: 'ecdsa' | 'rsa';
}

export type CertificateJob =
  ({ readonly op: 'self-signed' } & SelfSignedInput) | ({ readonly op: 'request' } & RequestInput);

/** A PEM pair: the certificate or request, and its PKCS#8 private key. */
export interface PemPair {
  readonly pem: string;
  readonly keyPem: string;
}

const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const RSA_KEY: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};
const EC_SIGNATURE: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

async function keyPair(keyType: 'ecdsa' | 'rsa'): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(keyType === 'rsa' ? RSA_KEY : EC_KEY, true, [
    'sign',
    'verify',
  ]);
}

async function privateKeyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function selfSigned(input: SelfSignedInput): Promise<PemPair> {
  const keys = await keyPair('ecdsa');
  const names = input.hosts.map(h =>
    isIP(h) !== 0 ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
  );
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    // A positive integer, as RFC 5280 asks of serial numbers.
    serialNumber: randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${input.commonName}`,
    notBefore: new Date(input.nowMs - 5 * 60_000),
    notAfter: new Date(input.nowMs + input.validityDays * 86_400_000),
    keys,
    signingAlgorithm: EC_SIGNATURE,
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
  return { pem: cert.toString('pem'), keyPem: await privateKeyPem(keys) };
}

async function request(input: RequestInput): Promise<PemPair> {
  const keys = await keyPair(input.keyType);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ O: [input.subject.organization] }, { CN: [input.subject.commonName] }],
    keys,
    signingAlgorithm: input.keyType === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5' } : EC_SIGNATURE,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        ...input.dnsNames.map(value => ({ type: 'dns' as const, value })),
        ...input.ipAddresses.map(value => ({ type: 'ip' as const, value })),
      ]),
    ],
  });
  return { pem: csr.toString('pem'), keyPem: await privateKeyPem(keys) };
}

export async function runCertificateJob(job: CertificateJob): Promise<PemPair> {
  x509.cryptoProvider.set(globalThis.crypto);
  return job.op === 'self-signed' ? selfSigned(job) : request(job);
}
