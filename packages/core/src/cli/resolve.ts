/**
 * Merges the layers into the final configuration: flag over config file over environment over
 * default (per node: flag over the node's entry over the file's top level over environment),
 * then the checks that involve more than one setting (provider name, files that must exist,
 * TLS, unique node names and ports) and the warnings for what is accepted but ignored.
 */
import { join } from 'node:path';
import type { ConfigFile } from './config-file.ts';
import { CliUsageError } from './errors.ts';
import { pick, type Layer, type Sourced } from './layer.ts';
import { assignPorts } from './ports.ts';
import { SETTING_KEYS, settingOf, type SettingKey, type SettingValue } from './settings.ts';
import { nodeTaints } from './taints.ts';
import type {
  AppInfo,
  AuthConfig,
  CliIo,
  NodeConfig,
  TlsConfig,
  VirtualKubeletConfig,
} from './types.ts';

/** The defaults, for code that builds a configuration without the command line. */
export const CLI_DEFAULTS = {
  nodeName: 'virtual-kubelet',
  operatingSystem: 'linux',
  kubeletPort: 10250,
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
  traceServiceName: 'virtual-kubelet',
  traceSampleRate: 1,
} as const;

export interface Sources {
  readonly app: AppInfo;
  readonly env: NodeJS.ProcessEnv;
  readonly io: CliIo;
  readonly flags: Layer;
  readonly file: ConfigFile | undefined;
  readonly envLayer: Layer;
}

export interface Resolved {
  readonly config: VirtualKubeletConfig;
  readonly warnings: string[];
}

type Get = <K extends SettingKey>(key: K) => Sourced<SettingValue<K>> | undefined;

function mustExist(io: CliIo, found: Sourced<string> | undefined): string | undefined {
  if (found !== undefined && !io.exists(found.value)) {
    throw new CliUsageError(`${found.where}: ${found.value} does not exist`);
  }
  return found?.value;
}

/** An explicit kubeconfig must exist; `$KUBECONFIG` is passed on as is (it may be a list). */
function kubeconfig(s: Sources): string | undefined {
  const explicit = pick('kubeconfig', s.flags, s.file?.top);
  if (explicit !== undefined) return mustExist(s.io, explicit);
  const fromEnv = s.envLayer.kubeconfig?.value;
  if (fromEnv !== undefined) return fromEnv;
  const home = s.env.HOME ?? s.env.USERPROFILE;
  if (home === undefined || home === '') return undefined;
  const fallback = join(home, '.kube', 'config');
  // Upstream falls back to in-cluster when there is no kubeconfig at all.
  return s.io.exists(fallback) ? fallback : undefined;
}

function tls(get: Get, warnings: string[]): TlsConfig {
  const cert = get('tlsCertFile');
  const key = get('tlsPrivateKeyFile');
  const mode = get('servingCertMode');
  const servingCertMode =
    mode?.value ?? (cert !== undefined || key !== undefined ? 'file' : 'self-signed');
  if (servingCertMode === 'file') {
    if (cert !== undefined && key === undefined) {
      throw new CliUsageError(
        `${cert.where} is set but the private key is not: set --tls-private-key-file or APISERVER_KEY_LOCATION`,
      );
    }
    if (cert === undefined && key !== undefined) {
      throw new CliUsageError(
        `${key.where} is set but the certificate is not: set --tls-cert-file or APISERVER_CERT_LOCATION`,
      );
    }
    if (cert === undefined) {
      throw new CliUsageError(
        `${mode?.where ?? '--serving-cert-mode'}: "file" needs --tls-cert-file (APISERVER_CERT_LOCATION) and --tls-private-key-file (APISERVER_KEY_LOCATION)`,
      );
    }
  } else {
    for (const ignored of [cert, key]) {
      if (ignored !== undefined) {
        warnings.push(
          `${ignored.where} is ignored: the serving certificate mode is ${servingCertMode}`,
        );
      }
    }
  }
  return {
    servingCertMode,
    certFile: cert?.value,
    keyFile: key?.value,
    clientCAFile: get('clientCaFile')?.value,
  };
}

function auth(get: Get, clientCA: string | undefined, warnings: string[]): AuthConfig {
  const result: AuthConfig = {
    anonymousAuth: get('anonymousAuth')?.value ?? false,
    authenticationTokenWebhook: get('authenticationTokenWebhook')?.value ?? true,
    authorizationMode: get('authorizationMode')?.value ?? 'Webhook',
  };
  if (!result.anonymousAuth && !result.authenticationTokenWebhook && clientCA === undefined) {
    warnings.push(
      'the kubelet API has no way to authenticate anyone (no token webhook, no client CA, no anonymous access): every request will get 401',
    );
  }
  if (result.anonymousAuth && result.authorizationMode === 'AlwaysAllow') {
    warnings.push(
      'the kubelet API is open to anyone: --anonymous-auth with --authorization-mode AlwaysAllow',
    );
  }
  return result;
}

function compatibilityWarnings(s: Sources): string[] {
  const warnings: string[] = [];
  for (const key of SETTING_KEYS) {
    const setting = settingOf(key);
    if (setting.ignored !== undefined) {
      for (const layer of [s.flags, s.file?.top, s.envLayer]) {
        const found = layer?.[key];
        if (found !== undefined) {
          warnings.push(
            `${found.where} is accepted for compatibility and ignored: ${setting.ignored}`,
          );
        }
      }
    }
    const flag = s.flags[key];
    if (setting.deprecated !== undefined && flag !== undefined) {
      warnings.push(`${flag.where} is deprecated: ${setting.deprecated}`);
    }
  }
  return warnings;
}

function metricsPort(addr: Sourced<string>): Sourced<number> | undefined {
  const port = Number(addr.value.slice(addr.value.lastIndexOf(':') + 1));
  // Port 0 asks the system for any free port: nothing to collide with.
  return addr.value === '' || port === 0 ? undefined : { value: port, where: addr.where };
}

function nodes(s: Sources, get: Get, metricsAddr: Sourced<string>): NodeConfig[] {
  const entries: readonly (Layer | undefined)[] = s.file?.nodes ?? [undefined];
  const nameFlag = s.flags.nodeName;
  if (nameFlag !== undefined && entries.length > 1) {
    throw new CliUsageError(
      `${nameFlag.where}: cannot name ${entries.length} nodes; set nodeName in each entry of ${s.file?.path ?? 'the config file'} instead`,
    );
  }
  const byName = new Map<string, string>();
  const partial = entries.map((entry, i) => {
    const here = s.file?.nodes === undefined ? 'the node' : `${s.file.path}: nodes[${i}]`;
    const getNode: Get = key => pick(key, s.flags, entry, s.file?.top, s.envLayer);
    const nodeName = getNode('nodeName')?.value ?? CLI_DEFAULTS.nodeName;
    const sameName = byName.get(nodeName);
    if (sameName !== undefined) {
      throw new CliUsageError(
        `${here}: node name ${JSON.stringify(nodeName)} is already used by ${sameName}; give each node its own nodeName`,
      );
    }
    byName.set(nodeName, here);
    return {
      nodeName,
      providerConfigPath: mustExist(s.io, getNode('providerConfig')),
      labels: getNode('nodeLabels')?.value ?? {},
      taints: nodeTaints(getNode, s.app.provider, here),
      operatingSystem: getNode('os')?.value ?? CLI_DEFAULTS.operatingSystem,
      internalIP: getNode('nodeIp')?.value,
      explicitPort: s.flags.kubeletPort === undefined ? entry?.kubeletPort : undefined,
    };
  });
  const ports = assignPorts(
    partial.map(p => ({ nodeName: p.nodeName, explicit: p.explicitPort })),
    get('kubeletPort'),
    metricsPort(metricsAddr),
  );
  return partial.map(({ explicitPort: _, ...node }, i) => ({
    ...node,
    kubeletPort: ports[i] ?? CLI_DEFAULTS.kubeletPort,
  }));
}

export function resolveConfig(s: Sources): Resolved {
  const get: Get = key => pick(key, s.flags, s.file?.top, s.envLayer);
  const warnings = compatibilityWarnings(s);

  const provider = get('provider');
  if (provider !== undefined && provider.value !== s.app.provider) {
    throw new CliUsageError(
      `${provider.where}: ${s.app.name} runs only the ${s.app.provider} provider, not ${JSON.stringify(provider.value)} (available: ${s.app.provider})`,
    );
  }
  const metricsAddr = get('metricsAddr') ?? {
    value: CLI_DEFAULTS.metricsAddr,
    where: `default --metrics-addr ${CLI_DEFAULTS.metricsAddr}`,
  };
  const tlsConfig = tls(get, warnings);
  const config: VirtualKubeletConfig = {
    provider: s.app.provider,
    nodes: nodes(s, get, metricsAddr),
    kubeconfig: kubeconfig(s),
    kubeApiQps: get('kubeApiQps')?.value ?? CLI_DEFAULTS.kubeApiQps,
    kubeApiBurst: get('kubeApiBurst')?.value ?? CLI_DEFAULTS.kubeApiBurst,
    podSyncWorkers: get('podSyncWorkers')?.value ?? CLI_DEFAULTS.podSyncWorkers,
    statusWorkers: get('statusWorkers')?.value ?? CLI_DEFAULTS.statusWorkers,
    maxCreateAttempts: get('maxCreateAttempts')?.value ?? CLI_DEFAULTS.maxCreateAttempts,
    fullResyncPeriodMs: get('fullResyncPeriod')?.value ?? CLI_DEFAULTS.fullResyncPeriodMs,
    startupTimeoutMs: get('startupTimeout')?.value ?? CLI_DEFAULTS.startupTimeoutMs,
    streamIdleTimeoutMs: get('streamIdleTimeout')?.value ?? CLI_DEFAULTS.streamIdleTimeoutMs,
    streamCreationTimeoutMs:
      get('streamCreationTimeout')?.value ?? CLI_DEFAULTS.streamCreationTimeoutMs,
    clusterDomain: get('clusterDomain')?.value ?? CLI_DEFAULTS.clusterDomain,
    nodeStatusIntervalMs:
      get('nodeStatusUpdateFrequency')?.value ?? CLI_DEFAULTS.nodeStatusIntervalMs,
    leaseDurationSeconds:
      get('nodeLeaseDurationSeconds')?.value ?? CLI_DEFAULTS.leaseDurationSeconds,
    reRegisterNode: get('reregisterNode')?.value ?? CLI_DEFAULTS.reRegisterNode,
    heapCompaction: get('heapCompaction')?.value ?? CLI_DEFAULTS.heapCompaction,
    onShutdown: get('onShutdown')?.value ?? CLI_DEFAULTS.onShutdown,
    logLevel: get('logLevel')?.value ?? CLI_DEFAULTS.logLevel,
    metricsAddr: metricsAddr.value,
    tls: tlsConfig,
    auth: auth(get, tlsConfig.clientCAFile, warnings),
    tracing: {
      exporters: get('traceExporter')?.value ?? [],
      serviceName: get('traceServiceName')?.value ?? CLI_DEFAULTS.traceServiceName,
      tags: get('traceTag')?.value ?? {},
      sampleRate: get('traceSampleRate')?.value ?? CLI_DEFAULTS.traceSampleRate,
    },
    configFile: s.file?.path,
  };
  return { config, warnings };
}
