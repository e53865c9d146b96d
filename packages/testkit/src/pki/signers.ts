/**
 * The built-in CSR signers of kube-controller-manager: which requests each will sign, and for how
 * long. A request a signer refuses gets a `Failed` condition with reason SignerValidationFailure;
 * it is not an API error, so refusals are a distinct error class the server turns into a condition.
 */
import type { CertificateSigningRequestInfo } from './certificate-signing-request.ts';

export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

export type BuiltInSignerName =
  | typeof KUBE_APISERVER_CLIENT_SIGNER
  | typeof KUBE_APISERVER_CLIENT_KUBELET_SIGNER
  | typeof KUBELET_SERVING_SIGNER;

/** True for the signers the cluster CA signs for. CSRs for any other signer are left pending. */
export function isBuiltInSignerName(signerName: string): signerName is BuiltInSignerName {
  return (
    signerName === KUBE_APISERVER_CLIENT_SIGNER ||
    signerName === KUBE_APISERVER_CLIENT_KUBELET_SIGNER ||
    signerName === KUBELET_SERVING_SIGNER
  );
}

/** A signer refused an approved request. Becomes condition `Failed`, reason `reason`. */
export class SignerValidationError extends Error {
  override readonly name = 'SignerValidationError';
  readonly reason = 'SignerValidationFailure';
}

const NODE_COMMON_NAME_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';

/** Throws {@link SignerValidationError} if `signerName` will not sign this request. */
export function checkSignerPolicy(
  signerName: BuiltInSignerName,
  request: CertificateSigningRequestInfo,
  usages: readonly string[],
): void {
  const refuse = (message: string): never => {
    throw new SignerValidationError(message);
  };
  switch (signerName) {
    case KUBE_APISERVER_CLIENT_SIGNER: {
      // Only client usages; client auth itself is required.
      for (const usage of usages) {
        if (!['digital signature', 'key encipherment', 'client auth'].includes(usage)) {
          refuse(`invalid usage for client certificate: ${usage}`);
        }
      }
      if (!usages.includes('client auth')) {
        refuse('missing required usage for client certificate: client auth');
      }
      return;
    }
    case KUBE_APISERVER_CLIENT_KUBELET_SIGNER: {
      if (!isNodesOrganization(request)) refuse('subject organization is not system:nodes');
      if (request.dnsNames.length > 0) refuse('DNS subjectAltNames are not allowed');
      if (request.emailAddresses.length > 0) refuse('Email subjectAltNames are not allowed');
      if (request.ipAddresses.length > 0) refuse('IP subjectAltNames are not allowed');
      if (request.uris.length > 0) refuse('URI subjectAltNames are not allowed');
      if (!request.commonName.startsWith(NODE_COMMON_NAME_PREFIX)) {
        refuse('subject common name does not begin with system:node:');
      }
      if (!usagesAreOneOf(usages, ['digital signature', 'key encipherment', 'client auth'])) {
        refuse('usages did not match [client auth digital signature key encipherment]');
      }
      return;
    }
    case KUBELET_SERVING_SIGNER: {
      if (!isNodesOrganization(request)) refuse('subject organization is not system:nodes');
      if (request.dnsNames.length === 0 && request.ipAddresses.length === 0) {
        refuse('DNS or IP subjectAltName is required');
      }
      if (request.emailAddresses.length > 0) refuse('Email subjectAltNames are not allowed');
      if (request.uris.length > 0) refuse('URI subjectAltNames are not allowed');
      if (!usagesAreOneOf(usages, ['digital signature', 'key encipherment', 'server auth'])) {
        refuse('usages did not match [digital signature key encipherment server auth]');
      }
      if (!request.commonName.startsWith(NODE_COMMON_NAME_PREFIX)) {
        refuse('subject common name does not begin with system:node:');
      }
      return;
    }
  }
}

/**
 * Kubelet signers take exactly the full usage set, or the set without key encipherment
 * (which only makes sense for RSA keys).
 */
function usagesAreOneOf(usages: readonly string[], full: readonly string[]): boolean {
  const requested = new Set(usages);
  const withoutEncipherment = full.filter(u => u !== 'key encipherment');
  const equals = (set: readonly string[]): boolean =>
    requested.size === set.length && set.every(u => requested.has(u));
  return equals(full) || equals(withoutEncipherment);
}

function isNodesOrganization(request: CertificateSigningRequestInfo): boolean {
  return request.organizations.length === 1 && request.organizations[0] === NODES_GROUP;
}

/** kube-controller-manager's --cluster-signing-duration default: one year. */
export const DEFAULT_SIGNING_DURATION_SECONDS = 365 * 24 * 60 * 60;
/** The signer's floor on a requested duration: twice the 5 minute backdate. */
export const MIN_SIGNING_DURATION_SECONDS = 10 * 60;
/** How far before "now" a signed certificate starts, to absorb clock skew. */
export const SIGNING_BACKDATE_SECONDS = 5 * 60;
/** Below this lifetime the backdate is not taken off the end (5 minutes is ~1% of 8 hours). */
const SHORT_LIVED_SECONDS = 8 * 60 * 60;

export interface CertificateValidity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * The validity window the kube signer gives a certificate: the requested `spec.expirationSeconds`
 * held between 10 minutes and the signing duration, backdated 5 minutes, never past the CA.
 */
export function signedCertificateValidity(options: {
  readonly now: Date;
  readonly expirationSeconds?: number | undefined;
  readonly maxDurationSeconds?: number;
  readonly caNotAfter: Date;
}): CertificateValidity {
  const max = options.maxDurationSeconds ?? DEFAULT_SIGNING_DURATION_SECONDS;
  const ttl =
    options.expirationSeconds === undefined
      ? max
      : Math.min(max, Math.max(MIN_SIGNING_DURATION_SECONDS, options.expirationSeconds));
  const now = options.now.getTime();
  const notBefore = new Date(now - SIGNING_BACKDATE_SECONDS * 1000);
  const end = ttl < SHORT_LIVED_SECONDS ? ttl : ttl - SIGNING_BACKDATE_SECONDS;
  const notAfter = new Date(Math.min(now + end * 1000, options.caNotAfter.getTime()));
  if (notBefore.getTime() >= options.caNotAfter.getTime()) {
    // Not a refusal of the request: kube keeps retrying, so this is a plain error.
    throw new Error(`the signer has expired: NotAfter=${options.caNotAfter.toISOString()}`);
  }
  return { notBefore, notAfter };
}
