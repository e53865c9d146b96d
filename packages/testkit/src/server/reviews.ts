/**
 * The create-only endpoints that compute an answer instead of storing an object (TokenReview,
 * SubjectAccessReview and friends), and the pod and service-account subresources that act on
 * other objects (binding, eviction, token).
 */
import { ApiError } from '../api-error.ts';
import { isPlainObject, type KubeObject } from '../kube-object.ts';
import { findResource, type ResourceDescriptor } from '../resources/registry.ts';
import { asObject as obj, asString } from '../util/json-access.ts';
import type { Authenticator, Authorizer, UserInfo } from './auth.ts';
import { rfc3339, type Rest } from './rest.ts';

type Obj = Record<string, unknown>;

export interface TokenIssuer {
  issue(request: {
    namespace: string;
    serviceAccountName: string;
    serviceAccountUid: string;
    audiences: string[];
    expirationSeconds: number;
    boundObject?: { kind: 'Pod' | 'Secret'; name: string; uid: string };
    nodeName?: string;
    nodeUid?: string;
  }): Promise<{ token: string; expirationTimestamp: Date | string }>;
  /** Audience-checked verification; the user for a valid token. */
  verifyForReview(
    token: string,
    audiences: string[] | undefined,
  ): Promise<{ user: UserInfo; audiences: string[] } | undefined>;
}

export interface ReviewDeps {
  readonly rest: Rest;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly tokens: TokenIssuer;
  readonly apiAudiences: readonly string[];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function userOut(user: UserInfo): Obj {
  return {
    username: user.username,
    ...(user.uid !== undefined ? { uid: user.uid } : {}),
    groups: [...user.groups],
    ...(user.extra !== undefined ? { extra: user.extra } : {}),
  };
}

function requireSpec(body: unknown, kind: string): Obj {
  if (!isPlainObject(body) || !isPlainObject(body.spec)) {
    throw ApiError.invalid(kind, '', [
      { field: 'spec', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
  }
  return body.spec;
}

/** Answers a POST to one of the review resources. */
export async function review(
  deps: ReviewDeps,
  d: ResourceDescriptor,
  body: unknown,
  requester: UserInfo,
): Promise<Obj> {
  const base = {
    apiVersion: `${d.group}/${d.version}`,
    kind: d.kind,
    metadata: { creationTimestamp: null },
  };
  switch (d.resource) {
    case 'tokenreviews': {
      const spec = requireSpec(body, d.kind);
      const token = typeof spec.token === 'string' ? spec.token : '';
      const requested = strings(spec.audiences);
      const audiences = requested.length > 0 ? requested : undefined;
      let status: Obj = { user: {}, authenticated: false, error: 'token not recognized' };
      const sa = await deps.tokens.verifyForReview(token, audiences);
      if (sa) {
        status = {
          authenticated: true,
          user: userOut(withAuthenticated(sa.user)),
          audiences: sa.audiences,
        };
      } else {
        const user = await deps.authenticator.authenticateToken(token);
        // Static tokens are valid for the API server's own audiences only.
        const audienceOk =
          audiences === undefined || audiences.some(a => deps.apiAudiences.includes(a));
        if (user && audienceOk) {
          status = {
            authenticated: true,
            user: userOut(user),
            audiences: audiences ?? [...deps.apiAudiences],
          };
        }
      }
      return { ...base, spec, status };
    }
    case 'subjectaccessreviews':
    case 'selfsubjectaccessreviews': {
      const spec = requireSpec(body, d.kind);
      const user: UserInfo =
        d.resource === 'subjectaccessreviews'
          ? {
              username: typeof spec.user === 'string' ? spec.user : '',
              groups: strings(spec.groups),
              ...(typeof spec.uid === 'string' ? { uid: spec.uid } : {}),
            }
          : requester;
      if (
        d.resource === 'subjectaccessreviews' &&
        !spec.user &&
        strings(spec.groups).length === 0
      ) {
        throw ApiError.invalid(
          d.kind,
          '',
          [
            {
              field: 'spec.user',
              reason: 'FieldValueInvalid',
              message: 'Invalid value: "": at least one of user or group must be specified',
            },
          ],
          d.group,
        );
      }
      const res = spec.resourceAttributes;
      const nonRes = spec.nonResourceAttributes;
      if (!isPlainObject(res) && !isPlainObject(nonRes)) {
        throw ApiError.invalid(
          d.kind,
          '',
          [
            {
              field: 'spec.resourceAttributes',
              reason: 'FieldValueRequired',
              message:
                'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
            },
          ],
          d.group,
        );
      }
      const decision = isPlainObject(res)
        ? deps.authorizer.authorize({
            user,
            verb: asString(res.verb),
            resourceRequest: true,
            group: asString(res.group),
            resource: asString(res.resource),
            ...(typeof res.subresource === 'string' && res.subresource !== ''
              ? { subresource: res.subresource }
              : {}),
            ...(typeof res.namespace === 'string' && res.namespace !== ''
              ? { namespace: res.namespace }
              : {}),
            ...(typeof res.name === 'string' && res.name !== '' ? { name: res.name } : {}),
          })
        : deps.authorizer.authorize({
            user,
            verb: asString(obj(nonRes).verb),
            resourceRequest: false,
            path: asString(obj(nonRes).path),
          });
      const status: Obj = { allowed: decision.allowed };
      if (decision.reason) status.reason = decision.reason;
      return { ...base, spec, status };
    }
    case 'selfsubjectreviews':
      return { ...base, status: { userInfo: userOut(requester) } };
    case 'selfsubjectrulesreviews': {
      const spec = requireSpec(body, d.kind);
      const all = deps.authorizer.authorize({
        user: requester,
        verb: '*',
        resourceRequest: true,
        resource: '*',
      });
      return {
        ...base,
        spec,
        status: {
          resourceRules: all.allowed ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] : [],
          nonResourceRules: all.allowed ? [{ verbs: ['*'], nonResourceURLs: ['*'] }] : [],
          incomplete: !all.allowed,
        },
      };
    }
    default:
      throw ApiError.methodNotAllowed(`${d.resource} cannot be created here`);
  }
}

function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes('system:authenticated')
    ? user
    : { ...user, groups: [...user.groups, 'system:authenticated'] };
}

const PODS = findResource('', 'v1', 'pods') as ResourceDescriptor;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts') as ResourceDescriptor;

/** POST pods/{name}/binding: what kube-scheduler calls to place a pod on a node. */
export function bindPod(rest: Rest, namespace: string, name: string, body: unknown): Obj {
  const binding = obj(body);
  const target = obj(binding.target);
  const nodeName = typeof target.name === 'string' ? target.name : '';
  if (nodeName === '') {
    throw ApiError.invalid('Binding', name, [
      { field: 'target.name', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
  }
  if (target.kind !== undefined && target.kind !== 'Node' && target.kind !== '') {
    throw ApiError.invalid('Binding', name, [
      {
        field: 'target.kind',
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: "${asString(target.kind)}": supported values: "Node", ""`,
      },
    ]);
  }
  const pod = rest.get(PODS, namespace, name);
  const meta = obj(binding.metadata);
  if (typeof meta.uid === 'string' && meta.uid !== pod.metadata.uid) {
    throw ApiError.conflict(
      'pods',
      name,
      'Precondition failed: UID in precondition does not match the pod',
      '',
    );
  }
  if (pod.metadata.deletionTimestamp) {
    throw ApiError.conflict('pods', name, 'pod is being deleted, cannot be assigned to a host', '');
  }
  const spec = obj(pod.spec);
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '') {
    throw ApiError.conflict(
      'pods',
      name,
      `pod ${name} is already assigned to node "${spec.nodeName}"`,
      '',
    );
  }
  const next = structuredClone(pod);
  (next.spec as Obj).nodeName = nodeName;
  const status = obj(next.status);
  const conditions = Array.isArray(status.conditions)
    ? status.conditions.filter(isPlainObject)
    : [];
  const scheduled = {
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: rfc3339(new Date()),
  };
  const index = conditions.findIndex(c => c.type === 'PodScheduled');
  if (index >= 0) conditions[index] = scheduled;
  else conditions.push(scheduled);
  status.conditions = conditions;
  next.status = status;
  // Binding writes spec and status together, as the binding REST storage does.
  rest.update(PODS, namespace, name, next, { subresource: 'binding' });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/** POST serviceaccounts/{name}/token: a TokenRequest answered with a signed, bound JWT. */
export async function requestToken(
  deps: ReviewDeps,
  namespace: string,
  name: string,
  body: unknown,
): Promise<Obj> {
  const sa = deps.rest.get(SERVICE_ACCOUNTS, namespace, name);
  const request = obj(body);
  const spec = obj(request.spec);
  const expirationSeconds =
    spec.expirationSeconds === undefined ? 3600 : Number(spec.expirationSeconds);
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < 600) {
    throw ApiError.invalid(
      'TokenRequest',
      name,
      [
        {
          field: 'spec.expirationSeconds',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${String(spec.expirationSeconds)}: may not specify a duration less than 10 minutes`,
        },
      ],
      'authentication.k8s.io',
    );
  }
  const audiences = strings(spec.audiences);
  let boundObject: { kind: 'Pod' | 'Secret'; name: string; uid: string } | undefined;
  let nodeName: string | undefined;
  const ref = spec.boundObjectRef;
  if (isPlainObject(ref)) {
    if (ref.kind !== 'Pod') {
      throw ApiError.badRequest(`cannot bind token to object of type ${String(ref.kind)}`);
    }
    const pod: KubeObject = deps.rest.get(PODS, namespace, asString(ref.name));
    if (typeof ref.uid === 'string' && ref.uid !== '' && ref.uid !== pod.metadata.uid) {
      throw ApiError.conflict(
        'pods',
        String(ref.name),
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        '',
      );
    }
    boundObject = { kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
    const podNode = obj(pod.spec).nodeName;
    if (typeof podNode === 'string' && podNode !== '') nodeName = podNode;
  }
  const issued = await deps.tokens.issue({
    namespace,
    serviceAccountName: name,
    serviceAccountUid: sa.metadata.uid ?? '',
    audiences: audiences.length > 0 ? audiences : [...deps.apiAudiences],
    expirationSeconds,
    ...(boundObject ? { boundObject } : {}),
    ...(nodeName !== undefined ? { nodeName } : {}),
  });
  const expiry =
    issued.expirationTimestamp instanceof Date
      ? rfc3339(issued.expirationTimestamp)
      : issued.expirationTimestamp;
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: {
      ...spec,
      audiences: audiences.length > 0 ? audiences : [...deps.apiAudiences],
      expirationSeconds,
    },
    status: { token: issued.token, expirationTimestamp: expiry },
  };
}
