import { describe, expect, it } from 'vitest';
import { isInvalidInput } from '../errors/errors.ts';
import { CliUsageError } from './errors.ts';
import { CLI_DEFAULTS } from './resolve.ts';
import { config, failure, fakeIo, parse, warnings } from './test-support/cli-harness.ts';
import type { VirtualKubeletConfig } from './types.ts';

const DEFAULT_TAINT = { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' };

const DEFAULT_CONFIG: VirtualKubeletConfig = {
  provider: 'mock',
  nodes: [
    {
      nodeName: 'virtual-kubelet',
      providerConfigPath: undefined,
      labels: {},
      taints: [DEFAULT_TAINT],
      operatingSystem: 'linux',
      internalIP: undefined,
      kubeletPort: 10250,
    },
  ],
  kubeconfig: undefined,
  kubeApiQps: 50,
  kubeApiBurst: 100,
  podSyncWorkers: 10,
  statusWorkers: 4,
  maxCreateAttempts: 10,
  fullResyncPeriodMs: 60_000,
  startupTimeoutMs: 0,
  streamIdleTimeoutMs: 30_000,
  streamCreationTimeoutMs: 30_000,
  clusterDomain: 'cluster.local',
  nodeStatusIntervalMs: 300_000,
  leaseDurationSeconds: 40,
  reRegisterNode: true,
  heapCompaction: true,
  onShutdown: 'none',
  logLevel: 'info',
  metricsAddr: ':10255',
  tls: {
    servingCertMode: 'self-signed',
    certFile: undefined,
    keyFile: undefined,
    clientCAFile: undefined,
  },
  auth: { anonymousAuth: false, authenticationTokenWebhook: true, authorizationMode: 'Webhook' },
  tracing: { exporters: [], serviceName: 'virtual-kubelet', tags: {}, sampleRate: 1 },
  configFile: undefined,
};

describe('defaults', () => {
  it('an empty command line and environment give every default', () => {
    expect(parse([])).toStrictEqual({ kind: 'run', config: DEFAULT_CONFIG, warnings: [] });
  });

  it('CLI_DEFAULTS agrees with what parsing produces', () => {
    const c = config([]);
    expect(CLI_DEFAULTS).toEqual({
      nodeName: c.nodes[0]?.nodeName,
      operatingSystem: c.nodes[0]?.operatingSystem,
      kubeletPort: c.nodes[0]?.kubeletPort,
      kubeApiQps: c.kubeApiQps,
      kubeApiBurst: c.kubeApiBurst,
      podSyncWorkers: c.podSyncWorkers,
      statusWorkers: c.statusWorkers,
      maxCreateAttempts: c.maxCreateAttempts,
      fullResyncPeriodMs: c.fullResyncPeriodMs,
      startupTimeoutMs: c.startupTimeoutMs,
      streamIdleTimeoutMs: c.streamIdleTimeoutMs,
      streamCreationTimeoutMs: c.streamCreationTimeoutMs,
      clusterDomain: c.clusterDomain,
      nodeStatusIntervalMs: c.nodeStatusIntervalMs,
      leaseDurationSeconds: c.leaseDurationSeconds,
      reRegisterNode: c.reRegisterNode,
      heapCompaction: c.heapCompaction,
      onShutdown: c.onShutdown,
      logLevel: c.logLevel,
      metricsAddr: c.metricsAddr,
      traceServiceName: c.tracing.serviceName,
      traceSampleRate: c.tracing.sampleRate,
    });
  });

  it('the kubeconfig defaults to ~/.kube/config when it exists', () => {
    const io = fakeIo({}, ['/home/op/.kube/config']);
    expect(config([], { HOME: '/home/op' }, io).kubeconfig).toBe('/home/op/.kube/config');
    expect(config([], { USERPROFILE: '/home/op' }, io).kubeconfig).toBe('/home/op/.kube/config');
  });

  it('without a kubeconfig anywhere it is in-cluster (undefined)', () => {
    expect(config([], { HOME: '/home/op' }).kubeconfig).toBeUndefined();
    expect(config([], { HOME: '' }).kubeconfig).toBeUndefined();
  });
});

describe('flags', () => {
  const io = fakeIo({}, ['/etc/vk/provider.toml', '/etc/vk/kubeconfig']);
  const node = (c: VirtualKubeletConfig) => c.nodes[0];

  it.each<[string[], (c: VirtualKubeletConfig) => unknown, unknown]>([
    [['--nodename', 'vk-1'], c => node(c)?.nodeName, 'vk-1'],
    [['--nodename=vk-2.example'], c => node(c)?.nodeName, 'vk-2.example'],
    [['--provider', 'mock'], c => c.provider, 'mock'],
    [
      ['--provider-config', '/etc/vk/provider.toml'],
      c => node(c)?.providerConfigPath,
      '/etc/vk/provider.toml',
    ],
    [['--os', 'windows'], c => node(c)?.operatingSystem, 'windows'],
    [['--os', 'linux'], c => node(c)?.operatingSystem, 'linux'],
    [['--node-ip', '10.0.0.5'], c => node(c)?.internalIP, '10.0.0.5'],
    [['--node-ip', 'fd00::5'], c => node(c)?.internalIP, 'fd00::5'],
    [
      ['--node-labels', 'a=b,zone.example.com/z=1', '--node-labels', 'empty='],
      c => node(c)?.labels,
      { a: 'b', 'zone.example.com/z': '1', empty: '' },
    ],
    [['--disable-taint'], c => node(c)?.taints, []],
    [['--disable-taint=true'], c => node(c)?.taints, []],
    [['--disable-taint=false'], c => node(c)?.taints, [DEFAULT_TAINT]],
    [['--disable-taint', '--no-disable-taint'], c => node(c)?.taints, [DEFAULT_TAINT]],
    [
      ['--taint', 'example.com/vk'],
      c => node(c)?.taints,
      [{ ...DEFAULT_TAINT, key: 'example.com/vk' }],
    ],
    [['--taint-value', 'fast'], c => node(c)?.taints, [{ ...DEFAULT_TAINT, value: 'fast' }]],
    [
      ['--taint-effect', 'NoExecute'],
      c => node(c)?.taints,
      [{ ...DEFAULT_TAINT, effect: 'NoExecute' }],
    ],
    [
      [
        '--register-with-taints',
        'a=b:NoSchedule,c:NoExecute',
        '--register-with-taints',
        'd=:PreferNoSchedule',
      ],
      c => node(c)?.taints,
      [
        DEFAULT_TAINT,
        { key: 'a', value: 'b', effect: 'NoSchedule' },
        { key: 'c', effect: 'NoExecute' },
        { key: 'd', effect: 'PreferNoSchedule' },
      ],
    ],
    [['--cluster-domain', 'corp.example'], c => c.clusterDomain, 'corp.example'],
    [['--kubeconfig', '/etc/vk/kubeconfig'], c => c.kubeconfig, '/etc/vk/kubeconfig'],
    [['--kube-api-qps', '0'], c => c.kubeApiQps, 0],
    [['--kube-api-qps', '2.5'], c => c.kubeApiQps, 2.5],
    [['--kube-api-burst', '7'], c => c.kubeApiBurst, 7],
    [['--kubelet-port', '10260'], c => node(c)?.kubeletPort, 10260],
    [['--client-ca-file', '/ca.pem'], c => c.tls.clientCAFile, '/ca.pem'],
    [['--serving-cert-mode', 'csr'], c => c.tls.servingCertMode, 'csr'],
    [['--serving-cert-mode', 'self-signed'], c => c.tls.servingCertMode, 'self-signed'],
    [['--anonymous-auth'], c => c.auth.anonymousAuth, true],
    [['--anonymous-auth=false'], c => c.auth.anonymousAuth, false],
    [
      ['--no-authentication-token-webhook', '--client-ca-file', '/ca'],
      c => c.auth.authenticationTokenWebhook,
      false,
    ],
    [
      ['--authentication-token-webhook=0', '--client-ca-file', '/ca'],
      c => c.auth.authenticationTokenWebhook,
      false,
    ],
    [['--authentication-token-webhook'], c => c.auth.authenticationTokenWebhook, true],
    [['--authorization-mode', 'AlwaysAllow'], c => c.auth.authorizationMode, 'AlwaysAllow'],
    [
      ['--stream-idle-timeout', '1m'],
      c => [c.streamIdleTimeoutMs, c.streamCreationTimeoutMs],
      [60_000, 30_000],
    ],
    [
      ['--stream-creation-timeout', '5s'],
      c => [c.streamIdleTimeoutMs, c.streamCreationTimeoutMs],
      [30_000, 5_000],
    ],
    [['--pod-sync-workers', '3'], c => c.podSyncWorkers, 3],
    [['--status-workers', '2'], c => c.statusWorkers, 2],
    [['--max-create-attempts', '5'], c => c.maxCreateAttempts, 5],
    [['--full-resync-period', '2m'], c => c.fullResyncPeriodMs, 120_000],
    [['--full-resync-period', '0'], c => c.fullResyncPeriodMs, 0],
    [['--startup-timeout', '1m30s'], c => c.startupTimeoutMs, 90_000],
    [['--startup-timeout', '0s'], c => c.startupTimeoutMs, 0],
    [['--node-status-update-frequency', '10s'], c => c.nodeStatusIntervalMs, 10_000],
    [['--node-lease-duration-seconds', '60'], c => c.leaseDurationSeconds, 60],
    [['--no-reregister-node'], c => c.reRegisterNode, false],
    [['--reregister-node=false'], c => c.reRegisterNode, false],
    [['--reregister-node=True'], c => c.reRegisterNode, true],
    [['--no-heap-compaction'], c => c.heapCompaction, false],
    [['--heap-compaction=false'], c => c.heapCompaction, false],
    [['--on-shutdown', 'taint'], c => c.onShutdown, 'taint'],
    [['--on-shutdown', 'delete'], c => c.onShutdown, 'delete'],
    [['--log-level', 'debug'], c => c.logLevel, 'debug'],
    [['--log-level', 'trace'], c => c.logLevel, 'trace'],
    [['--log-level', 'warning'], c => c.logLevel, 'warn'],
    [['--log-level', 'WARN'], c => c.logLevel, 'warn'],
    [['--log-level', 'error'], c => c.logLevel, 'error'],
    [['--log-level', 'panic'], c => c.logLevel, 'fatal'],
    [['--log-level', 'fatal'], c => c.logLevel, 'fatal'],
    [['--metrics-addr', ''], c => c.metricsAddr, ''],
    [['--metrics-addr', '127.0.0.1:9100'], c => c.metricsAddr, '127.0.0.1:9100'],
    [['--metrics-addr', '[::1]:9100'], c => c.metricsAddr, '[::1]:9100'],
    [['--trace-exporter', 'otlp'], c => c.tracing.exporters, ['otlp']],
    [
      ['--trace-exporter', 'otlp,otlp', '--trace-exporter', 'otlp'],
      c => c.tracing.exporters,
      ['otlp'],
    ],
    [['--trace-service-name', 'vk-west'], c => c.tracing.serviceName, 'vk-west'],
    [
      ['--trace-tag', 'team=infra', '--trace-tag', 'expr=a=b,c'],
      c => c.tracing.tags,
      { team: 'infra', expr: 'a=b,c' },
    ],
    [['--trace-sample-rate', 'never'], c => c.tracing.sampleRate, 0],
    [['--trace-sample-rate', 'Always'], c => c.tracing.sampleRate, 1],
    [['--trace-sample-rate', '25'], c => c.tracing.sampleRate, 0.25],
    [['--trace-sample-rate', '0'], c => c.tracing.sampleRate, 0],
    [['--trace-sample-rate', '100'], c => c.tracing.sampleRate, 1],
  ])('%j', (argv, select, expected) => {
    expect(select(config(argv, {}, io))).toEqual(expected);
  });

  it('serving certificate files select the file mode', () => {
    expect(
      config(['--tls-cert-file', '/tls.crt', '--tls-private-key-file', '/tls.key']).tls,
    ).toEqual({
      servingCertMode: 'file',
      certFile: '/tls.crt',
      keyFile: '/tls.key',
      clientCAFile: undefined,
    });
  });

  it('the last of a repeated single-value flag wins, as with pflag', () => {
    expect(config(['--pod-sync-workers', '3', '--pod-sync-workers', '4']).podSyncWorkers).toBe(4);
  });

  it('only the given settings change', () => {
    expect(config(['--pod-sync-workers', '3'])).toEqual({ ...DEFAULT_CONFIG, podSyncWorkers: 3 });
  });

  it('arguments after -- are not flags', () => {
    expect(failure(['--', '--nodename'])).toBe(
      'unexpected argument "--nodename" (commands: providers, version, help)',
    );
  });
});

describe('environment variables', () => {
  it.each<[NodeJS.ProcessEnv, (c: VirtualKubeletConfig) => unknown, unknown]>([
    [{ DEFAULT_NODE_NAME: 'vk-env' }, c => c.nodes[0]?.nodeName, 'vk-env'],
    [{ KUBECONFIG: '/a/config:/b/config' }, c => c.kubeconfig, '/a/config:/b/config'],
    [{ KUBELET_PORT: '11250' }, c => c.nodes[0]?.kubeletPort, 11250],
    [{ VKUBELET_POD_IP: '192.168.1.20' }, c => c.nodes[0]?.internalIP, '192.168.1.20'],
    [{ VKUBELET_TAINT_KEY: 'example.com/k' }, c => c.nodes[0]?.taints[0]?.key, 'example.com/k'],
    [{ VKUBELET_TAINT_VALUE: 'v' }, c => c.nodes[0]?.taints[0]?.value, 'v'],
    [{ VKUBELET_TAINT_EFFECT: 'NoExecute' }, c => c.nodes[0]?.taints[0]?.effect, 'NoExecute'],
    [
      { APISERVER_CERT_LOCATION: '/c.pem', APISERVER_KEY_LOCATION: '/k.pem' },
      c => c.tls,
      { servingCertMode: 'file', certFile: '/c.pem', keyFile: '/k.pem', clientCAFile: undefined },
    ],
    [{ APISERVER_CA_CERT_LOCATION: '/ca.pem' }, c => c.tls.clientCAFile, '/ca.pem'],
  ])('%j', (env, select, expected) => {
    expect(select(config([], env))).toEqual(expected);
  });

  it('empty variables count as unset, like upstream', () => {
    expect(
      config([], {
        DEFAULT_NODE_NAME: '',
        KUBECONFIG: '',
        KUBELET_PORT: '',
        VKUBELET_POD_IP: '',
        VKUBELET_TAINT_KEY: '',
        VKUBELET_TAINT_EFFECT: '',
        APISERVER_CERT_LOCATION: '',
        APISERVER_KEY_LOCATION: '',
        APISERVER_CA_CERT_LOCATION: '',
      }),
    ).toEqual(DEFAULT_CONFIG);
  });

  it('unrelated variables are ignored', () => {
    expect(config([], { PATH: '/bin', POD_SYNC_WORKERS: 'x', KUBELET_HOST: 'y' })).toEqual(
      DEFAULT_CONFIG,
    );
  });

  it('a flag overrides the environment', () => {
    const env = { DEFAULT_NODE_NAME: 'env', KUBELET_PORT: '11000', VKUBELET_POD_IP: '10.0.0.1' };
    const c = config(
      ['--nodename', 'flag', '--kubelet-port', '12000', '--node-ip', '10.0.0.2'],
      env,
    );
    expect(c.nodes[0]).toMatchObject({
      nodeName: 'flag',
      kubeletPort: 12000,
      internalIP: '10.0.0.2',
    });
  });

  it('a variable that a flag overrides is not even parsed (Service env injection)', () => {
    const env = { KUBELET_PORT: 'tcp://10.96.0.12:10250' };
    expect(config(['--kubelet-port', '10250'], env).nodes[0]?.kubeletPort).toBe(10250);
    expect(failure([], env)).toBe(
      'KUBELET_PORT: must be a whole number, got "tcp://10.96.0.12:10250"',
    );
  });
});

describe('invalid input', () => {
  const io = fakeIo();

  it.each<[string[], string]>([
    [['--pod-sync-workers', '0'], '--pod-sync-workers: must be at least 1, got 0'],
    [['--pod-sync-workers', 'abc'], '--pod-sync-workers: must be a whole number, got "abc"'],
    [['--pod-sync-workers', '1.5'], '--pod-sync-workers: must be a whole number, got "1.5"'],
    [['--status-workers', '0'], '--status-workers: must be at least 1, got 0'],
    [['--max-create-attempts', '0'], '--max-create-attempts: must be at least 1, got 0'],
    [['--kube-api-qps', '-1'], '--kube-api-qps: must be at least 0, got -1'],
    [['--kube-api-qps', 'fast'], '--kube-api-qps: must be a number, got "fast"'],
    [['--kube-api-burst', '0'], '--kube-api-burst: must be at least 1, got 0'],
    [
      ['--node-lease-duration-seconds', '0'],
      '--node-lease-duration-seconds: must be at least 1, got 0',
    ],
    [['--kubelet-port', '0'], '--kubelet-port: must be at least 1, got 0'],
    [['--kubelet-port', '65536'], '--kubelet-port: must be at most 65535, got 65536'],
    [['--os', 'Linux'], '--os: must be linux or windows (case-sensitive), got "Linux"'],
    [['--os', 'darwin'], '--os: must be linux or windows (case-sensitive), got "darwin"'],
    [['--on-shutdown', 'stop'], '--on-shutdown: must be none, taint or delete, got "stop"'],
    [
      ['--log-level', 'verbose'],
      '--log-level: must be trace, debug, info, warn, error or fatal, got "verbose"',
    ],
    [
      ['--authorization-mode', 'webhook'],
      '--authorization-mode: must be Webhook or AlwaysAllow, got "webhook"',
    ],
    [
      ['--serving-cert-mode', 'acme'],
      '--serving-cert-mode: must be file, csr or self-signed, got "acme"',
    ],
    [
      ['--metrics-addr', '10255'],
      '--metrics-addr: must be host:port or :port (e.g. :10255), got "10255"',
    ],
    [
      ['--metrics-addr', ':70000'],
      '--metrics-addr: must be host:port or :port (e.g. :10255), got ":70000"',
    ],
    [['--node-ip', '10.0.0'], '--node-ip: "10.0.0" is not an IP address'],
    [
      ['--nodename', 'My_Node'],
      `--nodename: "My_Node" is not a valid DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    ],
    [['--nodename', ''], '--nodename: must not be empty'],
    [
      ['--cluster-domain', 'Corp'],
      `--cluster-domain: "Corp" is not a valid DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    ],
    [['--node-labels', 'zone'], '--node-labels: must be key=value, got "zone"'],
    [['--node-labels', 'a=1,a=2'], '--node-labels: duplicate key "a"'],
    [
      ['--node-labels', 'a=not ok'],
      `--node-labels: "not ok" is not a valid value (letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters)`,
    ],
    [
      ['--node-labels', 'Bad Key=1'],
      `--node-labels: "Bad Key" is not a valid key (letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters, with an optional DNS subdomain prefix and '/')`,
    ],
    [
      ['--node-labels', 'EXAMPLE.com/a=1'],
      '--node-labels: "EXAMPLE.com/a" has an invalid prefix (it must be a DNS subdomain)',
    ],
    [
      ['--register-with-taints', 'dedicated'],
      '--register-with-taints: must be key[=value]:effect, got "dedicated"',
    ],
    [
      ['--register-with-taints', 'a=b:Sometimes'],
      '--register-with-taints: must be NoSchedule, PreferNoSchedule or NoExecute, got "Sometimes"',
    ],
    [
      ['--register-with-taints', 'virtual-kubelet.io/provider=x:NoSchedule'],
      '--register-with-taints: more than one taint with key "virtual-kubelet.io/provider" and effect NoSchedule',
    ],
    [
      ['--taint-effect', 'NoRun'],
      '--taint-effect: must be NoSchedule, PreferNoSchedule or NoExecute, got "NoRun"',
    ],
    [['--stream-idle-timeout', '0'], '--stream-idle-timeout: must be longer than 0, got "0"'],
    [
      ['--stream-creation-timeout', '0s'],
      '--stream-creation-timeout: must be longer than 0, got "0s"',
    ],
    [
      ['--node-status-update-frequency', '0'],
      '--node-status-update-frequency: must be longer than 0, got "0"',
    ],
    [['--startup-timeout', '-1s'], '--startup-timeout: must not be negative, got "-1s"'],
    [
      ['--startup-timeout', '30'],
      '--startup-timeout: invalid duration "30": missing unit (e.g. 30s, 1m30s, 100ms, 2h)',
    ],
    [
      ['--full-resync-period', '1d'],
      '--full-resync-period: invalid duration "1d": unknown unit "d" (use ns, us, ms, s, m or h) (e.g. 30s, 1m30s, 100ms, 2h)',
    ],
    [
      ['--trace-exporter', 'jaeger'],
      '--trace-exporter: "jaeger" is not implemented; only otlp is (Jaeger and the OpenTelemetry Collector accept OTLP: point OTEL_EXPORTER_OTLP_ENDPOINT at them)',
    ],
    [
      ['--trace-exporter', 'otlp,zipkin'],
      '--trace-exporter: unknown exporter "zipkin" (available: otlp)',
    ],
    [
      ['--trace-tag', 'provider=x'],
      '--trace-tag: "provider" is reserved (operatingSystem, provider, nodeName are set by vkubelet)',
    ],
    [['--trace-tag', 'a=1', '--trace-tag', 'a=2'], '--trace-tag: duplicate key "a"'],
    [['--trace-tag', 'a'], '--trace-tag: must be key=value, got "a"'],
    [
      ['--trace-sample-rate', '101'],
      '--trace-sample-rate: must be always, never or a percentage from 0 to 100, got "101"',
    ],
    [
      ['--trace-sample-rate', 'often'],
      '--trace-sample-rate: must be always, never or a percentage from 0 to 100, got "often"',
    ],
    [['--trace-service-name', ''], '--trace-service-name: must not be empty'],
    [
      ['--provider', 'azure'],
      '--provider: vk-mock runs only the mock provider, not "azure" (available: mock)',
    ],
    [['--disable-taint=maybe'], '--disable-taint: must be true or false, got "maybe"'],
    [
      ['--provider-config', '/etc/missing.toml'],
      '--provider-config: /etc/missing.toml does not exist',
    ],
    [['--kubeconfig', '/etc/missing'], '--kubeconfig: /etc/missing does not exist'],
    [['--nodenme', 'x'], "unknown option '--nodenme' (Did you mean --nodename?)"],
    [['--bogus'], "unknown option '--bogus'"],
    [['--nodename'], "option '--nodename <name>' argument missing"],
    [
      ['--no-pod-sync-workers'],
      "unknown option '--no-pod-sync-workers' (Did you mean --pod-sync-workers?)",
    ],
    [['run'], 'unexpected argument "run" (commands: providers, version, help)'],
    [
      ['providers', 'a', 'b'],
      "too many arguments for 'providers'. Expected 1 argument but got 2: a, b.",
    ],
    [['version', 'now'], "too many arguments for 'version'. Expected 0 arguments but got 1: now."],
    [['help', 'bogus'], 'help: unknown command "bogus" (commands: providers, version, help)'],
    [['--config', ''], '--config: must not be empty'],
    [['--config'], "option '--config <path>' argument missing"],
    [['--klog.bogus=1'], "unknown option '--klog.bogus'"],
    [['--klog.v'], '--klog.v: missing value'],
    [
      ['--tls-cert-file', '/c.pem'],
      '--tls-cert-file is set but the private key is not: set --tls-private-key-file or APISERVER_KEY_LOCATION',
    ],
    [
      ['--tls-private-key-file', '/k.pem'],
      '--tls-private-key-file is set but the certificate is not: set --tls-cert-file or APISERVER_CERT_LOCATION',
    ],
    [
      ['--serving-cert-mode', 'file'],
      '--serving-cert-mode: "file" needs --tls-cert-file (APISERVER_CERT_LOCATION) and --tls-private-key-file (APISERVER_KEY_LOCATION)',
    ],
    [
      ['--kubelet-port', '10255'],
      'kubelet port 10255 (--kubelet-port) is also the metrics port (default --metrics-addr :10255)',
    ],
    [
      ['--metrics-addr', ':10250'],
      'kubelet port 10250 (default) is also the metrics port (--metrics-addr)',
    ],
  ])('%j', (argv, message) => {
    expect(failure(argv, {}, io)).toBe(message);
  });

  it.each<[NodeJS.ProcessEnv, string]>([
    [{ KUBELET_PORT: 'abc' }, 'KUBELET_PORT: must be a whole number, got "abc"'],
    [{ KUBELET_PORT: '99999' }, 'KUBELET_PORT: must be at most 65535, got 99999'],
    [{ VKUBELET_POD_IP: 'localhost' }, 'VKUBELET_POD_IP: "localhost" is not an IP address'],
    [
      { DEFAULT_NODE_NAME: 'Node 1' },
      `DEFAULT_NODE_NAME: "Node 1" is not a valid DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    ],
    [
      { APISERVER_CERT_LOCATION: '/c.pem' },
      'APISERVER_CERT_LOCATION is set but the private key is not: set --tls-private-key-file or APISERVER_KEY_LOCATION',
    ],
    [
      { APISERVER_KEY_LOCATION: '/k.pem' },
      'APISERVER_KEY_LOCATION is set but the certificate is not: set --tls-cert-file or APISERVER_CERT_LOCATION',
    ],
    [
      { KUBELET_PORT: '10255' },
      'kubelet port 10255 (KUBELET_PORT) is also the metrics port (default --metrics-addr :10255)',
    ],
  ])('%j', (env, message) => {
    expect(failure([], env, io)).toBe(message);
  });

  it('errors are CliUsageErrors, recognised as invalid input', () => {
    let caught: unknown;
    try {
      parse(['--pod-sync-workers', '0']);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CliUsageError);
    expect((caught as Error).name).toBe('CliUsageError');
    expect(isInvalidInput(caught)).toBe(true);
  });
});

describe('warnings', () => {
  it('upstream deprecated flags are accepted and ignored with a warning', () => {
    expect(
      warnings(['--namespace', 'default', '--enable-node-lease', '--enable-node-lease=false']),
    ).toEqual([
      '--namespace is accepted for compatibility and ignored: pods of every namespace are served',
      '--enable-node-lease is accepted for compatibility and ignored: the node lease is always used',
    ]);
  });

  it('klog flags are accepted and ignored with a warning, with or without values', () => {
    const result = parse([
      '--klog.v',
      '4',
      '--klog.vmodule=x=2',
      '--klog.logtostderr',
      '--klog.alsologtostderr=false',
      '--pod-sync-workers',
      '3',
    ]);
    expect(result).toMatchObject({ kind: 'run', config: { podSyncWorkers: 3 } });
    expect(result.kind === 'run' ? result.warnings : []).toEqual([
      '--klog.v is accepted for compatibility and ignored (see --log-level)',
      '--klog.vmodule is accepted for compatibility and ignored (see --log-level)',
      '--klog.logtostderr is accepted for compatibility and ignored (see --log-level)',
      '--klog.alsologtostderr is accepted for compatibility and ignored (see --log-level)',
    ]);
  });

  it('--taint still works but warns that it is deprecated', () => {
    expect(warnings(['--taint', 'a'])).toEqual(['--taint is deprecated: use VKUBELET_TAINT_KEY']);
    expect(warnings([], { VKUBELET_TAINT_KEY: 'a' })).toEqual([]);
  });

  it('certificate files are reported as unused outside the file mode', () => {
    expect(
      warnings(['--serving-cert-mode', 'csr'], {
        APISERVER_CERT_LOCATION: '/c.pem',
        APISERVER_KEY_LOCATION: '/k.pem',
      }),
    ).toEqual([
      'APISERVER_CERT_LOCATION is ignored: the serving certificate mode is csr',
      'APISERVER_KEY_LOCATION is ignored: the serving certificate mode is csr',
    ]);
  });

  it('a kubelet API nobody can authenticate to, or that is open to all, is pointed out', () => {
    expect(warnings(['--no-authentication-token-webhook'])).toEqual([
      'the kubelet API has no way to authenticate anyone (no token webhook, no client CA, no anonymous access): every request will get 401',
    ]);
    expect(warnings(['--anonymous-auth', '--authorization-mode', 'AlwaysAllow'])).toEqual([
      'the kubelet API is open to anyone: --anonymous-auth with --authorization-mode AlwaysAllow',
    ]);
  });
});
