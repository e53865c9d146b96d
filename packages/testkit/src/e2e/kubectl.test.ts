/**
 * End to end with the real kubectl: the standalone `vk-testkit` server runs in its own process
 * and kubectl talks to it through an admin kubeconfig, exactly as a developer would. Every test
 * checks what kubectl prints (stdout, stderr) and its exit code.
 *
 * Tests that depend on protobuf request bodies (`create configmap`, `create secret generic`,
 * `auth can-i` with kubectl 1.33) are marked [protobuf] in their names.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import {
  Kubectl,
  parseTable,
  startStandaloneServer,
  type CommandResult,
  type StandaloneServer,
} from './harness.ts';

/** The kubectl on PATH dispatches to the version matching the server (v1.33). */
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
/** Where the individual kubectl.1.27 ... kubectl.1.33 binaries live. */
const KUBECTL_VERSIONS = process.env.KUBECTL_VERSIONS_DIR ?? '/usr/lib/google-cloud-sdk/bin';

const NODE = 'vk-node-1';
const NS_GET = 'e2e-get';
const NS_WRITE = 'e2e-write';
const NS_DATA = 'e2e-data';
const NS_WATCH = 'e2e-watch';
const NS_BAD = 'e2e-bad';
const VIEWER_TOKEN = 'e2e-viewer-token';

/** An AGE cell of an object made during this run. */
const AGE = /^(\d+s|\d+m(\d+s)?)$/;
const HEARTBEAT = '2025-01-01T00:00:00Z';
const HEARTBEAT_TEXT = 'Wed, 01 Jan 2025 00:00:00 +0000';

const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_RULE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

let dir = '';
let server: StandaloneServer | undefined;
let k: Kubectl;

type Obj = Record<string, any>;

/** Writes objects as a YAML manifest (several become a multi-document file). */
async function manifest(name: string, ...objects: object[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, objects.map(o => toYaml(o)).join('---\n'));
  return path;
}

async function writeRaw(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Runs kubectl and requires exit 0 with nothing on stderr; returns stdout. */
async function ok(args: readonly string[], input?: string): Promise<string> {
  const result = await k.run(args, input === undefined ? {} : { input });
  expect(result, `kubectl ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
  return result.stdout;
}

async function getJson(args: readonly string[]): Promise<Obj> {
  return JSON.parse(await ok(['get', ...args, '-o', 'json'])) as Obj;
}

/** Exit 1, nothing on stdout, exactly this on stderr. */
function expectFailure(result: CommandResult, stderr: string): void {
  expect(result).toEqual({ code: 1, signal: null, stdout: '', stderr });
}

const pod = (
  name: string,
  options: {
    namespace?: string;
    labels?: Record<string, string>;
    image?: string;
    nodeName?: string;
    containers?: Obj[];
    resources?: Obj;
  } = {},
): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.labels !== undefined ? { labels: options.labels } : {}),
  },
  spec: {
    ...(options.nodeName !== undefined ? { nodeName: options.nodeName } : {}),
    containers: options.containers ?? [
      {
        name: 'nginx',
        image: options.image ?? 'nginx:1.27',
        ports: [{ containerPort: 80 }],
        ...(options.resources !== undefined ? { resources: options.resources } : {}),
      },
    ],
  },
});

const nodeStatus = {
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: HEARTBEAT,
        lastTransitionTime: HEARTBEAT,
      },
    ],
    addresses: [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: NODE },
    ],
    capacity: { cpu: '8', memory: '32Gi', pods: '110' },
    allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
    nodeInfo: {
      machineID: 'machine-1',
      systemUUID: 'uuid-1',
      bootID: 'boot-1',
      kernelVersion: '6.1.0-vk',
      osImage: 'Virtual Kubelet',
      containerRuntimeVersion: 'mock://1.0.0',
      kubeletVersion: 'v1.33.0-vk',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  },
};

const lease = (holder: string): Obj => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: NODE, namespace: 'kube-node-lease' },
  spec: {
    holderIdentity: holder,
    leaseDurationSeconds: 40,
    renewTime: '2025-01-01T00:00:00.000000Z',
  },
});

/** Level-0 section names of `kubectl describe` output, in order. */
function sections(text: string): string[] {
  return text
    .split('\n')
    .map(line => /^([A-Z][A-Za-z -]*):/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vk-kubectl-e2e-'));
  k = new Kubectl(KUBECTL, join(dir, 'kubeconfig'), join(dir, 'kube-cache'));
  server = await startStandaloneServer(k.kubeconfig);

  const namespaces = [NS_GET, NS_WRITE, NS_DATA, NS_WATCH, NS_BAD].map(name => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  }));
  expect(await ok(['create', '-f', await manifest('namespaces.yaml', ...namespaces)])).toBe(
    [NS_GET, NS_WRITE, NS_DATA, NS_WATCH, NS_BAD].map(n => `namespace/${n} created\n`).join(''),
  );

  // The node a virtual kubelet would register, its status as the kubelet reports it, its lease.
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE,
      labels: { type: 'virtual-kubelet', 'node-role.kubernetes.io/agent': '' },
    },
    spec: { taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }] },
  };
  expect(await ok(['create', '-f', await manifest('node.yaml', node)])).toBe(
    `node/${NODE} created\n`,
  );
  const statusFile = await writeRaw('node-status.json', JSON.stringify(nodeStatus));
  expect(
    await ok([
      'patch',
      'node',
      NODE,
      '--subresource=status',
      '--type=merge',
      '--patch-file',
      statusFile,
    ]),
  ).toBe(`node/${NODE} patched\n`);
  expect(await ok(['apply', '-f', await manifest('lease.yaml', lease(NODE))])).toBe(
    `lease.coordination.k8s.io/${NODE} created\n`,
  );

  // Pods to read: two unscheduled ones, and one bound to the node with resources.
  const pods = [
    pod('web-1', { namespace: NS_GET, labels: { app: 'web', tier: 'front', suite: 'get' } }),
    pod('web-2', { namespace: NS_GET, labels: { app: 'web', tier: 'back', suite: 'get' } }),
    pod('sys-1', {
      namespace: 'kube-system',
      labels: { app: 'sys', suite: 'get' },
      nodeName: NODE,
      image: 'busybox:1.36',
      resources: {
        requests: { cpu: '250m', memory: '64Mi' },
        limits: { cpu: '500m', memory: '128Mi' },
      },
    }),
  ];
  expect(await ok(['create', '-f', await manifest('pods-get.yaml', ...pods)])).toBe(
    'pod/web-1 created\npod/web-2 created\npod/sys-1 created\n',
  );
});

afterAll(async () => {
  if (dir === '') return; // mkdtemp failed: nothing was started
  await k.stopAll();
  const exit = await server?.stop();
  await rm(dir, { recursive: true, force: true });
  // SIGTERM stops the server cleanly.
  expect(exit).toEqual({ code: 0, signal: null });
});

describe('the standalone server', () => {
  it('runs in its own process and writes a kubeconfig kubectl uses as is', async () => {
    expect(server!.pid).not.toBe(process.pid);
    expect(server!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server!.kubeconfig).toBe(join(dir, 'kubeconfig'));
    expect(
      await ok([
        'config',
        'view',
        '--minify',
        '-o',
        'jsonpath={.clusters[0].cluster.server} {.contexts[0].context.namespace} {.users[0].name}',
      ]),
    ).toBe(`${server!.url} default testkit`);
  });

  it('tells kubectl version it is v1.33.0', async () => {
    const version = JSON.parse(await ok(['version', '-o', 'json']));
    expect(version.serverVersion).toMatchObject({
      major: '1',
      minor: '33',
      gitVersion: 'v1.33.0',
      platform: 'linux/amd64',
    });
    expect(version.clientVersion.major).toBe('1');
  });
});

describe('get --raw', () => {
  it('/version', async () => {
    expect(JSON.parse(await ok(['get', '--raw', '/version']))).toMatchObject({
      major: '1',
      minor: '33',
      gitVersion: 'v1.33.0',
      gitTreeState: 'clean',
      compiler: 'gc',
      platform: 'linux/amd64',
    });
  });

  it('/api', async () => {
    const hostPort = server!.url.replace('https://', '');
    expect(JSON.parse(await ok(['get', '--raw', '/api']))).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }],
    });
  });

  it('/apis', async () => {
    const list = JSON.parse(await ok(['get', '--raw', '/apis']));
    expect(list).toMatchObject({ kind: 'APIGroupList', apiVersion: 'v1' });
    const byName = new Map<string, Obj>(list.groups.map((g: Obj) => [g.name, g]));
    for (const name of [
      'coordination.k8s.io',
      'events.k8s.io',
      'authentication.k8s.io',
      'authorization.k8s.io',
      'certificates.k8s.io',
    ]) {
      expect(byName.get(name), name).toEqual({
        name,
        versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
      });
    }
  });

  it('/api/v1', async () => {
    const list = JSON.parse(await ok(['get', '--raw', '/api/v1']));
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const byName = new Map<string, Obj>(list.resources.map((r: Obj) => [r.name, r]));
    expect(byName.get('pods')).toMatchObject({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      shortNames: ['po'],
      categories: ['all'],
      verbs: expect.arrayContaining(['create', 'delete', 'get', 'list', 'patch', 'watch']),
    });
    expect(byName.get('nodes')).toMatchObject({ namespaced: false, kind: 'Node' });
    for (const name of ['pods/status', 'pods/binding', 'nodes/status', 'secrets', 'configmaps']) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(byName.get('events')).toMatchObject({ kind: 'Event', shortNames: ['ev'] });
    expect(byName.get('configmaps')).toMatchObject({ kind: 'ConfigMap', shortNames: ['cm'] });
  });

  it('/openapi/v3 and the group-version documents it points to', async () => {
    const root = JSON.parse(await ok(['get', '--raw', '/openapi/v3']));
    const core = root.paths['api/v1'];
    expect(core.serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=/);
    expect(root.paths['apis/coordination.k8s.io/v1'].serverRelativeURL).toMatch(
      /^\/openapi\/v3\/apis\/coordination\.k8s\.io\/v1\?hash=/,
    );
    const doc = JSON.parse(await ok(['get', '--raw', core.serverRelativeURL]));
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch).toMatchObject({
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: 'Pod' },
    });
  });

  it('a path the server does not serve is NotFound', async () => {
    expectFailure(
      await k.run(['get', '--raw', '/apis/nope.example.com/v1']),
      'Error from server (NotFound): the server could not find the requested resource\n',
    );
    expectFailure(
      await k.run(['get', '--raw', `/api/v1/namespaces/${NS_GET}/pods/missing`]),
      'Error from server (NotFound): pods "missing" not found\n',
    );
  });
});

describe('get pods', () => {
  it('prints the default columns', async () => {
    const out = await ok(['get', 'pods', '-n', NS_GET]);
    expect(out.split('\n')[0]).toMatch(/^NAME {3,}READY {3}STATUS {4}RESTARTS {3}AGE$/);
    expect(parseTable(out)).toEqual([
      {
        NAME: 'web-1',
        READY: '0/1',
        STATUS: 'Pending',
        RESTARTS: '0',
        AGE: expect.stringMatching(AGE),
      },
      {
        NAME: 'web-2',
        READY: '0/1',
        STATUS: 'Pending',
        RESTARTS: '0',
        AGE: expect.stringMatching(AGE),
      },
    ]);
  });

  it('-o wide adds IP, node, nominated node and readiness gates', async () => {
    const out = await ok(['get', 'pods', '-A', '-l', 'suite=get', '-o', 'wide']);
    expect(out.split('\n')[0]).toMatch(
      /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/,
    );
    const common = { READY: '0/1', STATUS: 'Pending', RESTARTS: '0', IP: '<none>' };
    expect(parseTable(out)).toEqual([
      {
        NAMESPACE: NS_GET,
        NAME: 'web-1',
        ...common,
        AGE: expect.stringMatching(AGE),
        NODE: '<none>',
        'NOMINATED NODE': '<none>',
        'READINESS GATES': '<none>',
      },
      {
        NAMESPACE: NS_GET,
        NAME: 'web-2',
        ...common,
        AGE: expect.stringMatching(AGE),
        NODE: '<none>',
        'NOMINATED NODE': '<none>',
        'READINESS GATES': '<none>',
      },
      {
        NAMESPACE: 'kube-system',
        NAME: 'sys-1',
        ...common,
        AGE: expect.stringMatching(AGE),
        NODE: NODE,
        'NOMINATED NODE': '<none>',
        'READINESS GATES': '<none>',
      },
    ]);
  });

  it('-o name', async () => {
    expect(await ok(['get', 'pods', '-n', NS_GET, '-o', 'name'])).toBe('pod/web-1\npod/web-2\n');
  });

  it('-o json of one pod carries the defaults the API server adds', async () => {
    const web1 = await getJson(['pod', 'web-1', '-n', NS_GET]);
    expect(web1).toMatchObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: NS_GET,
        labels: { app: 'web', tier: 'front', suite: 'get' },
        uid: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        ),
        resourceVersion: expect.stringMatching(/^\d+$/),
        creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
      spec: {
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        terminationGracePeriodSeconds: 30,
        serviceAccountName: 'default',
        enableServiceLinks: true,
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.27',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            volumeMounts: [
              {
                mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
                name: expect.stringMatching(/^kube-api-access-[a-z0-9]{5}$/),
                readOnly: true,
              },
            ],
          },
        ],
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
        ],
      },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    });
    expect(web1.spec.nodeName).toBeUndefined();
  });

  it('-o json of a list is a v1 List', async () => {
    const list = await getJson(['pods', '-n', NS_GET]);
    expect(list).toMatchObject({
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
    });
    expect(list.items.map((p: Obj) => [p.kind, p.apiVersion, p.metadata.name])).toEqual([
      ['Pod', 'v1', 'web-1'],
      ['Pod', 'v1', 'web-2'],
    ]);
  });

  it('-o yaml is the same object as -o json', async () => {
    const asYaml = parseYaml(await ok(['get', 'pod', 'web-2', '-n', NS_GET, '-o', 'yaml']));
    expect(asYaml).toEqual(await getJson(['pod', 'web-2', '-n', NS_GET]));
    expect(asYaml.metadata.labels).toEqual({ app: 'web', tier: 'back', suite: 'get' });
  });

  it('-o jsonpath, on one object and with range over a list', async () => {
    expect(
      await ok([
        'get',
        'pod',
        'sys-1',
        '-n',
        'kube-system',
        '-o',
        'jsonpath={.spec.nodeName} {.spec.containers[0].resources.requests.cpu} {.status.qosClass}',
      ]),
    ).toBe(`${NODE} 250m Burstable`);
    expect(
      await ok([
        'get',
        'pods',
        '-n',
        NS_GET,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.tier}{"\\n"}{end}',
      ]),
    ).toBe('web-1=front\nweb-2=back\n');
  });

  it('--show-labels adds a LABELS column', async () => {
    const out = await ok(['get', 'pods', '-n', NS_GET, '--show-labels']);
    expect(parseTable(out).map(r => [r.NAME, r.LABELS])).toEqual([
      ['web-1', 'app=web,suite=get,tier=front'],
      ['web-2', 'app=web,suite=get,tier=back'],
    ]);
  });

  it('-L adds a column per label key', async () => {
    const out = await ok(['get', 'pods', '-A', '-l', 'suite=get', '-L', 'app,tier']);
    expect(out.split('\n')[0]).toMatch(
      /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+APP\s+TIER$/,
    );
    expect(parseTable(out).map(r => [r.NAMESPACE, r.NAME, r.APP, r.TIER])).toEqual([
      [NS_GET, 'web-1', 'web', 'front'],
      [NS_GET, 'web-2', 'web', 'back'],
      ['kube-system', 'sys-1', 'sys', ''],
    ]);
  });

  it('-A lists every namespace with a NAMESPACE column', async () => {
    const out = await ok(['get', 'pods', '-A', '-l', 'suite=get']);
    expect(out.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const row = (namespace: string, name: string): Obj => ({
      NAMESPACE: namespace,
      NAME: name,
      READY: '0/1',
      STATUS: 'Pending',
      RESTARTS: '0',
      AGE: expect.stringMatching(AGE),
    });
    expect(parseTable(out)).toEqual([
      row(NS_GET, 'web-1'),
      row(NS_GET, 'web-2'),
      row('kube-system', 'sys-1'),
    ]);
  });

  it('an empty namespace says so on stderr', async () => {
    expect(await k.run(['get', 'pods', '-n', NS_BAD])).toEqual({
      code: 0,
      signal: null,
      stdout: '',
      stderr: `No resources found in ${NS_BAD} namespace.\n`,
    });
  });

  it('a missing pod is NotFound', async () => {
    expectFailure(
      await k.run(['get', 'pod', 'nope', '-n', NS_GET]),
      'Error from server (NotFound): pods "nope" not found\n',
    );
  });
});

describe('label and field selectors', () => {
  const names = async (...args: string[]): Promise<string> =>
    ok(['get', 'pods', '-A', '-o', 'name', ...args]);

  it('-l with equality, inequality, set and existence terms', async () => {
    expect(await names('-l', 'tier=front')).toBe('pod/web-1\n');
    expect(await names('-l', 'suite=get,tier!=front')).toBe('pod/web-2\npod/sys-1\n');
    expect(await names('-l', 'tier in (front,back)')).toBe('pod/web-1\npod/web-2\n');
    expect(await names('-l', 'suite=get,!tier')).toBe('pod/sys-1\n');
    expect(await names('-l', 'app notin (web),suite')).toBe('pod/sys-1\n');
  });

  it('--field-selector on the fields pods support, alone and with -l', async () => {
    expect(await names('--field-selector', `spec.nodeName=${NODE}`)).toBe('pod/sys-1\n');
    expect(await names('-l', 'suite=get', '--field-selector', 'spec.nodeName=')).toBe(
      'pod/web-1\npod/web-2\n',
    );
    expect(await names('--field-selector', 'metadata.name=web-2')).toBe('pod/web-2\n');
    expect(
      await names('-l', 'app=web', '--field-selector', 'status.phase=Pending,metadata.name!=web-1'),
    ).toBe('pod/web-2\n');
    expect(
      await ok(['get', 'nodes', '-o', 'name', '--field-selector', 'spec.unschedulable=false']),
    ).toBe(`node/${NODE}\n`);
  });

  it('an unsupported field is the server’s BadRequest', async () => {
    expectFailure(
      await k.run(['get', 'pods', '-n', NS_GET, '--field-selector', 'spec.image=nginx']),
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.image=nginx": field label not supported: spec.image\n',
    );
  });

  it('a malformed label selector is the server’s BadRequest', async () => {
    expectFailure(
      await k.run(['get', 'pods', '-n', NS_GET, '-l', '!!tier']),
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "!!tier", field selector "": unable to parse requirement: found \'!\', expected: identifier\n',
    );
  });
});

describe('describe', () => {
  it('pod: the sections kubectl prints for an unscheduled pod', async () => {
    const out = await ok(['describe', 'pod', 'web-1', '-n', NS_GET]);
    expect(sections(out)).toEqual([
      'Name',
      'Namespace',
      'Priority',
      'Service Account',
      'Node',
      'Labels',
      'Annotations',
      'Status',
      'IP',
      'IPs',
      'Containers',
      'Volumes',
      'QoS Class',
      'Node-Selectors',
      'Tolerations',
      'Events',
    ]);
    expect(out).toMatch(/^Name: +web-1$/m);
    expect(out).toMatch(new RegExp(`^Namespace: +${NS_GET}$`, 'm'));
    expect(out).toMatch(/^Service Account: +default$/m);
    expect(out).toMatch(/^Node: +<none>$/m);
    expect(out).toMatch(/^Labels: +app=web\n +suite=get\n +tier=front$/m);
    expect(out).toMatch(/^Status: +Pending$/m);
    expect(out).toMatch(
      /^ {2}nginx:\n {4}Image: +nginx:1\.27\n {4}Port: +80\/TCP\n {4}Host Port: +0\/TCP$/m,
    );
    expect(out).toMatch(
      /^ {6}\/var\/run\/secrets\/kubernetes\.io\/serviceaccount from kube-api-access-[a-z0-9]{5} \(ro\)$/m,
    );
    expect(out).toMatch(/^QoS Class: +BestEffort$/m);
    expect(out).toMatch(
      /^Tolerations: +node\.kubernetes\.io\/not-ready:NoExecute op=Exists for 300s\n +node\.kubernetes\.io\/unreachable:NoExecute op=Exists for 300s$/m,
    );
    expect(out).toMatch(/^Events: +<none>$/m);
  });

  it('pod: a bound pod shows its node and its requests and limits', async () => {
    const out = await ok(['describe', 'pod', 'sys-1', '-n', 'kube-system']);
    expect(out).toMatch(new RegExp(`^Node: +${NODE}/$`, 'm'));
    expect(out).toMatch(
      /^ {4}Limits:\n {6}cpu: +500m\n {6}memory: +128Mi\n {4}Requests:\n {6}cpu: +250m\n {6}memory: +64Mi$/m,
    );
    expect(out).toMatch(/^QoS Class: +Burstable$/m);
  });

  it('node: every section, with the lease, conditions, addresses and the pods on it', async () => {
    const out = await ok(['describe', 'node', NODE]);
    expect(sections(out)).toEqual([
      'Name',
      'Roles',
      'Labels',
      'Annotations',
      'CreationTimestamp',
      'Taints',
      'Unschedulable',
      'Lease',
      'Conditions',
      'Addresses',
      'Capacity',
      'Allocatable',
      'System Info',
      'Non-terminated Pods',
      'Allocated resources',
      'Events',
    ]);
    expect(out).toMatch(new RegExp(`^Name: +${NODE}$`, 'm'));
    expect(out).toMatch(/^Roles: +agent$/m);
    expect(out).toMatch(/^Labels: +node-role\.kubernetes\.io\/agent=\n +type=virtual-kubelet$/m);
    expect(out).toMatch(/^Taints: +virtual-kubelet\.io\/provider=mock:NoSchedule$/m);
    expect(out).toMatch(/^Unschedulable: +false$/m);
    expect(out).toMatch(
      new RegExp(
        `^Lease:\\n {2}HolderIdentity: +${NODE}\\n {2}AcquireTime: +<unset>\\n {2}RenewTime: +${escapeRegExp(HEARTBEAT_TEXT)}$`,
        'm',
      ),
    );
    expect(out).toMatch(
      new RegExp(
        `^ {2}Ready +True +${escapeRegExp(HEARTBEAT_TEXT)} +${escapeRegExp(HEARTBEAT_TEXT)} +KubeletReady +kubelet is posting ready status$`,
        'm',
      ),
    );
    expect(out).toMatch(
      new RegExp(`^Addresses:\\n {2}InternalIP: +10\\.0\\.0\\.5\\n {2}Hostname: +${NODE}$`, 'm'),
    );
    expect(out).toMatch(/^Capacity:\n {2}cpu: +8\n {2}memory: +32Gi\n {2}pods: +110$/m);
    expect(out).toMatch(/^ {2}Kernel Version: +6\.1\.0-vk$/m);
    expect(out).toMatch(/^ {2}OS Image: +Virtual Kubelet$/m);
    expect(out).toMatch(/^ {2}Container Runtime Version: +mock:\/\/1\.0\.0$/m);
    expect(out).toMatch(/^ {2}Kubelet Version: +v1\.33\.0-vk$/m);
    expect(out).toMatch(/^Non-terminated Pods: +\(1 in total\)$/m);
    expect(out).toMatch(
      /^ {2}kube-system +sys-1 +250m \(3%\) +500m \(6%\) +64Mi \(0%\) +128Mi \(0%\) +\d+s$/m,
    );
    expect(out).toMatch(/^ {2}cpu +250m \(3%\) +500m \(6%\)$/m);
    expect(out).toMatch(/^Events: +<none>$/m);
  });
});

describe('nodes', () => {
  it('get: the default columns from the Ready condition, role labels and nodeInfo', async () => {
    const out = await ok(['get', 'nodes']);
    expect(out.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(parseTable(out)).toEqual([
      {
        NAME: NODE,
        STATUS: 'Ready',
        ROLES: 'agent',
        AGE: expect.stringMatching(AGE),
        VERSION: 'v1.33.0-vk',
      },
    ]);
  });

  it('get -o wide: addresses and system info', async () => {
    expect(parseTable(await ok(['get', 'nodes', '-o', 'wide']))).toEqual([
      {
        NAME: NODE,
        STATUS: 'Ready',
        ROLES: 'agent',
        AGE: expect.stringMatching(AGE),
        VERSION: 'v1.33.0-vk',
        'INTERNAL-IP': '10.0.0.5',
        'EXTERNAL-IP': '<none>',
        'OS-IMAGE': 'Virtual Kubelet',
        'KERNEL-VERSION': '6.1.0-vk',
        'CONTAINER-RUNTIME': 'mock://1.0.0',
      },
    ]);
  });

  it('get --show-labels, -L, -o jsonpath and -o yaml', async () => {
    expect(parseTable(await ok(['get', 'nodes', '--show-labels']))[0]?.LABELS).toBe(
      'node-role.kubernetes.io/agent=,type=virtual-kubelet',
    );
    expect(parseTable(await ok(['get', 'nodes', '-L', 'type']))[0]?.TYPE).toBe('virtual-kubelet');
    expect(
      await ok([
        'get',
        'node',
        NODE,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.capacity.cpu} {.spec.taints[0].effect}',
      ]),
    ).toBe('True 8 NoSchedule');
    const asYaml = parseYaml(await ok(['get', 'node', NODE, '-o', 'yaml']));
    expect(asYaml).toMatchObject({ apiVersion: 'v1', kind: 'Node', ...nodeStatus });
  });

  it('label, overwrite and remove a label on a node', async () => {
    expect(await ok(['label', 'node', NODE, 'zone=a'])).toBe(`node/${NODE} labeled\n`);
    expect(await ok(['label', 'node', NODE, 'zone=b', '--overwrite'])).toBe(
      `node/${NODE} labeled\n`,
    );
    expect(await ok(['get', 'nodes', '-l', 'zone=b', '-o', 'name'])).toBe(`node/${NODE}\n`);
    expect(await ok(['label', 'node', NODE, 'zone-'])).toBe(`node/${NODE} unlabeled\n`);
    expect(await ok(['get', 'node', NODE, '-o', 'jsonpath={.metadata.labels}'])).toBe(
      '{"node-role.kubernetes.io/agent":"","type":"virtual-kubelet"}',
    );
  });
});

describe('leases', () => {
  it('get: NAME, HOLDER, AGE, in one namespace and across all', async () => {
    expect(parseTable(await ok(['get', 'leases', '-n', 'kube-node-lease']))).toEqual([
      { NAME: NODE, HOLDER: NODE, AGE: expect.stringMatching(AGE) },
    ]);
    expect(parseTable(await ok(['get', 'leases', '-A']))).toEqual([
      { NAMESPACE: 'kube-node-lease', NAME: NODE, HOLDER: NODE, AGE: expect.stringMatching(AGE) },
    ]);
  });

  it('apply a change: the lease changes and keeps the MicroTime it was given', async () => {
    expect(await ok(['apply', '-f', await manifest('lease-2.yaml', lease('other-holder'))])).toBe(
      `lease.coordination.k8s.io/${NODE} configured\n`,
    );
    const asYaml = parseYaml(
      await ok(['get', 'lease', NODE, '-n', 'kube-node-lease', '-o', 'yaml']),
    );
    expect(asYaml.spec).toEqual({
      holderIdentity: 'other-holder',
      leaseDurationSeconds: 40,
      renewTime: '2025-01-01T00:00:00.000000Z',
    });
    expect(
      JSON.parse(asYaml.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']),
    ).toEqual({ ...lease('other-holder'), metadata: { ...lease('').metadata, annotations: {} } });
    // Put the holder back for the node's describe output.
    expect(await ok(['apply', '-f', await manifest('lease-3.yaml', lease(NODE))])).toBe(
      `lease.coordination.k8s.io/${NODE} configured\n`,
    );
  });

  it('an invalid lease is the server’s Invalid', async () => {
    const bad = {
      ...lease(NODE),
      metadata: { name: 'bad-lease', namespace: 'kube-node-lease' },
      spec: { holderIdentity: NODE, leaseDurationSeconds: 0 },
    };
    expectFailure(
      await k.run(['create', '-f', await manifest('bad-lease.yaml', bad)]),
      'The Lease "bad-lease" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0\n',
    );
  });
});

describe('events', () => {
  let podUid: string;

  beforeAll(async () => {
    podUid = await ok(['get', 'pod', 'web-1', '-n', NS_GET, '-o', 'jsonpath={.metadata.uid}']);
    const now = rfc3339(new Date());
    const event = (name: string, reason: string, type: string, message: string, count: number) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: NS_GET },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        name: 'web-1',
        namespace: NS_GET,
        uid: podUid,
      },
      reason,
      type,
      message,
      source: { component: 'kubelet', host: NODE },
      firstTimestamp: now,
      lastTimestamp: now,
      count,
    });
    expect(
      await ok([
        'create',
        '-f',
        await manifest(
          'events.yaml',
          event(
            'web-1.pulled',
            'Pulled',
            'Normal',
            'Container image "nginx:1.27" already present on machine',
            3,
          ),
          event('web-1.failed', 'Failed', 'Warning', 'Error: ImagePullBackOff', 1),
        ),
      ]),
    ).toBe('event/web-1.pulled created\nevent/web-1.failed created\n');
  });

  it('get: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE', async () => {
    const out = await ok(['get', 'events', '-n', NS_GET, '--sort-by=.metadata.name']);
    expect(out.split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(parseTable(out)).toEqual([
      {
        'LAST SEEN': expect.stringMatching(AGE),
        TYPE: 'Warning',
        REASON: 'Failed',
        OBJECT: 'pod/web-1',
        MESSAGE: 'Error: ImagePullBackOff',
      },
      {
        'LAST SEEN': expect.stringMatching(AGE),
        TYPE: 'Normal',
        REASON: 'Pulled',
        OBJECT: 'pod/web-1',
        MESSAGE: 'Container image "nginx:1.27" already present on machine',
      },
    ]);
  });

  it('get -o wide: source, first seen, count, name', async () => {
    const rows = parseTable(
      await ok(['get', 'events', '-n', NS_GET, '-o', 'wide', '--field-selector', 'reason=Pulled']),
    );
    expect(rows).toEqual([
      {
        'LAST SEEN': expect.stringMatching(AGE),
        TYPE: 'Normal',
        REASON: 'Pulled',
        OBJECT: 'pod/web-1',
        SUBOBJECT: '',
        SOURCE: `kubelet, ${NODE}`,
        MESSAGE: 'Container image "nginx:1.27" already present on machine',
        'FIRST SEEN': expect.stringMatching(AGE),
        COUNT: '3',
        NAME: 'web-1.pulled',
      },
    ]);
  });

  it('field selectors on involvedObject, type and reason; an unknown field is rejected', async () => {
    expect(
      await ok([
        'get',
        'events',
        '-A',
        '-o',
        'name',
        '--field-selector',
        `involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.uid=${podUid},type=Warning`,
      ]),
    ).toBe('event/web-1.failed\n');
    expectFailure(
      await k.run(['get', 'events', '-n', NS_GET, '--field-selector', 'message=x']),
      'Error from server (BadRequest): Unable to find "/v1, Resource=events" that match label selector "", field selector "message=x": field label not supported: message\n',
    );
  });

  it('the same events through events.k8s.io/v1', async () => {
    expect(
      await ok([
        'get',
        'events.v1.events.k8s.io',
        '-n',
        NS_GET,
        '--field-selector',
        'reason=Failed',
        '-o',
        'jsonpath={.items[0].regarding.name} {.items[0].note} {.items[0].deprecatedCount}',
      ]),
    ).toBe('web-1 Error: ImagePullBackOff 1');
  });

  it('describe pod lists the pod’s events', async () => {
    const out = await ok(['describe', 'pod', 'web-1', '-n', NS_GET]);
    const events = out.slice(out.indexOf('\nEvents:'));
    expect(events).toMatch(
      /^\nEvents:\n {2}Type +Reason +Age +From +Message\n {2}-{4} +-{6} +-{4} +-{4} +-{7}\n/,
    );
    expect(events).toMatch(
      /^ {2}Normal +Pulled +\d+s \(x3 over \d+s\) +kubelet +Container image "nginx:1\.27" already present on machine$/m,
    );
    expect(events).toMatch(/^ {2}Warning +Failed +\d+s +kubelet +Error: ImagePullBackOff$/m);
  });
});

describe('configmaps and secrets', () => {
  const configMap = (mode: string): Obj => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app-config', namespace: NS_DATA, labels: { app: 'web' } },
    data: { mode, replicas: '2' },
  });

  it('apply creates a configmap, apply again changes it and records last-applied-configuration', async () => {
    expect(await ok(['apply', '-f', await manifest('cm-1.yaml', configMap('blue'))])).toBe(
      'configmap/app-config created\n',
    );
    expect(await ok(['apply', '-f', await manifest('cm-2.yaml', configMap('green'))])).toBe(
      'configmap/app-config configured\n',
    );
    const cm = await getJson(['configmap', 'app-config', '-n', NS_DATA]);
    expect(cm.data).toEqual({ mode: 'green', replicas: '2' });
    expect(
      JSON.parse(cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']),
    ).toEqual({
      ...configMap('green'),
      metadata: { ...configMap('green').metadata, annotations: {} },
    });
  });

  it('get: NAME, DATA, AGE, next to the kube-root-ca.crt every namespace gets', async () => {
    expect(parseTable(await ok(['get', 'configmaps', '-n', NS_DATA]))).toEqual([
      { NAME: 'app-config', DATA: '2', AGE: expect.stringMatching(AGE) },
      { NAME: 'kube-root-ca.crt', DATA: '1', AGE: expect.stringMatching(AGE) },
    ]);
  });

  it('create -f a secret: stringData folds into base64 data', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-creds', namespace: NS_DATA },
      stringData: { username: 'admin' },
      data: { password: Buffer.from('hunter2').toString('base64') },
    };
    expect(await ok(['create', '-f', await manifest('secret.yaml', secret)])).toBe(
      'secret/db-creds created\n',
    );
    expect(parseTable(await ok(['get', 'secrets', '-n', NS_DATA]))).toEqual([
      { NAME: 'db-creds', TYPE: 'Opaque', DATA: '2', AGE: expect.stringMatching(AGE) },
    ]);
    expect(await ok(['get', 'configmaps,secrets', '-n', NS_DATA, '-o', 'name'])).toBe(
      'configmap/app-config\nconfigmap/kube-root-ca.crt\nsecret/db-creds\n',
    );
    const stored = await getJson(['secret', 'db-creds', '-n', NS_DATA]);
    expect(stored.type).toBe('Opaque');
    expect(stored.data).toEqual({ username: 'YWRtaW4=', password: 'aHVudGVyMg==' });
    expect(stored.stringData).toBeUndefined();
    const described = await ok(['describe', 'secret', 'db-creds', '-n', NS_DATA]);
    expect(described).toMatch(/^Type: +Opaque$/m);
    // kubectl prints the keys in Go map order, which varies from run to run.
    const data = described.slice(described.indexOf('\nData\n====\n') + 11);
    expect(data.trimEnd().split('\n').sort()).toEqual(['password:  7 bytes', 'username:  5 bytes']);
  });

  it('[protobuf] kubectl create configmap --from-literal', async () => {
    const result = await k.run([
      'create',
      'configmap',
      'literal-cm',
      '-n',
      NS_DATA,
      '--from-literal=mode=red',
      '--from-literal=size=3',
    ]);
    expect(result).toEqual({
      code: 0,
      signal: null,
      stdout: 'configmap/literal-cm created\n',
      stderr: '',
    });
    const cm = await getJson(['configmap', 'literal-cm', '-n', NS_DATA]);
    expect(cm.data).toEqual({ mode: 'red', size: '3' });
  });

  it('[protobuf] kubectl create secret generic --from-literal', async () => {
    const result = await k.run([
      'create',
      'secret',
      'generic',
      'api-token',
      '-n',
      NS_DATA,
      '--from-literal=token=s3cr3t',
    ]);
    expect(result).toEqual({
      code: 0,
      signal: null,
      stdout: 'secret/api-token created\n',
      stderr: '',
    });
    const secret = await getJson(['secret', 'api-token', '-n', NS_DATA]);
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({ token: Buffer.from('s3cr3t').toString('base64') });
  });
});

describe('writing pods', () => {
  it('create -f, then create -f again is AlreadyExists', async () => {
    const file = await manifest('created.yaml', pod('created', { namespace: NS_WRITE }));
    expect(await ok(['create', '-f', file])).toBe('pod/created created\n');
    expectFailure(
      await k.run(['create', '-f', file]),
      `Error from server (AlreadyExists): error when creating "${file}": pods "created" already exists\n`,
    );
  });

  it('apply -f creates, applies a change, is unchanged, and drops a field removed from the manifest', async () => {
    const applied = (image: string, labels: Record<string, string>): Obj =>
      pod('applied', { namespace: NS_WRITE, labels, containers: [{ name: 'c', image }] });
    const lastApplied = async (): Promise<Obj> => {
      const annotations = (await getJson(['pod', 'applied', '-n', NS_WRITE])).metadata.annotations;
      return JSON.parse(annotations['kubectl.kubernetes.io/last-applied-configuration']);
    };

    const v1 = applied('nginx:1.27', { app: 'applied' });
    expect(await ok(['apply', '-f', await manifest('applied-1.yaml', v1)])).toBe(
      'pod/applied created\n',
    );
    expect(await lastApplied()).toEqual({ ...v1, metadata: { ...v1.metadata, annotations: {} } });

    const v2 = applied('nginx:1.28', { app: 'applied', version: 'two' });
    const v2File = await manifest('applied-2.yaml', v2);
    expect(await ok(['apply', '-f', v2File])).toBe('pod/applied configured\n');
    let live = await getJson(['pod', 'applied', '-n', NS_WRITE]);
    expect(live.spec.containers[0].image).toBe('nginx:1.28');
    expect(live.metadata.labels).toEqual({ app: 'applied', version: 'two' });
    expect(await lastApplied()).toEqual({ ...v2, metadata: { ...v2.metadata, annotations: {} } });

    expect(await ok(['apply', '-f', v2File])).toBe('pod/applied unchanged\n');

    const v3 = applied('nginx:1.28', { app: 'applied' });
    expect(await ok(['apply', '-f', await manifest('applied-3.yaml', v3)])).toBe(
      'pod/applied configured\n',
    );
    live = await getJson(['pod', 'applied', '-n', NS_WRITE]);
    expect(live.metadata.labels).toEqual({ app: 'applied' });
  });

  it('run', async () => {
    expect(
      await ok([
        'run',
        'runner',
        '-n',
        NS_WRITE,
        '--image=nginx:1.27',
        '--port=8080',
        '--env=MODE=test',
        '--restart=Never',
      ]),
    ).toBe('pod/runner created\n');
    const runner = await getJson(['pod', 'runner', '-n', NS_WRITE]);
    expect(runner.metadata.labels).toEqual({ run: 'runner' });
    expect(runner.spec.restartPolicy).toBe('Never');
    expect(runner.spec.containers).toMatchObject([
      {
        name: 'runner',
        image: 'nginx:1.27',
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        env: [{ name: 'MODE', value: 'test' }],
      },
    ]);
  });

  it('label: add, refuse to overwrite, overwrite with --overwrite, remove with key-', async () => {
    await ok(['run', 'labelled', '-n', NS_WRITE, '--image=busybox:1.36']);
    const labels = async (): Promise<string> =>
      ok(['get', 'pod', 'labelled', '-n', NS_WRITE, '-o', 'jsonpath={.metadata.labels}']);

    expect(await ok(['label', 'pod', 'labelled', '-n', NS_WRITE, 'env=dev'])).toBe(
      'pod/labelled labeled\n',
    );
    expectFailure(
      await k.run(['label', 'pod', 'labelled', '-n', NS_WRITE, 'env=prod']),
      "error: 'env' already has a value (dev), and --overwrite is false\n",
    );
    expect(await labels()).toBe('{"env":"dev","run":"labelled"}');
    expect(await ok(['label', 'pod', 'labelled', '-n', NS_WRITE, 'env=prod', '--overwrite'])).toBe(
      'pod/labelled labeled\n',
    );
    expect(await labels()).toBe('{"env":"prod","run":"labelled"}');
    expect(await ok(['get', 'pods', '-n', NS_WRITE, '-l', 'env=prod', '-o', 'name'])).toBe(
      'pod/labelled\n',
    );
    expect(await ok(['label', 'pod', 'labelled', '-n', NS_WRITE, 'env-'])).toBe(
      'pod/labelled unlabeled\n',
    );
    expect(await labels()).toBe('{"run":"labelled"}');
  });

  it('annotate: add, refuse to overwrite, overwrite, remove', async () => {
    await ok(['run', 'annotated', '-n', NS_WRITE, '--image=busybox:1.36']);
    const annotations = async (): Promise<string> =>
      ok(['get', 'pod', 'annotated', '-n', NS_WRITE, '-o', 'jsonpath={.metadata.annotations}']);

    expect(
      await ok(['annotate', 'pod', 'annotated', '-n', NS_WRITE, 'description=first version']),
    ).toBe('pod/annotated annotated\n');
    expect(await annotations()).toBe('{"description":"first version"}');
    expectFailure(
      await k.run(['annotate', 'pod', 'annotated', '-n', NS_WRITE, 'description=second']),
      "error: --overwrite is false but found the following declared annotation(s): 'description' already has a value (first version)\n",
    );
    expect(
      await ok([
        'annotate',
        'pod',
        'annotated',
        '-n',
        NS_WRITE,
        'description=second',
        '--overwrite',
      ]),
    ).toBe('pod/annotated annotated\n');
    expect(await annotations()).toBe('{"description":"second"}');
    expect(
      await ok(['annotate', 'pod', 'annotated', '-n', NS_WRITE, 'description-', 'owner=e2e']),
    ).toBe('pod/annotated annotated\n');
    expect(await annotations()).toBe('{"owner":"e2e"}');
  });

  it('removing the last label or annotation leaves no empty map behind', async () => {
    await ok(['run', 'bare', '-n', NS_WRITE, '--image=busybox:1.36']);
    expect(await ok(['annotate', 'pod', 'bare', '-n', NS_WRITE, 'note=x'])).toBe(
      'pod/bare annotated\n',
    );
    expect(await ok(['annotate', 'pod', 'bare', '-n', NS_WRITE, 'note-'])).toBe(
      'pod/bare annotated\n',
    );
    expect(await ok(['label', 'pod', 'bare', '-n', NS_WRITE, 'run-'])).toBe('pod/bare unlabeled\n');
    // Go's omitempty: an empty labels or annotations map is not serialized at all.
    expect(
      await ok([
        'get',
        'pod',
        'bare',
        '-n',
        NS_WRITE,
        '-o',
        'jsonpath={.metadata.labels}|{.metadata.annotations}',
      ]),
    ).toBe('|');
    const metadata = (await getJson(['pod', 'bare', '-n', NS_WRITE])).metadata;
    expect(Object.keys(metadata)).not.toContain('labels');
    expect(Object.keys(metadata)).not.toContain('annotations');
  });

  describe('patch', () => {
    beforeAll(async () => {
      const twoContainers = pod('patched', {
        namespace: NS_WRITE,
        labels: { app: 'patched' },
        containers: [
          { name: 'app', image: 'nginx:1.27' },
          { name: 'sidecar', image: 'busybox:1.36' },
        ],
      });
      await ok(['create', '-f', await manifest('patched.yaml', twoContainers)]);
    });

    const images = async (): Promise<string> =>
      ok([
        'get',
        'pod',
        'patched',
        '-n',
        NS_WRITE,
        '-o',
        'jsonpath={range .spec.containers[*]}{.name}={.image} {end}',
      ]);

    it('--type=strategic merges containers by name', async () => {
      expect(
        await ok([
          'patch',
          'pod',
          'patched',
          '-n',
          NS_WRITE,
          '--type=strategic',
          '-p',
          '{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}',
        ]),
      ).toBe('pod/patched patched\n');
      expect(await images()).toBe('app=nginx:1.28 sidecar=busybox:1.36 ');
    });

    it('--type=merge sets and, with null, removes a key', async () => {
      expect(
        await ok([
          'patch',
          'pod',
          'patched',
          '-n',
          NS_WRITE,
          '--type=merge',
          '-p',
          '{"metadata":{"labels":{"tier":"gold"}}}',
        ]),
      ).toBe('pod/patched patched\n');
      expect(
        await ok(['get', 'pod', 'patched', '-n', NS_WRITE, '-o', 'jsonpath={.metadata.labels}']),
      ).toBe('{"app":"patched","tier":"gold"}');
      expect(
        await ok([
          'patch',
          'pod',
          'patched',
          '-n',
          NS_WRITE,
          '--type=merge',
          '-p',
          '{"metadata":{"labels":{"tier":null}}}',
        ]),
      ).toBe('pod/patched patched\n');
      expect(
        await ok(['get', 'pod', 'patched', '-n', NS_WRITE, '-o', 'jsonpath={.metadata.labels}']),
      ).toBe('{"app":"patched"}');
    });

    it('--type=json applies operations in order', async () => {
      expect(
        await ok([
          'patch',
          'pod',
          'patched',
          '-n',
          NS_WRITE,
          '--type=json',
          '-p',
          JSON.stringify([
            { op: 'test', path: '/spec/containers/1/name', value: 'sidecar' },
            { op: 'replace', path: '/spec/containers/1/image', value: 'busybox:1.37' },
            { op: 'add', path: '/metadata/annotations', value: { owner: 'e2e' } },
          ]),
        ]),
      ).toBe('pod/patched patched\n');
      expect(await images()).toBe('app=nginx:1.28 sidecar=busybox:1.37 ');
      expect(
        await ok([
          'get',
          'pod',
          'patched',
          '-n',
          NS_WRITE,
          '-o',
          'jsonpath={.metadata.annotations}',
        ]),
      ).toBe('{"owner":"e2e"}');
    });

    it('a patch that changes nothing is reported as (no change)', async () => {
      expect(
        await ok([
          'patch',
          'pod',
          'patched',
          '-n',
          NS_WRITE,
          '-p',
          '{"metadata":{"labels":{"app":"patched"}}}',
        ]),
      ).toBe('pod/patched patched (no change)\n');
    });
  });
});

describe('delete', () => {
  it('an unscheduled pod goes at once', async () => {
    await ok(['run', 'loose', '-n', NS_WRITE, '--image=busybox:1.36']);
    expect(await ok(['delete', 'pod', 'loose', '-n', NS_WRITE])).toBe('pod "loose" deleted\n');
    expectFailure(
      await k.run(['get', 'pod', 'loose', '-n', NS_WRITE]),
      'Error from server (NotFound): pods "loose" not found\n',
    );
  });

  it('a bound pod is Terminating for its grace period until --grace-period=0 --force', async () => {
    await ok([
      'create',
      '-f',
      await manifest('bound.yaml', pod('bound', { namespace: NS_WRITE, nodeName: NODE })),
    ]);
    const watch = k.start(['get', 'pod', 'bound', '-n', NS_WRITE, '-w']);
    await watch.waitForStdout(/^bound +0\/1 +Pending +0 +\d+s$/m);

    const before = Date.now();
    expect(await ok(['delete', 'pod', 'bound', '-n', NS_WRITE, '--wait=false'])).toBe(
      'pod "bound" deleted\n',
    );
    const after = Date.now();
    const terminating = await getJson(['pod', 'bound', '-n', NS_WRITE]);
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(30);
    const deadline = Date.parse(terminating.metadata.deletionTimestamp);
    expect(deadline).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 30_000);
    expect(deadline).toBeLessThanOrEqual(after + 30_000);
    expect(parseTable(await ok(['get', 'pod', 'bound', '-n', NS_WRITE]))).toEqual([
      {
        NAME: 'bound',
        READY: '0/1',
        STATUS: 'Terminating',
        RESTARTS: '0',
        AGE: expect.stringMatching(AGE),
      },
    ]);
    // The watch sees the transition as a new line.
    await watch.waitForStdout(/^bound +0\/1 +Terminating +0 +\d+s$/m);

    expect(
      await k.run(['delete', 'pod', 'bound', '-n', NS_WRITE, '--grace-period=0', '--force']),
    ).toEqual({
      code: 0,
      signal: null,
      stdout: 'pod "bound" force deleted\n',
      stderr:
        'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n',
    });
    expectFailure(
      await k.run(['get', 'pod', 'bound', '-n', NS_WRITE]),
      'Error from server (NotFound): pods "bound" not found\n',
    );
    const watched = await watch.stop();
    expect(watched.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  });

  it('delete by name, by -l and by -f', async () => {
    const file = await manifest(
      'doomed.yaml',
      pod('doomed-1', { namespace: NS_WRITE, labels: { doomed: 'soon' } }),
      pod('doomed-2', { namespace: NS_WRITE, labels: { doomed: 'soon' } }),
      pod('doomed-3', { namespace: NS_WRITE, labels: { doomed: 'soon' } }),
    );
    await ok(['create', '-f', file]);
    expect(await ok(['delete', 'pod', 'doomed-3', '-n', NS_WRITE])).toBe(
      'pod "doomed-3" deleted\n',
    );
    expect(await ok(['delete', 'pods', '-n', NS_WRITE, '-l', 'doomed=soon'])).toBe(
      'pod "doomed-1" deleted\npod "doomed-2" deleted\n',
    );
    expect(await k.run(['get', 'pods', '-n', NS_WRITE, '-l', 'doomed=soon'])).toEqual({
      code: 0,
      signal: null,
      stdout: '',
      stderr: `No resources found in ${NS_WRITE} namespace.\n`,
    });
    await ok(['create', '-f', file]);
    expect(await ok(['delete', '-f', file])).toBe(
      'pod "doomed-1" deleted\npod "doomed-2" deleted\npod "doomed-3" deleted\n',
    );
    expect(await ok(['get', 'pods', '-n', NS_WRITE, '-l', 'doomed=soon', '-o', 'name'])).toBe('');
  });
});

describe('watch and wait', () => {
  it('get -w --output-watch-events prints a line per change until stopped', async () => {
    await ok(['run', 'watched-1', '-n', NS_WATCH, '--image=busybox:1.36', '--labels=suite=watch']);
    const watch = k.start([
      'get',
      'pods',
      '-n',
      NS_WATCH,
      '-l',
      'suite=watch',
      '-w',
      '--output-watch-events',
    ]);
    await watch.waitForStdout(/^ADDED +watched-1 +0\/1 +Pending +0 +\d+s$/m);

    expect(await ok(['label', 'pod', 'watched-1', '-n', NS_WATCH, 'step=two'])).toBe(
      'pod/watched-1 labeled\n',
    );
    await watch.waitForStdout(/^MODIFIED +watched-1 +0\/1 +Pending +0 +\d+s$/m);

    await ok(['run', 'watched-2', '-n', NS_WATCH, '--image=busybox:1.36', '--labels=suite=watch']);
    await watch.waitForStdout(/^ADDED +watched-2 /m);

    // Leaving the selector is a DELETED for this watch.
    expect(
      await ok(['label', 'pod', 'watched-2', '-n', NS_WATCH, 'suite=other', '--overwrite']),
    ).toBe('pod/watched-2 labeled\n');
    await watch.waitForStdout(/^DELETED +watched-2 /m);

    expect(await ok(['delete', 'pod', 'watched-1', '-n', NS_WATCH])).toBe(
      'pod "watched-1" deleted\n',
    );
    await watch.waitForStdout(/^DELETED +watched-1 /m);

    expect(watch.running).toBe(true);
    const result = await watch.stop();
    // kubectl catches SIGTERM and exits 1.
    expect(result).toMatchObject({ code: 1, signal: null });
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1).map(line => line.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ADDED watched-1',
      'MODIFIED watched-1',
      'ADDED watched-2',
      'DELETED watched-2',
      'DELETED watched-1',
    ]);
  });

  it('wait --for=condition returns once kubectl patch --subresource=status makes it true', async () => {
    await ok(['run', 'waiter', '-n', NS_WATCH, '--image=busybox:1.36']);
    const wait = k.start([
      'wait',
      '--for=condition=Ready',
      'pod/waiter',
      '-n',
      NS_WATCH,
      '--timeout=20s',
      '-v=6',
    ]);
    // -v=6 logs each response: once the watch is open, wait is blocked on it.
    await wait.waitForStderr(/watch=true/);
    expect(wait.running).toBe(true);

    const status = {
      status: {
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(new Date()) },
          { type: 'Ready', status: 'True', lastTransitionTime: rfc3339(new Date()) },
        ],
      },
    };
    expect(
      await ok([
        'patch',
        'pod',
        'waiter',
        '-n',
        NS_WATCH,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify(status),
      ]),
    ).toBe('pod/waiter patched\n');

    const result = await wait.result();
    expect(result).toMatchObject({ code: 0, stdout: 'pod/waiter condition met\n' });
    expect(
      await ok([
        'get',
        'pod',
        'waiter',
        '-n',
        NS_WATCH,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]),
    ).toBe('True');
    // A condition that already holds returns at once.
    expect(
      await ok([
        'wait',
        '--for=condition=PodScheduled',
        'pod/waiter',
        '-n',
        NS_WATCH,
        '--timeout=5s',
      ]),
    ).toBe('pod/waiter condition met\n');
  });

  it('wait --for=condition times out with exit code 1', async () => {
    await ok(['run', 'sleeper', '-n', NS_WATCH, '--image=busybox:1.36']);
    expectFailure(
      await k.run(['wait', '--for=condition=Ready', 'pod/sleeper', '-n', NS_WATCH, '--timeout=1s']),
      'error: timed out waiting for the condition on pods/sleeper\n',
    );
  });

  it('wait --for=delete returns when the pod is deleted', async () => {
    await ok(['run', 'goner', '-n', NS_WATCH, '--image=busybox:1.36']);
    const wait = k.start([
      'wait',
      '--for=delete',
      'pod/goner',
      '-n',
      NS_WATCH,
      '--timeout=20s',
      '-v=6',
    ]);
    await wait.waitForStderr(/watch=true/);
    expect(wait.running).toBe(true);
    expect(await ok(['delete', 'pod', 'goner', '-n', NS_WATCH, '--wait=false'])).toBe(
      'pod "goner" deleted\n',
    );
    expect(await wait.result()).toMatchObject({ code: 0, stdout: 'pod/goner condition met\n' });
  });
});

describe('auth can-i', () => {
  beforeAll(async () => {
    // A second user through the testkit control API; RBAC-like rules as a real cluster would
    // give a namespace viewer (system:basic-user lets everyone ask about themselves).
    expect(
      await ok(
        ['create', '--raw', '/testkit/v1/tokens', '-f', '-'],
        JSON.stringify({ token: VIEWER_TOKEN, username: 'e2e-viewer', groups: ['e2e-viewers'] }),
      ),
    ).toBe('{}');
    const rules = [
      {
        users: ['e2e-viewer'],
        verbs: ['get', 'list', 'watch'],
        apiGroups: [''],
        resources: ['pods'],
        namespaces: [NS_GET],
      },
      {
        groups: ['system:authenticated'],
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      },
    ];
    expect(
      await ok(
        ['create', '--raw', '/testkit/v1/authorization', '-f', '-'],
        JSON.stringify({ defaultPolicy: 'deny', rules }),
      ),
    ).toBe('{}');
  });

  const yes = { code: 0, signal: null, stdout: 'yes\n', stderr: '' };
  const no = { code: 1, signal: null, stdout: 'no\n', stderr: '' };
  const NOT_NAMESPACED = "Warning: resource 'nodes' is not namespace scoped\n\n";
  const asViewer = (...args: string[]): string[] => ['--token', VIEWER_TOKEN, ...args];

  it('[protobuf] the admin (system:masters) may do anything', async () => {
    expect(await k.run(['auth', 'can-i', 'create', 'pods'])).toEqual(yes);
    // The context has a namespace; kubectl warns that nodes have none and asks anyway.
    expect(await k.run(['auth', 'can-i', 'delete', 'nodes'])).toEqual({
      ...yes,
      stderr: NOT_NAMESPACED,
    });
    expect(await k.run(['auth', 'can-i', '*', '*', '--all-namespaces'])).toEqual(yes);
  });

  it('[protobuf] a viewer: yes with exit 0 where a rule allows, no with exit 1 elsewhere', async () => {
    expect(await k.run(asViewer('auth', 'can-i', 'list', 'pods', '-n', NS_GET))).toEqual(yes);
    expect(await k.run(asViewer('auth', 'can-i', 'delete', 'pods', '-n', NS_GET))).toEqual(no);
    expect(await k.run(asViewer('auth', 'can-i', 'list', 'pods', '-n', 'kube-system'))).toEqual(no);
    expect(await k.run(asViewer('auth', 'can-i', 'get', 'nodes'))).toEqual({
      ...no,
      stderr: NOT_NAMESPACED,
    });
  });

  it('kubectl 1.27 (JSON bodies) gets the same answers', async () => {
    const k127 = k.withBinary(join(KUBECTL_VERSIONS, 'kubectl.1.27'));
    expect(await k127.run(['auth', 'can-i', 'create', 'pods'])).toEqual(yes);
    expect(await k127.run(asViewer('auth', 'can-i', 'list', 'pods', '-n', NS_GET))).toEqual(yes);
    expect(await k127.run(asViewer('auth', 'can-i', 'delete', 'pods', '-n', NS_GET))).toEqual(no);
  });

  it('the viewer’s requests are allowed and refused as can-i says', async () => {
    expect(parseTable(await ok(asViewer('get', 'pods', '-n', NS_GET))).map(r => r.NAME)).toEqual([
      'web-1',
      'web-2',
    ]);
    expectFailure(
      await k.run(asViewer('delete', 'pod', 'web-1', '-n', NS_GET)),
      `Error from server (Forbidden): pods "web-1" is forbidden: User "e2e-viewer" cannot delete resource "pods" in API group "" in the namespace "${NS_GET}"\n`,
    );
    expectFailure(
      await k.run(asViewer('get', 'nodes')),
      'Error from server (Forbidden): nodes is forbidden: User "e2e-viewer" cannot list resource "nodes" in API group "" at the cluster scope\n',
    );
  });
});

describe('malformed requests', () => {
  const badName = (extra: Obj = {}): Obj => ({
    ...pod('Bad_Name', { namespace: NS_BAD }),
    ...extra,
  });
  const invalidName = `The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_RULE}\n`;

  it('an invalid name through create -f is the server’s Invalid', async () => {
    expectFailure(
      await k.run(['create', '-f', await manifest('bad-name.yaml', badName())]),
      invalidName,
    );
  });

  it('an invalid name through create --raw is the same Invalid', async () => {
    expectFailure(
      await k.run(['create', '--raw', `/api/v1/namespaces/${NS_BAD}/pods`, '-f', '-'], {
        input: JSON.stringify(badName()),
      }),
      invalidName,
    );
  });

  it('an invalid name through run lists every cause', async () => {
    expectFailure(
      await k.run(['run', 'Bad_Name', '-n', NS_BAD, '--image=busybox:1.36']),
      'The Pod "Bad_Name" is invalid: \n' +
        `* metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_RULE}\n` +
        `* spec.containers[0].name: Invalid value: "Bad_Name": ${LABEL_RULE}\n`,
    );
  });

  it('a manifest whose kind its apiVersion does not serve is not sent (no REST mapping)', async () => {
    const file = await manifest('wrong-kind.yaml', {
      apiVersion: 'v1',
      kind: 'Lease',
      metadata: { name: 'misplaced', namespace: NS_BAD },
      spec: { holderIdentity: 'nobody' },
    });
    // kubectl looks the kind up in the OpenAPI documents first (v3, then v2) and then fails
    // to map it to a resource.
    expectFailure(
      await k.run(['create', '-f', file]),
      `error: resource mapping not found for name: "misplaced" namespace: "${NS_BAD}" from "${file}": no matches for kind "Lease" in version "v1"\nensure CRDs are installed first\n`,
    );
  });

  const postPod = async (body: Obj): Promise<CommandResult> =>
    k.run(['create', '--raw', `/api/v1/namespaces/${NS_BAD}/pods`, '-f', '-'], {
      input: JSON.stringify(body),
    });

  it('a body of another kind posted with create --raw is the server’s BadRequest', async () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    const result = await postPod(configMap);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(
      /^Error from server \(BadRequest\): ConfigMap in version "v1" cannot be handled as a Pod: .+\n$/,
    );
    // Only the kind: a Lease in v1 does not exist at all.
    const v1Lease = await postPod({ apiVersion: 'v1', kind: 'Lease', metadata: { name: 'x' } });
    expect(v1Lease.stderr).toMatch(
      /^Error from server \(BadRequest\): Lease in version "v1" cannot be handled as a Pod: .+\n$/,
    );
  });

  it('a body from another API group is named by its version alone', async () => {
    // transformDecodeError prints gvk.Version: "v1", not "coordination.k8s.io/v1".
    const groupLease = await postPod(lease(NODE));
    expect(groupLease).toMatchObject({ code: 1, stdout: '' });
    expect(groupLease.stderr).toMatch(
      /^Error from server \(BadRequest\): Lease in version "v1" cannot be handled as a Pod: .+\n$/,
    );
  });

  it('a body that is not JSON is the server’s BadRequest with the decoder’s words', async () => {
    expectFailure(
      await k.run(['create', '--raw', `/api/v1/namespaces/${NS_BAD}/pods`, '-f', '-'], {
        input: '{"kind":"Pod"',
      }),
      'Error from server (BadRequest): the object provided is unrecognized (must be of type Pod): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"kind":"Pod")\n',
    );
  });

  it('a secret whose data is not base64 cannot be decoded', async () => {
    const file = await manifest('bad-secret.yaml', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bad-secret', namespace: NS_BAD },
      data: { password: 'not base64!' },
    });
    expectFailure(
      await k.run(['create', '-f', file]),
      `Error from server (BadRequest): error when creating "${file}": Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3\n`,
    );
  });

  describe('bad patches', () => {
    beforeAll(async () => {
      await ok(['run', 'target', '-n', NS_BAD, '--image=busybox:1.36']);
    });

    it('a JSON patch whose test fails is a 422 without details', async () => {
      expectFailure(
        await k.run([
          'patch',
          'pod',
          'target',
          '-n',
          NS_BAD,
          '--type=json',
          '-p',
          '[{"op":"test","path":"/metadata/name","value":"other"}]',
        ]),
        'The request is invalid: the server rejected our request due to an error in our request\n',
      );
    });

    it('a patch that changes an immutable pod field is Invalid', async () => {
      const result = await k.run([
        'patch',
        'pod',
        'target',
        '-n',
        NS_BAD,
        '--type=merge',
        '-p',
        '{"spec":{"restartPolicy":"Never"}}',
      ]);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toMatch(
        /^The Pod "target" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)/,
      );
    });

    it('a patch body that is not JSON is a BadRequest with the decoder’s words', async () => {
      const patch = async (type: string): Promise<CommandResult> =>
        k.run(['patch', 'pod', 'target', '-n', NS_BAD, `--type=${type}`, '-p', '{bad json']);
      expectFailure(
        await patch('merge'),
        "Error from server (BadRequest): error decoding patch: invalid character 'b' looking for beginning of object key string\n",
      );
      expectFailure(
        await patch('json'),
        "Error from server (BadRequest): error decoding patch: invalid character 'b' looking for beginning of object key string\n",
      );
      expectFailure(
        await patch('strategic'),
        "Error from server (BadRequest): invalid character 'b' looking for beginning of object key string\n",
      );
    });
  });
});

describe.each(['1.27', '1.33'])('version skew: kubectl %s', version => {
  const tag = version.replace('.', '');
  let kv: Kubectl;

  beforeAll(() => {
    kv = k.withBinary(join(KUBECTL_VERSIONS, `kubectl.${version}`));
  });

  it('reports its own minor version', async () => {
    const result = await kv.run(['version', '--client', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).clientVersion).toMatchObject({
      major: '1',
      minor: version.split('.')[1],
    });
  });

  it('get', async () => {
    const result = await kv.run(['get', 'nodes']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(parseTable(result.stdout)).toEqual([
      {
        NAME: NODE,
        STATUS: 'Ready',
        ROLES: 'agent',
        AGE: expect.stringMatching(AGE),
        VERSION: 'v1.33.0-vk',
      },
    ]);
    const pods = await kv.run(['get', 'pods', '-n', NS_GET, '-o', 'name']);
    expect(pods).toEqual({ code: 0, signal: null, stdout: 'pod/web-1\npod/web-2\n', stderr: '' });
  });

  it('apply creates, then applies a change', async () => {
    const name = `skew-${tag}`;
    const v1 = pod(name, { namespace: NS_WRITE, labels: { skew: tag }, image: 'nginx:1.27' });
    expect(await kv.run(['apply', '-f', await manifest(`${name}-1.yaml`, v1)])).toEqual({
      code: 0,
      signal: null,
      stdout: `pod/${name} created\n`,
      stderr: '',
    });
    const v2 = pod(name, { namespace: NS_WRITE, labels: { skew: tag }, image: 'nginx:1.28' });
    expect(await kv.run(['apply', '-f', await manifest(`${name}-2.yaml`, v2)])).toEqual({
      code: 0,
      signal: null,
      stdout: `pod/${name} configured\n`,
      stderr: '',
    });
    const live = await getJson(['pod', name, '-n', NS_WRITE]);
    expect(live.spec.containers[0].image).toBe('nginx:1.28');
    expect(
      JSON.parse(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).spec
        .containers[0].image,
    ).toBe('nginx:1.28');
  });

  it('delete', async () => {
    const name = `skew-del-${tag}`;
    const file = await manifest(`${name}.yaml`, pod(name, { namespace: NS_WRITE }));
    await ok(['create', '-f', file]);
    expect(await kv.run(['delete', '-f', file])).toEqual({
      code: 0,
      signal: null,
      stdout: `pod "${name}" deleted\n`,
      stderr: '',
    });
    expectFailure(
      await kv.run(['get', 'pod', name, '-n', NS_WRITE]),
      `Error from server (NotFound): pods "${name}" not found\n`,
    );
  });
});
