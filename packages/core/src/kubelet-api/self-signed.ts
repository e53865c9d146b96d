/**
 * A self-signed serving certificate for development: the API server does not verify kubelet
 * certificates unless told to, so `kubectl logs/exec` work, but clients that do verify will not
 * trust it. The app logs a warning when it falls back to this.
 */
import { certificateJob } from './certificate-jobs.ts';
import type { ServingCertificate } from './tls.ts';

export async function selfSignedServingCertificate(options: {
  commonName: string;
  /** DNS names and IP addresses the certificate is valid for. */
  hosts: readonly string[];
  validityDays?: number;
  now?: Date;
}): Promise<ServingCertificate> {
  const { pem, keyPem } = await certificateJob({
    op: 'self-signed',
    commonName: options.commonName,
    hosts: options.hosts,
    validityDays: options.validityDays ?? 365,
    nowMs: (options.now ?? new Date()).getTime(),
  });
  return { certPem: pem, keyPem };
}
