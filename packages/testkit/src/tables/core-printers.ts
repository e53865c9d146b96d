/**
 * Printers for the smaller kinds: namespaces, events, secrets, configmaps, services,
 * serviceaccounts, leases and certificatesigningrequests, column for column as kube prints them.
 */
import type { Json, KubeObject } from '../kube-object.ts';
import { eventView } from '../selectors/event-view.ts';
import { at, firstNonEmpty, int, list, obj, str } from '../selectors/object-access.ts';
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from './columns.ts';
import { humanDuration, parseTimestamp, timestampSince } from './duration.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: Date): string => timestampSince(o.metadata.creationTimestamp, now);

/** labels.FormatLabels: sorted `k=v` pairs, or <none>. */
function formatLabels(map: unknown): string {
  const entries = Object.entries(obj(map))
    .map(([k, v]) => `${k}=${str(v)}`)
    .sort();
  return entries.length === 0 ? '<none>' : entries.join(',');
}

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  row: (ns, now) => ({
    // The registry sets Active on create; an object without a phase is a fresh one.
    cells: [name(ns), str(at(ns, 'status', 'phase')) || 'Active', age(ns, now)],
  }),
};

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', 'When the event was most recently observed.'),
    column('Type', 'string', 'The kind of event: Normal or Warning.'),
    column('Reason', 'string', 'A short, machine-readable reason for the transition.'),
    column('Object', 'string', 'The object this event is about.'),
    column(
      'Subobject',
      'string',
      'The part of the object the event is about, such as a container.',
      {
        priority: 1,
      },
    ),
    column('Source', 'string', 'The component that reported this event.', { priority: 1 }),
    column('Message', 'string', 'A human-readable description of the event.'),
    column('First Seen', 'string', 'When the event was first observed.', { priority: 1 }),
    column('Count', 'string', 'How many times this event has occurred.', { priority: 1 }),
    column('Name', 'string', NAME_COLUMN.description, { format: 'name', priority: 1 }),
  ],
  row(event, now) {
    const e = eventView(event);
    const firstSeen = timestampSince(
      parseTimestamp(e.firstTimestamp) === undefined ? e.eventTime : e.firstTimestamp,
      now,
    );
    let lastSeen =
      parseTimestamp(e.lastTimestamp) === undefined
        ? firstSeen
        : timestampSince(e.lastTimestamp, now);
    let count = e.count;
    if (e.series !== undefined) {
      lastSeen = timestampSince(e.series.lastObservedTime, now);
      count = e.series.count;
    } else if (count === 0) {
      count = 1; // singleton events from the new API carry no count
    }
    const kind = e.involvedObject.kind.toLowerCase();
    const target = e.involvedObject.name === '' ? kind : `${kind}/${e.involvedObject.name}`;
    const component = firstNonEmpty(e.sourceComponent, e.reportingController);
    const instance = firstNonEmpty(e.sourceHost, e.reportingInstance);
    return {
      cells: [
        lastSeen,
        e.type,
        e.reason,
        target,
        e.involvedObject.fieldPath,
        instance === '' ? component : `${component}, ${instance}`,
        e.message.trim(),
        firstSeen,
        count,
        name(event),
      ],
    };
  },
};

export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', 'What the secret holds, which decides the keys it must have.'),
    column('Data', 'string', 'The number of keys in the secret.'),
    AGE_COLUMN,
  ],
  row(secret, now) {
    // stringData is merged into data on write, so count both.
    const keys = new Set([
      ...Object.keys(obj(at(secret, 'data'))),
      ...Object.keys(obj(at(secret, 'stringData'))),
    ]);
    return {
      cells: [name(secret), str(at(secret, 'type')) || 'Opaque', keys.size, age(secret, now)],
    };
  },
};

export const configMapPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Data', 'string', 'The number of keys in the config map.'),
    AGE_COLUMN,
  ],
  row: (cm, now) => ({
    cells: [
      name(cm),
      Object.keys(obj(at(cm, 'data'))).length + Object.keys(obj(at(cm, 'binaryData'))).length,
      age(cm, now),
    ],
  }),
};

function externalIP(svc: KubeObject, type: string): string {
  const externalIPs = list(at(svc, 'spec', 'externalIPs')).map(str);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = new Set<string>();
      for (const i of list(at(svc, 'status', 'loadBalancer', 'ingress'))) {
        const address = firstNonEmpty(at(i, 'ip'), at(i, 'hostname'));
        if (address !== '') ingress.add(address);
      }
      const all = [...[...ingress].sort(), ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(at(svc, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

function servicePorts(svc: KubeObject): string {
  const ports = list(at(svc, 'spec', 'ports')).map(p => {
    const protocol = str(at(p, 'protocol')) || 'TCP';
    const nodePort = int(at(p, 'nodePort'));
    const port = int(at(p, 'port'));
    return nodePort > 0 ? `${port}:${nodePort}/${protocol}` : `${port}/${protocol}`;
  });
  return ports.length > 0 ? ports.join(',') : '<none>';
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Type',
      'string',
      'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.',
    ),
    column(
      'Cluster-IP',
      'string',
      'The virtual IP the service is reachable on inside the cluster.',
    ),
    column('External-IP', 'string', 'Addresses outside the cluster that route to the service.'),
    column('Port(s)', 'string', 'The ports the service exposes.'),
    AGE_COLUMN,
    column('Selector', 'string', 'The pod labels that pick the pods traffic goes to.', {
      priority: 1,
    }),
  ],
  row(svc, now) {
    const type = str(at(svc, 'spec', 'type')) || 'ClusterIP';
    const clusterIP =
      str(list(at(svc, 'spec', 'clusterIPs'))[0]) || str(at(svc, 'spec', 'clusterIP')) || '<none>';
    return {
      cells: [
        name(svc),
        type,
        clusterIP,
        externalIP(svc, type),
        servicePorts(svc),
        age(svc, now),
        formatLabels(at(svc, 'spec', 'selector')),
      ],
    };
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Secrets', 'string', 'The number of secrets listed for the service account.'),
    AGE_COLUMN,
  ],
  row: (sa, now) => ({ cells: [name(sa), list(at(sa, 'secrets')).length, age(sa, now)] }),
};

export const leasePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Holder', 'string', 'The identity of the current holder of the lease.'),
    AGE_COLUMN,
  ],
  row: (lease, now) => ({
    cells: [name(lease), str(at(lease, 'spec', 'holderIdentity')), age(lease, now)],
  }),
};

/** Denied, Approved or Pending, then ",Failed" and ",Issued" as they apply. */
export function csrCondition(csr: KubeObject): string {
  const types = new Set(list(at(csr, 'status', 'conditions')).map(c => str(at(c, 'type'))));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (str(at(csr, 'status', 'certificate')) !== '') status += ',Issued';
  return status;
}

export const csrPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    column('SignerName', 'string', 'The signer the request is addressed to.'),
    column('Requestor', 'string', 'The user who created the request.'),
    column('RequestedDuration', 'string', 'The certificate lifetime the requestor asked for.'),
    column('Condition', 'string', 'Whether the request was approved, denied, failed or issued.'),
  ],
  row(csr, now) {
    const seconds = at(csr, 'spec', 'expirationSeconds');
    const cells: Json[] = [
      name(csr),
      age(csr, now),
      str(at(csr, 'spec', 'signerName')) || '<none>',
      str(at(csr, 'spec', 'username')),
      typeof seconds === 'number' ? humanDuration(Math.trunc(seconds) * 1000) : '<none>',
      csrCondition(csr),
    ];
    return { cells };
  },
};
