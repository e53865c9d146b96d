/** The kube-controller-manager CSR signer: approved requests for known signers get a certificate. */
import { isPlainObject } from '../kube-object.ts';
import { asString } from '../util/json-access.ts';
import { rfc3339 } from '../server/rest.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { react, type Report } from './controller-kit.ts';

export const KNOWN_SIGNERS = [
  'kubernetes.io/kubelet-serving',
  'kubernetes.io/kube-apiserver-client',
  'kubernetes.io/kube-apiserver-client-kubelet',
];

export type CsrSigner = (request: {
  requestPem: string;
  signerName: string;
  usages: string[];
  expirationSeconds?: number;
}) => Promise<string>;

type Obj = Record<string, unknown>;

export function startCsrSigner(store: ObjectStore, sign: CsrSigner, report: Report): () => void {
  return react(store, 'certificatesigningrequests', 'csr-signer', report, async event => {
    if (event.type === 'DELETED') return;
    const csr = event.object;
    const spec: Obj = isPlainObject(csr.spec) ? csr.spec : {};
    const status: Obj = isPlainObject(csr.status) ? csr.status : {};
    const conditions = Array.isArray(status.conditions)
      ? status.conditions.filter(isPlainObject)
      : [];
    const approved = conditions.some(c => c.type === 'Approved' && c.status === 'True');
    const settled = conditions.some(
      c => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True',
    );
    if (!approved || settled || status.certificate !== undefined) return;
    const signerName = asString(spec.signerName);
    if (!KNOWN_SIGNERS.includes(signerName)) return;
    let certificate: string | undefined;
    let failure: string | undefined;
    try {
      const pem = await sign({
        requestPem: Buffer.from(asString(spec.request), 'base64').toString('utf8'),
        signerName,
        usages: Array.isArray(spec.usages) ? spec.usages.map(String) : [],
        ...(typeof spec.expirationSeconds === 'number'
          ? { expirationSeconds: spec.expirationSeconds }
          : {}),
      });
      certificate = Buffer.from(pem, 'utf8').toString('base64');
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    const current = store.get('certificatesigningrequests', undefined, csr.metadata.name ?? '');
    if (!current || current.metadata.uid !== csr.metadata.uid) return;
    const currentStatus: Obj = isPlainObject(current.status) ? current.status : {};
    if (currentStatus.certificate !== undefined) return;
    const next = structuredClone(current);
    const nextStatus: Obj = { ...currentStatus };
    if (certificate !== undefined) nextStatus.certificate = certificate;
    else {
      const list = Array.isArray(nextStatus.conditions)
        ? [...(nextStatus.conditions as unknown[])]
        : [];
      list.push({
        type: 'Failed',
        status: 'True',
        reason: 'SignerValidationFailure',
        message: failure ?? '',
        lastUpdateTime: rfc3339(new Date()),
      });
      nextStatus.conditions = list;
    }
    next.status = nextStatus;
    store.update('certificatesigningrequests', next);
  });
}
