/** A kubelet API on a free port with the exec/attach/port-forward routes, open to anyone. */
import type { Provider } from '../../provider/contract.ts';
import { portForwardRoute } from '../port-forward.ts';
import { remoteCommandRoutes } from '../remote-command.ts';
import type { HttpRoute } from '../router.ts';
import { selfSignedServingCertificate } from '../self-signed.ts';
import { KubeletApiServer } from '../server.ts';

export interface StreamingServerOptions {
  readonly provider: Provider;
  readonly streamIdleTimeoutMs?: number;
  readonly keepaliveMs?: number;
  /** Wraps each streaming route (to observe it). */
  readonly wrap?: (route: HttpRoute) => HttpRoute;
}

export async function startStreamingServer(
  options: StreamingServerOptions,
): Promise<{ server: KubeletApiServer; port: number }> {
  const { provider, wrap = route => route } = options;
  const timeouts = {
    ...(options.streamIdleTimeoutMs !== undefined
      ? { streamIdleTimeoutMs: options.streamIdleTimeoutMs }
      : {}),
    ...(options.keepaliveMs !== undefined ? { keepaliveMs: options.keepaliveMs } : {}),
  };
  const serving = await selfSignedServingCertificate({ commonName: 't', hosts: ['127.0.0.1'] });
  const server = new KubeletApiServer({
    nodeName: 't',
    provider,
    listPods: () => [],
    tls: { serving: { load: () => serving }, watchFiles: false },
    port: 0,
    host: '127.0.0.1',
    authentication: { anonymous: true },
    authorization: 'AlwaysAllow',
    extraRoutes: [
      ...remoteCommandRoutes({ provider, ...timeouts }).map(wrap),
      wrap(portForwardRoute({ provider, ...timeouts })),
    ],
  });
  return { server, port: await server.listen() };
}
