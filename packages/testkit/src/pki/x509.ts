/**
 * The one place @peculiar/x509 is loaded: after the Reflect metadata polyfill it needs, and bound to Node's
 * WebCrypto. Every other module in this folder imports `x509` from here, never from the package.
 */
// tsyringe, under @peculiar/x509, needs the Reflect metadata API at load time.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, type webcrypto } from 'node:crypto';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256: every key this folder generates. Cheap to make, accepted by Go, Node and OpenSSL. */
export const EC_KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

export async function generateEcKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** The signature algorithm for a signing key: SHA-256 with whatever the key is. */
export function signingAlgorithmFor(key: CryptoKey): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return key.algorithm.name === 'ECDSA'
    ? { name: 'ECDSA', hash: 'SHA-256' }
    : { name: key.algorithm.name, hash: 'SHA-256' };
}

/** A private key as unencrypted PKCS#8 PEM ("PRIVATE KEY"), which Go, Node and OpenSSL all read. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * Reads a private key PEM (PKCS#8, SEC 1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY", as kubeadm
 * and openssl write them) into a WebCrypto signing key.
 */
export async function importSigningKeyPem(pem: string): Promise<CryptoKey> {
  const keyObject = createPrivateKey(pem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const details = keyObject.asymmetricKeyDetails;
  switch (keyObject.asymmetricKeyType) {
    case 'ec': {
      const namedCurve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[
        details?.namedCurve ?? ''
      ];
      if (namedCurve === undefined) {
        throw new TypeError(`unsupported EC curve ${details?.namedCurve ?? '(unknown)'}`);
      }
      return crypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, true, ['sign']);
    }
    case 'rsa':
      return crypto.subtle.importKey(
        'pkcs8',
        der,
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        true,
        ['sign'],
      );
    default:
      throw new TypeError(
        `unsupported private key type ${keyObject.asymmetricKeyType ?? '(unknown)'}`,
      );
  }
}

/**
 * A random positive 128-bit serial number in hex. RFC 5280 wants serials unique per CA and
 * positive; 16 random bytes with the top bit cleared gives both (the same size Go's signers use).
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** `date` truncated to whole seconds, the resolution X.509 validity times are encoded at. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
