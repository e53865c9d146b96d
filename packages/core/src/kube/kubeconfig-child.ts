/**
 * The child process `loadKubeconfig` runs (see util/child-script.ts): client-node loads the
 * kubeconfig and resolves fixed credentials here, and leaves with the process.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';
import { childScriptMain } from '../util/child-script.ts';
import {
  headersOf,
  openKubeconfig,
  tlsOf,
  type KubeconfigSource,
  type ResolvedKubeconfig,
} from './kubeconfig-load.ts';

function base64(value: string | Buffer | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value).toString('base64');
}

async function resolve(source: KubeconfigSource): Promise<ResolvedKubeconfig> {
  const kc = new KubeConfig();
  const { server, refresh } = openKubeconfig(kc, source);
  // Live credentials are resolved by the parent, which keeps client-node for them; running an
  // exec plugin here as well would run it twice.
  if (refresh === 'live') return { server, refresh };
  const options: RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(options);
  const tls = tlsOf(options);
  return {
    server,
    refresh,
    headers: headersOf(options),
    tls: {
      ca: base64(tls.ca),
      cert: base64(tls.cert),
      key: base64(tls.key),
      servername: tls.servername,
      rejectUnauthorized: tls.rejectUnauthorized,
    },
  };
}

await childScriptMain(input => resolve(input as KubeconfigSource));
