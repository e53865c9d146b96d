import { describe, expect, it } from 'vitest';
import { helpText, versionText } from './program.ts';
import { SETTING_KEYS, settingOf, DEFAULT_TRUE } from './settings.ts';
import { app, config, parse } from './test-support/cli-harness.ts';

const help = helpText(app);

/** The help entry of one flag: its line plus the wrapped continuation lines. */
function entry(flag: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex(l => l.startsWith(`  ${flag} `) || l === `  ${flag}`);
  if (start < 0) throw new Error(`${flag} is not in the help`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex(l => !/^ {10,}\S/.test(l));
  return [lines[start], ...rest.slice(0, end < 0 ? rest.length : end)]
    .map(l => (l ?? '').trim())
    .join(' ')
    .replace(/\s+/g, ' ');
}

describe('help', () => {
  it('--help, -h and help print it', () => {
    expect(parse(['--help'])).toEqual({ kind: 'help', text: help });
    expect(parse(['-h'])).toEqual({ kind: 'help', text: help });
    expect(parse(['help'])).toEqual({ kind: 'help', text: help });
    expect(parse(['--pod-sync-workers', '3', '--help'])).toEqual({ kind: 'help', text: help });
  });

  it('starts with usage and what the binary is', () => {
    expect(help.split('\n').slice(0, 4)).toEqual([
      'Usage: vk-mock [options] [command]',
      '',
      'vk-mock is a Virtual Kubelet for the mock provider: it registers with Kubernetes as a node and runs',
      'the pods bound to that node on the provider.',
    ]);
  });

  it('groups the flags: general, node, API client, kubelet API, operations, tracing, compatibility', () => {
    const headings = help.split('\n').filter(l => /^[A-Z][A-Za-z ]*:$/.test(l));
    expect(headings).toEqual([
      'General:',
      'Node:',
      'Kubernetes API client:',
      'Kubelet API:',
      'Operations:',
      'Tracing:',
      'Accepted for compatibility and ignored:',
      'Commands:',
    ]);
  });

  it('lists every flag with its environment variable and default', () => {
    for (const key of SETTING_KEYS) {
      const s = settingOf(key);
      const shown =
        s.shape === 'bool'
          ? `--${DEFAULT_TRUE.has(key) ? 'no-' : ''}${s.flag}`
          : `--${s.flag} <${s.valueName ?? 'value'}>`;
      const text = entry(shown);
      expect(text, shown).toContain(s.help);
      if (s.env !== undefined) expect(text, shown).toContain(`env: ${s.env}`);
      const fallback = typeof s.defaultHelp === 'function' ? s.defaultHelp(app) : s.defaultHelp;
      if (fallback !== undefined) expect(text, shown).toContain(`default: ${fallback}`);
    }
  });

  it.each([
    [
      '--nodename <name>',
      'Name of the Node to register (env: DEFAULT_NODE_NAME, default: virtual-kubelet)',
    ],
    [
      '--provider <name>',
      'Provider to run; this binary has exactly one, so anything else is an error (default: mock)',
    ],
    [
      '--taint <key>',
      'Key of the provider taint (deprecated: use VKUBELET_TAINT_KEY, env: VKUBELET_TAINT_KEY, default: virtual-kubelet.io/provider)',
    ],
    [
      '--taint-value <value>',
      'Value of the provider taint (env: VKUBELET_TAINT_VALUE, default: mock)',
    ],
    [
      '--kubelet-port <port>',
      'Port of the kubelet API (logs, exec, stats), on all interfaces; with several nodes, the first of consecutive ports (env: KUBELET_PORT, default: 10250)',
    ],
    [
      '--kube-api-qps <qps>',
      'Sustained requests per second to the API server; 0 is unthrottled (default: 50)',
    ],
    ['--kube-api-burst <n>', 'Requests allowed in a burst above the QPS (default: 100)'],
    [
      '--pod-sync-workers <n>',
      'Pods synced to the provider concurrently; at least 1 (default: 10)',
    ],
    [
      '--stream-idle-timeout <duration>',
      'Close an exec, attach or port-forward stream idle this long (default: 30s)',
    ],
    [
      '--stream-creation-timeout <duration>',
      'Give up on setting up a stream after this long (default: 30s)',
    ],
    [
      '--startup-timeout <duration>',
      'Fail if the node is not ready within this long; 0 waits forever (default: 0)',
    ],
    [
      '--node-status-update-frequency <duration>',
      'Write node status at least this often (and whenever it changes) (default: 5m)',
    ],
    [
      '--no-reregister-node',
      'Do not register the Node again when someone deletes it (by default it is)',
    ],
    [
      '--no-heap-compaction',
      'Do not compact the heap when the process goes quiet after a burst (by default it does, when Node runs with --expose-gc as the bin sets)',
    ],
    [
      '--on-shutdown <action>',
      'What to do with the Node on graceful shutdown: none, taint (NoSchedule) or delete (default: none)',
    ],
    [
      '--node-labels <labels>',
      'Extra labels for the Node: key=value, comma-separated (repeatable)',
    ],
    [
      '--trace-exporter <names>',
      "Trace exporters, comma-separated; only otlp is accepted (not upstream's jaeger, ocagent or zpages), and sending is not implemented yet (repeatable, default: none, tracing off)",
    ],
    [
      '--enable-node-lease',
      'Ignored (upstream: deprecated, hidden); the node lease is always used',
    ],
    [
      '--config <path>',
      'YAML or JSON file with any of these settings in camelCase (see below); flags override it',
    ],
    ['--version', 'Print the version and exit'],
    ['-h, --help', 'Show this help and exit'],
  ])('%s', (flag, description) => {
    expect(entry(flag)).toBe(`${flag} ${description}`);
  });

  it('hides the twin of each boolean flag', () => {
    for (const hidden of [
      '--no-disable-taint',
      '--reregister-node',
      '--heap-compaction',
      '--authentication-token-webhook',
      '--no-anonymous-auth',
      '--no-enable-node-lease',
    ]) {
      expect(help).not.toMatch(new RegExp(`^  ${hidden}\\b`, 'm'));
    }
  });

  it('lists the commands', () => {
    expect(entry('version')).toBe('version Print the version and exit');
    expect(entry('providers [name]')).toBe(
      'providers [name] List the providers this binary runs (mock); exit 1 if [name] is not one',
    );
    expect(entry('help [command]')).toBe('help [command] Show help for a command');
  });

  it('documents precedence, the config file schema, tracing and klog', () => {
    const epilogue = help.slice(help.indexOf('Precedence:'));
    expect(epilogue)
      .toBe(`Precedence: flag, then config file, then environment variable, then default.
Boolean flags also take --flag=true or --flag=false, as upstream's do.

Config file (--config vk.yaml, YAML or JSON): any setting above, named as its flag in camelCase
(--pod-sync-workers is podSyncWorkers; --nodename is nodeName). Paths are relative to the file,
durations are Go durations (30s, 1m30s). Unknown keys are errors. A "nodes" list runs several
virtual nodes in one process, each with its own lease, taints and kubelet port. An entry may set
nodeName, providerConfig, os, nodeIp, nodeLabels, disableTaint, taint, taintValue, taintEffect,
registerWithTaints, kubeletPort; each overrides the top level, and kubeletPort defaults to
consecutive ports. Example:

  kubeconfig: /etc/vk-mock/kubeconfig
  kubeApiQps: 100
  nodeStatusUpdateFrequency: 1m
  nodeLabels: { topology.kubernetes.io/region: west }
  nodes:
    - nodeName: vk-mock-a
      providerConfig: a.toml
    - nodeName: vk-mock-b
      providerConfig: b.toml
      registerWithTaints: ["dedicated=batch:NoSchedule"]

Tracing: the flags are validated (otlp is the only exporter accepted), but sending traces
is not implemented yet: a configured exporter is reported in the log and nothing is sent.

Also accepted and ignored, for upstream compatibility: --klog.<flag> (klog's flags).`);
  });

  it('no line is wider than 100 columns', () => {
    expect(help.split('\n').filter(l => l.length > 100)).toEqual([]);
  });

  it('help for a subcommand', () => {
    const providersHelp = `Usage: vk-mock providers [options] [name]

List the providers this binary runs (mock); exit 1 if [name] is not one

Arguments:
  name        a provider to look for

General:
  -h, --help  Show this help and exit`;
    expect(parse(['help', 'providers'])).toEqual({ kind: 'help', text: providersHelp });
    expect(parse(['providers', '--help'])).toEqual({ kind: 'help', text: providersHelp });
  });

  it('the example in the help is a working config file', () => {
    const example = help
      .slice(help.indexOf('  kubeconfig:'), help.indexOf('\n\nTracing: the flags'))
      .replace(/^ {2}/gm, '');
    const io = {
      readFile: () => example,
      exists: (p: string) => ['/etc/vk-mock/kubeconfig', 'a.toml', 'b.toml'].includes(p),
    };
    expect(
      config(['--config', 'vk.yaml'], {}, io).nodes.map(n => [n.nodeName, n.kubeletPort]),
    ).toEqual([
      ['vk-mock-a', 10250],
      ['vk-mock-b', 10251],
    ]);
  });
});

describe('version', () => {
  it('--version and version print <app> <version> (provider <name>)', () => {
    expect(versionText(app)).toBe('vk-mock 1.2.3 (provider mock)');
    expect(parse(['--version'])).toEqual({
      kind: 'version',
      text: 'vk-mock 1.2.3 (provider mock)',
    });
    expect(parse(['version'])).toEqual({ kind: 'version', text: 'vk-mock 1.2.3 (provider mock)' });
  });
});

describe('providers', () => {
  it('lists the one provider', () => {
    expect(parse(['providers'])).toEqual({ kind: 'providers', text: 'mock', exitCode: 0 });
  });

  it('names it back when asked for it', () => {
    expect(parse(['providers', 'mock'])).toEqual({ kind: 'providers', text: 'mock', exitCode: 0 });
  });

  it('exits 1 for any other', () => {
    expect(parse(['providers', 'azure'])).toEqual({
      kind: 'providers',
      text: 'no such provider azure (vk-mock has: mock)',
      exitCode: 1,
    });
  });

  it('root flags before the command are accepted', () => {
    expect(parse(['--nodename', 'x', 'providers'])).toEqual({
      kind: 'providers',
      text: 'mock',
      exitCode: 0,
    });
  });
});
