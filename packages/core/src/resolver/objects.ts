/**
 * The secrets, configMaps and services one resolution reads: each fetched at most once however
 * many containers and volumes name it (and fetched concurrently when prefetched), plus the
 * decoding of their payloads into bytes.
 */
import type { ConfigMap, Secret, Service } from 'kubernetes-types/core/v1.d.ts';
import { describeError, errorKind, TransientError } from '../errors/errors.ts';
import type { ObjectSource } from './types.ts';

export class ObjectCache {
  readonly namespace: string;
  private readonly source: ObjectSource;
  private readonly signal: AbortSignal;
  private readonly secrets = new Map<string, Promise<Secret | undefined>>();
  private readonly configMaps = new Map<string, Promise<ConfigMap | undefined>>();
  private readonly services = new Map<string, Promise<Service[]>>();

  constructor(source: ObjectSource, namespace: string, signal: AbortSignal) {
    this.source = source;
    this.namespace = namespace;
    this.signal = signal;
  }

  secret(name: string): Promise<Secret | undefined> {
    return memo(this.secrets, name, () => this.source.getSecret(this.namespace, name, this.signal));
  }

  configMap(name: string): Promise<ConfigMap | undefined> {
    return memo(this.configMaps, name, () =>
      this.source.getConfigMap(this.namespace, name, this.signal),
    );
  }

  listServices(namespace: string): Promise<Service[]> {
    return memo(this.services, namespace, () => this.source.listServices(namespace, this.signal));
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = Promise.resolve().then(load);
    // A prefetch nobody awaits (the resolution failed earlier) must not become an unhandled
    // rejection; whoever awaits it still sees the error.
    void pending.catch(() => undefined);
    cache.set(key, pending);
  }
  return pending;
}

/**
 * The error to throw when reading an object failed for another reason than its absence: an
 * abort stays an abort, an error that already has a taxonomy kind keeps it, anything else is
 * Transient so the core retries.
 */
export function readFailure(what: string, err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  return errorKind(err) !== undefined
    ? new Error(`failed to read ${what}: ${describeError(err)}`, { cause: err })
    : new TransientError(`failed to read ${what}: ${describeError(err)}`, { cause: err });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const utf8Bytes = (text: string): Uint8Array => encoder.encode(text);
export const utf8Text = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Base64 as the API serializes `[]byte`, into a plain Uint8Array (not a Buffer). */
export const base64Bytes = (text: string): Uint8Array =>
  new Uint8Array(Buffer.from(text, 'base64'));

/**
 * Decoded keys per object. The object cache hands every pod the same Secret or ConfigMap object
 * until it changes, so thousands of pods mounting `kube-root-ca.crt` share one copy of its bytes
 * (providers get them read-only).
 */
const decoded = new WeakMap<object, ReadonlyMap<string, Uint8Array>>();

function decodedOnce<T extends object>(
  object: T,
  decode: (o: T) => Map<string, Uint8Array>,
): ReadonlyMap<string, Uint8Array> {
  let entries = decoded.get(object);
  if (!entries) {
    entries = decode(object);
    decoded.set(object, entries);
  }
  return entries;
}

/**
 * A secret's keys as bytes. `stringData` is write-only in a real cluster (the API server merges
 * it into `data`), but a hand-built or cached object may still carry it: it wins, as on write.
 */
export function secretEntries(secret: Secret): ReadonlyMap<string, Uint8Array> {
  return decodedOnce(secret, s => {
    const entries = new Map<string, Uint8Array>();
    for (const [key, val] of Object.entries(s.data ?? {})) entries.set(key, base64Bytes(val));
    for (const [key, val] of Object.entries(s.stringData ?? {})) entries.set(key, utf8Bytes(val));
    return entries;
  });
}

/** A configMap's `data` (UTF-8) and `binaryData` (base64) keys as bytes. */
export function configMapEntries(configMap: ConfigMap): ReadonlyMap<string, Uint8Array> {
  return decodedOnce(configMap, c => {
    const entries = new Map<string, Uint8Array>();
    for (const [key, val] of Object.entries(c.data ?? {})) entries.set(key, utf8Bytes(val));
    for (const [key, val] of Object.entries(c.binaryData ?? {})) {
      entries.set(key, base64Bytes(val));
    }
    return entries;
  });
}
