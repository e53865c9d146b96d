/** The package version, reported as the provider's version and the node's container runtime. */
export const MOCK_PROVIDER_VERSION = '0.1.0';
