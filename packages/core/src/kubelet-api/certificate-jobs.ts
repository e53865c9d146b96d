/** Runs certificate-builders.ts jobs in their child process (see util/child-script.ts). */
import { runChildScript, siblingScript } from '../util/child-script.ts';
import type { CertificateJob, PemPair } from './certificate-builders.ts';

export async function certificateJob(job: CertificateJob): Promise<PemPair> {
  const what = job.op === 'self-signed' ? 'self-signed certificate' : 'certificate request';
  return (await runChildScript(siblingScript(import.meta.url, 'certificate-child'), job, {
    what,
  })) as PemPair;
}
