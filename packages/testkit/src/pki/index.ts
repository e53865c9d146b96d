/** The test API server's PKI: its CA, client-certificate users, CSR signing, service-account tokens. */
export {
  CertificateAuthority,
  type ClientCertificateOptions,
  type CreateCertificateAuthorityOptions,
  type IssuedCertificate,
  type LoadCertificateAuthorityOptions,
  type ServerCertificateOptions,
  type SignCertificateSigningRequestOptions,
} from './certificate-authority.ts';
export {
  createCertificateSigningRequest,
  parseCertificateSigningRequest,
  type CertificateSigningRequestInfo,
  type CertificateSigningRequestPem,
  type CreateCertificateSigningRequestOptions,
} from './certificate-signing-request.ts';
export {
  CREDENTIAL_ID_EXTRA,
  userFromPeerCertificate,
  type ClientCertificate,
  type ClientCertificateUser,
} from './client-certificate-user.ts';
export { KEY_USAGES, isKeyUsage, keyUsageCauses, type KeyUsage } from './key-usages.ts';
export {
  DEFAULT_SIGNING_DURATION_SECONDS,
  isBuiltInSignerName,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  MIN_SIGNING_DURATION_SECONDS,
  SignerValidationError,
  type BuiltInSignerName,
} from './signers.ts';
export {
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  MAX_TOKEN_EXPIRATION_SECONDS,
  MIN_TOKEN_EXPIRATION_SECONDS,
  SERVICE_ACCOUNT_EXTRA_KEYS,
  serviceAccountUsername,
  ServiceAccountTokenIssuer,
  type CreateServiceAccountTokenIssuerOptions,
  type IssuedToken,
  type IssueTokenOptions,
  type JsonWebKeySet,
  type KubernetesClaims,
  type ObjectRef,
  type ServiceAccountUser,
  type TokenSigningAlgorithm,
  type TokenVerification,
  type VerifyTokenOptions,
} from './service-account-token.ts';
