/**
 * Every setting the binary takes, in one table: its flag, config-file key (the object key here,
 * which is the flag in camelCase), environment variable, help group, default as shown in help,
 * and parser. The flag parser, the config-file reader, the environment reader and the help text
 * are all generated from it, so they cannot drift apart.
 *
 * Flag names and environment variables are upstream virtual-kubelet's where it has them (so
 * operators can switch binaries), kubelet's where upstream has none.
 */
import type { AppInfo, AuthorizationMode, OperatingSystem, ServingCertMode } from './types.ts';
import type { CliLogLevel, ShutdownAction, TraceExporter } from './types.ts';
import { CliUsageError } from './errors.ts';
import { labelValueProblem, qualifiedNameProblem, subdomainProblem } from './k8s-names.ts';
import {
  boolean,
  decimal,
  duration,
  integer,
  ipAddress,
  keyValues,
  listenAddressProblem,
  list,
  oneOf,
  port,
  taintEffect,
  taintKey,
  taints,
  taintValue,
  text,
  type Parser,
} from './values.ts';

export type HelpGroup = 'node' | 'api' | 'kubelet' | 'operations' | 'tracing' | 'compat';

export interface Setting<T> {
  /** Without the leading dashes. */
  readonly flag: string;
  readonly group: HelpGroup;
  /** `node` settings may differ per entry of the config file's `nodes`. */
  readonly scope: 'node' | 'global';
  /** `bool`: `--x`, `--no-x`, `--x=true|false`; `repeatable`: each occurrence adds items. */
  readonly shape: 'value' | 'bool' | 'repeatable';
  /** The placeholder in help, e.g. `n` for `--pod-sync-workers <n>`. */
  readonly valueName?: string;
  readonly env?: string;
  /** An empty environment variable is a value (a taint may have an empty value), not unset. */
  readonly keepEmptyEnv?: boolean;
  readonly help: string;
  readonly defaultHelp?: string | ((app: AppInfo) => string);
  /** A path: relative values in a config file are relative to that file. */
  readonly path?: boolean;
  /** Accepted for compatibility and ignored; the reason goes into the warning. */
  readonly ignored?: string;
  /** Still honoured, with a warning when given as a flag. */
  readonly deprecated?: string;
  readonly parse: Parser<T>;
}

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

const nodeName = text({ check: subdomainProblem });
const workers = integer(1);

const traceExporters: Parser<TraceExporter[]> = raw =>
  list(name => {
    if (name === 'otlp') return undefined;
    if (['jaeger', 'ocagent', 'zpages'].includes(name)) {
      return `${JSON.stringify(name)} is not implemented; only otlp is (Jaeger and the OpenTelemetry Collector accept OTLP: point OTEL_EXPORTER_OTLP_ENDPOINT at them)`;
    }
    return `unknown exporter ${JSON.stringify(name)} (available: otlp)`;
  })(raw).map(() => 'otlp' as const);

const RESERVED_TRACE_TAGS = ['operatingSystem', 'provider', 'nodeName'];

/** always | never | a percentage 0..100, as upstream; returned as a fraction. */
const sampleRate: Parser<number> = raw => {
  if (typeof raw === 'string') {
    const word = raw.toLowerCase();
    if (word === 'always') return 1;
    if (word === 'never') return 0;
  }
  try {
    const percent = decimal(0)(raw);
    if (percent <= 100) return percent / 100;
  } catch {
    // Reported below with the whole set of accepted forms.
  }
  const got = typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
  throw new CliUsageError(`must be always, never or a percentage from 0 to 100, got ${got}`);
};

/** `--log-level`: pino's levels, plus the logrus names upstream accepts. */
const logLevel: Parser<CliLogLevel> = oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], {
  ignoreCase: true,
  aliases: { warning: 'warn', panic: 'fatal' },
});

export const SETTINGS = {
  // Node
  nodeName: setting({
    flag: 'nodename',
    group: 'node',
    scope: 'node',
    shape: 'value',
    valueName: 'name',
    env: 'DEFAULT_NODE_NAME',
    help: 'Name of the Node to register',
    defaultHelp: 'virtual-kubelet',
    parse: nodeName,
  }),
  provider: setting({
    flag: 'provider',
    group: 'node',
    scope: 'global',
    shape: 'value',
    valueName: 'name',
    help: 'Provider to run; this binary has exactly one, so anything else is an error',
    defaultHelp: app => app.provider,
    parse: text(),
  }),
  providerConfig: setting({
    flag: 'provider-config',
    group: 'node',
    scope: 'node',
    shape: 'value',
    valueName: 'path',
    help: "Provider's configuration file",
    path: true,
    parse: text(),
  }),
  os: setting<OperatingSystem>({
    flag: 'os',
    group: 'node',
    scope: 'node',
    shape: 'value',
    valueName: 'os',
    help: 'Operating system of the pods: linux or windows, case-sensitive',
    defaultHelp: 'linux',
    parse: oneOf(['linux', 'windows'], { note: 'case-sensitive' }),
  }),
  nodeIp: setting({
    flag: 'node-ip',
    group: 'node',
    scope: 'node',
    shape: 'value',
    valueName: 'ip',
    env: 'VKUBELET_POD_IP',
    help: 'InternalIP to advertise and hand to the provider; the API server reaches the kubelet API there',
    parse: ipAddress,
  }),
  nodeLabels: setting({
    flag: 'node-labels',
    group: 'node',
    scope: 'node',
    shape: 'repeatable',
    valueName: 'labels',
    help: 'Extra labels for the Node: key=value, comma-separated',
    parse: keyValues({
      splitCommas: true,
      checkKey: qualifiedNameProblem,
      checkValue: labelValueProblem,
    }),
  }),
  disableTaint: setting({
    flag: 'disable-taint',
    group: 'node',
    scope: 'node',
    shape: 'bool',
    help: 'Register the Node without the provider taint',
    defaultHelp: 'false',
    parse: boolean,
  }),
  taint: setting({
    flag: 'taint',
    group: 'node',
    scope: 'node',
    shape: 'value',
    valueName: 'key',
    env: 'VKUBELET_TAINT_KEY',
    help: 'Key of the provider taint',
    defaultHelp: 'virtual-kubelet.io/provider',
    deprecated: 'use VKUBELET_TAINT_KEY',
    parse: taintKey,
  }),
  taintValue: setting({
    flag: 'taint-value',
    group: 'node',
    scope: 'node',
    shape: 'value',
    valueName: 'value',
    env: 'VKUBELET_TAINT_VALUE',
    keepEmptyEnv: true,
    help: 'Value of the provider taint',
    defaultHelp: app => app.provider,
    parse: taintValue,
  }),
  taintEffect: setting({
    flag: 'taint-effect',
    group: 'node',
    scope: 'node',
    shape: 'value',
    valueName: 'effect',
    env: 'VKUBELET_TAINT_EFFECT',
    help: 'Effect of the provider taint: NoSchedule, PreferNoSchedule or NoExecute',
    defaultHelp: 'NoSchedule',
    parse: taintEffect,
  }),
  registerWithTaints: setting({
    flag: 'register-with-taints',
    group: 'node',
    scope: 'node',
    shape: 'repeatable',
    valueName: 'taints',
    help: 'More taints besides the provider taint: key[=value]:effect, comma-separated',
    parse: taints,
  }),
  clusterDomain: setting({
    flag: 'cluster-domain',
    group: 'node',
    scope: 'global',
    shape: 'value',
    valueName: 'domain',
    help: "Cluster's DNS domain, handed to the provider",
    defaultHelp: 'cluster.local',
    parse: text({ check: subdomainProblem }),
  }),

  // Kubernetes API client
  kubeconfig: setting({
    flag: 'kubeconfig',
    group: 'api',
    scope: 'global',
    shape: 'value',
    valueName: 'path',
    env: 'KUBECONFIG',
    help: 'Kubeconfig file to reach the API server with',
    defaultHelp: '~/.kube/config if it exists, else in-cluster',
    path: true,
    parse: text(),
  }),
  kubeApiQps: setting({
    flag: 'kube-api-qps',
    group: 'api',
    scope: 'global',
    shape: 'value',
    valueName: 'qps',
    help: 'Sustained requests per second to the API server; 0 is unthrottled',
    defaultHelp: '50',
    parse: decimal(0),
  }),
  kubeApiBurst: setting({
    flag: 'kube-api-burst',
    group: 'api',
    scope: 'global',
    shape: 'value',
    valueName: 'n',
    help: 'Requests allowed in a burst above the QPS',
    defaultHelp: '100',
    parse: integer(1),
  }),

  // Kubelet API
  kubeletPort: setting({
    flag: 'kubelet-port',
    group: 'kubelet',
    scope: 'node',
    shape: 'value',
    valueName: 'port',
    env: 'KUBELET_PORT',
    help: 'Port of the kubelet API (logs, exec, stats), on all interfaces; with several nodes, the first of consecutive ports',
    defaultHelp: '10250',
    parse: port,
  }),
  tlsCertFile: setting({
    flag: 'tls-cert-file',
    group: 'kubelet',
    scope: 'global',
    shape: 'value',
    valueName: 'path',
    env: 'APISERVER_CERT_LOCATION',
    help: 'Serving certificate, PEM',
    path: true,
    parse: text(),
  }),
  tlsPrivateKeyFile: setting({
    flag: 'tls-private-key-file',
    group: 'kubelet',
    scope: 'global',
    shape: 'value',
    valueName: 'path',
    env: 'APISERVER_KEY_LOCATION',
    help: "Serving certificate's private key, PEM",
    path: true,
    parse: text(),
  }),
  clientCaFile: setting({
    flag: 'client-ca-file',
    group: 'kubelet',
    scope: 'global',
    shape: 'value',
    valueName: 'path',
    env: 'APISERVER_CA_CERT_LOCATION',
    help: 'CA bundle: client certificates it signed authenticate; bearer tokens work with or without it',
    path: true,
    parse: text(),
  }),
  servingCertMode: setting<ServingCertMode>({
    flag: 'serving-cert-mode',
    group: 'kubelet',
    scope: 'global',
    shape: 'value',
    valueName: 'mode',
    help: 'Serving certificate from the files above (file), requested from the cluster and rotated (csr), or self-signed',
    defaultHelp: 'file if a certificate file is set, else self-signed',
    parse: oneOf(['file', 'csr', 'self-signed']),
  }),
  anonymousAuth: setting({
    flag: 'anonymous-auth',
    group: 'kubelet',
    scope: 'global',
    shape: 'bool',
    help: 'Let requests without credentials through as system:anonymous',
    defaultHelp: 'false',
    parse: boolean,
  }),
  authenticationTokenWebhook: setting({
    flag: 'authentication-token-webhook',
    group: 'kubelet',
    scope: 'global',
    shape: 'bool',
    help: 'Do not authenticate bearer tokens with a TokenReview (by default they are)',
    parse: boolean,
  }),
  authorizationMode: setting<AuthorizationMode>({
    flag: 'authorization-mode',
    group: 'kubelet',
    scope: 'global',
    shape: 'value',
    valueName: 'mode',
    help: 'Webhook (a SubjectAccessReview per request) or AlwaysAllow',
    defaultHelp: 'Webhook',
    parse: oneOf(['Webhook', 'AlwaysAllow']),
  }),
  streamIdleTimeout: setting({
    flag: 'stream-idle-timeout',
    group: 'kubelet',
    scope: 'global',
    shape: 'value',
    valueName: 'duration',
    help: 'Close an exec, attach or port-forward stream idle this long',
    defaultHelp: '30s',
    parse: duration({ allowZero: false }),
  }),
  streamCreationTimeout: setting({
    flag: 'stream-creation-timeout',
    group: 'kubelet',
    scope: 'global',
    shape: 'value',
    valueName: 'duration',
    help: 'Give up on setting up a stream after this long',
    defaultHelp: '30s',
    parse: duration({ allowZero: false }),
  }),

  // Operations
  podSyncWorkers: setting({
    flag: 'pod-sync-workers',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'n',
    help: 'Pods synced to the provider concurrently; at least 1',
    defaultHelp: '10',
    parse: workers,
  }),
  statusWorkers: setting({
    flag: 'status-workers',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'n',
    help: 'Pod statuses written to the API server concurrently; at least 1',
    defaultHelp: '4',
    parse: workers,
  }),
  maxCreateAttempts: setting({
    flag: 'max-create-attempts',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'n',
    help: 'Failed creates after which a pod is marked Failed; at least 1',
    defaultHelp: '10',
    parse: workers,
  }),
  fullResyncPeriod: setting({
    flag: 'full-resync-period',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'duration',
    help: 'Full resync of pods between Kubernetes and the provider; accepted for compatibility',
    defaultHelp: '1m',
    parse: duration({ allowZero: true }),
  }),
  startupTimeout: setting({
    flag: 'startup-timeout',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'duration',
    help: 'Fail if the node is not ready within this long; 0 waits forever',
    defaultHelp: '0',
    parse: duration({ allowZero: true }),
  }),
  nodeStatusUpdateFrequency: setting({
    flag: 'node-status-update-frequency',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'duration',
    help: 'Write node status at least this often (and whenever it changes)',
    defaultHelp: '5m',
    parse: duration({ allowZero: false }),
  }),
  nodeLeaseDurationSeconds: setting({
    flag: 'node-lease-duration-seconds',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'n',
    help: 'Node lease duration in seconds; it is renewed every quarter of it',
    defaultHelp: '40',
    parse: integer(1),
  }),
  reregisterNode: setting({
    flag: 'reregister-node',
    group: 'operations',
    scope: 'global',
    shape: 'bool',
    help: 'Do not register the Node again when someone deletes it (by default it is)',
    parse: boolean,
  }),
  heapCompaction: setting({
    flag: 'heap-compaction',
    group: 'operations',
    scope: 'global',
    shape: 'bool',
    help: 'Do not compact the heap when the process goes quiet after a burst (by default it does, when Node runs with --expose-gc as the bin sets)',
    parse: boolean,
  }),
  onShutdown: setting<ShutdownAction>({
    flag: 'on-shutdown',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'action',
    help: 'What to do with the Node on graceful shutdown: none, taint (NoSchedule) or delete',
    defaultHelp: 'none',
    parse: oneOf(['none', 'taint', 'delete']),
  }),
  logLevel: setting({
    flag: 'log-level',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'level',
    help: "trace, debug, info, warn, error or fatal; logrus's warning and panic also work",
    defaultHelp: 'info',
    parse: logLevel,
  }),
  metricsAddr: setting({
    flag: 'metrics-addr',
    group: 'operations',
    scope: 'global',
    shape: 'value',
    valueName: 'addr',
    help: "Address to serve vkubelet's own Prometheus metrics on, at /metrics; empty disables them",
    defaultHelp: ':10255',
    parse: text({
      allowEmpty: true,
      check: value => (value === '' ? undefined : listenAddressProblem(value)),
    }),
  }),

  // Tracing
  traceExporter: setting({
    flag: 'trace-exporter',
    group: 'tracing',
    scope: 'global',
    shape: 'repeatable',
    valueName: 'names',
    help: "Trace exporters, comma-separated; only otlp is accepted (not upstream's jaeger, ocagent or zpages), and sending is not implemented yet",
    defaultHelp: 'none, tracing off',
    parse: traceExporters,
  }),
  traceServiceName: setting({
    flag: 'trace-service-name',
    group: 'tracing',
    scope: 'global',
    shape: 'value',
    valueName: 'name',
    help: 'Service name traces are reported under',
    defaultHelp: 'virtual-kubelet',
    parse: text(),
  }),
  traceTag: setting({
    flag: 'trace-tag',
    group: 'tracing',
    scope: 'global',
    shape: 'repeatable',
    valueName: 'key=value',
    help: 'Tag added to every trace; operatingSystem, provider and nodeName are reserved',
    parse: keyValues({
      splitCommas: false,
      checkKey: key =>
        RESERVED_TRACE_TAGS.includes(key)
          ? `${JSON.stringify(key)} is reserved (${RESERVED_TRACE_TAGS.join(', ')} are set by vkubelet)`
          : undefined,
    }),
  }),
  traceSampleRate: setting({
    flag: 'trace-sample-rate',
    group: 'tracing',
    scope: 'global',
    shape: 'value',
    valueName: 'rate',
    help: 'always, never, or the percentage of traces to sample, 0-100',
    defaultHelp: 'always',
    parse: sampleRate,
  }),

  // Compatibility: upstream's deprecated, hidden flags
  namespace: setting({
    flag: 'namespace',
    group: 'compat',
    scope: 'global',
    shape: 'value',
    valueName: 'namespace',
    help: 'Ignored (upstream: deprecated, hidden); pods of every namespace are served',
    ignored: 'pods of every namespace are served',
    parse: text({ allowEmpty: true }),
  }),
  enableNodeLease: setting({
    flag: 'enable-node-lease',
    group: 'compat',
    scope: 'global',
    shape: 'bool',
    help: 'Ignored (upstream: deprecated, hidden); the node lease is always used',
    ignored: 'the node lease is always used',
    parse: boolean,
  }),
};

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> =
  (typeof SETTINGS)[K] extends Setting<infer T> ? T : never;

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** Bool settings whose default is true: help shows their `--no-` form. */
export const DEFAULT_TRUE: ReadonlySet<SettingKey> = new Set([
  'authenticationTokenWebhook',
  'reregisterNode',
  'heapCompaction',
]);

export function settingOf(key: SettingKey): Setting<unknown> {
  return SETTINGS[key];
}
