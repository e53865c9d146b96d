/**
 * One container's environment, resolved as the kubelet does: `envFrom` sources in order (later
 * keys win, invalid names dropped with a Warning), then `env` in order (overriding envFrom,
 * `$(VAR)` expanded against what is defined so far and the service vars, valueFrom read from
 * configMaps, secrets and the downward API), then the service-link vars no explicit var shadows.
 * `command` and `args` are expanded against the final environment.
 *
 * The output is a flat `env` list whose order depends only on the input: envFrom keys sorted
 * within each source, each variable at the place of its last definition, service vars last in
 * service-name order. A variable only the backend can fill (the pod IP before placement) stays
 * with its `valueFrom` and is listed as deferred; references to it are left unexpanded so the
 * provider can expand them once it knows the value.
 */
import type {
  Container,
  EnvFromSource,
  EnvVar,
  EphemeralContainer,
  Pod,
} from 'kubernetes-types/core/v1.d.ts';
import { NotFoundError } from '../errors/errors.ts';
import type { DeferredEnvVar } from '../provider/contract.ts';
import {
  compareBytes,
  containerResourceValue,
  podFieldValue,
  type DownwardContext,
} from './downward.ts';
import { expand, type Lookup } from './expansion.ts';
import { readFailure, secretEntries, utf8Text, type ObjectCache } from './objects.ts';
import { Reasons } from './reasons.ts';
import type { ResolverEvents } from './types.ts';

export type AnyContainer = Container | EphemeralContainer;

export interface EnvContext {
  readonly pod: Pod;
  readonly objects: ObjectCache;
  readonly events: ResolverEvents;
  readonly downward: DownwardContext;
  /** The pod's service-link vars, computed once per resolution. */
  readonly serviceEnv: ReadonlyMap<string, string>;
  readonly signal: AbortSignal;
}

type Entry =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'deferred'; readonly source: EnvVar; readonly fieldPath: string }
  /** A valueFrom this core does not know (a newer API): handed over untouched. */
  | { readonly kind: 'raw'; readonly source: EnvVar };

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The kubelet's check on envFrom keys (validation.IsEnvVarName): letters, digits, `-`, `_`, `.`,
 * no leading digit, and not `.`, `..` or anything starting with `..`.
 */
export function isEnvVarName(name: string): boolean {
  return ENV_NAME.test(name) && name !== '.' && !name.startsWith('..');
}

type ObjectKind = 'ConfigMap' | 'Secret';

/** The upstream event reasons, by object kind. */
const REASONS = {
  ConfigMap: {
    optional: Reasons.OptionalConfigMapNotFound,
    mandatory: Reasons.MandatoryConfigMapNotFound,
    optionalKey: Reasons.OptionalConfigMapKeyNotFound,
    mandatoryKey: Reasons.MandatoryConfigMapKeyNotFound,
    optionalRead: Reasons.FailedToReadOptionalConfigMap,
    mandatoryRead: Reasons.FailedToReadMandatoryConfigMap,
  },
  Secret: {
    optional: Reasons.OptionalSecretNotFound,
    mandatory: Reasons.MandatorySecretNotFound,
    optionalKey: Reasons.OptionalSecretKeyNotFound,
    mandatoryKey: Reasons.MandatorySecretKeyNotFound,
    optionalRead: Reasons.FailedToReadOptionalSecret,
    mandatoryRead: Reasons.FailedToReadMandatorySecret,
  },
} as const;

/** Who asked for an object, for event and error messages. */
interface Requester {
  readonly container: string;
  /** The env var, or undefined for an envFrom source. */
  readonly variable?: string | undefined;
}

const describeRequester = (r: Requester): string =>
  r.variable === undefined
    ? `envFrom of container "${r.container}"`
    : `env var "${r.variable}" of container "${r.container}"`;

/** A reference to one configMap or secret, as envFrom and valueFrom make it. */
interface ObjectRef {
  readonly kind: ObjectKind;
  readonly name: string;
  readonly optional: boolean;
  readonly requester: Requester;
}

class EnvResolver {
  /** Variables of every container resolved so far that the backend must fill. */
  readonly deferred: DeferredEnvVar[] = [];
  private readonly context: EnvContext;
  private readonly namespace: string;

  constructor(context: EnvContext) {
    this.context = context;
    this.namespace = context.objects.namespace;
  }

  private describe(kind: ObjectKind, name: string): string {
    return `${kind === 'ConfigMap' ? 'configmap' : 'secret'} "${this.namespace}/${name}"`;
  }

  /**
   * The object's keys as text (configMap `data` only: like the kubelet, env never reads
   * binaryData), or undefined when it is missing and optional (a Warning says so). A missing
   * mandatory object throws NotFound; a failed read throws too, optional or not, so the core
   * retries instead of starting the pod with a guessed environment.
   */
  private async values(ref: ObjectRef): Promise<Map<string, string> | undefined> {
    const { objects, events, signal } = this.context;
    const reasons = REASONS[ref.kind];
    const what = this.describe(ref.kind, ref.name);
    let values: Map<string, string> | undefined;
    try {
      if (ref.kind === 'ConfigMap') {
        const configMap = await objects.configMap(ref.name);
        if (configMap) values = new Map(Object.entries(configMap.data ?? {}));
      } else {
        const secret = await objects.secret(ref.name);
        if (secret) {
          values = new Map([...secretEntries(secret)].map(([k, v]) => [k, utf8Text(v)]));
        }
      }
    } catch (err) {
      if (!signal.aborted) {
        events.warning(
          ref.optional ? reasons.optionalRead : reasons.mandatoryRead,
          `failed to read ${what} for ${describeRequester(ref.requester)}`,
        );
      }
      throw readFailure(what, err, signal);
    }
    if (values) return values;
    if (ref.optional) {
      events.warning(
        reasons.optional,
        `skipping optional ${describeRequester(ref.requester)}: ${what} not found`,
      );
      return undefined;
    }
    const message = `${what} not found, required by ${describeRequester(ref.requester)}`;
    events.warning(reasons.mandatory, message);
    throw new NotFoundError(message);
  }

  /** One key of the object; undefined (after a Warning) when optional and missing. */
  private async keyValue(ref: ObjectRef, key: string): Promise<string | undefined> {
    const values = await this.values(ref);
    if (!values) return undefined;
    const value = values.get(key);
    if (value !== undefined) return value;
    const reasons = REASONS[ref.kind];
    const what = `key "${key}" not found in ${this.describe(ref.kind, ref.name)}`;
    if (ref.optional) {
      this.context.events.warning(
        reasons.optionalKey,
        `skipping optional ${describeRequester(ref.requester)}: ${what}`,
      );
      return undefined;
    }
    const message = `${what}, required by ${describeRequester(ref.requester)}`;
    this.context.events.warning(reasons.mandatoryKey, message);
    throw new NotFoundError(message);
  }

  /** The variables of one envFrom source, valid names only (a Warning lists the others). */
  private async fromSource(
    source: EnvFromSource,
    container: AnyContainer,
  ): Promise<[string, string][]> {
    const selected = source.configMapRef
      ? { kind: 'ConfigMap' as const, ...source.configMapRef }
      : source.secretRef
        ? { kind: 'Secret' as const, ...source.secretRef }
        : undefined;
    if (!selected) return [];
    const name = selected.name ?? '';
    const values = await this.values({
      kind: selected.kind,
      name,
      optional: selected.optional === true,
      requester: { container: container.name },
    });
    if (!values) return [];
    const prefix = source.prefix ?? '';
    const valid: [string, string][] = [];
    const invalid: string[] = [];
    // Sorted, so the output order never depends on how the object listed its keys.
    for (const key of [...values.keys()].sort(compareBytes)) {
      const variable = prefix + key;
      if (isEnvVarName(variable)) valid.push([variable, values.get(key) ?? '']);
      else invalid.push(variable);
    }
    if (invalid.length > 0) {
      const label = `${selected.kind === 'ConfigMap' ? 'configMap' : 'secret'} ${this.namespace}/${name}`;
      this.context.events.warning(
        Reasons.InvalidEnvironmentVariableNames,
        `Keys [${invalid.join(', ')}] from the EnvFrom ${label} were skipped since they are considered invalid environment variable names.`,
      );
    }
    return valid;
  }

  /** What one `env` entry defines, or undefined when an optional reference is skipped. */
  private async entryFor(
    envVar: EnvVar,
    container: AnyContainer,
    lookup: Lookup,
  ): Promise<Entry | undefined> {
    const { pod, downward } = this.context;
    // As in the kubelet, a non-empty value wins over valueFrom and is expanded.
    if (envVar.value !== undefined && envVar.value !== '') {
      return { kind: 'value', value: expand(envVar.value, lookup) };
    }
    const from = envVar.valueFrom;
    const requester = { container: container.name, variable: envVar.name };
    if (!from) return { kind: 'value', value: '' };
    if (from.fieldRef) {
      const field = podFieldValue(from.fieldRef, pod, downward);
      return field.kind === 'value'
        ? { kind: 'value', value: field.value }
        : { kind: 'deferred', source: envVar, fieldPath: field.fieldPath };
    }
    if (from.resourceFieldRef) {
      const value = containerResourceValue(from.resourceFieldRef, pod, container, downward);
      return { kind: 'value', value };
    }
    const keyRef = from.configMapKeyRef
      ? { kind: 'ConfigMap' as const, ...from.configMapKeyRef }
      : from.secretKeyRef
        ? { kind: 'Secret' as const, ...from.secretKeyRef }
        : undefined;
    if (!keyRef) return { kind: 'raw', source: envVar };
    const ref: ObjectRef = {
      kind: keyRef.kind,
      name: keyRef.name ?? '',
      optional: keyRef.optional === true,
      requester,
    };
    const value = await this.keyValue(ref, keyRef.key);
    return value === undefined ? undefined : { kind: 'value', value };
  }

  async resolve(container: AnyContainer): Promise<void> {
    const { serviceEnv, signal } = this.context;
    const entries = new Map<string, Entry>();
    // Re-inserting moves a redefined variable to where it was last defined.
    const define = (name: string, entry: Entry): void => {
      entries.delete(name);
      entries.set(name, entry);
    };
    // What `$(NAME)` sees while env is processed: definitions so far, then service vars.
    const lookup: Lookup = name => {
      const entry = entries.get(name);
      if (entry) return entry.kind === 'value' ? entry.value : undefined;
      return serviceEnv.get(name);
    };

    for (const source of container.envFrom ?? []) {
      signal.throwIfAborted();
      for (const [name, value] of await this.fromSource(source, container)) {
        define(name, { kind: 'value', value });
      }
    }
    for (const envVar of container.env ?? []) {
      signal.throwIfAborted();
      const entry = await this.entryFor(envVar, container, lookup);
      if (entry) define(envVar.name, entry);
    }
    this.finish(container, entries);
  }

  /** Writes the flat env, empties envFrom and expands command and args. */
  private finish(container: AnyContainer, entries: ReadonlyMap<string, Entry>): void {
    const env: EnvVar[] = [];
    // The final environment as command/args expansion sees it; undefined = left unexpanded.
    const final = new Map<string, string | undefined>();
    for (const [name, entry] of entries) {
      if (entry.kind === 'value') {
        env.push({ name, value: entry.value });
        final.set(name, entry.value);
        continue;
      }
      env.push({ name, valueFrom: structuredClone(entry.source.valueFrom) });
      final.set(name, undefined);
      if (entry.kind === 'deferred') {
        this.deferred.push({ container: container.name, name, fieldPath: entry.fieldPath });
      }
    }
    for (const [name, value] of this.context.serviceEnv) {
      if (final.has(name)) continue;
      env.push({ name, value });
      final.set(name, value);
    }
    const finalLookup: Lookup = name => final.get(name);
    container.env = env;
    if (container.envFrom !== undefined) container.envFrom = [];
    if (container.command) container.command = container.command.map(c => expand(c, finalLookup));
    if (container.args) container.args = container.args.map(a => expand(a, finalLookup));
  }
}

/**
 * Resolves the env of every init, regular and ephemeral container of `pod` in place (the
 * caller passes its own copy) and returns the variables left for the backend.
 */
export async function resolvePodEnv(pod: Pod, context: EnvContext): Promise<DeferredEnvVar[]> {
  const resolver = new EnvResolver(context);
  const spec = pod.spec;
  for (const container of [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ]) {
    await resolver.resolve(container);
  }
  return resolver.deferred;
}
