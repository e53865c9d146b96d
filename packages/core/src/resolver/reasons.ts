/**
 * Event reasons the resolver reports. The env ones are upstream Virtual Kubelet's names (tools
 * and alerts match on them); volume failures use the kubelet's `FailedMount`.
 */
export const Reasons = {
  InvalidEnvironmentVariableNames: 'InvalidEnvironmentVariableNames',
  OptionalConfigMapNotFound: 'OptionalConfigMapNotFound',
  OptionalConfigMapKeyNotFound: 'OptionalConfigMapKeyNotFound',
  FailedToReadOptionalConfigMap: 'FailedToReadOptionalConfigMap',
  OptionalSecretNotFound: 'OptionalSecretNotFound',
  OptionalSecretKeyNotFound: 'OptionalSecretKeyNotFound',
  FailedToReadOptionalSecret: 'FailedToReadOptionalSecret',
  MandatoryConfigMapNotFound: 'MandatoryConfigMapNotFound',
  MandatoryConfigMapKeyNotFound: 'MandatoryConfigMapKeyNotFound',
  FailedToReadMandatoryConfigMap: 'FailedToReadMandatoryConfigMap',
  MandatorySecretNotFound: 'MandatorySecretNotFound',
  MandatorySecretKeyNotFound: 'MandatorySecretKeyNotFound',
  FailedToReadMandatorySecret: 'FailedToReadMandatorySecret',
  FailedMount: 'FailedMount',
  /** A projected source this core cannot resolve (clusterTrustBundle, podCertificate). */
  UnsupportedVolumeSource: 'UnsupportedVolumeSource',
} as const;

export type Reason = (typeof Reasons)[keyof typeof Reasons];
