/** Which message a protobuf body holds, from the apiVersion and kind of its envelope. */

const CORE = 'k8s.io.api.core.v1';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const AUTHN = 'k8s.io.api.authentication.v1';
const AUTHZ = 'k8s.io.api.authorization.v1';

const KINDS: ReadonlyMap<string, string> = new Map([
  ['v1 Secret', `${CORE}.Secret`],
  ['v1 ConfigMap', `${CORE}.ConfigMap`],
  ['v1 Namespace', `${CORE}.Namespace`],
  ['v1 ServiceAccount', `${CORE}.ServiceAccount`],
  ['v1 Service', `${CORE}.Service`],
  ['v1 Pod', `${CORE}.Pod`],
  ['v1 Binding', `${CORE}.Binding`],
  ['authentication.k8s.io/v1 TokenRequest', `${AUTHN}.TokenRequest`],
  ['authentication.k8s.io/v1 TokenReview', `${AUTHN}.TokenReview`],
  ['authentication.k8s.io/v1 SelfSubjectReview', `${AUTHN}.SelfSubjectReview`],
  // kubectl 1.27 asks the beta and alpha versions first; the message is the same.
  ['authentication.k8s.io/v1beta1 SelfSubjectReview', `${AUTHN}.SelfSubjectReview`],
  ['authentication.k8s.io/v1alpha1 SelfSubjectReview', `${AUTHN}.SelfSubjectReview`],
  ['authorization.k8s.io/v1 SelfSubjectAccessReview', `${AUTHZ}.SelfSubjectAccessReview`],
  ['authorization.k8s.io/v1 SelfSubjectRulesReview', `${AUTHZ}.SelfSubjectRulesReview`],
  ['authorization.k8s.io/v1 SubjectAccessReview', `${AUTHZ}.SubjectAccessReview`],
  // Same shape as SubjectAccessReview.
  ['authorization.k8s.io/v1 LocalSubjectAccessReview', `${AUTHZ}.SubjectAccessReview`],
  [
    'certificates.k8s.io/v1 CertificateSigningRequest',
    'k8s.io.api.certificates.v1.CertificateSigningRequest',
  ],
  ['policy/v1 Eviction', 'k8s.io.api.policy.v1.Eviction'],
  ['policy/v1beta1 Eviction', 'k8s.io.api.policy.v1.Eviction'],
]);

/** The message type's full name, or undefined for kinds this module does not decode. */
export function messageTypeFor(apiVersion: string, kind: string): string | undefined {
  // DeleteOptions is registered in every group version (a pod DELETE sends it as v1).
  if (kind === 'DeleteOptions') return `${META}.DeleteOptions`;
  return KINDS.get(`${apiVersion} ${kind}`);
}
