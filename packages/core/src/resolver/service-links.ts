/**
 * Service-link env vars, the kubelet's way: for each service with a cluster IP, `<NAME>_SERVICE_HOST`,
 * `<NAME>_SERVICE_PORT` (first port), `<NAME>_SERVICE_PORT_<PORTNAME>` (named ports) and the
 * Docker-link set `<NAME>_PORT`, `<NAME>_PORT_<p>_<PROTO>{,_PROTO,_PORT,_ADDR}`. The pod sees
 * services of its own namespace when `enableServiceLinks` is on, and `default/kubernetes` always.
 */
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import { compareBytes } from './downward.ts';

/** Services whose env vars every pod gets, whatever its namespace and enableServiceLinks. */
const MASTER_SERVICES: ReadonlySet<string> = new Set(['kubernetes']);

/** Headless (`None`) and ExternalName (empty) services have no address to advertise. */
export function hasClusterIP(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

/** Service names are DNS labels: upper-case them and turn dashes into underscores. */
const envName = (name: string): string => name.replaceAll('-', '_').toUpperCase();

/** host:port, bracketing IPv6 addresses like Go's net.JoinHostPort. */
const joinHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** The env vars of one service, in the kubelet's order. */
export function serviceEnvVars(service: Service): [string, string][] {
  if (!hasClusterIP(service)) return [];
  const prefix = envName(service.metadata?.name ?? '');
  const ip = service.spec?.clusterIP ?? '';
  const ports = service.spec?.ports ?? [];
  const vars: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip]];
  const first = ports[0];
  // A cluster IP service always has a port; a malformed one just gets its host var.
  if (!first) return vars;
  vars.push([`${prefix}_SERVICE_PORT`, String(first.port)]);
  for (const port of ports) {
    if (port.name) vars.push([`${prefix}_SERVICE_PORT_${envName(port.name)}`, String(port.port)]);
  }
  ports.forEach((port, index) => {
    const protocol = port.protocol || 'TCP';
    const url = `${protocol.toLowerCase()}://${joinHostPort(ip, port.port)}`;
    if (index === 0) vars.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    vars.push(
      [portPrefix, url],
      [`${portPrefix}_PROTO`, protocol.toLowerCase()],
      [`${portPrefix}_PORT`, String(port.port)],
      [`${portPrefix}_ADDR`, ip],
    );
  });
  return vars;
}

/**
 * The service env of a pod: `default/kubernetes` (from `defaultServices`) always, plus the
 * services of `namespaceServices` (the pod's namespace) when links are enabled. As in the
 * kubelet, a service of the pod's own namespace wins over a same-named master service. Sorted by
 * service name so the result never depends on list order.
 */
export function serviceEnvironment(
  namespace: string,
  enableServiceLinks: boolean,
  namespaceServices: readonly Service[],
  defaultServices: readonly Service[],
): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const service of defaultServices) {
    const name = service.metadata?.name ?? '';
    if (hasClusterIP(service) && MASTER_SERVICES.has(name)) chosen.set(name, service);
  }
  if (enableServiceLinks) {
    for (const service of namespaceServices) {
      if (hasClusterIP(service)) chosen.set(service.metadata?.name ?? '', service);
    }
  }
  const env = new Map<string, string>();
  for (const name of [...chosen.keys()].sort(compareBytes)) {
    const service = chosen.get(name);
    if (service) for (const [key, val] of serviceEnvVars(service)) env.set(key, val);
  }
  return env;
}
