/**
 * A container's environment as its process would see it. The core resolved `env` and `envFrom`
 * already; what it could not know (the pod IP, the host IP) it left as `valueFrom` references,
 * listed as deferred, with `$(NAME)` references to them unexpanded. The mock fills those in from
 * what it assigned, and also reads any other fieldRef or resourceFieldRef left in the spec.
 */
import type { Container, EnvVar, Pod } from 'kubernetes-types/core/v1.d.ts';
import { parseQuantity } from './quantity.ts';

export interface EnvSource {
  readonly pod: Pod;
  readonly podIP: string | undefined;
  readonly hostIP: string;
  /** Node allocatable, the value of a limit the container does not set. */
  readonly allocatable: Readonly<Record<string, string>>;
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** The value of a downward API field path, or undefined for a path the mock does not know. */
export function fieldValue(fieldPath: string, source: EnvSource): string | undefined {
  const { pod } = source;
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name;
    case 'metadata.namespace':
      return pod.metadata?.namespace;
    case 'metadata.uid':
      return pod.metadata?.uid;
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'spec.restartPolicy':
      return pod.spec?.restartPolicy ?? 'Always';
    case 'spec.schedulerName':
      return pod.spec?.schedulerName ?? 'default-scheduler';
    case 'status.podIP':
    case 'status.podIPs':
      return source.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return source.hostIP;
  }
  const subscript = SUBSCRIPT.exec(fieldPath);
  if (subscript) {
    const [, map, key] = subscript;
    const values = map === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return key === undefined ? undefined : values?.[key];
  }
  return undefined;
}

function resourceValue(
  ref: NonNullable<NonNullable<EnvVar['valueFrom']>['resourceFieldRef']>,
  container: Container,
  source: EnvSource,
): string | undefined {
  const target =
    ref.containerName === undefined || ref.containerName === ''
      ? container
      : [...(source.pod.spec?.containers ?? []), ...(source.pod.spec?.initContainers ?? [])].find(
          c => c.name === ref.containerName,
        );
  const match = /^(limits|requests)\.(.+)$/.exec(ref.resource);
  if (!target || !match) return undefined;
  const [, kind, resource = ''] = match;
  const limit = target.resources?.limits?.[resource];
  const request = target.resources?.requests?.[resource];
  // As the kubelet: an unset limit is the node's allocatable; an unset request is the limit, or 0.
  const text =
    kind === 'limits' ? (limit ?? source.allocatable[resource]) : (request ?? limit ?? '0');
  const value = text === undefined ? undefined : parseQuantity(text);
  const divisor = parseQuantity(ref.divisor ?? '1');
  if (value === undefined || divisor === undefined || divisor <= 0) return undefined;
  // Rounded to 12 digits first so float noise (0.1 / 0.001 = 100.00000000000001) does not round up.
  return String(Math.ceil(Number((value / divisor).toPrecision(12))));
}

/**
 * The container's variables by name (a later duplicate wins); unresolvable references are left
 * out. `deferred` names the variables the core left for the backend: `$(NAME)` references to
 * them in other values are expanded here.
 */
export function containerEnv(
  container: Container,
  source: EnvSource,
  deferred: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const env = new Map<string, string>();
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string | undefined;
    if (!from) value = variable.value ?? '';
    else if (from.fieldRef) value = fieldValue(from.fieldRef.fieldPath, source);
    else if (from.resourceFieldRef) value = resourceValue(from.resourceFieldRef, container, source);
    if (value !== undefined) env.set(variable.name, value);
  }
  if (deferred.size === 0) return env;
  for (const [name, value] of env) {
    const expanded = value.replace(
      /\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
      (ref, referenced: string) => (deferred.has(referenced) ? (env.get(referenced) ?? ref) : ref),
    );
    env.set(name, expanded);
  }
  return env;
}
