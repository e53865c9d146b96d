/** The child process that builds certificates and requests (certificate-builders.ts). */
import { childScriptMain } from '../util/child-script.ts';
import { runCertificateJob, type CertificateJob } from './certificate-builders.ts';

await childScriptMain(input => runCertificateJob(input as CertificateJob));
