/**
 * The certificates.k8s.io/v1 `spec.usages` vocabulary and what each value becomes in a certificate:
 * a bit of the X.509 key usage extension or an extended key usage OID (RFC 5280 4.2.1.3, 4.2.1.12).
 */
import { ApiError, type StatusCause } from '../api-error.ts';
import { x509 } from './x509.ts';

const { KeyUsageFlags } = x509;

const KEY_USAGE_BITS = {
  signing: KeyUsageFlags.digitalSignature,
  'digital signature': KeyUsageFlags.digitalSignature,
  'content commitment': KeyUsageFlags.nonRepudiation,
  'key encipherment': KeyUsageFlags.keyEncipherment,
  'key agreement': KeyUsageFlags.keyAgreement,
  'data encipherment': KeyUsageFlags.dataEncipherment,
  'cert sign': KeyUsageFlags.keyCertSign,
  'crl sign': KeyUsageFlags.cRLSign,
  'encipher only': KeyUsageFlags.encipherOnly,
  'decipher only': KeyUsageFlags.decipherOnly,
} as const;

const EXTENDED_KEY_USAGE_OIDS = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
} as const;

export type KeyUsage = keyof typeof KEY_USAGE_BITS | keyof typeof EXTENDED_KEY_USAGE_OIDS;

/** Every value `spec.usages` accepts, sorted as kube lists them in an Unsupported value error. */
export const KEY_USAGES: readonly KeyUsage[] = (
  [...Object.keys(KEY_USAGE_BITS), ...Object.keys(EXTENDED_KEY_USAGE_OIDS)] as KeyUsage[]
).sort();

export function isKeyUsage(value: string): value is KeyUsage {
  return Object.hasOwn(KEY_USAGE_BITS, value) || Object.hasOwn(EXTENDED_KEY_USAGE_OIDS, value);
}

/**
 * The `spec.usages` checks kube-apiserver makes when a CSR is created: present, known, no repeats.
 * Returns the field causes (empty when valid) so callers can merge them with their own.
 */
export function keyUsageCauses(usages: readonly string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  if (usages.length === 0) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'spec.usages',
      message: 'Required value: usages must be provided',
    });
  }
  const seen = new Set<string>();
  usages.forEach((usage, i) => {
    if (!isKeyUsage(usage)) {
      causes.push({
        reason: 'FieldValueNotSupported',
        field: `spec.usages[${i}]`,
        message: `Unsupported value: ${JSON.stringify(usage)}: supported values: ${KEY_USAGES.map(u => JSON.stringify(u)).join(', ')}`,
      });
    }
    if (seen.has(usage)) {
      causes.push({
        reason: 'FieldValueDuplicate',
        field: `spec.usages[${i}]`,
        message: `Duplicate value: ${JSON.stringify(usage)}`,
      });
    }
    seen.add(usage);
  });
  return causes;
}

export interface X509Usages {
  /** Bits for the key usage extension; empty means the extension is left out. */
  readonly keyUsages: readonly x509.KeyUsageFlags[];
  /** OIDs for the extended key usage extension, in first-requested order; empty means left out. */
  readonly extendedKeyUsages: readonly string[];
}

/**
 * Maps kube usages to X.509 usages. Unknown values are an Invalid error on `spec.usages`,
 * the same answer kube-apiserver gives for them.
 */
export function x509UsagesFor(usages: readonly string[], csrName = ''): X509Usages {
  const causes = keyUsageCauses(usages).filter(c => c.reason === 'FieldValueNotSupported');
  if (causes.length > 0) {
    throw ApiError.invalid('CertificateSigningRequest', csrName, causes, 'certificates.k8s.io');
  }
  const keyUsages: x509.KeyUsageFlags[] = [];
  const extendedKeyUsages: string[] = [];
  for (const usage of usages) {
    if (Object.hasOwn(KEY_USAGE_BITS, usage)) {
      const bit = KEY_USAGE_BITS[usage as keyof typeof KEY_USAGE_BITS];
      if (!keyUsages.includes(bit)) keyUsages.push(bit);
    } else {
      const oid = EXTENDED_KEY_USAGE_OIDS[usage as keyof typeof EXTENDED_KEY_USAGE_OIDS];
      if (!extendedKeyUsages.includes(oid)) extendedKeyUsages.push(oid);
    }
  }
  return { keyUsages, extendedKeyUsages };
}
