/**
 * @vkubelet/testkit: a Kubernetes API server for tests, benchmarks and local demos.
 *
 * ```ts
 * import { TestApiServer } from '@vkubelet/testkit';
 * const server = await TestApiServer.start({ scheduler: true });
 * await writeFile('kubeconfig', server.kubeconfig());
 * // ... run kubectl or a client against server.url ...
 * server.faults.dropWatches({ resource: 'pods' });
 * await server.stop();
 * ```
 *
 * A server in another process (the `vk-testkit` bin) is driven through `TestkitControlClient`.
 */
export { ApiError, type StatusObject, type StatusReason } from './api-error.ts';
export type { KubeObject, ObjectMeta, OwnerReference } from './kube-object.ts';
export {
  ADMIN_TOKEN,
  API_AUDIENCE,
  TestApiServer,
  type TestApiServerOptions,
} from './server/api-server.ts';
export type { AccessRule, DefaultPolicy, UserInfo } from './server/auth.ts';
export type { FaultOperation } from './server/control.ts';
export type { InjectedError, RequestMatch } from './server/faults.ts';
export type { RequestCount } from './server/request-counter.ts';
export { TestkitControlClient } from './control-client.ts';
export { createCertificateSigningRequest } from './pki/index.ts';
export { startTestkitProcess, type TestkitProcess, type TestkitProcessOptions } from './process.ts';
