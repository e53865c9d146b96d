/**
 * What the CLI kit produces: a fully resolved configuration (every default applied, every value
 * validated) or one of the informational results the app prints. Durations are milliseconds.
 */
import type { Taint } from 'kubernetes-types/core/v1.d.ts';
import type { LogLevel } from '../observability/logger.ts';

/** The app that embeds the kit: one binary, one provider. */
export interface AppInfo {
  /** The binary's name, e.g. `vk-mock`. */
  readonly name: string;
  /** The one provider compiled in, e.g. `mock`. */
  readonly provider: string;
  readonly version: string;
}

/** The only I/O parsing does; injectable for tests. Both are synchronous. */
export interface CliIo {
  /** The config file's text; throws (with `code: 'ENOENT'` when missing) like fs.readFileSync. */
  readonly readFile: (path: string) => string;
  readonly exists: (path: string) => boolean;
}

export type OperatingSystem = 'linux' | 'windows';
export type ShutdownAction = 'none' | 'taint' | 'delete';
export type ServingCertMode = 'file' | 'csr' | 'self-signed';
export type AuthorizationMode = 'Webhook' | 'AlwaysAllow';
export type CliLogLevel = Exclude<LogLevel, 'silent'>;
export type TraceExporter = 'otlp';

/** One virtual node. A process may serve several, each with its own lease and kubelet port. */
export interface NodeConfig {
  /** The Node object's name (`--nodename`, `$DEFAULT_NODE_NAME`, default `virtual-kubelet`). */
  readonly nodeName: string;
  /** Handed to the provider as is (`--provider-config`); checked to exist. */
  readonly providerConfigPath: string | undefined;
  /** Extra labels on top of the ones every virtual node gets (`--node-labels`). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The taints to register with: by default `virtual-kubelet.io/provider=<provider>:NoSchedule`
   * (key, value and effect from `--taint`/`$VKUBELET_TAINT_*`), none with `--disable-taint`,
   * then any `--register-with-taints`.
   */
  readonly taints: readonly Taint[];
  /** `--os`: linux or windows. */
  readonly operatingSystem: OperatingSystem;
  /** The InternalIP to advertise and hand to the provider (`$VKUBELET_POD_IP`); none if unset. */
  readonly internalIP: string | undefined;
  /** The kubelet API's port (`$KUBELET_PORT`, 10250); consecutive ports for several nodes. */
  readonly kubeletPort: number;
}

export interface TlsConfig {
  /**
   * Where the kubelet API's serving certificate comes from: `file` (the paths below), `csr`
   * (requested from the cluster with signer kubernetes.io/kubelet-serving and rotated), or
   * `self-signed`. Default `file` when a certificate file is set, else `self-signed`.
   */
  readonly servingCertMode: ServingCertMode;
  /** `$APISERVER_CERT_LOCATION` / `--tls-cert-file`; set (with `keyFile`) when mode is `file`. */
  readonly certFile: string | undefined;
  /** `$APISERVER_KEY_LOCATION` / `--tls-private-key-file`. */
  readonly keyFile: string | undefined;
  /** `$APISERVER_CA_CERT_LOCATION` / `--client-ca-file`: client certificates signed by it authenticate. */
  readonly clientCAFile: string | undefined;
}

export interface AuthConfig {
  /** Requests without credentials are let through as `system:anonymous` (default false). */
  readonly anonymousAuth: boolean;
  /** Bearer tokens are checked with a TokenReview (default true). */
  readonly authenticationTokenWebhook: boolean;
  /** `Webhook` asks the API server (SubjectAccessReview); `AlwaysAllow` allows everyone authenticated. */
  readonly authorizationMode: AuthorizationMode;
}

export interface TracingConfig {
  /** Empty: tracing off. Only OTLP is implemented (its endpoint comes from `OTEL_EXPORTER_OTLP_*`). */
  readonly exporters: readonly TraceExporter[];
  readonly serviceName: string;
  /** `--trace-tag`s; the reserved keys operatingSystem, provider and nodeName are added per node. */
  readonly tags: Readonly<Record<string, string>>;
  /** Fraction of traces sampled, 0..1 (`always` = 1, `never` = 0, `25` = 0.25). */
  readonly sampleRate: number;
}

export interface VirtualKubeletConfig {
  /** The provider this app runs. */
  readonly provider: string;
  /** At least one; names and kubelet ports are unique. */
  readonly nodes: readonly NodeConfig[];
  /** A kubeconfig path, or undefined for the in-cluster configuration. */
  readonly kubeconfig: string | undefined;
  /** API client rate limit; 0 means unthrottled. */
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
  /** Concurrent pod sync workers (API to provider); at least 1. */
  readonly podSyncWorkers: number;
  /** Concurrent pod status writers (provider to API); at least 1. */
  readonly statusWorkers: number;
  /** Failed creates before a pod is marked Failed; at least 1. */
  readonly maxCreateAttempts: number;
  /** Accepted for compatibility with upstream's informer resync. */
  readonly fullResyncPeriodMs: number;
  /** How long to wait for the node to be Ready; 0 waits forever. */
  readonly startupTimeoutMs: number;
  /** A streaming connection (exec, attach, port-forward) idle this long is closed. */
  readonly streamIdleTimeoutMs: number;
  /** A streaming connection must be set up within this long. */
  readonly streamCreationTimeoutMs: number;
  /** Handed to providers (pod DNS search domains). */
  readonly clusterDomain: string;
  /** Node status is written on change and at least this often. */
  readonly nodeStatusIntervalMs: number;
  readonly leaseDurationSeconds: number;
  /** Register the Node again if someone deletes it. */
  readonly reRegisterNode: boolean;
  /** Give a burst's memory back once the process is quiet (needs `node --expose-gc`). */
  readonly heapCompaction: boolean;
  /** What happens to each Node on graceful shutdown. */
  readonly onShutdown: ShutdownAction;
  readonly logLevel: CliLogLevel;
  /** `host:port` for our Prometheus metrics; '' disables them. */
  readonly metricsAddr: string;
  readonly tls: TlsConfig;
  readonly auth: AuthConfig;
  readonly tracing: TracingConfig;
  /** The `--config` file read, if any (for the startup log). */
  readonly configFile: string | undefined;
}

export type CommandLineResult =
  | {
      readonly kind: 'run';
      readonly config: VirtualKubeletConfig;
      /** Things accepted but ignored or deprecated; the app logs them. */
      readonly warnings: readonly string[];
    }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string }
  /** `providers [name]`: print `text` (to stderr when `exitCode` is not 0) and exit with it. */
  | { readonly kind: 'providers'; readonly text: string; readonly exitCode: 0 | 1 };
