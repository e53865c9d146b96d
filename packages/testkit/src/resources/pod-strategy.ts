/**
 * Pods as kube-apiserver and its default admission plugins treat them: the defaults a new pod
 * gets (scheduler, DNS, grace period, service account token volume, default tolerations, QoS),
 * validation of the fields that matter, the narrow set of spec fields an update may change,
 * and graceful deletion.
 */
import { randomBytes } from 'node:crypto';
import type { StatusCause } from '../api-error.ts';
import { isPlainObject, type KubeObject } from '../kube-object.ts';
import { asObjectArray as asArray, asObject as asObj } from '../util/json-access.ts';
import type { DeleteDecision, ResourceStrategy } from './strategy.ts';
import {
  dns1123LabelErrors,
  forbidden,
  invalidValue,
  required,
  validateObjectMeta,
} from './validation.ts';

type Obj = Record<string, unknown>;

const SA_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

function defaultContainer(c: Obj): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
    const lastSegment = c.image.split('/').pop() ?? '';
    const tag = lastSegment.includes('@') ? 'digest' : lastSegment.split(':')[1];
    c.imagePullPolicy = tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  for (const port of asArray(c.ports)) port.protocol ??= 'TCP';
  // Requests default to limits when only limits are given.
  const resources = asObj(c.resources);
  if (isPlainObject(resources.limits) && resources.requests === undefined) {
    resources.requests = { ...resources.limits };
  }
}

function randomSuffix(length: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet.charAt(b % alphabet.length);
  return out;
}

/** The projected volume the ServiceAccount admission plugin adds (kube-api-access-xxxxx). */
function addServiceAccountVolume(spec: Obj): void {
  if (spec.automountServiceAccountToken === false) return;
  const containers = [...asArray(spec.containers), ...asArray(spec.initContainers)];
  const alreadyMounted = containers.some(c =>
    asArray(c.volumeMounts).some(m => m.mountPath === SA_MOUNT_PATH),
  );
  if (alreadyMounted) return;
  const name = `kube-api-access-${randomSuffix(5)}`;
  const volumes = asArray(spec.volumes);
  volumes.push({
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [
              {
                path: 'namespace',
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
              },
            ],
          },
        },
      ],
    },
  });
  spec.volumes = volumes;
  for (const c of containers) {
    const mounts = asArray(c.volumeMounts);
    mounts.push({ name, readOnly: true, mountPath: SA_MOUNT_PATH });
    c.volumeMounts = mounts;
  }
}

/** DefaultTolerationSeconds admission: tolerate not-ready/unreachable for 300 s. */
function addDefaultTolerations(spec: Obj): void {
  const tolerations = asArray(spec.tolerations);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some(
      t =>
        (t.key === key || (t.key === undefined && t.operator === 'Exists')) &&
        (t.effect === undefined || t.effect === 'NoExecute'),
    );
    if (!covered) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
  spec.tolerations = tolerations;
}

function qosClass(spec: Obj): string {
  const containers = [...asArray(spec.containers), ...asArray(spec.initContainers)];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const resources = asObj(c.resources);
    const requests = asObj(resources.requests);
    const limits = asObj(resources.limits);
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) anySet = true;
    for (const r of ['cpu', 'memory']) {
      if (limits[r] === undefined || (requests[r] !== undefined && requests[r] !== limits[r])) {
        guaranteed = false;
      }
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function validateContainers(list: Obj[], field: string, causes: StatusCause[]): void {
  const seen = new Set<string>();
  list.forEach((c, i) => {
    const at = `${field}[${i}]`;
    if (typeof c.name !== 'string' || c.name === '') {
      causes.push(required(`${at}.name`));
    } else {
      for (const e of dns1123LabelErrors(c.name))
        causes.push(invalidValue(`${at}.name`, c.name, e));
      if (seen.has(c.name)) {
        causes.push({
          reason: 'FieldValueDuplicate',
          field: `${at}.name`,
          message: `Duplicate value: "${c.name}"`,
        });
      }
      seen.add(c.name);
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') causes.push(required(`${at}.image`));
    asArray(c.env).forEach((e, j) => {
      if (typeof e.name !== 'string' || e.name === '')
        causes.push(required(`${at}.env[${j}].name`));
    });
    asArray(c.ports).forEach((p, j) => {
      const port = p.containerPort;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        causes.push(
          invalidValue(
            `${at}.ports[${j}].containerPort`,
            port,
            'must be between 1 and 65535, inclusive',
          ),
        );
      }
    });
  });
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

function validatePod(pod: KubeObject): StatusCause[] {
  const causes = validateObjectMeta(pod, { namespaced: true });
  if (!isPlainObject(pod.spec)) {
    causes.push(required('spec'));
    return causes;
  }
  const spec = pod.spec;
  const containers = asArray(spec.containers);
  if (containers.length === 0) causes.push(required('spec.containers'));
  validateContainers(containers, 'spec.containers', causes);
  validateContainers(asArray(spec.initContainers), 'spec.initContainers', causes);
  if (typeof spec.restartPolicy === 'string' && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.restartPolicy',
      message: `Unsupported value: "${spec.restartPolicy}": supported values: "Always", "OnFailure", "Never"`,
    });
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (typeof grace !== 'number' || grace < 0)) {
    causes.push(
      invalidValue(
        'spec.terminationGracePeriodSeconds',
        grace,
        'must be greater than or equal to 0',
      ),
    );
  }
  const volumeNames = new Set<string>();
  asArray(spec.volumes).forEach((v, i) => {
    if (typeof v.name !== 'string' || v.name === '')
      causes.push(required(`spec.volumes[${i}].name`));
    else volumeNames.add(v.name);
  });
  [...containers, ...asArray(spec.initContainers)].forEach(c => {
    for (const m of asArray(c.volumeMounts)) {
      if (typeof m.name === 'string' && !volumeNames.has(m.name)) {
        causes.push({
          reason: 'FieldValueNotFound',
          field: 'spec.containers[].volumeMounts.name',
          message: `Not found: "${m.name}"`,
        });
      }
    }
  });
  return causes;
}

/** The spec fields of a pod an update may change (PodSpec is otherwise immutable). */
function mutableSpecView(spec: Obj): Obj {
  const clean = (list: unknown): unknown => asArray(list).map(c => ({ ...c, image: undefined }));
  return {
    ...spec,
    containers: clean(spec.containers),
    initContainers: clean(spec.initContainers),
    ephemeralContainers: undefined,
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: undefined,
    schedulingGates: undefined,
  };
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

export const POD_STRATEGY: ResourceStrategy = {
  hasStatus: true,
  tracksGeneration: true,

  prepareForCreate(pod) {
    const spec = asObj(pod.spec);
    pod.spec = spec;
    spec.restartPolicy ??= 'Always';
    spec.dnsPolicy ??= 'ClusterFirst';
    spec.schedulerName ??= 'default-scheduler';
    spec.terminationGracePeriodSeconds ??= 30;
    spec.securityContext ??= {};
    spec.enableServiceLinks ??= true;
    spec.serviceAccountName ??=
      typeof spec.serviceAccount === 'string' ? spec.serviceAccount : 'default';
    spec.serviceAccount = spec.serviceAccountName;
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    for (const c of [...asArray(spec.containers), ...asArray(spec.initContainers)]) {
      defaultContainer(c);
    }
    addServiceAccountVolume(spec);
    addDefaultTolerations(spec);
    pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
  },

  validate: validatePod,

  validateUpdate(pod, old) {
    const causes = validatePod(pod);
    const spec = asObj(pod.spec);
    const oldSpec = asObj(old.spec);
    if (stableJson(mutableSpecView(spec)) !== stableJson(mutableSpecView(oldSpec))) {
      causes.push(
        forbidden(
          'spec',
          'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        ),
      );
    }
    const oldTolerations = asArray(oldSpec.tolerations).map(stableJson);
    const newTolerations = new Set(asArray(spec.tolerations).map(stableJson));
    if (oldTolerations.some(t => !newTolerations.has(t))) {
      causes.push(
        forbidden(
          'spec.tolerations',
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      );
    }
    return causes;
  },

  deleteDecision(pod, requestedGrace): DeleteDecision {
    const spec = asObj(pod.spec);
    const phase = asObj(pod.status).phase;
    // Unscheduled and finished pods have no kubelet to wait for: they go at once.
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') {
      return { immediate: true, gracePeriodSeconds: 0 };
    }
    const grace =
      requestedGrace ??
      (typeof spec.terminationGracePeriodSeconds === 'number'
        ? spec.terminationGracePeriodSeconds
        : 30);
    return grace === 0
      ? { immediate: true, gracePeriodSeconds: 0 }
      : { immediate: false, gracePeriodSeconds: grace };
  },
};

export { qosClass };
