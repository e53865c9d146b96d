/**
 * The REST semantics of kube-apiserver's generic registry over the object store: create with
 * generateName and defaults, update and patch with optimistic concurrency and the status
 * subresource split, graceful deletion with preconditions and finalizers, and paginated lists
 * with label and field selectors. HTTP concerns live in the handlers; this is the logic.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError } from '../api-error.ts';
import { isPlainObject, type Json, type KubeObject } from '../kube-object.ts';
import { applyPatch, type PatchContentType } from '../patch/index.ts';
import { goFormat } from '../patch/go-format.ts';
import { patchedObjectInvalid } from '../patch/patch-errors.ts';
import { byteFieldDecodeError, canonicalizeByteFields } from '../resources/byte-fields.ts';
import { omitEmpty } from '../resources/omit-empty.ts';
import { apiVersionOf, storageResource, type ResourceDescriptor } from '../resources/registry.ts';
import { coreToEventsV1, eventsV1ToCore } from '../resources/event-conversion.ts';
import type { UserInfo } from './auth.ts';
import type { ResourceStrategy } from '../resources/strategy.ts';
import { parseFieldSelector, parseLabelSelector } from '../selectors/index.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { deepEqual } from '../util/deep-equal.ts';
import { asString } from '../util/json-access.ts';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  dryRun?: string[];
}

export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continueToken?: string | null;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export type DeleteResult =
  | { readonly kind: 'deleted'; readonly object: KubeObject }
  | { readonly kind: 'pending'; readonly object: KubeObject };

export interface WriteOptions {
  readonly dryRun?: boolean;
  readonly subresource?: string | undefined;
  /** Who asked (recorded by some resources, as a CSR's spec.username). */
  readonly user?: UserInfo;
}

/** Predicates a list or watch filters by, compiled once per request. */
export interface ObjectFilter {
  readonly namespace: string | undefined;
  matches(object: KubeObject): boolean;
}

export class Rest {
  private readonly store: ObjectStore;
  private readonly strategyOf: (resource: string) => ResourceStrategy;
  private readonly now: () => Date;

  constructor(
    store: ObjectStore,
    strategyOf: (resource: string) => ResourceStrategy,
    now: () => Date,
  ) {
    this.store = store;
    this.strategyOf = strategyOf;
    this.now = now;
  }

  /** The stored shape of an object as served under `d` (events.k8s.io converts). */
  present(d: ResourceDescriptor, stored: KubeObject): KubeObject {
    if (d.group === 'events.k8s.io') return coreToEventsV1(stored);
    if (stored.apiVersion === apiVersionOf(d) && stored.kind === d.kind) return stored;
    return { ...stored, apiVersion: apiVersionOf(d), kind: d.kind };
  }

  private toStorage(d: ResourceDescriptor, object: KubeObject): KubeObject {
    if (d.group === 'events.k8s.io') return eventsV1ToCore(object);
    return { ...object, apiVersion: apiVersionOf(d), kind: d.kind };
  }

  get(d: ResourceDescriptor, namespace: string | undefined, name: string): KubeObject {
    const stored = this.store.get(storageResource(d), namespace, name);
    if (!stored) throw ApiError.notFound(d.resource, name, d.group);
    return stored;
  }

  compileFilter(
    d: ResourceDescriptor,
    namespace: string | undefined,
    options: ListOptions,
  ): ObjectFilter {
    const labels = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
    const fields = options.fieldSelector
      ? parseFieldSelector(options.fieldSelector, fieldSelectorResource(d))
      : undefined;
    return {
      namespace,
      matches: (object: KubeObject): boolean => {
        if (namespace !== undefined && object.metadata.namespace !== namespace) return false;
        if (labels && !labels.matches(object.metadata.labels)) return false;
        if (fields && !fields.matches(this.present(d, object))) return false;
        return true;
      },
    };
  }

  list(d: ResourceDescriptor, namespace: string | undefined, options: ListOptions): ListResult {
    const filter = this.compileFilter(d, namespace, options);
    let afterKey: string | undefined;
    let listVersion = this.store.resourceVersion;
    if (options.continueToken) {
      const token = decodeContinue(options.continueToken);
      if (token.rv < this.store.oldestResumableVersion) {
        throw new ApiError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.',
        );
      }
      afterKey = token.start;
      listVersion = token.rv;
    }
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    const items: KubeObject[] = [];
    let lastKey: string | undefined;
    let more = false;
    let remaining = 0;
    for (const [key, object] of this.store.iterate(storageResource(d), namespace, afterKey)) {
      if (!filter.matches(object)) continue;
      if (items.length >= limit) {
        more = true;
        remaining += 1;
        continue;
      }
      items.push(this.present(d, object));
      lastKey = key;
    }
    const result: ListResult = { items, resourceVersion: String(listVersion) };
    if (more && lastKey !== undefined) {
      result.continueToken = encodeContinue({ rv: listVersion, start: lastKey });
      // kube reports remainingItemCount only when no selector makes the count uncertain.
      if (!options.labelSelector && !options.fieldSelector) result.remainingItemCount = remaining;
    }
    return result;
  }

  create(
    d: ResourceDescriptor,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const object = this.decodeBody(d, body);
    if (d.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw ApiError.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      object.metadata.namespace = namespace;
    } else {
      delete object.metadata.namespace;
    }
    if (object.metadata.resourceVersion) {
      throw ApiError.badRequest('resourceVersion should not be set on objects to be created');
    }
    const resource = storageResource(d);
    const strategy = this.strategyOf(resource);
    let generated = false;
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomSuffix()}`;
      generated = true;
    }
    const meta = object.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (strategy.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    strategy.prepareForCreate?.(object, options.user);
    omitEmpty(resource, object);
    this.validate(d, object, strategy.validate?.(object) ?? []);
    if (d.namespaced) this.requireLiveNamespace(namespace ?? '');
    const name = meta.name ?? '';
    if (this.store.get(resource, namespace, name)) {
      if (generated) {
        // kube retries a generated name that collided; one retry is plenty at this size.
        return this.create(
          d,
          namespace,
          {
            ...object,
            metadata: { ...meta, name: undefined, uid: undefined, creationTimestamp: undefined },
          },
          options,
        );
      }
      throw ApiError.alreadyExists(d.resource, name, d.group);
    }
    if (options.dryRun) return this.present(d, { ...object, metadata: { ...meta } });
    return this.present(d, this.store.create(resource, object));
  }

  update(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const object = this.decodeBody(d, body);
    if (object.metadata.name !== undefined && object.metadata.name !== name) {
      throw ApiError.badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (d.namespaced && object.metadata.namespace && object.metadata.namespace !== namespace) {
      throw ApiError.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const old = this.get(d, namespace, name);
    return this.write(d, old, object, options);
  }

  patch(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    type: PatchContentType,
    patchBody: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const old = this.get(d, namespace, name);
    const presented = this.present(d, old);
    const patched = applyPatch(d.kind, presented as never, type, patchBody);
    if (!isPlainObject(patched)) throw ApiError.badRequest('the patch produced a non-object');
    const object = this.decode(d, patched);
    const failure = byteFieldDecodeError(storageResource(d), object);
    if (failure !== undefined) {
      // The patched object fails to decode: json and merge patches show it re-encoded,
      // strategic ones show the patch map (as %+v prints it).
      const shown =
        type === 'application/strategic-merge-patch+json'
          ? goFormat(patchBody as Json)
          : JSON.stringify(patched);
      throw patchedObjectInvalid(shown, failure);
    }
    canonicalizeByteFields(storageResource(d), object);
    if (object.metadata.name !== name) {
      throw ApiError.badRequest(
        `metadata.name: Invalid value: "${object.metadata.name ?? ''}": field is immutable`,
      );
    }
    return this.write(d, old, object, options);
  }

  /** The common tail of update and patch: concurrency, status split, validation, no-op skip. */
  private write(
    d: ResourceDescriptor,
    old: KubeObject,
    incoming: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const resource = storageResource(d);
    const strategy = this.strategyOf(resource);
    const rv = incoming.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) {
      throw ApiError.conflict(
        d.resource,
        old.metadata.name ?? '',
        'the object has been modified; please apply your changes to the latest version and try again',
        d.group,
      );
    }
    let next: KubeObject;
    if (options.subresource === 'status') {
      next = { ...structuredClone(old), status: incoming.status };
    } else if (options.subresource === 'binding') {
      // Binding sets spec.nodeName and the PodScheduled condition together (internal only).
      next = incoming;
    } else if (options.subresource === 'approval') {
      const status = isPlainObject(old.status) ? old.status : {};
      const conditions = isPlainObject(incoming.status) ? incoming.status.conditions : undefined;
      next = { ...structuredClone(old), status: { ...structuredClone(status), conditions } };
    } else {
      next = incoming;
      const meta = next.metadata;
      meta.uid = old.metadata.uid;
      meta.creationTimestamp = old.metadata.creationTimestamp;
      meta.namespace = old.metadata.namespace;
      meta.deletionTimestamp = old.metadata.deletionTimestamp;
      meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      meta.generation = old.metadata.generation;
      if (strategy.hasStatus) next.status = structuredClone(old.status);
      if (strategy.tracksGeneration && !deepEqual(next.spec, old.spec)) {
        meta.generation = (old.metadata.generation ?? 0) + 1;
      }
      if (d.resource === 'certificatesigningrequests' && !deepEqual(next.spec, old.spec)) {
        throw ApiError.invalid(
          d.kind,
          old.metadata.name ?? '',
          [
            {
              field: 'spec',
              reason: 'FieldValueForbidden',
              message: 'Forbidden: field is immutable',
            },
          ],
          d.group,
        );
      }
      strategy.prepareForUpdate?.(next, old);
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    next.metadata = Object.fromEntries(
      Object.entries(next.metadata).filter(([, value]) => value !== undefined),
    );
    omitEmpty(resource, next);
    const causes =
      options.subresource === undefined
        ? (strategy.validateUpdate?.(next, old) ?? strategy.validate?.(next) ?? [])
        : [];
    this.validate(d, next, causes);
    if (deepEqual(next, old)) return this.present(d, old);
    if (options.dryRun) return this.present(d, next);
    // A terminating object whose last finalizer went away, with no grace left, is removed now.
    if (
      next.metadata.deletionTimestamp &&
      (next.metadata.finalizers ?? []).length === 0 &&
      (next.metadata.deletionGracePeriodSeconds ?? 0) === 0
    ) {
      const removed = this.store.remove(
        resource,
        next.metadata.namespace,
        next.metadata.name ?? '',
      );
      return this.present(d, removed ?? next);
    }
    return this.present(d, this.store.update(resource, next));
  }

  delete(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
  ): DeleteResult {
    const resource = storageResource(d);
    const strategy = this.strategyOf(resource);
    const old = this.get(d, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid !== undefined && pre.uid !== old.metadata.uid) {
      throw ApiError.conflict(
        d.resource,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ''}`,
        d.group,
      );
    }
    if (
      pre?.resourceVersion !== undefined &&
      pre.resourceVersion !== old.metadata.resourceVersion
    ) {
      throw ApiError.conflict(
        d.resource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`,
        d.group,
      );
    }
    const grace = options.gracePeriodSeconds;
    if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) {
      throw ApiError.invalid('DeleteOptions', '', [
        { field: 'gracePeriodSeconds', message: `Invalid value: ${grace}: must be >= 0` },
      ]);
    }
    const dryRun = (options.dryRun ?? []).includes('All');
    const finalizers = old.metadata.finalizers ?? [];
    const now = this.now();

    if (old.metadata.deletionTimestamp) {
      // Already terminating: a shorter grace period moves the deadline; zero finishes it.
      const current = old.metadata.deletionGracePeriodSeconds ?? 0;
      if (grace === undefined || grace >= current)
        return { kind: 'pending', object: this.present(d, old) };
      if (grace === 0 && finalizers.length === 0) return this.remove(d, old, dryRun);
      const next = structuredClone(old);
      next.metadata.deletionGracePeriodSeconds = grace;
      next.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      return {
        kind: 'pending',
        object: this.present(d, dryRun ? next : this.store.update(resource, next)),
      };
    }

    const decision = strategy.deleteDecision?.(old, grace) ?? {
      immediate: true,
      gracePeriodSeconds: 0,
    };
    if (decision.immediate && finalizers.length === 0) return this.remove(d, old, dryRun);
    const next = structuredClone(old);
    const seconds = decision.immediate ? 0 : (decision.gracePeriodSeconds ?? 0);
    next.metadata.deletionGracePeriodSeconds = seconds;
    next.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + seconds * 1000));
    return {
      kind: 'pending',
      object: this.present(d, dryRun ? next : this.store.update(resource, next)),
    };
  }

  private remove(d: ResourceDescriptor, old: KubeObject, dryRun: boolean): DeleteResult {
    if (dryRun) return { kind: 'deleted', object: this.present(d, old) };
    const removed = this.store.remove(
      storageResource(d),
      old.metadata.namespace,
      old.metadata.name ?? '',
    );
    return { kind: 'deleted', object: this.present(d, removed ?? old) };
  }

  /**
   * A create or update body: also what the Go decoder rejects before validation (bad base64
   * in byte fields), as transformDecodeError words it with the body's kind and version.
   */
  private decodeBody(d: ResourceDescriptor, body: unknown): KubeObject {
    const object = this.decode(d, body);
    const failure = byteFieldDecodeError(storageResource(d), object);
    if (failure !== undefined) {
      const b = body as Record<string, unknown>;
      const kind = b.kind === undefined ? d.kind : asString(b.kind);
      throw ApiError.badRequest(
        `${kind} in version "${bodyVersion(d, b)}" cannot be handled as a ${d.kind}: ${failure}`,
      );
    }
    canonicalizeByteFields(storageResource(d), object);
    return object;
  }

  /** Body → a private, well-formed copy whose kind and apiVersion match the endpoint. */
  private decode(d: ResourceDescriptor, body: unknown): KubeObject {
    if (!isPlainObject(body)) {
      throw ApiError.badRequest(`the body of the request must be a ${d.kind} object`);
    }
    const expectedVersion = apiVersionOf(d);
    if (body.kind !== undefined && body.kind !== d.kind) {
      throw ApiError.badRequest(
        `${asString(body.kind)} in version "${bodyVersion(d, body)}" cannot be handled as a ${d.kind}: the kind of the object does not match the resource`,
      );
    }
    if (body.apiVersion !== undefined && body.apiVersion !== expectedVersion) {
      throw ApiError.badRequest(
        `the API version in the data (${asString(body.apiVersion)}) does not match the expected API version (${expectedVersion})`,
      );
    }
    if (body.metadata !== undefined && !isPlainObject(body.metadata)) {
      throw ApiError.badRequest(
        `${d.kind} in version "${d.version}" cannot be handled as a ${d.kind}: metadata must be an object`,
      );
    }
    const copy = structuredClone(body) as Partial<KubeObject>;
    copy.metadata ??= {};
    const object = this.toStorage(d, copy as KubeObject);
    omitEmpty(storageResource(d), object);
    return object;
  }

  private validate(
    d: ResourceDescriptor,
    object: KubeObject,
    causes: ReturnType<NonNullable<ResourceStrategy['validate']>>,
  ): void {
    if (causes.length > 0) {
      throw ApiError.invalid(
        d.kind,
        object.metadata.name ?? object.metadata.generateName ?? '',
        causes,
        d.group,
      );
    }
  }

  private requireLiveNamespace(namespace: string): void {
    const ns = this.store.get('namespaces', undefined, namespace);
    if (!ns) throw ApiError.notFound('namespaces', namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          name: namespace,
          kind: 'namespaces',
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }
}

/**
 * The version a decode error names: transformDecodeError prints gvk.Version, so a body of
 * `coordination.k8s.io/v1` reads "v1"; without apiVersion the endpoint's version fills in.
 */
function bodyVersion(d: ResourceDescriptor, body: Record<string, unknown>): string {
  if (body.apiVersion === undefined) return d.version;
  const apiVersion = asString(body.apiVersion);
  return apiVersion.slice(apiVersion.indexOf('/') + 1);
}

/** The name the field-selector tables know a served resource by. */
export function fieldSelectorResource(d: ResourceDescriptor): string {
  return d.group === '' ? d.resource : `${d.resource}.${d.group}`;
}

export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (const b of randomBytes(5)) out += alphabet.charAt(b % alphabet.length);
  return out;
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', ...token })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      isPlainObject(parsed) &&
      typeof parsed.rv === 'number' &&
      typeof parsed.start === 'string'
    ) {
      return { rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // fall through to the error below
  }
  throw ApiError.badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}
