/**
 * The kubelet's serving certificate by CertificateSigningRequest, as `--rotate-server-certificates`
 * gets it (client-go's certificate manager): a fresh key, a PKCS#10 request for
 * `O=system:nodes, CN=system:node:<node>` with the node's names and IPs as SANs, a
 * `certificates.k8s.io/v1` CSR for signer `kubernetes.io/kubelet-serving`, and a wait until
 * someone approves it (`kubectl certificate approve`) and the signer fills `status.certificate`.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type {
  CertificateSigningRequest,
  CertificateSigningRequestCondition,
} from 'kubernetes-types/certificates/v1.d.ts';
import {
  describeError,
  InvalidInputError,
  isGone,
  isNotFound,
  TransientError,
} from '../errors/errors.ts';
import { Backoff, type BackoffOptions } from '../kube/backoff.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { ResourceRef } from '../kube/resource-ref.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { aborted, sleep as abortableSleep, signalWithDeadline } from '../util/abort.ts';
import { certificateJob } from './certificate-jobs.ts';
import type { ServingCertificate } from './tls.ts';

export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';

const CSRS: ResourceRef = {
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
};

/** ECDSA P-256 is what the kubelet generates; RSA is there for clusters whose policy wants it. */
export type ServingKeyType = 'ecdsa' | 'rsa';

export interface ServingRequestOptions {
  readonly nodeName: string;
  /** More DNS names and IP addresses the kubelet API is reached at (the node name is always in). */
  readonly hosts?: readonly string[];
  /** @default 'ecdsa' */
  readonly keyType?: ServingKeyType;
}

export interface ServingCertificateRequest {
  /** The PEM CERTIFICATE REQUEST for `spec.request`. */
  readonly requestPem: string;
  /** Its private key, PKCS#8 PEM; stays with us. */
  readonly keyPem: string;
  /** `spec.usages` for this key type. */
  readonly usages: readonly string[];
}

/**
 * The kubelet-serving usages: key encipherment only for RSA keys (an ECDSA key cannot encipher,
 * and the signer refuses the usage set otherwise), as client-go's DefaultKubeletServingGetUsages.
 */
export function servingUsages(keyType: ServingKeyType): string[] {
  return keyType === 'rsa'
    ? ['key encipherment', 'digital signature', 'server auth']
    : ['digital signature', 'server auth'];
}

/** The node name first, then the other names; IPs apart, duplicates and blanks dropped. */
export function servingNames(options: ServingRequestOptions): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const host of [options.nodeName, ...(options.hosts ?? [])]) {
    if (host === '') continue;
    const list = isIP(host) !== 0 ? ipAddresses : dnsNames;
    if (!list.includes(host)) list.push(host);
  }
  return { dnsNames, ipAddresses };
}

/** A new key and a PKCS#10 request for it. */
export async function createServingCertificateRequest(
  options: ServingRequestOptions,
): Promise<ServingCertificateRequest> {
  if (options.nodeName === '')
    throw new InvalidInputError('a serving certificate needs a node name');
  const keyType = options.keyType ?? 'ecdsa';
  const { pem, keyPem } = await certificateJob({
    op: 'request',
    subject: { organization: NODES_GROUP, commonName: `${NODE_USER_PREFIX}${options.nodeName}` },
    ...servingNames(options),
    keyType,
  });
  return { requestPem: pem, keyPem, usages: servingUsages(keyType) };
}

/** The CertificateSigningRequest object to create for `request`. */
export function servingCsrObject(request: ServingCertificateRequest): CertificateSigningRequest {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: 'csr-' },
    spec: {
      request: Buffer.from(request.requestPem, 'utf8').toString('base64'),
      signerName: KUBELET_SERVING_SIGNER,
      usages: [...request.usages],
    },
  };
}

/** Where a CSR stands, read the way client-go's WaitForCertificate reads it. */
export type CsrState =
  | { readonly kind: 'pending'; readonly approved: boolean }
  | { readonly kind: 'issued'; readonly certificatePem: string }
  | { readonly kind: 'denied' | 'failed'; readonly reason: string; readonly message: string };

export function csrState(csr: CertificateSigningRequest): CsrState {
  const conditions: readonly CertificateSigningRequestCondition[] = csr.status?.conditions ?? [];
  const settled = (type: string): CertificateSigningRequestCondition | undefined =>
    conditions.find(c => c.type === type && c.status !== 'False');
  // Denied or Failed win over an issued certificate: the signer must not be trusted then.
  for (const type of ['Denied', 'Failed'] as const) {
    const condition = settled(type);
    if (condition !== undefined) {
      return {
        kind: type === 'Denied' ? 'denied' : 'failed',
        reason: condition.reason ?? '',
        message: condition.message ?? '',
      };
    }
  }
  const approved = settled('Approved') !== undefined;
  const certificate = csr.status?.certificate ?? '';
  if (approved && certificate !== '') {
    return {
      kind: 'issued',
      certificatePem: Buffer.from(certificate, 'base64').toString('utf8'),
    };
  }
  return { kind: 'pending', approved };
}

/** The CSR was denied or the signer failed it: a new request is needed, this one is settled. */
export class CsrRefusedError extends InvalidInputError {
  readonly csrName: string;
  constructor(csrName: string, state: Extract<CsrState, { kind: 'denied' | 'failed' }>) {
    super(
      `certificate signing request ${csrName} ${state.kind === 'denied' ? 'was denied' : 'failed'}` +
        (state.reason ? `, reason: ${state.reason}` : '') +
        (state.message ? `, message: ${state.message}` : ''),
    );
    this.csrName = csrName;
  }
}

/** The CSR vanished while we waited (someone deleted it, or it was garbage-collected). */
export class CsrDeletedError extends TransientError {
  readonly csrName: string;
  constructor(csrName: string, options?: ErrorOptions) {
    super(`certificate signing request ${csrName} was deleted`, options);
    this.csrName = csrName;
  }
}

export interface WaitForCertificateOptions {
  readonly logger?: Logger;
  /** Retries of the watch (and the GET before it) after a failure. @default 1 s doubling to 30 s */
  readonly backoff?: BackoffOptions;
  /** Gives up with a TransientError; client-go waits 15 minutes before asking anew. */
  readonly timeoutMs?: number;
  /** Abortable wait between retries. @default util/abort's sleep */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Resolves with the certificate PEM once the CSR `name` is approved and signed. A GET, then a
 * watch from its resourceVersion; when the watch cannot be had or breaks, the loop goes on
 * with backoff, which makes it a poll. Rejects with CsrRefusedError when denied or failed, a
 * TransientError when it is deleted or `timeoutMs` passes, and the signal's reason on abort.
 */
export async function waitForCertificate(
  client: KubeClient,
  name: string,
  signal: AbortSignal,
  options: WaitForCertificateOptions = {},
): Promise<string> {
  const log = options.logger ?? silentLogger;
  const sleep = options.sleep ?? abortableSleep;
  const backoff = new Backoff(options.backoff ?? { initialMs: 1000, maxMs: 30_000 });
  const bounded =
    options.timeoutMs === undefined ? undefined : signalWithDeadline(signal, options.timeoutMs);
  const waiting = bounded?.signal ?? signal;
  const ref: ResourceRef = { ...CSRS, name };
  let loggedApproved = false;
  const settle = (csr: CertificateSigningRequest): string | undefined => {
    const state = csrState(csr);
    switch (state.kind) {
      case 'issued':
        return state.certificatePem;
      case 'denied':
      case 'failed':
        throw new CsrRefusedError(name, state);
      case 'pending':
        if (state.approved && !loggedApproved) {
          loggedApproved = true;
          log.info({ csr: name }, 'serving certificate request approved, waiting for the signer');
        }
        return undefined;
    }
  };
  try {
    for (;;) {
      waiting.throwIfAborted();
      try {
        const csr = await client.get<CertificateSigningRequest>(ref, {
          signal: waiting,
        });
        const issued = settle(csr);
        if (issued !== undefined) return issued;
        const stream = await client.watch<CertificateSigningRequest>(ref, {
          signal: waiting,
          ...(csr.metadata?.resourceVersion !== undefined
            ? { resourceVersion: csr.metadata.resourceVersion }
            : {}),
          timeoutSeconds: 300,
        });
        let events = 0;
        try {
          for await (const event of stream) {
            events += 1;
            backoff.reset();
            if (event.type === 'ERROR') {
              if (event.object.code === 410) break; // too old: GET again
              throw new TransientError(
                `watch of certificate signing request ${name}: ${event.object.message ?? 'error'}`,
              );
            }
            if (event.type === 'BOOKMARK') continue;
            if (event.type === 'DELETED') {
              throw new CsrDeletedError(name);
            }
            const found = settle(event.object);
            if (found !== undefined) return found;
          }
        } finally {
          stream.close();
        }
        // The server ended the watch: look again at once, unless it ends them right away.
        if (events > 0) continue;
      } catch (err) {
        if (aborted(waiting)) throw err;
        if (err instanceof CsrRefusedError || err instanceof CsrDeletedError) throw err;
        if (isNotFound(err)) throw new CsrDeletedError(name, { cause: err });
        if (!isGone(err)) {
          log.debug({ csr: name, err: describeError(err) }, 'watching the CSR failed, retrying');
        }
      }
      await sleep(backoff.next(), waiting);
    }
  } catch (err) {
    if (!signal.aborted && bounded?.timedOut() === true) {
      throw new TransientError(
        `certificate signing request ${name} was not approved and signed within ${String(options.timeoutMs)} ms`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    bounded?.dispose();
  }
}

export interface IssuedServingCertificate extends ServingCertificate {
  readonly csrName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface RequestServingCertificateOptions
  extends ServingRequestOptions, WaitForCertificateOptions {
  /** Called with the CSR's name once created (tests, and the log line asking for approval). */
  readonly onCreated?: (csrName: string) => void;
}

/**
 * One round: a new key and CSR, created through `client`, then the wait for its certificate.
 * The issued certificate must be for our key; otherwise InvalidInputError.
 */
export async function requestServingCertificate(
  client: KubeClient,
  signal: AbortSignal,
  options: RequestServingCertificateOptions,
): Promise<IssuedServingCertificate> {
  const log = options.logger ?? silentLogger;
  const request = await createServingCertificateRequest(options);
  const created = await client.create<CertificateSigningRequest>(CSRS, servingCsrObject(request), {
    signal,
  });
  const csrName = created.metadata?.name ?? '';
  if (csrName === '') throw new TransientError('the created CSR came back without a name');
  options.onCreated?.(csrName);
  log.info(
    { csr: csrName, signerName: KUBELET_SERVING_SIGNER },
    `waiting for the kubelet serving certificate: approve it with kubectl certificate approve ${csrName}`,
  );
  const certPem = await waitForCertificate(client, csrName, signal, options);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new InvalidInputError(`certificate signing request ${csrName}: unreadable certificate`, {
      cause: err,
    });
  }
  if (!cert.checkPrivateKey(createPrivateKey(request.keyPem))) {
    throw new InvalidInputError(
      `certificate signing request ${csrName}: the issued certificate is not for the requested key`,
    );
  }
  return {
    csrName,
    certPem,
    keyPem: request.keyPem,
    notBefore: cert.validFromDate,
    notAfter: cert.validToDate,
  };
}
