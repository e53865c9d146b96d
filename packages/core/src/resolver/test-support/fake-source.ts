/**
 * Test doubles for the resolver: an in-memory ObjectSource that counts its reads and issues
 * predictable tokens, an event sink that keeps what it was told, and small pod builders.
 */
import type {
  ConfigMap,
  Container,
  Pod,
  Secret,
  Service,
  ServicePort,
} from 'kubernetes-types/core/v1.d.ts';
import type { ObjectSource, ResolveOptions, ResolverEvents } from '../types.ts';

export const ISSUED_AT = new Date('2026-03-01T00:00:00Z');

const b64 = (text: string): string => Buffer.from(text).toString('base64');

export interface TokenCall {
  namespace: string;
  serviceAccountName: string;
  audiences: string[];
  expirationSeconds: number;
  pod: { name: string; uid: string };
}

export class FakeSource implements ObjectSource {
  readonly secrets = new Map<string, Secret>();
  readonly configMaps = new Map<string, ConfigMap>();
  readonly services: Service[] = [];
  readonly reads: string[] = [];
  readonly tokenCalls: TokenCall[] = [];
  /** Make reads of these keys (`secret/ns/name`, `configmap/ns/name`, `services/ns`) throw. */
  readonly failing = new Map<string, Error>();
  tokenFailure: Error | undefined;

  secret(namespace: string, name: string, data: Record<string, string>): this {
    const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)]));
    this.secrets.set(`${namespace}/${name}`, { metadata: { namespace, name }, data: encoded });
    return this;
  }

  configMap(
    namespace: string,
    name: string,
    data: Record<string, string>,
    binaryData?: Record<string, Uint8Array>,
  ): this {
    const binary = binaryData
      ? Object.fromEntries(
          Object.entries(binaryData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        )
      : undefined;
    this.configMaps.set(`${namespace}/${name}`, {
      metadata: { namespace, name },
      data,
      ...(binary ? { binaryData: binary } : {}),
    });
    return this;
  }

  service(namespace: string, name: string, clusterIP: string, ports: ServicePort[]): this {
    this.services.push({ metadata: { namespace, name }, spec: { clusterIP, ports } });
    return this;
  }

  private check(key: string): void {
    this.reads.push(key);
    const failure = this.failing.get(key);
    if (failure) throw failure;
  }

  getSecret(namespace: string, name: string): Promise<Secret | undefined> {
    this.check(`secret/${namespace}/${name}`);
    return Promise.resolve(structuredClone(this.secrets.get(`${namespace}/${name}`)));
  }

  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    this.check(`configmap/${namespace}/${name}`);
    return Promise.resolve(structuredClone(this.configMaps.get(`${namespace}/${name}`)));
  }

  listServices(namespace: string): Promise<Service[]> {
    this.check(`services/${namespace}`);
    return Promise.resolve(
      structuredClone(this.services.filter(s => s.metadata?.namespace === namespace)),
    );
  }

  requestServiceAccountToken(
    req: TokenCall,
  ): Promise<{ token: string; expirationTimestamp: string }> {
    this.tokenCalls.push(structuredClone(req));
    if (this.tokenFailure) return Promise.reject(this.tokenFailure);
    const expires = new Date(ISSUED_AT.getTime() + req.expirationSeconds * 1000);
    return Promise.resolve({
      token: `token-${this.tokenCalls.length}-${req.audiences.join(',') || 'default'}-${req.expirationSeconds}`,
      expirationTimestamp: expires.toISOString(),
    });
  }
}

export class EventLog implements ResolverEvents {
  readonly warnings: { reason: string; message: string }[] = [];

  warning(reason: string, message: string): void {
    this.warnings.push({ reason, message });
  }

  reasons(): string[] {
    return this.warnings.map(w => w.reason);
  }
}

export function container(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: 'busybox', ...extra };
}

export function pod(spec: Partial<NonNullable<Pod['spec']>>, metadata: Pod['metadata'] = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'apps', uid: 'uid-1', ...metadata },
    spec: { nodeName: 'vk-0', containers: [], ...spec },
  };
}

export function options(
  source: FakeSource,
  events: EventLog,
  extra: Partial<ResolveOptions> = {},
): ResolveOptions {
  return { source, events, signal: new AbortController().signal, nodeName: 'vk-0', ...extra };
}

/** The env of the named container as `name=value` lines (valueFrom entries shown raw). */
export function envOf(resolved: Pod, name: string): string[] {
  const all = [
    ...(resolved.spec?.initContainers ?? []),
    ...(resolved.spec?.containers ?? []),
    ...(resolved.spec?.ephemeralContainers ?? []),
  ];
  const found = all.find(c => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return (found.env ?? []).map(e =>
    e.valueFrom ? `${e.name}<-${JSON.stringify(e.valueFrom)}` : `${e.name}=${e.value ?? ''}`,
  );
}

export const text = (data: Uint8Array | undefined): string | undefined =>
  data === undefined ? undefined : new TextDecoder().decode(data);
