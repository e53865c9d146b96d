/**
 * `ReviewToken` and `SubjectAccessReview` over the core's KubeClient: a TokenReview and a
 * SubjectAccessReview posted to the API server, as the kubelet's webhook authenticator and
 * authorizer send them.
 */
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/types.ts';
import type { AccessDecision, ReviewToken, SubjectAccessReview, UserInfo } from './auth.ts';

const TOKEN_REVIEWS = { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' };
const SUBJECT_ACCESS_REVIEWS = {
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'subjectaccessreviews',
};

interface TokenReviewAnswer extends KubeObject {
  readonly status?: {
    readonly authenticated?: boolean;
    readonly user?: {
      readonly username?: string;
      readonly uid?: string;
      readonly groups?: readonly string[];
      readonly extra?: Readonly<Record<string, readonly string[]>>;
    };
    readonly error?: string;
  };
}

interface SubjectAccessReviewAnswer extends KubeObject {
  readonly status?: {
    readonly allowed?: boolean;
    readonly denied?: boolean;
    readonly reason?: string;
    readonly evaluationError?: string;
  };
}

export interface TokenReviewOptions {
  /** `spec.audiences`; absent: the API server's own audiences. */
  readonly audiences?: readonly string[];
}

/** Reviews bearer tokens with `POST /apis/authentication.k8s.io/v1/tokenreviews`. */
export function kubeTokenReviewer(
  client: KubeClient,
  options: TokenReviewOptions = {},
): ReviewToken {
  return async (token, signal) => {
    const answer = await client.create<TokenReviewAnswer>(
      TOKEN_REVIEWS,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, ...(options.audiences ? { audiences: options.audiences } : {}) },
      },
      { signal },
    );
    const status = answer.status;
    const username = status?.user?.username ?? '';
    if (status?.authenticated !== true || username === '') return undefined;
    const user: UserInfo = {
      username,
      groups: [...(status.user?.groups ?? [])],
      ...(status.user?.uid ? { uid: status.user.uid } : {}),
      ...(status.user?.extra ? { extra: status.user.extra } : {}),
    };
    return user;
  };
}

/** Authorizes with `POST /apis/authorization.k8s.io/v1/subjectaccessreviews`. */
export function kubeSubjectAccessReviewer(client: KubeClient): SubjectAccessReview {
  return async (attributes, signal) => {
    const { user } = attributes;
    const answer = await client.create<SubjectAccessReviewAnswer>(
      SUBJECT_ACCESS_REVIEWS,
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          groups: user.groups,
          ...(user.uid ? { uid: user.uid } : {}),
          ...(user.extra ? { extra: user.extra } : {}),
          resourceAttributes: {
            verb: attributes.verb,
            group: attributes.apiGroup,
            version: attributes.apiVersion,
            resource: attributes.resource,
            subresource: attributes.subresource,
            name: attributes.name,
          },
        },
      },
      { signal },
    );
    const status = answer.status;
    const decision: AccessDecision = {
      allowed: status?.allowed === true && status.denied !== true,
      ...(status?.reason ? { reason: status.reason } : {}),
    };
    return decision;
  };
}
