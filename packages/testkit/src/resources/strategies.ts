/** Strategies of every stored resource but pods (see pod-strategy.ts). */
import type { StatusCause } from '../api-error.ts';
import { isPlainObject, type KubeObject } from '../kube-object.ts';
import { POD_STRATEGY } from './pod-strategy.ts';
import { PLAIN_STRATEGY, type ResourceStrategy } from './strategy.ts';
import { invalidValue, required, validateObjectMeta } from './validation.ts';

type Obj = Record<string, unknown>;

function namespacedMeta(object: KubeObject): StatusCause[] {
  return validateObjectMeta(object, { namespaced: true });
}

function clusterMeta(object: KubeObject): StatusCause[] {
  return validateObjectMeta(object, { namespaced: false });
}

const SECRET_STRATEGY: ResourceStrategy = {
  hasStatus: false,
  tracksGeneration: false,
  prepareForCreate(secret) {
    secret.type ??= 'Opaque';
    foldStringData(secret);
  },
  prepareForUpdate(secret) {
    foldStringData(secret);
  },
  validate(secret) {
    const causes = namespacedMeta(secret);
    const data = secret.data;
    if (data !== undefined && data !== null) {
      if (!isPlainObject(data)) causes.push(invalidValue('data', data, 'must be a map'));
      else {
        // Bad base64 fails earlier, in decoding (byte-fields.ts); this catches non-strings.
        for (const [key, value] of Object.entries(data)) {
          if (typeof value !== 'string') {
            causes.push(
              invalidValue(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'),
            );
          }
        }
      }
    }
    return causes;
  },
};

/** `stringData` is write-only: it is merged into `data` (base64) and never stored. */
function foldStringData(secret: KubeObject): void {
  const stringData = secret.stringData;
  if (isPlainObject(stringData)) {
    const data: Obj = isPlainObject(secret.data) ? { ...secret.data } : {};
    for (const [key, value] of Object.entries(stringData)) {
      data[key] = Buffer.from(String(value), 'utf8').toString('base64');
    }
    secret.data = data;
  }
  delete secret.stringData;
}

/** Allocates ClusterIPs from 10.96.0.0/12 the way the service IP allocator would. */
function makeServiceStrategy(): ResourceStrategy {
  let next = 10;
  return {
    hasStatus: true,
    tracksGeneration: false,
    prepareForCreate(service) {
      const spec: Obj = isPlainObject(service.spec) ? service.spec : {};
      service.spec = spec;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.clusterIP === undefined && spec.type !== 'ExternalName') {
        const n = next++;
        spec.clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
        spec.clusterIPs = [spec.clusterIP];
      }
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
      if (Array.isArray(spec.ports)) {
        for (const port of spec.ports.filter(isPlainObject)) {
          port.protocol ??= 'TCP';
          port.targetPort ??= port.port;
        }
      }
      service.status = { loadBalancer: {} };
    },
    validate(service) {
      const causes = namespacedMeta(service);
      const spec = isPlainObject(service.spec) ? service.spec : {};
      if (spec.type !== 'ExternalName' && (!Array.isArray(spec.ports) || spec.ports.length === 0)) {
        if (spec.clusterIP !== 'None') causes.push(required('spec.ports'));
      }
      return causes;
    },
  };
}

const NAMESPACE_STRATEGY: ResourceStrategy = {
  hasStatus: true,
  tracksGeneration: false,
  prepareForCreate(ns) {
    ns.spec = { finalizers: ['kubernetes'] };
    ns.status = { phase: 'Active' };
    const labels = { ...(ns.metadata.labels ?? {}) };
    labels['kubernetes.io/metadata.name'] = ns.metadata.name ?? '';
    ns.metadata.labels = labels;
  },
  validate: ns => validateObjectMeta(ns, { namespaced: false, nameRule: 'label' }),
  // A namespace is emptied by the namespace controller before it goes (spec.finalizers).
  deleteDecision: () => ({ immediate: false, gracePeriodSeconds: 0 }),
};

const NODE_STRATEGY: ResourceStrategy = {
  hasStatus: true,
  tracksGeneration: false,
  prepareForCreate(node) {
    node.spec ??= {};
    if (!isPlainObject(node.status)) node.status = {};
  },
  validate: clusterMeta,
};

const LEASE_STRATEGY: ResourceStrategy = {
  hasStatus: false,
  tracksGeneration: false,
  validate(lease) {
    const causes = namespacedMeta(lease);
    const spec = isPlainObject(lease.spec) ? lease.spec : {};
    const duration = spec.leaseDurationSeconds;
    if (duration !== undefined && (typeof duration !== 'number' || duration <= 0)) {
      causes.push(invalidValue('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
    }
    return causes;
  },
};

const EVENT_STRATEGY: ResourceStrategy = {
  hasStatus: false,
  tracksGeneration: false,
  validate(event) {
    const causes = validateObjectMeta(event, { namespaced: true, nameRule: 'any' });
    const involved = isPlainObject(event.involvedObject) ? event.involvedObject : undefined;
    if (!involved) causes.push(required('involvedObject'));
    else if (
      typeof involved.namespace === 'string' &&
      involved.namespace !== '' &&
      involved.namespace !== event.metadata.namespace
    ) {
      causes.push(
        invalidValue(
          'involvedObject.namespace',
          involved.namespace,
          'does not match event.namespace',
        ),
      );
    }
    return causes;
  },
};

const CSR_STRATEGY: ResourceStrategy = {
  hasStatus: true,
  tracksGeneration: false,
  prepareForCreate(csr, requester) {
    csr.status = {};
    // The API server records who asked, whatever the client put there.
    if (requester !== undefined && isPlainObject(csr.spec)) {
      csr.spec.username = requester.username;
      if (requester.uid !== undefined) csr.spec.uid = requester.uid;
      else delete csr.spec.uid;
      csr.spec.groups = [...requester.groups];
      if (requester.extra !== undefined) csr.spec.extra = requester.extra;
      else delete csr.spec.extra;
    }
  },
  validate(csr) {
    const causes = clusterMeta(csr);
    const spec = isPlainObject(csr.spec) ? csr.spec : {};
    if (typeof spec.request !== 'string' || spec.request === '')
      causes.push(required('spec.request'));
    if (typeof spec.signerName !== 'string' || spec.signerName === '') {
      causes.push(required('spec.signerName'));
    }
    if (!Array.isArray(spec.usages) || spec.usages.length === 0)
      causes.push(required('spec.usages'));
    const seconds = spec.expirationSeconds;
    if (seconds !== undefined && (typeof seconds !== 'number' || seconds < 600)) {
      causes.push(
        invalidValue(
          'spec.expirationSeconds',
          seconds,
          'may not specify a duration less than 600 seconds (10 minutes)',
        ),
      );
    }
    return causes;
  },
};

const STRATEGIES = new Map<string, ResourceStrategy>([
  ['pods', POD_STRATEGY],
  ['nodes', NODE_STRATEGY],
  ['namespaces', NAMESPACE_STRATEGY],
  ['secrets', SECRET_STRATEGY],
  ['configmaps', { hasStatus: false, tracksGeneration: false, validate: namespacedMeta }],
  ['serviceaccounts', { hasStatus: false, tracksGeneration: false, validate: namespacedMeta }],
  ['events', EVENT_STRATEGY],
  ['leases', LEASE_STRATEGY],
  ['certificatesigningrequests', CSR_STRATEGY],
]);

/** A fresh strategy table per server (the service IP allocator has state). */
export function strategiesFor(): (resource: string) => ResourceStrategy {
  const table = new Map(STRATEGIES);
  table.set('services', makeServiceStrategy());
  return resource => table.get(resource) ?? PLAIN_STRATEGY;
}
