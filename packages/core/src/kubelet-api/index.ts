/**
 * The kubelet HTTP API (port 10250): authentication, authorization, routes without the
 * streaming ones (exec/attach/portForward plug in through `extraRoutes`).
 */
export {
  ANONYMOUS_USER,
  bearerToken,
  forbiddenMessage,
  KubeletAuth,
  nodeAccessAttributes,
  subresourceForPath,
  verbForMethod,
  type AccessDecision,
  type KubeletAuthOptions,
  type NodeAccessAttributes,
  type ReviewToken,
  type SubjectAccessReview,
  type UserInfo,
} from './auth.ts';
export {
  errorAnswer,
  HttpError,
  NOT_FOUND_MESSAGE,
  NOT_IMPLEMENTED_MESSAGE,
  writeError,
  type ErrorAnswer,
} from './http-errors.ts';
export {
  kubeSubjectAccessReviewer,
  kubeTokenReviewer,
  type TokenReviewOptions,
} from './kube-reviews.ts';
export { parseLogOptions } from './log-options.ts';
export { matchRoute, param, type HttpRoute, type RouteContext, type RouteMatch } from './router.ts';
export { coreRoutes, PROMETHEUS_TEXT, streamLogs, type CoreRouteDeps } from './routes.ts';
export {
  KubeletApiServer,
  type KubeletApiServerOptions,
  type KubeletAuthenticationOptions,
} from './server.ts';
export type {
  ClientCaSource,
  KubeletTlsOptions,
  ServingCertificate,
  ServingCertificateSource,
} from './tls.ts';
