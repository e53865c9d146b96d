/**
 * Client-certificate authentication's last step: who a verified certificate says the caller is.
 * kube takes the username from the subject CN and one group per subject O. The TLS layer
 * (`requestCert` + `ca`) has already checked the chain; this only reads the leaf.
 */
import { createHash, type X509Certificate as NodeX509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { x509 } from './x509.ts';

export interface ClientCertificateUser {
  readonly username: string;
  readonly groups: readonly string[];
  /**
   * kube's `authentication.kubernetes.io/credential-id` extra: `X509SHA256=<hex digest of the DER>`,
   * which is how audit logs and `kubectl auth whoami` tell one certificate from another.
   */
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';

/** A certificate from `socket.getPeerCertificate()`, `socket.getPeerX509Certificate()` or x509. */
export type ClientCertificate =
  Pick<PeerCertificate, 'raw'> | Pick<NodeX509Certificate, 'raw'> | x509.X509Certificate;

/**
 * The user a client certificate authenticates as, or undefined if it names nobody: kube skips
 * certificates with an empty CN, and `getPeerCertificate()` returns `{}` when the client sent none.
 */
export function userFromPeerCertificate(
  certificate: ClientCertificate | Record<string, never>,
): ClientCertificateUser | undefined {
  const der = derOf(certificate);
  if (der === undefined) return undefined;
  const parsed = new x509.X509Certificate(der);
  const username = parsed.subjectName.getField('CN')[0] ?? '';
  if (username === '') return undefined;
  return {
    username,
    groups: parsed.subjectName.getField('O'),
    extra: {
      [CREDENTIAL_ID_EXTRA]: [`X509SHA256=${createHash('sha256').update(der).digest('hex')}`],
    },
  };
}

function derOf(certificate: ClientCertificate | Record<string, never>): Uint8Array | undefined {
  if (certificate instanceof x509.X509Certificate) return new Uint8Array(certificate.rawData);
  const raw = (certificate as { raw?: unknown }).raw;
  return raw instanceof Uint8Array && raw.length > 0 ? raw : undefined;
}
