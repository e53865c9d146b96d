/**
 * Test helpers of the Kubernetes layer, for the core's own tests and for provider packages:
 * the testkit API server in a process of its own. Not part of the runtime API (it needs
 * `@vkubelet/testkit`, a dev dependency).
 */
export {
  startTestkitProcess,
  type TestkitProcess,
  type TestkitProcessOptions,
} from './test-support/testkit-process.ts';
