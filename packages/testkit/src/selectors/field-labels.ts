/**
 * Which field labels each resource accepts in a field selector, and the values its objects
 * carry under them. Acceptance mirrors kube-apiserver's field label conversion functions (and
 * their error messages); values mirror each registry strategy's GetAttrs/ToSelectableFields.
 * Resources without a conversion function get runtime.DefaultMetaV1FieldSelectorConversion.
 */
import type { KubeObject } from '../kube-object.ts';
import { eventView } from './event-view.ts';
import { goQuote } from './go-format.ts';
import { at, int, list, str } from './object-access.ts';
import { resolveResourceKey } from './resource-key.ts';

export type FieldLabelConversion =
  { readonly ok: true; readonly field: string } | { readonly ok: false; readonly message: string };

export interface FieldLabelSpec {
  /** Every label the apiserver accepts for this resource. */
  readonly labels: readonly string[];
  /** Maps a client's label to the field the registry selects on, or says why not. */
  convert(label: string): FieldLabelConversion;
  /** The object's selectable fields; a field not present reads as ''. */
  fields(obj: KubeObject): Readonly<Record<string, string>>;
}

type Fields = Record<string, string>;

function metaFields(obj: KubeObject, namespaced: boolean): Fields {
  const fields: Fields = { 'metadata.name': obj.metadata.name ?? '' };
  if (namespaced) fields['metadata.namespace'] = obj.metadata.namespace ?? '';
  return fields;
}

/** A conversion that accepts `labels` (plus renamed `aliases`) and rejects the rest with `reject`. */
function spec(
  labels: readonly string[],
  reject: (label: string) => string,
  fields: (obj: KubeObject) => Fields,
  aliases: Readonly<Record<string, string>> = {},
): FieldLabelSpec {
  const accepted = new Set(labels);
  return {
    labels: [...labels, ...Object.keys(aliases)],
    convert(label) {
      const alias = aliases[label];
      if (alias !== undefined) return { ok: true, field: alias };
      return accepted.has(label)
        ? { ok: true, field: label }
        : { ok: false, message: reject(label) };
    },
    fields,
  };
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

const defaultReject = (label: string): string =>
  `${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`;

/** runtime.DefaultMetaV1FieldSelectorConversion with the generic registry's default attrs. */
// Cluster-scoped objects have no namespace, so metadata.namespace reads as '' for them.
const DEFAULT_SPEC = spec(['metadata.name', 'metadata.namespace'], defaultReject, obj =>
  metaFields(obj, true),
);

function podFields(pod: KubeObject): Fields {
  // Registry defaulting guarantees these on stored pods; fill them in if the caller's object lacks them.
  const podIP = str(at(pod, 'status', 'podIP')) || str(at(pod, 'status', 'podIPs', 0, 'ip'));
  return {
    ...metaFields(pod, true),
    'spec.nodeName': str(at(pod, 'spec', 'nodeName')),
    'spec.restartPolicy': str(at(pod, 'spec', 'restartPolicy')) || 'Always',
    'spec.schedulerName': str(at(pod, 'spec', 'schedulerName')) || 'default-scheduler',
    'spec.serviceAccountName': str(at(pod, 'spec', 'serviceAccountName')),
    'spec.hostNetwork': String(at(pod, 'spec', 'hostNetwork') === true),
    'status.phase': str(at(pod, 'status', 'phase')) || 'Pending',
    'status.podIP': podIP,
    'status.nominatedNodeName': str(at(pod, 'status', 'nominatedNodeName')),
  };
}

function eventFields(event: KubeObject): Fields {
  const e = eventView(event);
  return {
    ...metaFields(event, true),
    'involvedObject.kind': e.involvedObject.kind,
    'involvedObject.namespace': e.involvedObject.namespace,
    'involvedObject.name': e.involvedObject.name,
    'involvedObject.uid': e.involvedObject.uid,
    'involvedObject.apiVersion': e.involvedObject.apiVersion,
    'involvedObject.resourceVersion': e.involvedObject.resourceVersion,
    'involvedObject.fieldPath': e.involvedObject.fieldPath,
    reason: e.reason,
    reportingComponent: e.reportingController,
    source: e.sourceComponent || e.reportingController,
    type: e.type,
  };
}

const CORE_EVENT_LABELS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
  'metadata.namespace',
  'metadata.name',
];

// events.k8s.io/v1 names mapped onto the core fields the shared registry selects on.
const EVENTS_V1_MAPPING: Readonly<Record<string, string>> = {
  reason: 'reason',
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  source: 'source',
  type: 'type',
  'metadata.namespace': 'metadata.namespace',
  'metadata.name': 'metadata.name',
};

const SPECS: Readonly<Record<string, FieldLabelSpec>> = {
  pods: spec(
    [
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      // Accepted but not among the selectable fields, so it only ever equals ''.
      'status.podIPs',
      'status.nominatedNodeName',
    ],
    notSupported,
    podFields,
    // Old v1 clients send spec.host.
    { 'spec.host': 'spec.nodeName' },
  ),
  nodes: spec(['metadata.name', 'spec.unschedulable'], notSupported, node => ({
    ...metaFields(node, false),
    'spec.unschedulable': String(at(node, 'spec', 'unschedulable') === true),
  })),
  namespaces: spec(['status.phase', 'metadata.name'], notSupported, ns => ({
    ...metaFields(ns, false),
    'status.phase': str(at(ns, 'status', 'phase')) || 'Active',
  })),
  secrets: spec(['type', 'metadata.namespace', 'metadata.name'], notSupported, secret => ({
    ...metaFields(secret, true),
    type: str(at(secret, 'type')) || 'Opaque',
  })),
  services: spec(
    ['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'],
    notSupported,
    svc => ({
      ...metaFields(svc, true),
      'spec.clusterIP':
        str(at(svc, 'spec', 'clusterIP')) || str(list(at(svc, 'spec', 'clusterIPs'))[0]),
      'spec.type': str(at(svc, 'spec', 'type')) || 'ClusterIP',
    }),
  ),
  replicationcontrollers: spec(
    ['metadata.name', 'metadata.namespace', 'status.replicas'],
    notSupported,
    rc => ({
      ...metaFields(rc, true),
      'status.replicas': String(int(at(rc, 'status', 'replicas'))),
    }),
  ),
  events: spec(CORE_EVENT_LABELS, notSupported, eventFields),
  'events.events.k8s.io': {
    labels: Object.keys(EVENTS_V1_MAPPING),
    convert(label) {
      const field = EVENTS_V1_MAPPING[label];
      return field === undefined
        ? { ok: false, message: notSupported(label) }
        : { ok: true, field };
    },
    fields: eventFields,
  },
  'jobs.batch': spec(
    ['metadata.name', 'metadata.namespace', 'status.successful'],
    label => `field label ${goQuote(label)} not supported for batchv1.Job`,
    job => ({
      ...metaFields(job, true),
      'status.successful': String(int(at(job, 'status', 'succeeded'))),
    }),
  ),
  'certificatesigningrequests.certificates.k8s.io': spec(
    ['metadata.name', 'spec.signerName'],
    notSupported,
    csr => ({ ...metaFields(csr, false), 'spec.signerName': str(at(csr, 'spec', 'signerName')) }),
  ),
};

/** The field label rules for `resource` (see resolveResourceKey for naming). */
export function fieldLabelSpec(resource: string): FieldLabelSpec {
  const key = resolveResourceKey(resource, Object.keys(SPECS));
  return key === undefined ? DEFAULT_SPEC : (SPECS[key] ?? DEFAULT_SPEC);
}

/** The field labels a field selector on `resource` may use. */
export function supportedFieldLabels(resource: string): readonly string[] {
  return fieldLabelSpec(resource).labels;
}

/** Formats a custom resource's selectable field value the way the CRD handler does. */
function selectableValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return undefined;
}

/**
 * Field label rules for a custom resource: metadata.name, metadata.namespace when namespaced, and
 * the CRD version's `selectableFields` (jsonPaths like `.spec.color`).
 */
export function customResourceFieldLabels(options: {
  readonly namespaced: boolean;
  readonly selectableFields?: readonly string[];
}): FieldLabelSpec {
  const paths = (options.selectableFields ?? []).map(p => p.replace(/^\./, ''));
  const labels = ['metadata.name', ...(options.namespaced ? ['metadata.namespace'] : []), ...paths];
  return spec(labels, notSupported, obj => {
    const fields = metaFields(obj, options.namespaced);
    for (const path of paths) {
      const value = selectableValue(at(obj, ...path.split('.')));
      if (value !== undefined) fields[path] = value;
    }
    return fields;
  });
}
