/**
 * The mock's options, and their validation into a compiled form with every default filled in.
 * Options often come from JSON (a config file, a CLI flag), so every field is checked at run
 * time and a bad value throws InvalidInputError naming the field.
 */
import { isIP } from 'node:net';
import { InvalidInputError, silentLogger, type ErrorKind, type Logger } from '@vkubelet/core';
import { systemClock, type Clock } from './clock.ts';
import { parseIPv4 } from './ip.ts';
import { parseQuantity } from './quantity.ts';
import type { MockStateStore } from './state-file.ts';

/** Every provider call the mock can fail, delay forever or count. */
export const MOCK_OPERATIONS = [
  'createPod',
  'updatePod',
  'deletePod',
  'getPod',
  'getPodStatus',
  'getPods',
  'ping',
  'updatePodVolumes',
  'getContainerLogs',
  'runInContainer',
  'attachToContainer',
  'portForward',
  'getStatsSummary',
  'getMetricsResource',
] as const;

export type MockOperation = (typeof MOCK_OPERATIONS)[number];

const ERROR_KINDS: readonly ErrorKind[] = [
  'NotFound',
  'InvalidInput',
  'Unsupported',
  'Throttled',
  'Transient',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'IllegalState',
];

/** How one operation fails. */
export interface FailureSpec {
  /** How many calls fail before the operation works again. @default every call */
  readonly times?: number;
  /** The taxonomy kind of the error thrown. @default 'Transient' */
  readonly error?: ErrorKind;
  /** The error's message. @default "mock: injected <kind> failure in <operation>" */
  readonly message?: string;
  /** The retry hint a Throttled error carries. @default 1000 */
  readonly retryAfterMs?: number;
  /** Instead of failing, the call waits until its AbortSignal aborts (to test timeouts). */
  readonly hang?: boolean;
  /** Only calls about this pod (`namespace/name`) fail; calls not about a pod never do. */
  readonly pod?: string;
}

/** A token bucket: `burst` calls at once, refilled at `perSecond`. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export type NodeAddressType =
  'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';

export interface NodeAddressOption {
  readonly type: NodeAddressType;
  readonly address: string;
}

export interface MockProviderOptions {
  /**
   * Node capacity (= allocatable) by resource name; extra resources such as `nvidia.com/gpu` are
   * allowed. Values are Kubernetes quantities. Missing standard resources take their default.
   * @default { cpu: '20', memory: '100Gi', pods: '110', 'ephemeral-storage': '100Gi' }
   */
  readonly capacity?: Readonly<Record<string, string | number>>;
  /** Time from createPod to the pod's start (init containers, then Running). Restarts are immediate. @default 0 */
  readonly startLatencyMs?: number;
  /** Time deletePod takes to stop the pod before it resolves. @default 0 */
  readonly deleteLatencyMs?: number;
  /** Failure injection by operation; change it later with `injectFailure`. */
  readonly failures?: Readonly<Partial<Record<MockOperation, FailureSpec>>>;
  /** Limit on createPod calls; a list means every bucket must have a token (ACI: 100/5 min and 300/h). */
  readonly rateLimit?: RateLimit | readonly RateLimit[];
  /** Push status through `notifyPods`; when false the provider has no `notifyPods` and must be polled. @default true */
  readonly pushStatus?: boolean;
  /** Node addresses; the first InternalIP is every pod's hostIP. @default [{ type: 'InternalIP', address: '127.0.0.1' }] */
  readonly addresses?: readonly NodeAddressOption[];
  /** Pod IPs are handed out in create order: the nth pod gets this address + n. @default '10.244.0.0' */
  readonly podIPBase?: string;
  /** Where time comes from. @default the system clock */
  readonly clock?: Clock;
  /** Generated containers log one line per this interval. @default 1000 */
  readonly logIntervalMs?: number;
  /** The node's name in stats until `configureNode` tells the real one. @default 'mock-node' */
  readonly nodeName?: string;
  /** `spec.providerID` set by `configureNode`; not set when absent. */
  readonly providerID?: string;
  /** Labels `configureNode` adds (labels already on the node win). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Where the mock reports a status callback that threw. @default silent */
  readonly logger?: Logger;
  /**
   * Where pods are kept across restarts (`openMockStateFile`), as a cloud keeps them while the
   * virtual kubelet is down. @default in memory only
   */
  readonly state?: MockStateStore;
}

export interface CompiledOptions {
  readonly capacity: Readonly<Record<string, string>>;
  readonly startLatencyMs: number;
  readonly deleteLatencyMs: number;
  readonly failures: ReadonlyMap<MockOperation, FailureSpec>;
  readonly rateLimits: readonly RateLimit[];
  readonly pushStatus: boolean;
  readonly addresses: readonly NodeAddressOption[];
  readonly hostIP: string;
  readonly podIPBase: number;
  readonly clock: Clock;
  readonly logIntervalMs: number;
  readonly nodeName: string;
  readonly providerID: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly state: MockStateStore | undefined;
}

export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = {
  cpu: '20',
  memory: '100Gi',
  pods: '110',
  'ephemeral-storage': '100Gi',
};

const OPTION_KEYS = new Set([
  'capacity',
  'startLatencyMs',
  'deleteLatencyMs',
  'failures',
  'rateLimit',
  'pushStatus',
  'addresses',
  'podIPBase',
  'clock',
  'logIntervalMs',
  'nodeName',
  'providerID',
  'labels',
  'logger',
  'state',
]);

const ADDRESS_TYPES = new Set<string>([
  'InternalIP',
  'ExternalIP',
  'Hostname',
  'InternalDNS',
  'ExternalDNS',
]);

// A resource name: an optional DNS-subdomain prefix, then a name segment (as `nvidia.com/gpu`).
const RESOURCE_NAME =
  /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function fail(message: string): never {
  throw new InvalidInputError(`mock provider: ${message}`);
}

const show = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(`${name} must be a finite number >= 0, got ${show(value)}`);
  }
  return value;
}

function compileCapacity(value: unknown): Record<string, string> {
  if (value === undefined) return { ...DEFAULT_CAPACITY };
  if (!isRecord(value)) fail(`capacity must be an object of quantities, got ${show(value)}`);
  const capacity: Record<string, string> = { ...DEFAULT_CAPACITY };
  for (const [resource, raw] of Object.entries(value)) {
    if (!RESOURCE_NAME.test(resource))
      fail(`capacity has an invalid resource name ${show(resource)}`);
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      fail(`capacity.${resource} must be a quantity string, got ${show(raw)}`);
    }
    const text = String(raw);
    const parsed = parseQuantity(text);
    if (parsed === undefined || parsed < 0) {
      fail(`capacity.${resource} is not a valid non-negative quantity: ${show(text)}`);
    }
    if (resource === 'pods' && !Number.isInteger(parsed)) {
      fail(`capacity.pods must be a whole number, got ${show(text)}`);
    }
    capacity[resource] = text;
  }
  return capacity;
}

/** Throws InvalidInputError unless `operation` is one the mock has. */
export function checkOperation(operation: string): MockOperation {
  if (!(MOCK_OPERATIONS as readonly string[]).includes(operation)) {
    fail(`unknown operation ${show(operation)}; known: ${MOCK_OPERATIONS.join(', ')}`);
  }
  return operation as MockOperation;
}

/** Checks one failure spec; used for options and for `injectFailure` at run time. */
export function compileFailureSpec(operation: string, spec: unknown): FailureSpec {
  const where = `failures.${operation}`;
  checkOperation(operation);
  if (!isRecord(spec)) fail(`${where} must be an object, got ${show(spec)}`);
  for (const key of Object.keys(spec)) {
    if (!['times', 'error', 'message', 'retryAfterMs', 'hang', 'pod'].includes(key)) {
      fail(`${where} has an unknown field ${show(key)}`);
    }
  }
  const { times, error, message, retryAfterMs, hang, pod } = spec;
  if (times !== undefined && (typeof times !== 'number' || !Number.isInteger(times) || times < 0)) {
    fail(`${where}.times must be a whole number >= 0, got ${show(times)}`);
  }
  if (error !== undefined && !(ERROR_KINDS as readonly unknown[]).includes(error)) {
    fail(`${where}.error must be one of ${ERROR_KINDS.join(', ')}, got ${show(error)}`);
  }
  if (message !== undefined && typeof message !== 'string') {
    fail(`${where}.message must be a string, got ${show(message)}`);
  }
  nonNegative(`${where}.retryAfterMs`, retryAfterMs, 0);
  if (hang !== undefined && typeof hang !== 'boolean') {
    fail(`${where}.hang must be a boolean, got ${show(hang)}`);
  }
  if (pod !== undefined && (typeof pod !== 'string' || !/^[^/]+\/[^/]+$/.test(pod))) {
    fail(`${where}.pod must be "namespace/name", got ${show(pod)}`);
  }
  return spec;
}

function compileFailures(value: unknown): Map<MockOperation, FailureSpec> {
  const failures = new Map<MockOperation, FailureSpec>();
  if (value === undefined) return failures;
  if (!isRecord(value)) fail(`failures must be an object keyed by operation, got ${show(value)}`);
  for (const [operation, spec] of Object.entries(value)) {
    if (spec === undefined) continue;
    failures.set(operation as MockOperation, compileFailureSpec(operation, spec));
  }
  return failures;
}

function compileRateLimits(value: unknown): RateLimit[] {
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((limit, i) => {
    const where = Array.isArray(value) ? `rateLimit[${i}]` : 'rateLimit';
    if (!isRecord(limit)) fail(`${where} must be { perSecond, burst }, got ${show(limit)}`);
    const { perSecond, burst } = limit;
    if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0) {
      fail(`${where}.perSecond must be a finite number > 0, got ${show(perSecond)}`);
    }
    if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 1) {
      fail(`${where}.burst must be a whole number >= 1, got ${show(burst)}`);
    }
    return { perSecond, burst };
  });
}

function compileAddresses(value: unknown): NodeAddressOption[] {
  if (value === undefined) return [{ type: 'InternalIP', address: '127.0.0.1' }];
  if (!Array.isArray(value) || value.length === 0) {
    fail(`addresses must be a non-empty list of { type, address }, got ${show(value)}`);
  }
  return value.map((entry: unknown, i) => {
    if (!isRecord(entry)) fail(`addresses[${i}] must be { type, address }, got ${show(entry)}`);
    const { type, address } = entry;
    if (typeof type !== 'string' || !ADDRESS_TYPES.has(type)) {
      fail(
        `addresses[${i}].type must be one of ${[...ADDRESS_TYPES].join(', ')}, got ${show(type)}`,
      );
    }
    if (typeof address !== 'string' || address === '') {
      fail(`addresses[${i}].address must be a non-empty string, got ${show(address)}`);
    }
    if (type.endsWith('IP') && isIP(address) === 0) {
      fail(`addresses[${i}].address must be an IP address for ${type}, got ${show(address)}`);
    }
    return { type: type as NodeAddressType, address };
  });
}

function compileLabels(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) fail(`labels must be an object of strings, got ${show(value)}`);
  for (const [key, label] of Object.entries(value)) {
    if (typeof label !== 'string') fail(`labels.${key} must be a string, got ${show(label)}`);
  }
  return { ...(value as Record<string, string>) };
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    fail(`${name} must be a non-empty string, got ${show(value)}`);
  }
  return value;
}

function isClock(value: unknown): value is Clock {
  return isRecord(value) && typeof value.now === 'function' && typeof value.setTimer === 'function';
}

function isLogger(value: unknown): value is Logger {
  return (
    isRecord(value) &&
    ['debug', 'info', 'warn', 'error', 'child'].every(m => typeof value[m] === 'function')
  );
}

/** Validates `options` and fills in the defaults. Throws InvalidInputError on the first bad field. */
export function compileOptions(options: MockProviderOptions = {}): CompiledOptions {
  const raw: unknown = options;
  if (!isRecord(raw)) fail(`options must be an object, got ${show(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!OPTION_KEYS.has(key)) fail(`unknown option ${show(key)}`);
  }
  if (raw.pushStatus !== undefined && typeof raw.pushStatus !== 'boolean') {
    fail(`pushStatus must be a boolean, got ${show(raw.pushStatus)}`);
  }
  if (raw.clock !== undefined && !isClock(raw.clock)) {
    fail('clock must have now() and setTimer(ms, fn)');
  }
  if (raw.logger !== undefined && !isLogger(raw.logger)) {
    fail('logger must have debug, info, warn, error and child');
  }
  if (raw.state !== undefined && !isStateStore(raw.state)) {
    fail(
      'state must be a store from openMockStateFile (takePods, assignedIPs, put, drop, flushed)',
    );
  }
  const podIPBaseText = optionalString('podIPBase', raw.podIPBase) ?? '10.244.0.0';
  const podIPBase = parseIPv4(podIPBaseText);
  if (podIPBase === undefined)
    fail(`podIPBase must be an IPv4 address, got ${show(podIPBaseText)}`);
  const logIntervalMs = nonNegative('logIntervalMs', raw.logIntervalMs, 1000);
  if (logIntervalMs < 1) fail(`logIntervalMs must be at least 1, got ${show(logIntervalMs)}`);
  const addresses = compileAddresses(raw.addresses);
  const hostIP =
    addresses.find(a => a.type === 'InternalIP')?.address ??
    addresses.find(a => a.type.endsWith('IP'))?.address;
  if (hostIP === undefined) fail('addresses must include an InternalIP or ExternalIP');
  return {
    capacity: compileCapacity(raw.capacity),
    startLatencyMs: nonNegative('startLatencyMs', raw.startLatencyMs, 0),
    deleteLatencyMs: nonNegative('deleteLatencyMs', raw.deleteLatencyMs, 0),
    failures: compileFailures(raw.failures),
    rateLimits: compileRateLimits(raw.rateLimit),
    pushStatus: raw.pushStatus ?? true,
    addresses,
    hostIP,
    podIPBase,
    clock: raw.clock ?? systemClock,
    logIntervalMs,
    nodeName: optionalString('nodeName', raw.nodeName) ?? 'mock-node',
    providerID: optionalString('providerID', raw.providerID),
    labels: compileLabels(raw.labels),
    logger: raw.logger ?? silentLogger,
    state: raw.state,
  };
}

function isStateStore(value: unknown): value is MockStateStore {
  return (
    isRecord(value) &&
    typeof value.takePods === 'function' &&
    typeof value.assignedIPs === 'number' &&
    typeof value.put === 'function' &&
    typeof value.drop === 'function' &&
    typeof value.flushed === 'function'
  );
}
