import { describe, expect, it } from 'vitest';
import { config, failure, fakeIo, warnings } from './test-support/cli-harness.ts';

const withFile = (content: string, existing: string[] = [], path = 'vk.yaml') =>
  fakeIo({ [path]: content }, existing);

describe('config file values', () => {
  it('sets every kind of setting with camelCase keys, from YAML', () => {
    const io = withFile(
      `
nodeName: vk-file
providerConfig: /etc/p.toml
os: windows
nodeIp: 10.1.2.3
nodeLabels: { zone: a, example.com/tier: gold }
taint: example.com/vk
taintValue: v
taintEffect: PreferNoSchedule
registerWithTaints:
  - dedicated=batch:NoSchedule
  - { key: gpu, effect: NoExecute }
  - { key: spot, value: "yes", effect: PreferNoSchedule }
clusterDomain: corp.example
kubeconfig: /etc/kubeconfig
kubeApiQps: 0
kubeApiBurst: 20
kubeletPort: 11250
tlsCertFile: /tls/crt
tlsPrivateKeyFile: /tls/key
clientCaFile: /tls/ca
anonymousAuth: true
authenticationTokenWebhook: false
authorizationMode: AlwaysAllow
streamIdleTimeout: 2m
streamCreationTimeout: 15s
podSyncWorkers: 20
statusWorkers: 8
maxCreateAttempts: 3
fullResyncPeriod: 0
startupTimeout: 5m0s
nodeStatusUpdateFrequency: 1m
nodeLeaseDurationSeconds: 20
reregisterNode: false
heapCompaction: false
onShutdown: taint
logLevel: warning
metricsAddr: ""
traceExporter: [otlp]
traceServiceName: vk-svc
traceTag: { team: infra }
traceSampleRate: 10
`,
      ['/etc/p.toml', '/etc/kubeconfig'],
    );
    expect(config(['--config', 'vk.yaml'], {}, io)).toEqual({
      provider: 'mock',
      nodes: [
        {
          nodeName: 'vk-file',
          providerConfigPath: '/etc/p.toml',
          labels: { zone: 'a', 'example.com/tier': 'gold' },
          taints: [
            { key: 'example.com/vk', value: 'v', effect: 'PreferNoSchedule' },
            { key: 'dedicated', value: 'batch', effect: 'NoSchedule' },
            { key: 'gpu', effect: 'NoExecute' },
            { key: 'spot', value: 'yes', effect: 'PreferNoSchedule' },
          ],
          operatingSystem: 'windows',
          internalIP: '10.1.2.3',
          kubeletPort: 11250,
        },
      ],
      kubeconfig: '/etc/kubeconfig',
      kubeApiQps: 0,
      kubeApiBurst: 20,
      podSyncWorkers: 20,
      statusWorkers: 8,
      maxCreateAttempts: 3,
      fullResyncPeriodMs: 0,
      startupTimeoutMs: 300_000,
      streamIdleTimeoutMs: 120_000,
      streamCreationTimeoutMs: 15_000,
      clusterDomain: 'corp.example',
      nodeStatusIntervalMs: 60_000,
      leaseDurationSeconds: 20,
      reRegisterNode: false,
      heapCompaction: false,
      onShutdown: 'taint',
      logLevel: 'warn',
      metricsAddr: '',
      tls: {
        servingCertMode: 'file',
        certFile: '/tls/crt',
        keyFile: '/tls/key',
        clientCAFile: '/tls/ca',
      },
      auth: {
        anonymousAuth: true,
        authenticationTokenWebhook: false,
        authorizationMode: 'AlwaysAllow',
      },
      tracing: {
        exporters: ['otlp'],
        serviceName: 'vk-svc',
        tags: { team: 'infra' },
        sampleRate: 0.1,
      },
      configFile: 'vk.yaml',
    });
  });

  it('reads JSON', () => {
    const io = withFile('{"podSyncWorkers": 3, "nodeLabels": {"a": "b"}}', [], 'vk.json');
    const c = config(['--config', 'vk.json'], {}, io);
    expect([c.podSyncWorkers, c.nodes[0]?.labels, c.configFile]).toEqual([
      3,
      { a: 'b' },
      'vk.json',
    ]);
  });

  it('an empty file or one of comments sets nothing', () => {
    expect(config(['--config', 'vk.yaml'], {}, withFile('')).podSyncWorkers).toBe(10);
    expect(config(['--config', 'vk.yaml'], {}, withFile('# nothing\n')).podSyncWorkers).toBe(10);
  });

  it('takes strings where flags would (booleans, numbers, durations)', () => {
    const io = withFile('podSyncWorkers: "4"\ndisableTaint: "true"\nkubeApiQps: "1.5"\n');
    const c = config(['--config', 'vk.yaml'], {}, io);
    expect([c.podSyncWorkers, c.nodes[0]?.taints, c.kubeApiQps]).toEqual([4, [], 1.5]);
  });

  it('takes comma-separated strings where a list goes', () => {
    const io = withFile(
      'registerWithTaints: "a:NoSchedule,b=c:NoExecute"\nnodeLabels: [x=1, y=2]\n',
    );
    const node = config(['--config', 'vk.yaml'], {}, io).nodes[0];
    expect(node?.taints.slice(1)).toEqual([
      { key: 'a', effect: 'NoSchedule' },
      { key: 'b', value: 'c', effect: 'NoExecute' },
    ]);
    expect(node?.labels).toEqual({ x: '1', y: '2' });
  });

  it('resolves relative paths against the file, keeps absolute ones', () => {
    const io = fakeIo(
      {
        'conf/vk.yaml':
          'providerConfig: p.toml\nkubeconfig: ../kc\ntlsCertFile: tls/crt\ntlsPrivateKeyFile: /abs/key\nclientCaFile: ca.pem\n',
      },
      ['conf/p.toml', 'kc'],
    );
    const c = config(['--config', 'conf/vk.yaml'], {}, io);
    expect(c.nodes[0]?.providerConfigPath).toBe('conf/p.toml');
    expect(c.kubeconfig).toBe('kc');
    expect(c.tls).toEqual({
      servingCertMode: 'file',
      certFile: 'conf/tls/crt',
      keyFile: '/abs/key',
      clientCAFile: 'conf/ca.pem',
    });
  });

  it('the deprecated settings are accepted with a warning', () => {
    expect(
      warnings(['--config', 'vk.yaml'], {}, withFile('namespace: x\nenableNodeLease: true\n')),
    ).toEqual([
      'vk.yaml: namespace is accepted for compatibility and ignored: pods of every namespace are served',
      'vk.yaml: enableNodeLease is accepted for compatibility and ignored: the node lease is always used',
    ]);
  });
});

describe('precedence: environment < file < flag', () => {
  const env = {
    DEFAULT_NODE_NAME: 'from-env',
    KUBELET_PORT: '11000',
    VKUBELET_POD_IP: '10.0.0.1',
    VKUBELET_TAINT_KEY: 'env.example/k',
    VKUBELET_TAINT_VALUE: 'env',
    VKUBELET_TAINT_EFFECT: 'NoExecute',
    KUBECONFIG: '/env/kubeconfig',
    APISERVER_CERT_LOCATION: '/env/crt',
    APISERVER_KEY_LOCATION: '/env/key',
    APISERVER_CA_CERT_LOCATION: '/env/ca',
  };
  const file = withFile(
    `
nodeName: from-file
kubeletPort: 12000
nodeIp: 10.0.0.2
taint: file.example/k
taintValue: file
taintEffect: PreferNoSchedule
kubeconfig: /file/kubeconfig
tlsCertFile: /file/crt
tlsPrivateKeyFile: /file/key
clientCaFile: /file/ca
podSyncWorkers: 5
`,
    ['/file/kubeconfig', '/flag/kubeconfig'],
  );
  const flags = [
    '--nodename=from-flag',
    '--kubelet-port=13000',
    '--node-ip=10.0.0.3',
    '--taint=flag.example/k',
    '--taint-value=flag',
    '--taint-effect=NoSchedule',
    '--kubeconfig=/flag/kubeconfig',
    '--tls-cert-file=/flag/crt',
    '--tls-private-key-file=/flag/key',
    '--client-ca-file=/flag/ca',
    '--pod-sync-workers=6',
  ];
  const summary = (c: ReturnType<typeof config>) => ({
    node: c.nodes[0],
    kubeconfig: c.kubeconfig,
    tls: c.tls,
    podSyncWorkers: c.podSyncWorkers,
  });

  it('the environment alone', () => {
    expect(summary(config([], env))).toEqual({
      node: {
        nodeName: 'from-env',
        providerConfigPath: undefined,
        labels: {},
        taints: [{ key: 'env.example/k', value: 'env', effect: 'NoExecute' }],
        operatingSystem: 'linux',
        internalIP: '10.0.0.1',
        kubeletPort: 11000,
      },
      kubeconfig: '/env/kubeconfig',
      tls: {
        servingCertMode: 'file',
        certFile: '/env/crt',
        keyFile: '/env/key',
        clientCAFile: '/env/ca',
      },
      podSyncWorkers: 10,
    });
  });

  it('the file over the environment', () => {
    expect(summary(config(['--config', 'vk.yaml'], env, file))).toEqual({
      node: {
        nodeName: 'from-file',
        providerConfigPath: undefined,
        labels: {},
        taints: [{ key: 'file.example/k', value: 'file', effect: 'PreferNoSchedule' }],
        operatingSystem: 'linux',
        internalIP: '10.0.0.2',
        kubeletPort: 12000,
      },
      kubeconfig: '/file/kubeconfig',
      tls: {
        servingCertMode: 'file',
        certFile: '/file/crt',
        keyFile: '/file/key',
        clientCAFile: '/file/ca',
      },
      podSyncWorkers: 5,
    });
  });

  it('flags over the file', () => {
    expect(summary(config(['--config', 'vk.yaml', ...flags], env, file))).toEqual({
      node: {
        nodeName: 'from-flag',
        providerConfigPath: undefined,
        labels: {},
        taints: [{ key: 'flag.example/k', value: 'flag', effect: 'NoSchedule' }],
        operatingSystem: 'linux',
        internalIP: '10.0.0.3',
        kubeletPort: 13000,
      },
      kubeconfig: '/flag/kubeconfig',
      tls: {
        servingCertMode: 'file',
        certFile: '/flag/crt',
        keyFile: '/flag/key',
        clientCAFile: '/flag/ca',
      },
      podSyncWorkers: 6,
    });
  });

  it('flags given before or after --config make no difference', () => {
    expect(config(['--pod-sync-workers=6', '--config', 'vk.yaml'], env, file).podSyncWorkers).toBe(
      6,
    );
  });

  it('a boolean flag set to false overrides true in the file', () => {
    const io = withFile('reregisterNode: true\ndisableTaint: true\n');
    const c = config(
      ['--config', 'vk.yaml', '--reregister-node=false', '--disable-taint=false'],
      {},
      io,
    );
    expect([c.reRegisterNode, c.nodes[0]?.taints.length]).toEqual([false, 1]);
  });
});

describe('several nodes', () => {
  it('each node gets its own settings and consecutive kubelet ports', () => {
    const io = withFile(
      `
os: windows
nodeLabels: { fleet: west }
nodes:
  - nodeName: vk-a
    providerConfig: a.toml
  - nodeName: vk-b
    providerConfig: b.toml
    os: linux
    nodeLabels: { fleet: east }
    disableTaint: true
  - nodeName: vk-c
    nodeIp: 10.0.0.9
    taintValue: c
    registerWithTaints: ["zone=c:NoSchedule"]
`,
      ['a.toml', 'b.toml'],
    );
    expect(config(['--config', 'vk.yaml'], {}, io).nodes).toEqual([
      {
        nodeName: 'vk-a',
        providerConfigPath: 'a.toml',
        labels: { fleet: 'west' },
        taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
        operatingSystem: 'windows',
        internalIP: undefined,
        kubeletPort: 10250,
      },
      {
        nodeName: 'vk-b',
        providerConfigPath: 'b.toml',
        labels: { fleet: 'east' },
        taints: [],
        operatingSystem: 'linux',
        internalIP: undefined,
        kubeletPort: 10251,
      },
      {
        nodeName: 'vk-c',
        providerConfigPath: undefined,
        labels: { fleet: 'west' },
        taints: [
          { key: 'virtual-kubelet.io/provider', value: 'c', effect: 'NoSchedule' },
          { key: 'zone', value: 'c', effect: 'NoSchedule' },
        ],
        operatingSystem: 'windows',
        internalIP: '10.0.0.9',
        kubeletPort: 10252,
      },
    ]);
  });

  const ports = (yaml: string, argv: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    config(['--config', 'vk.yaml', ...argv], env, withFile(yaml)).nodes.map(n => n.kubeletPort);

  it('explicit ports are kept and skipped by the counting', () => {
    expect(
      ports(
        'nodes:\n  - {nodeName: a}\n  - {nodeName: b, kubeletPort: 10251}\n  - {nodeName: c}\n',
      ),
    ).toEqual([10250, 10251, 10252]);
    expect(
      ports(
        'nodes:\n  - {nodeName: a, kubeletPort: 10250}\n  - {nodeName: b}\n  - {nodeName: c}\n',
      ),
    ).toEqual([10250, 10251, 10252]);
    expect(
      ports(
        'nodes:\n  - {nodeName: a}\n  - {nodeName: b, kubeletPort: 10250}\n  - {nodeName: c}\n',
      ),
    ).toEqual([10251, 10250, 10252]);
    expect(ports('nodes:\n  - {nodeName: a, kubeletPort: 20000}\n  - {nodeName: b}\n')).toEqual([
      20000, 10250,
    ]);
  });

  it('the counting skips the metrics port', () => {
    const six = [1, 2, 3, 4, 5, 6].map(i => `  - nodeName: n${i}\n`).join('');
    expect(ports(`nodes:\n${six}`)).toEqual([10250, 10251, 10252, 10253, 10254, 10256]);
    expect(ports(`metricsAddr: ""\nnodes:\n${six}`)).toEqual([
      10250, 10251, 10252, 10253, 10254, 10255,
    ]);
    expect(ports(`metricsAddr: ":0"\nnodes:\n${six}`)).toEqual([
      10250, 10251, 10252, 10253, 10254, 10255,
    ]);
  });

  it('counts from the top-level kubeletPort, or KUBELET_PORT', () => {
    const two = 'nodes:\n  - {nodeName: a}\n  - {nodeName: b}\n';
    expect(ports(`kubeletPort: 11000\n${two}`)).toEqual([11000, 11001]);
    expect(ports(two, [], { KUBELET_PORT: '12000' })).toEqual([12000, 12001]);
    expect(ports(`kubeletPort: 11000\n${two}`, [], { KUBELET_PORT: '12000' })).toEqual([
      11000, 11001,
    ]);
  });

  it('--kubelet-port overrides the file: every node counts up from it', () => {
    expect(
      ports('nodes:\n  - {nodeName: a, kubeletPort: 20000}\n  - {nodeName: b}\n', [
        '--kubelet-port',
        '30000',
      ]),
    ).toEqual([30000, 30001]);
  });

  it('a flag for a per-node setting applies to every node', () => {
    const io = withFile('nodes:\n  - {nodeName: a, os: linux}\n  - {nodeName: b}\n');
    expect(
      config(['--config', 'vk.yaml', '--os', 'windows'], {}, io).nodes.map(n => n.operatingSystem),
    ).toEqual(['windows', 'windows']);
  });

  it('--nodename renames a single listed node', () => {
    const io = withFile('nodes:\n  - {nodeName: a, kubeletPort: 10300}\n');
    expect(config(['--config', 'vk.yaml', '--nodename', 'b'], {}, io).nodes).toMatchObject([
      { nodeName: 'b', kubeletPort: 10300 },
    ]);
  });

  it.each<[string, string[], string]>([
    [
      'nodes:\n  - {nodeName: a}\n  - {nodeName: b}\n',
      ['--nodename', 'x'],
      '--nodename: cannot name 2 nodes; set nodeName in each entry of vk.yaml instead',
    ],
    [
      'nodes:\n  - {nodeName: a}\n  - {nodeName: a}\n',
      [],
      'vk.yaml: nodes[1]: node name "a" is already used by vk.yaml: nodes[0]; give each node its own nodeName',
    ],
    [
      'nodes:\n  - {}\n  - {}\n',
      [],
      'vk.yaml: nodes[1]: node name "virtual-kubelet" is already used by vk.yaml: nodes[0]; give each node its own nodeName',
    ],
    [
      'nodes:\n  - {nodeName: a, kubeletPort: 10300}\n  - {nodeName: b, kubeletPort: 10300}\n',
      [],
      'vk.yaml: nodes[1].kubeletPort: port 10300 is already the kubelet port of node "a"',
    ],
    [
      'nodes:\n  - {nodeName: a, kubeletPort: 10255}\n',
      [],
      'vk.yaml: nodes[0].kubeletPort: port 10255 is also the metrics port (default --metrics-addr :10255)',
    ],
    [
      'metricsAddr: "127.0.0.1:9000"\nnodes:\n  - {nodeName: a, kubeletPort: 9000}\n',
      [],
      'vk.yaml: nodes[0].kubeletPort: port 9000 is also the metrics port (vk.yaml: metricsAddr)',
    ],
    [
      'kubeletPort: 65535\nnodes:\n  - {nodeName: a}\n  - {nodeName: b}\n',
      [],
      'no free kubelet port for node "b": counting up from 65535 passed 65535',
    ],
    [
      'nodes:\n  - {nodeName: a, providerConfig: missing.toml}\n',
      [],
      'vk.yaml: nodes[0].providerConfig: missing.toml does not exist',
    ],
    ['nodes: []\n', [], 'vk.yaml: nodes must list at least one node'],
    ['nodes:\n', [], 'vk.yaml: nodes must be a list of nodes, got null'],
    ['nodes: {nodeName: a}\n', [], 'vk.yaml: nodes must be a list of nodes, got a mapping'],
    ['nodes: [vk-a]\n', [], 'vk.yaml: nodes[0] must be a mapping, got a string'],
    [
      'nodes:\n  - {nodeName: a, podSyncWorkers: 3}\n',
      [],
      'vk.yaml: nodes[0].podSyncWorkers is not a per-node setting; set it at the top level (per-node: nodeName, providerConfig, os, nodeIp, nodeLabels, disableTaint, taint, taintValue, taintEffect, registerWithTaints, kubeletPort)',
    ],
    ['nodes:\n  - {nodeName: a, nodes: []}\n', [], 'vk.yaml: unknown key "nodes[0].nodes"'],
    ['nodes:\n  - {name: a}\n', [], 'vk.yaml: unknown key "nodes[0].name"'],
    [
      'nodes:\n  - {nodeName: a, kubeletPort: 70000}\n',
      [],
      'vk.yaml: nodes[0].kubeletPort: must be at most 65535, got 70000',
    ],
  ])('%j %j', (yaml, argv, message) => {
    expect(failure(['--config', 'vk.yaml', ...argv], {}, withFile(yaml))).toBe(message);
  });
});

describe('config file errors', () => {
  it.each<[string, string]>([
    ['podSyncWorker: 3\n', 'vk.yaml: unknown key "podSyncWorker" (did you mean "podSyncWorkers"?)'],
    [
      'pod-sync-workers: 3\n',
      'vk.yaml: unknown key "pod-sync-workers" (did you mean "podSyncWorkers"?)',
    ],
    ['nodename: a\n', 'vk.yaml: unknown key "nodename" (did you mean "nodeName"?)'],
    ['config: other.yaml\n', 'vk.yaml: unknown key "config"'],
    ['somethingElseEntirely: 1\n', 'vk.yaml: unknown key "somethingElseEntirely"'],
    ['kubeApiQPS: 1\n', 'vk.yaml: unknown key "kubeApiQPS" (did you mean "kubeApiQps"?)'],
    ['trace_tag: {}\n', 'vk.yaml: unknown key "trace_tag" (did you mean "traceTag"?)'],
    ['podSyncWorkers: 1.5\n', 'vk.yaml: podSyncWorkers: must be a whole number, got 1.5'],
    ['podSyncWorkers: 0\n', 'vk.yaml: podSyncWorkers: must be at least 1, got 0'],
    ['podSyncWorkers: [1]\n', 'vk.yaml: podSyncWorkers: must be a whole number, got a list'],
    ['kubeconfig: 42\n', 'vk.yaml: kubeconfig: must be a string, got a number'],
    ['kubeconfig: /missing\n', 'vk.yaml: kubeconfig: /missing does not exist'],
    ['disableTaint: yes\n', 'vk.yaml: disableTaint: must be true or false, got "yes"'],
    ['disableTaint: 1\n', 'vk.yaml: disableTaint: must be true or false, got a number'],
    [
      'startupTimeout: 30\n',
      'vk.yaml: startupTimeout: invalid duration "30": missing unit (e.g. 30s, 1m30s, 100ms, 2h)',
    ],
    [
      'startupTimeout: true\n',
      'vk.yaml: startupTimeout: must be a duration such as "30s", got a boolean',
    ],
    [
      'nodeLabels: { zone: 1 }\n',
      'vk.yaml: nodeLabels: the value of "zone" must be a string, got a number',
    ],
    ['nodeLabels: [1]\n', 'vk.yaml: nodeLabels: item 1 must be a string, got a number'],
    ['nodeLabels: 5\n', 'vk.yaml: nodeLabels: must be a list of strings, got a number'],
    [
      'registerWithTaints: [{ key: a, effect: NoSchedule, operator: Exists }]\n',
      'vk.yaml: registerWithTaints: unknown taint field "operator"',
    ],
    [
      'registerWithTaints: [{ key: a }]\n',
      'vk.yaml: registerWithTaints: must be NoSchedule, PreferNoSchedule or NoExecute, got undefined',
    ],
    [
      'traceTag: { nodeName: x }\n',
      'vk.yaml: traceTag: "nodeName" is reserved (operatingSystem, provider, nodeName are set by vkubelet)',
    ],
    [
      'provider: aci\n',
      'vk.yaml: provider: vk-mock runs only the mock provider, not "aci" (available: mock)',
    ],
    ['[1, 2]\n', 'vk.yaml: must be a mapping, got a list'],
    ['just text\n', 'vk.yaml: must be a mapping, got a string'],
  ])('%j', (yaml, message) => {
    expect(failure(['--config', 'vk.yaml'], {}, withFile(yaml))).toBe(message);
  });

  it('a file that does not parse names the file and the place', () => {
    expect(failure(['--config', 'vk.yaml'], {}, withFile('a: [1, 2\n'))).toMatch(
      /^--config: vk\.yaml is not valid YAML or JSON: .*line 2/s,
    );
    expect(failure(['--config', 'vk.yaml'], {}, withFile('a: 1\na: 2\n'))).toMatch(
      /^--config: vk\.yaml is not valid YAML or JSON: Map keys must be unique/,
    );
  });

  it('a missing or unreadable file', () => {
    expect(failure(['--config', 'nope.yaml'])).toBe('--config: nope.yaml does not exist');
    const io = {
      readFile: () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
      exists: () => true,
    };
    expect(failure(['--config', 'vk.yaml'], {}, io)).toBe(
      '--config: cannot read vk.yaml: EACCES: permission denied',
    );
  });

  it('a bad value in the file is an error even where a flag overrides it', () => {
    expect(
      failure(
        ['--config', 'vk.yaml', '--pod-sync-workers', '3'],
        {},
        withFile('podSyncWorkers: 0\n'),
      ),
    ).toBe('vk.yaml: podSyncWorkers: must be at least 1, got 0');
  });
});
