/**
 * The downward API: pod fields (`fieldRef`) and container resources (`resourceFieldRef`), for
 * env vars and downwardAPI volume files alike. Values follow the kubelet's formats: labels and
 * annotations as sorted `key="value"` lines with Go quoting, IP lists comma-joined, resources
 * divided by the divisor and rounded up, unset limits defaulting to the node's allocatable.
 * Fields only the backend can know (the pod IP before placement) come back as `deferred` so the
 * caller hands the reference to the provider instead of refusing the pod.
 */
import type {
  Container,
  EphemeralContainer,
  ObjectFieldSelector,
  Pod,
  ResourceFieldSelector,
} from 'kubernetes-types/core/v1.d.ts';
import { InvalidInputError } from '../errors/errors.ts';
import { isZero, milliValue, parseQuantity, value, ZERO, type Quantity } from './quantity.ts';

/** What the downward API needs besides the pod itself. */
export interface DownwardContext {
  readonly nodeName: string;
  readonly hostIP?: string | undefined;
  readonly nodeAllocatable?:
    { cpu?: string; memory?: string; 'ephemeral-storage'?: string } | undefined;
}

export type FieldValue =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'deferred'; readonly fieldPath: string };

const valueOf = (v: string): FieldValue => ({ kind: 'value', value: v });

/** Splits `metadata.labels['key']` into path and key, as the kubelet's fieldpath package does. */
function splitSubscript(fieldPath: string): { path: string; key: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const open = fieldPath.indexOf("['");
  if (open <= 0) return undefined;
  return { path: fieldPath.slice(0, open), key: fieldPath.slice(open + 2, -2) };
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Label and annotation keys: an optional DNS subdomain prefix, then a name of at most 63. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return false;
  }
  return name !== undefined && name.length <= 63 && QUALIFIED_NAME.test(name);
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's `%q` for a string (strconv.Quote): what the kubelet writes for label and annotation values. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) out += named;
    else if (cp >= 0xd800 && cp <= 0xdfff)
      out += '\ufffd'; // lone surrogate: Go sees U+FFFD
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** The kubelet's format for a whole label or annotation map: sorted `key="value"` lines. */
export function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort(compareBytes)
    .map(key => `${key}=${goQuote(map?.[key] ?? '')}`)
    .join('\n');
}

/** Byte-order comparison (Go's sort.Strings), not locale order. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function joinIPs(list: readonly { ip?: string }[] | undefined): string | undefined {
  const ips = (list ?? []).map(entry => entry.ip).filter((ip): ip is string => !!ip);
  return ips.length > 0 ? ips.join(',') : undefined;
}

/**
 * The value of a pod field. Accepts every path the API allows for env and volumes, plus
 * `spec.restartPolicy` and `spec.schedulerName` (which upstream rejects) and the `spec.host`
 * alias; anything else is invalid input.
 */
export function podFieldValue(
  selector: ObjectFieldSelector,
  pod: Pod,
  context: DownwardContext,
): FieldValue {
  const apiVersion = selector.apiVersion ?? 'v1';
  if (apiVersion !== 'v1') {
    throw new InvalidInputError(
      `unsupported pod version ${JSON.stringify(apiVersion)} in fieldRef ${selector.fieldPath}`,
    );
  }
  const fieldPath = selector.fieldPath;
  const metadata = pod.metadata ?? {};
  const spec = pod.spec;
  const status = pod.status ?? {};
  const subscript = splitSubscript(fieldPath);
  if (subscript) {
    const { path, key } = subscript;
    if (path !== 'metadata.labels' && path !== 'metadata.annotations') {
      throw new InvalidInputError(`fieldPath ${fieldPath} does not support a subscript`);
    }
    // The kubelet checks annotation keys case-insensitively, label keys as written.
    const checked = path === 'metadata.annotations' ? key.toLowerCase() : key;
    if (!isQualifiedName(checked)) {
      throw new InvalidInputError(`invalid key subscript in ${fieldPath}`);
    }
    const map = path === 'metadata.labels' ? metadata.labels : metadata.annotations;
    return valueOf(map?.[key] ?? '');
  }
  switch (fieldPath) {
    case 'metadata.name':
      return valueOf(metadata.name ?? '');
    case 'metadata.namespace':
      return valueOf(metadata.namespace ?? '');
    case 'metadata.uid':
      return valueOf(metadata.uid ?? '');
    case 'metadata.labels':
      return valueOf(formatMap(metadata.labels));
    case 'metadata.annotations':
      return valueOf(formatMap(metadata.annotations));
    case 'spec.nodeName':
    case 'spec.host':
      return valueOf(spec?.nodeName ?? context.nodeName);
    case 'spec.serviceAccountName':
      return valueOf(spec?.serviceAccountName ?? spec?.serviceAccount ?? '');
    // API defaults, for pods that did not go through an API server's defaulting.
    case 'spec.restartPolicy':
      return valueOf(spec?.restartPolicy ?? 'Always');
    case 'spec.schedulerName':
      return valueOf(spec?.schedulerName ?? 'default-scheduler');
    case 'status.podIP': {
      const ip = status.podIP ?? status.podIPs?.find(entry => !!entry.ip)?.ip;
      return ip ? valueOf(ip) : { kind: 'deferred', fieldPath };
    }
    case 'status.podIPs': {
      const ips = joinIPs(status.podIPs) ?? status.podIP;
      return ips ? valueOf(ips) : { kind: 'deferred', fieldPath };
    }
    case 'status.hostIP': {
      const ip = status.hostIP ?? status.hostIPs?.find(entry => !!entry.ip)?.ip ?? context.hostIP;
      return ip ? valueOf(ip) : { kind: 'deferred', fieldPath };
    }
    case 'status.hostIPs': {
      const ips = joinIPs(status.hostIPs) ?? status.hostIP ?? context.hostIP;
      return ips ? valueOf(ips) : { kind: 'deferred', fieldPath };
    }
    default:
      throw new InvalidInputError(`unsupported fieldPath ${JSON.stringify(fieldPath)}`);
  }
}

type AnyContainer = Container | EphemeralContainer;

function findContainer(pod: Pod, name: string): AnyContainer | undefined {
  const spec = pod.spec;
  return [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ].find(c => c.name === name);
}

/** Limits the kubelet fills from node allocatable when a container leaves them unset or zero. */
const DEFAULTED_LIMITS = ['cpu', 'memory', 'ephemeral-storage'] as const;

function quantityOf(text: string | undefined): Quantity {
  return text === undefined ? ZERO : parseQuantity(text);
}

/** Integer division of two float64s rounded up, printed like Go's FormatInt (no exponent). */
function ceilDivide(a: bigint, b: bigint): string {
  const result = Math.ceil(Number(a) / Number(b));
  return Number.isFinite(result) ? BigInt(result).toString() : '0';
}

/**
 * The value of a container resource: `limits.*` / `requests.*` of cpu, memory,
 * ephemeral-storage or hugepages-<size>, divided by `divisor` (default 1) and rounded up. CPU is
 * computed in millicores as the kubelet does, so `divisor: 1m` gives millicores.
 */
export function containerResourceValue(
  selector: ResourceFieldSelector,
  pod: Pod,
  container: AnyContainer | undefined,
  context: DownwardContext,
): string {
  const target = selector.containerName ? findContainer(pod, selector.containerName) : container;
  if (!target) {
    throw new InvalidInputError(
      `container ${JSON.stringify(selector.containerName ?? '')} not found for resourceFieldRef ${selector.resource}`,
    );
  }
  const dot = selector.resource.indexOf('.');
  const kind = selector.resource.slice(0, dot);
  const resource = selector.resource.slice(dot + 1);
  const known =
    (kind === 'limits' || kind === 'requests') &&
    (resource === 'cpu' ||
      resource === 'memory' ||
      resource === 'ephemeral-storage' ||
      resource.startsWith('hugepages-'));
  if (dot <= 0 || !known) {
    throw new InvalidInputError(`unsupported container resource ${selector.resource}`);
  }
  const resources = target.resources;
  let amount = quantityOf(
    (kind === 'limits' ? resources?.limits : resources?.requests)?.[resource],
  );
  if (kind === 'limits' && isZero(amount)) {
    const fallback = (DEFAULTED_LIMITS as readonly string[]).includes(resource)
      ? context.nodeAllocatable?.[resource as (typeof DEFAULTED_LIMITS)[number]]
      : undefined;
    if (fallback !== undefined) amount = parseQuantity(fallback);
  }
  let divisor = quantityOf(selector.divisor);
  if (isZero(divisor)) divisor = { num: 1n, den: 1n };
  return resource === 'cpu'
    ? ceilDivide(milliValue(amount), milliValue(divisor))
    : ceilDivide(value(amount), value(divisor));
}
