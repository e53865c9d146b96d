/**
 * PKCS#10 certificate signing requests: making one (for tests and the virtual kubelet's
 * bootstrap) and reading one the way kube-apiserver does when a CertificateSigningRequest
 * object is created (first PEM block must be a CERTIFICATE REQUEST, self-signature must verify).
 */
import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { ApiError } from '../api-error.ts';
import { generateEcKeyPair, privateKeyToPem, signingAlgorithmFor, x509 } from './x509.ts';

export interface CreateCertificateSigningRequestOptions {
  readonly commonName: string;
  /** Subject O values; for kube client certificates these are the user's groups. */
  readonly organizations?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

export interface CertificateSigningRequestPem {
  /** The PEM to put (base64 encoded) in a CertificateSigningRequest's `spec.request`. */
  readonly requestPem: string;
  /** The fresh ECDSA P-256 private key the request was signed with, PKCS#8 PEM. */
  readonly keyPem: string;
}

/** Generates a key and a CSR for it. */
export async function createCertificateSigningRequest(
  options: CreateCertificateSigningRequestOptions,
): Promise<CertificateSigningRequestPem> {
  const keys = await generateEcKeyPair();
  const sans = subjectAltNames(options.dnsNames ?? [], options.ipAddresses ?? []);
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(options.commonName, options.organizations ?? []),
    keys,
    signingAlgorithm: signingAlgorithmFor(keys.privateKey),
    extensions: sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : [],
  });
  return { requestPem: request.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) };
}

/** What a CSR asks for, as the signers and approvers look at it. */
export interface CertificateSigningRequestInfo {
  readonly commonName: string;
  readonly organizations: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly emailAddresses: readonly string[];
  readonly uris: readonly string[];
  /** The request's key type as Node names it: 'ec', 'rsa', 'ed25519'... */
  readonly publicKeyAlgorithm: string;
}

export interface DecodedCertificateSigningRequest {
  readonly request: x509.Pkcs10CertificateRequest;
  readonly info: CertificateSigningRequestInfo;
}

/**
 * Checks a CSR's `spec.request` as kube-apiserver validation does and says what it asks for.
 * A request that is not a PEM CERTIFICATE REQUEST, does not parse, or whose self-signature does
 * not verify is a 422 Invalid on `spec.request`. `csrName` names the object in that error.
 */
export async function parseCertificateSigningRequest(
  requestPem: string,
  csrName = '',
): Promise<CertificateSigningRequestInfo> {
  return (await decodeCertificateSigningRequest(requestPem, csrName)).info;
}

/** As {@link parseCertificateSigningRequest}, also handing back the parsed request for signing. */
export async function decodeCertificateSigningRequest(
  requestPem: string,
  csrName = '',
): Promise<DecodedCertificateSigningRequest> {
  const invalid = (message: string): ApiError =>
    ApiError.invalid(
      'CertificateSigningRequest',
      csrName,
      // kube prints the offending bytes here; they are long and say nothing, so they are elided.
      [{ field: 'spec.request', message: `Invalid value: []byte{...}: ${message}` }],
      'certificates.k8s.io',
    );

  const block = firstPemBlock(requestPem);
  if (block?.type !== 'CERTIFICATE REQUEST') {
    throw invalid('PEM block type must be CERTIFICATE REQUEST');
  }
  let request: x509.Pkcs10CertificateRequest;
  let info: CertificateSigningRequestInfo;
  try {
    request = new x509.Pkcs10CertificateRequest(block.der);
    info = describe(request);
  } catch (error) {
    throw invalid(`x509: malformed certificate request: ${messageOf(error)}`);
  }
  let verified: boolean;
  try {
    verified = await request.verify();
  } catch {
    // WebCrypto cannot check this algorithm (e.g. an unsupported curve); Go says the same.
    throw invalid('x509: cannot verify signature: algorithm unimplemented');
  }
  if (!verified) throw invalid(signatureFailureMessage(info.publicKeyAlgorithm));
  return { request, info };
}

/** The subject names of a certificate or request: CN first, then each O as its own RDN. */
export function subjectName(commonName: string, organizations: readonly string[]): x509.JsonName {
  return [{ CN: [commonName] }, ...organizations.map(o => ({ O: [o] }))];
}

/** SAN entries for DNS names and IP addresses; rejects strings that are not IP addresses. */
export function subjectAltNames(
  dnsNames: readonly string[],
  ipAddresses: readonly string[],
): x509.JsonGeneralName[] {
  for (const ip of ipAddresses) {
    if (isIP(ip) === 0) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  }
  for (const name of dnsNames) {
    if (name === '') throw new TypeError('DNS names must not be empty');
  }
  return [
    ...dnsNames.map(value => ({ type: 'dns' as const, value })),
    ...ipAddresses.map(value => ({ type: 'ip' as const, value })),
  ];
}

/** id-ce-subjectAltName (RFC 5280 4.2.1.6). */
const SUBJECT_ALT_NAME_OID = '2.5.29.17';

function describe(request: x509.Pkcs10CertificateRequest): CertificateSigningRequestInfo {
  const names = request.getExtension(SUBJECT_ALT_NAME_OID);
  const sans =
    names === null ? [] : new x509.SubjectAlternativeNameExtension(names.rawData).names.toJSON();
  const valuesOf = (type: x509.JsonGeneralName['type']): string[] =>
    sans.filter(n => n.type === type).map(n => n.value);
  return {
    commonName: request.subjectName.getField('CN')[0] ?? '',
    organizations: request.subjectName.getField('O'),
    dnsNames: valuesOf('dns'),
    ipAddresses: valuesOf('ip'),
    emailAddresses: valuesOf('email'),
    uris: valuesOf('url'),
    publicKeyAlgorithm:
      createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' })
        .asymmetricKeyType ?? 'unknown',
  };
}

/** What Go's CheckSignature says when a request's signature does not match its key. */
function signatureFailureMessage(keyAlgorithm: string): string {
  switch (keyAlgorithm) {
    case 'ec':
      return 'x509: ECDSA verification failure';
    case 'ed25519':
      return 'x509: Ed25519 verification failure';
    default:
      return 'crypto/rsa: verification error';
  }
}

interface PemBlock {
  readonly type: string;
  readonly der: Uint8Array<ArrayBuffer>;
}

/** The first PEM block in `text`, like Go's pem.Decode: text around it and RFC 1421 headers ignored. */
export function firstPemBlock(text: string): PemBlock | undefined {
  const match = /-----BEGIN ([^\r\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (match === null) return undefined;
  const [, type = '', body = ''] = match;
  const lines = body.split(/\r?\n/);
  // Headers ("Proc-Type: 4,ENCRYPTED") come first and end at a blank line.
  if (lines[0]?.includes(':') === true) lines.splice(0, lines.indexOf('') + 1);
  const base64 = lines.join('').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) return undefined;
  return { type, der: new Uint8Array(Buffer.from(base64, 'base64')) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
