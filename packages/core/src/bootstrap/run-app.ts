/**
 * What every app binary does (vk-mock, vk-aci, ...): parse the command line with upstream's flag
 * and env names, build the provider for each configured node, run them with shared logging,
 * metrics and API client, and shut down cleanly on SIGINT/SIGTERM. An app is this call plus its
 * provider factory.
 */
import { readFileSync } from 'node:fs';
import { describeError, isInvalidInput } from '../errors/errors.ts';
import { HttpKubeClient } from '../kube/http-kube-client.ts';
import { parseCommandLine } from '../cli/index.ts';
import type { AppInfo, NodeConfig, VirtualKubeletConfig } from '../cli/index.ts';
import { createLogger, type Logger, type LogLevel } from '../observability/logger.ts';
import { VkMetrics } from '../observability/metrics.ts';
import { serveMetrics, type MetricsEndpoint } from '../observability/metrics-server.ts';
import type { Provider } from '../provider/contract.ts';
import { portForwardRoute } from '../kubelet-api/port-forward.ts';
import { remoteCommandRoutes } from '../kubelet-api/remote-command.ts';
import { CertificateRotation, rotatedServingSource } from '../kubelet-api/cert-rotation.ts';
import { selfSignedServingCertificate } from '../kubelet-api/self-signed.ts';
import { KUBELET_SERVING_SIGNER, requestServingCertificate } from '../kubelet-api/serving-csr.ts';
import { KubeletApiServer } from '../kubelet-api/server.ts';
import type { ServingCertificateSource } from '../kubelet-api/tls.ts';
import { loadKubeconfig, type LoadedKubeconfig } from '../kube/credentials.ts';
import { kubeSubjectAccessReviewer, kubeTokenReviewer } from '../kubelet-api/kube-reviews.ts';
import { HeapCompactor, lastResortCollection } from '../memory/heap-compactor.ts';
import { createNode, type VirtualNode } from './create-node.ts';

export interface ProviderContext {
  readonly node: NodeConfig;
  readonly config: VirtualKubeletConfig;
  /** The provider config file's contents, when `--provider-config` names one. */
  readonly providerConfig: string | undefined;
  readonly logger: Logger;
}

export type ProviderFactory = (context: ProviderContext) => Provider | Promise<Provider>;

export interface RunAppOptions {
  readonly argv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Stops the app (tests); SIGINT/SIGTERM do too. */
  readonly signal?: AbortSignal;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

/** client-go's certificate manager gives a CSR 15 minutes, then asks anew. */
const CSR_WAIT_TIMEOUT_MS = 15 * 60_000;

const LOG_LEVELS: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/** The kubeconfig's cluster CA, the default trust for client certificates on the kubelet API. */
function kubeconfigCa(loaded: LoadedKubeconfig, logger: Logger): { pem: string } | undefined {
  const ca = loaded.credentials.tls.ca;
  if (ca !== undefined) return { pem: ca.toString() };
  logger.warn({}, 'no client CA for the kubelet API: client certificates will not authenticate');
  return undefined;
}

/** Runs the app; resolves with the process exit code. */
export async function runApp(
  app: AppInfo,
  makeProvider: ProviderFactory,
  options: RunAppOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  let parsed;
  try {
    parsed = parseCommandLine(
      [...(options.argv ?? process.argv.slice(2))],
      options.env ?? process.env,
      app,
    );
  } catch (err) {
    stderr.write(`${app.name}: ${describeError(err)}\nRun '${app.name} --help' for usage.\n`);
    return 2;
  }
  switch (parsed.kind) {
    case 'help':
    case 'version':
      stdout.write(`${parsed.text}\n`);
      return 0;
    case 'providers':
      (parsed.exitCode === 0 ? stdout : stderr).write(`${parsed.text}\n`);
      return parsed.exitCode;
    case 'run':
      break;
  }
  const config = parsed.config;
  const logger = createLogger({ level: LOG_LEVELS[config.logLevel] ?? 'info' }).child({
    app: app.name,
  });
  for (const warning of parsed.warnings) logger.warn({}, warning);
  if (config.tracing.exporters.length > 0) {
    logger.warn(
      { exporters: config.tracing.exporters },
      'tracing is not implemented yet: no traces are sent',
    );
  }

  const stop = new AbortController();
  const onSignal = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    stop.abort();
  };
  const sigint = (): void => {
    onSignal('SIGINT');
  };
  const sigterm = (): void => {
    onSignal('SIGTERM');
  };
  process.once('SIGINT', sigint);
  process.once('SIGTERM', sigterm);
  options.signal?.addEventListener(
    'abort',
    () => {
      stop.abort();
    },
    { once: true },
  );

  let metricsEndpoint: MetricsEndpoint | undefined;
  let client: HttpKubeClient | undefined;
  const kubeletApis: KubeletApiServer[] = [];
  /**
   * Serving-certificate rotations (one failing, its port cannot be bound, ends the app) and the
   * heap compactor, all ending with the stop signal.
   */
  const background: Promise<void>[] = [];
  try {
    const metrics = new VkMetrics();
    const loaded = await loadKubeconfig(
      config.kubeconfig !== undefined ? { path: config.kubeconfig } : { inCluster: true },
    );
    client = HttpKubeClient.create({
      ...loaded,
      userAgent: `${app.name}/${app.version}`,
      // 0 QPS means unthrottled (benchmarks).
      qps: config.kubeApiQps === 0 ? Infinity : config.kubeApiQps,
      burst: config.kubeApiBurst,
      logger,
    });
    // Events on a lane of their own, as the kubelet's --event-qps: they never eat the pods' budget.
    const eventClient = client.lane(
      'events',
      config.kubeApiQps === 0 ? { qps: Infinity } : { qps: 50, burst: 100 },
    );
    const nodes: VirtualNode[] = [];
    const providers: Provider[] = [];
    for (const node of config.nodes) {
      const nodeLogger = logger.child({ node: node.nodeName });
      const provider = await makeProvider({
        node,
        config,
        providerConfig:
          node.providerConfigPath !== undefined
            ? readFileSync(node.providerConfigPath, 'utf8')
            : undefined,
        logger: nodeLogger,
      });
      providers.push(provider);
      nodes.push(
        createNode({
          provider,
          client,
          eventClient,
          // Unthrottled, Events and statuses share only the API server's capacity.
          eventsAfterPods: config.kubeApiQps === 0,
          nodeName: node.nodeName,
          operatingSystem: node.operatingSystem,
          kubeletPort: node.kubeletPort,
          ...(node.internalIP !== undefined ? { internalIP: node.internalIP } : {}),
          labels: node.labels,
          taints: node.taints,
          version: app.version,
          logger,
          metrics,
          podSyncWorkers: config.podSyncWorkers,
          statusWorkers: config.statusWorkers,
          maxCreateAttempts: config.maxCreateAttempts,
          leaseDurationSeconds: config.leaseDurationSeconds,
          statusIntervalMs: config.nodeStatusIntervalMs,
          reRegisterNode: config.reRegisterNode,
          onShutdown: config.onShutdown,
          startupTimeoutMs: config.startupTimeoutMs,
          clusterDomain: config.clusterDomain,
        }),
      );
    }
    const tls = config.tls;
    const certFile = tls.certFile;
    const keyFile = tls.keyFile;
    const fromFiles =
      tls.servingCertMode === 'file' && certFile !== undefined && keyFile !== undefined;
    // Client certificates the API server presents are signed by the cluster CA unless told otherwise.
    const clientCa =
      tls.clientCAFile !== undefined ? { file: tls.clientCAFile } : kubeconfigCa(loaded, logger);
    const kube = client;
    for (const [i, node] of nodes.entries()) {
      const nodeConfig = config.nodes[i];
      const provider = providers[i];
      if (!nodeConfig || !provider) continue;
      const apiLogger = logger.child({ node: node.nodeName, component: 'kubelet-api' });
      const hosts = [
        node.nodeName,
        ...(nodeConfig.internalIP !== undefined ? [nodeConfig.internalIP] : []),
      ];
      let serving: ServingCertificateSource;
      let rotation: CertificateRotation | undefined;
      if (fromFiles) {
        serving = { certFile, keyFile };
      } else if (tls.servingCertMode === 'csr') {
        // As the kubelet's --rotate-server-certificates: the API listens once a CSR is approved.
        rotation = new CertificateRotation({
          issue: signal =>
            requestServingCertificate(kube, signal, {
              nodeName: node.nodeName,
              hosts,
              logger: apiLogger,
              timeoutMs: CSR_WAIT_TIMEOUT_MS,
            }),
          logger: apiLogger,
          onCertificate: first => (first ? startApi() : api.reloadTls()),
        });
        serving = rotatedServingSource(rotation);
      } else {
        logger.warn(
          { node: node.nodeName },
          'kubelet API uses a self-signed serving certificate (development only): set APISERVER_CERT_LOCATION and APISERVER_KEY_LOCATION, or --serving-cert-mode csr, for production',
        );
        const generated = await selfSignedServingCertificate({
          commonName: node.nodeName,
          hosts,
        });
        serving = { load: () => generated };
      }
      const api = new KubeletApiServer({
        nodeName: node.nodeName,
        provider,
        listPods: () => node.listPods(),
        tls: { serving, ...(clientCa !== undefined ? { clientCa } : {}) },
        port: nodeConfig.kubeletPort,
        authentication: {
          ...(config.auth.authenticationTokenWebhook
            ? { reviewToken: kubeTokenReviewer(client) }
            : {}),
          anonymous: config.auth.anonymousAuth,
        },
        authorization:
          config.auth.authorizationMode === 'AlwaysAllow'
            ? 'AlwaysAllow'
            : kubeSubjectAccessReviewer(client),
        logger: apiLogger,
        extraRoutes: [
          ...remoteCommandRoutes({
            provider,
            streamCreationTimeoutMs: config.streamCreationTimeoutMs,
            streamIdleTimeoutMs: config.streamIdleTimeoutMs,
          }),
          portForwardRoute({
            provider,
            streamCreationTimeoutMs: config.streamCreationTimeoutMs,
            streamIdleTimeoutMs: config.streamIdleTimeoutMs,
          }),
        ],
      });
      kubeletApis.push(api);
      const startApi = async (): Promise<void> => {
        await api.start(stop.signal);
        // Aborted while binding: start's abort listener came too late to close it.
        if (stop.signal.aborted) await api.close();
      };
      if (rotation === undefined) {
        await startApi();
      } else {
        apiLogger.info(
          { port: nodeConfig.kubeletPort, signerName: KUBELET_SERVING_SIGNER },
          'kubelet API starts once its serving certificate is issued: the node runs meanwhile',
        );
        background.push(rotation.run(stop.signal));
      }
    }
    const collect = config.heapCompaction ? lastResortCollection() : undefined;
    if (collect) {
      const compactor = new HeapCompactor({
        collect,
        logger: logger.child({ component: 'heap-compactor' }),
        onCompaction: c => {
          metrics.heapCompaction(c);
        },
      });
      background.push(compactor.run(stop.signal));
    } else if (config.heapCompaction) {
      logger.debug({}, 'no heap compaction: node runs without --expose-gc');
    }
    if (config.metricsAddr !== '') {
      metricsEndpoint = await serveMetrics(config.metricsAddr, metrics.registry, () => true);
      logger.info({ addr: config.metricsAddr, port: metricsEndpoint.port }, 'serving metrics');
    }
    await Promise.all([...nodes.map(n => n.run(stop.signal)), ...background]);
    return 0;
  } catch (err) {
    logger.error({ err: describeError(err) }, 'fatal error');
    return isInvalidInput(err) ? 2 : 1;
  } finally {
    stop.abort();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    await Promise.all(kubeletApis.map(api => api.close()));
    await metricsEndpoint?.close();
    client?.close();
  }
}
